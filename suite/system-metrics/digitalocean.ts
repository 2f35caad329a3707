// The `digitalocean` source: CPU and memory percentage and restarts of an
// App Platform component from DigitalOcean's monitoring API, fetched for the
// test's time window when sampling stops:
//   GET /v2/monitoring/metrics/apps/cpu_percentage?app_id=&app_component=&start=&end=
//   GET /v2/monitoring/metrics/apps/memory_percentage?...   (start/end: UNIX seconds)
//   GET /v2/monitoring/metrics/apps/restart_count?...
// Answer (Prometheus style): {"status":"success","data":{"resultType":"matrix",
//   "result":[{"metric":{...labels},"values":[[ts,"12.3"],...]}]}}
// One series per component instance; the samples are their mean per timestamp
// (restarts: their sum, a count is not a share). Restarts are extra: without
// them CPU and memory still count, and `note` says why they are missing.
// The token (DIGITALOCEAN_TOKEN) goes only into the Authorization header: it
// is never logged and never part of an error message.
import { SystemMetricsError, type Sample, type SystemSampler } from './types.ts';

export const DO_API = 'https://api.digitalocean.com';
export const DO_METRICS = { cpu: 'cpu_percentage', memory: 'memory_percentage', restarts: 'restart_count' } as const;

/** What this source cannot measure, recorded with the results so that nobody looks for it there (DigitalOcean's monitoring API reference). */
export const DO_NOT_OFFERED =
  "DigitalOcean's monitoring API gives App Platform components CPU, memory and restarts only: no disk or network I/O, and no per-process figures; its database metrics are published for MySQL clusters, not for PostgreSQL.";

export interface DigitalOceanOptions {
  /** The app's UUID. */
  appId: string;
  /** The component (service) name; all components when omitted. */
  component?: string;
  /** API base URL (default https://api.digitalocean.com; tests point it at a local fake). */
  baseUrl?: string;
  /** Environment to read DIGITALOCEAN_TOKEN from (default process.env). */
  env?: Record<string, string | undefined>;
  /** Per-request timeout (default 30 s). */
  timeoutMs?: number;
  /** Wait this long after stop() before fetching, for the last points to arrive (default 0). */
  settleMs?: number;
  /** Clock (tests). */
  now?: () => number;
}

/** Timestamp (ms) -> mean (or sum) of the series that have a point there. */
export function parseMatrix(body: unknown, metric: string, combine: 'mean' | 'sum' = 'mean'): Map<number, number> {
  const b = body as { status?: unknown; data?: { result?: unknown } } | null;
  if (!b || typeof b !== 'object' || b.status !== 'success' || !Array.isArray(b.data?.result)) {
    throw new SystemMetricsError(`DigitalOcean's ${metric} answer is not {"status":"success","data":{"result":[...]}}; check the base URL.`);
  }
  const sums = new Map<number, { sum: number; n: number }>();
  for (const series of b.data.result as Array<{ values?: unknown }>) {
    if (!Array.isArray(series?.values)) continue;
    for (const point of series.values) {
      if (!Array.isArray(point)) continue;
      const ts = Number(point[0]);
      const v = Number(point[1]);
      if (!Number.isFinite(ts) || !Number.isFinite(v)) continue;
      const t = Math.round(ts * 1000);
      const acc = sums.get(t) ?? { sum: 0, n: 0 };
      acc.sum += v;
      acc.n += 1;
      sums.set(t, acc);
    }
  }
  return new Map([...sums].map(([t, { sum, n }]) => [t, combine === 'sum' ? sum : sum / n]));
}

/** CPU, memory and restart series joined on their timestamps (points without CPU are left out). */
/**
 * Restarts during the samples' window: the rises of restart_count from one
 * sample to the next (a cumulative count; a fall is an instance replaced,
 * not a restart). Undefined when no sample has a count.
 */
export function restartsDuring(samples: Sample[]): number | undefined {
  const counts = samples.filter((s) => s.restarts !== undefined).sort((a, b) => a.t - b.t).map((s) => s.restarts!);
  if (counts.length === 0) return undefined;
  let rises = 0;
  for (let i = 1; i < counts.length; i++) rises += Math.max(0, counts[i]! - counts[i - 1]!);
  return rises;
}

export function joinSeries(cpu: Map<number, number>, memory: Map<number, number>, restarts?: Map<number, number>): Sample[] {
  return [...cpu.keys()]
    .sort((a, b) => a - b)
    .map((t) => {
      const s: Sample = { t, cpuPct: Math.round(cpu.get(t)! * 1000) / 1000 };
      const m = memory.get(t);
      if (m !== undefined) s.memPct = Math.round(m * 1000) / 1000;
      const r = restarts?.get(t);
      if (r !== undefined) s.restarts = r;
      return s;
    });
}

/** The metric's URL for a window in ms since the epoch (start/end sent as UNIX seconds). */
export function metricUrl(baseUrl: string, metric: string, appId: string, component: string | undefined, startMs: number, endMs: number): string {
  const url = new URL(`${baseUrl.replace(/\/+$/, '')}/v2/monitoring/metrics/apps/${metric}`);
  url.searchParams.set('app_id', appId);
  if (component) url.searchParams.set('app_component', component);
  url.searchParams.set('start', String(Math.floor(startMs / 1000)));
  url.searchParams.set('end', String(Math.ceil(endMs / 1000)));
  return url.toString();
}

