// The suite's nine steps (plan section 6, "Execution Algorithm") and the
// numbers its IF conditions use (pure data).
import type { FlagId } from '../../diagnosis/recommendations.ts';

export const TESTS = ['smoke', 'average', 'stress', 'spike', 'breakpoint', 'soak'] as const;
export type TestId = (typeof TESTS)[number];

export const STEPS = ['setup', ...TESTS, 'teardown', 'report'] as const;
export type StepId = (typeof STEPS)[number];

export const STEP_COUNT = STEPS.length;

export function stepNumber(step: StepId): number {
  return STEPS.indexOf(step) + 1;
}

export const STEP_TITLE: Record<StepId, string> = {
  setup: 'Setup',
  smoke: 'Smoke test',
  average: 'Load test (average)',
  stress: 'Stress test',
  spike: 'Spike test',
  breakpoint: 'Breakpoint test',
  soak: 'Soak test',
  teardown: 'Teardown',
  report: 'Report',
};

/** The plan's words for each flag (and the smoke's ABORT). */
export const FLAG_TITLE: Record<FlagId, string> = {
  functional: 'Functional issues detected',
  baseline: 'Baseline performance insufficient',
  unstable: 'System unstable under higher sustained load',
  burst: 'Poor burst handling',
  stability: 'Long-term stability issues',
  capacity: "System does not support the plan's peak usage",
};

/**
 * The smoke runs at this time scale at least (unless --smoke-time-scale
 * says otherwise): its session (every endpoint once, a conversion, ~25
 * requests) must fit in the hold, or endpoints go unanswered and the smoke
 * aborts the suite for no functional reason. It is a 2-minute test anyway.
 */
export const SMOKE_MIN_TIME_SCALE = 0.1;

/**
 * The spike runs at this time scale at least: its 60 users arrive in its
 * 1-minute ramp, 3.6 s here, and its 3-minute peak lasts one 10 s period
 * (core/run-length.ts). Compressed further, a busy load generator reached
 * 1 of 59 users and the spike was not tested (the load verdict says so).
 */
export const SPIKE_MIN_TIME_SCALE = 0.06;

/**
 * Under strong compression the breakpoint's 200 users would think for a few
 * ms between requests: a DoS, not a load test. Below this time scale, and
 * without --think, its think time is kept at 0.5-1.5 s of real time.
 */
export const BREAKPOINT_THINK_BELOW_SCALE = 0.1;
export const BREAKPOINT_REAL_THINK_S: readonly [number, number] = [0.5, 1.5];

/** Artillery start-up and shutdown per step, for the remaining-time estimate (s). */
export const STEP_OVERHEAD_S = 10;
