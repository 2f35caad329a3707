// Distributed runs, the pure parts: each worker's share of the plan's users
// and what says it (core/worker-share.ts), the shape a worker draws, the
// jitter seed all workers share, the refusals, the launcher's merge of the
// workers' periods (tools/merge-results.ts, Artillery's SSMS) and the users
// added up again for the report (core/merged-users.ts, merged-run.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DDSketch } from '@artilleryio/sketches-js';
import { launcherRefusal, peakShareOf, seedOfRunId, shareOf, workerShareOf, WorkerShareError, type WorkerShare } from '../plugins/artillery-plugin-hmp/core/worker-share.ts';
import { buildShape, readUserPhases, targetAt } from '../plugins/artillery-plugin-hmp/shape.ts';
import { resolveSettings, SettingsError } from '../plugins/artillery-plugin-hmp/settings.ts';
import { summedUsers, workersOf } from '../plugins/artillery-plugin-hmp/core/merged-users.ts';
import { mergedRun, MergedRunError, needsPhaseFile } from '../plugins/artillery-plugin-hmp/merged-run.ts';
import { arrivalPhases } from '../plugins/artillery-plugin-hmp/arrivals.ts';
import { asResults } from '../plugins/artillery-plugin-hmp/core/results.ts';
import { mergeWorkers, readWorkerStats, MergeInputError } from '../tools/merge-results.ts';
import { ROOT } from './support/artillery-run.ts';

const all = (n: number, leaderless = false): WorkerShare[] =>
  leaderless ? Array.from({ length: n }, (_, index) => ({ workers: n, index, cloud: false })) : Array.from({ length: n }, (_, i) => ({ workers: n, leader: i === 0, cloud: true }));

test('the shares of N workers add up to the target exactly, by index (8, 8, 7, 7) and by leader (9, 7, 7, 7)', () => {
  assert.deepEqual(all(4, true).map((s) => shareOf(30, s)), [8, 8, 7, 7]);
  assert.deepEqual(all(4).map((s) => shareOf(30, s)), [9, 7, 7, 7]);
  for (let n = 1; n <= 7; n++) {
    for (let total = 0; total <= 200; total++) {
      for (const byIndex of [true, false]) {
        const shares = all(n, byIndex).map((s) => shareOf(total, s));
        assert.equal(shares.reduce((a, b) => a + b, 0), total, `${total} over ${n} (${byIndex ? 'index' : 'leader'}): ${shares}`);
        assert.ok(Math.max(...shares) - Math.min(...shares) <= (byIndex ? 1 : n - 1));
      }
    }
  }
  assert.equal(shareOf(30, undefined), 30);
  // The leader's share is not monotonic (3 of 3, then 1 of 4): its pool is sized for the most it ever holds.
  const leader = all(4)[0]!;
  assert.deepEqual([3, 4].map((t) => shareOf(t, leader)), [3, 1]);
  assert.equal(peakShareOf(32, leader), 10);
  assert.equal(shareOf(32, leader), 8);
  assert.equal(peakShareOf(30, all(4, true)[3]), 7);
});

