// Every metric name the suite writes or reads, declared once (pure): the
// processors and the plugin's worker emit with these builders; the plugin,
// the report, the suite and the bench parse with the readers below.
//
// The suite's own metrics live under `plugins.hmp.`, so Artillery's console
// hides them with the plugin's `suppressOutput` (it can hide only
// `plugins.<name>.*`); they stay in the results and the report:
//   plugins.hmp.ok.<name>                 a response that passed its validation
//   plugins.hmp.errors                    every failed request or check, all endpoints
//   plugins.hmp.errors.<name>[.<reason>]  a failed request or check
//   plugins.hmp.warnings.<name>[.<reason>] a known server defect, reported, not an error
//   plugins.hmp.users.target|active|deviation   closed-model users, sampled every second
//   plugins.hmp.users.shape_started_at    epoch ms the gate's shape clock started (min over workers): the run's t = 0
//   plugins.hmp.users.workers             a distributed run: how many generators share the users (target|active are each one's share)
//   plugins.hmp.users.lost                a VU the engine ended on a request error
//   plugins.hmp.skipped.<name>.<after>   a planned request not sent: the session had failed at <after> first
//   plugins.hmp.connection.<class>        a request without an answer, by class (core/connection-errors.ts)
//   plugins.hmp.criteria.*                the plan's criteria as ensure reads them (final report)
//   plugins.hmp.system.*                  server CPU/memory, disk and network I/O merged in by the suite
//   plugins.hmp.system.proc.<label>.*     the same per process when several are sampled
//   plugins.hmp.session|roles|login|plan|conversion.*, plugins.hmp.relogin  journey bookkeeping
// Per-endpoint families are artillery-plugin-metrics-by-endpoint's with
// `useOnlyRequestNames: true` (requests made outside the engine use them too):
//   plugins.metrics-by-endpoint.response_time.<name>   ms to the headers
//   plugins.metrics-by-endpoint.server-timing.<name>   the server's own time
//   plugins.metrics-by-endpoint.<name>.codes.<status>  answers by status
//   plugins.metrics-by-endpoint.<name>.errors.<code>   requests that got no answer

export const HMP = 'plugins.hmp';
export const ENDPOINT_METRICS = 'plugins.metrics-by-endpoint';
export const LATENCY_PREFIX = `${ENDPOINT_METRICS}.response_time.`;
export const SERVER_TIMING_PREFIX = `${ENDPOINT_METRICS}.server-timing.`;
export const SYSTEM_PROCESS_PREFIX = `${HMP}.system.proc.`;
/** Artillery's own names the suite reads. */
export const ARTILLERY = {
  requests: 'http.requests',
  responses: 'http.responses',
  requestRate: 'http.request_rate',
  downloadedBytes: 'http.downloaded_bytes',
  responseTime: 'http.response_time',
  responseTime5xx: 'http.response_time.5xx',
  /** http.codes.<status> */
  codePrefix: 'http.codes.',
  vusersCreated: 'vusers.created',
  vusersCompleted: 'vusers.completed',
  vusersFailed: 'vusers.failed',
  /** errors.<CODE>: requests that got no answer (ETIMEDOUT, ECONNREFUSED ...). */
  errorPrefix: 'errors.',
} as const;

