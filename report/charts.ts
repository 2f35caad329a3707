// What each chart shows (pure): lines, colours, limits and markers, from
// the time series. The page's script only draws these specs.
import type { Analysis } from './summarize.ts';
import type { Values } from './series.ts';

export interface ChartLine {
  label: string;
  color: string;
  /** One value per period, or `constant` for a limit line. */
  values?: Values;
  constant?: number;
  dash?: number[];
  width?: number;
  /** A colour to fill below the line (the achieved users: a band the target's dashes stand out on where the two are equal). */
  fill?: string;
}

export interface ChartSpec {
  /** [a-z0-9-] only: the element id is chart-<id>. */
  id: string;
  title: string;
  /** The y axis's unit, shown as its label. */
  unit: string;
  /**
   * The y axis reaches at least this (default 1): fitted to the data, a
   * flat 1 ms line would otherwise fill the chart with noise.
   */
  yAtLeast?: number;
  lines: ChartLine[];
  /** Vertical markers on the x axis (seconds). */
  markers: Array<{ x: number; label: string }>;
  /** Shaded spans on the x axis (seconds): the run's incidents (diagnosis/), labelled by number. */
  bands?: Array<{ from: number; to: number; label: string }>;
  /** Its own x axis instead of the page's (e.g. one point per run), its points named by xLabels. */
  x?: number[];
  xLabels?: string[];
  xName?: string;
}

export const COLORS = {
  blue: '#2563eb',
  orange: '#ea580c',
  green: '#16a34a',
  red: '#dc2626',
  purple: '#7c3aed',
  gray: '#6b7280',
  teal: '#0d9488',
} as const;

const LIMIT_DASH = [6, 4];

/** Latency axes reach at least this many ms: fitted to a healthy run's data, not to its SLO. */
export const LATENCY_AXIS_MIN_MS = 5;

/** KB/s, or MB/s once the largest value reaches 1 MB/s, for every line of one chart (one axis, one unit). */
export function byteRate(series: Array<Values | undefined>): { unit: 'KB/s' | 'MB/s'; of: (v: Values | undefined) => Values | undefined } {
  const top = series.reduce<number>((m, v) => (v ?? []).reduce<number>((a, x) => (x !== null && x > a ? x : a), m), 0);
  if (top < 1024) return { unit: 'KB/s', of: (v) => v };
  return { unit: 'MB/s', of: (v) => v?.map((x) => (x === null ? null : Math.round((x / 1024) * 100) / 100)) };
}

const hasData = (v: Values | undefined) => !!v && v.some((x) => x !== null);

/** A safe element id from any name. */
export function chartId(name: string, i: number): string {
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return `${slug || 'chart'}-${i}`;
}

