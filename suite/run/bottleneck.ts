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
import { SYSTEM_METRIC } from '../system-metrics/periods.ts';
import { counter, hmpSection, num, periodsOf, stat, type Results } from '../../plugins/artillery-plugin-hmp/core/results.ts';
import { fmtMs, round } from '../../plugins/artillery-plugin-hmp/core/stats.ts';
import { criteriaOfRun } from '../../lib/plan-criteria.ts';
import { ARTILLERY, LATENCY_PREFIX, metric, summariesUnder } from '../../plugins/artillery-plugin-hmp/core/metric-names.ts';
import { overloadByEndpoint } from '../evidence.ts';

/** CPU this busy is the bottleneck, not headroom (above the plan's 70% "sustained" limit, which is a verdict, not a cause). */
export const CPU_SATURATED_PCT = 90;

export interface Signal {
  kind: 'cpu' | 'memory' | 'timeouts' | '5xx' | 'latency' | 'stall';
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
    const cpu = stat(p, SYSTEM_METRIC.cpu, 'mean');
    const mem = stat(p, SYSTEM_METRIC.mem, 'mean');
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
  }
  return { first, timeline, systemMeasured, text };
}
