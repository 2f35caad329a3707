// What to improve, chosen by cause (pure). The orchestrator raises the plan's
// flags (section 6, execution algorithm) with the measurements that
// triggered them and the test's diagnosis (its incidents and their causes);
// each determined cause selects the items of the plan's improvement list
// (section 7, quoted verbatim) that address it, or plain words of its own
// when the plan lists none (the database unavailable). No cause, no
// recommendation: an SLO miss without one says what to measure next. At
// most MAX_PER_FLAG per flag, ranked by how many failed or slowed requests
// their cause explains.
//   flag        plan step                                  plan's own RECOMMEND
//   functional  2 smoke: errors > 0                         (ABORT "Functional issues detected")
//   baseline    3 average: error rate > 1% or p99 > SLO     caching, indexes, pagination
//   unstable    4 stress: crash or error rate > 5%          infrastructure scaling or rate limiting
//   burst       5 spike: error rate > 3% or recovery > 5m   async queues, circuit breakers, autoscaling
//   stability   7 soak: memory > 10% or degradation > 15%   memory profiling and leak detection
//   capacity    6 breakpoint: max sustainable < plan's peak  (section 1 goals; what failed first decides)
import { fmtMs, fmtS, round } from '../plugins/artillery-plugin-hmp/core/stats.ts';
import { sameCause } from './causes.ts';
import type { Cause, Diagnosis, Incident } from './types.ts';
import { causeWords, windowWords } from './words.ts';

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
  /** The flagged test's diagnosis (its summary's): the causes the recommendations address. */
  diagnosis?: Diagnosis;
}

/** fix: correctness first; low/high: the plan's cost classes; measure: no cause determined, what to measure next. */
export type Cost = 'fix' | 'low' | 'high' | 'measure';

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
  /** The causes it addresses, with their incidents, in words (none for a measurement with no window: data loss, memory growth). */
  addresses: string[];
  flags: FlagId[];
  /** Failed or slowed requests its cause explains (the ranking). */
  weight: number;
}

// --- the plan's items, quoted ---------------------------------------------------

const PLAN_LIST: Record<'low' | 'high', string> = { low: 'plan section 7, low-cost (code changes)', high: 'plan section 7, high-cost (infrastructure)' };
const DIAGNOSIS = 'the diagnosis: a cause the plan does not list';

type Item = Pick<Recommendation, 'id' | 'cost' | 'text' | 'source'>;
const plan = (id: string, cost: 'low' | 'high', text: string): Item => ({ id, cost, text, source: PLAN_LIST[cost] });

/** The plan's section 7 items, verbatim (a test checks each against the plan). */
export const PLAN_ITEMS = {
  cacheLists: plan('cache-lists', 'low', 'Introduce/optimize caching for read-heavy list endpoints (GET /project/, GET /submission/)'),
  rateLimit: plan('rate-limit', 'low', 'Add rate limiting and circuit breakers on heavy endpoints (especially POST /pdf-to-audio/execute and POST /submission/)'),
  asyncConvert: plan('async-convert', 'low', 'Make pdf-to-audio asynchronous with a job queue and idempotent triggers; return 202 Accept with job id'),
  pagination: plan('pagination', 'low', 'Apply pagination consistently and lower default page sizes'),
  dbAccess: plan('db-access', 'low', 'Optimize DB access: indexes, N+1 elimination, connection pooling'),
  streaming: plan('streaming', 'low', 'Stream uploads/downloads; limit payload sizes; compress responses where appropriate'),
  backpressure: plan('timeouts-backpressure', 'low', 'Add server-side request timeouts and backpressure to protect the app under overload'),
  scale: plan('scale', 'high', 'Scale vCPU/RAM; enable autoscaling where cost-effective'),
  convertWorkers: plan('convert-workers', 'high', 'Separate workers for CPU-bound audio conversion (dedicated service/container)'),
  objectStorage: plan('object-storage', 'high', 'Consider object storage for submissions and audio artifacts'),
} satisfies Record<string, Item>;

const P = PLAN_ITEMS;
const LIST = /^(project_list|submission_list)$/;
const CONTENT = /^(submission_content|submission_create)$/;
const CONVERT = /^pdf_/;

