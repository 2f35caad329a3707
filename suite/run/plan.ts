// The tests' load shapes from the phase files (for the progress view's
// remaining time and current users), and each step's time scale and think
// time. Reading the files is the only I/O.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { buildShape, readUserPhases, type Shape, type UserPhase } from '../../plugins/artillery-plugin-hmp/shape.ts';
import { ROOT } from './paths.ts';
import { BREAKPOINT_REAL_THINK_S, BREAKPOINT_THINK_BELOW_SCALE, SMOKE_MIN_TIME_SCALE, SPIKE_MIN_TIME_SCALE, TESTS, type TestId } from './steps.ts';

export function readPhases(test: TestId, root = ROOT): UserPhase[] {
  const doc = parseYaml(readFileSync(join(root, 'phases', `${test}.yml`), 'utf8')) as { config?: { phases?: unknown } };
  return readUserPhases(doc?.config?.phases);
}

/** Every test's shape at its time scale; a file that cannot be read gives no shape (the view then shows less). */
export function loadShapes(scaleOf: (t: TestId) => number, root = ROOT): Partial<Record<TestId, Shape>> {
  const out: Partial<Record<TestId, Shape>> = {};
  for (const t of TESTS) {
    try {
      out[t] = buildShape(readPhases(t, root), scaleOf(t));
    } catch {
      // no shape: the progress view estimates without it
    }
  }
  return out;
}

/** The time scale a test runs at: the suite's; the smoke's own, or never below its floor; the spike never below its floor. */
export function timeScaleFor(test: TestId, timeScale: number, smokeTimeScale?: number): number {
  if (test === 'spike') return Math.max(timeScale, SPIKE_MIN_TIME_SCALE);
  if (test !== 'smoke') return timeScale;
  return smokeTimeScale ?? Math.max(timeScale, SMOKE_MIN_TIME_SCALE);
}

/**
 * Think range (plan seconds) for a test: --think for every test but the
 * smoke; without it, the breakpoint under strong compression keeps 0.5-1.5 s
 * of real think time; otherwise the journeys' own (undefined).
 */
export function thinkFor(test: TestId, timeScale: number, think: [number, number] | undefined): [number, number] | undefined {
  if (test === 'smoke') return undefined;
  if (think) return think;
  if (test === 'breakpoint' && timeScale < BREAKPOINT_THINK_BELOW_SCALE) {
    const r = (x: number) => Math.round((x / timeScale) * 1000) / 1000;
    return [r(BREAKPOINT_REAL_THINK_S[0]), r(BREAKPOINT_REAL_THINK_S[1])];
  }
  return undefined;
}
