// Incidents (pure): the windows of a run in which the server misbehaved, and
// what each window holds. Three signals give windows:
//   errors  seconds with failed requests (the request timeline), joined while
//           the gaps between them are short, kept when above the noise;
//   stall   the stall analysis's windows (nothing answered while requests waited);
//   slow    10 s periods in which an endpoint of a group whose SLO the run
//           missed was over that SLO.
// Overlapping windows become one incident. Each then gets what the client saw
// (failures by endpoint and kind), what the server's log said in it, the
// processes that ended or started, the CPU and memory, and what was in
// flight when it began. The cause is decided apart (causes.ts).
import type { HmpSection, Period, Results } from '../plugins/artillery-plugin-hmp/core/results.ts';
import { hmpSection, num, periodsOf, stat } from '../plugins/artillery-plugin-hmp/core/results.ts';
import { LATENCY_PREFIX, metric, summariesUnder } from '../plugins/artillery-plugin-hmp/core/metric-names.ts';
import { fmtMs } from '../plugins/artillery-plugin-hmp/core/stats.ts';
import type { Criteria } from '../plugins/artillery-plugin-hmp/core/criteria.ts';
import type { EndpointFailures, Incident, IncidentKind } from './types.ts';

/** Numbers folded, so one kind of message is one group (as the server log's summary groups them). */
const fold = (text: string) => text.replace(/\b\d+(?:\.\d+)*\b/g, '{n}');

/** Failures closer than this (or 3 mean gaps between sends, if longer) belong to one window. */
export const JOIN_GAP_MS = 5000;
/** A window of failures is an incident from this many failed requests on ... */
export const MIN_FAILED = 3;
/** ... that are at least this share of the requests sent in it. */
export const MIN_FAILED_SHARE = 0.05;
/** Log lines and process changes this close to a window belong to it (the log is read every 0.5 s; a restart's first line comes as the refusals end). */
const LOG_SLACK_MS = 2000;
const PROCESS_SLACK_MS = 5000;

type Window = { start: number; end: number; kinds: Set<IncidentKind>; ongoing: boolean };
type Timeline = NonNullable<HmpSection['requestTimeline']>;
type RunPeriod = Period & { at: number };

/** A window without its cause: the cause is decided with the whole run in view. */
export type RawIncident = Omit<Incident, 'cause' | 'n'>;

function errorWindows(tl: Timeline): Window[] {
  const t0 = num(tl.t0);
  const failed = tl.failed ?? [];
  const sent = tl.sent ?? [];
  if (t0 === undefined || failed.length === 0) return [];
  const totalSent = sent.reduce((a, b) => a + b, 0);
  const gapMs = Math.max(JOIN_GAP_MS, totalSent ? (3 * 1000 * sent.length) / totalSent : 0);
  const out: Array<{ first: number; last: number }> = [];
  failed.forEach((n, i) => {
    if (!n) return;
    const cur = out.at(-1);
    if (cur && (i - cur.last) * 1000 <= gapMs) cur.last = i;
    else out.push({ first: i, last: i });
  });
  const sum = (xs: number[], a: number, b: number) => xs.slice(a, b + 1).reduce((x, y) => x + y, 0);
  return out
    .filter((w) => {
      const f = sum(failed, w.first, w.last);
      return f >= MIN_FAILED && f >= MIN_FAILED_SHARE * Math.max(f, sum(sent, w.first, w.last));
    })
    .map((w) => ({ start: t0 + w.first * 1000, end: t0 + (w.last + 1) * 1000, kinds: new Set<IncidentKind>(['errors']), ongoing: w.last === failed.length - 1 }));
}

function stallWindows(h: HmpSection): Window[] {
  return (h.stalls?.stalls ?? []).flatMap((s) => {
    const at = num(s.at);
    const secs = num(s.s);
    return at === undefined || secs === undefined ? [] : [{ start: at, end: at + secs * 1000, kinds: new Set<IncidentKind>(['stall']), ongoing: s.ongoing === true }];
  });
}

