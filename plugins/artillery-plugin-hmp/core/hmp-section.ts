// `aggregate.hmp`: what the plugin adds to Artillery's results (its settings,
// the shape it ran, the breakpoint it found), typed once for every reader.
// All fields are optional: results come from older runs, early stops and
// other tools, and every string in them is untrusted.

export interface ShapeSegment {
  name?: string;
  /** Unscaled seconds. */
  duration?: number;
  users?: number;
  from?: number;
  /** Scaled seconds from the start of the run. */
  start?: number;
  end?: number;
  jitter?: number;
}

export interface LevelRowIn {
  users?: number;
  status?: string;
  periods?: number;
  reqPerS?: number;
  errorPct?: number;
  p50?: number | null;
  p95?: number | null;
  p99?: number | null;
  /** Mean response time of the hold, ms (the session time of the plan's request rate). */
  meanMs?: number | null;
  /** Every group's p99 within its SLO and the error rate within the breakpoint's limit over the hold; null: not measured. */
  withinSlos?: boolean | null;
  /** What the hold missed, in words ("list p99 2.95 s > 700 ms"); empty when within or not measured. */
  missedSlos?: string[];
}

/** The lowest measured level above the capacity within the SLOs: why that capacity stops there. */
export interface FirstMissIn {
  users?: number;
  status?: string;
  reqPerS?: number;
  /** "10 users missed list p99 2.95 s > 700 ms", "20 users failed: stall". */
  text?: string;
}

/** The request rate the plan's goals need at the journeys' own think time (plugins/artillery-plugin-hmp/journey-rate.ts). */
export interface PlanRateIn {
  /** Per session, averaged over the plan's mix. */
  requestsPerSession?: number;
  thinksPerSession?: number;
  /** The level whose measured latencies the session time uses, and their mean (ms). */
  latencyUsers?: number;
  meanLatencyMs?: number;
  perUserReqPerS?: number;
  peakUsers?: number;
  peakReqPerS?: number;
  averageUsers?: number;
  averageReqPerS?: number;
}

export interface BreakpointIn {
  found?: boolean;
  /** The highest level held before the first failure (the top level when none failed): maxUsersBeforeFailure, kept for older readers. */
  maxSustainableUsers?: number;
  failingUsers?: number;
  failedAt?: number;
  failureMode?: string;
  problems?: Array<{ kind?: string; text?: string }>;
  summary?: string;
  levels?: LevelRowIn[];
  /** The highest level below the first failure whose hold was within every SLO (p99) and the breakpoint's error limit; 0: none. Absent in older results. */
  maxUsersWithinSlos?: number;
  /** Its completed requests per second (null: no such level). */
  withinSlosReqPerS?: number | null;
  /** = maxSustainableUsers. */
  maxUsersBeforeFailure?: number;
  /** Its completed requests per second (null: not measured). */
  beforeFailureReqPerS?: number | null;
  /** The top level of the shape. */
  topUsers?: number;
  firstMiss?: FirstMissIn | null;
  /** Think ranges in seconds per profile of the mix: the run's (after the time scale) and the journeys' own; same: the two agree. */
  think?: { run?: Record<string, [number, number]>; journeys?: Record<string, [number, number]>; same?: boolean } | null;
  planRate?: PlanRateIn | null;
  /** Why there is no planRate. */
  planRateWhy?: string;
}

/** A sample of what the server said for one endpoint and reason (optional, from the plugin). */
export interface ErrorSampleIn {
  endpoint?: string;
  reason?: string;
  status?: number;
  message?: string;
}

export interface HmpSection {
  test?: string;
  timeScale?: number;
  jitterSeed?: number;
  jitter?: Array<{ at?: number; factor?: number }>;
  shape?: ShapeSegment[];
  target?: string;
  startedAt?: number;
  endedAt?: number;
  earlyStop?: boolean;
  /** Every threshold the run was judged by (core/criteria.ts Criteria); older files: slo, groups, maxErrorRate (a number), smokeEndpoints. */
  criteria?: Record<string, unknown>;
  /** What the suite measured around the run (core/criteria.ts Measured: crash, recovery, dataLoss, drift). */
  checks?: Record<string, unknown>;
  /** The plugin's verdicts on the run (its console lines and ensure gates). */
  verdicts?: unknown[];
  breakpoint?: BreakpointIn;
  /** The run's tool version and commit, when the plugin records them. */
  tool?: { version?: string; commit?: string };
  /** Server messages per endpoint and reason, when the plugin records them. */
  errorSamples?: ErrorSampleIn[];
  /** What this run did not test on purpose, in words (e.g. conversions with HMP_CONVERSIONS=off). */
  notTested?: string[];
  /** Server-wide stalls and what was in flight when each began (core/stalls.ts), when the plugin logged the requests. */
  /** The server's own log of the run, as the suite read it (suite/server-log/summary.ts ServerLogSummary, plus disagreements). */
  serverLog?: { pool?: { count?: number; firstAt?: number | null; sample?: string | null } } & Record<string, unknown>;
  stalls?: { minS?: number; stalls?: Array<{ at?: number; s?: number; ongoing?: boolean; inFlight?: Record<string, number>; waiting?: number; spannedBy?: string[] }>; cause?: { label?: string; name?: string; began?: number; otherwisePct?: number } | null; text?: string };
  /** Every request on a one-second grid (core/request-timeline.ts), when the plugin logged the requests. */
  requestTimeline?: { t0?: number; sent?: number[]; ok?: number[]; failed?: number[]; inFlight?: number[]; failures?: Array<[number, string, string, number]> };
  /** Requests per user against the plan's users' (load-per-user.ts): how far a compressed think time multiplied the load. */
  loadPerUser?: { runPerUserReqPerS?: number; planPerUserReqPerS?: number; factor?: number; text?: string };
  /** The server's memory size, to turn plugins.hmp.system.rss_mb into a share. */
  system?: { memTotalMb?: number };
  /** A distributed run: how many generators shared the users (the merged results' plugins.hmp.users.workers). */
  workers?: number;
}
