// Time series over the run, one point per period (pure): target vs active
// users, req/s, error rate, p50/p95/p99 per endpoint group (the group's
// worst endpoint, as the SLO gates count it). x is in seconds from the start
// of the first period, at the middle of each period.
import { counter, stat, summaries } from '../plugins/artillery-plugin-hmp/core/results.ts';
import { ARTILLERY, dict, LATENCY_PREFIX, metric, summariesUnder, type EndpointCounters } from '../plugins/artillery-plugin-hmp/core/metric-names.ts';
import { round } from '../plugins/artillery-plugin-hmp/core/stats.ts';
import { totalErrors, totalTimeouts, worstOf } from './metrics.ts';
import type { Period } from './types.ts';

export type Values = Array<number | null>;

export interface Series {
  x: number[];
  target: Values;
  active: Values;
  /** What target and active hold per period: their mean (when absent), or their peak. */
  users?: 'mean' | 'max';
  reqPerS: Values;
  respPerS: Values;
  errorPct: Values;
  timeoutPct: Values;
  /** group -> percentile -> values */
  groups: Record<string, { p50: Values; p95: Values; p99: Values }>;
}

const opt = (x: number | undefined, digits = 1) => (x === undefined ? null : round(x, digits));

/**
 * Target and active users per period: their means (a run's own report), or
 * their peaks (the suite's timeline, where a short spike's or step's hold is
 * a part of a period and its mean would hide the level reached).
 */
export function usersSeries(periods: Period[], field: 'mean' | 'max'): Pick<Series, 'target' | 'active' | 'users'> {
  return {
    users: field,
    target: periods.map((p) => opt(stat(p, metric.usersTarget, field), 2)),
    active: periods.map((p) => opt(stat(p, metric.usersActive, field), 2)),
  };
}

export function seriesOf(
  periods: Array<Period & { at: number }>,
  perPeriod: EndpointCounters[],
  groups: Record<string, string[]>,
  t0: number,
  periodS: number,
): Series {
  const s: Series = { x: [], ...usersSeries(periods, 'mean'), reqPerS: [], respPerS: [], errorPct: [], timeoutPct: [], groups: dict() };
  for (const g of Object.keys(groups)) s.groups[g] = { p50: [], p95: [], p99: [] };
  periods.forEach((p, i) => {
    const c = perPeriod[i]!;
    s.x.push(round((p.at - t0) / 1000 + periodS / 2));
    const requests = counter(p, ARTILLERY.requests);
    s.reqPerS.push(round(requests / periodS, 2));
    s.respPerS.push(round(counter(p, ARTILLERY.responses) / periodS, 2));
    s.errorPct.push(requests > 0 ? round((100 * totalErrors(c)) / requests, 2) : null);
    s.timeoutPct.push(requests > 0 ? round((100 * totalTimeouts(c)) / requests, 2) : null);
    const latency = summariesUnder(summaries(p), LATENCY_PREFIX);
    for (const [g, names] of Object.entries(groups)) {
      for (const q of ['p50', 'p95', 'p99'] as const) s.groups[g]![q].push(opt(worstOf(latency, names, q)?.value));
    }
  });
  return s;
}