export const metric = {
  responseTime: (name: string) => `${LATENCY_PREFIX}${name}`,
  serverTiming: (name: string) => `${SERVER_TIMING_PREFIX}${name}`,
  code: (name: string, status: number | string) => `${ENDPOINT_METRICS}.${name}.codes.${status}`,
  endpointError: (name: string, code: string) => `${ENDPOINT_METRICS}.${name}.errors.${code}`,
  ok: (name: string) => `${HMP}.ok.${name}`,
  allErrors: `${HMP}.errors`,
  errors: (name: string) => `${HMP}.errors.${name}`,
  error: (name: string, reason: string) => `${HMP}.errors.${name}.${reason}`,
  warnings: (name: string) => `${HMP}.warnings.${name}`,
  warning: (name: string, reason: string) => `${HMP}.warnings.${name}.${reason}`,
  relogin: `${HMP}.relogin`,
  session: (what: string) => `${HMP}.session.${what}`,
  role: (role: string) => `${HMP}.roles.${role}`,
  login: (role: string) => `${HMP}.login.${role}`,
  plan: (action: string) => `${HMP}.plan.${action}`,
  convert: (what: string) => `${HMP}.conversion.${what}`,
  usersTarget: `${HMP}.users.target`,
  usersActive: `${HMP}.users.active`,
  usersDeviation: `${HMP}.users.deviation`,
  usersLost: `${HMP}.users.lost`,
  shapeStartedAt: `${HMP}.users.shape_started_at`,
  /** A distributed run's number of generators (each samples it with its users): target and active are each one's share. */
  usersWorkers: `${HMP}.users.workers`,
  connection: (cls: string) => `${HMP}.connection.${cls}`,
  skipped: (name: string, after: string) => `${HMP}.skipped.${name}.${after}`,
  criteria: (what: string) => `${HMP}.criteria.${what}`,
  systemCpuPct: `${HMP}.system.cpu_pct`,
  systemMemPct: `${HMP}.system.mem_pct`,
  systemRssMb: `${HMP}.system.rss_mb`,
  systemDiskReadBps: `${HMP}.system.disk_read_bps`,
  systemDiskWriteBps: `${HMP}.system.disk_write_bps`,
  systemNetInBps: `${HMP}.system.net_in_bps`,
  systemNetOutBps: `${HMP}.system.net_out_bps`,
  /** Restarts of the app's instances (DigitalOcean restart_count, summed over instances). */
  systemRestarts: `${HMP}.system.restarts`,
  /** One of several processes sampled (--pid N,N): cpu_pct, rss_mb, disk_read_bps, disk_write_bps. */
  systemProcess: (label: string, what: string) => `${SYSTEM_PROCESS_PREFIX}${label}.${what}`,
} as const;

/** Failure reasons the suite acts on by name (plugins.hmp.errors.<name>.<reason>). */
export const REASONS = {
  /** A v1.0 conversion with no server key to encrypt for (GET /credentials/public-key 401, no HMP_SERVER_PUBLIC_KEY). */
  noServerKey: 'no_server_key',
} as const;

/** Request names the processors give to requests they make again. */
export const requestName = {
  relogin: 'auth_relogin',
  retry: (name: string) => `${name}_retry`,
} as const;

/** A reason as a metric-name segment: lower case, [a-z0-9_]. */
export function slug(reason: string): string {
  return reason.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '') || 'unknown';
}

/** An empty record without a prototype: keys are metric names, and "__proto__" must stay a plain key. */
export function dict<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

const finite = (x: unknown): number | undefined => (typeof x === 'number' && Number.isFinite(x) ? x : undefined);
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const CODE = new RegExp(`^${esc(ENDPOINT_METRICS)}\\.(.+)\\.codes\\.(\\d{3})$`);
const NO_ANSWER = new RegExp(`^${esc(ENDPOINT_METRICS)}\\.(.+)\\.errors\\.([^.]+)$`);
const ERRORS = new RegExp(`^${esc(HMP)}\\.errors\\.([^.]+)$`);
const REASON = new RegExp(`^${esc(HMP)}\\.errors\\.([^.]+)\\.(.+)$`);
const OK = new RegExp(`^${esc(HMP)}\\.ok\\.(.+)$`);
const WARNING = new RegExp(`^${esc(HMP)}\\.warnings\\.([^.]+)\\.(.+)$`);
const SKIPPED = new RegExp(`^${esc(HMP)}\\.skipped\\.([^.]+)\\.(.+)$`);

export interface EndpointCounters {
  /** endpoint -> status -> count */
  codes: Record<string, Record<string, number>>;
  /** endpoint -> error code -> count (requests that got no answer) */
  noAnswer: Record<string, Record<string, number>>;
  /** endpoint -> user-visible errors */
  errors: Record<string, number>;
  /** endpoint -> reason -> count */
  reasons: Record<string, Record<string, number>>;
  /** endpoint -> validated successes */
  ok: Record<string, number>;
  /** endpoint -> reason -> count of known server defects */
  warnings: Record<string, Record<string, number>>;
  /** endpoint -> the endpoint that failed first -> planned requests not sent */
  skipped: Record<string, Record<string, number>>;
}

function add(map: Record<string, Record<string, number>>, a: string, b: string, v: number): void {
  const inner = (map[a] ??= dict<number>());
  inner[b] = (inner[b] ?? 0) + v;
}

