// Reading Artillery's `-o` results ({aggregate, intermediate}) defensively
// (pure): the few fields the suite's analyses need, with no trust in the file.

/** One summary as Artillery writes it (min, max, mean, count, p50 ... p999). */
export interface Summary {
  min: number;
  max: number;
  mean: number;
  count: number;
  p50: number;
  p95: number;
  p99: number;
  [k: string]: number;
}

/** A 10 s period (intermediate[i]) or the aggregate. */
export interface Period {
  /** Period start, ms since the epoch; Artillery writes it as a string. */
  period?: number | string;
  counters?: Record<string, number>;
  rates?: Record<string, number>;
  summaries?: Record<string, Summary>;
  histograms?: Record<string, Summary>;
  [k: string]: unknown;
}

export interface Results {
  aggregate: Period;
  intermediate: Period[];
}

/** Artillery's stats period (fixed 10 s windows). */
export const PERIOD_MS = 10_000;
export const LATENCY_PREFIX = 'plugins.metrics-by-endpoint.response_time.';
export const ALL_LATENCY = 'http.response_time';

export class ResultsError extends Error {}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

export function num(x: unknown): number | undefined {
  return typeof x === 'number' && Number.isFinite(x) ? x : undefined;
}

/** `value` as results; throws ResultsError (one sentence) when it is not Artillery's `-o` format. */
export function asResults(value: unknown, where = 'the input'): Results {
  if (!isObject(value) || !isObject(value.aggregate) || !Array.isArray(value.intermediate)) {
    throw new ResultsError(`${where} is not an Artillery results file (expected a JSON object with "aggregate" and "intermediate", as "artillery run -o" writes).`);
  }
  return { aggregate: value.aggregate as Period, intermediate: value.intermediate.filter(isObject) as Period[] };
}

/** Period start in ms since the epoch, or undefined. */
export function periodStart(p: Period): number | undefined {
  return num(typeof p.period === 'string' ? Number(p.period) : p.period);
}

/** Intermediate periods that have a start, sorted by it. */
export function periodsOf(results: Results): Array<Period & { at: number }> {
  const out: Array<Period & { at: number }> = [];
  for (const p of results.intermediate) {
    const at = periodStart(p);
    if (at !== undefined) out.push({ ...p, at });
  }
  return out.sort((a, b) => a.at - b.at);
}

export function counter(p: Period | undefined, name: string): number {
  const c = p?.counters;
  return isObject(c) && Object.hasOwn(c, name) ? (num(c[name]) ?? 0) : 0;
}

export function summaryOf(p: Period | undefined, name: string): Summary | undefined {
  const s = p?.summaries;
  if (!isObject(s) || !Object.hasOwn(s, name)) return undefined;
  const v = s[name];
  return isObject(v) ? (v as Summary) : undefined;
}

/** A field of a summary (p95, mean, ...), undefined when absent or not a number. */
export function stat(p: Period | undefined, name: string, field: string): number | undefined {
  return num(summaryOf(p, name)?.[field]);
}

/** Whether the file carries the suite's per-endpoint error counters (the hmp plugin and processors ran). */
export function hasHmpErrors(counters: Record<string, number> | undefined): boolean {
  return Object.keys(counters ?? {}).some((k) => k === 'hmp.errors' || /^hmp\.(errors|ok)\.[^.]+$/.test(k));
}

/**
 * User-visible errors of a period, counted as the plugin's gates do: the sum of
 * hmp.errors.<name>. Without the suite's counters (plain Artillery): 5xx
 * answers plus Artillery's errors.<CODE> (timeouts, refused connections).
 */
export function errorsOf(p: Period | undefined): number {
  const c = isObject(p?.counters) ? (p!.counters as Record<string, number>) : {};
  let n = 0;
  if (hasHmpErrors(c)) {
    for (const [k, v] of Object.entries(c)) if (/^hmp\.errors\.[^.]+$/.test(k)) n += num(v) ?? 0;
    return n;
  }
  for (const [k, v] of Object.entries(c)) if (/^http\.codes\.5\d\d$/.test(k) || k.startsWith('errors.')) n += num(v) ?? 0;
  return n;
}

/** Error rate in % of http.requests (null without requests). */
export function errorRateOf(p: Period | undefined): number | null {
  const requests = counter(p, 'http.requests');
  if (requests <= 0) return null;
  return (100 * errorsOf(p)) / requests;
}

/** The suite's section of the aggregate (settings and shape), or {}. */
export function hmpSection(results: Results): Record<string, unknown> {
  const h = results.aggregate.hmp;
  return isObject(h) ? h : {};
}

/** Time scale the run used (1 when not recorded). */
export function timeScaleOf(results: Results): number {
  const t = num(hmpSection(results).timeScale);
  return t !== undefined && t > 0 ? t : 1;
}

export interface HoldWindow {
  /** ms since the epoch. */
  start: number;
  end: number;
  users: number;
}

/**
 * The main hold of the run's shape (aggregate.hmp.shape: seconds from
 * aggregate.hmp.startedAt): the segment at the highest level that keeps its
 * level (from == users), the longest of them on a tie. undefined without a shape.
 */
export function holdOf(results: Results): HoldWindow | undefined {
  const h = hmpSection(results);
  const t0 = num(h.startedAt);
  const shape = Array.isArray(h.shape) ? h.shape.filter(isObject) : [];
  if (t0 === undefined || shape.length === 0) return undefined;
  let best: HoldWindow | undefined;
  for (const seg of shape) {
    const users = num(seg.users);
    const from = num(seg.from);
    const start = num(seg.start);
    const end = num(seg.end);
    if (users === undefined || from === undefined || start === undefined || end === undefined || users <= 0 || from !== users) continue;
    const w = { start: t0 + start * 1000, end: t0 + end * 1000, users };
    if (!best || users > best.users || (users === best.users && w.end - w.start > best.end - best.start)) best = w;
  }
  return best;
}

/** Run length in seconds: first to last metric, else the span of the periods. */
export function durationOf(results: Results): number {
  const a = results.aggregate;
  const first = num(a.firstMetricAt);
  const last = num(a.lastMetricAt);
  if (first !== undefined && last !== undefined && last > first) return (last - first) / 1000;
  const periods = periodsOf(results);
  if (periods.length > 0) return (periods[periods.length - 1]!.at + PERIOD_MS - periods[0]!.at) / 1000;
  const h = hmpSection(results);
  const s = num(h.startedAt);
  const e = num(h.endedAt);
  return s !== undefined && e !== undefined && e > s ? (e - s) / 1000 : 0;
}
