// What the server's log says about one test (pure): responses by status as
// the server logged them, internal errors grouped by exception type and
// message, the database pool's overload named as such, slow requests when
// the log gives durations, and the lines of no known format counted, never
// dropped; the same per 10 s period, on the client's time axis.
import type { LogEvent } from './parse.ts';

export const PERIOD_MS = 10_000;
/** Requests the log says took longer than this are "slow". */
export const SLOW_MS = 1000;
const MAX_GROUPS = 20;
const MAX_SLOW = 10;
const MAX_TIMELINE = 5000;

export interface ErrorGroup {
  /** 'exception' or 'pool' (the database's connection pool overloaded). */
  kind: 'exception' | 'pool';
  type: string;
  /** The message with numbers and ids folded, so repeats group together. */
  message: string;
  count: number;
  firstAt: number;
  lastAt: number;
  /** One traceback as the server wrote it (masked). */
  sample: string;
}

export interface LineGroup {
  /** The line with numbers folded. */
  text: string;
  count: number;
  firstAt: number;
}

export interface LogPeriod {
  /** ms since the epoch, a multiple of PERIOD_MS. */
  period: number;
  statuses: Record<string, number>;
  exceptions: number;
  pool: number;
  other: number;
}

export interface ServerLogSummary {
  /** Where the log came from, e.g. the file's path. */
  source: string;
  lines: number;
  requests: number;
  /** Status -> responses the server logged. */
  statuses: Record<string, number>;
  /** "METHOD /path/{id}" -> status -> count. */
  byPath: Record<string, Record<string, number>>;
  errors: ErrorGroup[];
  /** Pool overload messages, every one (also inside errors when they came with a traceback). */
  pool: { count: number; firstAt: number | null; sample: string | null };
  /** Requests slower than SLOW_MS, when the log has durations (null: it has none). */
  slow: { count: number; slowest: Array<{ at: number; request: string; ms: number }> } | null;
  other: LineGroup[];
  otherLines: number;
  periods: LogPeriod[];
  /** Each exception kind per second, for the diagnosis's windows: [second (epoch ms), type, message (the first of its kind in that second, masked), count], oldest first (at most MAX_TIMELINE). */
  timeline: Array<[number, string, string, number]>;
  /** Server processes that started (uvicorn's "Started server process [PID]") or ended cleanly during the test. */
  lifecycle: Array<{ at: number; event: 'start' | 'stop'; pid: number | null }>;
  /** Why the log was not read, or stopped being read (one sentence). */
  problem?: string;
}

/** Numbers, ids and addresses folded so that one kind of message is one group. */
export function fold(text: string): string {
  return text
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '{uuid}')
    .replace(/\b\d+(?:\.\d+)+(?::\d+)?\b/g, '{n}')
    .replace(/\b\d+\b/g, '{n}');
}

/** A logged path as a route: numeric and uuid segments become {id}. */
export function routeOf(path: string): string {
  return path.replace(/\/(?:\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?=\/|$)/gi, '/{id}');
}

const inc = (m: Record<string, number>, k: string, by = 1) => (m[k] = (m[k] ?? 0) + by);

