// Spike recovery time (pure). After the hold at the peak ends, the run keeps
// observing with light load (or probes); each 10 s period after the hold is
// judged against the baseline measured by smoke/average:
//   error rate <= baseline error rate + 1 percentage point, and
//   p95 of all requests <= max(1.5 x baseline p95, baseline p95 + 25 ms)
//   (the absolute slack keeps a few ms of loopback jitter from counting),
// and the period must have answered requests (a stall answers none).
// Recovered = the first time 2 consecutive periods are within; the recovery
// time is from the end of the hold to the start of the first of them (0 when
// it held up already). Not recovered within 5 min (the plan's limit, step 5)
// -> recoveredAfterS null, reported as "> 5 min".
import { ARTILLERY } from '../plugins/artillery-plugin-hmp/core/metric-names.ts';
import { counter, errorRateOf, PERIOD_MS, periodsOf, stat, type Period, type Results } from '../plugins/artillery-plugin-hmp/core/results.ts';
import { fmtS, round } from '../plugins/artillery-plugin-hmp/core/stats.ts';
import { planCriteria } from '../lib/plan-criteria.ts';

export interface Baseline {
  /** Error rate in %, of the baseline run (errorsOf / http.requests). */
  errorRatePct: number;
  /** p95 of all requests (http.response_time), ms. */
  p95Ms: number;
}

export interface Tolerance {
  /** Percentage points above the baseline error rate (default 1). */
  errorPoints: number;
  /** Factor on the baseline p95 (default 1.5). */
  p95Factor: number;
  /** Minimum allowance above the baseline p95 in ms (default 25). */
  p95SlackMs: number;
  /** Consecutive periods within the limits that count as recovered (default 2). */
  consecutive: number;
}

export const DEFAULT_TOLERANCE: Tolerance = { errorPoints: 1, p95Factor: 1.5, p95SlackMs: 25, consecutive: 2 };

export interface CurvePoint {
  /** Period start, ms since the epoch. */
  at: number;
  /** Seconds from the end of the hold to the end of this period. */
  s: number;
  requests: number;
  responses: number;
  errorRatePct: number | null;
  p95: number | null;
  within: boolean;
  /** Why not within ('' when within). */
  why: string;
}

export interface Recovery {
  /** Seconds after the hold until back within the baseline; null: not within the limit ("> 5 min"). */
  recoveredAfterS: number | null;
  /** 'recovered'; 'not-recovered' (observed past the limit, or the streak came too late); 'not-observed' (the data ended before the limit). */
  status: 'recovered' | 'not-recovered' | 'not-observed';
  limitS: number;
  /** How long after the hold the data reaches, s. */
  observedS: number;
  limits: { errorRatePct: number; p95Ms: number; consecutive: number };
  curve: CurvePoint[];
  text: string;
}

/** Baseline figures from a smoke/average results file (its aggregate). */
export function baselineOf(results: Results): Baseline {
  const a = results.aggregate;
  return { errorRatePct: round(errorRateOf(a) ?? 0, 3), p95Ms: stat(a, ARTILLERY.responseTime, 'p95') ?? 0 };
}

export function limitsOf(baseline: Baseline, t: Tolerance): { errorRatePct: number; p95Ms: number } {
  return {
    errorRatePct: round(baseline.errorRatePct + t.errorPoints, 3),
    p95Ms: round(Math.max(baseline.p95Ms * t.p95Factor, baseline.p95Ms + t.p95SlackMs), 1),
  };
}

export interface RecoveryInput {
  /** Periods of the run, including those after the hold (results.intermediate). */
  periods: Period[];
  /** End of the hold, ms since the epoch (holdOf(results).end). */
  holdEnd: number;
  baseline: Baseline;
  tolerance?: Partial<Tolerance>;
  /** Default: the plan's (criteria.recovery.limitS); scale it with the run if the observation is scaled. */
  limitS?: number;
  /** What recovery is counted from, in words (default "the hold"; after any other test, "the test"). */
  after?: string;
  periodMs?: number;
}

/** "; last: no answers (stalled)": why the latest period out of limits was out (the diagnosis tells a dead server from a slow one by it). */
function lastMiss(curve: CurvePoint[]): string {
  const miss = [...curve].reverse().find((c) => !c.within);
  return miss?.why ? `; last: ${miss.why}` : '';
}

export function recoveryOf(input: RecoveryInput): Recovery {
  const t: Tolerance = { ...DEFAULT_TOLERANCE, ...input.tolerance };
  const limitS = input.limitS ?? planCriteria().recovery.limitS;
  const periodMs = input.periodMs ?? PERIOD_MS;
  const limits = limitsOf(input.baseline, t);
  // Every period that ends after the hold ends (the one holding the end counts: conservative).
  const periods = periodsOf({ aggregate: {}, intermediate: input.periods }).filter((p) => p.at + periodMs > input.holdEnd);
  const curve: CurvePoint[] = periods.map((p) => {
    const requests = counter(p, ARTILLERY.requests);
    const responses = counter(p, ARTILLERY.responses);
    const rate = errorRateOf(p);
    const p95 = stat(p, ARTILLERY.responseTime, 'p95') ?? null;
    const why: string[] = [];
    if (responses === 0) why.push(requests > 0 ? 'no answers (stalled)' : 'no traffic');
    if (rate !== null && rate > limits.errorRatePct) why.push(`errors ${round(rate, 2)}% > ${limits.errorRatePct}%`);
    if (p95 !== null && p95 > limits.p95Ms) why.push(`p95 ${p95} ms > ${limits.p95Ms} ms`);
    return {
      at: p.at,
      s: round((p.at + periodMs - input.holdEnd) / 1000, 1),
      requests,
      responses,
      errorRatePct: rate === null ? null : round(rate, 3),
      p95,
      within: why.length === 0,
      why: why.join('; '),
    };
  });
  const observedS = curve.length ? curve[curve.length - 1]!.s : 0;
  const startOfStreak = curve.findIndex((_, i) => i + t.consecutive <= curve.length && curve.slice(i, i + t.consecutive).every((c) => c.within));
  let recoveredAfterS: number | null = null;
  let status: Recovery['status'];
  if (startOfStreak >= 0) {
    const s = Math.max(0, round((curve[startOfStreak]!.at - input.holdEnd) / 1000, 1));
    recoveredAfterS = s <= limitS ? s : null;
    status = recoveredAfterS === null ? 'not-recovered' : 'recovered';
  } else {
    status = observedS >= limitS ? 'not-recovered' : 'not-observed';
  }
  const from = input.after ?? 'the hold';
  const within = `error rate <= ${limits.errorRatePct}% and p95 <= ${limits.p95Ms} ms for ${t.consecutive} periods`;
  const text =
    status === 'recovered'
      ? recoveredAfterS === 0
        ? `Within the baseline from the end of ${from} (${within}).`
        : `Recovered ${fmtS(recoveredAfterS!)} after ${from} (${within}).`
      : status === 'not-recovered'
        ? `Not recovered: > ${fmtS(limitS)} after ${from} (${within})${lastMiss(curve)}.`
        : `Not recovered in the ${fmtS(observedS)} observed after ${from} (limit ${fmtS(limitS)}; ${within}); observe longer.`;
  return { recoveredAfterS, status, limitS, observedS, limits: { ...limits, consecutive: t.consecutive }, curve, text };
}
