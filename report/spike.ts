// The spike in the report (pure): how the run did during the hold at the
// peak, and how long after the hold every period was back WITHIN THE SLOs
// (error rate below the test's limit, every group's p99 within its SLO).
// This is "back within SLO"; the criterion `recovery` (core/criteria.ts) is
// the suite's "back to the baseline" (suite/recovery.ts, light probes after
// the hold). Both are shown; the plan's limit (criteria.recovery.limitS) is
// scaled here.
import { fmtS } from '../plugins/artillery-plugin-hmp/core/stats.ts';
import type { Series } from './series.ts';
import type { SpikeSummary } from './types.ts';

export interface Hold {
  users: number;
  /** Seconds on the chart axis (from the start of the first period). */
  start: number;
  end: number;
}

export interface PeriodHealth {
  requests: number[];
  errors: number[];
}

/** Error rate in % (2 decimals) over the periods `idx`; null without requests. */
export function errorRatePct(idx: number[], h: PeriodHealth): number | null {
  const req = idx.reduce((a, i) => a + (h.requests[i] ?? 0), 0);
  const err = idx.reduce((a, i) => a + (h.errors[i] ?? 0), 0);
  return req > 0 ? Math.round((10000 * err) / req) / 100 : null;
}

/** Is period i within the limits? undefined when it had no requests. */
export function healthAt(i: number, series: Series, h: PeriodHealth, slo: Record<string, number>, maxErrorRate: number): boolean | undefined {
  if ((h.requests[i] ?? 0) === 0) return undefined;
  if ((100 * (h.errors[i] ?? 0)) / h.requests[i]! >= maxErrorRate) return false;
  for (const [g, ms] of Object.entries(slo)) {
    const p99 = series.groups[g]?.p99[i];
    if (p99 !== null && p99 !== undefined && p99 > ms) return false;
  }
  return true;
}

export function spikeOf(
  hold: Hold | undefined,
  series: Series,
  h: PeriodHealth,
  slo: Record<string, number>,
  maxErrorRate: number,
  periodS: number,
  timeScale: number,
  /** The plan's recovery limit in plan seconds (criteria.recovery.limitS), scaled here. */
  planLimitS: number,
): SpikeSummary | null {
  if (!hold || series.x.length === 0) return null;
  const during = series.x.flatMap((x, i) => (x >= hold.start && x <= hold.end ? [i] : []));
  const after = series.x.flatMap((x, i) => (x > hold.end ? [i] : []));
  let worst: { ratio: number; p99: number; group: string } | undefined;
  for (const i of during) {
    for (const [g, ms] of Object.entries(slo)) {
      const v = series.groups[g]?.p99[i];
      if (v !== null && v !== undefined && v / ms > (worst?.ratio ?? -Infinity)) worst = { ratio: v / ms, p99: v, group: g };
    }
  }
  const health = (i: number) => healthAt(i, series, h, slo, maxErrorRate);
  const unhealthyDuring = during.filter((i) => health(i) === false).length;

  // Recovery: from the end of the hold to the end of the last period out of
  // limits; none when the last period judged after the hold is still out.
  const judged = [...during, ...after].filter((i) => health(i) !== undefined);
  const lastBad = judged.findLast((i) => health(i) === false);
  const recovered = lastBad === undefined || lastBad !== judged.at(-1) || !after.includes(lastBad);
  const recoveryS = !recovered ? null : lastBad === undefined ? 0 : Math.max(0, series.x[lastBad]! + periodS / 2 - hold.end);
  const limitS = planLimitS * timeScale;
  const dr = errorRatePct(during, h);
  const duringText = `During the ${hold.users}-user hold: ${dr === null ? 'no requests' : `${dr}% errors`}${worst ? `, worst p99 ${Math.round(worst.p99)} ms (${worst.group})` : ''}, ${unhealthyDuring} of ${during.length} periods out of limits.`;
  const recoveryText =
    recoveryS === null ? 'Not recovered: still out of limits at the end of the run.'
    : lastBad === undefined ? 'No period out of limits during or after the spike.'
    : recoveryS === 0 ? 'Back within limits before the hold ended.'
    : `Back within limits ${fmtS(recoveryS)} after the hold ended${recoveryS > limitS ? ` (slower than the plan's ${fmtS(limitS)})` : ''}.`;
  return {
    peakUsers: hold.users,
    holdStartS: hold.start,
    holdEndS: hold.end,
    during: { errorRatePct: dr, worstP99: worst?.p99 ?? null, worstGroup: worst?.group ?? null, unhealthyPeriods: unhealthyDuring, periods: during.length },
    after: { errorRatePct: errorRatePct(after, h), periods: after.length },
    recoveryS,
    recovered,
    recoveryLimitS: limitS,
    text: `${duringText} ${recoveryText}`,
  };
}
