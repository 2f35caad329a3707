// One 10 s period of Artillery's stats, reduced to what the verdicts need (pure).
import { errorsByEndpoint, LATENCY_PREFIX } from './gates.ts';
import type { PeriodStats } from './main.ts';

export const PERIOD_S = 10;

export interface PeriodView {
  /** Period start, ms since the epoch. */
  at: number;
  /** Seconds into the shape at the END of the period. */
  t: number;
  target: number;
  active: number;
  requests: number;
  responses: number;
  /** User-visible errors (validation failures and request errors). */
  errors: number;
  /** Timeouts and connection errors (Artillery's errors.* counters). */
  netErrors: number;
  /** endpoint -> reason -> count */
  errorsBy: Record<string, Record<string, number>>;
  /** endpoint -> status -> count */
  codesBy: Record<string, Record<string, number>>;
  p99: Record<string, number>;
  /** Median time of 5xx answers, ms. */
  median5xxMs: number | undefined;
}

export function viewOf(stats: PeriodStats, t0: number): PeriodView {
  const c = stats.counters ?? {};
  const s = stats.summaries ?? {};
  const at = Number(stats.period);
  const errorsBy: PeriodView['errorsBy'] = {};
  for (const [k, v] of Object.entries(c)) {
    const m = /^hmp\.errors\.([^.]+)\.(.+)$/.exec(k);
    if (m) (errorsBy[m[1]!] ??= {})[m[2]!] = v;
  }
  const codesBy: PeriodView['codesBy'] = {};
  for (const [k, v] of Object.entries(c)) {
    const m = /^plugins\.metrics-by-endpoint\.(.+)\.codes\.(\d+)$/.exec(k);
    if (m) (codesBy[m[1]!] ??= {})[m[2]!] = v;
  }
  const p99: Record<string, number> = {};
  for (const [k, v] of Object.entries(s)) if (k.startsWith(LATENCY_PREFIX)) p99[k.slice(LATENCY_PREFIX.length)] = v.p99;
  let netErrors = 0;
  for (const [k, v] of Object.entries(c)) if (k.startsWith('errors.')) netErrors += v;
  return {
    at,
    t: (at - t0) / 1000 + PERIOD_S,
    target: s['hmp.users.target']?.max ?? 0,
    active: s['hmp.users.active']?.mean ?? 0,
    requests: c['http.requests'] ?? 0,
    responses: c['http.responses'] ?? 0,
    errors: Object.values(errorsByEndpoint(c)).reduce((a, b) => a + b, 0),
    netErrors,
    errorsBy,
    codesBy,
    p99,
    median5xxMs: s['http.response_time.5xx']?.p50,
  };
}
