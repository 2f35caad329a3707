// report.html in a real browser (Debian's chromium, driven by playwright-core):
// it loads with no console error and no network request, every chart has
// drawn, the verdict and tables hold the input's numbers, and a hostile error
// message is text. Screenshots go to test-artifacts/ (git-ignored). Without
// /usr/bin/chromium the browser checks are skipped, saying so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { CHROMIUM, launch, open } from '../report/browser.ts';
import { FILES, summarize, writeReportFolder } from '../report/build.ts';
import { syntheticResults } from './support/synthetic-results.ts';
import { parseLog } from '../suite/server-log/parse.ts';
import { summarizeLog } from '../suite/server-log/summary.ts';
import type { Results } from '../report/types.ts';

const SKIP = `chromium not installed at ${CHROMIUM}: browser check skipped`;
const ARTIFACTS = join(import.meta.dirname, '..', 'test-artifacts');
const HOSTILE = '</script><script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">';

/** Per chart canvas: pixels drawn, and pixels in a series colour (not the grey of axes and grid). Runs in the page. */
const INK = `[...document.querySelectorAll('div.plot')].map((host) => {
  const canvas = host.querySelector('canvas');
  const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
  let ink = 0, colored = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i + 3] === 0) continue;
    ink++;
    if (Math.max(data[i], data[i + 1], data[i + 2]) - Math.min(data[i], data[i + 1], data[i + 2]) > 60) colored++;
  }
  return { id: host.id, ink, colored };
})`;

function inkPerCanvas(page: Page): Promise<Array<{ id: string; ink: number; colored: number }>> {
  return page.evaluate(INK) as Promise<Array<{ id: string; ink: number; colored: number }>>;
}

const cell = (page: Page, selector: string) => page.locator(selector).first().innerText();

function build(t: { after(fn: () => void): void }, r: Results, name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `report-browser-${name}-`));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(writeReportFolder(r, { reportsDir: dir }), FILES.html);
}

test('report.html in Chromium: no console error, no request, charts drawn, the input\'s numbers, hostile text shown as text', async (t) => {
  const browser = await launch();
  if (!browser) {
    t.skip(SKIP);
    return;
  }
  t.after(() => browser.close());
  const r = syntheticResults({ test: 'average', seed: 21, errorShare: 0.02, timeoutShare: 0.002, system: true, memTotalMb: 512, errorMessage: HOSTILE });
  const s = summarize(r);
  const html = build(t, r, 'average');
  const { page, consoleErrors, requests, ms } = await open(browser.context, html);
  t.diagnostic(`opened and drawn in ${ms} ms`);

  assert.deepEqual(consoleErrors, []);
  assert.deepEqual(requests, [`file://${html}`]);

  const charts = (await page.evaluate('window.hmpReport.charts')) as Array<{ id: string; points: number; series: number }>;
  assert.equal(charts.length, 9); // users, throughput, errors, 4 latency groups, CPU, memory
  assert.ok(charts.every((c) => c.points === r.intermediate.length));
  const ink = await inkPerCanvas(page);
  assert.equal(ink.length, 9);
  for (const c of ink) assert.ok(c.colored > 200, `${c.id} has drawn its lines (${c.colored} coloured pixels)`);

  // Verdict: numbers from the input, computed here from the counters.
  const sum = (name: string) => r.intermediate.reduce((a, p) => a + (p.counters?.[name] ?? 0), 0);
  const errors = r.intermediate.reduce((a, p) => a + Object.entries(p.counters ?? {}).filter(([k]) => /^plugins\.hmp\.errors\.[^.]+$/.test(k)).reduce((b, [, v]) => b + v, 0), 0);
  const rate = (100 * errors) / sum('http.requests');
  const shown = rate < 1 ? Math.round(rate * 1000) / 1000 : Math.round(rate * 100) / 100;
  assert.equal(await cell(page, '#verdicts tr[data-id="error_rate"] td:nth-child(2)'), `${shown}%`);
  assert.equal(await cell(page, '#verdicts tr[data-id="error_rate"] td:nth-child(4)'), rate < 1 ? 'PASS' : 'FAIL');
  const p99list = Math.max(...['project_list', 'submission_list'].map((e) => r.aggregate.summaries![`plugins.metrics-by-endpoint.response_time.${e}`]!.p99!));
  assert.equal(await cell(page, '#verdicts tr[data-id="p99.list"] td:nth-child(2)'), `${p99list} ms`);
  assert.equal(await cell(page, '#outcome'), s.outcome);

  // Endpoint table: requests and timeouts of project_list.
  const listRequests = sum('plugins.metrics-by-endpoint.project_list.codes.200') + sum('plugins.metrics-by-endpoint.project_list.codes.500') + sum('plugins.metrics-by-endpoint.project_list.errors.ETIMEDOUT');
  assert.equal(await cell(page, '#endpoint-table tr[data-endpoint="project_list"] td:nth-child(3)'), listRequests.toLocaleString('en-US'));
  assert.equal(await cell(page, '#endpoint-table tr[data-endpoint="project_list"] td:nth-child(6)'), sum('plugins.hmp.errors.project_list.ETIMEDOUT').toLocaleString('en-US'));

  // The hostile message is on the page as text, and ran nowhere.
  const messages = await page.locator('#error-table td.msg').allInnerTexts();
  assert.ok(messages.includes(HOSTILE), 'the server message shows as typed');
  assert.equal(await page.evaluate('typeof window.__pwned'), 'undefined');
  assert.equal(await page.locator('img').count(), 0);

  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, 'report.png'), fullPage: true });
  await page.setViewportSize({ width: 1400, height: 1000 });
  await page.screenshot({ path: join(ARTIFACTS, 'report-top.png') });
  t.diagnostic(`screenshots: ${join(ARTIFACTS, 'report.png')}, report-top.png`);
});

