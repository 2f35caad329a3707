// Samples -> per-period summaries in Artillery's shape (pure), so the
// reports chart CPU and memory beside the load:
//   plugins.hmp.system.cpu_pct, plugins.hmp.system.mem_pct, plugins.hmp.system.rss_mb
// each {min, max, mean, p50, p95, p99, count} per 10 s period (the period
// key is its start, aligned as Artillery aligns its own).
import { PERIOD_MS, periodStart, type Results, type Summary } from '../../plugins/artillery-plugin-hmp/core/results.ts';
import { summarize, type ValueSummary } from '../../plugins/artillery-plugin-hmp/core/stats.ts';
import type { Sample, SystemSampler } from './types.ts';
import { metric } from '../../plugins/artillery-plugin-hmp/core/metric-names.ts';

export const SYSTEM_METRIC = {
  cpu: metric.systemCpuPct,
  mem: metric.systemMemPct,
  rss: metric.systemRssMb,
} as const;

export interface SystemPeriod {
  /** Period start, ms since the epoch. */
  period: number;
  summaries: Record<string, ValueSummary>;
}

/** Start of the period holding t (Artillery's 10 s windows are aligned on the epoch). */
function periodKey(t: number, periodMs = PERIOD_MS): number {
  return Math.floor(t / periodMs) * periodMs;
}

function summariesOf(samples: Sample[]): Record<string, ValueSummary> {
  const out: Record<string, ValueSummary> = {};
  const put = (name: string, values: number[]) => {
    const s = summarize(values);
    if (s) out[name] = s;
  };
  put(SYSTEM_METRIC.cpu, samples.map((s) => s.cpuPct));
  put(SYSTEM_METRIC.mem, samples.filter((s) => s.memPct !== undefined).map((s) => s.memPct!));
  put(SYSTEM_METRIC.rss, samples.filter((s) => s.rssMb !== undefined).map((s) => s.rssMb!));
  const each = <T>(list: T[], f: (x: T) => number | undefined) => list.map(f).filter((x): x is number => x !== undefined);
  put(metric.systemDiskReadBps, each(samples, (s) => s.readBps));
  put(metric.systemDiskWriteBps, each(samples, (s) => s.writeBps));
  put(metric.systemNetInBps, each(samples, (s) => s.netInBps));
  put(metric.systemNetOutBps, each(samples, (s) => s.netOutBps));
  put(metric.systemRestarts, each(samples, (s) => s.restarts));
  const procs = samples.flatMap((s) => s.procs ?? []);
  for (const label of new Set(procs.map((p) => p.label))) {
    const mine = procs.filter((p) => p.label === label);
    put(metric.systemProcess(label, 'cpu_pct'), each(mine, (p) => p.cpuPct));
    put(metric.systemProcess(label, 'rss_mb'), each(mine, (p) => p.rssMb));
    put(metric.systemProcess(label, 'disk_read_bps'), each(mine, (p) => p.readBps));
    put(metric.systemProcess(label, 'disk_write_bps'), each(mine, (p) => p.writeBps));
  }
  return out;
}

/** One entry per period that has samples, oldest first. */
export function systemPeriods(samples: Sample[], periodMs = PERIOD_MS): SystemPeriod[] {
  const groups = new Map<number, Sample[]>();
  for (const s of samples) {
    const k = periodKey(s.t, periodMs);
    const g = groups.get(k);
    if (g) g.push(s);
    else groups.set(k, [s]);
  }
  return [...groups.keys()].sort((a, b) => a - b).map((period) => ({ period, summaries: summariesOf(groups.get(period)!) }));
}

export interface SystemInfo {
  source: SystemSampler['source'];
  /** 'core' or 'all' for local; DigitalOcean's own basis otherwise. */
  cpuBasis?: string;
  /** The memory size mem_pct is a share of, in MB (the report turns rss_mb into a share with it). */
  memTotalMb?: number;
  intervalMs?: number;
  pid?: number;
  /** local: every process sampled (the server first) and the network interface. */
  processes?: Array<{ pid: number; label: string }>;
  netInterface?: string;
  appId?: string;
  component?: string;
  note?: string;
  /** local: the server's pid at the start and each change (its end: null; a new process on its port), epoch ms. */
  processEvents?: Array<{ at: number; pid: number | null }>;
  /** What the source cannot measure (digitalocean: DO_NOT_OFFERED), said rather than invented. */
  notOffered?: string;
}

export interface MergeOutcome {
  results: Results;
  /** Periods of the results that received system summaries. */
  periods: number;
  /** Samples outside the run's periods (before the first or after the last): not in the results. */
  outside: number;
}

/**
 * A copy of the results with the samples' summaries merged into the matching
 * intermediate periods (summaries and histograms, as Artillery writes both),
 * the aggregate over the samples inside the run, and `aggregate.hmp.system`
 * describing the source. Samples outside the run's periods are counted, not merged.
 */
export function mergeSystemMetrics(results: Results, samples: Sample[], info: SystemInfo, periodMs = PERIOD_MS): MergeOutcome {
  const byPeriod = new Map(systemPeriods(samples, periodMs).map((p) => [p.period, p.summaries]));
  const starts = results.intermediate.map(periodStart).filter((x): x is number => x !== undefined);
  const first = starts.length ? Math.min(...starts) : Infinity;
  const last = starts.length ? Math.max(...starts) + periodMs : -Infinity;
  const inside = samples.filter((s) => s.t >= first && s.t < last);
  let merged = 0;
  const intermediate = results.intermediate.map((p) => {
    const at = periodStart(p);
    const add = at === undefined ? undefined : byPeriod.get(periodKey(at, periodMs));
    if (!add) return p;
    merged++;
    const out = { ...p, summaries: { ...p.summaries, ...(add as Record<string, Summary>) } };
    if (p.histograms) out.histograms = { ...p.histograms, ...(add as Record<string, Summary>) };
    return out;
  });
  const agg = summariesOf(inside) as Record<string, Summary>;
  const a = results.aggregate;
  const hmp = typeof a.hmp === 'object' && a.hmp !== null ? (a.hmp as Record<string, unknown>) : {};
  const aggregate = {
    ...a,
    summaries: { ...a.summaries, ...agg },
    ...(a.histograms ? { histograms: { ...a.histograms, ...agg } } : {}),
    hmp: { ...hmp, system: { ...info, samples: inside.length } },
  };
  return { results: { ...results, aggregate, intermediate }, periods: merged, outside: samples.length - inside.length };
}
