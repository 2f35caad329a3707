// Soak drift (pure), the one definition the plugin, the report and the suite
// use: the first window of the hold after warm-up vs the last. Windows are
// criteria.drift.windowS (30 min) scaled by the run's time scale (at least
// one period; at most half the hold, so they never overlap). Plan, step 7:
// "memory_growth > 10% OR performance_degradation > 15%" (criteria.drift).
// - Memory: mean of the periods' plugins.hmp.system.rss_mb means (mem_pct when no RSS).
// - Latency: p95 / p99 of http.response_time per window = the median of its
//   periods' values (percentiles cannot be merged again from saved periods).
//   A change also has to exceed minLatencyChangeMs (default 10 ms), so that
//   1 ms -> 2 ms on loopback is not "+100%", and is judged only when both
//   windows hold minWindowPeriods periods (the median of one or two periods is
//   one slow period on a busy generator, not a drift).
import { ARTILLERY, metric } from './metric-names.ts';
import { PERIOD_MS, periodsOf, stat, timeScaleOf, type Period, type Results } from './results.ts';
import { holdOf } from './run-window.ts';
import { mean, median, pctChange } from './stats.ts';
import type { Criteria, Measured } from './criteria.ts';

export interface DriftInput {
  periods: Period[];
  /** Start of the soak's hold (end of the warm-up ramp) and its end, ms since the epoch; default: the periods' span. */
  from?: number;
  to?: number;
  /** Run's time scale (default 1): the windows are multiplied by it. */
  timeScale?: number;
  periodMs?: number;
  /** The plan's limits and window (criteria.drift). */
  limits: Criteria['drift'];
}

export interface DriftWindow {
  from: number;
  to: number;
  periods: number;
  memory: number | null;
  p95: number | null;
  p99: number | null;
}

export interface Drift {
  /** % change of memory, last vs first window; null without system metrics. */
  memoryGrowthPct: number | null;
  memoryUnit: 'MB' | '%' | null;
  p95ChangePct: number | null;
  p99ChangePct: number | null;
  flagged: boolean;
  /** Whether the windows were long enough to judge the latency change (limits.minWindowPeriods). */
  latencyJudged: boolean;
  /** Each reason in words, citing the measurement. */
  reasons: string[];
  windowS: number;
  /** The limits it was judged by. */
  limits: Criteria['drift'];
  first: DriftWindow;
  last: DriftWindow;
}

