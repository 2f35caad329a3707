// The cause of an incident (pure), from a catalogue, strongest evidence
// first: what the server's log names, then what the process metrics show,
// then timing. Each cause carries the measurements that decided it and how
// sure that is; "not determined" comes with what would decide it.
//   process-restart    the process ended / a new one started (log, sampler), or refusals only
//   dependency-outage  the log's connection errors to a dependency (the database)
//   pool-starvation    the log's pool timeouts (SQLAlchemy's QueuePool)
//   blocked-by-kind    stalls that one kind of request spanned, and rarely in flight otherwise
//   server-frozen      a stall while the process idled and its log was silent
//   cpu / memory       the server's CPU or memory at its limit in the window
//   slow-endpoint      one endpoint (or group) over its SLO while the others were within
// A kind of request that is in flight often is not a cause for being in
// flight when a stall began: the stall analysis weighs it against how often it
// is in flight otherwise, and here it must also have ended when the stall did.
import type { HmpSection } from '../plugins/artillery-plugin-hmp/core/results.ts';
import type { Criteria } from '../plugins/artillery-plugin-hmp/core/criteria.ts';
import type { Cause, Incident } from './types.ts';
import type { RawIncident } from './incidents.ts';
import { short } from './words.ts';
import { confirmCommand } from './confirm.ts';

/** CPU at or above this (% of one core, as sampled) is saturation, not headroom. */
export const CPU_SATURATED_PCT = 90;
/** A kind in flight at this share of all sends (or more) is common: it must span every stall to be named. */
const COMMON_KIND_PCT = 20;
/** A kind is named only when its spanning the stalls this often by chance is less likely than this. */
const MAX_CHANCE = 0.05;

/** Connection errors to a backing service, as psycopg2, asyncpg, SQLAlchemy and redis-py write them. */
const DEPENDENCY_DOWN = /OperationalError|InterfaceError|could not connect|connection to server .*failed|Connection refused|not yet accepting connections|database system is (?:starting up|shutting down|in recovery)|server closed the connection unexpectedly|ConnectionError|ConnectionRefused/i;
const POOL = /QueuePool limit|pool (?:is )?exhausted|too many (?:clients|connections)|remaining connection slots/i;

function dependencyOf(text: string): string {
  if (/psycopg|postgres|5432|database|sqlalchemy|asyncpg|sqlite/i.test(text)) return 'the database';
  if (/redis|6379/i.test(text)) return 'Redis';
  return 'a service the server depends on';
}

