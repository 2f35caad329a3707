// What the processors need from the suite's closed-model plugin
// (plugins/artillery-plugin-hmp), which sets globalThis.hmpLoad in each
// worker that runs the closed model. Read structurally: without the plugin
// it is undefined and sessions run in Artillery's open model.
import type { VuContext } from './types.ts';

export interface SessionGate {
  /** Before each session: true = run it, false = this VU leaves. May wait (a parked VU). */
  beginSession(context: VuContext): boolean | Promise<boolean>;
  /** After each session (the session loop's whileTrue): false = this VU leaves. */
  staysOn(context: VuContext): boolean | Promise<boolean>;
  /** A think time that may end early when the target concurrency falls (then $hmpYielded is set). */
  think?(context: VuContext, ms: number): Promise<void>;
}

export interface HmpLoad {
  gate?: SessionGate;
  /** The run's time scale, as the plugin resolved it. */
  timeScale?: number;
}

export function hmpLoad(): HmpLoad | undefined {
  return (globalThis as unknown as { hmpLoad?: HmpLoad }).hmpLoad;
}