export function driftOf(input: DriftInput): Drift {
  const periodMs = input.periodMs ?? PERIOD_MS;
  const periods = periodsOf({ aggregate: {}, intermediate: input.periods });
  const { memoryGrowthPct: memLimit, degradationPct: degLimit, minLatencyChangeMs: minMs } = input.limits;
  const from = input.from ?? (periods[0]?.at ?? 0);
  const to = input.to ?? (periods.length ? periods[periods.length - 1]!.at + periodMs : 0);
  const windowMs = Math.min(Math.max(input.limits.windowS * (input.timeScale ?? 1) * 1000, periodMs), Math.max(periodMs, (to - from) / 2));
  // A period belongs to the hold when its middle does.
  const inHold = periods.filter((p) => p.at + periodMs / 2 >= from && p.at + periodMs / 2 <= to);
  const mid = (p: { at: number }) => p.at + periodMs / 2;
  let firstIdx = inHold.filter((p) => mid(p) <= from + windowMs);
  let lastIdx = inHold.filter((p) => mid(p) >= to - windowMs);
  if (firstIdx.length === 0 && inHold.length) firstIdx = [inHold[0]!];
  if (lastIdx.length === 0 && inHold.length) lastIdx = [inHold[inHold.length - 1]!];

  const useRss = inHold.some((p) => stat(p, metric.systemRssMb, 'mean') !== undefined);
  const useMem = !useRss && inHold.some((p) => stat(p, metric.systemMemPct, 'mean') !== undefined);
  const memName = useRss ? metric.systemRssMb : metric.systemMemPct;
  const windowOf = (ps: Period[], wFrom: number, wTo: number): DriftWindow => ({
    from: wFrom,
    to: wTo,
    periods: ps.length,
    memory: useRss || useMem ? mean(ps.map((p) => stat(p, memName, 'mean'))) : null,
    p95: median(ps.map((p) => stat(p, ARTILLERY.responseTime, 'p95'))),
    p99: median(ps.map((p) => stat(p, ARTILLERY.responseTime, 'p99'))),
  });
  const first = windowOf(firstIdx, from, from + windowMs);
  const last = windowOf(lastIdx, to - windowMs, to);

  const memoryGrowthPct = pctChange(first.memory, last.memory);
  const p95ChangePct = pctChange(first.p95, last.p95);
  const p99ChangePct = pctChange(first.p99, last.p99);
  const reasons: string[] = [];
  const unit = useRss ? ' MB' : '%';
  const r1 = (x: number | null) => (x === null ? 'n/a' : Math.round(x * 10) / 10);
  if (memoryGrowthPct !== null && memoryGrowthPct > memLimit) {
    reasons.push(`memory grew ${memoryGrowthPct}% (${r1(first.memory)}${unit} -> ${r1(last.memory)}${unit}, last vs first window; plan: > ${memLimit}%)`);
  }
  const latencyJudged = Math.min(first.periods, last.periods) >= (input.limits.minWindowPeriods ?? 1);
  const latency = (name: string, change: number | null, a: number | null, b: number | null) => {
    if (latencyJudged && change !== null && change > degLimit && b! - a! >= minMs) {
      reasons.push(`${name} of all requests rose ${change}% (${r1(a)} ms -> ${r1(b)} ms, last vs first window; plan: > ${degLimit}%)`);
    }
  };
  latency('p95', p95ChangePct, first.p95, last.p95);
  latency('p99', p99ChangePct, first.p99, last.p99);
  return {
    memoryGrowthPct,
    memoryUnit: useRss ? 'MB' : useMem ? '%' : null,
    p95ChangePct,
    p99ChangePct,
    flagged: reasons.length > 0,
    latencyJudged,
    reasons,
    windowS: windowMs / 1000,
    limits: input.limits,
    first,
    last,
  };
}

/** driftOf for a soak results file: its hold (after the warm-up ramp) and its time scale. */
export function driftOfResults(results: Results, limits: Criteria['drift']): Drift {
  const hold = holdOf(results);
  return driftOf({ from: hold?.start, to: hold?.end, timeScale: timeScaleOf(results), limits, periods: results.intermediate });
}

/**
 * The drift as the criteria read it: memory growth, and the degradation =
 * the larger of the p95 and p99 changes that also passed the minimum change
 * (a rise under minLatencyChangeMs is counted at most at the limit: 1 ms ->
 * 2 ms on loopback is not a +100% degradation).
 */
export function driftMeasured(d: Drift): NonNullable<Measured['drift']> {
  const changes = [d.p95ChangePct, d.p99ChangePct].filter((x): x is number => x !== null);
  const degradation = changes.length ? Math.max(...changes) : null;
  const latencyReasons = d.reasons.filter((t) => !t.startsWith('memory'));
  const floored = degradation !== null && !latencyReasons.length && degradation > d.limits.degradationPct;
  const unjudged = d.latencyJudged === false && degradation !== null;
  const why = unjudged
    ? `; latency changed ${degradation}%, not judged: windows of ${Math.min(d.first.periods, d.last.periods)} period(s), fewer than ${d.limits.minWindowPeriods} (the hold is too short at this time scale)`
    : floored
      ? `; latency rose ${degradation}% but by less than ${d.limits.minLatencyChangeMs} ms, counted at the limit`
      : '';
  return {
    memoryGrowthPct: d.memoryGrowthPct,
    degradationPct: unjudged ? null : floored ? d.limits.degradationPct : degradation,
    text: [...d.reasons, ...(d.reasons.length && !unjudged ? [] : [`last vs first ${Math.round(d.windowS)} s window${why}`])].join('; '),
  };
}
