// The runs index (npm run reports): the runs in a reports folder, from their
// own summary files, and the trend per test and target with the latest run's
// regression in words.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Results } from '../plugins/artillery-plugin-hmp/core/results.ts';
import { renderRunsIndex, suiteRun, trendsOf } from '../report/runs-index.ts';
import { buildStepReport } from '../suite/run/step-report.ts';
import { findRuns } from '../report/runs-index-file.ts';
import { syntheticResults } from './support/synthetic-results.ts';
import { launch, open } from '../report/browser.ts';

/** A synthetic average run started at `startedAt`, its latency multiplied by `latencyFactor`. */
function averageRun(startedAt: number, latencyFactor: number): Results {
  const r = syntheticResults({ test: 'average', seed: 5, latencyFactor }) as unknown as Results;
  (r.aggregate as { hmp: Record<string, unknown> }).hmp.startedAt = startedAt;
  return r;
}

test('the runs index lists every run with its own numbers, charts its trends, and names the latest run\'s regression', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hmp-runs-index-'));
  try {
    const older = buildStepReport(averageRun(Date.parse('2026-11-01T10:00:00Z'), 1), join(dir, 'a'));
    const newer = buildStepReport(averageRun(Date.parse('2026-11-02T10:00:00Z'), 1.6), join(dir, 'b'));
    mkdirSync(join(dir, 'suite-x'));
    writeFileSync(join(dir, 'suite-x', 'suite-summary.json'), JSON.stringify({ outcome: 'PASSED', headline: 'PASSED: 6 tests ran', run: { target: 'http://127.0.0.1:8000', startedAt: '2026-11-03T10:00:00.000Z' } }));
    writeFileSync(join(dir, 'not-a-run.json'), '{');

    const runs = findRuns(dir);
    assert.equal(runs.length, 3);
    for (const step of [older, newer]) {
      const s = JSON.parse(readFileSync(join(step.folder, 'summary.json'), 'utf8'));
      const row = runs.find((r) => r.startedAt === s.run.startedAt)!;
      assert.deepEqual([row.test, row.outcome, row.requests, row.p95, row.p99, row.errorRatePct], [s.test, s.outcome, s.totals.requests, s.totals.p95, s.totals.p99, s.totals.errorRatePct]);
      assert.match(row.href, /report\.html$/);
    }
    const [trend] = trendsOf(runs);
    assert.equal(trend!.runs.length, 2, 'the suite is listed, not a point of the average trend');
    // The one rule (core/regression.ts), as npm run compare words it: every row's p99 rose 60%; three named, the rest counted.
    assert.match(trend!.regressions.join('; '), /^all requests: p99 [\d.]+ → [\d.]+ ms \(\+60%, budget \+15%\); (\w+: p99 [\d.]+ → [\d.]+ ms \(\+60%, budget \+15%\); ){2}\d+ more \(npm run compare lists every row\)$/);

    const html = renderRunsIndex(runs);
    assert.match(html, /3 runs in this folder/);
    assert.match(html, /Regression in the latest run: all requests: p99 /);
    assert.match(html, /href="suite-x\/suite-report\.html"/);
    // Trend charts (the report page's script), their points the runs' own numbers, the budget the latest run broke.
    const data = JSON.parse(/<script type="application\/json" id="data">([^<]*)<\/script>/.exec(html)![1]!) as { charts: Array<{ id: string; x: number[]; lines: Array<{ label: string; values?: Array<number | null>; constant?: number }> }> };
    const latency = data.charts.find((c) => c.id === 'trend-0-latency')!;
    const sums = [older, newer].map((step) => JSON.parse(readFileSync(join(step.folder, 'summary.json'), 'utf8')).totals);
    assert.deepEqual(latency.x, [0, 1]);
    assert.deepEqual(latency.lines.find((l) => l.label === 'p99')!.values, sums.map((t) => t.p99));
    assert.deepEqual(latency.lines.find((l) => l.label === 'p95')!.values, sums.map((t) => t.p95));
    assert.equal(latency.lines.find((l) => l.label.startsWith('p99 budget'))!.constant, sums[0].p99 * 1.15);
    assert.deepEqual(data.charts.find((c) => c.id === 'trend-0-errors')!.lines[0]!.values, sums.map((t) => t.errorRatePct));
    const browser = await launch();
    if (browser) {
      try {
        writeFileSync(join(dir, 'index.html'), html);
        const page = await open(browser.context, join(dir, 'index.html'));
        assert.deepEqual(page.consoleErrors, []);
        assert.equal(page.requests.length, 1);
        const drawn = (await page.page.evaluate('window.hmpReport.charts')) as Array<{ id: string; points: number }>;
        assert.deepEqual(drawn.map((c) => [c.id, c.points]), data.charts.map((c) => [c.id, 2]));
      } finally {
        await browser.close();
      }
    }

    // The command writes DIR/index.html and says where, and names the regression.
    const out = execFileSync(process.execPath, ['--disable-warning=ExperimentalWarning', join(import.meta.dirname, '..', 'tools', 'reports.ts'), '--dir', dir], { encoding: 'utf8' });
    assert.match(out, /runs index: .*index\.html \(3 runs; regressions: average on .*: all requests: p99 /);
    assert.equal(readFileSync(join(dir, 'index.html'), 'utf8').includes('HMP load-test runs'), true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a breakpoint's capacity is shown as a change, not judged a regression (the budget names no capacity)", () => {
  const breakpoint = (startedAt: string, users: number) => ({ ...suiteRun('x', { run: { startedAt } }), kind: 'test' as const, test: 'breakpoint', maxSustainableUsers: users });
  const [trend] = trendsOf([breakpoint('2026-11-01T10:00:00Z', 120), breakpoint('2026-11-02T10:00:00Z', 110)]);
  assert.deepEqual([trend!.regressions, trend!.changes], [[], ['max sustainable users 120 → 110']]);
  assert.match(renderRunsIndex([breakpoint('2026-11-01T10:00:00Z', 120), breakpoint('2026-11-02T10:00:00Z', 110)]), /No regression in the latest run\.<\/p><p>Changed in the latest run \(not judged\): max sustainable users 120 → 110\.<\/p>/);
});

test('npm run reports: a folder that is not there is one sentence and exit 2', () => {
  try {
    execFileSync(process.execPath, ['--disable-warning=ExperimentalWarning', join(import.meta.dirname, '..', 'tools', 'reports.ts'), '--dir', '/nonexistent/reports'], { encoding: 'utf8', stdio: 'pipe' });
    assert.fail('expected exit 2');
  } catch (err) {
    const e = err as { status: number; stderr: string };
    assert.equal(e.status, 2);
    assert.match(e.stderr, /^reports: \/nonexistent\/reports is not a folder; give the reports folder with --dir\.\n$/);
  }
});