/** Endpoints of `groups` over their group's SLO in a period: [endpoint, p99, limit]. */
function slowIn(p: RunPeriod, criteria: Criteria, groups: string[]): Array<[string, number, number]> {
  const out: Array<[string, number, number]> = [];
  const latencies = summariesUnder(p.summaries, LATENCY_PREFIX);
  for (const g of groups) {
    const limit = criteria.slo[g];
    if (limit === undefined) continue;
    for (const e of criteria.groups[g] ?? []) {
      const p99 = num(latencies[e]?.p99);
      if (p99 !== undefined && p99 > limit) out.push([e, p99, limit]);
    }
  }
  return out;
}

function slowWindows(periods: RunPeriod[], criteria: Criteria, groups: string[], periodMs: number): Window[] {
  if (groups.length === 0) return [];
  const out: Window[] = [];
  for (const p of periods) {
    if (slowIn(p, criteria, groups).length === 0) continue;
    const cur = out.at(-1);
    if (cur && cur.end >= p.at) cur.end = p.at + periodMs;
    else out.push({ start: p.at, end: p.at + periodMs, kinds: new Set(['slow']), ongoing: false });
  }
  return out;
}

/** Windows closer than JOIN_GAP_MS joined (as the live lines join them). */
export function mergeWindows(ws: Window[]): Window[] {
  const sorted = [...ws].sort((a, b) => a.start - b.start);
  const out: Window[] = [];
  for (const w of sorted) {
    const cur = out.at(-1);
    if (cur && w.start <= cur.end + JOIN_GAP_MS) {
      cur.end = Math.max(cur.end, w.end);
      for (const k of w.kinds) cur.kinds.add(k);
      cur.ongoing ||= w.ongoing;
    } else out.push({ ...w, kinds: new Set(w.kinds) });
  }
  return out;
}

function clientIn(tl: Timeline | undefined, start: number, end: number): { sent: number; failed: number; failures: EndpointFailures[] } {
  const t0 = num(tl?.t0);
  if (!tl || t0 === undefined) return { sent: 0, failed: 0, failures: [] };
  const a = Math.max(0, Math.floor((start - t0) / 1000));
  const b = Math.ceil((end - t0) / 1000) - 1;
  const sum = (xs: number[] | undefined) => (xs ?? []).slice(a, b + 1).reduce((x, y) => x + y, 0);
  const by = new Map<string, EndpointFailures>();
  for (const [sec, endpoint, what, n] of tl.failures ?? []) {
    if (sec < a || sec > b) continue;
    const key = `${endpoint}\u0000${what}`;
    const row = by.get(key);
    if (row) row.n += n;
    else by.set(key, { endpoint, what, n });
  }
  return { sent: sum(tl.sent), failed: sum(tl.failed), failures: [...by.values()].sort((x, y) => y.n - x.n) };
}

interface LogIn {
  timeline?: Array<[number, string, string, number]>;
  lifecycle?: Array<{ at: number; event: 'start' | 'stop'; pid: number | null }>;
}

function logIn(log: LogIn | undefined, start: number, end: number): Incident['log'] {
  if (!log) return null;
  const by = new Map<string, { type: string; message: string; n: number }>();
  for (const [at, type, message, n] of log.timeline ?? []) {
    if (at < start - LOG_SLACK_MS || at > end + LOG_SLACK_MS) continue;
    const key = `${type}\u0000${fold(message)}`;
    const row = by.get(key);
    if (row) row.n += n;
    else by.set(key, { type, message, n });
  }
  return [...by.values()].sort((x, y) => y.n - x.n);
}

function processesIn(h: HmpSection, log: LogIn | undefined, start: number, end: number, t0: number, periods: RunPeriod[] = []): string[] {
  const near = (at: number) => at >= start - PROCESS_SLACK_MS && at <= end + PROCESS_SLACK_MS;
  const when = (at: number) => clock((at - t0) / 1000);
  const out: string[] = [];
  for (const l of log?.lifecycle ?? []) {
    if (near(l.at)) out.push(l.event === 'start' ? `a server process started${l.pid ? ` (pid ${l.pid})` : ''} at ${when(l.at)}, says the server's log` : `server process ${l.pid ?? ''} finished at ${when(l.at)}, says the server's log`);
  }
  const events = (h.system as { processEvents?: Array<{ at: number; pid: number | null }> } | undefined)?.processEvents ?? [];
  for (let i = 1; i < events.length; i++) {
    const e = events[i]!;
    if (!near(e.at)) continue;
    out.push(e.pid === null ? `the sampled server process ${events[i - 1]!.pid ?? ''} was gone at ${when(e.at)}` : `a new server process (pid ${e.pid}) was listening on the port at ${when(e.at)}`);
  }
  // DigitalOcean's restart_count: the component's restarts in the periods of the window.
  const restarts = periods.filter((p) => p.at + 10_000 > start - PROCESS_SLACK_MS && p.at < end + PROCESS_SLACK_MS).reduce((a, p) => a + (stat(p, metric.systemRestarts, 'max') ?? 0), 0);
  if (restarts > 0) out.push(`the server's instances restarted ${restarts} time${restarts === 1 ? '' : 's'} (DigitalOcean restart_count)`);
  return out;
}

