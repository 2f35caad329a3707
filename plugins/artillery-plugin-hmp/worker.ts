// Worker side: completes the per-worker script (target, scenarios, hooks)
// and installs the closed-model gate the processors call.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { buildShape, type UserPhase } from './shape.ts';
import { ClosedModelGate, type GateContext } from './closed-model.ts';
import { metric } from './core/metric-names.ts';
import { keepUsersOnRequestErrors, requestFailed, usersKept } from './request-errors.ts';
import { failedAt } from './skipped.ts';
import { logErrorSample } from './request-log.ts';
import { peakShareOf, type WorkerShare } from './core/worker-share.ts';

/** What the main thread hands the worker, inside the first arrival phase. */
export interface GatePayload {
  userPhases: UserPhase[];
  timeScale: number;
  seed: number;
  scenarios: string;
  /** A distributed run: this generator's share of the plan's users (core/worker-share.ts). */
  share?: WorkerShare;
}

export interface HmpGlobal {
  gate: ClosedModelGate;
  timeScale: number;
}

declare global {
  // eslint-disable-next-line no-var
  var hmpLoad: HmpGlobal | undefined;
}

type Next = (err?: Error | null) => void;
interface Emitter {
  emit(event: string, ...args: unknown[]): boolean;
}

const SAMPLE_MS = 1000;
/** The longest the shape waits for its first phase's users (wall ms). */
const READY_WAIT_MS = 3000;

export function setUpWorker(script: Record<string, any>): void {
  const payload = (script.config.phases as Array<Record<string, any>>).find((p) => p.hmp)?.hmp as GatePayload | undefined;
  if (!payload) return; // this worker got no arrivals

  // The main thread resolved the target (--target, HMP_TARGET or a local twin).
  if (!/^https?:\/\//.test(String(script.config.target ?? '')) && process.env.HMP_TARGET) script.config.target = process.env.HMP_TARGET;
  if (!Array.isArray(script.scenarios) || script.scenarios.length === 0) {
    const doc = parseYaml(readFileSync(payload.scenarios, 'utf8')) as { scenarios?: unknown[] };
    script.scenarios = doc.scenarios ?? [];
  }

  // Before the first arrival compiles the scenarios: a request error ends the session, not the user.
  void keepUsersOnRequestErrors();
  const shape = buildShape(payload.userPhases, payload.timeScale, payload.seed, payload.share);
  // The shape starts once its first phase's users have arrived (or after READY_WAIT_MS): a compressed
  // ramp on a busy machine ran ahead of users not there yet (1 of 15 users in a 1.5 s average).
  const ready = peakShareOf(Math.ceil(shape.segments[0]?.users ?? 0), shape.share);
  const gate = new ClosedModelGate(shape, undefined, { users: ready, maxWaitMs: READY_WAIT_MS });
  globalThis.hmpLoad = { gate, timeScale: payload.timeScale };

  let sampler: NodeJS.Timeout | undefined;
  const processor = script.config.processor as Record<string, unknown>;
  // First VU start: take the shared scenario emitter to report the users every second.
  processor.hmpGate_beforeScenario = (_context: GateContext, ee: Emitter, next: Next) => {
    if (!sampler) {
      const emit = () => {
        if (gate.ended) return clearInterval(sampler); // after the shape, the target means nothing
        gate.rebalance(); // measure right after the gate has followed the line, not up to a tick late
        const s = gate.sample();
        ee.emit('histogram', metric.usersTarget, s.target);
        ee.emit('histogram', metric.usersActive, s.active);
        ee.emit('histogram', metric.usersDeviation, Math.abs(s.active - s.target));
        // A distributed run: target and active are this worker's share; N says how to add the workers' up (core/merged-users.ts).
        if (shape.share) ee.emit('histogram', metric.usersWorkers, shape.share.workers);
        // The main thread's periods are placed on this clock, not on its own (which starts before the users are there).
        if (gate.started) ee.emit('histogram', metric.shapeStartedAt, Date.now() - gate.elapsed() * 1000);
      };
      sampler = setInterval(emit, SAMPLE_MS);
      sampler.unref();
    }
    next();
  };
  // A request error (no answer: reset, refused, timeout): count it as an
  // error of its endpoint. The user stays (request-errors.ts) and its session
  // ends; if the engine could not be patched, the VU dies and its slot goes
  // to a parked spare.
  processor.hmpGate_onError = (err: NodeJS.ErrnoException, req: { name?: string; uuid?: string }, context: GateContext, ee: Emitter, next: Next) => {
    requestFailed(err, req?.uuid, ee);
    const code = err.code ?? 'request_error';
    const name = req?.name ?? 'unnamed';
    logErrorSample(name, code, err.message);
    ee.emit('counter', metric.allErrors, 1);
    ee.emit('counter', metric.errors(name), 1);
    ee.emit('counter', metric.error(name, code), 1);
    if (usersKept()) {
      context.vars.$hmpRequestFailed = true;
      failedAt(context.vars, name);
      return next();
    }
    if (context.vars.$hmpSlot === true) ee.emit('counter', metric.usersLost, 1);
    gate.vuFailed(context);
    next();
  };
  for (const scenario of script.scenarios as Array<Record<string, any>>) {
    scenario.beforeScenario = ['hmpGate_beforeScenario', ...[].concat(scenario.beforeScenario ?? [])];
    scenario.onError = [...[].concat(scenario.onError ?? []), 'hmpGate_onError'];
  }
}
