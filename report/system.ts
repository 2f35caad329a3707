// CPU and memory of the server under test, when the results carry them
// (plugins.hmp.system.cpu_pct, plugins.hmp.system.mem_pct or plugins.hmp.system.rss_mb summaries).
// The plan's limits are for SUSTAINED use ("brief spikes allowed"), so the
// figure a verdict uses is the highest mean over the plan's window
// (criteria.system.sustainedS, 1 minute) of the period means.
import { num, stat } from '../plugins/artillery-plugin-hmp/core/results.ts';
import type { Period, SystemFigure } from './types.ts';
import { metric } from '../plugins/artillery-plugin-hmp/core/metric-names.ts';
import { mean } from '../plugins/artillery-plugin-hmp/core/stats.ts';

export interface SystemSeries {
  cpu: Array<number | null>;
  memory: Array<number | null>;
  memoryUnit: '%' | 'MB' | null;
}

/** Per-period CPU % and memory (% when it can be, else MB). */
export function systemSeries(periods: Period[], memTotalMb: number | undefined): SystemSeries {
  const means = (name: string) => periods.map((p) => stat(p, name, 'mean') ?? null);
  const cpu = means(metric.systemCpuPct);
  const pct = means(metric.systemMemPct);
  if (pct.some((v) => v !== null)) return { cpu, memory: pct, memoryUnit: '%' };
  const rss = means(metric.systemRssMb);
  if (!rss.some((v) => v !== null)) return { cpu, memory: periods.map(() => null), memoryUnit: null };
  const total = memTotalMb !== undefined && memTotalMb > 0 ? memTotalMb : undefined;
  return { cpu, memory: total ? rss.map((mb) => (mb === null ? null : (100 * mb) / total)) : rss, memoryUnit: total ? '%' : 'MB' };
}

/** Mean, max and highest rolling mean over `window` consecutive periods. */
export function figureOf(values: Array<number | null>, window: number, unit: '%' | 'MB'): SystemFigure | null {
  const xs = values.filter((v): v is number => v !== null);
  if (xs.length === 0) return null;
  const w = Math.max(1, Math.min(window, values.length));
  let sustained = -Infinity;
  for (let i = 0; i + w <= values.length; i++) {
    const m = mean(values.slice(i, i + w));
    if (m !== null) sustained = Math.max(sustained, m);
  }
  return { mean: xs.reduce((a, b) => a + b, 0) / xs.length, max: Math.max(...xs), sustained, unit };
}

/** Only the aggregate has it (no periods): its mean stands for "sustained". */
export function figureFromAggregate(agg: Period, name: string, unit: '%' | 'MB', scale = 1): SystemFigure | null {
  const mean = stat(agg, name, 'mean');
  const max = stat(agg, name, 'max');
  if (mean === undefined) return null;
  return { mean: mean * scale, max: (max ?? mean) * scale, sustained: mean * scale, unit };
}

export function systemFigures(
  periods: Period[],
  agg: Period,
  memTotalMb: number | undefined,
  periodS: number,
  /** "Sustained" = the highest mean over this many seconds (the plan's criteria: system.sustainedS). */
  sustainedS: number,
): { cpu: SystemFigure | null; memory: SystemFigure | null; series: SystemSeries } {
  const series = systemSeries(periods, memTotalMb);
  const window = Math.max(1, Math.round(sustainedS / periodS));
  let cpu = figureOf(series.cpu, window, '%');
  let memory = series.memoryUnit ? figureOf(series.memory, window, series.memoryUnit) : null;
  cpu ??= figureFromAggregate(agg, metric.systemCpuPct, '%');
  if (!memory) {
    const total = num(memTotalMb);
    memory = figureFromAggregate(agg, metric.systemMemPct, '%') ?? (total && total > 0 ? figureFromAggregate(agg, metric.systemRssMb, '%', 100 / total) : figureFromAggregate(agg, metric.systemRssMb, 'MB'));
  }
  return { cpu, memory, series };
}
