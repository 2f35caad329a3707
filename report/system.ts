// CPU and memory of the server under test, when the results carry them
// (plugins.hmp.system.cpu_pct, plugins.hmp.system.mem_pct or plugins.hmp.system.rss_mb summaries).
// The plan's limits are for SUSTAINED use ("brief spikes allowed"), so the
// figure a verdict uses is the highest mean over the plan's window
// (criteria.system.sustainedS, 1 minute) of the period means.
import { num, stat } from '../plugins/artillery-plugin-hmp/core/results.ts';
import type { Period, ProcessFigures, SystemFigure } from './types.ts';
import { metric, summariesUnder, SYSTEM_PROCESS_PREFIX } from '../plugins/artillery-plugin-hmp/core/metric-names.ts';
import { mean, round } from '../plugins/artillery-plugin-hmp/core/stats.ts';

export interface SystemSeries {
  cpu: Array<number | null>;
  memory: Array<number | null>;
  memoryUnit: '%' | 'MB' | null;
  /** The server's storage I/O and the host's network I/O, in KB/s (null where not sampled). */
  diskReadKBps: Array<number | null>;
  diskWriteKBps: Array<number | null>;
  netInKBps: Array<number | null>;
  netOutKBps: Array<number | null>;
  /** Each process sampled, when there were several (--pid N,N): label -> series. */
  processes: Record<string, { cpu: Array<number | null>; rssMb: Array<number | null>; diskWriteKBps: Array<number | null> }>;
}


/** The I/O series and the per-process ones (pure, from the period summaries). */
function ioSeries(periods: Period[]): Omit<SystemSeries, 'cpu' | 'memory' | 'memoryUnit'> {
  const means = (name: string, scale = 1) => periods.map((p) => {
    const v = stat(p, name, 'mean');
    return v === undefined ? null : round(v * scale, 1);
  });
  const labels = new Set<string>();
  for (const p of periods) {
    for (const k of Object.keys(summariesUnder(p.summaries, SYSTEM_PROCESS_PREFIX))) if (k.endsWith('.cpu_pct')) labels.add(k.slice(0, -'.cpu_pct'.length));
  }
  const processes: SystemSeries['processes'] = {};
  for (const l of labels) {
    processes[l] = { cpu: means(metric.systemProcess(l, 'cpu_pct')), rssMb: means(metric.systemProcess(l, 'rss_mb')), diskWriteKBps: means(metric.systemProcess(l, 'disk_write_bps'), 1 / 1024) };
  }
  return {
    diskReadKBps: means(metric.systemDiskReadBps, 1 / 1024),
    diskWriteKBps: means(metric.systemDiskWriteBps, 1 / 1024),
    netInKBps: means(metric.systemNetInBps, 1 / 1024),
    netOutKBps: means(metric.systemNetOutBps, 1 / 1024),
    processes,
  };
}

/** Per-period CPU % and memory (% when it can be, else MB). */
export function systemSeries(periods: Period[], memTotalMb: number | undefined): SystemSeries {
  const means = (name: string) => periods.map((p) => stat(p, name, 'mean') ?? null);
  const cpu = means(metric.systemCpuPct);
  const io = ioSeries(periods);
  const pct = means(metric.systemMemPct);
  if (pct.some((v) => v !== null)) return { cpu, memory: pct, memoryUnit: '%', ...io };
  const rss = means(metric.systemRssMb);
  if (!rss.some((v) => v !== null)) return { cpu, memory: periods.map(() => null), memoryUnit: null, ...io };
  const total = memTotalMb !== undefined && memTotalMb > 0 ? memTotalMb : undefined;
  return { cpu, memory: total ? rss.map((mb) => (mb === null ? null : (100 * mb) / total)) : rss, memoryUnit: total ? '%' : 'MB', ...io };
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
): { cpu: SystemFigure | null; memory: SystemFigure | null; processes: ProcessFigures[]; series: SystemSeries } {
  const series = systemSeries(periods, memTotalMb);
  const window = Math.max(1, Math.round(sustainedS / periodS));
  let cpu = figureOf(series.cpu, window, '%');
  let memory = series.memoryUnit ? figureOf(series.memory, window, series.memoryUnit) : null;
  cpu ??= figureFromAggregate(agg, metric.systemCpuPct, '%');
  if (!memory) {
    const total = num(memTotalMb);
    memory = figureFromAggregate(agg, metric.systemMemPct, '%') ?? (total && total > 0 ? figureFromAggregate(agg, metric.systemRssMb, '%', 100 / total) : figureFromAggregate(agg, metric.systemRssMb, 'MB'));
  }
  const processes = Object.entries(series.processes).map(([label, p]) => ({ label, cpu: figureOf(p.cpu, window, '%'), rssMb: figureOf(p.rssMb, window, 'MB') }));
  return { cpu, memory, processes, series };
}
