// suite-state.json: what the suite has done so far, written atomically
// after every step, so a report can always be built and --resume can
// continue from the first unfinished test. The decisions on it are pure.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Evidence, FlagId } from '../../diagnosis/recommendations.ts';
import type { Diagnosis } from '../../diagnosis/types.ts';
import { writeAtomic } from '../../lib/atomic-file.ts';
import { EXIT, type SuiteOptions } from './args.ts';
import { STEPS, stepNumber, TESTS, type StepId, type TestId } from './steps.ts';

export const STATE_FILE = 'suite-state.json';
export const STATE_SCHEMA = 'hmp-load/suite-state@1';

/**
 * passed: met the algorithm's conditions (setup: seeded and verified;
 * teardown: removed and verified). flagged: raised the plan's flag.
 * aborted: the smoke's ABORT. recorded: the breakpoint (it measures, it
 * does not pass or fail). skipped: not run, with the reason. failed: the
 * step could not do its job (the suite's own failure). interrupted: Ctrl-C.
 */
export type StepStatus = 'pending' | 'running' | 'passed' | 'flagged' | 'aborted' | 'recorded' | 'skipped' | 'failed' | 'interrupted';

export interface StepRecord {
  id: StepId;
  n: number;
  status: StepStatus;
  /** One sentence: why this status. */
  reason?: string;
  startedAt?: string;
  endedAt?: string;
  durationS?: number;
  /** The time scale this step ran at. */
  timeScale?: number;
  flag?: FlagId;
  /** The measurements behind the flag (or the abort). */
  evidence?: Evidence[];
  /** Key numbers, for the tables. */
  numbers?: Record<string, number | string | boolean | null>;
  /** Things worth knowing that raised no flag. */
  notes?: string[];
  /** Paths relative to the suite folder. */
  dir?: string;
  report?: string;
  results?: string;
  log?: string;
  artilleryExit?: number | null;
  /** The test's incidents, their causes and its findings (its report's summary.json: diagnosis/). */
  diagnosis?: Diagnosis;
  /** Step-specific analyses (baseline, recovery, integrity, crash watch, drift, bottleneck, setup and teardown counts). */
  details?: Record<string, unknown>;
}

export interface Invocation {
  startedAt: string;
  endedAt?: string;
  exitCode?: number;
  resumed: boolean;
  target?: string;
}

export interface SuiteState {
  schema: typeof STATE_SCHEMA;
  id: string;
  createdAt: string;
  updatedAt: string;
  options: SuiteOptions;
  /** The data file test-env writes (kept out of the suite folder: it holds private keys). */
  dataFile: string;
  invocations: Invocation[];
  steps: Record<StepId, StepRecord>;
}

export class StateError extends Error {}

export function newState(id: string, options: SuiteOptions, dataFile: string, now: Date): SuiteState {
  const steps = Object.fromEntries(STEPS.map((s) => [s, { id: s, n: stepNumber(s), status: 'pending' } satisfies StepRecord])) as Record<StepId, StepRecord>;
  for (const t of TESTS) {
    if (!options.tests.includes(t)) {
      steps[t].status = 'skipped';
      steps[t].reason = notSelected(t, options);
    }
  }
  return { schema: STATE_SCHEMA, id, createdAt: now.toISOString(), updatedAt: now.toISOString(), options, dataFile, invocations: [], steps };
}

/** Why a test is not among the options' tests, and how to include it (said on the console and in the report). */
function notSelected(test: TestId, o: Pick<SuiteOptions, 'only' | 'skip'>): string {
  if (o.only && !o.only.includes(test)) return `not selected (--only ${o.only.join(',')}); to run it, add it to --only.`;
  if (!o.skip.includes(test)) return 'not selected.';
  const rest = o.skip.filter((t) => t !== test);
  return `left out (--skip ${o.skip.join(',')}); to run it, ${rest.length ? `use --skip ${rest.join(',')}` : `leave out --skip ${test}`}.`;
}

