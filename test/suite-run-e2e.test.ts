// `npm run suite` end to end against the HMP twin under a time scale: one
// healthy run of all 9 steps, then one knob per failure type of the plan's
// algorithm (functional error, slow average, crash under stress, burst
// failure, data loss, leak), checking the exit code, the flags, the SKIP
// reason, the recommendations and their measurements, the report files, and
// that teardown was verified every time. Ctrl-C and --resume ride along with
// the slow-average case. The healthy run goes alone; the knob runs two at a time.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startTwinProcess, type TwinProcess } from '../twin/launch.ts';
import { outDir, statuses, suite, why, type SuiteRun } from './support/suite-run.ts';

/** The report files exist, every test that ran links its own report, teardown removed and verified the test data. */
function assertReportAndTeardown(r: SuiteRun): void {
  for (const f of ['suite-report.html', 'suite-summary.md', 'suite-summary.json']) assert.ok(existsSync(join(r.dir, f)), `${f} written`);
  for (const s of r.summary.steps) {
    if (['smoke', 'average', 'stress', 'spike', 'breakpoint', 'soak'].includes(s.id) && ['passed', 'flagged', 'aborted', 'recorded'].includes(s.status)) {
      assert.ok(s.report && existsSync(join(r.dir, s.report)), `${s.id}: its own report ${s.report} exists`);
      assert.match(readFileSync(join(r.dir, 'suite-report.html'), 'utf8'), new RegExp(`href="${s.report!.replace(/[.]/g, '\\.')}"`), `${s.id}: linked from the suite report`);
    }
  }
  assert.equal(r.summary.steps.find((s) => s.id === 'teardown')!.status, 'passed', `teardown verified: ${r.summary.steps.find((s) => s.id === 'teardown')!.reason}`);
  assert.match(r.summary.steps.find((s) => s.id === 'teardown')!.reason!, /removed and verified \d+ test users/);
  assert.ok(!existsSync(r.state.dataFile), 'the data file is gone');
}

/** After teardown no test user can get a login challenge (404 deleted / 400 expired). */
async function assertUsersGone(twin: TwinProcess, r: SuiteRun): Promise<void> {
  const ids = (r.state.steps.setup.details!.setup as { userIds: number[] }).userIds;
  assert.ok(ids.length >= 100, `${ids.length} test users were seeded`);
  for (const id of ids) {
    const res = await fetch(`${twin.url}/auth/challenge`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user_id: id }) });
    await res.arrayBuffer();
    assert.ok(res.status === 404 || res.status === 400, `user ${id}: challenge answered ${res.status}`);
  }
}

// The smoke at 0.1 (12 s of hold): its sessions must reach every endpoint even on a busy machine (at 0.05, 6 s, two of five did not, beside two CPU hogs).
const FAST = ['--time-scale', '0.002', '--smoke-time-scale', '0.1', '--submissions', '20'];

test('a healthy twin: all 9 steps pass, the suite report aggregates them, teardown verified (exit 0)', { timeout: 240_000 }, async () => {
  const twin = await startTwinProcess();
  const out = outDir('healthy');
  try {
    // --target: the test's own twin (so it can check the teardown afterwards), sampled by pid.
    const r = await suite(['--target', twin.url, '--credentials', twin.adminCredentialsPath, '--system-metrics', 'local', '--pid', `twin=${twin.pid}`, '--time-scale', '0.001', '--smoke-time-scale', '0.05', '--submissions', '20', '--think', '250-750'], {
      out,
      env: { HMP_PASSWORD: twin.adminPassword },
    });
    assert.equal(r.code, 0, why(r));
    assert.equal(r.summary.outcome, 'PASSED');
    assert.deepEqual(statuses(r), { setup: 'passed', smoke: 'passed', average: 'passed', stress: 'passed', spike: 'passed', breakpoint: 'recorded', soak: 'passed', teardown: 'passed', report: 'passed' });
    assert.deepEqual(r.summary.flags, []);
    assert.deepEqual(r.summary.recommendations, []);
    // Progress: N/9 for every step, in plain lines.
    for (let n = 1; n <= 9; n++) assert.match(r.stderr, new RegExp(`\\[${n}/9 `));
    assert.match(r.stderr, /\| \d\d:\d\d elapsed \| ~\d\d:\d\d left/);
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
    await assertUsersGone(twin, r);
  } finally {
    await twin.stop();
    rmSync(out, { recursive: true, force: true });
  }
});

