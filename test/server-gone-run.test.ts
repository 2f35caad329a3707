// Stop when the server is gone, end to end: a soak against a twin that
// crashes (no restart) 10 s after the first user logs in, with the limit
// made small by --overrides (stopWhenGone.limitMin 0.2 = 12 s of real time).
// A plain `artillery run phases/soak.yml` must stop well before its shape's
// end, exit 1, write its results and report, and end its console on the FAIL
// naming why and when, then the report's path; the suite must flag the soak
// and go on to its teardown. Wall-clock bounds are generous (the stop is due
// ~30 s into an 86 s shape; the two runs share a busy 2-core machine).
// Last, the probe's own I/O against a twin that answers, then a closed port.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startTwinProcess } from '../twin/launch.ts';
import { startTwin, type TwinHandle } from '../twin/server.ts';
import { ServerGoneProbe } from '../plugins/artillery-plugin-hmp/server-gone-probe.ts';
import type { GoneFinding } from '../plugins/artillery-plugin-hmp/server-gone.ts';
import { cleanUp, runDir, writeTestData } from './support/artillery-run.ts';
import { runPhaseFile } from './support/phase-run.ts';
import { outDir, statuses, suite, why } from './support/suite-run.ts';

const LIMIT = { config: { plugins: { hmp: { stopWhenGone: { limitMin: 0.2 } } } } };
/** The soak's 3 h in 86 s. */
const SCALE = '0.008';
const CRASH = ['--fault', 'crash@10'];

