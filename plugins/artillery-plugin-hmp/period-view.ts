// One 10 s period of Artillery's stats, reduced to what the verdicts need (pure).
import { endpointCounters, LATENCY_PREFIX, metric, noAnswerErrors, ARTILLERY } from './core/metric-names.ts';
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
  const byEndpoint = endpointCounters(c);
  const p99: Record<string, number> = {};
  for (const [k, v] of Object.entries(s)) if (k.startsWith(LATENCY_PREFIX)) p99[k.slice(LATENCY_PREFIX.length)] = v.p99;
  return {
    at,
    t: (at - t0) / 1000 + PERIOD_S,
    target: s[metric.usersTarget]?.max ?? 0,
    active: s[metric.usersActive]?.mean ?? 0,
    requests: c[ARTILLERY.requests] ?? 0,
    responses: c[ARTILLERY.responses] ?? 0,
    errors: Object.values(byEndpoint.errors).reduce((a, b) => a + b, 0),
    netErrors: noAnswerErrors(c),
    errorsBy: byEndpoint.reasons,
    codesBy: byEndpoint.codes,
    p99,
    median5xxMs: s[ARTILLERY.responseTime5xx]?.p50,
  };
}
