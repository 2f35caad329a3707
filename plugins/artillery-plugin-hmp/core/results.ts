// Artillery's results ({aggregate, intermediate}, as "artillery run -o"
// writes them), typed once and read defensively (pure), for the plugin, the
// report, the suite and the bench. A file is untrusted: it may come from an
// older run, an early stop or another tool, so numbers that are not finite
// and strings that are not strings read as undefined, and keys are read only
// when own ("__proto__" is a metric name like any other). Files written
// before the suite's metrics moved under `plugins.hmp.` read with the
// current names.
import { ARTILLERY, dict, metric, userVisibleErrors } from './metric-names.ts';
import type { HmpSection } from './hmp-section.ts';
import { renamed } from './legacy-names.ts';

export type { BreakpointIn, ErrorSampleIn, HmpSection, LevelRowIn, ShapeSegment } from './hmp-section.ts';

/** One metric's summary as Artillery computes it (a "summaries" / "histograms" entry). */
export interface Summary {
  min: number;
  max: number;
  count: number;
  mean: number;
  p50: number;
  median: number;
  p75: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
}

/** A summary read from a file: any field may be missing. */
export type Stat = Partial<Summary>;

/** A histogram as Artillery holds it in memory (a DDSketch), before it is summarized. */
export interface Sketch {
  toProto(): Uint8Array;
}

/**
 * One period (10 s by default) or the aggregate. S: its summaries; H: its
 * histograms, summaries in a file and sketches in memory (read summaries).
 */
export interface Period<S = Stat, H = unknown> {
  /** Period start, ms since the epoch (Artillery writes a number; older files a string). */
  period?: number | string;
  counters?: Record<string, number>;
  rates?: Record<string, number>;
  summaries?: Record<string, S>;
  histograms?: Record<string, H>;
  firstMetricAt?: number;
  lastMetricAt?: number;
  [k: string]: unknown;
}

/** A period as Artillery hands it to a plugin ('stats', 'done'): its own summaries, histograms as sketches. */
export type RawPeriod = Period<Summary, Sketch> & { period: number | string };

export interface Results<P = Period> {
  aggregate: P & { hmp?: HmpSection };
  intermediate: P[];
}

/** Artillery's stats period (fixed 10 s windows unless configured). */
export const PERIOD_MS = 10_000;

/** The input is not Artillery's results; the message is one sentence that says what to give instead. */
export class ResultsError extends Error {}

export const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

export function num(x: unknown): number | undefined {
  return typeof x === 'number' && Number.isFinite(x) ? x : undefined;
}

export function str(x: unknown): string | undefined {
  return typeof x === 'string' ? x : undefined;
}

/** record[key], never an inherited property. */
export function own<T>(record: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

// ---------------------------------------------------------------- the file

/** The results in `text` (a JSON document); throws ResultsError with one sentence. */
export function parseResultsText(text: string, where = 'the input'): Results {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ResultsError(`${where} is not JSON (${(err as Error).message}); give the results file written by "artillery run -o" or by the suite.`);
  }
  return asResults(value, where);
}

/** `value` as results, metrics under their current names; throws ResultsError when it is not Artillery's `-o` format. */
export function asResults(value: unknown, where = 'the input'): Results {
  if (!isObject(value) || !isObject(value.aggregate) || !Array.isArray(value.intermediate)) {
    throw new ResultsError(`${where} is not an Artillery results file (expected a JSON object with "aggregate" and "intermediate", as "artillery run -o" writes).`);
  }
  const agg = value.aggregate;
  if (agg.counters !== undefined && !isObject(agg.counters)) {
    throw new ResultsError(`${where} is not an Artillery results file ("aggregate.counters" is not an object).`);
  }
  return { aggregate: withCurrentNames(agg), intermediate: value.intermediate.filter(isObject).map(withCurrentNames) };
}

/** A period with its counters, summaries and histograms under current names (the same object when they are). */
export function withCurrentNames(p: Record<string, unknown>): Period {
  let out: Record<string, unknown> | undefined;
  for (const key of ['counters', 'summaries', 'histograms']) {
    const r = own(p, key);
    if (!isObject(r)) continue;
    const now = renamed(r);
    if (now !== r) (out ??= { ...p })[key] = now;
  }
  return (out ?? p) as Period;
}

