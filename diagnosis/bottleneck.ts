// Breakpoint bottleneck analysis (pure): which endpoint or resource failed
// first as the users climbed. Every 10 s period is checked for each signal;
// the first period a signal shows up in, with the users at that time, orders
// them. Signals:
//   cpu       the server's CPU at or above 90% (of one core for `local`)
//   memory    the server's memory at or above 80%
//   timeouts  requests of an endpoint with no answer in time
//   5xx       an endpoint answering 5xx
//   latency   an endpoint's p99 above its group's SLO
//   stall     requests sent and none answered in the period
//   pool      the server's log: its database connection pool exhausted
// Beside them, in words: a process whose disk writes rose at least 2x from
// the first level to the failing one while the server's CPU had headroom
// (the database's disk is then the suspect, not the server).
import { counter, hmpSection, num, periodsOf, stat, type Results } from '../plugins/artillery-plugin-hmp/core/results.ts';
import { fmtMs, round } from '../plugins/artillery-plugin-hmp/core/stats.ts';
import { criteriaOfRun } from '../lib/plan-criteria.ts';
import { ARTILLERY, LATENCY_PREFIX, metric, summariesUnder, SYSTEM_PROCESS_PREFIX } from '../plugins/artillery-plugin-hmp/core/metric-names.ts';
import { overloadByEndpoint } from './evidence.ts';

/** CPU this busy is the bottleneck, not headroom (above the plan's 70% "sustained" limit, which is a verdict, not a cause). */
export const CPU_SATURATED_PCT = 90;

export interface Signal {
  kind: 'cpu' | 'memory' | 'timeouts' | '5xx' | 'latency' | 'stall' | 'pool';
  /** The endpoint, for timeouts, 5xx and latency. */
  endpoint?: string;
  /** Start of the first period it showed in, ms since the epoch. */
  at: number;
  /** Target users at that time (highest of the period). */
  users: number;
  /** What was measured, in words. */
  detail: string;
}

export interface Bottleneck {
  /** The signals of the earliest period that had any (what failed first). */
  first: Signal[];
  /** Every signal's first appearance, in time order. */
  timeline: Signal[];
  /** Whether the server's CPU and memory were measured. */
  systemMeasured: boolean;
  text: string;
}

const describe = (s: Signal) => `${s.detail} at ${s.users} users`;

