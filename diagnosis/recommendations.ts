// What to improve, from what actually failed (pure). The orchestrator raises
// the plan's flags (section 6, execution algorithm) with the measurements
// that triggered them; each measurement selects items of the plan's
// improvement list (section 7, quoted verbatim), low-cost code changes first,
// then infrastructure, and every item cites the measurements behind it.
//   flag        plan step                                  plan's own RECOMMEND
//   functional  2 smoke: errors > 0                         (ABORT "Functional issues detected")
//   baseline    3 average: error rate > 1% or p99 > SLO     caching, indexes, pagination
//   unstable    4 stress: crash or error rate > 5%          infrastructure scaling or rate limiting
//   burst       5 spike: error rate > 3% or recovery > 5m   async queues, circuit breakers, autoscaling
//   stability   7 soak: memory > 10% or degradation > 15%   memory profiling and leak detection
//   capacity    6 breakpoint: max sustainable < plan's peak  (section 1 goals; what failed first decides)
import { fmtMs, fmtS, round } from '../plugins/artillery-plugin-hmp/core/stats.ts';

export type FlagId = 'functional' | 'baseline' | 'unstable' | 'burst' | 'stability' | 'capacity';

export type EvidenceKind =
  | 'p99' // latency over its SLO (endpoint or group)
  | 'error_rate' // error rate at or over the test's limit
  | 'status' // count of an HTTP status (5xx) from an endpoint
  | 'timeouts' // requests with no answer in time
  | 'unanswered' // smoke: an endpoint never answered
  | 'cpu' // sustained CPU % at or over its limit
  | 'ram' // sustained RAM % at or over its limit
  | 'memory_growth' // soak: % growth last vs first window
  | 'degradation' // soak: % rise of p95/p99 last vs first window
  | 'recovery' // spike: seconds to recover (limit: criteria.recovery.limitS, scaled)
  | 'data_loss' // acknowledged uploads missing or corrupted
  | 'crash' // the server stopped answering
  | 'stall' // server-wide stalls; endpoint: the kind of request in flight when they began (core/stalls.ts)
  | 'pool' // the server's log: its database connection pool exhausted (suite/server-log/)
  | 'capacity'; // breakpoint: max sustainable users below the plan's peak

export interface Evidence {
  kind: EvidenceKind;
  /** Test the measurement comes from: smoke, average, stress, spike, breakpoint, soak. */
  test: string;
  /** Request name (project_list, pdf_execute, ...). */
  endpoint?: string;
  /** SLO group (auth, list, detail, convert) when no single endpoint is named. */
  group?: string;
  measured: number;
  limit?: number;
  unit?: 'ms' | '%' | 's' | '';
  /** HTTP status for kind 'status'. */
  status?: number;
  /** 'p95' or 'p99' for kind 'degradation'. */
  metric?: string;
  /** The citation in words, when the default wording does not fit. */
  text?: string;
}

export interface Flag {
  id: FlagId;
  evidence: Evidence[];
}

export type Cost = 'fix' | 'low' | 'high';

export interface Recommendation {
  id: string;
  /** fix: correctness first; low: code changes (plan: "Low-cost"); high: infrastructure (plan: "High-cost"). */
  cost: Cost;
  /** The plan's wording. */
  text: string;
  /** Where the wording comes from. */
  source: string;
  /** The measurements that triggered it, in words. */
  because: string[];
  flags: FlagId[];
}

// --- what an endpoint is -------------------------------------------------