/** What addresses a cause, most direct first. */
function itemsFor(c: Cause, notRecovered: boolean): Item[] {
  switch (c.id) {
    case 'dependency-outage':
      return [{ id: 'dependency-availability', cost: 'fix', source: DIAGNOSIS, text: `Find out why ${c.dependency ?? 'the dependency'} became unreachable (its own log, restarts, maintenance, the network to it) and keep it available; while it is away the server could answer 503 with Retry-After instead of 500.` }];
    case 'process-restart':
      return [{ id: 'process-exit', cost: 'fix', source: DIAGNOSIS, text: "Find why the server process exited (its exit status, the supervisor's log, an out-of-memory kill in the kernel's log) and fix that; run at least two instances so that a restart does not refuse every request meanwhile." }];
    case 'blocked-by-kind':
      if (CONVERT.test(c.kind ?? '')) return [P.asyncConvert, P.convertWorkers];
      return [{ id: `unblock-${c.kind ?? 'request'}`, cost: 'low', source: DIAGNOSIS, text: `Take ${c.kind ?? 'the blocking request'} off the server's only event loop (a worker thread or process, or an asynchronous job), so that it cannot hold every other request.` }];
    case 'server-frozen':
      return [{ id: 'find-blocking-call', cost: 'fix', source: DIAGNOSIS, text: "Find what blocks the server's event loop (a stack dump during a stall, e.g. py-spy dump, names the call) and move it off the loop (a worker thread or process, or an asynchronous client); a server-side request timeout keeps one blocked call from holding every request." }, P.backpressure];
    case 'pool-starvation':
      return [
        ...(notRecovered ? [{ id: 'release-connections', cost: 'fix' as const, source: DIAGNOSIS, text: 'Return every database connection to the pool on every path (after the load its connections stayed held, so the server never recovered): close each session in a finally block, and set idle_in_transaction_session_timeout in PostgreSQL.' }] : []),
        P.dbAccess,
        P.backpressure,
      ];
    case 'cpu-saturation':
      return [P.scale];
    case 'memory-saturation':
      return [P.scale, P.streaming];
    case 'slow-endpoint': {
      const k = c.kind ?? '';
      if (LIST.test(k)) return [P.pagination, P.cacheLists, P.dbAccess];
      if (CONTENT.test(k)) return [P.streaming, P.objectStorage];
      if (CONVERT.test(k)) return [P.asyncConvert];
      return [P.dbAccess];
    }
    case 'undetermined':
      return [];
  }
}

/** Items for measurements that are not windows of the run (their own cause, measured): data loss, memory growth, sustained CPU/RAM. */
function itemsForEvidence(e: Evidence): Item[] {
  switch (e.kind) {
    case 'data_loss':
      return [{ id: 'fix-data-loss', cost: 'fix', source: 'plan section 6, spike success criteria ("no data loss")', text: 'Fix the data loss: an upload the server acknowledges must be stored, with the hash and content that were sent.' }];
    case 'memory_growth':
    case 'degradation':
      return [{ id: 'memory-profiling', cost: 'low', source: 'plan section 6, step 7 (RECOMMEND)', text: 'memory profiling and leak detection' }];
    case 'cpu':
    case 'ram':
      return [P.scale];
    default:
      return [];
  }
}

/** Evidence kinds that are symptoms in windows of the run: their cause is the incidents'. */
const SYMPTOM = new Set<EvidenceKind>(['p99', 'error_rate', 'status', 'timeouts', 'unanswered', 'crash', 'stall', 'pool', 'recovery', 'capacity']);

export const MAX_PER_FLAG = 3;

/** Requests an incident explains: failed ones, or for a window of slowness, those sent in it. */
const weightOf = (i: Incident) => Math.max(i.client.failed, i.kinds.includes('slow') || i.kinds.includes('stall') ? i.client.sent : 0);

/** "incident 1, 1:11-1:41 of the test (...): the database was unreachable" per cause. */
function causesOf(d: Diagnosis | undefined): Array<{ cause: Cause; incidents: Incident[]; weight: number }> {
  const out: Array<{ cause: Cause; incidents: Incident[]; weight: number }> = [];
  for (const i of d?.incidents ?? []) {
    const row = out.find((r) => sameCause(r.cause, i.cause));
    if (row) {
      row.incidents.push(i);
      row.weight += weightOf(i);
    } else out.push({ cause: i.cause, incidents: [i], weight: weightOf(i) });
  }
  return out.sort((a, b) => b.weight - a.weight);
}

function addressWords(c: { cause: Cause; incidents: Incident[] }, test: string): string {
  const windows = c.incidents.slice(0, 3).map((i) => `${i.n} (${windowWords(i).replace(/ \(.*$/, '')})`);
  const more = c.incidents.length > 3 ? ` and ${c.incidents.length - 3} more` : '';
  return `${c.cause.title}: incident${c.incidents.length === 1 ? '' : 's'} ${windows.join(', ')}${more} of the ${test}`;
}