/** A period's counters grouped by endpoint: answers, no-answers, errors and their reasons, successes. */
export function endpointCounters(counters: Record<string, number> | undefined): EndpointCounters {
  const out: EndpointCounters = { codes: dict(), noAnswer: dict(), errors: dict(), reasons: dict(), ok: dict(), warnings: dict(), skipped: dict() };
  for (const [k, raw] of Object.entries(counters ?? {})) {
    const v = finite(raw);
    if (v === undefined) continue;
    let m: RegExpExecArray | null;
    if ((m = CODE.exec(k))) add(out.codes, m[1]!, m[2]!, v);
    else if ((m = NO_ANSWER.exec(k))) add(out.noAnswer, m[1]!, m[2]!, v);
    else if ((m = ERRORS.exec(k))) out.errors[m[1]!] = (out.errors[m[1]!] ?? 0) + v;
    else if ((m = REASON.exec(k))) add(out.reasons, m[1]!, m[2]!, v);
    else if ((m = OK.exec(k))) out.ok[m[1]!] = (out.ok[m[1]!] ?? 0) + v;
    else if ((m = WARNING.exec(k))) add(out.warnings, m[1]!, m[2]!, v);
    else if ((m = SKIPPED.exec(k))) add(out.skipped, m[1]!, m[2]!, v);
  }
  return out;
}

/** User-visible errors of all endpoints: the sum of the counters plugins.hmp.errors.<name>. */
export function endpointErrors(counters: Record<string, number> | undefined): number {
  return Object.values(endpointCounters(counters).errors).reduce((a, b) => a + b, 0);
}

/** Whether the counters come from the suite's processors (per-endpoint errors or successes). */
export function hasHmpCounters(counters: Record<string, number> | undefined): boolean {
  return Object.keys(counters ?? {}).some((k) => k === metric.allErrors || ERRORS.test(k) || OK.test(k));
}

/**
 * User-visible errors of a period: the sum of plugins.hmp.errors.<name>.
 * Without the suite's counters (plain Artillery): 5xx answers plus
 * Artillery's errors.<CODE> (timeouts, refused connections).
 */
export function userVisibleErrors(counters: Record<string, number> | undefined): number {
  const c = counters ?? {};
  if (hasHmpCounters(c)) return endpointErrors(c);
  let n = 0;
  for (const [k, v] of Object.entries(c)) if (/^http\.codes\.5\d\d$/.test(k) || k.startsWith(ARTILLERY.errorPrefix)) n += finite(v) ?? 0;
  return n;
}

/** Requests that got no answer (Artillery's errors.<CODE> counters). */
export function noAnswerErrors(counters: Record<string, number> | undefined): number {
  let n = 0;
  for (const [k, v] of Object.entries(counters ?? {})) if (k.startsWith(ARTILLERY.errorPrefix)) n += finite(v) ?? 0;
  return n;
}

/** Whether an endpoint answered at least once (any status) or passed a check. */
export function answered(counters: Record<string, number> | undefined, endpoint: string): boolean {
  const c = counters ?? {};
  const prefix = `${ENDPOINT_METRICS}.${endpoint}.codes.`;
  return Object.entries(c).some(([k, v]) => k.startsWith(prefix) && v > 0) || (c[metric.ok(endpoint)] ?? 0) > 0;
}

/** Summaries under `prefix`, keyed by the rest of the name (e.g. latency per endpoint). */
export function summariesUnder<S>(summaries: Record<string, S> | undefined, prefix: string): Record<string, S> {
  const out = dict<S>();
  for (const [k, v] of Object.entries(summaries ?? {})) {
    if (k.startsWith(prefix) && typeof v === 'object' && v !== null) out[k.slice(prefix.length)] = v;
  }
  return out;
}

const TIMEOUT = /^(e(socket)?timedout|timeout)$/i;

/** A reason that means the client gave up waiting (ETIMEDOUT, ESOCKETTIMEDOUT, the processors' "timeout"). */
export function isTimeout(reason: string): boolean {
  return TIMEOUT.test(reason);
}

/** A reason that means no answer came: a timeout or a network error code (ECONNREFUSED, ...). */
export function isNoAnswer(reason: string): boolean {
  return (
    isTimeout(reason) ||
    reason === 'unreachable' ||
    reason === 'request_error' ||
    /^E[A-Z0-9_]+$/.test(reason) ||
    /^e(conn|ai_|pipe|host|net|proto)[a-z0-9_]*$/.test(reason)
  );
}
