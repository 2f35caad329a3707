// The soak in the report (pure): the first and last window of the hold side
// by side (req/s, errors, p95, p99 per group, CPU, memory). The windows and
// the flags are the drift's (plugins/artillery-plugin-hmp/core/drift.ts, the
// one definition the criteria judge), so the figures here and the verdict
// agree. Percentiles cannot be merged again from saved periods: a window's
// latency is the median of its periods' values.
import { dict } from '../plugins/artillery-plugin-hmp/core/metric-names.ts';
import { mean, median, pctChange } from '../plugins/artillery-plugin-hmp/core/stats.ts';
import { errorRatePct, type Hold, type PeriodHealth } from './spike.ts';
import type { Series } from './series.ts';
import type { SystemSeries } from './system.ts';
import type { SoakSummary, SoakWindow } from './types.ts';

export interface SoakInput extends SystemSeries {
  series: Series;
  health: PeriodHealth;
  responses: number[];
  /** Per period: p95 of all requests (http.response_time). */
  p95: Array<number | null>;
  periodS: number;
  /** The drift's window (s, scaled) and what it flagged, in words. */
  windowS: number;
  flags: string[];
}

const r1 = (x: number | null) => (x === null ? null : Math.round(x * 10) / 10);

/** The periods whose middle is in [from, to]; undefined when there are none. */
function windowOf(from: number, to: number, s: SoakInput): SoakWindow | undefined {
  const idx = s.series.x.flatMap((x, i) => (x >= from && x <= to ? [i] : []));
  if (idx.length === 0) return undefined;
  const resp = idx.reduce((a, i) => a + (s.responses[i] ?? 0), 0);
  const p99ByGroup = dict<number | null>();
  for (const [g, v] of Object.entries(s.series.groups)) p99ByGroup[g] = r1(median(idx.map((i) => v.p99[i])));
  return {
    fromS: from,
    toS: to,
    periods: idx.length,
    reqPerS: Math.round((100 * resp) / (idx.length * s.periodS)) / 100,
    errorRatePct: errorRatePct(idx, s.health),
    p95: r1(median(idx.map((i) => s.p95[i]))),
    p99ByGroup,
    cpuPct: r1(mean(idx.map((i) => s.cpu[i]))),
    memory: r1(mean(idx.map((i) => s.memory[i]))),
  };
}

export function soakOf(hold: Hold | undefined, s: SoakInput): SoakSummary | null {
  if (!hold) return null;
  const windowS = Math.min(s.windowS, (hold.end - hold.start) / 2);
  if (windowS < s.periodS) return null;
  const first = windowOf(hold.start, hold.start + windowS, s);
  const last = windowOf(hold.end - windowS, hold.end, s);
  if (!first || !last) return null;
  const p99ByGroup = dict<number | null>();
  for (const g of Object.keys(first.p99ByGroup)) p99ByGroup[g] = pctChange(first.p99ByGroup[g], last.p99ByGroup[g]);
  const delta = {
    p95: pctChange(first.p95, last.p95),
    p99ByGroup,
    reqPerS: pctChange(first.reqPerS, last.reqPerS),
    memory: pctChange(first.memory, last.memory),
    cpuPct: pctChange(first.cpuPct, last.cpuPct),
  };
  return { windowS, memoryUnit: s.memoryUnit, first, last, change: delta, flags: s.flags };
}
