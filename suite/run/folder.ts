// The suite folder (I/O): a new one with its state, or the state of one to resume.
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { utcStamp } from '../../report/build.ts';
import type { SuiteOptions } from './args.ts';
import { dataFileFor, ROOT } from './paths.ts';
import { isFinished, newState, readState, resetStep, testsToRun, writeState, type SuiteState } from './state.ts';
import { TESTS } from './steps.ts';

/** A new suite folder <out>/suite-<UTC start>/ with its state (out: --out, else HMP_REPORTS_DIR, else reports/). */
export function createSuite(options: SuiteOptions, env: Record<string, string | undefined>, now = Date.now()): { dir: string; state: SuiteState } {
  const parent = resolve(options.out ?? env.HMP_REPORTS_DIR ?? join(ROOT, 'reports'));
  const stamp = `suite-${utcStamp(now)}`; // suite-20261127T040110Z
  let name = stamp;
  for (let i = 2; existsSync(join(parent, name)); i++) name = `${stamp}-${i}`;
  const dir = join(parent, name);
  mkdirSync(dir, { recursive: true });
  const state = newState(name, options, dataFileFor(name), new Date(now));
  writeState(dir, state);
  return { dir, state };
}

/** Loads a suite to resume: tests not finished are run again; setup, teardown and the report always are. */
export function resumeSuite(dir: string): SuiteState {
  const state = readState(dir);
  for (const t of TESTS) if (!isFinished(state.steps[t])) resetStep(state, t);
  // Nothing left to test: keep set-up and teardown as they were (a failed teardown is retried).
  const steps = testsToRun(state).length > 0 ? (['setup', 'teardown', 'report'] as const) : (['report'] as const);
  for (const s of steps) resetStep(state, s);
  return state;
}
