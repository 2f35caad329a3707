// End to end, what CI reads of a real run (artillery run phases/<test>.yml,
// the plugin writing its report folder): junit.xml parsed by a JUnit reader
// (junit2json) with one testcase per criterion, the job summary appended to
// the file $GITHUB_STEP_SUMMARY names, and periods.csv with a row per
// period. A smoke against the local twin it starts itself passes; an average
// against a twin with slow lists fails, in the console's words; a suite
// (npm run suite) writes its junit.xml and appends its summary once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FILES } from '../report/build.ts';
import type { Summary, Verdict } from '../report/types.ts';
import { startTwin } from '../twin/server.ts';
import { cleanUp, runDir, writeTestData } from './support/artillery-run.ts';
import { readJunit } from './support/junit-reader.ts';
import { runPhaseFile, type PhaseRun } from './support/phase-run.ts';
import { FAST, outDir, suite, why } from './support/suite-run.ts';

const expected = (v: Verdict) => (v.pass === true ? 'pass' : v.pass === false ? 'failure' : 'skipped');

/** The one report folder the plugin wrote under `reportsDir`, and its files. */
function reportOf(reportsDir: string, test: string) {
  const folders = readdirSync(reportsDir).filter((f) => f.startsWith(`${test}-`));
  assert.equal(folders.length, 1, `one ${test} folder in ${readdirSync(reportsDir).join(', ')}`);
  const folder = join(reportsDir, folders[0]!);
  const read = (name: string) => readFileSync(join(folder, name), 'utf8');
  return { folder, read, summary: JSON.parse(read(FILES.summaryJson)) as Summary, results: JSON.parse(read(FILES.raw)) as { intermediate: unknown[] } };
}

const said = (r: PhaseRun) => `${r.stdout.slice(-3000)}\n${r.stderr.slice(-1500)}`;

