// What CI reads, without a server: junit.xml (report/junit.ts, the suite's
// suite/run/junit.ts) parsed by a JUnit reader (junit2json), periods.csv
// (report/csv.ts), and the append to $GITHUB_STEP_SUMMARY (a plain run's
// report folder; the suite's once, never its steps').
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { formatVerdict } from '../plugins/artillery-plugin-hmp/core/criteria.ts';
import type { Results } from '../plugins/artillery-plugin-hmp/core/results.ts';
import { FILES, summarize, writeReportFolder } from '../report/build.ts';
import { csvCell, periodsCsv } from '../report/csv.ts';
import { junitXml, runJunit } from '../report/junit.ts';
import type { Verdict } from '../report/types.ts';
import { parseSuiteArgs, type SuiteOptions } from '../suite/run/args.ts';
import { writeSuiteCiFiles } from '../suite/run/ci-files.ts';
import { evaluateAverage } from '../suite/run/evaluate.ts';
import { renderSuiteMarkdown } from '../suite/run/render.ts';
import { newState } from '../suite/run/state.ts';
import { buildStepReport, withSamples } from '../suite/run/step-report.ts';
import { buildSummary } from '../suite/run/summary.ts';
import { NoneSampler, type Sample } from '../suite/system-metrics/index.ts';
import { readJunit } from './support/junit-reader.ts';
import { syntheticResults } from './support/synthetic-results.ts';

