// Think time between actions (`function: think`): uniform in the profile's
// range (or HMP_THINK_MIN/MAX, or config.variables thinkMin/thinkMax), times
// the time scale. Skipped once the session has failed. With the closed-model
// plugin the gate runs the wait (it may end the session early).
import type { HmpGlobal } from '../plugins/artillery-plugin-hmp/worker.ts';
import type { Rand } from './pick.ts';
import { uniform } from './pick.ts';
import { workerRand } from './random.ts';
import { settings, thinkRangeS, timeScaleOf } from './settings.ts';
import type { Ee, VuContext } from './types.ts';
import { instructorOk, sessionOk, vars } from './vars.ts';

/** Milliseconds to think: uniform in [min, max] seconds, scaled. */
export function thinkMs(rangeS: readonly [number, number], scale: number, rand: Rand): number {
  return Math.round(uniform(rangeS[0], rangeS[1], rand) * 1000 * scale);
}

/**
 * The closed-model plugin's gate and time scale in this worker (its worker
 * side sets globalThis.hmpLoad); undefined without it: Artillery's open model.
 */
export function hmpLoad(): HmpGlobal | undefined {
  return globalThis.hmpLoad;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** This run's time scale for the VU. */
export function timeScale(context: VuContext): number {
  return timeScaleOf(settings(), context.vars, hmpLoad()?.timeScale);
}

/** The think time of this VU's session, in ms (its profile's range: beginSession sets it). */
export function sessionThinkMs(context: VuContext): number {
  const profile = vars(context).profile;
  if (!profile) throw new Error('think time before beginSession: the flow must start with "function: beginSession"');
  return thinkMs(thinkRangeS(settings(), context.vars, profile.thinkS), timeScale(context), workerRand());
}

/** A think time of the session; the gate runs it when loaded (it may end the session early: $hmpYielded). */
export async function pause(context: VuContext): Promise<void> {
  const ms = sessionThinkMs(context);
  const gate = hmpLoad()?.gate;
  if (gate) await gate.think(context, ms);
  else await sleep(ms);
}

export async function think(context: VuContext, _ee: Ee): Promise<void> {
  if (sessionOk(context.vars)) await pause(context);
}

/** A think step of the instructor block: function steps take no ifTrue, so it checks instructorOk itself. */
export async function thinkIfInstructor(context: VuContext, _ee: Ee): Promise<void> {
  if (instructorOk(context.vars)) await pause(context);
}