export function bottleneckOf(results: Results): Bottleneck {
  // The run's criteria (recorded with it): SLOs, which group an endpoint is in, the RAM limit ("memory full").
  const { slo, groups, system } = criteriaOfRun(hmpSection(results));
  const memoryFullPct = system.ramPct;
  const groupOf = new Map(Object.entries(groups).flatMap(([g, eps]) => eps.map((e) => [e, g] as const)));
  const periods = periodsOf(results);
  const seen = new Map<string, Signal>();
  let systemMeasured = false;
  const note = (key: string, s: Signal) => {
    if (!seen.has(key)) seen.set(key, s);
  };
  for (const p of periods) {
    const users = Math.round(stat(p, metric.usersTarget, 'max') ?? 0);
    const cpu = stat(p, metric.systemCpuPct, 'mean');
    const mem = stat(p, metric.systemMemPct, 'mean');
    if (cpu !== undefined || mem !== undefined) systemMeasured = true;
    if (cpu !== undefined && cpu >= CPU_SATURATED_PCT) note('cpu', { kind: 'cpu', at: p.at, users, detail: `CPU ${round(cpu, 0)}% (saturated: >= ${CPU_SATURATED_PCT}%)` });
    if (mem !== undefined && mem >= memoryFullPct) note('memory', { kind: 'memory', at: p.at, users, detail: `memory ${round(mem, 0)}% (>= ${memoryFullPct}%)` });
    const { fivexx, timeouts } = overloadByEndpoint(p.counters);
    for (const { endpoint: ep, status, n } of fivexx) note(`5xx:${ep}`, { kind: '5xx', endpoint: ep, at: p.at, users, detail: `${ep} answered ${status} (${n} in 10 s)` });
    for (const [ep, n] of timeouts) note(`timeouts:${ep}`, { kind: 'timeouts', endpoint: ep, at: p.at, users, detail: `${ep} timed out (${n} in 10 s)` });
    for (const [ep, s] of Object.entries(summariesUnder(p.summaries, LATENCY_PREFIX))) {
      const group = groupOf.get(ep);
      const limit = group === undefined ? undefined : slo[group];
      const p99 = num(s?.p99);
      if (limit !== undefined && p99 !== undefined && p99 > limit) {
        note(`latency:${ep}`, { kind: 'latency', endpoint: ep, at: p.at, users, detail: `p99 of ${ep} ${fmtMs(p99)} > ${fmtMs(limit)} (${group} SLO)` });
      }
    }
    if (counter(p, ARTILLERY.requests) > 0 && counter(p, ARTILLERY.responses) === 0) {
      note('stall', { kind: 'stall', at: p.at, users, detail: `stall: ${counter(p, ARTILLERY.requests)} requests sent, none answered in 10 s` });
    }
  }
  const pool = hmpSection(results).serverLog?.pool;
  if (pool?.count && typeof pool.firstAt === 'number') {
    const at = periods.find((p) => p.at <= pool.firstAt! && pool.firstAt! < p.at + 10_000);
    if (at) note('pool', { kind: 'pool', at: at.at, users: Math.round(stat(at, metric.usersTarget, 'max') ?? 0), detail: `server log: database connection pool exhausted (${pool.count} x)` });
  }
  const timeline = [...seen.values()].sort((a, b) => a.at - b.at || a.users - b.users);
  const firstAt = timeline[0]?.at;
  const first = timeline.filter((s) => s.at === firstAt);
  let text: string;
  if (timeline.length === 0) {
    text = `No endpoint or resource failed${systemMeasured ? '' : ' (CPU and memory not measured)'}.`;
  } else {
    const later = timeline.filter((s) => s.at !== firstAt).slice(0, 4);
    text = `Failed first: ${first.map(describe).join('; ')}.`;
    if (later.length) text += ` Then: ${later.map(describe).join('; ')}${timeline.length - first.length > later.length ? '; ...' : ''}.`;
    if (!systemMeasured) text += ' CPU and memory were not measured (--system-metrics).';
    const io = diskNote(periods, first[0]!);
    if (io) text += ` ${io}`;
  }
  return { first, timeline, systemMeasured, text };
}

type RunPeriod = ReturnType<typeof periodsOf>[number];

/** "the db's disk writes rose 3.1x (120 KB/s -> 372 KB/s) by 40 users while the server's CPU stayed under 30%", or undefined. */
function diskNote(periods: RunPeriod[], failed: Signal): string | undefined {
  const loaded = periods.filter((p) => (stat(p, metric.usersTarget, 'max') ?? 0) > 0);
  const before = loaded.slice(0, 3);
  const at = loaded.filter((p) => p.at >= failed.at).slice(0, 3);
  if (before.length === 0 || at.length === 0 || before[0]!.at >= failed.at) return undefined;
  const meanOf = (ps: RunPeriod[], name: string) => {
    const xs = ps.map((p) => stat(p, name, 'mean')).filter((x): x is number => x !== undefined);
    return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : undefined;
  };
  const labels = new Set(loaded.flatMap((p) => Object.keys(summariesUnder(p.summaries, SYSTEM_PROCESS_PREFIX)).filter((k) => k.endsWith('.disk_write_bps')).map((k) => k.split('.')[0]!)));
  const series = labels.size ? [...labels].map((l) => [`the ${l}'s`, metric.systemProcess(l, 'disk_write_bps')] as const) : [["the server's", metric.systemDiskWriteBps] as const];
  const cpu = Math.max(...at.map((p) => stat(p, metric.systemCpuPct, 'max') ?? 0));
  for (const [who, name] of series) {
    const a = meanOf(before, name);
    const b = meanOf(at, name);
    if (a === undefined || b === undefined || b < 100 * 1024 || b < 2 * Math.max(a, 1)) continue;
    const kb = (x: number) => `${Math.round(x / 1024)} KB/s`;
    return `${who[0]!.toUpperCase()}${who.slice(1)} disk writes rose ${round(b / Math.max(a, 1), 1)}x (${kb(a)} -> ${kb(b)}) by ${failed.users} users${cpu < CPU_SATURATED_PCT ? ` while the server's CPU stayed under ${Math.ceil(cpu / 10) * 10}%` : ''}.`;
  }
  return undefined;
}