/** A refused request in one sentence; `access` is the token's scope it needs. Shared with the run logs (server-log/digitalocean-logs.ts). */
export function refusal(status: number, what: string, detail: string, access = 'monitoring'): string {
  if (status === 401 || status === 403) return `DigitalOcean refused the token (${status}) for ${what}; set DIGITALOCEAN_TOKEN to a token with read access to ${access}.`;
  if (status === 404) return `DigitalOcean knows no such app or component (404 for ${what}); check the app id and component name.`;
  if (status === 429) return `DigitalOcean rate-limited the request (429 for ${what}); fetch it again later.`;
  return `DigitalOcean answered ${status} for ${what}${detail ? `: ${detail}` : ''}.`;
}

/** Why a request got no answer: a timeout or the network's code (ECONNREFUSED, ENOTFOUND). */
export function whyNoAnswer(err: unknown, timeoutMs: number): string {
  const e = err as Error & { cause?: { code?: string } };
  return e.name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : (e.cause?.code ?? e.message);
}

/** DigitalOcean's own `message` of an error answer, short. */
function messageOf(body: unknown): string {
  const message = (body as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message.slice(0, 200) : '';
}

export class DigitalOceanSampler implements SystemSampler {
  readonly source = 'digitalocean' as const;
  readonly appId: string;
  readonly component: string | undefined;
  readonly baseUrl: string;
  #token: string;
  #timeoutMs: number;
  #settleMs: number;
  #now: () => number;
  #startedAt: number | undefined;
  /** Why restarts are missing from the last stop()'s samples (one sentence), if they are. */
  note: string | undefined;

  constructor(options: DigitalOceanOptions) {
    const env = options.env ?? process.env;
    const token = env.DIGITALOCEAN_TOKEN?.trim();
    if (!token) throw new SystemMetricsError('the digitalocean source needs a token: set DIGITALOCEAN_TOKEN (read access to monitoring).');
    if (!options.appId?.trim()) throw new SystemMetricsError('the digitalocean source needs the App Platform app id (its UUID).');
    this.#token = token;
    this.appId = options.appId.trim();
    this.component = options.component?.trim() || undefined;
    this.baseUrl = (options.baseUrl ?? DO_API).replace(/\/+$/, '');
    if (!/^https?:\/\/[^/]/.test(this.baseUrl)) throw new SystemMetricsError(`the DigitalOcean API base URL must start with http:// or https://, got "${this.baseUrl}".`);
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#settleMs = options.settleMs ?? 0;
    this.#now = options.now ?? Date.now;
  }

  start(): void {
    this.#startedAt ??= this.#now();
  }

  /** Fetches the metrics for the window since start(). Throws SystemMetricsError when CPU or memory is refused or has no answer; restarts never throw. */
  async stop(): Promise<Sample[]> {
    const start = this.#startedAt;
    this.#startedAt = undefined;
    if (start === undefined) return [];
    if (this.#settleMs > 0) await new Promise((r) => setTimeout(r, this.#settleMs));
    const end = this.#now();
    const [cpu, memory, restarts] = await Promise.all([this.fetchMetric(DO_METRICS.cpu, start, end), this.fetchMetric(DO_METRICS.memory, start, end), this.#restarts(start, end)]);
    return joinSeries(cpu, memory, restarts).filter((s) => s.t >= start - 60_000 && s.t <= end + 60_000);
  }

  async fetchMetric(metric: string, startMs: number, endMs: number, combine: 'mean' | 'sum' = 'mean'): Promise<Map<number, number>> {
    const a = await this.#get(metric, startMs, endMs);
    if ('why' in a) throw new SystemMetricsError(`could not fetch ${metric} from ${this.baseUrl} (${a.why}).`);
    if (a.status >= 400) throw new SystemMetricsError(refusal(a.status, metric, messageOf(a.body)));
    return parseMatrix(a.body, metric, combine);
  }

  /** Restarts per timestamp, or undefined with `note` saying why there are none. */
  async #restarts(startMs: number, endMs: number): Promise<Map<number, number> | undefined> {
    this.note = undefined;
    const metric = DO_METRICS.restarts;
    const a = await this.#get(metric, startMs, endMs);
    let why: string;
    if ('why' in a) why = a.why;
    else if (a.status >= 400) why = `answered ${a.status}`;
    else {
      try {
        const m = parseMatrix(a.body, metric, 'sum');
        if (m.size > 0) return m;
        why = 'an empty answer';
      } catch {
        why = 'not a metrics answer';
      }
    }
    this.note = `DigitalOcean gave no ${metric} for this test (${why}): CPU and memory are recorded, restarts are not.`;
    return undefined;
  }

  /** The metric's status and JSON body (undefined when not JSON), or why there was no answer. */
  async #get(metric: string, startMs: number, endMs: number): Promise<{ status: number; body: unknown } | { why: string }> {
    const url = metricUrl(this.baseUrl, metric, this.appId, this.component, startMs, endMs);
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, { headers: { authorization: `Bearer ${this.#token}`, accept: 'application/json' }, signal: AbortSignal.timeout(this.#timeoutMs) });
      text = await res.text();
    } catch (err) {
      return { why: whyNoAnswer(err, this.#timeoutMs) };
    }
    try {
      return { status: res.status, body: JSON.parse(text) };
    } catch {
      return { status: res.status, body: undefined };
    }
  }
}