function tmp(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'hmp-junit-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** An average run within every limit but the server's CPU, sampled every 2 s at `cpuPct` (memory 40%). */
function averageRunAt(cpuPct: number): Results {
  const r = syntheticResults({ test: 'average', seed: 5 }) as unknown as Results;
  const starts = r.intermediate.map((p) => Number(p.period));
  const samples: Sample[] = [];
  for (let t = Math.min(...starts); t < Math.max(...starts) + 10_000; t += 2000) samples.push({ t, cpuPct, memPct: 40 });
  return withSamples(r, samples, new NoneSampler());
}

const expected = (v: Verdict) => (v.pass === true ? 'pass' : v.pass === false ? 'failure' : 'skipped');

/** $GITHUB_STEP_SUMMARY set to `path` for the length of `fn` (this process's environment). */
function withStepSummary<T>(path: string | undefined, fn: () => T): T {
  const before = process.env.GITHUB_STEP_SUMMARY;
  if (path === undefined) delete process.env.GITHUB_STEP_SUMMARY;
  else process.env.GITHUB_STEP_SUMMARY = path;
  try {
    return fn();
  } finally {
    if (before === undefined) delete process.env.GITHUB_STEP_SUMMARY;
    else process.env.GITHUB_STEP_SUMMARY = before;
  }
}

test("a run's junit.xml: one testcase per criterion; a missed gated one fails in the console's words; one not judged is skipped", async () => {
  const s = summarize(averageRunAt(75));
  const cpu = s.verdicts.find((v) => v.id === 'cpu')!;
  assert.equal(cpu.pass, false);
  const j = await readJunit(runJunit(s));
  assert.deepEqual(j.suites.map((x) => x.name), ['average']);
  assert.deepEqual(j.cases.map((c) => [c.name, c.result]), s.verdicts.map((v) => [v.name, expected(v)]));
  const failed = j.cases.filter((c) => c.result === 'failure');
  assert.deepEqual(failed.map((c) => [c.message, c.type]), [['FAIL CPU (sustained): 75% (limit < 70%)', 'cpu']]);
  assert.equal(failed[0]!.message, formatVerdict(cpu));
  assert.ok(j.cases.every((c) => c.classname === 'hmp.average'));
  const root = j.root as Record<string, unknown>;
  assert.deepEqual([root.tests, root.failures, root.errors].map(Number), [s.verdicts.length, 1, 0]);
  assert.equal(Number(j.suites[0]!.skipped), j.cases.filter((c) => c.result === 'skipped').length);
  assert.equal(j.suites[0]!.timestamp, s.run.startedAt!.slice(0, 19));
  assert.ok(j.suites[0]!.properties!.some((p) => p.name === 'outcome' && p.value === 'FAIL'));

  // Without system metrics the gated CPU is not judged: skipped, in the console's words with why, never a pass.
  const plain = summarize(syntheticResults({ test: 'average', seed: 5 }) as unknown as Results);
  const cpuCase = (await readJunit(runJunit(plain))).cases.find((c) => c.name === 'CPU (sustained)')!;
  assert.equal(cpuCase.result, 'skipped');
  assert.match(cpuCase.message!, /^n\/a CPU \(sustained\): not measured \(limit < 70%\): not measured in this run \(the suite measures it/);

  // A smoke reports its latencies, it is not gated on them: skipped with "reported, not gated".
  const smoke = summarize(syntheticResults({ test: 'smoke', seed: 1, errorShare: 0, timeoutShare: 0, badBodyShare: 0 }) as unknown as Results);
  const p99 = (await readJunit(runJunit(smoke))).cases.filter((c) => c.name.startsWith('p99 latency'));
  assert.ok(p99.length > 0);
  for (const c of p99) assert.match(`${c.result} ${c.message}`, /^skipped info p99 latency, \w+: [\d.]+ms \(limit <= \d+ms\): .*reported, not gated for smoke$/);
});

test('a run that measured nothing is an error in junit.xml, not a row of skipped criteria', async () => {
  const r = syntheticResults({ test: 'average', seed: 1 }) as unknown as Results;
  const empty = { aggregate: { counters: {}, summaries: {}, hmp: r.aggregate.hmp }, intermediate: [] } as unknown as Results;
  const s = summarize(empty);
  assert.equal(s.outcome, 'NO DATA');
  const j = await readJunit(runJunit(s));
  assert.deepEqual([j.cases[0]!.name, j.cases[0]!.result, j.cases[0]!.type], ['outcome', 'error', 'NO DATA']);
  assert.equal(j.cases[0]!.message, s.headline);
});

test('junit.xml escapes what the results carry: markup, quotes, line breaks; characters XML forbids become U+FFFD', async () => {
  const hostile = `</testcase><x a="1"> & 'q' ]]> <!-- \ttab\nline\r\n`;
  const forbidden = 'bell\u0007 nul\u0000 lone\uD800 pair\uD83D\uDE00';
  const clean = 'bell\uFFFD nul\uFFFD lone\uFFFD pair\uD83D\uDE00';
  const xml = junitXml(hostile, [
    {
      name: hostile,
      properties: { p: hostile },
      cases: [
        { name: hostile, classname: 'c', result: 'failure', message: hostile, type: hostile, detail: hostile },
        { name: forbidden, classname: 'c', result: 'skipped', message: forbidden },
        { name: 'out', classname: 'c', result: 'pass', detail: `${hostile}${forbidden}` },
      ],
    },
  ]);
  // What a lenient reader would let pass, a strict one rejects: no forbidden character, no '<' in an attribute.
  assert.doesNotMatch(xml, /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
  assert.doesNotMatch(xml, /="[^"]*</);
  const j = await readJunit(xml);
  assert.equal(j.suites.length, 1);
  assert.equal(j.suites[0]!.name, hostile);
  assert.deepEqual(j.suites[0]!.properties, [{ name: 'p', value: hostile }]);
  const [f, sk, out] = j.cases;
  assert.deepEqual([f!.name, f!.message, f!.type, f!.body], [hostile, hostile, hostile, hostile]);
  assert.deepEqual([sk!.name, sk!.message], [clean, clean]);
  assert.equal(out!.body, `${hostile}${clean}`);
});

test('periods.csv: a header, then one row per period whose counts add up to the run\'s', () => {
  const r = syntheticResults({ test: 'average', seed: 4, system: true, memTotalMb: 4096 }) as unknown as Results;
  const s = summarize(r);
  const lines = periodsCsv(r).trimEnd().split('\n');
  const header = lines[0]!.split(',');
  const rows = lines.slice(1).map((l) => l.split(','));
  assert.equal(rows.length, s.run.periods);
  assert.deepEqual(header.slice(0, 6), ['start_s', 'start_utc', 'users_target_mean', 'users_active_mean', 'requests', 'responses']);
  for (const g of Object.keys(s.criteria.groups)) assert.ok(header.includes(`${g}_p99_ms`), `${g}_p99_ms in ${header.join(',')}`);
  assert.deepEqual(header.slice(-2), ['cpu_pct', 'memory_pct']);
  assert.ok(rows.every((row) => row.length === header.length));
  const column = (name: string) => rows.map((row) => row[header.indexOf(name)]!);
  const total = (name: string) => column(name).reduce((a, x) => a + Number(x), 0);
  assert.equal(total('requests'), s.totals.requests);
  assert.equal(total('errors'), s.totals.errors);
  assert.equal(total('timeouts'), s.totals.timeouts);
  assert.deepEqual(column('start_s').map(Number), rows.map((_, i) => i * s.run.periodS));
  assert.equal(column('start_utc')[0], new Date(Number(r.intermediate[0]!.period)).toISOString());
  assert.ok(column('cpu_pct').every((x) => x !== '' && Number.isFinite(Number(x))));
  // Without system metrics the columns are there, empty.
  const plain = periodsCsv(syntheticResults({ test: 'average', seed: 4 }) as unknown as Results).trimEnd().split('\n');
  assert.ok(plain.slice(1).every((l) => l.endsWith(',,')));
});

test('a CSV cell: quoted when it must be, a formula-like text defused, nothing for no value', () => {
  assert.deepEqual(
    [csvCell('a,b'), csvCell('say "hi"'), csvCell('two\nlines'), csvCell('=SUM(A1)'), csvCell('@x'), csvCell(-3), csvCell(0), csvCell(null), csvCell(undefined), csvCell(Infinity), csvCell('plain')],
    ['"a,b"', '"say ""hi"""', '"two\nlines"', "'=SUM(A1)", "'@x", '-3', '0', '', '', '', 'plain'],
  );
});

test('a report folder appends its summary.md to $GITHUB_STEP_SUMMARY when set, after what was there; not when unset or switched off', (t) => {
  const dir = tmp(t);
  const r = syntheticResults({ test: 'average', seed: 2 });
  const file = join(dir, 'step-summary.md');
  writeFileSync(file, '## an earlier step\n');
  const folder = withStepSummary(file, () => writeReportFolder(r, { reportsDir: join(dir, 'reports') }));
  const md = readFileSync(join(folder, FILES.summaryMd), 'utf8');
  assert.equal(readFileSync(file, 'utf8'), `## an earlier step\n\n${md}`);
  assert.ok(readdirSync(folder).includes(FILES.junit) && readdirSync(folder).includes(FILES.csv));

  withStepSummary(file, () => writeReportFolder(r, { reportsDir: join(dir, 'other'), stepSummary: false }));
  withStepSummary(undefined, () => writeReportFolder(r, { reportsDir: join(dir, 'third') }));
  assert.equal(readFileSync(file, 'utf8'), `## an earlier step\n\n${md}`, 'appended once');
});

test('a job summary that cannot be written is one line on stderr; the report folder is written all the same', (t) => {
  const dir = tmp(t);
  const lines: string[] = [];
  t.mock.method(console, 'error', (line: string) => lines.push(line));
  // A folder where the file should be: appending fails.
  const folder = withStepSummary(dir, () => writeReportFolder(syntheticResults({ test: 'average', seed: 2 }), { reportsDir: join(dir, 'reports') }));
  assert.equal(readdirSync(folder).length, 6);
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /^hmp: the job summary could not be appended to GITHUB_STEP_SUMMARY \(.+\): .*; the report folder has the same Markdown\.$/);
});

test("the suite's junit.xml: a testsuite per step, its verdict first, then its criteria; its summary appended once, its steps' never", async (t) => {
  const dir = tmp(t);
  const file = join(dir, 'step-summary.md');
  const p = parseSuiteArgs(['--only', 'smoke,average']);
  const state = newState('suite-x', (p as { options: SuiteOptions }).options, '/tmp/none.json', new Date(0));
  // The steps' report folders, written as the suite writes them, while GitHub's variable is set.
  const smokeRun = syntheticResults({ test: 'smoke', seed: 1, errorShare: 0, timeoutShare: 0, badBodyShare: 0 }) as unknown as Results;
  const [smoke, average] = withStepSummary(file, () => [buildStepReport(smokeRun, join(dir, '02-smoke')), buildStepReport(averageRunAt(75), join(dir, '03-average'))]);
  assert.equal(existsSync(file), false, 'no step appended its summary');
  assert.equal(smoke!.summary.outcome, 'PASS');
  for (const s of ['setup', 'teardown', 'report'] as const) state.steps[s] = { ...state.steps[s], status: 'passed', reason: `${s} done.` };
  state.steps.smoke = { ...state.steps.smoke, status: 'passed', reason: 'every endpoint answered.', report: relative(dir, smoke!.report) };
  state.steps.average = { ...state.steps.average, ...evaluateAverage(average!.results, average!.summary), report: relative(dir, average!.report) };
  // A step whose report folder is gone keeps its verdict.
  state.steps.breakpoint = { ...state.steps.breakpoint, status: 'recorded', reason: 'max 40 users.', report: 'gone/report.html' };
  state.invocations.push({ startedAt: new Date(0).toISOString(), endedAt: new Date(60_000).toISOString(), resumed: false });
  const summary = buildSummary(state);
  assert.equal(summary.outcome, 'FLAGGED');

  assert.deepEqual(writeSuiteCiFiles(dir, summary, { GITHUB_STEP_SUMMARY: file }), []);
  assert.equal(readFileSync(file, 'utf8'), `\n${renderSuiteMarkdown(summary)}`);

  const j = await readJunit(readFileSync(join(dir, 'junit.xml'), 'utf8'));
  assert.deepEqual(j.suites.map((s) => s.name), ['setup', 'smoke', 'average', 'stress', 'spike', 'breakpoint', 'soak', 'teardown']);
  const of = (suite: string) => j.cases.filter((c) => c.suite === suite);
  assert.deepEqual(of('setup').map((c) => [c.name, c.result, c.body]), [['1/9 Setup', 'pass', 'PASS: setup done.']]);
  assert.deepEqual(of('smoke').map((c) => c.result), ['pass', ...smoke!.summary.verdicts.map(expected)]);
  const avg = of('average');
  assert.deepEqual([avg[0]!.name, avg[0]!.result, avg[0]!.type], ['3/9 Load test (average)', 'failure', 'flagged']);
  assert.match(avg[0]!.message!, /^FLAG: "Baseline performance insufficient": CPU \(sustained\) 75% \(limit < 70%\)\.$/);
  assert.deepEqual(avg.slice(1).map((c) => c.name), average!.summary.verdicts.map((v) => v.name));
  assert.deepEqual(avg.filter((c) => c.result === 'failure').map((c) => c.message), ['FLAG: ' + state.steps.average.reason, 'FAIL CPU (sustained): 75% (limit < 70%)']);
  assert.ok(avg.every((c) => c.classname === 'hmp.suite.average'));
  assert.deepEqual(of('stress').map((c) => [c.result, c.message]), [['skipped', `SKIP: ${state.steps.stress.reason}`]]);
  assert.deepEqual(of('breakpoint').map((c) => c.result), ['pass']);
  const root = j.root as Record<string, unknown>;
  assert.deepEqual([root.failures, root.errors].map(Number), [2, 0]);
  assert.equal(root.name, 'hmp-load suite suite-x');
});

test("the suite's job summary that cannot be appended is a problem line; junit.xml is written", (t) => {
  const dir = tmp(t);
  const p = parseSuiteArgs([]);
  const state = newState('suite-y', (p as { options: SuiteOptions }).options, '/tmp/none.json', new Date(0));
  state.invocations.push({ startedAt: new Date(0).toISOString(), resumed: false });
  mkdirSync(join(dir, 'a-folder'));
  const problems = writeSuiteCiFiles(dir, buildSummary(state), { GITHUB_STEP_SUMMARY: join(dir, 'a-folder') });
  assert.equal(problems.length, 1);
  assert.match(problems[0]!, /^the job summary could not be appended to GITHUB_STEP_SUMMARY/);
  assert.ok(existsSync(join(dir, 'junit.xml')));
});
