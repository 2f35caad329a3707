// Soak drift (pure): the first window after warm-up vs the last window of
// the hold. Windows are 30 min scaled by the run's time scale (at least one
// period; at most half the hold, so they never overlap). Plan, step 7:
// "memory_growth > 10% OR performance_degradation > 15%" flags long-term
// stability issues.
// - Memory: mean of the periods' hmp.system.rss_mb means (mem_pct when no RSS).
// - Latency: p95 / p99 of http.response_time per window = the median of its
//   periods' values (percentiles cannot be merged again from saved periods).
//   A change also has to exceed minLatencyChangeMs (default 10 ms), so that
//   1 ms -> 2 ms on loopback is not "+100%".
import { SYSTEM_METRIC } from './system-metrics/periods.ts';
import { ALL_LATENCY, holdOf, PERIOD_MS, periodsOf, stat, timeScaleOf, type Period, type Results } from './results.ts';
import { mean, median, pctChange } from './stats.ts';

export const WINDOW_S = 30 * 60;
export const MEMORY_GROWTH_PCT = 10;
export const DEGRADATION_PCT = 15;
export const MIN_LATENCY_CHANGE_MS = 10;

export interface DriftInput {
  periods: Period[];
  /** Start of the soak's hold (end of the warm-up ramp) and its end, ms since the epoch; default: the periods' span. */
  from?: number;
  to?: number;
  /** Run's time scale (default 1): the 30-min windows are multiplied by it. */
  timeScale?: number;
  /** Window length in s before scaling (default 1800). */
  windowS?: number;
  periodMs?: number;
  memoryGrowthPct?: number;
  degradationPct?: number;
  minLatencyChangeMs?: number;
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
  /** Each reason in words, citing the measurement. */
  reasons: string[];
  windowS: number;
  first: DriftWindow;
  last: DriftWindow;
}

export function driftOf(input: DriftInput): Drift {
  const periodMs = input.periodMs ?? PERIOD_MS;
  const periods = periodsOf({ aggregate: {}, intermediate: input.periods });
  const memLimit = input.memoryGrowthPct ?? MEMORY_GROWTH_PCT;
  const degLimit = input.degradationPct ?? DEGRADATION_PCT;
  const minMs = input.minLatencyChangeMs ?? MIN_LATENCY_CHANGE_MS;
  const from = input.from ?? (periods[0]?.at ?? 0);
  const to = input.to ?? (periods.length ? periods[periods.length - 1]!.at + periodMs : 0);
  const windowMs = Math.min(Math.max((input.windowS ?? WINDOW_S) * (input.timeScale ?? 1) * 1000, periodMs), Math.max(periodMs, (to - from) / 2));
  // A period belongs to the hold when its middle does.
  const inHold = periods.filter((p) => p.at + periodMs / 2 >= from && p.at + periodMs / 2 <= to);
  const mid = (p: { at: number }) => p.at + periodMs / 2;
  let firstIdx = inHold.filter((p) => mid(p) <= from + windowMs);
  let lastIdx = inHold.filter((p) => mid(p) >= to - windowMs);
  if (firstIdx.length === 0 && inHold.length) firstIdx = [inHold[0]!];
  if (lastIdx.length === 0 && inHold.length) lastIdx = [inHold[inHold.length - 1]!];

  const useRss = inHold.some((p) => stat(p, SYSTEM_METRIC.rss, 'mean') !== undefined);
  const useMem = !useRss && inHold.some((p) => stat(p, SYSTEM_METRIC.mem, 'mean') !== undefined);
  const memName = useRss ? SYSTEM_METRIC.rss : SYSTEM_METRIC.mem;
  const windowOf = (ps: Period[], wFrom: number, wTo: number): DriftWindow => ({
    from: wFrom,
    to: wTo,
    periods: ps.length,
    memory: useRss || useMem ? mean(ps.map((p) => stat(p, memName, 'mean'))) : null,
    p95: median(ps.map((p) => stat(p, ALL_LATENCY, 'p95'))),
    p99: median(ps.map((p) => stat(p, ALL_LATENCY, 'p99'))),
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
  const latency = (name: string, change: number | null, a: number | null, b: number | null) => {
    if (change !== null && change > degLimit && b! - a! >= minMs) {
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
    reasons,
    windowS: windowMs / 1000,
    first,
    last,
  };
}

/** driftOf for a soak results file: its hold (after the warm-up ramp) and its time scale. */
export function driftOfResults(results: Results, options: Omit<DriftInput, 'periods'> = {}): Drift {
  const hold = holdOf(results);
  return driftOf({ from: hold?.start, to: hold?.end, timeScale: timeScaleOf(results), ...options, periods: results.intermediate });
}
