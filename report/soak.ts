// The soak in the report (pure): the first and last window of the hold side
// by side (req/s, errors, p95, p99 per group, CPU, memory). The windows and
// the flags are the drift's (plugins/artillery-plugin-hmp/core/drift.ts, the
// one definition the criteria judge), so the figures here and the verdict
// agree. Percentiles cannot be merged again from saved periods: a window's
// latency is the median of its periods' values.
import { dict } from '../plugins/artillery-plugin-hmp/core/metric-names.ts';
import { mean, median } from '../plugins/artillery-plugin-hmp/core/stats.ts';
import type { Hold, PeriodHealth } from './spike.ts';
import type { Series } from './series.ts';
import type { SoakSummary, SoakWindow } from './types.ts';

export interface SoakInput {
  series: Series;
  health: PeriodHealth;
  responses: number[];
  /** Per period: p95 of all requests (http.response_time). */
  p95: Array<number | null>;
  cpu: Array<number | null>;
  memory: Array<number | null>;
  memoryUnit: '%' | 'MB' | null;
  periodS: number;
  /** The drift's window (s, scaled) and what it flagged, in words. */
  windowS: number;
  flags: string[];
}

const r1 = (x: number | null) => (x === null ? null : Math.round(x * 10) / 10);
const change = (a: number | null, b: number | null) => (a === null || b === null || a <= 0 ? null : Math.round((1000 * (b - a)) / a) / 10);

function windowOf(idx: number[], from: number, to: number, s: SoakInput): SoakWindow {
  const req = idx.reduce((a, i) => a + (s.health.requests[i] ?? 0), 0);
  const err = idx.reduce((a, i) => a + (s.health.errors[i] ?? 0), 0);
  const resp = idx.reduce((a, i) => a + (s.responses[i] ?? 0), 0);
  const p99ByGroup = dict<number | null>();
  for (const [g, v] of Object.entries(s.series.groups)) p99ByGroup[g] = r1(median(idx.map((i) => v.p99[i])));
  return {
    fromS: from,
    toS: to,
    periods: idx.length,
    reqPerS: idx.length ? Math.round((100 * resp) / (idx.length * s.periodS)) / 100 : 0,
    errorRatePct: req > 0 ? Math.round((10000 * err) / req) / 100 : null,
    p95: r1(median(idx.map((i) => s.p95[i]))),
    p99ByGroup,
    cpuPct: r1(mean(idx.map((i) => s.cpu[i]))),
    memory: r1(mean(idx.map((i) => s.memory[i]))),
  };
}

export function soakOf(hold: Hold | undefined, s: SoakInput): SoakSummary | null {
  if (!hold) return null;
  const length = hold.end - hold.start;
  const windowS = Math.min(s.windowS, length / 2);
  if (windowS < s.periodS) return null;
  const inside = (from: number, to: number) => s.series.x.map((x, i) => (x >= from && x <= to ? i : -1)).filter((i) => i >= 0);
  const firstIdx = inside(hold.start, hold.start + windowS);
  const lastIdx = inside(hold.end - windowS, hold.end);
  if (firstIdx.length === 0 || lastIdx.length === 0) return null;
  const first = windowOf(firstIdx, hold.start, hold.start + windowS, s);
  const last = windowOf(lastIdx, hold.end - windowS, hold.end, s);
  const p99ByGroup = dict<number | null>();
  for (const g of Object.keys(first.p99ByGroup)) p99ByGroup[g] = change(first.p99ByGroup[g] ?? null, last.p99ByGroup[g] ?? null);
  const delta = {
    p95: change(first.p95, last.p95),
    p99ByGroup,
    reqPerS: change(first.reqPerS, last.reqPerS),
    memory: change(first.memory, last.memory),
    cpuPct: change(first.cpuPct, last.cpuPct),
  };
  return { windowS, memoryUnit: s.memoryUnit, first, last, change: delta, flags: s.flags };
}