describe('a soak whose server dies early stops when nothing has answered for stopWhenGone.limitMin', { concurrency: 2, timeout: 300_000 }, () => {
  test('plain artillery run: stopped early, exit 1, results and report written, the console ends on the FAIL (why, when) and the report', async () => {
    const twin = await startTwinProcess({ args: CRASH });
    const dir = runDir('server-gone');
    try {
      // Seeded as the admin (the fault clock starts at the first test user's login: the soak's first session).
      const data = await writeTestData(twin as unknown as TwinHandle, dir, 0);
      const r = await runPhaseFile('phases/soak.yml', {
        env: { HMP_TARGET: twin.url, HMP_TEST_DATA: data.path, HMP_TIME_SCALE: SCALE, HMP_ALLOW_SHORT: '1', HMP_PREFLIGHT: 'off', HMP_CONVERSIONS: 'off', HMP_REPORTS_DIR: dir, HMP_LIVE: 'off' },
        overrides: LIMIT,
        label: 'server-gone',
      });
      try {
        const said = `${r.stdout.split('\n').filter((l) => /^(hmp:|  )/.test(l)).join('\n')}\n${r.stderr.slice(-2000)}`;
        assert.equal(r.code, 1, said);
        const crash = twin.faults().find((f) => f.fault === 'crash');
        assert.ok(crash, 'the twin crashed');

        // Results written by the plugin (an early stop: Artillery writes none), with the stop's record.
        assert.ok(r.results, 'results written');
        const hmp = r.results.aggregate.hmp;
        assert.equal(hmp.earlyStop, true);
        const gone = hmp.checks.serverGone as { since: number; stoppedAt: number; silentS: number; limitMin: number; healthReason: string };
        assert.equal(gone.limitMin, 0.2);
        assert.ok(gone.silentS >= 12, `stopped after the limit (${gone.silentS} s of silence)`);
        // The last answer: at the crash, give or take the 10 s period it fell in.
        assert.ok(Math.abs(gone.since - crash.start) <= 12_000, `the silence began ${((gone.since - crash.start) / 1000).toFixed(1)} s from the crash`);
        assert.ok(gone.stoppedAt - crash.start < 60_000, `stopped ${((gone.stoppedAt - crash.start) / 1000).toFixed(1)} s after the crash`);
        assert.match(gone.healthReason, /ECONNREFUSED|timeout/);
        // Well before the shape's planned end (its last segment's end, real seconds from its start).
        const plannedEnd = hmp.startedAt + (hmp.shape as Array<{ end: number }>).at(-1)!.end * 1000;
        assert.ok(hmp.endedAt < plannedEnd - 20_000, `ended ${((plannedEnd - hmp.endedAt) / 1000).toFixed(1)} s before the planned end`);
        const verdict = (hmp.verdicts as Array<{ id: string; pass: boolean | null; gated: boolean }>).find((v) => v.id === 'server_gone');
        assert.deepEqual([verdict?.pass, verdict?.gated], [false, true]);

        // The console: the verdicts, the FAIL with why and when last, then the report's path.
        assert.match(said, /hmp: stopping the run: the server is gone: /);
        assert.match(said, /hmp: soak test FAILED the plan's criteria \(\d+ requests, \d+ errors\):\n/);
        assert.match(said, /\n  FAIL Time without any answer \(the load nor GET \/health\): [\d.]+ min \(limit < 0\.2 min\)\n/);
        const last = r.stdout.trimEnd().split('\n').slice(-3);
        assert.match(
          last[0]!,
          /^hmp: soak test FAILED: the server is gone: nothing answered, neither the load( \(\d+ requests sent since, none answered\))? nor GET \/health \((ECONNREFUSED|timeout)\), from \d\d:\d\d:\d\d UTC \(plan \d+:\d\d\) for \d+ s \(stopWhenGone\.limitMin: 0\.2 min of real time\); the run was stopped at \d\d:\d\d:\d\d UTC \(plan \d+:\d\d\)$/,
          said,
        );
        assert.match(last[1]!, /^hmp: runs index: /);
        const page = /^hmp: report: (\S+report\.html)$/.exec(last[2]!)?.[1];
        assert.ok(page && existsSync(page), `the report's path is the last line: ${last[2]}`);
        const summary = JSON.parse(readFileSync(join(dirname(page), 'summary.json'), 'utf8'));
        assert.equal(summary.outcome, 'FAIL');
        assert.match(summary.headline, /Time without any answer .*Stopped early/);
      } finally {
        cleanUp(r.dir);
      }
    } finally {
      cleanUp(dir);
      await twin.stop();
    }
  });

  test('the suite: its twin dies in the soak; the soak is flagged with why and when, and the suite goes on to its teardown and report', async () => {
    const out = outDir('server-gone');
    try {
      const r = await suite(
        ['--only', 'soak', '--time-scale', SCALE, '--allow-short', '--no-conversions', '--submissions', '0', '--system-metrics', 'none', '--no-live', '--twin-args', CRASH.join(' '), '--overrides', JSON.stringify(LIMIT)],
        { out },
      );
      const st = statuses(r);
      assert.equal(st.soak, 'flagged', why(r));
      const soak = r.summary.steps.find((s) => s.id === 'soak')!;
      assert.match(soak.reason ?? '', /^"Long-term stability issues": the server is gone: nothing answered, neither the load.* nor GET \/health .*; the run was stopped at /, why(r));
      assert.equal(r.state.steps.soak.artilleryExit, 1);
      // Its own twin is gone, and its in-memory data with it: teardown says so and passes.
      assert.equal(st.teardown, 'passed', why(r));
      assert.match(r.state.steps.teardown.reason ?? '', /own twin had exited/);
      assert.ok(existsSync(join(r.dir, 'suite-report.html')));
      assert.notEqual(r.code, 0);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

test('the probe (I/O): GET /health answered keeps it quiet; refused, it says gone once, with the reason', async () => {
  // The load silent for the last 60 s (periods fed by hand); a 30 s limit, so each probe waits up to 3 s.
  const silentMinute = (probe: ServerGoneProbe, now: number) => {
    for (let p = now - 60_000; p < now; p += 10_000) probe.period({ period: p, counters: { 'http.requests': 4 } });
  };
  const twin = await startTwin({});
  const found: GoneFinding[] = [];
  try {
    const now = Date.now();
    const quiet = new ServerGoneProbe({ target: twin.url, limitMin: 0.5, now: now - 60_000, onGone: (f) => found.push(f) });
    silentMinute(quiet, now);
    await new Promise((r) => setTimeout(r, 4000));
    quiet.stop();
    assert.equal(found.length, 0, 'GET /health answered: the server is there');
  } finally {
    await twin.close();
  }
  // The port is closed now: the first probe is refused.
  const now = Date.now();
  const gone = await new Promise<GoneFinding[]>((resolve) => {
    const probe = new ServerGoneProbe({ target: twin.url, limitMin: 0.5, now: now - 60_000, onGone: (f) => found.push(f) });
    silentMinute(probe, now);
    // Each probe ends by its 3 s timeout; a busy machine gets far more than that.
    const timer = setInterval(() => found.length && done(), 100);
    const stop = setTimeout(done, 20_000);
    function done() {
      clearInterval(timer);
      clearTimeout(stop);
      probe.stop();
      setTimeout(() => resolve([...found]), 500); // no second call after the first
    }
  });
  assert.equal(gone.length, 1, 'said once');
  assert.equal(gone[0]!.since, now - 60_000, 'nothing answered since the watch began');
  assert.equal(gone[0]!.healthReason, 'ECONNREFUSED');
  assert.equal(gone[0]!.unansweredRequests, 24);
});
