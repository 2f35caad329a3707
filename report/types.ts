// The report's input (Artillery's `-o` results, with the suite's `hmp`
// section: typed once in the plugin's core/results.ts) and its output
// (summary.json).
export type { ErrorSampleIn, HmpSection, Period, Results, Stat } from '../plugins/artillery-plugin-hmp/core/results.ts';
import type { Diagnosis } from '../diagnosis/types.ts';
import type { LevelRowIn } from '../plugins/artillery-plugin-hmp/core/results.ts';
import type { PlanRate } from '../plugins/artillery-plugin-hmp/core/capacity-record.ts';
// The verdicts are the core's (plugins/artillery-plugin-hmp/core/criteria.ts): one rule set everywhere.
import type { Outcome, Verdict } from '../plugins/artillery-plugin-hmp/core/criteria.ts';
import type { Failures } from './failures.ts';
import type { ServerLogView } from './server-log.ts';

export type { Verdict };

// ---------------------------------------------------------------- output

export interface EndpointRow {
  name: string;
  group: string | null;
  requests: number;
  responses: number;
  reqPerS: number;
  /** User-visible errors (plugins.hmp.errors.<name>). */
  errors: number;
  errorPct: number;
  timeouts: number;
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
  /** p99 of the server's own time (Server-Timing), when measured. */
  serverP99: number | null;
  /** status -> count */
  codes: Record<string, number>;
  /** The group's SLO (p99 ms), when the endpoint has one. */
  sloMs: number | null;
}

export interface ErrorRow {
  endpoint: string;
  /** HTTP status, or null when no answer came (timeout, connection error) or unknown. */
  status: number | null;
  /** No answer came (timeout, connection error). */
  noAnswer: boolean;
  reason: string;
  /** What the reason means, for a reader. */
  meaning: string;
  /** A sample of the server's message, when the results hold one (untrusted text). */
  message: string | null;
  count: number;
  /** ISO times: start of the first and end of the last period it occurred in. */
  firstAt: string | null;
  lastAt: string | null;
  /** The same, in seconds from the start of the first period. */
  firstS: number | null;
  lastS: number | null;
}

export interface GroupRow {
  group: string;
  endpoints: string[];
  sloMs: number | null;
  p99: number | null;
  worstEndpoint: string | null;
}

/** A level of the breakpoint's table: the plugin's row (core/hmp-section.ts) with every field read. */
export type LevelRow = Required<LevelRowIn>;

export interface BreakpointSummary {
  found: boolean;
  maxSustainableUsers: number;
  failingUsers: number | null;
  failedAt: string | null;
  failureMode: string | null;
  problems: Array<{ kind: string; text: string }>;
  summary: string;
  /** The highest level below the failure within every SLO and the breakpoint's error limit (null: results written before it). */
  maxUsersWithinSlos: number | null;
  /** Completed req/s of that level and of the level before failure (null: none, or not recorded). */
  withinSlosReqPerS: number | null;
  beforeFailureReqPerS: number | null;
  /** Why the capacity within the SLOs stops there: "10 users missed list p99 2.95 s > 700 ms". */
  firstMiss: string | null;
  /** The run's and the journeys' think ranges, seconds per profile (null: not recorded). */
  think: { run: Record<string, readonly [number, number]>; journeys: Record<string, readonly [number, number]>; same: boolean } | null;
  /** What the plan's goals need in req/s at the journeys' think time (core/capacity-record.ts PlanRate). */
  planRate: PlanRate | null;
  /** Both capacities in users, and in req/s with the plan's need, as the plugin words them (null: older results). */
  capacityText: string | null;
  rateText: string | null;
  levels: LevelRow[];
}

export interface SpikeSummary {
  peakUsers: number;
  /** The hold at the peak, in seconds from the start of the first period. */
  holdStartS: number;
  holdEndS: number;
  during: { errorRatePct: number | null; worstP99: number | null; worstGroup: string | null; unhealthyPeriods: number; periods: number };
  after: { errorRatePct: number | null; periods: number };
  /** Seconds from the end of the hold until every later period was healthy; null when never. */
  recoveryS: number | null;
  recovered: boolean;
  /** The plan's limit (5 min), scaled by the time scale. */
  recoveryLimitS: number;
  text: string;
}

