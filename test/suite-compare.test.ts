// Regressions between two runs: the pure comparison, the markdown, and the
// CLI (`npm run compare`) with its exit codes and compare.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { compareRuns, figuresOf } from '../suite/compare.ts';
import { renderComparison } from '../suite/compare-markdown.ts';
import { loadRun } from '../suite/results-file.ts';
import type { Results } from '../plugins/artillery-plugin-hmp/core/results.ts';
import { results, type EndpointSpec } from './suite-helpers.ts';
import { tempDir } from './support/temp-dir.ts';

const ROOT = resolve(import.meta.dirname, '..');

const BASE: EndpointSpec[] = [
  ['auth_login', 500, 20, 100, 300],
  ['project_list', 400, 100, 400, 600, 2],
  ['submission_content', 100, 30, 90, 200],
  ['pdf_execute', 5, 900, 1500, 1900],
];

/** The baseline with one endpoint's figures replaced. */
function variant(name: string, spec: Partial<{ n: number; p50: number; p95: number; p99: number; errors: number }>): Results {
  return results(
    BASE.map((e) => {
      if (e[0] !== name) return e;
      return [e[0], spec.n ?? e[1], spec.p50 ?? e[2], spec.p95 ?? e[3], spec.p99 ?? e[4], spec.errors ?? e[5]] as EndpointSpec;
    }),
  );
}

test('figuresOf: per endpoint p50/p95/p99, answers, errors, error rate and req/s over the run, as the report counts them', () => {
  const f = figuresOf(results(BASE));
  assert.equal(f.durationS, 100);
  assert.deepEqual(f.endpoints.project_list, { answers: 400, errors: 2, errorRatePct: 0.5, reqPerS: 4, p50: 100, p95: 400, p99: 600 });
  assert.equal(f.total.answers, 1005);
  assert.equal(f.total.errors, 2);
  assert.deepEqual(Object.keys(f.endpoints), ['auth_login', 'pdf_execute', 'project_list', 'submission_content']);
});

test('a run compared with itself shows no regression', () => {
  const r = results(BASE);
  const c = compareRuns(r, r);
  assert.equal(c.regressed, false);
  assert.ok(c.endpoints.every((e) => e.regressions.length === 0 && (e.p99Pct === 0 || e.skipped)));
  assert.match(renderComparison(c, { base: 'a', next: 'a' }), /\*\*No regression\*\* beyond the budget\./);
});

test('p99 +20% is a regression at the default budget (+15%); +10% is not; --budget-p99 25 allows +20%', () => {
  const c = compareRuns(results(BASE), variant('project_list', { p99: 720 }));
  assert.equal(c.regressed, true);
  const row = c.endpoints.find((e) => e.name === 'project_list')!;
  assert.equal(row.p99Pct, 20);
  assert.deepEqual(row.regressions, ['p99 600 → 720 ms (+20%, budget +15%)']);
  assert.equal(compareRuns(results(BASE), variant('project_list', { p99: 660 })).regressed, false);
  assert.equal(compareRuns(results(BASE), variant('project_list', { p99: 720 }), { p99Pct: 25 }).regressed, false);
});

test('an error-rate rise beyond 1 point is a regression; p95 and req/s are shown as changes, never judged (the budget names neither)', () => {
  const errors = compareRuns(results(BASE), variant('auth_login', { errors: 10 }));
  assert.deepEqual(errors.endpoints.find((e) => e.name === 'auth_login')!.regressions, ['error rate 0% → 2% (+2 points, budget +1)']);
  const p95 = compareRuns(results(BASE), variant('auth_login', { p95: 150 }));
  assert.equal(p95.regressed, false);
  assert.equal(p95.endpoints.find((e) => e.name === 'auth_login')!.p95Pct, 50);
  const fewer = compareRuns(results(BASE), variant('auth_login', { n: 300 }));
  assert.equal(fewer.regressed, false);
  assert.equal(fewer.endpoints.find((e) => e.name === 'auth_login')!.reqPerSPct, -40);
});

test('noise guards: too few answers, or a rise of a few ms, is not judged a regression', () => {
  const c = compareRuns(results(BASE), variant('pdf_execute', { p99: 5000 }));
  const row = c.endpoints.find((e) => e.name === 'pdf_execute')!;
  assert.equal(row.skipped, 'fewer than 10 answers');
  assert.equal(c.regressed, false);
  assert.equal(compareRuns(results(BASE), variant('pdf_execute', { p99: 5000 }), { minRequests: 1 }).regressed, true);
  const tiny = [['health', 100, 1, 2, 3]] as EndpointSpec[];
  assert.equal(compareRuns(results(tiny), results([['health', 100, 1, 2, 6]])).regressed, false, '3 -> 6 ms is +100% but 3 ms');
});

test('endpoints only in one run are listed, not judged', () => {
  const c = compareRuns(results(BASE), results([...BASE, ['audit_list', 50, 5, 9, 12]]));
  assert.equal(c.endpoints.find((e) => e.name === 'audit_list')!.skipped, 'new in this run');
  const gone = compareRuns(results(BASE), results(BASE.slice(1)));
  assert.equal(gone.endpoints.find((e) => e.name === 'auth_login')!.skipped, 'not in the new run');
  assert.equal(gone.regressed, false);
});

