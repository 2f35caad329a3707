// Time series over the run, one point per period (pure): target vs active
// users, req/s, error rate, p50/p95/p99 per endpoint group (the group's
// worst endpoint, as the SLO gates count it). x is in seconds from the start
// of the first period, at the middle of each period.
import { counter, stat, summaries } from '../plugins/artillery-plugin-hmp/core/results.ts';
import { ARTILLERY, dict, LATENCY_PREFIX, metric, summariesUnder, type EndpointCounters } from '../plugins/artillery-plugin-hmp/core/metric-names.ts';
import { totalErrors, totalTimeouts, worstOf } from './metrics.ts';
import type { Period } from './types.ts';

export type Values = Array<number | null>;

export interface Series {
  x: number[];
  target: Values;
  active: Values;
  reqPerS: Values;
  respPerS: Values;
  errorPct: Values;
  timeoutPct: Values;
  /** group -> percentile -> values */
  groups: Record<string, { p50: Values; p95: Values; p99: Values }>;
}

const r1 = (x: number) => Math.round(x * 10) / 10;
const r2 = (x: number) => Math.round(x * 100) / 100;
const opt = (x: number | undefined, f: (x: number) => number = r1) => (x === undefined ? null : f(x));

export function seriesOf(
  periods: Array<Period & { at: number }>,
  perPeriod: EndpointCounters[],
  groups: Record<string, string[]>,
  t0: number,
  periodS: number,
): Series {
  const s: Series = { x: [], target: [], active: [], reqPerS: [], respPerS: [], errorPct: [], timeoutPct: [], groups: dict() };
  for (const g of Object.keys(groups)) s.groups[g] = { p50: [], p95: [], p99: [] };
  periods.forEach((p, i) => {
    const c = perPeriod[i]!;
    s.x.push(r1((p.at - t0) / 1000 + periodS / 2));
    s.target.push(opt(stat(p, metric.usersTarget, 'mean'), r2));
    s.active.push(opt(stat(p, metric.usersActive, 'mean'), r2));
    const requests = counter(p, ARTILLERY.requests);
    s.reqPerS.push(r2(requests / periodS));
    s.respPerS.push(r2(counter(p, ARTILLERY.responses) / periodS));
    s.errorPct.push(requests > 0 ? r2((100 * totalErrors(c)) / requests) : null);
    s.timeoutPct.push(requests > 0 ? r2((100 * totalTimeouts(c)) / requests) : null);
    const latency = summariesUnder(summaries(p), LATENCY_PREFIX);
    for (const [g, names] of Object.entries(groups)) {
      for (const q of ['p50', 'p95', 'p99'] as const) s.groups[g]![q].push(opt(worstOf(latency, names, q)?.value));
    }
  });
  return s;
}
