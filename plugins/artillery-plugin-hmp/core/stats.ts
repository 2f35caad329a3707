// Small statistics shared by the analyses of the plugin, the report and the suite (pure).

export interface ValueSummary {
  min: number;
  max: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  count: number;
}

/** Nearest-rank percentile of sorted values (q in 0..1). */
export function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** Summary of a list of values in Artillery's field names, rounded to 0.1; undefined when empty. */
export function summarize(values: number[]): ValueSummary | undefined {
  const xs = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (xs.length === 0) return undefined;
  const sum = xs.reduce((a, b) => a + b, 0);
  return {
    min: round(xs[0]!),
    max: round(xs[xs.length - 1]!),
    mean: round(sum / xs.length),
    p50: round(percentile(xs, 0.5)),
    p95: round(percentile(xs, 0.95)),
    p99: round(percentile(xs, 0.99)),
    count: xs.length,
  };
}

export function mean(xs: Array<number | null | undefined>): number | null {
  const v = xs.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
}

export function median(xs: Array<number | null | undefined>): number | null {
  const v = xs.filter((x): x is number => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m]! : (v[m - 1]! + v[m]!) / 2;
}

/** Change from a to b in % of a, one decimal; null when a is not above 0 or either is missing. */
export function pctChange(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a === null || a === undefined || b === null || b === undefined || !(a > 0)) return null;
  return Math.round((1000 * (b - a)) / a) / 10;
}

export function round(x: number, digits = 1): number {
  const m = 10 ** digits;
  return Math.round(x * m) / m;
}

/** "912 ms" or "1.9 s". */
export function fmtMs(ms: number): string {
  return ms >= 1000 ? `${round(ms / 1000, 1)} s` : `${Math.round(ms)} ms`;
}

/** "45 s" or "4.5 min". */
export function fmtS(s: number): string {
  return s >= 120 ? `${round(s / 60, 1)} min` : `${Math.round(s)} s`;
}