test('breakpoint report in Chromium: level table and failure marker', async (t) => {
  const browser = await launch();
  if (!browser) {
    t.skip(SKIP);
    return;
  }
  t.after(() => browser.close());
  const r = syntheticResults({ test: 'breakpoint', seed: 4 });
  const { page, consoleErrors, requests } = await open(browser.context, build(t, r, 'breakpoint'));
  assert.deepEqual(consoleErrors, []);
  assert.equal(requests.length, 1);
  assert.equal(await cell(page, '#max-sustainable'), '100');
  assert.equal(await page.locator('#level-table tbody tr').count(), 11);
  assert.equal(await cell(page, '#level-table tr.failed td:nth-child(1)'), '120');
  assert.equal(await cell(page, '#outcome'), 'REPORT');
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, 'report-breakpoint.png'), fullPage: true });
});

// The open-time budget (2 s) is checked by bench/report-bench.ts, not here: this only reports the time.
test('the 3-hour soak report loads cleanly (time reported; the budget is the benchmark\'s)', async (t) => {
  const browser = await launch();
  if (!browser) {
    t.skip(SKIP);
    return;
  }
  t.after(() => browser.close());
  const r = syntheticResults({ test: 'soak', periods: 1100, endpoints: 20, system: true, memTotalMb: 512, seed: 3 });
  const html = build(t, r, 'soak');
  await (await open(browser.context, html)).page.close(); // warm the browser up once
  const { ms, consoleErrors } = await open(browser.context, html);
  t.diagnostic(`3-hour soak report drawn in ${ms} ms`);
  assert.deepEqual(consoleErrors, []);
});

test('the server log and the I/O in Chromium: charts beside the client errors and per process, the pool named, a hostile traceback shown as text', async (t) => {
  const browser = await launch();
  if (!browser) {
    t.skip(SKIP);
    return;
  }
  t.after(() => browser.close());
  const r = syntheticResults({ test: 'average', seed: 5, errorShare: 0.02, system: true, memTotalMb: 512, io: true });
  // Timestamped lines (a logging config's format) in the run's own periods: 200s throughout, a pool traceback every 5th period.
  const lines: string[] = [];
  r.intermediate.forEach((p, i) => {
    const at = new Date(Number(p.period) + 2_000).toISOString();
    lines.push(`${at} INFO: 127.0.0.1:5000 - "GET /project/ HTTP/1.1" 200 OK`);
    if (i % 5 === 0) {
      lines.push(`${at} ERROR: Exception in ASGI application`, 'Traceback (most recent call last):', `  File "/app/${HOSTILE}.py", line 1, in x`, 'sqlalchemy.exc.TimeoutError: QueuePool limit of size 5 overflow 10 reached, connection timed out, timeout 30.00');
      lines.push(`${at} INFO: 127.0.0.1:5000 - "GET /submission/ HTTP/1.1" 500 Internal Server Error`);
    }
  });
  const log = summarizeLog(parseLog(lines.join('\n')), 'server.log', lines.length);
  const pools = Math.ceil(r.intermediate.length / 5);
  assert.equal(log.pool.count, pools);
  (r.aggregate.hmp as Record<string, unknown>).serverLog = { ...log, disagreements: ['The server logged 3 answers more than the client received.'] };
  const html = build(t, r, 'server-log');
  const { page, consoleErrors, requests } = await open(browser.context, html);
  assert.deepEqual(consoleErrors, []);
  assert.deepEqual(requests, [`file://${html}`]);
  const charts = (await page.evaluate('window.hmpReport.charts')) as Array<{ id: string; title?: string }>;
  const ink = await inkPerCanvas(page);
  const chart = ink.find((c) => c.id.startsWith('chart-server-log-beside-the-client'));
  assert.ok(chart, `the server-log chart is on the page: ${charts.map((c) => c.id)}`);
  assert.ok(chart.colored > 200, `it has drawn its lines (${chart.colored} coloured pixels)`);
  for (const title of ['disk-i-o-of-the-server', 'network-i-o-of-the-host', 'cpu-by-process', 'memory-by-process', 'disk-writes-by-process']) {
    const c = ink.find((x) => x.id.startsWith(`chart-${title}`));
    assert.ok(c && c.colored > 200, `${title} drawn: ${JSON.stringify(c)}`);
  }
  assert.match(await cell(page, '#server-pool'), new RegExp(`Database connection pool exhausted ${pools} times`));
  assert.match(await cell(page, '#server-disagree'), /3 answers more than the client received/);
  assert.match(await page.locator('#server-errors pre').first().textContent() ?? '', /QueuePool limit/);
  assert.ok(((await page.locator('#server-errors pre').first().textContent()) ?? '').includes(HOSTILE), 'the traceback shows as typed');
  assert.equal(await page.evaluate('typeof window.__pwned'), 'undefined');
  assert.equal(await page.locator('img').count(), 0);
  await page.screenshot({ path: join(ARTIFACTS, 'report-server-log.png'), fullPage: true });
});
