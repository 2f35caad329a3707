// One regression rule (issue 22, item 4): `npm run compare` and the runs index
// judge the same pair of runs alike, with the same words. Each pair below was
// judged differently by the two before they shared the core's rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Results } from '../plugins/artillery-plugin-hmp/core/results.ts';
import { compareRuns } from '../suite/compare.ts';
import { testRun, trendsOf } from '../report/runs-index.ts';
import { summarize } from '../report/summarize.ts';
import { buildStepReport } from '../suite/run/step-report.ts';
import { results, sum, type EndpointSpec } from './suite-helpers.ts';
import { tempDir } from './support/temp-dir.ts';

const ROOT = resolve(import.meta.dirname, '..');

/** A run started `day` days after the first, over these endpoints, its all-requests p99 `totalP99`. */
function run(day: number, endpoints: EndpointSpec[], totalP99: number): Results {
  const r = results(endpoints);
  const shift = day * 86_400_000;
  const a = r.aggregate as Record<string, unknown> & { summaries: Record<string, unknown> };
  a.firstMetricAt = (a.firstMetricAt as number) + shift;
  a.lastMetricAt = (a.lastMetricAt as number) + shift;
  a.period = (a.period as number) + shift;
  const n = endpoints.reduce((s, e) => s + e[1], 0);
  a.summaries['http.response_time'] = sum(totalP99 / 3, totalP99 * 0.8, totalP99, n);
  return r;
}

/** What each tool says of the pair: its regressions in words. */
function judged(base: Results, next: Results): { compare: string[]; index: string[] } {
  const c = compareRuns(base, next);
  const compare = [c.total, ...c.endpoints].flatMap((row) => row.regressions.map((w) => `${row.name}: ${w}`));
  const [trend] = trendsOf([testRun('a/report.html', summarize(base)), testRun('b/report.html', summarize(next))]);
  return { compare, index: trend!.regressions };
}

// A fast endpoint 15 -> 18 ms p99: +20% (over the +15% budget) but 3 ms (under minDeltaMs 5): noise.
const FAST: EndpointSpec[] = [['health', 400, 5, 10, 15]];
const FAST_SLOWER: EndpointSpec[] = [['health', 400, 5, 12, 18]];

// One endpoint 600 -> 900 ms p99 (+50%) among many answers; all requests' p99 barely moves.
const MANY: EndpointSpec[] = [
  ['auth_login', 5000, 20, 100, 300],
  ['project_list', 400, 100, 400, 600],
];
const ONE_SLOWER: EndpointSpec[] = [
  ['auth_login', 5000, 20, 100, 300],
  ['project_list', 400, 100, 400, 900],
];

test('a p99 rise of 20% but 3 ms: noise for compare and for the runs index', () => {
  const said = judged(run(0, FAST, 15), run(1, FAST_SLOWER, 18));
  assert.deepEqual(said, { compare: [], index: [] });
});

test("one endpoint's p99 +50% while all requests' p99 holds: a regression for both, in the same words", () => {
  const said = judged(run(0, MANY, 300), run(1, ONE_SLOWER, 310));
  assert.deepEqual(said.index, said.compare);
  assert.deepEqual(said.compare, ['project_list: p99 600 → 900 ms (+50%, budget +15%)']);
});

test('too few answers: not judged by either', () => {
  const few: EndpointSpec[] = [['health', 8, 5, 90, 100]];
  const said = judged(run(0, few, 100), run(1, [['health', 8, 5, 180, 200]], 200));
  assert.deepEqual(said, { compare: [], index: [] });
});

function cli(tool: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    execFile(process.execPath, ['--disable-warning=ExperimentalWarning', join(ROOT, 'tools', tool), ...args], { cwd: ROOT, timeout: 60_000 }, (err, stdout, stderr) => {
      res({ code: err ? Number((err as { code?: unknown }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

test('the commands agree on report folders: npm run compare exits 0 and npm run reports names no regression for the 3 ms rise', async () => {
  const dir = tempDir('hmp-regression-rule-');
  const base = buildStepReport(run(0, FAST, 15), dir).folder;
  const next = buildStepReport(run(1, FAST_SLOWER, 18), dir).folder;
  const compare = await cli('compare.ts', [base, next]);
  assert.equal(compare.code, 0, compare.stdout + compare.stderr);
  assert.match(compare.stdout, /No regression/);
  const reports = await cli('reports.ts', ['--dir', dir]);
  assert.equal(reports.code, 0, reports.stderr);
  assert.match(reports.stdout, /^runs index: .*index\.html \(2 runs\)\n$/);
  assert.ok(readdirSync(dir).includes('index.html'));
});