/** What to measure next for a flag whose symptoms have no determined cause. */
function measureNext(flag: Flag, undetermined: Cause[]): Item & { because: string[] } {
  const toDecide = [...new Set(undetermined.map((c) => c.toDecide).filter((x): x is string => Boolean(x)))];
  const what = toDecide.length ? toDecide.join('; ') : "give --server-log and sample the server's CPU and memory (--system-metrics), then run the test again";
  return { id: `measure-${flag.id}`, cost: 'measure', source: 'the diagnosis: no cause determined', text: `No cause was determined for what failed here, so no fix is recommended yet: ${what}.`, because: flag.evidence.filter((e) => SYMPTOM.has(e.kind)).map(cite) };
}

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

const COST_ORDER: Record<Cost, number> = { fix: 0, low: 1, high: 2, measure: 3 };
export const COST_HEAD: Record<Cost, string> = { fix: 'Fix first', low: 'Low-cost (code changes)', high: 'High-cost (infrastructure)', measure: 'Measure next (no cause determined)' };

/** The smoke's ABORT: the plan's own words, with the cause when one explains its errors. */
const FIX_FUNCTIONAL: Item = { id: 'fix-functional', cost: 'fix', source: 'plan section 6, step 2 (ABORT)', text: 'Fix the functional issues before any load test (the smoke test found errors: "Functional issues detected").' };

export function recommend(flags: Flag[]): Recommendation[] {
  const out = new Map<string, Recommendation>();
  const add = (item: Item, flag: FlagId, because: string[], addresses: string[], weight: number) => {
    let r = out.get(item.id);
    if (!r) out.set(item.id, (r = { ...item, because: [], addresses: [], flags: [], weight: 0 }));
    for (const b of because) if (!r.because.includes(b)) r.because.push(b);
    for (const a of addresses) if (!r.addresses.includes(a)) r.addresses.push(a);
    if (!r.flags.includes(flag)) r.flags.push(flag);
    r.weight += weight;
  };
  for (const flag of flags) {
    const test = flag.evidence[0]?.test ?? flag.id;
    const chosen: Array<{ item: Item; because: string[]; addresses: string[]; weight: number }> = [];
    const symptoms = flag.evidence.filter((e) => SYMPTOM.has(e.kind)).map(cite);
    const causes = causesOf(flag.diagnosis);
    const notRecovered = flag.diagnosis?.findings.some((f) => f.id === 'not-recovered') ?? false;
    if (flag.id === 'functional') chosen.push({ item: FIX_FUNCTIONAL, because: flag.evidence.map(cite), addresses: [], weight: Infinity });
    for (const e of flag.evidence) for (const item of itemsForEvidence(e)) chosen.push({ item, because: [cite(e)], addresses: [], weight: e.kind === 'data_loss' ? Infinity : e.measured });
    for (const c of causes) {
      for (const item of itemsFor(c.cause, notRecovered)) chosen.push({ item, because: [causeWords(c.cause), ...symptoms.slice(0, 2)], addresses: [addressWords(c, test)], weight: c.weight });
    }
    const determined = causes.filter((c) => c.cause.id !== 'undetermined');
    const undetermined = causes.filter((c) => c.cause.id === 'undetermined').map((c) => c.cause);
    // Symptoms that no determined cause explains: say what would decide, instead of guessing.
    if (symptoms.length && determined.length === 0 && flag.id !== 'functional') {
      const m = measureNext(flag, undetermined);
      chosen.push({ item: m, because: m.because, addresses: [], weight: 0 });
    }
    chosen.sort((a, b) => b.weight - a.weight || COST_ORDER[a.item.cost] - COST_ORDER[b.item.cost]);
    const seen = new Set<string>();
    for (const c of chosen) {
      if (seen.has(c.item.id) || seen.size >= MAX_PER_FLAG) continue;
      seen.add(c.item.id);
      add(c.item, flag.id, c.because, c.addresses, Number.isFinite(c.weight) ? c.weight : 0);
    }
  }
  return [...out.values()].sort((a, b) => COST_ORDER[a.cost] - COST_ORDER[b.cost] || b.weight - a.weight);
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
    lines.push(`- **${r.text}** (${r.source}).${r.addresses.length ? ` Addresses: ${r.addresses.join('; ')}.` : ''} Because: ${r.because.join('; ')}.`);
  }
  return `${lines.join('\n')}\n`;
}
