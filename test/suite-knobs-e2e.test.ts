// `npm run suite` end to end against the HMP twin under a time scale, one knob
// per failure type of the plan's algorithm (functional error, slow average,
// crash under stress, burst failure, data loss, leak), checking the exit code,
// the flags, the SKIP reason, the recommendations and their measurements, the
// report files, and that teardown was verified every time. Ctrl-C and
// --resume ride along with the slow-average case. The knob runs go three at a time.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startTwinProcess } from '../twin/launch.ts';
import { assertReportAndTeardown, assertUsersGone, FAST, outDir, statuses, suite, why } from './support/suite-run.ts';

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
          if (!sent && /\[3\/9 average\] hmp: average test\b/.test(line)) {
            sent = true;
            kill('SIGINT');
          }
        },
      });
      assert.ok(sent, `the average started: ${why(first)}`);
      // The tests --only leaves out are said at the start, with how to run them.
      for (const t of ['stress', 'spike', 'breakpoint']) assert.match(first.stderr, new RegExp(`suite: not running the ${t} test: not selected \\(--only smoke,average,soak\\); to run it, add it to --only\\.\n`));
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
      assert.equal(r.summary.steps.find((x) => x.id === 'soak')!.reason, 'Prerequisites not met: average flagged (the soak runs only if every earlier test passed; --only soak runs it on its own).');
      assert.match(r.stderr, /\[7\/9 soak\] SKIP: Prerequisites not met: average flagged .*--only soak runs it on its own\)\.\n/);
      assert.deepEqual(r.summary.flags.map((f) => f.title), ['Baseline performance insufficient']);
      assert.ok(r.summary.flags[0]!.evidence.some((e) => /^p99 of project_list [\d.]+ m?s > 700 ms in average$/.test(e.citation)), JSON.stringify(r.summary.flags));
      // The cause: project_list slow on its own (diagnosis/), and what addresses a slow list.
      const recs = JSON.stringify(r.summary.recommendations.map((x) => [x.id, x.addresses, x.because]));
      const ids = r.summary.recommendations.map((x) => x.id);
      for (const id of ['pagination', 'cache-lists']) assert.ok(ids.includes(id), `recommends ${id}: ${recs}`);
      assert.ok(ids.length <= 3, recs);
      for (const x of r.summary.recommendations) assert.ok(x.addresses.some((a) => /^project_list was slow on its own: incident \d+/.test(a)), recs);
      assert.ok(r.summary.recommendations.every((x) => x.because.some((b) => /project_list [\d.]+ m?s > 700 ms/.test(b))), recs);
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
      // generator below its target still reaches the stall. Stress at 0.005: 10 s, not 4. Each request
      // holds its connection 20 ms: on a quiet machine the twin answered too fast for 8 to be in flight.
      const r = await suite(['--only', 'smoke,stress', ...FAST, '--time-scale', '0.005', '--think', '0-0', '--twin-args', '--capacity 8 --overload stall --queue-timeout 8000 --latency *=20'], { out });
      assert.equal(r.code, 3, why(r));
      assert.equal(statuses(r).stress, 'flagged');
      const flag = r.summary.flags.find((f) => f.step === 'stress')!;
      assert.equal(flag.title, 'System unstable under higher sustained load');
      assert.equal(flag.evidence[0]!.kind, 'crash');
      // The stall is named as such, from the requests in flight when it began.
      assert.ok(flag.evidence.some((e) => e.kind === 'stall' && /^\d+ server-wide stalls? \(nothing answered for 2 s or more while requests waited; longest [\d.]+ s\): .* in stress$/.test(e.citation)), JSON.stringify(flag.evidence));
      assert.match(flag.evidence[0]!.citation, /the server stopped answering in stress: no answer to GET \/health for [\d.]+ s/);
      const rec = r.summary.recommendations.filter((x) => x.flags.includes('unstable'));
      // The cause, from the twin's log: its pool exhausted; what addresses that, citing the crash it caused.
      const recs = JSON.stringify(rec.map((x) => [x.id, x.addresses]));
      assert.ok(rec.some((x) => x.id === 'timeouts-backpressure' && x.because.some((b) => /stopped answering/.test(b))), recs);
      assert.ok(rec.some((x) => x.id === 'db-access' && x.addresses.some((a) => /^the database connection pool was exhausted: incident/.test(a))), recs);
      assert.ok(rec.length <= 3, recs);
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
      // The queue's timeouts are logged as the pool's: the cause is its exhaustion, and the recommendations address it.
      const recs = JSON.stringify(r.summary.recommendations.map((x) => [x.id, x.addresses, x.because]));
      assert.ok(r.summary.recommendations.some((x) => x.id === 'db-access' && x.addresses.some((a) => /^the database connection pool was exhausted: incident \d+ .* of the spike$/.test(a)) && x.because.some((b) => /in spike/.test(b))), recs);
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
      // At 0.05 (15 s): at 0.01 (3 s) a busy machine reached 1 of 59 users and uploaded nothing to check.
      const r = await suite(['--only', 'spike', '--time-scale', '0.05', '--submissions', '20', '--twin-args', '--drop-uploads 0.3'], { out });
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
