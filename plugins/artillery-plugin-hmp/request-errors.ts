// A request error ends the SESSION, not the user (worker side). Artillery's
// HTTP engine ends a VU on a connection-level error (ECONNRESET, refused,
// timeout): against a server that resets, refuses or stalls, a closed model
// fed by a finite pool of spare arrivals runs out of users, and the load it
// measures is a kinder one than the plan's. Here each request step of the
// engine is wrapped: after the engine ran the scenario's onError hooks (the
// error is counted there), the step reports success with
// `$hmpRequestFailed` set, the rest of the session is skipped (the
// processors' sessionOk), and the user pauses and starts a new session, as a
// person would. Artillery's own errors.<code> counter is kept.
// The engine is a class in Artillery's dist: patched once per worker,
// before the first arrival compiles the scenarios (they compile lazily).
// The same patch follows the engine's trace events: each request's start and
// end go to the run's request log (stall analysis), and a request without an
// answer is counted by what happened to its connection (reused or not).
// And the engine sends its requests with Node's http client (lean-http.ts).
import { connectionClass } from './core/connection-errors.ts';
import { useLeanClient, type Requester } from './lean-http.ts';
import { metric } from './core/metric-names.ts';
import { requestEnded, requestSent } from './request-log.ts';
import { countSkipped, failedAt } from './skipped.ts';

type Callback = (err?: (Error & { code?: string }) | null, context?: unknown) => void;
type StepFn = (context: { vars: Record<string, unknown> }, callback: Callback) => void;
interface Emitter {
  emit(event: string, ...args: unknown[]): unknown;
  on?(event: string, listener: (...args: any[]) => void): unknown;
}
interface TraceError {
  code?: string;
  name?: string;
  response?: unknown;
  request?: { reusedSocket?: boolean };
}
interface EngineClass {
  prototype: { step: (spec: Record<string, unknown>, ee: Emitter, opts?: unknown) => StepFn; __hmpKeepsUsers?: boolean };
}
interface EngineThis {
  config?: { processor?: Record<string, unknown> };
  request?: Requester;
  extendedHTTPMetrics?: boolean;
}
type RequestSpec = { name?: string; ifTrue?: string };

const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'];

/** A request step (not a loop, function, think, log or parallel block). */
export function isRequestStep(spec: Record<string, unknown>): boolean {
  return METHODS.some((m) => m in spec) && !('loop' in spec) && !('function' in spec) && !('parallel' in spec);
}

/** The step with request errors turned into a failed session; the callback runs once. */
export function keepUserOnError(step: StepFn, ee: Emitter, name = 'unnamed'): StepFn {
  return (context, callback) => {
    let done = false;
    step(context, (err, ctx) => {
      if (done) return; // the engine can report one error twice (stream error and promise rejection)
      done = true;
      if (!err) return callback(err, ctx);
      ee.emit('error', err.code || err.message);
      context.vars.$hmpRequestFailed = true;
      failedAt(context.vars, name);
      callback(null, ctx ?? context);
    });
  };
}

const traced = new WeakSet<object>();
/** Requests sent and not yet ended: the engine's uuid -> the request log's id. */
const open = new Map<string, string>();

function end(uuid: string, how: 'a' | 't' | 'x', detail?: string | number): boolean {
  const id = open.get(uuid);
  if (id === undefined) return false;
  open.delete(uuid);
  requestEnded(id, how, detail);
  return true;
}

/** Follows the engine's trace:http:request|response events on `ee` (once per emitter). */
export function traceRequests(ee: Emitter): void {
  if (traced.has(ee) || !ee.on) return;
  traced.add(ee);
  ee.on('trace:http:request', (req: { name?: string; method?: string; url?: string }, uuid: string) => {
    open.set(uuid, requestSent(req.name ?? 'unnamed', req.method ?? 'GET', req.url ?? ''));
  });
  ee.on('trace:http:response', (res: { statusCode?: number } | undefined, uuid: string) => end(uuid, 'a', res?.statusCode));
}

/**
 * A request the engine reported failed (from the scenario's onError hooks:
 * the engine's promise does not emit trace:http:error): counted by its
 * connection class, its span ended. Once per request, though the engine may
 * report one error twice.
 */
export function requestFailed(err: TraceError, uuid: string | undefined, ee: Emitter): void {
  if (err?.response) return; // answered: the body broke off later
  const cls = connectionClass(err?.code ?? err?.name ?? '', err?.request?.reusedSocket);
  if (uuid !== undefined && !end(uuid, cls === 'timeout' ? 't' : 'x', cls)) return;
  ee.emit('counter', metric.connection(cls), 1);
}

/** Wraps the engine's request steps (once). */
export function patchEngine(Engine: EngineClass): void {
  const proto = Engine.prototype;
  if (proto.__hmpKeepsUsers) return;
  const original = proto.step;
  proto.step = function step(this: EngineThis, spec: Record<string, unknown>, ee: Emitter, opts?: unknown): StepFn {
    useLeanClient(this); // init() has set got by now: the runner awaits it before the first arrival
    const f = original.call(this, spec, ee, opts);
    if (!isRequestStep(spec)) return f;
    traceRequests(ee);
    const req = (METHODS.map((m) => spec[m]).find((x) => x && typeof x === 'object') ?? {}) as RequestSpec;
    const name = req.name ?? 'unnamed';
    const guard = req.ifTrue ? this.config?.processor?.[req.ifTrue] : undefined;
    const kept = keepUserOnError(f, ee, name);
    if (typeof guard !== 'function') return kept;
    return (context, callback) => {
      countSkipped(ee, context.vars, name, guard as (v: Record<string, unknown>) => unknown);
      kept(context, callback);
    };
  };
  proto.__hmpKeepsUsers = true;
}

let installed: Promise<boolean> | undefined;
let kept = false;

/** Loads Artillery's HTTP engine (the module instance its runner uses) and patches it; false when it cannot. */
export function keepUsersOnRequestErrors(): Promise<boolean> {
  installed ??= (async () => {
    try {
      const url = new URL('./dist/lib/core/engine_http.js', import.meta.resolve('artillery/package.json'));
      const mod = (await import(url.href)) as { default: EngineClass };
      patchEngine(mod.default);
      kept = true;
    } catch {} // the VU then dies on a request error and a spare takes its slot
    return kept;
  })();
  return installed;
}

/** Whether request errors keep the user (the patch is in place): else the VU dies and a spare takes its slot. */
export function usersKept(): boolean {
  return kept;
}