// ---------------------------------------------------------------- a period

export function counters(p: Period | undefined): Record<string, number> {
  return isObject(p?.counters) ? (p.counters as Record<string, number>) : dict<number>();
}

export function summaries(p: Period | undefined): Record<string, Stat> {
  return isObject(p?.summaries) ? (p.summaries as Record<string, Stat>) : dict<Stat>();
}

/** A counter, 0 when absent or not a number. */
export function counter(p: Period | undefined, name: string): number {
  return num(own(counters(p), name)) ?? 0;
}

/** A summary, undefined when absent or not an object. */
export function summaryOf(p: Period | undefined, name: string): Stat | undefined {
  const s = own(summaries(p), name);
  return isObject(s) ? s : undefined;
}

/** A field of a summary (p99, mean, ...), undefined when absent or not a number. */
export function stat(p: Period | undefined, name: string, field: keyof Stat): number | undefined {
  return num(summaryOf(p, name)?.[field]);
}

/** User-visible errors of a period, counted as the plugin's gates do (userVisibleErrors). */
/**
 * The most concurrent users the shape asked for and the most the run had
 * (core/criteria.ts judges them): the sampled target, else the shape's
 * planned peak (a run too short to sample anything had none). Undefined
 * without either: a run without the closed model.
 */
export function loadOf(p: Period | undefined, plannedPeak: number | undefined): { targetPeak: number; activePeak: number } | undefined {
  const targetPeak = stat(p, metric.usersTarget, 'max') ?? plannedPeak;
  if (targetPeak === undefined) return undefined;
  return { targetPeak, activePeak: stat(p, metric.usersActive, 'max') ?? 0 };
}

export function errorsOf(p: Period | undefined): number {
  return userVisibleErrors(counters(p));
}

/** Error rate in % of http.requests (null without requests). */
export function errorRateOf(p: Period | undefined): number | null {
  const requests = counter(p, ARTILLERY.requests);
  return requests > 0 ? (100 * errorsOf(p)) / requests : null;
}

// ---------------------------------------------------------------- the run

/** Period start, ms since the epoch, or undefined. */
export function periodStart(p: Pick<Period, 'period'>): number | undefined {
  return num(typeof p.period === 'string' ? Number(p.period) : p.period);
}

/** Intermediate periods that have a start, sorted by it. */
export function periodsOf(results: Results): Array<Period & { at: number }> {
  const out: Array<Period & { at: number }> = [];
  for (const p of results.intermediate) {
    const at = periodStart(p);
    // A spread, not Object.assign: an own "__proto__" key stays a key.
    if (at !== undefined) out.push({ ...p, at });
  }
  return out.sort((a, b) => a.at - b.at);
}

/** The period length in seconds: the usual gap between periods (Artillery's 10 s by default). */
export function periodSeconds(periods: Array<{ at: number }>): number {
  const gaps: number[] = [];
  for (let i = 1; i < periods.length; i++) gaps.push(periods[i]!.at - periods[i - 1]!.at);
  if (gaps.length === 0) return PERIOD_MS / 1000;
  gaps.sort((a, b) => a - b);
  const median = gaps[Math.floor(gaps.length / 2)]! / 1000;
  return median > 0 ? median : PERIOD_MS / 1000;
}

/** The plugin's section of the aggregate (settings, shape, verdicts), or {}. */
export function hmpSection(results: Results): HmpSection {
  const h = results.aggregate.hmp;
  return isObject(h) ? h : {};
}

/** Time scale the run used (1 when not recorded). */
export function timeScaleOf(results: Results): number {
  const t = num(hmpSection(results).timeScale);
  return t !== undefined && t > 0 ? t : 1;
}

// ---------------------------------------------------------------- untrusted values

export function numberRecord(x: unknown): Record<string, number> {
  const out = dict<number>();
  if (!isObject(x)) return out;
  for (const [k, v] of Object.entries(x)) {
    const n = num(v);
    if (n !== undefined) out[k] = n;
  }
  return out;
}