export function summarizeLog(events: LogEvent[], source: string, lines: number, problem?: string): ServerLogSummary {
  const statuses: Record<string, number> = {};
  const byPath: Record<string, Record<string, number>> = {};
  const errors = new Map<string, ErrorGroup>();
  const other = new Map<string, LineGroup>();
  const periods = new Map<number, LogPeriod>();
  const slowest: Array<{ at: number; request: string; ms: number }> = [];
  let requests = 0;
  let timed = 0;
  let slowCount = 0;
  let otherLines = 0;
  const timeline = new Map<string, [number, string, string, number]>();
  const lifecycle: ServerLogSummary['lifecycle'] = [];
  const pool = { count: 0, firstAt: null as number | null, sample: null as string | null };

  for (const e of events) {
    const key = Math.floor(e.at / PERIOD_MS) * PERIOD_MS;
    let p = periods.get(key);
    if (!p) periods.set(key, (p = { period: key, statuses: {}, exceptions: 0, pool: 0, other: 0 }));
    if (e.kind === 'access') {
      requests++;
      const status = String(e.status);
      inc(statuses, status);
      inc(p.statuses, status);
      inc((byPath[`${e.method} ${routeOf(e.path!)}`] ??= {}), status);
      if (e.durationMs !== undefined) {
        timed++;
        if (e.durationMs > SLOW_MS) {
          slowCount++;
          slowest.push({ at: e.at, request: `${e.method} ${e.path}`, ms: e.durationMs });
          slowest.sort((a, b) => b.ms - a.ms).splice(MAX_SLOW);
        }
      }
    } else if (e.kind === 'start' || e.kind === 'stop') {
      lifecycle.push({ at: e.at, event: e.kind, pid: e.pid ?? null });
    } else if (e.kind === 'exception' || (e.kind === 'pool' && e.type)) {
      const id = `${e.kind}|${e.type}|${fold(e.message ?? '')}`;
      const second = Math.floor(e.at / 1000) * 1000;
      const tk = `${second}|${id}`;
      const row = timeline.get(tk);
      if (row) row[3]++;
      else if (timeline.size < MAX_TIMELINE) timeline.set(tk, [second, e.type!, e.message ?? '', 1]);
      const g = errors.get(id);
      if (g) {
        g.count++;
        g.lastAt = e.at;
      } else errors.set(id, { kind: e.kind, type: e.type!, message: fold(e.message ?? ''), count: 1, firstAt: e.at, lastAt: e.at, sample: e.traceback ?? e.line });
      if (e.kind === 'pool') countPool(e);
      else p.exceptions++;
    } else if (e.kind === 'pool') countPool(e);
    else {
      otherLines++;
      p.other++;
      const text = fold(e.line.trim());
      const g = other.get(text);
      if (g) g.count++;
      else other.set(text, { text, count: 1, firstAt: e.at });
    }
    function countPool(ev: LogEvent): void {
      pool.count++;
      p!.pool++;
      pool.firstAt ??= ev.at;
      pool.sample ??= ev.message ? `${ev.type}: ${ev.message}` : ev.line;
    }
  }

  return {
    source,
    lines,
    requests,
    statuses,
    byPath,
    errors: [...errors.values()].sort((a, b) => b.count - a.count).slice(0, MAX_GROUPS),
    pool,
    slow: timed > 0 ? { count: slowCount, slowest } : null,
    other: [...other.values()].sort((a, b) => b.count - a.count).slice(0, MAX_GROUPS),
    otherLines,
    periods: [...periods.values()].sort((a, b) => a.period - b.period),
    timeline: [...timeline.values()].sort((a, b) => a[0] - b[0]),
    lifecycle,
    ...(problem ? { problem } : {}),
  };
}

/** The log in a few sentences, for the console and the suite's evidence. */
export function logInWords(s: ServerLogSummary): string[] {
  if (s.problem && s.lines === 0) return [`server log: not read (${s.problem})`];
  const out: string[] = [];
  const fivexx = Object.entries(s.statuses).filter(([k]) => k.startsWith('5')).reduce((a, [, v]) => a + v, 0);
  out.push(`server log: ${s.lines} lines, ${s.requests} requests logged${fivexx ? `, ${fivexx} answered 5xx` : ''}`);
  if (s.pool.count) out.push(`server log: ${s.pool.count} x database connection pool exhausted (${s.pool.sample})`);
  for (const g of s.errors.filter((x) => x.kind === 'exception').slice(0, 3)) out.push(`server log: ${g.count} x ${g.type}${g.message ? `: ${g.message}` : ''}`);
  if (s.slow?.count) out.push(`server log: ${s.slow.count} requests slower than ${SLOW_MS / 1000} s (slowest ${s.slow.slowest[0]!.request} ${Math.round(s.slow.slowest[0]!.ms)} ms)`);
  if (s.problem) out.push(`server log: ${s.problem}`);
  return out;
}
