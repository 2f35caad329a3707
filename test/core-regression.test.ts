// The one regression rule (plugins/artillery-plugin-hmp/core/regression.ts):
// its edges, on hand-made rows. Which tools use it: test/regression-rule.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { budgetText, judgeRow, judgeRuns, p99Allowed, regressionWords, type RowFigures } from '../plugins/artillery-plugin-hmp/core/regression.ts';

const BUDGET = { p99Pct: 15, errorRatePoints: 1, minRequests: 10, minDeltaMs: 5 };
const row = (p99: number | null, errorRatePct = 0, answers = 100): RowFigures => ({ answers, errorRatePct, p99 });

test('p99: a regression above +p99Pct % and at least minDeltaMs ms higher; either alone is not', () => {
  assert.deepEqual(judgeRow(row(100), row(116), BUDGET), { regressions: ['p99 100 → 116 ms (+16%, budget +15%)'], skipped: '' });
  assert.deepEqual(judgeRow(row(100), row(115), BUDGET).regressions, [], '+15% is within the budget');
  assert.deepEqual(judgeRow(row(20), row(24), BUDGET).regressions, [], '+20% but 4 ms: noise');
  assert.deepEqual(judgeRow(row(20), row(25), BUDGET).regressions, ['p99 20 → 25 ms (+25%, budget +15%)'], '5 ms is not under minDeltaMs');
  assert.deepEqual(judgeRow(row(null), row(900), BUDGET).regressions, [], 'no p99 before: nothing to judge');
});

test('error rate: a regression when up more than errorRatePoints points', () => {
  assert.deepEqual(judgeRow(row(100, 0.5), row(100, 1.5), BUDGET).regressions, []);
  assert.deepEqual(judgeRow(row(100, 0.5), row(100, 1.6), BUDGET).regressions, ['error rate 0.5% → 1.6% (+1.1 points, budget +1)']);
});

test('rows with too few answers, or in one run only, are not judged, and say why', () => {
  assert.deepEqual(judgeRow(row(100, 0, 9), row(900, 50), BUDGET), { regressions: [], skipped: 'fewer than 10 answers' });
  assert.deepEqual(judgeRow(row(100), row(900, 0, 9), BUDGET).skipped, 'fewer than 10 answers');
  assert.equal(judgeRow(undefined, row(100), BUDGET).skipped, 'new in this run');
  assert.equal(judgeRow(row(100), undefined, BUDGET).skipped, 'not in the new run');
});

test('judgeRuns: all requests first, then endpoints by name; regressionWords names each row', () => {
  const rows = judgeRuns({ total: row(50), endpoints: { b: row(600), a: row(10) } }, { total: row(80), endpoints: { b: row(900, 2), a: row(11) } }, BUDGET);
  assert.deepEqual(rows.map((r) => r.name), ['all requests', 'a', 'b']);
  assert.deepEqual(regressionWords(rows), [
    'all requests: p99 50 → 80 ms (+60%, budget +15%)',
    'b: p99 600 → 900 ms (+50%, budget +15%)',
    'b: error rate 0% → 2% (+2 points, budget +1)',
  ]);
});

test('p99Allowed: the budget line of a chart, the larger of +p99Pct % and +minDeltaMs ms', () => {
  assert.equal(p99Allowed(200, BUDGET), 200 * 1.15);
  assert.equal(p99Allowed(10, BUDGET), 15);
  assert.equal(budgetText(BUDGET), 'p99 +15% (rises under 5 ms are noise), error rate +1 point; rows with fewer than 10 answers in either run are not judged');
});
