// Checks that a value is a results file ({aggregate, intermediate}) and
// reads its fields defensively: numbers that are not finite and strings that
// are not strings become undefined, so a damaged file still gives a report.
import type { HmpSection, Period, Results, Stat } from './types.ts';

export class ReportInputError extends Error {}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** The results in `text` (a JSON document); throws ReportInputError with one sentence. */
export function parseResultsText(text: string, where = 'the input'): Results {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ReportInputError(`${where} is not JSON (${(err as Error).message}); give the results file written by "artillery run -o" or by the suite.`);
  }
  return asResults(value, where);
}

/** `value` as results; throws ReportInputError when it is not Artillery's `-o` format. */
export function asResults(value: unknown, where = 'the input'): Results {
  if (!isObject(value) || !isObject(value.aggregate) || !Array.isArray(value.intermediate)) {
    throw new ReportInputError(`${where} is not an Artillery results file (expected a JSON object with "aggregate" and "intermediate", as "artillery run -o" writes).`);
  }
  const agg = value.aggregate;
  if (agg.counters !== undefined && !isObject(agg.counters)) {
    throw new ReportInputError(`${where} is not an Artillery results file ("aggregate.counters" is not an object).`);
  }
  return { aggregate: agg as Results['aggregate'], intermediate: value.intermediate.filter(isObject) as Period[] };
}

/**
 * An empty record without a prototype: keys come from the results (metric
 * names), and "__proto__" or "constructor" must stay plain keys.
 */
export function dict<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** own[key], never an inherited property. */
export function own<T>(record: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

export function num(x: unknown): number | undefined {
  return typeof x === 'number' && Number.isFinite(x) ? x : undefined;
}

export function str(x: unknown): string | undefined {
  return typeof x === 'string' ? x : undefined;
}

export function counters(p: Period | undefined): Record<string, number> {
  return isObject(p?.counters) ? (p.counters as Record<string, number>) : dict<number>();
}

export function summaries(p: Period | undefined): Record<string, Stat> {
  return isObject(p?.summaries) ? (p.summaries as Record<string, Stat>) : dict<Stat>();
}

export function counter(p: Period | undefined, name: string): number {
  return num(own(counters(p), name)) ?? 0;
}

/** A field of a summary (p99, mean, ...), undefined when absent. */
export function stat(p: Period | undefined, name: string, field: keyof Stat): number | undefined {
  const s = own(summaries(p), name);
  return isObject(s) ? num(s[field]) : undefined;
}

export function hmpOf(results: Results): HmpSection {
  return isObject(results.aggregate.hmp) ? (results.aggregate.hmp as HmpSection) : {};
}

/** Period start, ms since the epoch (Artillery writes a number; older files a string). */
export function periodStart(p: Period): number | undefined {
  const n = typeof p.period === 'string' ? Number(p.period) : p.period;
  return num(n);
}

/** Intermediate periods with a start time, sorted by it. */
export function periodsOf(results: Results): Array<Period & { at: number }> {
  const out: Array<Period & { at: number }> = [];
  for (const p of results.intermediate) {
    const at = periodStart(p);
    if (at !== undefined) out.push(Object.assign({}, p, { at }));
  }
  return out.sort((a, b) => a.at - b.at);
}

/** The period length in seconds: the usual gap between periods (Artillery's 10 s by default). */
export function periodSeconds(periods: Array<{ at: number }>): number {
  const gaps: number[] = [];
  for (let i = 1; i < periods.length; i++) gaps.push(periods[i]!.at - periods[i - 1]!.at);
  if (gaps.length === 0) return 10;
  gaps.sort((a, b) => a - b);
  const median = gaps[Math.floor(gaps.length / 2)]! / 1000;
  return median > 0 ? median : 10;
}

export function stringList(x: unknown): string[] {
  return Array.isArray(x) ? x.filter((v): v is string => typeof v === 'string') : [];
}

export function numberRecord(x: unknown): Record<string, number> {
  const out = dict<number>();
  if (!isObject(x)) return out;
  for (const [k, v] of Object.entries(x)) {
    const n = num(v);
    if (n !== undefined) out[k] = n;
  }
  return out;
}

export function listRecord(x: unknown): Record<string, string[]> {
  const out = dict<string[]>();
  if (!isObject(x)) return out;
  for (const [k, v] of Object.entries(x)) out[k] = stringList(v);
  return out;
}

export { isObject };
