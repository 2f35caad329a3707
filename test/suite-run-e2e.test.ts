// `npm run suite` end to end against the HMP twin under a time scale: one
// healthy run of all 9 steps, checking the exit code, every step's verdict and
// key numbers, the report files, and that teardown was verified. The knob per
// failure type of the plan's algorithm is in suite-knobs-e2e.test.ts (a file
// of its own, so the test runner can run the two beside each other).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startTwinProcess } from '../twin/launch.ts';
import { assertReportAndTeardown, assertUsersGone, outDir, statuses, suite, why, type SuiteRun } from './support/suite-run.ts';
import { launch, open } from '../report/browser.ts';
import { watchLive, type LiveWatch } from './support/live-watch.ts';

/** The suite page's step verdicts, and whether it links the running step's own live page. */
const STEPS_SNAP = `() => ({ verdicts: Array.from(document.querySelectorAll('tbody')[0].querySelectorAll('td.v')).map((td) => td.textContent), stepPage: Boolean(document.querySelector('#live a[href^="http://127.0.0.1:"]')) })`;

test('a healthy twin: all 9 steps pass, the suite report aggregates them, teardown verified (exit 0); its live page follows the steps', { timeout: 240_000 }, async (t) => {
  const out = outDir('healthy');
  // The twin writes its log as uvicorn writes HMP's; the suite reads it during every test (--server-log).
  const serverLog = join(out, 'twin-server.log');
  const twin = await startTwinProcess({ args: ['--log-file', serverLog] });
  const browser = await launch();
  try {
    // --target: the test's own twin (so it can check the teardown afterwards), sampled by pid, and
    // this test's own process beside it (per-process figures, as a database would be).
    let watching: Promise<LiveWatch<{ verdicts: string[]; stepPage: boolean }>> | undefined;
    let ran!: Promise<SuiteRun>;
    ran = suite(['--target', twin.url, '--credentials', twin.adminCredentialsPath, '--system-metrics', 'local', '--pid', `twin=${twin.pid},runner=${process.pid}`, '--server-log', serverLog, '--time-scale', '0.001', '--submissions', '20', '--think', '250-750'], {
      out,
      env: { HMP_PASSWORD: twin.adminPassword, HMP_LIVE: 'on' },
      onLine: (line) => {
        const url = /^suite: live page: (http:\/\/127\.0\.0\.1:\d+\/[0-9a-f]{32}\/) /.exec(line)?.[1];
        if (url && browser && !watching) watching = watchLive(browser.context, url, ran, STEPS_SNAP);
      },
    });
    const r = await ran;
    assert.equal(r.code, 0, why(r));
    assert.match(r.stderr, /suite: live page: http:\/\/127\.0\.0\.1:\d+\/[0-9a-f]{32}\/ \(this suite only; --no-live switches it off\)/);
    assert.equal(r.summary.outcome, 'PASSED');
    assert.deepEqual(statuses(r), { setup: 'passed', smoke: 'passed', average: 'passed', stress: 'passed', spike: 'passed', breakpoint: 'recorded', soak: 'passed', teardown: 'passed', report: 'passed' });
    assert.deepEqual(r.summary.flags, []);
    assert.deepEqual(r.summary.recommendations, []);
    // A healthy server: no incident and no cause in any test (diagnosis/), and the report says so.
    for (const s of r.summary.steps) assert.deepEqual(s.incidents, [], `${s.id}: ${JSON.stringify(s.incidents)}`);
    assert.doesNotMatch(r.stderr, /incident (began|\d+,)/);
    assert.match(readFileSync(join(r.dir, 'suite-summary.md'), 'utf8'), /## What went wrong\n\nNo incident in any test/);
    // Progress: N/9 for every step, in plain lines.
    for (let n = 1; n <= 9; n++) assert.match(r.stderr, new RegExp(`\\[${n}/9 `));
    assert.match(r.stderr, /suite: running \S+: smoke, average, stress, spike, breakpoint, soak at time scale 0\.001 \(real time = plan time x 0\.001\)\n/);
    assert.match(r.stderr, /\| real \d\d:\d\d elapsed, ~\d\d:\d\d left/);
    // Teardown's two counts say what they count: the server's all load-test data, down's the seeded submissions it verified.
    assert.match(r.stderr, /\[8\/9 teardown\] server: .* \(all load-test data: the seeded submissions and those the tests uploaded\)\n/);
    assert.match(r.stderr, /\[8\/9 teardown\] PASS: removed and verified 100 test users, 30 projects and the 20 seeded submissions on /);
    // Key numbers per step, the baseline, the spike's recovery and data check, the breakpoint's analysis, the soak's drift.
    const step = (id: string) => r.summary.steps.find((s) => s.id === id)!;
    assert.match(step('average').figures, /^\d+ requests, errors 0%, p99 \d+ ms, .*CPU \d+%/);
    assert.ok((r.summary.baseline as { p95Ms: number }).p95Ms > 0);
    assert.equal((r.summary.spike!.recovery as { status: string }).status, 'recovered');
    assert.match((r.summary.spike!.integrity as { summary: string }).summary, /acknowledged uploads verified|No acknowledged uploads/);
    assert.equal(step('breakpoint').numbers!.maxSustainableUsers, 200);
    assert.match(step('breakpoint').reason!, /no breakpoint below 200 users/);
    assert.ok((r.summary.breakpoint as { bottleneck: { text: string } }).bottleneck.text.length > 0);
    assert.equal((r.summary.soak as { flagged: boolean }).flagged, false);
    // Every test: how long the server took to answer normally again once its load stopped is measured and
    // shown (the spike's recovery probes, judged the same way; its judging is suite-recovery.test.ts's).
    for (const t of ['smoke', 'average', 'stress', 'breakpoint', 'soak']) {
      assert.match(String(step(t).numbers!.recoveryStatus), /^(recovered|not-recovered)$/, `${t}: ${JSON.stringify(step(t).numbers)}`);
      assert.match(step(t).figures, /(recovered in [\d.]+ (ms|s)|not recovered in [\d.]+ (ms|s)) after the load/);
    }
    // The step reports carry the server's CPU and memory (merged before the report was written).
    const avg = JSON.parse(readFileSync(join(r.dir, step('average').report!.replace(/report\.html$/, 'summary.json')), 'utf8'));
    assert.ok(avg.system.cpu !== null && avg.system.memory !== null, 'CPU and memory in the average report');
    // Disk and network I/O beside them (the loopback carried the whole test's traffic), charted.
    const avgResults = JSON.parse(readFileSync(join(r.dir, step('average').report!.replace(/report\.html$/, 'results.json')), 'utf8'));
    assert.ok(avgResults.aggregate.summaries['plugins.hmp.system.net_in_bps'].mean > 0, 'bytes in on lo');
    assert.ok(avgResults.aggregate.summaries['plugins.hmp.system.disk_write_bps'] !== undefined, 'disk writes sampled');
    assert.match(readFileSync(join(r.dir, step('average').report!), 'utf8'), /Network I\/O of the host/);
    assertReportAndTeardown(r);
    // The runs index of --out: this suite and each of its tests' own reports.
    const index = readFileSync(join(out, 'index.html'), 'utf8');
    assert.match(index, /7 runs in this folder/);
    assert.match(index, /href="suite-[^"]+\/suite-report\.html"/);
    assert.match(index, /href="suite-[^"]+\/average\/average-[^"]+\/report\.html"/);
    await assertUsersGone(twin, r);
    if (!browser) return t.diagnostic('chromium not installed at /usr/bin/chromium: live page check skipped');
    // The live page: the step table advanced while the suite ran, a step's own live page was linked, then the suite report.
    const live = await watching!;
    t.diagnostic(`suite live page: ${live.versions.length} versions seen: ${live.versions.map((v) => v.verdicts.filter((x) => x !== 'NOT RUN').length).join(' ')} steps begun`);
    assert.deepEqual(live.consoleErrors, []);
    const origin = new URL(live.requests[0]!).origin;
    assert.ok(live.requests.every((u) => u.startsWith(`${origin}/`)), live.requests.join(', '));
    const distinct = new Set(live.versions.map((v) => v.verdicts.join('|')));
    assert.ok(distinct.size >= 3, `the step table advanced: ${[...distinct].join(' / ')}`);
    assert.ok(live.versions.some((v) => v.stepPage), "a running step's own live page was linked");
    assert.deepEqual(live.ended, { href: 'report.html', path: join(r.dir, 'suite-report.html') });

    // The suite report's timeline: the step reports' charts over every test's periods, each step marked with its verdict.
    const page = await open(browser.context, join(r.dir, 'suite-report.html'));
    assert.deepEqual(page.consoleErrors, []);
    assert.equal(page.requests.length, 1, 'no request but the page itself');
    const tests = r.summary.steps.filter((x) => x.report);
    const periods = tests.map((x) => JSON.parse(readFileSync(join(r.dir, x.report!.replace(/report\.html$/, 'summary.json')), 'utf8')).run.periods as number);
    const charts = (await page.page.evaluate('window.hmpReport.charts')) as Array<{ id: string; points: number }>;
    assert.ok(charts.length >= 4, charts.map((c) => c.id).join(', '));
    for (const c of charts) assert.equal(c.points, periods.reduce((a, b) => a + b, 0), `${c.id}: one point per period of every test`);
    const spans = await page.page.locator('#timeline-steps li').allInnerTexts();
    assert.deepEqual(spans.map((x) => x.replace(/, \d+ periods.*$/, '')), tests.map((x) => `${x.id}: ${x.verdict}`));
    assert.deepEqual(spans.map((x) => Number(/, (\d+) periods/.exec(x)![1])), periods, "each span's periods are its step report's");
    await page.page.screenshot({ path: join(import.meta.dirname, '..', 'test-artifacts', 'suite-report.png'), fullPage: true });

    // The average's own report: CPU, memory, disk and network, per process too, and the server's log beside the client's errors.
    const avgPage = await open(browser.context, join(r.dir, step('average').report!));
    assert.deepEqual(avgPage.consoleErrors, []);
    const drawn = ((await avgPage.page.evaluate('window.hmpReport.charts')) as Array<{ id: string; series: number }>).map((c) => c.id.replace(/-\d+$/, ''));
    for (const id of ['cpu', 'memory', 'disk-i-o-of-the-server', 'network-i-o-of-the-host', 'cpu-by-process', 'memory-by-process', 'disk-writes-by-process', 'server-log-beside-the-client']) {
      assert.ok(drawn.includes(id), `${id} drawn: ${drawn.join(', ')}`);
    }
    const log = avg.serverLog as { requests: number; statuses: Record<string, number>; problem?: string | null };
    assert.ok(!log.problem, `the log was read: ${log.problem}`);
    assert.ok(log.requests >= avg.totals.requests, `the server logged ${log.requests} requests, the client sent ${avg.totals.requests} (and the probes more)`);
    assert.equal(Object.values(log.statuses).reduce((a, b) => a + b, 0), log.requests);
  } finally {
    await browser?.close();
    await twin.stop();
    rmSync(out, { recursive: true, force: true });
  }
});