const LIST = new Set(['project_list', 'submission_list']);
const CONTENT = new Set(['submission_content', 'submission_create']);
const AUTH = new Set(['auth_challenge', 'auth_login', 'auth_relogin']);
const isConvert = (e: Evidence) => e.group === 'convert' || /^pdf_/.test(e.endpoint ?? '');
const isList = (e: Evidence) => e.group === 'list' || LIST.has(e.endpoint ?? '');
const isDetail = (e: Evidence) => e.group === 'detail' || /^(project_detail|submission_hash|submission_content)$/.test(e.endpoint ?? '');
const isContent = (e: Evidence) => CONTENT.has(e.endpoint ?? '');
const isAuth = (e: Evidence) => e.group === 'auth' || AUTH.has(e.endpoint ?? '');
const slow = (e: Evidence) => e.kind === 'p99';
/** 5xx, timeouts and error rates: the overload signature. */
const overload = (e: Evidence) => e.kind === 'error_rate' || e.kind === 'timeouts' || (e.kind === 'status' && (e.status ?? 0) >= 500);
/** Stalls that one kind of request explains (a conversion blocking the server), or none does (a pool or a queue filled up). */
const stallBy = (e: Evidence, is: (e: Evidence) => boolean) => e.kind === 'stall' && e.endpoint !== undefined && is(e);
const stallUnexplained = (e: Evidence) => e.kind === 'stall' && e.endpoint === undefined;
const underLoad = (f: FlagId) => f === 'unstable' || f === 'burst' || f === 'baseline' || f === 'capacity';

// --- the table -------------------------------------------------------------

/** A row of the table; its source is the plan's list of its cost unless it names its own (every fix does). */
type Row = Pick<Recommendation, 'id' | 'cost' | 'text'> & { source?: string; when: (e: Evidence, flag: FlagId) => boolean };

const PLAN_LIST: Record<Cost, string> = { fix: '', low: 'plan section 7, low-cost (code changes)', high: 'plan section 7, high-cost (infrastructure)' };

/** In output order: fixes, then the plan's low-cost list in its order, then its high-cost list. */
export const TABLE: Row[] = [
  {
    id: 'fix-functional',
    cost: 'fix',
    text: 'Fix the functional issues before any load test (the smoke test found errors: "Functional issues detected").',
    source: 'plan section 6, step 2 (ABORT)',
    when: (_e, f) => f === 'functional',
  },
  {
    id: 'fix-data-loss',
    cost: 'fix',
    text: 'Fix the data loss: an upload the server acknowledges must be stored, with the hash and content that were sent.',
    source: 'plan section 6, spike success criteria ("no data loss")',
    when: (e) => e.kind === 'data_loss',
  },
  {
    id: 'cache-lists',
    cost: 'low',
    text: 'Introduce/optimize caching for read-heavy list endpoints (GET /project/, GET /submission/)',
    when: (e) => (slow(e) || e.kind === 'degradation') && isList(e),
  },
  {
    id: 'rate-limit',
    cost: 'low',
    text: 'Add rate limiting and circuit breakers on heavy endpoints (especially POST /pdf-to-audio/execute and POST /submission/)',
    when: (e, f) => ((f === 'unstable' || f === 'burst') && (overload(e) || e.kind === 'recovery' || e.kind === 'crash')) || (f === 'burst' && slow(e) && (isConvert(e) || e.endpoint === 'submission_create')),
  },
  {
    id: 'async-convert',
    cost: 'low',
    text: 'Make pdf-to-audio asynchronous with a job queue and idempotent triggers; return 202 Accept with job id',
    when: (e, f) => ((slow(e) || overload(e) || e.kind === 'stall') && isConvert(e)) || (f === 'burst' && e.kind === 'recovery'),
  },
  {
    id: 'pagination',
    cost: 'low',
    text: 'Apply pagination consistently and lower default page sizes',
    when: (e) => (slow(e) && isList(e)) || e.kind === 'degradation',
  },
  {
    id: 'db-access',
    cost: 'low',
    text: 'Optimize DB access: indexes, N+1 elimination, connection pooling',
    when: (e, f) => (slow(e) && (isList(e) || isDetail(e) || isAuth(e))) || (overload(e) && underLoad(f)) || e.kind === 'degradation' || stallUnexplained(e) || e.kind === 'pool',
  },
  {
    id: 'streaming',
    cost: 'low',
    text: 'Stream uploads/downloads; limit payload sizes; compress responses where appropriate',
    when: (e) => (slow(e) && isContent(e)) || e.kind === 'ram',
  },
  {
    id: 'timeouts-backpressure',
    cost: 'low',
    text: 'Add server-side request timeouts and backpressure to protect the app under overload',
    when: (e, f) => (overload(e) && underLoad(f)) || e.kind === 'recovery' || e.kind === 'crash' || stallUnexplained(e) || e.kind === 'pool',
  },
  {
    id: 'memory-profiling',
    cost: 'low',
    text: 'memory profiling and leak detection',
    source: 'plan section 6, step 7 (RECOMMEND)',
    when: (e) => e.kind === 'memory_growth' || e.kind === 'degradation',
  },
  {
    id: 'scale',
    cost: 'high',
    text: 'Scale vCPU/RAM; enable autoscaling where cost-effective',
    when: (e, f) => e.kind === 'cpu' || e.kind === 'ram' || e.kind === 'crash' || e.kind === 'capacity' || ((f === 'unstable' || f === 'burst') && (overload(e) || e.kind === 'recovery')),
  },
  {
    id: 'redis',
    cost: 'high',
    text: 'Introduce Redis for cache/session/queues',
    when: (e) => slow(e) && (isList(e) || isAuth(e) || isConvert(e)),
  },
  {
    id: 'convert-workers',
    cost: 'high',
    text: 'Separate workers for CPU-bound audio conversion (dedicated service/container)',
    when: (e) => ((slow(e) || overload(e)) && isConvert(e)) || stallBy(e, isConvert) || e.kind === 'cpu',
  },
  {
    id: 'object-storage',
    cost: 'high',
    text: 'Consider object storage for submissions and audio artifacts',
    when: (e) => (slow(e) && isContent(e)) || e.kind === 'ram',
  },
  {
    id: 'tune-db',
    cost: 'high',
    text: 'Tune Postgres (work_mem, shared_buffers), or managed DB sizing',
    when: (e, f) => (overload(e) && underLoad(f)) || (slow(e) && (isList(e) || isDetail(e))) || e.kind === 'degradation',
  },
  {
    id: 'cdn',
    cost: 'high',
    text: 'Add CDN or edge cache for static or frequently accessed assets/content',
    when: (e) => slow(e) && e.endpoint === 'submission_content',
  },
];

