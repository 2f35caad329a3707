// One 10 s period of Artillery's stats, reduced to what the verdicts need (pure).
import { endpointCounters, LATENCY_PREFIX, metric, noAnswerErrors, ARTILLERY } from './core/metric-names.ts';
import type { RawPeriod } from './core/results.ts';

// One definition of the period: core/run-length.ts.
export { PERIOD_S } from './core/run-length.ts';
import { PERIOD_S } from './core/run-length.ts';

export type PeriodView = ReturnType<typeof viewOf>;

export function viewOf(stats: RawPeriod, t0: number) {
  const c = stats.counters ?? {};
  const s = stats.summaries ?? {};
  const at = Number(stats.period);
  const byEndpoint = endpointCounters(c);
  const p99: Record<string, number> = {};
  for (const [k, v] of Object.entries(s)) if (k.startsWith(LATENCY_PREFIX)) p99[k.slice(LATENCY_PREFIX.length)] = v.p99;
  return {
    /** Period start, ms since the epoch. */
    at,
    /** Seconds into the shape at the END of the period. */
    t: (at - t0) / 1000 + PERIOD_S,
    target: s[metric.usersTarget]?.max ?? 0,
    active: s[metric.usersActive]?.mean ?? 0,
    requests: c[ARTILLERY.requests] ?? 0,
    responses: c[ARTILLERY.responses] ?? 0,
    /** User-visible errors (validation failures and request errors). */
    errors: Object.values(byEndpoint.errors).reduce((a, b) => a + b, 0),
    /** Timeouts and connection errors (Artillery's errors.* counters). */
    netErrors: noAnswerErrors(c),
    /** endpoint -> reason -> count */
    errorsBy: byEndpoint.reasons,
    /** endpoint -> status -> count */
    codesBy: byEndpoint.codes,
    p99,
    /** Median time of 5xx answers, ms. */
    median5xxMs: s[ARTILLERY.responseTime5xx]?.p50 as number | undefined,
  };
}
