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
}

export interface BreakpointIn {
  found?: boolean;
  maxSustainableUsers?: number;
  failingUsers?: number;
  failedAt?: number;
  failureMode?: string;
  problems?: Array<{ kind?: string; text?: string }>;
  summary?: string;
  levels?: LevelRowIn[];
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
  stalls?: { minS?: number; stalls?: Array<{ at?: number; s?: number; ongoing?: boolean; inFlight?: Record<string, number>; waiting?: number }>; cause?: { label?: string; name?: string; began?: number; otherwisePct?: number } | null; text?: string };
  /** The server's memory size, to turn plugins.hmp.system.rss_mb into a share. */
  system?: { memTotalMb?: number };
}