/** The plan's own RECOMMEND per step, for a flag none of whose measurements matched a row. */
export const STEP_RECOMMEND: Record<FlagId, { text: string; cost: Cost; source: string }> = {
  functional: { text: TABLE[0]!.text, cost: 'fix', source: TABLE[0]!.source! },
  baseline: { text: 'optimizations (caching, indexes, pagination)', cost: 'low', source: 'plan section 6, step 3 (RECOMMEND)' },
  unstable: { text: 'infrastructure scaling or rate limiting', cost: 'high', source: 'plan section 6, step 4 (RECOMMEND)' },
  burst: { text: 'async queues, circuit breakers, autoscaling', cost: 'low', source: 'plan section 6, step 5 (RECOMMEND)' },
  stability: { text: 'memory profiling and leak detection', cost: 'low', source: 'plan section 6, step 7 (RECOMMEND)' },
  capacity: { text: 'Scale vCPU/RAM; enable autoscaling where cost-effective', cost: 'high', source: PLAN_LIST.high },
};

// --- citations -------------------------------------------------------------

function value(x: number, unit: Evidence['unit']): string {
  if (unit === 'ms') return fmtMs(x);
  if (unit === 's') return fmtS(x);
  if (unit === '%') return `${round(x, 2)}%`;
  return `${round(x, 2)}`;
}