export interface RunContext {
  h: HmpSection;
  criteria: Criteria;
  sources: { serverLog: boolean; system: boolean };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function fivexx(i: RawIncident): number {
  return i.client.failures.filter((f) => /^5\d\d$/.test(f.what)).reduce((a, f) => a + f.n, 0);
}

function processRestart(i: RawIncident): Cause | undefined {
  const refused = i.client.failures.filter((f) => f.what === 'refused').reduce((a, f) => a + f.n, 0);
  if (i.processes.length) {
    const fromLog = i.processes.some((p) => p.endsWith("says the server's log"));
    const started = i.processes.some((p) => /started|new server process|restarted/.test(p));
    const gone = i.processes.some((p) => /was gone|finished/.test(p));
    const title = started ? 'the server process exited and a new one started' : gone ? 'the server process exited' : 'the server process was replaced';
    const evidence = [...i.processes, ...(refused ? [`${plural(refused, 'request')} refused (nothing listened on the port)`] : [])];
    // The log's start-up lines name it; the sampled pid or DigitalOcean's restart count measure it.
    return { id: 'process-restart', title, certainty: fromLog ? 'log' : 'measured', evidence };
  }
  if (refused > 0 && refused >= 0.5 * i.client.failed) {
    return {
      id: 'process-restart',
      title: 'the server stopped accepting connections (a crash or a restart)',
      certainty: 'correlation',
      evidence: [`${plural(refused, 'request')} of ${i.client.failed} failed ones refused: nothing listened on the port`],
      toDecide: "whether the process exited: give --server-log (a restart logs uvicorn's start-up lines) or sample the server's process (--system-metrics local)",
    };
  }
  return undefined;
}

function fromLog(i: RawIncident): Cause | undefined {
  const log = i.log ?? [];
  const total = log.reduce((a, l) => a + l.n, 0);
  if (total === 0) return undefined;
  const down = log.filter((l) => DEPENDENCY_DOWN.test(`${l.type}: ${l.message}`) && !POOL.test(l.message));
  const nDown = down.reduce((a, l) => a + l.n, 0);
  const pool = log.filter((l) => POOL.test(`${l.type}: ${l.message}`));
  const nPool = pool.reduce((a, l) => a + l.n, 0);
  const errors = Math.max(1, fivexx(i));
  if (nDown > 0 && nDown >= nPool && nDown >= 0.3 * errors) {
    const dependency = dependencyOf(down.map((l) => `${l.type} ${l.message}`).join(' '));
    return {
      id: 'dependency-outage',
      title: `${dependency} was unreachable`,
      certainty: 'log',
      dependency,
      evidence: [
        ...down.slice(0, 2).map((l) => `the server logged ${l.n} x ${l.type}: ${short(l.message, 160)}`),
        `${plural(fivexx(i), 'answer')} 5xx in the window${i.users !== null ? `, at a steady ${i.users} users` : ''}`,
      ],
    };
  }
  if (nPool > 0) {
    return {
      id: 'pool-starvation',
      title: "the database connection pool was exhausted",
      certainty: 'log',
      evidence: [`the server logged ${nPool} x ${pool[0]!.type}: ${short(pool[0]!.message, 160)}`, ...(i.client.waiting ? [`up to ${i.client.waiting} requests waited at once`] : [])],
    };
  }
  return undefined;
}

function blockedByKind(i: RawIncident, ctx: RunContext): Cause | undefined {
  const st = ctx.h.stalls;
  const c = st?.cause;
  if (!i.kinds.includes('stall') || !c?.label) return undefined;
  const stalls = st?.stalls ?? [];
  const spanned = stalls.filter((s) => s.spannedBy?.includes(c.label!)).length;
  const inThis = stalls.filter((s) => s.at !== undefined && s.at >= i.start - 1000 && s.at <= i.end);
  if (!inThis.some((s) => s.spannedBy === undefined || s.spannedBy.includes(c.label!))) return undefined;
  const otherwise = c.otherwisePct ?? 0;
  // Most stalls spanned by it; a common kind every one of them; and not by chance: a kind in flight at
  // p of all sends spans k stalls by chance about p^k of the time (one stall proves little).
  const k = stalls.some((s) => s.spannedBy !== undefined) ? spanned : (c.began ?? 0);
  const byChance = Math.max(otherwise / 100, 0.01) ** k;
  const enough = 2 * k > stalls.length && (otherwise < COMMON_KIND_PCT || k === stalls.length) && byChance < MAX_CHANCE;
  if (!enough) return undefined;
  const cpu = i.system?.cpuMeanPct;
  return {
    id: 'blocked-by-kind',
    title: `the server was blocked by ${c.label}: nothing was answered while one ran`,
    certainty: 'correlation',
    kind: c.name,
    ...(/^pdf_/.test(c.name ?? '') ? { toDecide: `the same test without conversions (\`${confirmCommand(ctx.h.test)}\`${ctx.h.test === 'breakpoint' ? '; `npm run suite -- --confirm` runs it after the breakpoint' : ''}) measures what they cost` } : {}),
    evidence: [
      `${c.began} of ${plural(stalls.length, 'stall')} began while ${c.label} was in flight${stalls.some((s) => s.spannedBy) ? ` and ${spanned} ended when it ended` : ''}`,
      `otherwise it was in flight when ${otherwise}% of requests were sent`,
      ...(cpu !== null && cpu !== undefined ? [`the server's CPU averaged ${cpu}% in the window`] : []),
    ],
  };
}

/** CPU below this (% of one core) during a stall: the server was waiting, not working. */
const IDLE_CPU_PCT = 30;

function frozen(i: RawIncident, ctx: RunContext): Cause | undefined {
  if (!i.kinds.includes('stall') || !ctx.sources.system || !ctx.sources.serverLog) return undefined;
  const cpu = i.system?.cpuMeanPct;
  if (cpu === null || cpu === undefined || cpu >= IDLE_CPU_PCT || (i.log ?? []).length > 0) return undefined;
  return {
    id: 'server-frozen',
    title: 'the server stopped answering while idle: its event loop (or a lock) was blocked',
    certainty: 'measured',
    evidence: [`nothing was answered${i.client.waiting ? ` while up to ${i.client.waiting} requests waited` : ''}`, `the server's CPU averaged ${cpu}% (waiting, not working)`, 'its log was silent', 'no kind of request explains it'],
    toDecide: 'which call blocked: a stack dump of the server during a stall (py-spy dump --pid PID) names it',
  };
}

function saturation(i: RawIncident, ctx: RunContext): Cause | undefined {
  const s = i.system;
  if (!s) return undefined;
  if (s.cpuMaxPct !== null && s.cpuMaxPct >= CPU_SATURATED_PCT) {
    return { id: 'cpu-saturation', title: "the server's CPU was saturated", certainty: 'measured', evidence: [`the server's CPU reached ${Math.round(s.cpuMaxPct)}% (of one core) in the window (saturated: >= ${CPU_SATURATED_PCT}%)`] };
  }
  if (s.memMaxPct !== null && s.memMaxPct >= ctx.criteria.system.ramPct) {
    return { id: 'memory-saturation', title: "the server's memory was full", certainty: 'measured', evidence: [`the server's memory reached ${Math.round(s.memMaxPct)}% (limit ${ctx.criteria.system.ramPct}%)`] };
  }
  return undefined;
}

function slowEndpoint(i: RawIncident): Cause | undefined {
  if (!(i.kinds.length === 1 && i.kinds[0] === 'slow') || i.client.slow.length !== 1) return undefined;
  const kind = i.client.slow[0]!.split(' ')[0]!;
  return { id: 'slow-endpoint', title: `${kind} was slow on its own`, certainty: 'measured', kind, evidence: [`${i.client.slow[0]} while every other endpoint was within its SLO`] };
}

function undetermined(i: RawIncident, ctx: RunContext): Cause {
  const need: string[] = [];
  if (!ctx.sources.serverLog) need.push("give --server-log (the server's own errors name most causes)");
  if (!ctx.sources.system) need.push("sample the server's CPU and memory (--system-metrics)");
  const what =
    i.kinds.includes('stall') && i.client.waiting
      ? `the server stalled with up to ${i.client.waiting} requests waiting and no one kind of request explains it`
      : i.kinds.includes('slow') && !i.kinds.includes('errors')
        ? `${i.client.slow.length} endpoints were over their SLOs together (${i.client.slow.slice(0, 3).join('; ')})`
        : `${plural(i.client.failed, 'request')} failed (${i.client.failures.slice(0, 3).map((f) => `${f.n} x ${f.what} on ${f.endpoint}`).join(', ')})`;
  return {
    id: 'undetermined',
    title: 'not determined',
    certainty: 'undetermined',
    evidence: [what],
    toDecide: need.length ? need.join('; ') : "the server's log and its CPU and memory show nothing that explains it: measure the database's own connections, locks and slow queries in this window",
  };
}

/** The incident's cause: the first of the catalogue its evidence supports. */
export function causeOf(i: RawIncident, ctx: RunContext): Cause {
  return processRestart(i) ?? fromLog(i) ?? blockedByKind(i, ctx) ?? frozen(i, ctx) ?? saturation(i, ctx) ?? slowEndpoint(i) ?? undetermined(i, ctx);
}

/** Whether two causes are the same (one line for several incidents of one cause). */
export function sameCause(a: Cause, b: Cause): boolean {
  return a.id === b.id && a.kind === b.kind && a.dependency === b.dependency;
}

export type { Incident };