export interface SoakWindow {
  fromS: number;
  toS: number;
  periods: number;
  reqPerS: number;
  errorRatePct: number | null;
  /** Median over the window's periods of the run's p95 (all requests). */
  p95: number | null;
  /** Median over the window's periods of each group's worst p99. */
  p99ByGroup: Record<string, number | null>;
  cpuPct: number | null;
  memory: number | null;
}

export interface SoakSummary {
  windowS: number;
  memoryUnit: '%' | 'MB' | null;
  first: SoakWindow;
  last: SoakWindow;
  /** Percent change last vs first (null: not measured). */
  change: { p95: number | null; p99ByGroup: Record<string, number | null>; reqPerS: number | null; memory: number | null; cpuPct: number | null };
  /** What the drift flagged, in words (core/drift.ts; limits: criteria.drift). */
  flags: string[];
}

/** One process of several sampled (--pid server=N,db=N): its CPU and resident memory. */
export interface ProcessFigures {
  label: string;
  cpu: SystemFigure | null;
  rssMb: SystemFigure | null;
}

export interface SystemFigure {
  mean: number;
  max: number;
  /** Highest 1-minute mean: what "sustained" means here. */
  sustained: number;
  unit: '%' | 'MB';
}

export interface Summary {
  /** Schema of this file; bumped on a breaking change. */
  schema: 'hmp-load/summary@1';
  test: string;
  outcome: Outcome;
  /** One sentence a person reads first. */
  headline: string;
  run: {
    target: string | null;
    startedAt: string | null;
    endedAt: string | null;
    durationS: number;
    timeScale: number;
    /** Requests per user against the plan's users' (the plugin's load-per-user), null when not recorded. */
    loadPerUser: { factor: number; text: string } | null;
    jitterSeed: number | null;
    jitterSteps: number;
    shape: Array<{ name: string; from: number; users: number; startS: number; endS: number; jitter: number | null }>;
    shapeText: string;
    earlyStop: boolean;
    periods: number;
    periodS: number;
  };
  tool: { name: string; version: string | null; commit: string | null; source: 'results' | 'report-build' | 'unknown' };
  criteria: { slo: Record<string, number>; groups: Record<string, string[]>; maxErrorRate: number | null; system: { cpuPct: number; ramPct: number } };
  verdicts: Verdict[];
  /** The run's incidents with their causes, and its findings (diagnosis/diagnose.ts). */
  diagnosis: Diagnosis;
  totals: {
    requests: number;
    responses: number;
    errors: number;
    errorRatePct: number;
    timeouts: number;
    reqPerS: number;
    p50: number | null;
    p95: number | null;
    p99: number | null;
    max: number | null;
    codes: Record<string, number>;
    relogins: number;
    /** Artillery's own request-error counters (errors.<CODE>). */
    requestErrors: Record<string, number>;
  };
  /**
   * The closed model: peaks, the largest gap to the target, users lost (a VU that died holding a
   * slot; its slot went to a spare) and sessions that a failed request ended (the user stayed on).
   */
  users: { targetPeak: number | null; activePeak: number | null; maxDeviation: number | null; lost: number; sessionsFailed: number; sessionsCompleted: number };
  groups: GroupRow[];
  endpoints: EndpointRow[];
  errors: ErrorRow[];
  /** What the server did: stalls and their cause, connection errors by class, requests not sent after a failure (report/failures.ts). */
  failures: Failures;
  /** What the server logged during the test, as the suite read it (report/server-log.ts); null when no log was read. */
  serverLog: ServerLogView | null;
  /** processes: each one when several were sampled (else empty). */
  system: { cpu: SystemFigure | null; memory: SystemFigure | null; processes: ProcessFigures[] };
  breakpoint: BreakpointSummary | null;
  spike: SpikeSummary | null;
  soak: SoakSummary | null;
}

/** The tool's version and commit, where the results do not record them. */
export type ToolInfo = Partial<Pick<Summary['tool'], 'version' | 'commit'>>;
