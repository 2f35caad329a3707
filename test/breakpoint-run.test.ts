// The breakpoint test against a twin with a known knee: it must stop by
// itself at the right level, say why, and keep what it measured.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTwin } from '../twin/server.ts';
import { cleanUp, runDir, writeTestData } from './support/artillery-run.ts';
import { runPhaseFile } from './support/phase-run.ts';

test('a twin that saturates between 10 and 20 users: max sustainable 10, fails at 20, stops, exit 1 (below the plan\'s peak of 60)', async () => {
  // 2 requests in flight of 200 ms each (10 req/s); a request that waits
  // 0.5 s for capacity gets 500. With ~1.2 s think time, 10 users need
  // ~7 req/s and 20 users ~14 req/s: the knee lies between the two levels.
  const twin = await startTwin({ capacity: 2, queueTimeoutMs: 500, latencyMs: { '*': 200 } });
  const dir = runDir('breakpoint-knee');
  try {
    const data = await writeTestData(twin, dir, 2);
    const r = await runPhaseFile('phases/breakpoint.yml', {
      env: { HMP_TARGET: twin.url, HMP_TEST_DATA: data.path, HMP_TIME_SCALE: '0.12' },
      label: 'breakpoint-knee',
      timeoutMs: 200_000,
    });
    try {
      assert.equal(r.code, 1, `${r.stdout.split('\n').filter((l) => /^(hmp:|Phase started|http.codes|plugins.hmp.errors: )/.test(l)).join('\n')}\n${r.stderr.slice(-2000)}`);
      assert.match(r.stdout, /breakpoint: max sustainable 10 users; failed at 20 users: /);
      assert.match(r.stdout, /stopping the run: the server failed at 20 users/);
      assert.match(r.stdout, /users\s+status/, 'the per-level table is printed');
      assert.match(r.stdout, /hmp: FAIL Max sustainable users \(the plan's peak\): 10 users \(limit >= 60 users\)/);
      const capacity = (r.results!.aggregate.hmp.verdicts as Array<{ id: string; pass: boolean | null; note: string }>).find((v) => v.id === 'capacity')!;
      assert.equal(capacity.pass, false);
      assert.match(capacity.note, /below even the plan's average usage \(15 users\)/);
      // Artillery writes no -o file on an early stop: the plugin wrote it.
      assert.ok(r.results, 'results file written');
      const bp = r.results!.aggregate.hmp.breakpoint;
      assert.equal(bp.found, true);
      assert.equal(bp.maxSustainableUsers, 10);
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
