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

type Callback = (err?: (Error & { code?: string }) | null, context?: unknown) => void;
type StepFn = (context: { vars: Record<string, unknown> }, callback: Callback) => void;
interface Emitter {
  emit(event: string, ...args: unknown[]): unknown;
}
interface EngineClass {
  prototype: { step: (spec: Record<string, unknown>, ee: Emitter, opts?: unknown) => StepFn; __hmpKeepsUsers?: boolean };
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'];

/** A request step (not a loop, function, think, log or parallel block). */
export function isRequestStep(spec: Record<string, unknown>): boolean {
  return METHODS.some((m) => m in spec) && !('loop' in spec) && !('function' in spec) && !('parallel' in spec);
}

/** The step with request errors turned into a failed session; the callback runs once. */
export function keepUserOnError(step: StepFn, ee: Emitter): StepFn {
  return (context, callback) => {
    let done = false;
    step(context, (err, ctx) => {
      if (done) return; // the engine can report one error twice (stream error and promise rejection)
      done = true;
      if (!err) return callback(err, ctx);
      ee.emit('error', err.code || err.message);
      context.vars.$hmpRequestFailed = true;
      callback(null, ctx ?? context);
    });
  };
}

/** Wraps the engine's request steps; true once installed. */
export function patchEngine(Engine: EngineClass): boolean {
  const proto = Engine.prototype;
  if (proto.__hmpKeepsUsers) return true;
  const original = proto.step;
  proto.step = function step(this: unknown, spec: Record<string, unknown>, ee: Emitter, opts?: unknown): StepFn {
    const f = original.call(this, spec, ee, opts);
    return isRequestStep(spec) ? keepUserOnError(f, ee) : f;
  };
  proto.__hmpKeepsUsers = true;
  return true;
}

let installed: Promise<boolean> | undefined;
let kept = false;

/** Loads Artillery's HTTP engine (the module instance its runner uses) and patches it; false when it cannot. */
export function keepUsersOnRequestErrors(): Promise<boolean> {
  installed ??= (async () => {
    try {
      const url = new URL('./dist/lib/core/engine_http.js', import.meta.resolve('artillery/package.json'));
      const mod = (await import(url.href)) as { default: EngineClass };
      kept = patchEngine(mod.default);
    } catch {
      kept = false;
    }
    return kept;
  })();
  return installed;
}

/** Whether request errors keep the user (the patch is in place): else the VU dies and a spare takes its slot. */
export function usersKept(): boolean {
  return kept;
}
