// End to end: a real Artillery run with the suite's plugin against the twin,
// then its report folder from the -o results: six files whose figures are
// the run's, and (with Debian's chromium) a page that shows it, screenshot in
// test-artifacts/report-run.png. The same run serves its live page, watched
// in Chromium while it runs: new periods drawn, then the link to its report.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FILES, writeReportFolder } from '../report/build.ts';
import { startTwin } from '../twin/server.ts';
import { launch, open } from '../report/browser.ts';
import { watchLive, type LiveWatch } from './support/live-watch.ts';

const ROOT = join(import.meta.dirname, '..');
const ARTIFACTS = join(ROOT, 'test-artifacts');

/** The plugin's fixture shape (ramp to 6 users, hold, ramp to 2) in a folder of its own, so runs do not share a bundle. */
function runFolder(): string {
  const dir = join(ARTIFACTS, `report-run-${process.pid}-${Date.now()}`);
  mkdirSync(join(dir, 'dist'), { recursive: true });
  writeFileSync(join(dir, 'dist/package.json'), '{ "type": "commonjs" }\n');
  copyFileSync(join(ROOT, 'test/fixtures/plugin/processor.ts'), join(dir, 'processor.ts'));
  const yml = readFileSync(join(ROOT, 'test/fixtures/plugin/shape.yml'), 'utf8')
    .replace(/common: .*/, `common: ${JSON.stringify(join(ROOT, 'phases/common.yml'))}`)
    .replace(/scenarios: \.\.\/test\/fixtures\/plugin\/idle\.yml/, `scenarios: ${JSON.stringify(join(ROOT, 'test/fixtures/plugin/idle.yml'))}`);
  writeFileSync(join(dir, 'run.yml'), yml);
  writeFileSync(join(dir, 'test_data.json'), '{}\n');
  return dir;
}

/** 70 s of shape at 0.45: four periods, so the live page sees at least two of them come. */
const SCALE = 0.45;

function artillery(dir: string, target: string, onLive: (url: string) => void): Promise<{ code: number; out: string }> {
  const args = [join(ROOT, 'node_modules/artillery/bin/run'), 'run', join(dir, 'run.yml'), '-o', join(dir, 'out.json')];
  const env = { ...process.env, ARTILLERY_DISABLE_TELEMETRY: '1', HMP_TARGET: target, HMP_TEST_DATA: join(dir, 'test_data.json'), HMP_TIME_SCALE: String(SCALE), TEST_THINK_MS: '1000', HMP_REPORTS_DIR: join(dir, 'plugin-reports'), HMP_LIVE: 'on' };
  return new Promise((resolve) => {
    const child = execFile(process.execPath, args, { cwd: ROOT, env, timeout: 180_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: `${stdout}\n${stderr}` });
    });
    let seen = '';
    child.stdout!.on('data', (d: Buffer) => {
      const url = /hmp: live page: (http:\/\/127\.0\.0\.1:\d+\/[0-9a-f]{32}\/)/.exec((seen += d.toString()))?.[1];
      if (url && !seen.includes('\u0000')) {
        seen += '\u0000';
        onLive(url);
      }
    });
  });
}

