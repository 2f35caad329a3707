// The report's input (Artillery's `-o` results, with the suite's `hmp`
// section) and its output (summary.json). Input fields are all optional:
// results come from older runs, early stops and other tools, and every
// string in them is untrusted (an error body can say anything).

/** One summary (Artillery's "summaries" / "histograms" entry). */
export interface Stat {
  min?: number;
  max?: number;
  count?: number;
  mean?: number;
  p50?: number;
  median?: number;
  p75?: number;
  p90?: number;
  p95?: number;
  p99?: number;
  p999?: number;
}

/** One 10 s period, or the aggregate. */
export interface Period {
  period?: number | string;
  counters?: Record<string, number>;
  rates?: Record<string, number>;
  summaries?: Record<string, Stat>;
  histograms?: Record<string, unknown>;
  firstMetricAt?: number;
  lastMetricAt?: number;
  [k: string]: unknown;
}

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

/** `aggregate.hmp`: what the suite's plugin adds to the results. */
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
  criteria?: {
    slo?: Record<string, number>;
    groups?: Record<string, string[]>;
    maxErrorRate?: number;
    smokeEndpoints?: string[];
  };
  breakpoint?: BreakpointIn;
  /** The run's tool version and commit, when the plugin records them. */
  tool?: { version?: string; commit?: string };
  /** Server messages per endpoint and reason, when the plugin records them. */
  errorSamples?: ErrorSampleIn[];
  /** The server's memory size, to turn hmp.system.rss_mb into a share. */
  system?: { memTotalMb?: number };
}

export interface Results {
  aggregate: Period & { hmp?: HmpSection };
  intermediate: Period[];
}

// ---------------------------------------------------------------- output

export type Outcome = 'PASS' | 'FAIL' | 'REPORT' | 'NO DATA';

/** One criterion of the plan: measured value vs limit. */
export interface Verdict {
  /** Stable id: errors, error_rate, unanswered, p99.<group>, cpu, ram. */
  id: string;
  name: string;
  /** null: not measured (no requests, no system metrics). */
  measured: number | null;
  limit: number | null;
  unit: string;
  /** How measured compares with limit to pass. */
  op: '<' | '<=' | '==';
  /** null: reported, not gated (breakpoint, not measured, no limit). */
  pass: boolean | null;
  note?: string;
}

export interface EndpointRow {
  name: string;
  group: string | null;
  requests: number;
  responses: number;
  reqPerS: number;
  /** User-visible errors (hmp.errors.<name>). */
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

export interface LevelRow {
  users: number;
  status: string;
  periods: number;
  reqPerS: number;
  errorPct: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface BreakpointSummary {
  found: boolean;
  maxSustainableUsers: number;
  failingUsers: number | null;
  failedAt: string | null;
  failureMode: string | null;
  problems: Array<{ kind: string; text: string }>;
  summary: string;
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
  /** The plan's step 7 flags: degradation > 15%, memory growth > 10%. */
  flags: string[];
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
    jitterSeed: number | null;
    jitterSteps: number;
    shape: Array<{ name: string; from: number; users: number; startS: number; endS: number; jitter: number | null }>;
    shapeText: string;
    earlyStop: boolean;
    periods: number;
    periodS: number;
  };
  tool: { name: string; version: string | null; commit: string | null; source: 'results' | 'report-build' | 'unknown' };
  criteria: { slo: Record<string, number>; groups: Record<string, string[]>; maxErrorRate: number | null };
  verdicts: Verdict[];
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
  users: { targetPeak: number | null; activePeak: number | null; maxDeviation: number | null };
  groups: GroupRow[];
  endpoints: EndpointRow[];
  errors: ErrorRow[];
  system: { cpu: SystemFigure | null; memory: SystemFigure | null };
  breakpoint: BreakpointSummary | null;
  spike: SpikeSummary | null;
  soak: SoakSummary | null;
}

export interface ToolInfo {
  version?: string | null;
  commit?: string | null;
}