/** One measurement in words, e.g. "p99 of project_list 1.9 s > 700 ms in average". */
export function cite(e: Evidence): string {
  if (e.text) return e.text;
  const what = e.endpoint ?? (e.group ? `${e.group} endpoints` : 'all requests');
  const lim = (op: string) => (e.limit === undefined ? '' : ` ${op} ${value(e.limit, e.unit)}`);
  const inTest = ` in ${e.test}`;
  switch (e.kind) {
    case 'p99':
      return `p99 of ${what} ${value(e.measured, e.unit ?? 'ms')}${lim('>')}${inTest}`;
    case 'error_rate':
      return `error rate${e.endpoint || e.group ? ` of ${what}` : ''} ${value(e.measured, '%')}${e.limit === undefined ? '' : ` (limit < ${value(e.limit, '%')})`}${inTest}`;
    case 'status':
      return `${e.measured} answers ${e.status ?? '5xx'} from ${what}${inTest}`;
    case 'timeouts':
      return `${e.measured} timeouts on ${what}${inTest}`;
    case 'unanswered':
      return `${what} never answered${inTest}`;
    case 'cpu':
    case 'ram':
      return `${e.kind.toUpperCase()} ${value(e.measured, '%')} sustained${e.limit === undefined ? '' : ` (limit < ${value(e.limit, '%')})`}${inTest}`;
    case 'memory_growth':
      return `memory grew ${value(e.measured, '%')}${lim('>')} (last vs first window)${inTest}`;
    case 'degradation':
      return `${e.metric ?? 'p95'} of ${what} rose ${value(e.measured, '%')}${lim('>')} (last vs first window)${inTest}`;
    case 'recovery':
      return `recovery after the hold ${e.measured === Infinity ? `> ${e.limit === undefined ? 'its limit' : fmtS(e.limit)}` : fmtS(e.measured)}${e.measured === Infinity ? '' : lim('>')}${inTest}`;
    case 'data_loss':
      return `${e.measured} acknowledged uploads lost or corrupted${inTest}`;
    case 'crash':
      return `the server stopped answering${inTest}`;
    case 'stall':
      return `${e.measured} server-wide stalls${e.endpoint ? ` that began while ${e.endpoint} was in flight` : ''}${inTest}`;
    case 'pool':
      return e.text ?? `server log: ${e.measured} x database connection pool exhausted${inTest}`;
    case 'capacity':
      return `max sustainable ${e.measured} users${e.limit === undefined ? '' : ` < the plan's peak of ${e.limit}`}${inTest}`;
  }
}

// --- the recommendations -----------------------------------------------------

const COST_ORDER: Record<Cost, number> = { fix: 0, low: 1, high: 2 };
export const COST_HEAD: Record<Cost, string> = { fix: 'Fix first', low: 'Low-cost (code changes)', high: 'High-cost (infrastructure)' };

export function recommend(flags: Flag[]): Recommendation[] {
  const out = new Map<string, Recommendation>();
  const orderOf = new Map<string, number>();
  const add = (id: string, cost: Cost, text: string, source: string, flag: FlagId, because: string, order: number) => {
    let r = out.get(id);
    if (!r) {
      r = { id, cost, text, source, because: [], flags: [] };
      out.set(id, r);
      orderOf.set(id, order);
    }
    if (!r.because.includes(because)) r.because.push(because);
    if (!r.flags.includes(flag)) r.flags.push(flag);
  };
  for (const flag of flags) {
    let matched = false;
    for (const e of flag.evidence) {
      TABLE.forEach((row, i) => {
        if (row.when(e, flag.id)) {
          add(row.id, row.cost, row.text, row.source ?? PLAN_LIST[row.cost], flag.id, cite(e), i);
          matched = true;
        }
      });
    }
    if (!matched) {
      const step = STEP_RECOMMEND[flag.id];
      const because = flag.evidence.length ? flag.evidence.map(cite) : [`the ${flag.id} flag was raised`];
      for (const b of because) add(`step-${flag.id}`, step.cost, step.text, step.source, flag.id, b, TABLE.length);
    }
  }
  return [...out.values()].sort((a, b) => COST_ORDER[a.cost] - COST_ORDER[b.cost] || orderOf.get(a.id)! - orderOf.get(b.id)!);
}

/** The recommendations as a markdown list (for the summary). */
export function recommendationsMarkdown(list: Recommendation[]): string {
  if (list.length === 0) return 'No recommendation: no flag was raised.\n';
  const lines: string[] = [];
  let cost: Cost | undefined;
  for (const r of list) {
    if (r.cost !== cost) {
      cost = r.cost;
      lines.push(`${lines.length ? '\n' : ''}### ${COST_HEAD[cost]}\n`);
    }
    lines.push(`- **${r.text}** (${r.source}). Because: ${r.because.join('; ')}.`);
  }
  return `${lines.join('\n')}\n`;
}