test('a real run against the twin gives a report folder whose figures are the run\'s', { timeout: 240_000 }, async (t) => {
  const twin = await startTwin({});
  t.after(() => twin.close());
  const dir = runFolder();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const browser = await launch();
  if (browser) t.after(() => browser.close());

  let watching: Promise<LiveWatch<{ points: number }>> | undefined;
  let ran!: Promise<{ code: number; out: string }>;
  ran = artillery(dir, twin.url, (url) => {
    // The first chart's points: one per period drawn (report/page/report.js).
    if (browser) watching = watchLive(browser.context, url, ran, `() => document.documentElement.hasAttribute('data-charts-drawn') ? { points: window.hmpReport.charts[0].points } : { points: -1 }`);
  });
  const run = await ran;
  assert.equal(run.code, 0, run.out.slice(-3000));
  assert.match(run.out, /hmp: live page: http:\/\/127\.0\.0\.1:\d+\/[0-9a-f]{32}\/ \(this run only; HMP_LIVE=off switches it off\)/);
  const raw = readFileSync(join(dir, 'out.json'), 'utf8');
  const results = JSON.parse(raw);
  const folder = writeReportFolder(results, { reportsDir: join(dir, 'reports'), rawText: raw });
  assert.match(folder, /average-\d{8}T\d{6}Z$/);
  assert.deepEqual(readdirSync(folder).sort(), ['junit.xml', 'periods.csv', 'report.html', 'results.json', 'summary.json', 'summary.md']);

  const summary = JSON.parse(readFileSync(join(folder, FILES.summaryJson), 'utf8'));
  const c = results.aggregate.counters;
  assert.equal(summary.totals.requests, c['http.requests']);
  assert.ok(summary.totals.requests > 10, `${summary.totals.requests} requests`);
  const health = summary.endpoints.find((e: { name: string }) => e.name === 'health');
  assert.equal(health.requests, c['plugins.metrics-by-endpoint.health.codes.200']);
  assert.equal(summary.verdicts.find((v: { id: string }) => v.id === 'error_rate').measured, c['plugins.hmp.criteria.error_rate_pct']);
  assert.equal(summary.outcome, 'PASS');
  assert.equal(summary.run.timeScale, SCALE);
  assert.equal(summary.run.target, twin.url);
  assert.equal(summary.users.targetPeak, 6);
  assert.equal(summary.run.periods, results.intermediate.length);
  // The plugin wrote its own report folder and rewrote the runs index of its reports folder.
  assert.match(run.out, new RegExp(`hmp: runs index: ${join(dir, 'plugin-reports', 'index.html').replace(/[.]/g, '\\.')}`));
  const index = readFileSync(join(dir, 'plugin-reports', 'index.html'), 'utf8');
  assert.match(index, /1 run in this folder/);
  assert.match(index, /href="average-\d{8}T\d{6}Z\/report\.html"/);
  // Its trend charts: one point, this run's own numbers (from the summary.json beside its report).
  const pluginFolder = readdirSync(join(dir, 'plugin-reports')).find((f) => f.startsWith('average-'))!;
  const own = JSON.parse(readFileSync(join(dir, 'plugin-reports', pluginFolder, 'summary.json'), 'utf8')).totals;
  const trend = JSON.parse(/<script type="application\/json" id="data">([^<]*)<\/script>/.exec(index)![1]!) as { charts: Array<{ id: string; lines: Array<{ label: string; values?: unknown[] }> }> };
  const line = (chart: string, label: string) => trend.charts.find((c) => c.id === `trend-0-${chart}`)!.lines.find((l) => l.label === label)!.values;
  assert.deepEqual([line('latency', 'p95'), line('latency', 'p99'), line('errors', 'error rate'), line('rate', 'req/s')], [[own.p95], [own.p99], [own.errorRatePct], [own.reqPerS]]);

  if (!browser) {
    t.diagnostic('chromium not installed at /usr/bin/chromium: browser checks skipped');
    return;
  }
  // The live page: periods drawn as they came, then the end and the link to the report the plugin wrote.
  const live = await watching!;
  const pluginReport = /hmp: report: (\S+report\.html)/.exec(run.out)![1]!;
  t.diagnostic(`live page versions: ${live.versions.map((v) => `${v.version} (${v.points} points)`).join(', ')}`);
  assert.deepEqual(live.consoleErrors, []);
  const origin = new URL(live.requests[0]!).origin;
  assert.ok(live.requests.every((u) => u.startsWith(`${origin}/`)), `a request to another origin: ${live.requests.filter((u) => !u.startsWith(origin)).join(', ')}`);
  const periodsSeen = live.versions.filter((v) => /^\d+$/.test(v.version) && v.points >= 0);
  assert.ok(periodsSeen.length >= 2, `two periods seen live: ${JSON.stringify(live.versions)}`);
  assert.ok(periodsSeen.at(-1)!.points > periodsSeen[0]!.points, 'the charts grew between two periods');
  assert.deepEqual(live.ended, { href: 'report.html', path: pluginReport });

  const { page, consoleErrors, requests } = await open(browser.context, join(folder, FILES.html));
  assert.deepEqual(consoleErrors, []);
  assert.equal(requests.length, 1);
  const charts = (await page.evaluate('window.hmpReport.charts')) as Array<{ points: number }>;
  assert.ok(charts.length >= 3, `${charts.length} charts`);
  assert.equal(await page.locator('#endpoint-table tr[data-endpoint="health"] td:nth-child(3)').innerText(), String(health.requests));
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, 'report-run.png'), fullPage: true });
  t.diagnostic(`screenshot: ${join(ARTIFACTS, 'report-run.png')}`);
});