test('renderComparison: the verdict, the budget and a row per endpoint; names from the file cannot break the table', () => {
  const next = variant('project_list', { p99: 720 });
  (next.aggregate.summaries as any)['plugins.metrics-by-endpoint.response_time.evil|name'] = { p50: 1, p95: 1, p99: 1 };
  const md = renderComparison(compareRuns(results(BASE), next), { base: 'average-1', next: 'average-2' });
  assert.match(md, /^# Comparison: average-2 vs average-1\n\n\*\*REGRESSION\*\* in 1 row\(s\): project_list\./);
  assert.match(md, /Budget \(the runs index judges by the same\): p99 \+15% \(rises under 5 ms are noise\), error rate \+1 point; rows with fewer than 10 answers in either run are not judged\. p50, p95 and req\/s are shown, not judged\./);
  assert.match(md, /\| project_list \| 100 → 100 \(0%\) \| 400 → 400 \(0%\) \| 600 → 720 \(\+20%\) \| 0\.5% → 0\.5% \(0\) \| 4 → 4 \(0%\) \| REGRESSION: p99 600 → 720 ms \(\+20%, budget \+15%\) \|/);
  assert.match(md, /\| evil\\\|name \|/);
  for (const line of md.split('\n').filter((l) => l.startsWith('| '))) assert.equal(line.split(/(?<!\\)\|/).length, 9, line);
});

// --- the CLI -------------------------------------------------------------------

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    execFile(process.execPath, [join(ROOT, 'tools', 'compare.ts'), ...args], { cwd: ROOT, timeout: 30_000 }, (err, stdout, stderr) => {
      res({ code: err ? Number((err as { code?: unknown }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

function reportDir(root: string, name: string, r: Results): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'results.json'), JSON.stringify(r));
  return dir;
}

test('npm run compare: a report folder with itself -> exit 0, compare.md written next to the new run', async () => {
  const root = tempDir('suite-compare-');
  const dir = reportDir(root, 'average-2026-01-01T00-00-00Z', results(BASE));
  const r = await cli([dir, dir]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /No regression/);
  const md = readFileSync(join(dir, 'compare.md'), 'utf8');
  assert.match(md, /^# Comparison: average-2026-01-01T00-00-00Z vs average-2026-01-01T00-00-00Z/);
  assert.deepEqual(
    (await import('node:fs')).readdirSync(dir).sort(),
    ['compare.md', 'results.json'],
    'no temp file left behind',
  );
});

test('npm run compare: a regression -> exit 1; --budget-p99 lifts it; a results file works as well as a folder', async () => {
  const root = tempDir('suite-compare-');
  const base = reportDir(root, 'base', results(BASE));
  const next = reportDir(root, 'next', variant('project_list', { p99: 720 }));
  const r = await cli([base, next]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /REGRESSION: p99 600 → 720 ms/);
  assert.ok(existsSync(join(next, 'compare.md')));
  assert.equal((await cli([join(base, 'results.json'), join(next, 'results.json'), '--budget-p99', '25'])).code, 0);
  // The plugin's own file name in a folder without results.json.
  const plain = join(root, 'plain');
  mkdirSync(plain);
  writeFileSync(join(plain, 'spike-2026-01-01T00-00-00-000Z.json'), JSON.stringify(results(BASE)));
  assert.equal(loadRun(plain).label, 'plain');
  assert.equal((await cli([base, plain, '--out', join(root, 'x.md')])).code, 0);
  assert.ok(existsSync(join(root, 'x.md')));
});

test('npm run compare: bad input -> exit 2 with one clear sentence', async () => {
  const root = tempDir('suite-compare-');
  const ok = reportDir(root, 'ok', results(BASE));
  writeFileSync(join(root, 'not.json'), '{"aggregate": 1}');
  writeFileSync(join(root, 'broken.json'), '{');
  mkdirSync(join(root, 'empty'));
  const cases: Array<[string[], RegExp]> = [
    [[ok], /^compare: give two runs, the baseline and the new one \(got 1\); run with --help\.\n$/],
    [[ok, join(root, 'missing')], /missing does not exist; give a report folder/],
    [[ok, join(root, 'not.json')], /not\.json is not an Artillery results file \(expected a JSON object with "aggregate" and "intermediate"/],
    [[ok, join(root, 'broken.json')], /broken\.json is not JSON/],
    [[ok, join(root, 'empty')], /empty holds no results\.json/],
    [[ok, ok, '--budget-p99', 'lots'], /--budget-p99 must be a number >= 0, got "lots"\./],
    [[ok, ok, '--nope'], /Unknown option '--nope'.*Run with --help/],
    [[ok, ok, '--budget-p95', '15'], /^compare: --budget-p95 is no longer an option: a regression is what phases\/common\.yml's `regression` names \(p99, error rate\), as in the runs index; p95 and req\/s are shown as changes\.\n$/],
  ];
  for (const [args, message] of cases) {
    const r = await cli(args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
  const help = await cli(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Exit code: 0 no regression, 1 regression beyond the budget, 2 bad input\./);
});