export function writeState(dir: string, state: SuiteState, now = new Date()): void {
  state.updatedAt = now.toISOString();
  writeAtomic(join(dir, STATE_FILE), `${JSON.stringify(state, null, 2)}\n`);
}

export function readState(dir: string): SuiteState {
  const path = join(dir, STATE_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new StateError(`${dir} holds no ${STATE_FILE} (${code === 'ENOENT' ? 'no such file' : code}); give the folder of a suite run (reports/suite-<time>/).`);
  }
  let value: SuiteState;
  try {
    value = JSON.parse(text) as SuiteState;
  } catch {
    throw new StateError(`${path} is not JSON; it cannot be resumed.`);
  }
  if (value?.schema !== STATE_SCHEMA || typeof value.steps !== 'object' || typeof value.options !== 'object' || !Array.isArray(value.options.tests)) {
    throw new StateError(`${path} is not a suite state (${STATE_SCHEMA}); it cannot be resumed.`);
  }
  return value;
}

// --- pure decisions ------------------------------------------------------

/** A test step that needs no re-run on --resume. */
export function isFinished(r: StepRecord): boolean {
  return r.status === 'passed' || r.status === 'flagged' || r.status === 'aborted' || r.status === 'recorded' || r.status === 'skipped';
}

export function abortedBy(state: SuiteState): StepRecord | undefined {
  return TESTS.map((t) => state.steps[t]).find((r) => r.status === 'aborted');
}

/** Tests of this suite still to run, in order (the first unfinished one first). */
export function testsToRun(state: SuiteState): TestId[] {
  if (abortedBy(state)) return [];
  return state.options.tests.filter((t) => !isFinished(state.steps[t]));
}

/**
 * The soak's prerequisite: every earlier test that ran passed (with --only,
 * the earlier tests are those selected). Returns the reason to skip, or undefined.
 */
export function soakBlockedBy(state: SuiteState): string | undefined {
  // "All previous tests passed": the breakpoint's 'recorded' counts as passed.
  const notPassed = state.options.tests.filter((t) => t !== 'soak' && state.steps[t].status !== 'passed' && state.steps[t].status !== 'recorded');
  if (notPassed.length === 0) return undefined;
  return `Prerequisites not met: ${notPassed.map((t) => `${t} ${state.steps[t].status}`).join(', ')} (the soak runs only if every earlier test passed; --only soak runs it on its own).`;
}

export type Outcome = 'PASSED' | 'FLAGGED' | 'ABORTED' | 'INTERRUPTED' | 'FAILED' | 'INCOMPLETE';

/** The suite's outcome: failed > interrupted > aborted > flagged > passed. */
export function outcomeOf(state: SuiteState): Outcome {
  const all = STEPS.map((s) => state.steps[s]);
  if (all.some((r) => r.status === 'failed')) return 'FAILED';
  if (all.some((r) => r.status === 'interrupted')) return 'INTERRUPTED';
  if (abortedBy(state)) return 'ABORTED';
  if (all.some((r) => r.status === 'flagged')) return 'FLAGGED';
  if (all.some((r) => r.status === 'pending' || r.status === 'running')) return 'INCOMPLETE';
  return 'PASSED';
}

const EXIT_OF: Record<Outcome, number> = { PASSED: EXIT.ok, FLAGGED: EXIT.flagged, ABORTED: EXIT.aborted, INTERRUPTED: EXIT.interrupted, FAILED: EXIT.failed, INCOMPLETE: EXIT.failed };

export function exitCodeOf(outcome: Outcome): number {
  return EXIT_OF[outcome];
}

/** Resets a step to be run again (resume), keeping nothing of the unfinished attempt. */
export function resetStep(state: SuiteState, step: StepId): void {
  state.steps[step] = { id: step, n: stepNumber(step), status: 'pending' };
}