function systemIn(periods: RunPeriod[], start: number, end: number, periodMs: number): Incident['system'] {
  const inside = periods.filter((p) => p.at + periodMs > start && p.at < end);
  const cpuMax = inside.map((p) => stat(p, metric.systemCpuPct, 'max')).filter((x): x is number => x !== undefined);
  const cpuMean = inside.map((p) => stat(p, metric.systemCpuPct, 'mean')).filter((x): x is number => x !== undefined);
  const mem = inside.map((p) => stat(p, metric.systemMemPct, 'max')).filter((x): x is number => x !== undefined);
  if (cpuMax.length === 0 && mem.length === 0) return null;
  return {
    cpuMaxPct: cpuMax.length ? Math.max(...cpuMax) : null,
    cpuMeanPct: cpuMean.length ? Math.round(cpuMean.reduce((a, b) => a + b, 0) / cpuMean.length) : null,
    memMaxPct: mem.length ? Math.max(...mem) : null,
  };
}

/** "1:11" (or "1:02:03") from seconds since the test's start. */
export function clock(s: number): string {
  const t = Math.max(0, Math.round(s));
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const sec = String(t % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

export interface IncidentInput {
  results: Results;
  criteria: Criteria;
  /** SLO groups whose run-level p99 verdict failed: only they give slow windows. */
  slowGroups: string[];
  /** Epoch ms of the test's t = 0. */
  t0: number;
}

export function incidentsOf(x: IncidentInput): RawIncident[] {
  const h = hmpSection(x.results);
  const tl = h.requestTimeline;
  const periods = periodsOf(x.results);
  const periodMs = 10_000;
  const log = h.serverLog as LogIn | undefined;
  const windows = mergeWindows([...(tl ? errorWindows(tl) : []), ...stallWindows(h), ...slowWindows(periods, x.criteria, x.slowGroups, periodMs)]);
  const stalls = h.stalls?.stalls ?? [];
  return windows.map((w): RawIncident => {
    const inside = stalls.filter((s) => num(s.at) !== undefined && s.at! >= w.start - 1000 && s.at! <= w.end);
    const first = inside[0];
    const startPeriod = periods.filter((p) => p.at <= w.start).at(-1);
    const users = stat(startPeriod, metric.usersTarget, 'max');
    const slow = new Map<string, [number, number]>();
    for (const p of periods.filter((q) => q.at + periodMs > w.start && q.at < w.end)) {
      for (const [e, p99, limit] of slowIn(p, x.criteria, x.slowGroups)) if (!slow.has(e) || slow.get(e)![0] < p99) slow.set(e, [p99, limit]);
    }
    return {
      kinds: [...w.kinds],
      start: w.start,
      end: w.end,
      startS: Math.round((w.start - x.t0) / 100) / 10,
      endS: Math.round((w.end - x.t0) / 100) / 10,
      ongoing: w.ongoing,
      client: {
        ...clientIn(tl, w.start, w.end),
        slow: [...slow.entries()].map(([e, [p99, limit]]) => `${e} p99 ${fmtMs(p99)} > ${fmtMs(limit)}`),
        waiting: inside.length ? Math.max(...inside.map((s) => num(s.waiting) ?? 0)) : null,
      },
      log: logIn(log, w.start, w.end),
      processes: processesIn(h, log, w.start, w.end, x.t0, periods),
      system: systemIn(periods, w.start, w.end, periodMs),
      inFlight: first?.inFlight ?? {},
      users: users === undefined ? null : Math.round(users),
    };
  });
}
