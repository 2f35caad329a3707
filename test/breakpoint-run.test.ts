// The breakpoint test against a twin with a known knee: it must stop by
// itself at the right level, say why, and keep what it measured.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTwin } from '../twin/server.ts';
import { cleanUp, runDir, writeTestData } from './support/artillery-run.ts';
import { runPhaseFile } from './support/phase-run.ts';

test('a twin that saturates between 10 and 20 users: 10 before failure, fails at 20, stops, exit 1 (short of the plan\'s peak in req/s)', async () => {
  // 2 requests in flight of 300 ms each (6.7 req/s); a request that waits
  // 0.5 s for capacity gets 500. Thinking 1.2-3.6 s (10-30 plan seconds at
  // time scale 0.12), 10 users send ~4.5 req/s and 20 users ~9 req/s: the
  // knee lies between the two levels. Not the journeys' 5-15 s, so the
  // capacity is judged in req/s: whatever 10 users did within the SLOs is
  // less than the ~7.5 req/s the plan's 60 users at 5-15 s need.
  const twin = await startTwin({ capacity: 2, queueTimeoutMs: 500, latencyMs: { '*': 300 } });
  const dir = runDir('breakpoint-knee');
  try {
    const data = await writeTestData(twin, dir, 2);
    const r = await runPhaseFile('phases/breakpoint.yml', {
      env: { HMP_TARGET: twin.url, HMP_TEST_DATA: data.path, HMP_TIME_SCALE: '0.12', HMP_THINK_MIN: '10', HMP_THINK_MAX: '30' },
      label: 'breakpoint-knee',
      timeoutMs: 200_000,
    });
    try {
      assert.equal(r.code, 1, `${r.stdout.split('\n').filter((l) => /^(hmp:|Phase started|http.codes|plugins.hmp.errors: )/.test(l)).join('\n')}\n${r.stderr.slice(-2000)}`);
      assert.match(r.stdout, /hmp: breakpoint: max users within the SLOs: (0|10) \((10|20) users (missed|failed)[^)]*\); max users before failure: 10 \(failed at 20: [a-z, ]+\)\n/);
      assert.match(r.stdout, /hmp: failure mode at 20 users: /);
      assert.match(r.stdout, /hmp: in req\/s: .*thinking 1\.2-3\.6 s; the plan's peak of 60 users at 5-15 s needs about [\d.]+ req\/s, its average of 15 users about [\d.]+ req\/s/);
      assert.match(r.stdout, /stopping the run: the server failed at 20 users/);
      assert.match(r.stdout, /users\s+status/, 'the per-level table is printed');
      assert.match(r.stdout, /hmp: FAIL Req\/s within the SLOs \(the plan's peak at its think time\): [\d.]+ req\/s \(limit >= [\d.]+ req\/s\): /);
      const capacity = (r.results!.aggregate.hmp.verdicts as Array<{ id: string; pass: boolean | null; note: string; unit: string }>).find((v) => v.id === 'capacity')!;
      assert.equal(capacity.pass, false);
      assert.equal(capacity.unit, 'req/s');
      assert.match(capacity.note, /the plan's peak of 60 users at 5-15 s needs about [\d.]+ req\/s: not met; .*judged in req\/s: the run thought 1\.2-3\.6 s, the journeys 5-15 s$/);
      // Artillery writes no -o file on an early stop: the plugin wrote it.
      assert.ok(r.results, 'results file written');
      const bp = r.results!.aggregate.hmp.breakpoint;
      assert.equal(bp.found, true);
      assert.equal(bp.maxSustainableUsers, 10);
      assert.equal(bp.maxUsersBeforeFailure, 10);
      assert.ok(bp.maxUsersWithinSlos === 0 || bp.maxUsersWithinSlos === 10, String(bp.maxUsersWithinSlos));
      assert.equal(bp.think.same, false);
      assert.ok(bp.planRate.peakReqPerS > 6 && bp.planRate.peakReqPerS < 9, JSON.stringify(bp.planRate));
      assert.equal(typeof bp.levels[0].withinSlos, 'boolean');
      assert.equal(bp.failingUsers, 20);
      assert.match(bp.failureMode, /5xx|latency|stall/);
      assert.equal(bp.levels[0].users, 10);
      assert.equal(bp.levels[0].status, 'held');
      assert.equal(bp.levels[1].status, 'failed');
      assert.equal(bp.levels[2].status, 'not reached');
      assert.ok(bp.levels[0].reqPerS > 0 && bp.levels[0].p99 > 0);
      assert.equal(r.results!.aggregate.hmp.earlyStop, true);
      // It stopped: far short of the 57 scaled minutes (410 s).
      const lastPeriod = Number(r.results!.intermediate.at(-1).period);
      assert.ok(lastPeriod - Number(r.results!.intermediate[0].period) < 150_000);
    } finally {
      cleanUp(r.dir);
    }
  } finally {
    cleanUp(dir);
    await twin.close();
  }
});
