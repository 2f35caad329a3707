// The spike in the report (pure): how the run did during the hold at the
// peak, and how long after the hold every period was back WITHIN THE SLOs
// (error rate below the test's limit, every group's p99 within its SLO).
// This is "back within SLO"; the criterion `recovery` (core/criteria.ts) is
// the suite's "back to the baseline" (suite/recovery.ts, light probes after
// the hold). Both are shown; the plan's limit (criteria.recovery.limitS) is
// scaled here.
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

const fmtS = (s: number) => (s >= 120 ? `${Math.round(s / 6) / 10} min` : `${Math.round(s)} s`);

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
  const during: number[] = [];
  const after: number[] = [];
  series.x.forEach((x, i) => {
    if (x >= hold.start && x <= hold.end) during.push(i);
    else if (x > hold.end) after.push(i);
  });
  const rate = (idx: number[]) => {
    const req = idx.reduce((a, i) => a + (h.requests[i] ?? 0), 0);
    const err = idx.reduce((a, i) => a + (h.errors[i] ?? 0), 0);
    return req > 0 ? Math.round((10000 * err) / req) / 100 : null;
  };
  let worstP99: number | null = null;
  let worstGroup: string | null = null;
  let worstRatio = -Infinity;
  for (const i of during) {
    for (const [g, ms] of Object.entries(slo)) {
      const v = series.groups[g]?.p99[i];
      if (v === null || v === undefined) continue;
      if (v / ms > worstRatio) {
        worstRatio = v / ms;
        worstP99 = v;
        worstGroup = g;
      }
    }
  }
  const health = (i: number) => healthAt(i, series, h, slo, maxErrorRate);
  const unhealthyDuring = during.filter((i) => health(i) === false).length;

  // Recovery: from the end of the hold to the end of the last period out of limits.
  const judged = [...during, ...after].filter((i) => health(i) !== undefined);
  const lastBad = [...judged].reverse().find((i) => health(i) === false);
  const lastJudged = judged[judged.length - 1];
  let recoveryS: number | null = 0;
  let recovered = true;
  if (lastBad !== undefined) {
    if (lastBad === lastJudged && after.includes(lastBad)) {
      recovered = false;
      recoveryS = null;
    } else {
      recoveryS = Math.max(0, series.x[lastBad]! + periodS / 2 - hold.end);
    }
  }
  const limitS = planLimitS * timeScale;
  const dr = rate(during);
  const parts = [
    `During the ${hold.users}-user hold: ${dr === null ? 'no requests' : `${dr}% errors`}${worstP99 !== null ? `, worst p99 ${Math.round(worstP99)} ms (${worstGroup})` : ''}, ${unhealthyDuring} of ${during.length} periods out of limits.`,
  ];
  if (!recovered) parts.push('Not recovered: still out of limits at the end of the run.');
  else if (lastBad === undefined) parts.push('No period out of limits during or after the spike.');
  else if (recoveryS === 0) parts.push('Back within limits before the hold ended.');
  else parts.push(`Back within limits ${fmtS(recoveryS!)} after the hold ended${recoveryS! > limitS ? ` (slower than the plan's ${fmtS(limitS)})` : ''}.`);
  return {
    peakUsers: hold.users,
    holdStartS: hold.start,
    holdEndS: hold.end,
    during: { errorRatePct: dr, worstP99, worstGroup, unhealthyPeriods: unhealthyDuring, periods: during.length },
    after: { errorRatePct: rate(after), periods: after.length },
    recoveryS,
    recovered,
    recoveryLimitS: limitS,
    text: parts.join(' '),
  };
}
