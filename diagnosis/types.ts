// The diagnosis's words and shapes, defined once: an incident (a window in
// which the server misbehaved), the cause it was given with the evidence that
// decided it and how sure that is, and the findings that are not windows (a
// server that never recovered). Read by report/, the suite and the console.

/** What went wrong in a window, as the client saw it. */
export type IncidentKind =
  | 'errors' // failed requests (5xx, resets, refusals, timeouts) above the noise
  | 'stall' // nothing answered for STALL_MIN_MS or more while requests waited
  | 'slow'; // an endpoint group's p99 over its SLO for one or more periods

/** The catalogue of causes (diagnosis/causes.ts decides among them). */
export type CauseId =
  | 'dependency-outage' // a backing service (the database) unreachable: the server's log names it
  | 'process-restart' // the server process exited (and another started)
  | 'blocked-by-kind' // one kind of request held the whole server while it ran
  | 'server-frozen' // nothing answered while the server idled and logged nothing (its event loop or a lock blocked)
  | 'pool-starvation' // the database connection pool (or a queue) exhausted
  | 'cpu-saturation' // the server's CPU at its limit
  | 'memory-saturation' // the server's memory at its limit
  | 'slow-endpoint' // one endpoint slow on its own
  | 'undetermined';

/** How the cause was decided, from the strongest evidence to none. */
export type Certainty =
  | 'log' // the server's log names it
  | 'measured' // a measurement shows it (the process's pid, CPU, one endpoint's latency)
  | 'correlation' // timing only: what was in flight, what coincided
  | 'undetermined';

export const CERTAINTY_WORDS: Record<Certainty, string> = {
  log: "the server's log names it",
  measured: 'measured',
  correlation: 'correlation only',
  undetermined: 'not determined',
};

export interface Cause {
  id: CauseId;
  /** The cause in words, e.g. "the database was unreachable". */
  title: string;
  certainty: Certainty;
  /** The measurements that decided it, each in words. */
  evidence: string[];
  /** When undetermined (or only correlated): what would decide it. */
  toDecide?: string;
  /** The request kind, for blocked-by-kind and slow-endpoint (its request name, e.g. pdf_execute). */
  kind?: string;
  /** The dependency, for dependency-outage (e.g. "the database"). */
  dependency?: string;
}

export interface EndpointFailures {
  endpoint: string;
  /** '500', 'refused', 'reset_reused', 'timeout', ... */
  what: string;
  n: number;
}

export interface Incident {
  /** 1, 2, ... in time order. */
  n: number;
  kinds: IncidentKind[];
  /** Epoch ms. */
  start: number;
  end: number;
  /** Seconds from the test's start (its shape's t = 0), for "1:11-1:41". */
  startS: number;
  endS: number;
  /** Whether the run (or its request log) ended inside it. */
  ongoing: boolean;
  client: {
    sent: number;
    failed: number;
    /** The failures by endpoint and kind, most first. */
    failures: EndpointFailures[];
    /** Groups over their SLO in the window: "list p99 2.95 s > 700 ms". */
    slow: string[];
    /** The most requests waiting in a stall of the window. */
    waiting: number | null;
  };
  /** What the server's log said in the window: exception kinds, most first (null: no log read). */
  log: Array<{ type: string; message: string; n: number }> | null;
  /** Server processes started / ended in the window (log or sampler). */
  processes: string[];
  /** The server's CPU and memory in the window (null: not measured). */
  system: { cpuMaxPct: number | null; cpuMeanPct: number | null; memMaxPct: number | null } | null;
  /** Requests in flight when it began, by label (stalls). */
  inFlight: Record<string, number>;
  /** Target users when it began. */
  users: number | null;
  cause: Cause;
}

/** What is true of the run as a whole rather than of a window. */
export interface Finding {
  id: 'not-recovered' | 'generator-short';
  text: string;
}

export interface Diagnosis {
  /** Epoch ms of the test's t = 0. */
  t0: number;
  incidents: Incident[];
  findings: Finding[];
  /** Failed requests outside every incident (the noise), and all failed requests. */
  failedOutside: number;
  failedTotal: number;
  /** Whether the server's log and its process metrics were there to decide with. */
  sources: { serverLog: boolean; system: boolean };
}