test('what tells a worker its share: HMP_WORKERS, then HMP_WORKER_INDEX or Artillery\'s IS_LEADER; refused in one sentence otherwise', () => {
  assert.equal(workerShareOf({}), undefined, 'one generator: all the users');
  assert.deepEqual(workerShareOf({ HMP_WORKERS: '4', HMP_WORKER_INDEX: '2' }), { workers: 4, index: 2, cloud: false });
  assert.deepEqual(workerShareOf({ HMP_WORKERS: '4', WORKER_ID: 'abc', IS_LEADER: 'true' }), { workers: 4, leader: true, cloud: true });
  assert.deepEqual(workerShareOf({ HMP_WORKERS: '4', WORKER_ID: 'abc', IS_LEADER: 'false' }), { workers: 4, leader: false, cloud: true });
  assert.equal(workerShareOf({ HMP_WORKERS: '1' }), undefined, 'one generator of one: all the users, as any run');
  assert.deepEqual(workerShareOf({ HMP_WORKERS: '1', WORKER_ID: 'abc' }), { workers: 1, index: 0, cloud: true }, 'a cloud run of one worker holds all, and is still a worker');
  assert.equal(shareOf(30, workerShareOf({ HMP_WORKERS: '1', WORKER_ID: 'abc' })), 30);
  const refused = (env: Record<string, string>, pattern: RegExp) => {
    assert.throws(() => workerShareOf(env), (e: Error) => e instanceof WorkerShareError && pattern.test(e.message) && !e.message.includes('\n') && /No load was sent\.$/.test(e.message));
  };
  // run-fargate's workers without the setting: each would hold all the users.
  refused({ WORKER_ID: 'abc', IS_LEADER: 'true' }, /^this is one of Artillery's cloud workers \(WORKER_ID is set\), and each of them runs the whole phase file: give every worker HMP_WORKERS=<the --count>/);
  // run-lambda's: no leader, and no way to give each its own index.
  refused({ WORKER_ID: 'abc', HMP_WORKERS: '2' }, /^HMP_WORKERS=2 says this is one of 2 workers but not which one: .*run-lambda's get neither/);
  refused({ HMP_WORKERS: '2' }, /start each with its own HMP_WORKER_INDEX \(0 to 1\)/);
  refused({ HMP_WORKER_INDEX: '0' }, /^HMP_WORKER_INDEX=0 is set but not HMP_WORKERS/);
  refused({ HMP_WORKERS: 'two' }, /^HMP_WORKERS must be a whole number of 1 or more/);
  refused({ HMP_WORKERS: '0' }, /^HMP_WORKERS must be a whole number of 1 or more/);
  refused({ HMP_WORKERS: '3', HMP_WORKER_INDEX: '3' }, /^HMP_WORKER_INDEX must be a whole number from 0 to 2/);
  assert.equal(launcherRefusal('local'), undefined);
  assert.equal(launcherRefusal(undefined), undefined);
  assert.match(launcherRefusal('aws:lambda')!, /^artillery run-lambda loads this plugin on the launcher as well as on every worker, .* run a distributed test with run-fargate/);
  assert.match(launcherRefusal('az:aci')!, /^artillery run-aci /);
});

test('each worker draws its share of the same shape, jitter included: at every moment the shares add up to the plan\'s target', () => {
  const phases = readUserPhases([
    { name: 'ramp', duration: 60, users: 60 },
    { name: 'hold with jitter', duration: 180, users: 60, jitter: 0.1 },
    { name: 'down', duration: 60, users: 0 },
  ]);
  const plan = buildShape(phases, 1, 42);
  assert.ok(plan.jitter.length >= 3);
  for (const n of [2, 3, 4]) {
    for (const byIndex of [true, false]) {
      const workers = all(n, byIndex).map((s) => buildShape(phases, 1, 42, s));
      for (let t = 0; t < plan.total; t += 0.5) {
        assert.equal(workers.reduce((a, w) => a + targetAt(w, t), 0), targetAt(plan, t), `t=${t}, ${n} workers`);
      }
      for (const w of workers) {
        assert.deepEqual(w.segments, plan.segments, 'the plan\'s segments');
        assert.deepEqual(w.jitter, plan.jitter, 'the same jitter');
        assert.equal(w.planPeak, plan.peak);
        // Its pool: the most it holds, and its spares.
        assert.ok(arrivalPhases(w, {})[0]!.arrivalCount! >= w.peak);
      }
      assert.ok(workers.reduce((a, w) => a + w.peak, 0) >= plan.peak);
    }
  }
});

test('the workers of one run draw the same jitter seed from its test run id; one generator keeps its own', () => {
  const dir = join(ROOT, 'phases');
  const settings = (env: Record<string, string>) => resolveSettings({ test: 'spike' }, dir, {}, env, () => 0.5);
  const a = settings({ HMP_WORKERS: '2', WORKER_ID: 'a', IS_LEADER: 'true', ARTILLERY_TEST_RUN_ID: 'tabc_1' });
  const b = settings({ HMP_WORKERS: '2', WORKER_ID: 'b', IS_LEADER: 'false', ARTILLERY_TEST_RUN_ID: 'tabc_1' });
  assert.equal(a.seed, b.seed);
  assert.equal(a.seed, seedOfRunId('tabc_1'));
  assert.equal(a.seedSource, 'test run id');
  assert.notEqual(seedOfRunId('tabc_2'), a.seed);
  assert.deepEqual(a.share, { workers: 2, leader: true, cloud: true });
  assert.equal(settings({ HMP_WORKERS: '2', HMP_WORKER_INDEX: '1', ARTILLERY_TEST_RUN_ID: 'x', HMP_JITTER_SEED: '7' }).seed, 7, 'a given seed wins');
  assert.equal(settings({ ARTILLERY_TEST_RUN_ID: 'tabc_1' }).seedSource, 'random', 'one generator: its own seed, as before');
  assert.throws(() => settings({ WORKER_ID: 'a' }), (e: Error) => e instanceof SettingsError && /HMP_WORKERS/.test(e.message));
});

/** Artillery's metrics module, as the workers and the launcher use it. */
async function ssms() {
  const root = dirname(createRequire(import.meta.url).resolve('artillery/package.json'));
  return ((await import(pathToFileURL(join(root, 'dist/lib/core/ssms.js')).href)) as { SSMS: { serializeMetrics(p: unknown): string } }).SSMS;
}

/** A worker's period as its main thread hands it to plugins: 10 samples of its share and its active users. */
function period(at: number, share: number, active: number[], requests: number, latencies: number[]) {
  const sketch = (values: number[]) => {
    const h = new DDSketch({ relativeAccuracy: 0.01 });
    for (const v of values) h.accept(v);
    return h;
  };
  return {
    period: at,
    counters: { 'http.requests': requests },
    rates: {},
    histograms: {
      'plugins.hmp.users.target': sketch(Array(10).fill(share)),
      'plugins.hmp.users.active': sketch(active),
      'plugins.hmp.users.deviation': sketch(active.map((a) => Math.abs(a - share))),
      'plugins.hmp.users.workers': sketch(Array(10).fill(2)),
      'http.response_time': sketch(latencies),
    },
    firstCounterAt: at,
    lastCounterAt: at + 9000,
    firstHistogramAt: at,
    lastHistogramAt: at + 9000,
  };
}

test('the launcher\'s merge of two workers, then the users added up: the plan\'s 30, not one worker\'s 15 nor twice 30', async () => {
  const S = await ssms();
  const file = (id: string, periods: ReturnType<typeof period>[]) =>
    [JSON.stringify({ event: 'worker', testRunId: 'trun', workerId: id }), ...periods.map((p) => JSON.stringify({ event: 'workerStats', stats: S.serializeMetrics(p) }))].join('\n');
  const t0 = 1_800_000_000_000;
  const leader = readWorkerStats('a.jsonl', file('a', [period(t0, 15, Array(10).fill(15), 100, [10, 20, 30]), period(t0 + 10_000, 15, [13, 13, ...Array(8).fill(15)], 120, [40])]));
  const other = readWorkerStats('b.jsonl', file('b', [period(t0, 15, Array(10).fill(15), 90, [50, 60]), period(t0 + 10_000, 15, Array(10).fill(15), 110, [70])]));
  const merged = await mergeWorkers([leader, other]);
  assert.equal(merged.testId, 'trun');
  assert.equal(merged.intermediate.length, 2);
  assert.equal(merged.aggregate.counters!['http.requests'], 420, 'counters summed');
  const agg = merged.aggregate.summaries as Record<string, { count: number; max: number; mean: number }>;
  assert.equal(agg['http.response_time']!.count, 7, 'histograms merged');
  assert.equal(agg['http.response_time']!.max, 70);
  assert.equal(agg['plugins.hmp.users.target']!.max, 15, 'merged as Artillery merges: a mixture of shares');

  const results = asResults(JSON.parse(JSON.stringify(merged)));
  assert.equal(workersOf(results.aggregate), 2);
  const summed = summedUsers(results);
  const users = (p: { summaries?: Record<string, unknown> }, name: string) => (p.summaries as Record<string, { mean: number; max: number }>)[`plugins.hmp.users.${name}`]!;
  assert.deepEqual(summed.intermediate.map((p) => users(p, 'target').mean), [30, 30]);
  // 2 x the merged mean (Artillery's summaries keep one decimal: N x 0.05 users at most off).
  assert.deepEqual(summed.intermediate.map((p) => users(p, 'active').mean), [30, 29.6]);
  assert.equal(users(summed.aggregate, 'target').max, 30);
  assert.equal(users(summed.aggregate, 'active').max, 30);
  assert.equal(users(summed.aggregate, 'deviation').max, 0.4);

  // The report needs the plan: the phase file the workers ran, with their settings.
  assert.equal(needsPhaseFile(results), 2);
  const run = mergedRun(results, { phaseFile: join(ROOT, 'phases/stress.yml'), env: { HMP_TIME_SCALE: '0.01' }, testId: 'trun', where: 'merged.json' });
  assert.equal(run.aggregate.hmp!.test, 'stress');
  assert.equal(run.aggregate.hmp!.workers, 2);
  assert.deepEqual(run.aggregate.hmp!.shape!.map((s) => s.users), [30, 30, 0]);
  assert.throws(() => mergedRun(results, { phaseFile: join(ROOT, 'phases/stress.yml'), env: {}, where: 'merged.json' }), (e: Error) => e instanceof MergedRunError && /^merged\.json covers 20 s but .*stress\.yml at time scale 1 lasts 2100 s: build the report with the run's own settings/.test(e.message));
  assert.throws(() => mergedRun(run, { phaseFile: join(ROOT, 'phases/stress.yml'), env: { HMP_TIME_SCALE: '0.01' } }), /already records its plan/);
  assert.throws(() => mergedRun(results, { phaseFile: join(ROOT, 'phases/nope.yml'), env: {} }), (e: Error) => e instanceof MergedRunError && /^cannot read the phase file .*nope\.yml \(ENOENT/.test(e.message));
  // What the workers ran decides the spike's jitter: the run's id, or the seed they were given.
  const spike = (testId?: string, env: Record<string, string> = {}) => () => mergedRun(results, { phaseFile: join(ROOT, 'phases/spike.yml'), env: { HMP_TIME_SCALE: '0.07', ...env }, testId });
  assert.equal(spike('trun')().aggregate.hmp!.jitterSeed, seedOfRunId('trun'));
  assert.equal(spike(undefined, { HMP_JITTER_SEED: '9' })().aggregate.hmp!.jitterSeed, 9);
  assert.throws(spike(), /records no test id, and the spike test's jitter comes from it: give the workers' HMP_JITTER_SEED/);

  await assert.rejects(mergeWorkers([leader, { ...other, testRunId: 'other' }]), (e: Error) => e instanceof MergeInputError && /come from 2 different runs/.test(e.message));
  assert.throws(() => readWorkerStats('x.jsonl', '{"event":"worker"}\n'), /holds no period of metrics/);
  assert.throws(() => readWorkerStats('x.jsonl', 'nope\n'), /x\.jsonl line 1 is not JSON/);
});
