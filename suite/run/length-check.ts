// Before any load: does the suite's time scale leave each test it will run
// long enough to judge? The same rule as a plain run's (core/run-length.ts),
// at each test's own scale (the smoke's and the spike's floors included), so
// the suite refuses in one sentence instead of judging a run of seconds.
import { lengthNeeds, tooShort, type TooShort } from '../../plugins/artillery-plugin-hmp/core/run-length.ts';
import type { UserPhase } from '../../plugins/artillery-plugin-hmp/shape.ts';
import { timeScaleFor } from './plan.ts';
import type { TestId } from './steps.ts';

export interface LengthInput {
  tests: TestId[];
  timeScale: number;
  smokeTimeScale: number | undefined;
}

/** The tests too short at their scales (pure). */
export function shortTests(o: LengthInput, phasesOf: (t: TestId) => UserPhase[], drift: { windowS: number; minWindowPeriods: number }): TooShort[] {
  return o.tests.flatMap((t) => {
    const short = tooShort(t, lengthNeeds(t, phasesOf(t), drift), timeScaleFor(t, o.timeScale, o.smokeTimeScale));
    return short ? [short] : [];
  });
}

const list = (xs: string[]) => (xs.length < 2 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs.at(-1)}`);

/** One sentence: which tests, the tightest one's reason, and the flag values that work (pure). */
export function lengthSentence(o: LengthInput, shorts: TooShort[]): string {
  // The smoke's own scale, when given, is its own flag's business.
  const bySmokeFlag = shorts.filter((s) => s.test === 'smoke' && o.smokeTimeScale !== undefined);
  const bySuiteFlag = shorts.filter((s) => !bySmokeFlag.includes(s));
  const clauses: string[] = [];
  if (bySuiteFlag.length) {
    const worst = bySuiteFlag.reduce((a, b) => (b.minScale > a.minScale ? b : a));
    const tests = list(bySuiteFlag.map((s) => s.test));
    clauses.push(`--time-scale ${o.timeScale} leaves the ${tests} test${bySuiteFlag.length > 1 ? 's' : ''} too short to judge (the ${worst.test}'s ${worst.why.replace(/^its /, '')}); use --time-scale ${worst.minScale} or more`);
  }
  if (bySmokeFlag.length) {
    const s = bySmokeFlag[0]!;
    clauses.push(`--smoke-time-scale ${o.smokeTimeScale} leaves the smoke too short to judge (${s.why}); use --smoke-time-scale ${s.minScale} or more`);
  }
  return `${clauses.join('; ')}, or --allow-short to check the mechanics only.`;
}