test('a smoke against its own local twin: junit.xml, the job summary, periods.csv', { timeout: 300_000 }, async (t) => {
  const dir = runDir('junit-smoke');
  t.after(() => cleanUp(dir));
  const stepSummary = join(dir, 'step-summary.md');
  const reportsDir = join(dir, 'reports');
  // No HMP_TARGET: the plugin starts and seeds the local twin itself.
  const r = await runPhaseFile('phases/smoke.yml', { env: { HMP_ALLOW_SHORT: '1', HMP_LIVE: 'off', HMP_TIME_SCALE: '0.1', HMP_REPORTS_DIR: reportsDir, GITHUB_STEP_SUMMARY: stepSummary }, label: 'junit-smoke' });
  t.after(() => cleanUp(r.dir));
  assert.equal(r.code, 0, said(r));
  assert.match(r.stdout, /hmp: no target given: started the local HMP twin/);
  const { read, summary, results } = reportOf(reportsDir, 'smoke');
  assert.equal(summary.outcome, 'PASS');

  const j = await readJunit(read(FILES.junit));
  assert.deepEqual(j.suites.map((s) => s.name), ['smoke']);
  assert.deepEqual(j.cases.map((c) => [c.name, c.result]), summary.verdicts.map((v) => [v.name, expected(v)]));
  assert.ok(j.cases.some((c) => c.name === 'Errors (user-visible)' && c.result === 'pass'));
  assert.equal(Number((j.root as Record<string, unknown>).failures), 0);

  // The job summary is summary.md, appended once.
  assert.equal(readFileSync(stepSummary, 'utf8'), `\n${read(FILES.summaryMd)}`);
  assert.match(read(FILES.summaryMd), /^### ✅ HMP smoke test: PASS/);

  const rows = read(FILES.csv).trimEnd().split('\n');
  assert.equal(rows.length - 1, results.intermediate.length);
  assert.equal(rows.length - 1, summary.run.periods);
  assert.match(rows[0]!, /^start_s,start_utc,users_target_mean,users_active_mean,requests,/);
});

test('an average against a twin with slow lists: exit 1, the p99 failure in junit.xml in the console\'s words, the FAIL in the job summary', { timeout: 300_000 }, async (t) => {
  const twin = await startTwin({ latencyMs: { project_list: 900 } });
  t.after(() => twin.close());
  const dir = runDir('junit-average');
  t.after(() => cleanUp(dir));
  const stepSummary = join(dir, 'step-summary.md');
  const reportsDir = join(dir, 'reports');
  const data = await writeTestData(twin, dir, 0);
  const env = { HMP_ALLOW_SHORT: '1', HMP_LIVE: 'off', HMP_TARGET: twin.url, HMP_TEST_DATA: data.path, HMP_TIME_SCALE: '0.01', HMP_REPORTS_DIR: reportsDir, GITHUB_STEP_SUMMARY: stepSummary };
  const r = await runPhaseFile('phases/average.yml', { env, label: 'junit-average' });
  t.after(() => cleanUp(r.dir));
  assert.equal(r.code, 1, said(r));
  const { read, summary } = reportOf(reportsDir, 'average');
  assert.equal(summary.outcome, 'FAIL');

  const j = await readJunit(read(FILES.junit));
  assert.deepEqual(j.cases.map((c) => [c.name, c.result]), summary.verdicts.map((v) => [v.name, expected(v)]));
  const list = j.cases.find((c) => c.name === 'p99 latency, list')!;
  assert.equal(list.result, 'failure');
  assert.equal(list.type, 'p99.list');
  assert.match(list.message!, /^FAIL p99 latency, list: \d+(\.\d+)?ms \(limit <= 700ms\)$/);
  // The same words as the console's verdict line.
  assert.ok(r.stdout.includes(`  ${list.message}\n`), `"${list.message}" on the console:\n${said(r)}`);
  // CPU and RAM gate the average but a plain run samples neither: skipped, not passed.
  assert.deepEqual(j.cases.filter((c) => /^(CPU|RAM)/.test(c.name)).map((c) => c.result), ['skipped', 'skipped']);

  assert.equal(readFileSync(stepSummary, 'utf8'), `\n${read(FILES.summaryMd)}`);
  assert.match(read(FILES.summaryMd), /^### ❌ HMP average test: FAIL/);
  assert.equal(read(FILES.csv).trimEnd().split('\n').length - 1, summary.run.periods);
});

test('a suite with slow lists: junit.xml in its folder (a testsuite per step, the average flagged by its p99), its summary appended once', { timeout: 300_000 }, async (t) => {
  const out = outDir('junit');
  t.after(() => cleanUp(out));
  const stepSummary = join(out, 'step-summary.md');
  const r = await suite(['--only', 'smoke,average', ...FAST, '--twin-args', '--latency project_list=900'], { out, env: { GITHUB_STEP_SUMMARY: stepSummary } });
  assert.equal(r.summary.outcome, 'FLAGGED', why(r));
  assert.equal(r.summary.steps.find((s) => s.id === 'average')!.status, 'flagged');

  const j = await readJunit(readFileSync(join(r.dir, 'junit.xml'), 'utf8'));
  assert.deepEqual(j.suites.map((s) => s.name), ['setup', 'smoke', 'average', 'stress', 'spike', 'breakpoint', 'soak', 'teardown']);
  const of = (step: string) => j.cases.filter((c) => c.suite === step);
  assert.deepEqual(of('setup').map((c) => c.result), ['pass']);
  assert.deepEqual(of('teardown').map((c) => c.result), ['pass']);
  assert.equal(of('smoke')[0]!.result, 'pass');
  assert.ok(of('smoke').length > 1, 'the smoke\'s criteria follow its verdict');
  const average = of('average');
  assert.deepEqual([average[0]!.result, average[0]!.type], ['failure', 'flagged']);
  assert.match(average[0]!.message!, /^FLAG: "Baseline performance insufficient": .*p99 of list endpoints \d+ ms > SLO 700 ms/);
  const list = average.find((c) => c.name === 'p99 latency, list')!;
  assert.equal(list.result, 'failure');
  assert.match(list.message!, /^FAIL p99 latency, list: \d+(\.\d+)?ms \(limit <= 700ms\)$/);
  for (const step of ['stress', 'spike', 'breakpoint', 'soak']) assert.deepEqual(of(step).map((c) => c.result), ['skipped'], step);

  // One append, the suite's: its steps' reports append nothing.
  assert.equal(readFileSync(stepSummary, 'utf8'), `\n${readFileSync(join(r.dir, 'suite-summary.md'), 'utf8')}`);
});