export function chartsOf(a: Analysis): ChartSpec[] {
  const { series: s, summary } = a;
  const charts: ChartSpec[] = [];
  const markers: ChartSpec['markers'] = [];
  if (summary.spike) {
    markers.push({ x: summary.spike.holdStartS, label: `hold ${summary.spike.peakUsers} users` }, { x: summary.spike.holdEndS, label: 'hold ends' });
  }
  if (summary.breakpoint?.failedAt) {
    markers.push({ x: (Date.parse(summary.breakpoint.failedAt) - a.t0) / 1000, label: `failed at ${summary.breakpoint.failingUsers ?? '?'} users` });
  }
  // Each incident shaded where it happened, numbered as "What went wrong" lists them.
  const bands = (summary.diagnosis?.incidents ?? []).map((i) => ({ from: (i.start - a.t0) / 1000, to: (i.end - a.t0) / 1000, label: `incident ${i.n}` }));
  const push = (c: Omit<ChartSpec, 'id' | 'markers'>) => {
    if (!c.lines.some((l) => hasData(l.values))) return;
    charts.push({ ...c, id: chartId(c.title, charts.length), markers, ...(bands.length ? { bands } : {}) });
  };

  push({
    title: s.users === 'max' ? "Concurrent users: target vs achieved (each period's peak)" : 'Concurrent users: target vs achieved',
    unit: 'users',
    lines: [
      // Drawn in this order: where the two are equal, the target's thin dark dashes run inside the achieved line's wide blue band.
      { label: 'active (achieved)', color: COLORS.blue, values: s.active, width: 4, fill: 'rgba(37, 99, 235, 0.12)' },
      { label: 'target', color: '#111827', values: s.target, dash: [8, 5], width: 1.5 },
    ],
  });
  push({
    title: 'Throughput',
    unit: 'req/s',
    lines: [
      { label: 'requests/s', color: COLORS.blue, values: s.reqPerS },
      { label: 'responses/s', color: COLORS.green, values: s.respPerS },
    ],
  });
  const maxErr = summary.criteria.maxErrorRate;
  push({
    title: 'Error rate',
    unit: '%',
    lines: [
      { label: 'errors', color: COLORS.red, values: s.errorPct, width: 2 },
      { label: 'timeouts', color: COLORS.orange, values: s.timeoutPct },
      ...(maxErr !== null && maxErr > 0 ? [{ label: `limit ${maxErr}%`, color: COLORS.red, constant: maxErr, dash: LIMIT_DASH, width: 1 }] : []),
    ],
  });
  for (const [group, v] of Object.entries(s.groups)) {
    const slo = summary.criteria.slo[group];
    push({
      title: `Latency: ${group}`,
      unit: 'ms',
      yAtLeast: LATENCY_AXIS_MIN_MS,
      lines: [
        { label: 'p50', color: COLORS.green, values: v.p50 },
        { label: 'p95', color: COLORS.orange, values: v.p95 },
        { label: 'p99', color: COLORS.purple, values: v.p99, width: 2 },
        ...(slo !== undefined ? [{ label: `SLO p99 ${slo} ms`, color: COLORS.red, constant: slo, dash: LIMIT_DASH, width: 1 }] : []),
      ],
    });
  }
  push({
    title: 'CPU',
    unit: '%',
    lines: [
      { label: 'CPU', color: COLORS.teal, values: a.system.cpu, width: 2 },
      { label: `limit ${a.summary.criteria.system.cpuPct}%`, color: COLORS.red, constant: a.summary.criteria.system.cpuPct, dash: LIMIT_DASH, width: 1 },
    ],
  });
  if (a.system.memoryUnit) {
    push({
      title: 'Memory',
      unit: a.system.memoryUnit,
      lines: [
        { label: a.system.memoryUnit === '%' ? 'RAM' : 'RSS', color: COLORS.purple, values: a.system.memory, width: 2 },
        ...(a.system.memoryUnit === '%' ? [{ label: `limit ${a.summary.criteria.system.ramPct}%`, color: COLORS.red, constant: a.summary.criteria.system.ramPct, dash: LIMIT_DASH, width: 1 }] : []),
      ],
    });
  }
  const sys = a.system;
  const disk = byteRate([sys.diskReadKBps, sys.diskWriteKBps]);
  push({
    title: 'Disk I/O of the server',
    unit: disk.unit,
    lines: [
      { label: 'read', color: COLORS.teal, values: disk.of(sys.diskReadKBps) },
      { label: 'written', color: COLORS.orange, values: disk.of(sys.diskWriteKBps), width: 2 },
    ],
  });
  const net = byteRate([sys.netInKBps, sys.netOutKBps]);
  push({
    title: 'Network I/O of the host',
    unit: net.unit,
    lines: [
      { label: 'in', color: COLORS.blue, values: net.of(sys.netInKBps) },
      { label: 'out', color: COLORS.green, values: net.of(sys.netOutKBps) },
    ],
  });
  const procs = Object.entries(sys.processes);
  const palette = [COLORS.teal, COLORS.purple, COLORS.orange, COLORS.blue, COLORS.green, COLORS.gray];
  if (procs.length > 1) {
    push({ title: 'CPU by process', unit: '%', lines: procs.map(([label, p], i) => ({ label, color: palette[i % palette.length]!, values: p.cpu, width: i === 0 ? 2 : 1 })) });
    push({ title: 'Memory by process', unit: 'MB', lines: procs.map(([label, p], i) => ({ label, color: palette[i % palette.length]!, values: p.rssMb, width: i === 0 ? 2 : 1 })) });
    const writes = byteRate(procs.map(([, p]) => p.diskWriteKBps));
    push({ title: 'Disk writes by process', unit: writes.unit, lines: procs.map(([label, p], i) => ({ label, color: palette[i % palette.length]!, values: writes.of(p.diskWriteKBps), width: i === 0 ? 2 : 1 })) });
  }
  if (a.serverLog) {
    push({
      title: 'Server log beside the client',
      unit: 'events per period',
      lines: [
        { label: 'client: errors', color: COLORS.red, values: a.serverLog.clientErrors, width: 2 },
        { label: 'server: 5xx logged', color: COLORS.orange, values: a.serverLog.server5xx },
        { label: 'server: tracebacks', color: COLORS.purple, values: a.serverLog.exceptions },
        { label: 'server: DB pool exhausted', color: COLORS.gray, values: a.serverLog.pool, dash: [2, 2] },
      ],
    });
  }
  return charts;
}
