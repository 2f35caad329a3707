// The suite's console (suite/run/progress.ts, the skip reasons in state.ts and
// the verdict in summary.ts): one named clock, tests not run said with why
// and how to run them, and the verdict and the report's path last.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseSuiteArgs, type SuiteOptions } from '../suite/run/args.ts';
import { closingLines, formatStatus, notRunLine, openingLine } from '../suite/run/progress.ts';
import { newState, soakBlockedBy, type SuiteState } from '../suite/run/state.ts';
import { buildSummary, type SuiteSummary } from '../suite/run/summary.ts';
import { TESTS } from '../suite/run/steps.ts';

function stateOf(argv: string[]): SuiteState {
  const p = parseSuiteArgs(argv);
  assert.equal(p.kind, 'run');
  return newState('suite-x', (p as { options: SuiteOptions }).options, '/tmp/none.json', new Date(0));
}

/** Every step of the state finished as `status`, the report and teardown passed. */
function finished(s: SuiteState, status: 'passed'): SuiteState {
  for (const t of s.options.tests) s.steps[t].status = t === 'breakpoint' ? 'recorded' : status;
  for (const st of ['setup', 'teardown', 'report'] as const) s.steps[st].status = 'passed';
  s.invocations.push({ startedAt: new Date(0).toISOString(), endedAt: new Date(60_000).toISOString(), resumed: false });
  return s;
}

test('the status line names its clock: real time (a test\'s own lines count plan time)', () => {
  assert.equal(formatStatus({ step: 'stress', elapsedS: 75, remainingS: 130, users: { active: 28, target: 30 } }), '[4/9 stress] Stress test | real 01:15 elapsed, ~02:10 left | users 28 of 30');
  assert.equal(formatStatus({ step: 'setup', elapsedS: 3, remainingS: undefined, users: undefined }), '[1/9 setup] Setup | real 00:03 elapsed, remaining unknown');
});

test('the first line says the time scale once, and what it does to the clocks', () => {
  assert.equal(openingLine({ dir: '/r/suite-x', resumed: false, tests: ['smoke', 'average'], timeScale: 0.01 }), 'running /r/suite-x: smoke, average at time scale 0.01 (real time = plan time x 0.01)');
  assert.equal(openingLine({ dir: '/r/suite-x', resumed: true, tests: ['soak'], timeScale: 1 }), 'resuming /r/suite-x: soak at time scale 1 (real time = plan time)');
});

test('a test left out is said at the start, with why and how to run it; the verdict says it was not run', () => {
  const skip = stateOf(['--skip', 'soak']);
  assert.equal(notRunLine('soak', skip.steps.soak.reason), 'not running the soak test: left out (--skip soak); to run it, leave out --skip soak.');
  assert.equal(stateOf(['--skip', 'spike,soak']).steps.soak.reason, 'left out (--skip spike,soak); to run it, use --skip spike.');
  const only = stateOf(['--only', 'smoke,average']);
  assert.equal(notRunLine('stress', only.steps.stress.reason), 'not running the stress test: not selected (--only smoke,average); to run it, add it to --only.');
  assert.equal(notRunLine('average', undefined), 'not running the load test (average): not selected');

  assert.equal(buildSummary(finished(skip, 'passed')).headline, 'PASSED: 5 tests ran (smoke, average, stress, spike, breakpoint), nothing flagged; soak not run (--skip soak). Teardown verified.');
  assert.equal(buildSummary(finished(stateOf([]), 'passed')).headline, `PASSED: 6 tests ran (${TESTS.join(', ')}), nothing flagged. Teardown verified.`);
  assert.match(buildSummary(finished(only, 'passed')).headline, /nothing flagged; stress, spike, breakpoint, soak not run \(--only smoke,average\)\. Teardown verified\.$/);
});

test('a soak the plan does not run (an earlier test flagged) says how to run it anyway', () => {
  const s = stateOf(['--only', 'average,soak']);
  s.steps.average.status = 'flagged';
  assert.equal(soakBlockedBy(s), 'Prerequisites not met: average flagged (the soak runs only if every earlier test passed; --only soak runs it on its own).');
});

test('the console ends on the verdict and the report\'s path; recommendations come before them', () => {
  const recs = Array.from({ length: 7 }, (_, i) => ({ cost: 'low', text: `do ${i + 1}`, addresses: i === 0 ? ['incident 1'] : [] }));
  const lines = closingLines({ headline: 'FLAGGED: x (average). Teardown verified.', exitCode: 3, recommendations: recs as unknown as SuiteSummary['recommendations'] }, '/r/suite-x/suite-report.html', ['suite-summary.md', 'suite-summary.json']);
  assert.deepEqual(lines, [
    '  recommend (low): do 1 [addresses incident 1]',
    '  recommend (low): do 2',
    '  recommend (low): do 3',
    '  recommend (low): do 4',
    '  recommend (low): do 5',
    '  ... 2 more in the report',
    'FLAGGED: x (average). Teardown verified.',
    'suite report: /r/suite-x/suite-report.html (also suite-summary.md, suite-summary.json; exit 3)',
  ]);
  assert.deepEqual(closingLines({ headline: 'PASSED.', exitCode: 0, recommendations: [] }, 'r.html', ['a']), ['PASSED.', 'suite report: r.html (also a; exit 0)']);
});

test('a missing credentials file: the suite and test-env say the same sentence and exit 2, before any password', () => {
  const { HMP_PASSWORD: _drop, ...env } = process.env;
  const run = (tool: string, args: string[]) => spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', join(import.meta.dirname, '..', 'tools', tool), ...args], { env, encoding: 'utf8', timeout: 60_000 });
  const missing = join(import.meta.dirname, 'no-such-admin.bin');
  const suite = run('suite.ts', ['--target', 'http://127.0.0.1:9', '--credentials', missing]);
  const testEnv = run('test-env.ts', ['up', '--target', 'http://127.0.0.1:9', '--credentials', missing]);
  const said = `cannot read the credentials file ${missing} (no such file); pass --credentials with the admin's .bin file.\n`;
  assert.deepEqual([suite.status, suite.stderr, suite.stdout], [2, `suite: error: ${said}`, '']);
  assert.deepEqual([testEnv.status, testEnv.stderr, testEnv.stdout], [2, `test-env: error: ${said}`, '']);
});
