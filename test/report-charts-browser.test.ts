// Charts a person can read (issue 21, item 4), checked on the pixels Chromium
// draws for the report of a real healthy smoke run (the phase file against
// its local twin): every latency chart's lines stand off the axis (the axis
// fits the data, not the SLO far above it) and its SLO is still shown, in
// red, as a line or a label; the achieved users' blue band and the target's
// dark dashes are both visible; every axis says its unit. Screenshot:
// test-artifacts/report-charts.png. Without /usr/bin/chromium it is skipped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { CHROMIUM, launch, open } from '../report/browser.ts';
import { FILES, writeReportFolder } from '../report/build.ts';
import { COLORS, LATENCY_AXIS_MIN_MS } from '../report/charts.ts';
import { cleanUp, ROOT } from './support/artillery-run.ts';
import { runPhaseFile } from './support/phase-run.ts';

const ARTIFACTS = join(ROOT, 'test-artifacts');
const rgb = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
const LATENCY_LINES = [COLORS.green, COLORS.orange, COLORS.purple].map(rgb);
const TARGET_DARK = rgb('#111827');

interface Ink {
  /** Pixels of the given colours inside the plotting area. */
  count: number;
  /** Rows (canvas pixels) of the highest and lowest of them, and the plot's own top and bottom rows. */
  top: number;
  bottom: number;
  plotTop: number;
  plotBottom: number;
}

/**
 * Opaque pixels of a chart's canvas within `tolerance` of any of `colors`,
 * inside the plot area (axes, ticks and their labels lie outside it). Runs
 * in the page (a string: the project's TypeScript has no DOM types).
 */
const INK = `({ id, colors, tolerance }) => {
  const { left, top, width, height } = window.hmpReport.charts.find((c) => c.id === id).plot;
  const canvas = document.querySelector('#chart-' + id + ' canvas');
  const { data } = canvas.getContext('2d').getImageData(left, top, width, height);
  let count = 0, hi = Infinity, lo = -Infinity;
  for (let i = 0; i < data.length; i += 4) {
    // The canvas is transparent where nothing is drawn, and the achieved users' fill is faint: opaque pixels only.
    const hit = data[i + 3] > 200 && colors.some((c) => Math.abs(data[i] - c[0]) <= tolerance && Math.abs(data[i + 1] - c[1]) <= tolerance && Math.abs(data[i + 2] - c[2]) <= tolerance);
    if (!hit) continue;
    count++;
    const row = top + Math.floor(i / 4 / width);
    hi = Math.min(hi, row);
    lo = Math.max(lo, row);
  }
  return { count, top: hi, bottom: lo, plotTop: top, plotBottom: top + height - 1 };
}`;

function ink(page: Page, id: string, colors: number[][], tolerance = 30): Promise<Ink> {
  return page.evaluate(`(${INK})(${JSON.stringify({ id, colors, tolerance })})`) as Promise<Ink>;
}

test('the report of a healthy run: latency lines off the axis with the SLO named, target and achieved users apart, a unit on every axis', { timeout: 240_000 }, async (t) => {
  const browser = await launch();
  if (!browser) {
    t.skip(`chromium not installed at ${CHROMIUM}: browser check skipped`);
    return;
  }
  t.after(() => browser.close());
  // Time scale 0.2: a 24 s hold, three periods or more; the plugin starts its own twin (target: local-twin).
  const run = await runPhaseFile('phases/smoke.yml', { env: { HMP_TIME_SCALE: '0.2', HMP_ALLOW_SHORT: '1', HMP_LIVE: 'off' }, label: 'report-charts' });
  t.after(() => cleanUp(run.dir));
  assert.equal(run.code, 0, `${run.stdout.slice(-2000)}\n${run.stderr.slice(-2000)}`);
  const html = join(writeReportFolder(run.results!, { reportsDir: join(run.dir, 'reports') }), FILES.html);
  const { page, consoleErrors } = await open(browser.context, html);
  assert.deepEqual(consoleErrors, []);
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.locator('#charts').screenshot({ path: join(ARTIFACTS, 'report-charts.png') });

  const charts = (await page.evaluate('window.hmpReport.charts')) as Array<{ id: string; xLabel: string; yLabel: string; yMax: number; limitsAbove: string[] }>;
  for (const c of charts) assert.ok(c.xLabel && c.yLabel, `${c.id}: both axes labelled (${c.xLabel} / ${c.yLabel})`);

  const latency = charts.filter((c) => c.id.startsWith('latency-'));
  assert.ok(latency.length >= 3, `latency charts drawn: ${charts.map((c) => c.id)}`);
  for (const c of latency) {
    assert.equal(c.yLabel, 'ms');
    const lines = await ink(page, c.id, LATENCY_LINES);
    const height = lines.plotBottom - lines.plotTop;
    const rise = (lines.plotBottom - lines.top) / height;
    t.diagnostic(`${c.id}: axis to ${Math.round(c.yMax)} ms, highest line at ${Math.round(rise * 100)}% of the plot, lines span ${lines.bottom - lines.top} px; named above: ${c.limitsAbove.join(', ') || '-'}`);
    assert.ok(lines.count > 50, `${c.id}: its p50/p95/p99 are drawn (${lines.count} pixels)`);
    // An axis fitted to the data puts its highest line near the top (below the axis's few-ms floor, a fifth of the way up at
    // least); one scaled to the SLO (0 to 432 ms and more) puts a healthy run's 1-50 ms in the bottom tenth.
    const atFloor = c.yMax <= LATENCY_AXIS_MIN_MS * 1.2;
    assert.ok(rise > (atFloor ? 0.12 : 0.5), `${c.id}: the highest line stands ${Math.round(rise * 100)}% of the plot above the axis (axis to ${c.yMax} ms), not flat on it`);
    assert.ok(lines.bottom - lines.top > 3, `${c.id}: the lines span ${lines.bottom - lines.top} px, not one row`);
    // The SLO is there, in red: its dashed line when the axis reaches it, else its label at the top.
    const red = await ink(page, c.id, [rgb(COLORS.red)]);
    assert.ok(red.count > 20, `${c.id}: the SLO shown (${red.count} red pixels)`);
    if (c.limitsAbove.length) assert.match(c.limitsAbove.join(), /SLO p99 \d+ ms/);
  }

  // Equal target and achieved users: a blue band with dark dashes in it, both visible.
  const users = charts.find((c) => c.id.startsWith('concurrent-users'))!;
  assert.equal(users.yLabel, 'users');
  const blue = await ink(page, users.id, [rgb(COLORS.blue)]);
  const dark = await ink(page, users.id, [TARGET_DARK], 40);
  t.diagnostic(`users: ${blue.count} blue pixels in rows ${blue.top}-${blue.bottom}, ${dark.count} dark in rows ${dark.top}-${dark.bottom}`);
  assert.ok(blue.count > 100 && dark.count > 20, `achieved (${blue.count} blue pixels) and target (${dark.count} dark pixels) both visible`);
  assert.ok(dark.top >= blue.top - 2 && dark.bottom <= blue.bottom + 2, `the target runs along the achieved line: ${JSON.stringify({ blue, dark })}`);
});