describe('one knob per failure type', { concurrency: 3 }, () => {
  test('functional error: the smoke ABORTs "Functional issues detected" (exit 4), nothing else runs, teardown verified', { timeout: 240_000 }, async () => {
    // The smoke's GET /audit/ (admin) takes 3 s; the client gives up after 1 s: an error only the smoke sees.
    const twin = await startTwinProcess({ args: ['--latency', 'audit_list=3000'] });
    const out = outDir('functional');
    try {
      // A server log that cannot be read: one sentence, and the run goes on without it.
      const r = await suite(['--target', twin.url, '--credentials', twin.adminCredentialsPath, '--server-log', '/nonexistent/server.log', ...FAST], { out, env: { HMP_PASSWORD: twin.adminPassword, HMP_HTTP_TIMEOUT: '1' } });
      assert.equal(r.code, 4, why(r));
      assert.match(r.stderr, /\[1\/9 setup\] warning: the server log \/nonexistent\/server\.log cannot be read \(no such file\): give the file the server writes \(--server-log PATH\); the run goes on without it\./);
      const smokeReport = r.summary.steps.find((x) => x.id === 'smoke')!.report!;
      assert.match(JSON.parse(readFileSync(join(r.dir, smokeReport.replace(/report\.html$/, 'summary.json')), 'utf8')).serverLog.problem, /no such file/);
      assert.match(readFileSync(join(r.dir, smokeReport), 'utf8'), /cannot be read \(no such file\)/);
      assert.equal(r.summary.outcome, 'ABORTED');
      assert.match(r.summary.headline, /^ABORTED: Functional issues detected \(smoke: \d+ errors/);
      const s = statuses(r);
      assert.equal(s.smoke, 'aborted');
      for (const t of ['average', 'stress', 'spike', 'breakpoint', 'soak']) {
        assert.equal(s[t], 'skipped');
        assert.match(r.summary.steps.find((x) => x.id === t)!.reason!, /aborted after the smoke test/);
      }
      assert.deepEqual(r.summary.flags.map((f) => [f.id, f.aborted]), [['functional', true]]);
      assert.ok(r.summary.flags[0]!.evidence.some((e) => /timeouts on audit_list in smoke/.test(e.citation)), JSON.stringify(r.summary.flags));
      assert.equal(r.summary.recommendations[0]!.id, 'fix-functional');
      assert.ok(r.summary.recommendations[0]!.because.some((b) => /audit_list/.test(b)));
      assertReportAndTeardown(r);
      await assertUsersGone(twin, r);
    } finally {
      await twin.stop();
      rmSync(out, { recursive: true, force: true });
    }
  });

  test('slow average: FLAG "Baseline performance insufficient", soak SKIPPED (prerequisites); Ctrl-C mid-average, then --resume', { timeout: 240_000 }, async () => {
    const out = outDir('slow-average');
    try {
      let sent = false;
      const first = await suite(['--only', 'smoke,average,soak', ...FAST, '--twin-args', '--latency project_list=900'], {
        out,
        onLine: (line, kill) => {
          if (!sent && /\[3\/9 average\] hmp: average test:/.test(line)) {
            sent = true;
            kill('SIGINT');
          }
        },
      });
      assert.ok(sent, `the average started: ${why(first)}`);
      assert.equal(first.code, 130, why(first));
      assert.equal(first.summary.outcome, 'INTERRUPTED');
      assert.deepEqual([statuses(first).smoke, statuses(first).average, statuses(first).soak], ['passed', 'interrupted', 'pending']);
      assertReportAndTeardown(first);
      const smokeStarted = first.state.steps.smoke.startedAt;

      const r = await suite([], { out, resume: first.dir });
      assert.equal(r.dir, first.dir);
      assert.equal(r.code, 3, why(r));
      assert.equal(r.state.steps.smoke.startedAt, smokeStarted, 'the finished smoke was reused, not run again');
      assert.match(r.stderr, /\[2\/9 smoke\] already PASS/);
      assert.equal(r.summary.run.invocations, 2);
      const s = statuses(r);
      assert.equal(s.average, 'flagged');
      assert.equal(s.soak, 'skipped');
      assert.equal(r.summary.steps.find((x) => x.id === 'soak')!.reason, 'Prerequisites not met: average flagged (the soak runs only if every earlier test passed).');
      assert.deepEqual(r.summary.flags.map((f) => f.title), ['Baseline performance insufficient']);
      assert.ok(r.summary.flags[0]!.evidence.some((e) => /^p99 of project_list [\d.]+ m?s > 700 ms in average$/.test(e.citation)), JSON.stringify(r.summary.flags));
      const ids = r.summary.recommendations.map((x) => x.id);
      for (const id of ['cache-lists', 'pagination', 'db-access']) assert.ok(ids.includes(id), `recommends ${id}: ${ids}`);
      assert.ok(r.summary.recommendations.every((x) => x.because.every((b) => /project_list [\d.]+ m?s > 700 ms/.test(b))));
      assertReportAndTeardown(r);

      // Nothing left to resume: the report is rebuilt, nothing is seeded or run again.
      const again = await suite([], { out, resume: first.dir });
      assert.equal(again.code, 3, why(again));
      assert.match(again.stderr, /nothing to resume: every test of .* is finished/);
      assert.doesNotMatch(again.stderr, /\[1\/9 setup\]/);
      assert.equal(again.summary.run.invocations, 3);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  test('crash under stress: the twin stalls at stress level, FLAG "System unstable under higher sustained load"', { timeout: 240_000 }, async () => {
    const out = outDir('crash');
    try {
      // A DB pool of 8 that stalls when full (HMP's failure), no think time: the smoke's 5 users (at most 5
      // requests in flight) never fill it; 8 of the stress's 30 do, so a busy machine that keeps the
      // generator below its target still reaches the stall. Stress at 0.005: 10 s, not 4.
      const r = await suite(['--only', 'smoke,stress', ...FAST, '--time-scale', '0.005', '--think', '0-0', '--twin-args', '--capacity 8 --overload stall --queue-timeout 8000'], { out });
      assert.equal(r.code, 3, why(r));
      assert.equal(statuses(r).stress, 'flagged');
      const flag = r.summary.flags.find((f) => f.step === 'stress')!;
      assert.equal(flag.title, 'System unstable under higher sustained load');
      assert.equal(flag.evidence[0]!.kind, 'crash');
      // The stall is named as such, from the requests in flight when it began.
      assert.ok(flag.evidence.some((e) => e.kind === 'stall' && /^\d+ server-wide stalls? \(nothing answered for 2 s or more while requests waited; longest [\d.]+ s\): .* in stress$/.test(e.citation)), JSON.stringify(flag.evidence));
      assert.match(flag.evidence[0]!.citation, /the server stopped answering in stress: no answer to GET \/health for [\d.]+ s/);
      const rec = r.summary.recommendations.filter((x) => x.flags.includes('unstable'));
      assert.ok(rec.some((x) => x.id === 'timeouts-backpressure' && x.because.some((b) => /stopped answering/.test(b))), JSON.stringify(rec.map((x) => x.id)));
      assert.ok(rec.some((x) => x.id === 'scale'));
      assertReportAndTeardown(r);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  test('burst failure: the spike overflows a small queue, FLAG "Poor burst handling" with its error rate', { timeout: 240_000 }, async () => {
    const out = outDir('burst');
    try {
      // Uploads hold a slot 1 s; 10 slots, 100 ms in the queue at most: the smoke's 5 users fit, the spike's 60 do not.
      // The spike at 0.05 (15 s): at 0.01 (3 s) a busy machine's workers started too late to reach 60 users.
      const r = await suite(['--only', 'smoke,spike', '--time-scale', '0.05', '--smoke-time-scale', '0.1', '--submissions', '20', '--think', '0-0', '--twin-args', '--latency submission_create=1000 --capacity 10 --overload queue --queue-timeout 100'], { out });
      assert.equal(r.code, 3, why(r));
      assert.equal(statuses(r).smoke, 'passed');
      assert.equal(statuses(r).spike, 'flagged');
      const spike = r.summary.steps.find((x) => x.id === 'spike')!;
      assert.match(spike.reason!, /^"Poor burst handling": error rate [\d.]+% > 3%/);
      const flag = r.summary.flags.find((f) => f.step === 'spike')!;
      assert.ok(flag.evidence.some((e) => e.kind === 'error_rate' && /^error rate [\d.]+% \(limit < 3%\) in spike$/.test(e.citation)));
      assert.ok(flag.evidence.some((e) => e.kind === 'status' && e.status === 500));
      assert.ok(r.summary.recommendations.some((x) => x.id === 'rate-limit' && x.because.some((b) => /in spike/.test(b))));
      assert.ok(Array.isArray((r.summary.spike!.recovery as { curve: unknown[] }).curve), 'the recovery curve is recorded');
      // The suite's own twin writes its log as uvicorn does; the spike read the pool's overload in it as often as the twin wrote it, and cites it.
      const twinLog = readFileSync(join(r.dir, 'twin-server.log'), 'utf8');
      const written = (twinLog.match(/^sqlalchemy\.exc\.TimeoutError: QueuePool limit/gm) ?? []).length;
      assert.ok(written > 0, 'the twin logged its pool timeouts');
      const read = JSON.parse(readFileSync(join(r.dir, spike.report!.replace(/report\.html$/, 'summary.json')), 'utf8')).serverLog;
      assert.equal(read.pool.count, written, 'every pool message the twin wrote was read, during the spike');
      assert.equal(read.statuses['500'], written, 'each of them answered 500');
      assert.ok(flag.evidence.some((e) => e.kind === 'pool' && /^server log: \d+ x sqlalchemy\.exc\.TimeoutError: QueuePool limit of size \d+ overflow \d+ reached from \d+ users in spike$/.test(e.citation)), JSON.stringify(flag.evidence));
      assert.match(readFileSync(join(r.dir, spike.report!), 'utf8'), /<h2>What the server logged<\/h2>/);
      assertReportAndTeardown(r);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  test('data loss: acknowledged uploads the twin did not store fail the spike, FLAG "Poor burst handling" with the evidence', { timeout: 240_000 }, async () => {
    const out = outDir('data-loss');
    try {
      // The spike alone: the smoke checks its own upload is listed, so it would ABORT on this knob first.
      const r = await suite(['--only', 'spike', '--time-scale', '0.01', '--submissions', '20', '--twin-args', '--drop-uploads 0.3'], { out });
      assert.equal(r.code, 3, why(r));
      assert.equal(statuses(r).spike, 'flagged');
      const spike = r.summary.steps.find((x) => x.id === 'spike')!;
      assert.match(spike.reason!, /data loss: Data loss check failed: \d+ missing, 0 corrupted of \d+ acknowledged uploads/);
      assert.ok((spike.numbers!.uploadsLost as number) > 0);
      const flag = r.summary.flags.find((f) => f.step === 'spike')!;
      assert.ok(flag.evidence.some((e) => e.kind === 'data_loss' && /\d+ missing and 0 corrupted of \d+ acknowledged uploads in spike/.test(e.citation)));
      const integrity = r.summary.spike!.integrity as { missing: number; details: Array<{ outcome: string }> };
      assert.ok(integrity.missing > 0 && integrity.details.every((d) => d.outcome === 'missing'));
      assert.equal(r.summary.recommendations[0]!.id, 'fix-data-loss');
      assertReportAndTeardown(r);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  test('leak: memory grows through the soak, FLAG "Long-term stability issues" with memory profiling recommended', { timeout: 240_000 }, async () => {
    const out = outDir('leak');
    try {
      const r = await suite(['--only', 'smoke,soak', ...FAST, '--think', '125-375', '--twin-args', '--leak-kb 1024'], { out });
      assert.equal(r.code, 3, why(r));
      assert.equal(statuses(r).smoke, 'passed');
      assert.equal(statuses(r).soak, 'flagged', 'the soak ran: the smoke, the only earlier test, passed');
      const flag = r.summary.flags.find((f) => f.step === 'soak')!;
      assert.equal(flag.title, 'Long-term stability issues');
      assert.ok(flag.evidence.some((e) => e.kind === 'memory_growth' && /^memory grew [\d.]+% \([\d.]+ MB -> [\d.]+ MB/.test(e.citation)));
      assert.ok(r.summary.recommendations.some((x) => x.id === 'memory-profiling' && x.because.some((b) => /memory grew/.test(b))));
      assertReportAndTeardown(r);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
