// The cost section's pure parts (bench/cost.ts): the line fitted over the
// rates and the targets read from it, the windows of a ladder run, stock
// Artillery's ladder and the fetch loop's plan, the profile's shares by
// owner. They run with npm test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Period } from '../bench/artillery.ts';
import { costOf, lastPeriods, vusersHeldAt } from '../bench/analysis.ts';
import { COST_TARGETS, costVerdicts, cpuMsPerS, fitCost } from '../bench/cost-model.ts';
import { fetchPlan, floorLadder, floorSchedule, floorScript } from '../bench/floor.ts';
import type { CpuProfile } from '../bench/profile-summary.ts';
import { GC, PROGRAM, sharesOf, UNOWNED } from '../bench/profile-shares.ts';
import { floorMaterial } from './support/floor-material.ts';

const T0 = 1_700_000_000_000;
const period = (i: number, counters: Record<string, number>): Period => ({ period: String(T0 + i * 10_000), counters, summaries: {} }) as Period;
/** A run of `seconds` at `rate` whose CPU is `fixed` ms/s + `marginal` ms per request. */
const run = (rate: number, fixed: number, marginal: number, seconds = 20) => costOf(rate * seconds, seconds, ((fixed + marginal * rate) * seconds) / 1000);

test('fitCost: fixed ms/s and marginal ms/request from runs at several rates', () => {
  const f = fitCost([run(78, 40, 0.5), run(150, 40, 0.5), run(500, 40, 0.5)])!;
  assert.ok(Math.abs(f.fixedMsPerS - 40) < 1e-9);
  assert.ok(Math.abs(f.marginalMsPerRequest - 0.5) < 1e-12);
  assert.equal(f.points, 3);
  assert.ok(Math.abs(f.r2! - 1) < 1e-12);
  assert.ok(f.maxResidualMsPerS < 1e-9);
  // CPU per request at one rate mixes the two: marginal + fixed / rate.
  assert.ok(Math.abs(run(80, 40, 0.5).cpuMsPerRequest - (0.5 + 40 / 80)) < 1e-12);
  assert.equal(cpuMsPerS(run(100, 10, 1)), 110);
  // Noise: least squares, and the residual says how far off the worst point is.
  const noisy = fitCost([run(100, 50, 0.4), { ...run(200, 50, 0.4), cpuS: run(200, 50, 0.4).cpuS + 0.2 }, run(300, 50, 0.4)])!;
  assert.ok(noisy.r2! < 1 && noisy.maxResidualMsPerS > 5);
  assert.equal(fitCost([run(100, 1, 1)]), undefined, 'one rate: no line');
  assert.equal(fitCost([run(100, 1, 1), run(100, 2, 1)]), undefined, 'one rate twice: no line');
  assert.equal(fitCost([run(100, 1, 1), run(200, 1, 1)])!.r2, undefined, 'two points: on the line by construction');
});

test('costVerdicts: marginal at most 0.9 ms, below stock Artillery at every rate, the plan point at most 0.9 ms', () => {
  const suiteFit = fitCost([run(78, 40, 0.5), run(500, 40, 0.5)]);
  const levels = [
    { users: 60, suite: run(78, 40, 0.5), stock: run(78, 60, 0.4) },
    { users: 400, suite: run(500, 40, 0.5), stock: run(500, 60, 0.4) },
  ];
  const v = costVerdicts(levels, suiteFit, levels[0]!.suite);
  assert.equal(v.marginal.met, true);
  assert.deepEqual(v.belowStock.map((b) => b.met), [true, false]);
  assert.equal(v.plan.met, levels[0]!.suite.cpuMsPerRequest <= COST_TARGETS.maxPlanMs);
  assert.equal(v.plan.met, false); // 0.5 + 40/78 = 1.01 ms
  const missing = costVerdicts([{ users: 60 }], undefined, undefined);
  assert.deepEqual([missing.marginal.met, missing.belowStock[0]!.met, missing.plan.met], [false, false, false]);
});

test('lastPeriods: the last n whole periods of the longest accepted run', () => {
  const periods = [0, 1, 2, 3, 4, 5, 6].map((i) => period(i, { 'http.responses': 100 + i, target: i >= 1 && i <= 5 ? 1 : 0 }));
  const w = lastPeriods(periods, (p) => p.counters.target === 1, 2)!;
  assert.deepEqual(w, { from: T0 + 40_000, to: T0 + 60_000, periods: 2, requests: 104 + 105 });
  assert.equal(lastPeriods(periods, (p) => p.counters.target === 1, 9)!.periods, 5, 'fewer than n: all of them');
  assert.equal(lastPeriods(periods, () => false, 2), undefined);
});

test('vusersHeldAt: periods in which the level held, none arriving or leaving', () => {
  const periods = [
    period(0, { 'vusers.created': 20 }),
    period(1, { 'vusers.created': 40 }),
    period(2, {}),
    period(3, {}),
    period(4, { 'vusers.created': 60 }),
    period(5, {}),
    period(6, { 'vusers.completed': 1 }),
    period(7, {}),
  ];
  const at60 = vusersHeldAt(periods, 60);
  const at120 = vusersHeldAt(periods, 120);
  assert.deepEqual(periods.filter(at60).map((p) => p.period), [periods[2]!.period, periods[3]!.period]);
  assert.deepEqual(periods.filter(at120).map((p) => p.period), [periods[5]!.period], 'one left: 119 active after');
});

const material = floorMaterial;

test('floorLadder: arrivals level by level, each request gated and each think set by the schedule', () => {
  const levels = [
    { users: 60, rampS: 5, holdS: 50, thinkMs: 760.4 },
    { users: 120, rampS: 5, holdS: 30, thinkMs: 700 },
  ];
  assert.deepEqual(floorSchedule(levels), { thinks: [{ fromS: 0, thinkMs: 760 }, { fromS: 55, thinkMs: 700 }], endS: 90 });
  const base = floorScript({ target: 'http://127.0.0.1:1', users: 60, rampS: 5, thinkMs: 760, cycle: ['auth_login', 'project_list', 'submission_create'], requestsPerVu: 4, rotations: 2 }, material);
  const s = floorLadder(base, levels) as any;
  assert.deepEqual(
    s.config.phases.map((p: any) => [p.duration ?? null, p.arrivalCount ?? null, p.pause ?? null]),
    [[5, 60, null], [null, null, 50], [5, 60, null], [null, null, 30]],
  );
  assert.equal(s.config.plugins, undefined, 'still stock: no plugins');
  assert.equal(s.scenarios[0].beforeScenario, 'floorStart');
  assert.deepEqual(s.scenarios[0].flow[0], { think: '{{ floorThink }}' });
  assert.deepEqual(s.scenarios[0].flow[1], { post: { url: '/auth/login', name: 'auth_login', json: { user_id: 1 }, ifTrue: 'floorLive' } });
  assert.equal(s.scenarios[1].flow.length, 8);
  assert.equal((base as any).scenarios[0].flow[1].post.ifTrue, undefined, 'the base script is not changed');
});

test('floor-processor: each VU thinks the current level\'s time and stops at the schedule\'s end', async () => {
  const { floorAt, floorStart, floorLive } = await import('../bench/floor-processor.ts');
  const schedule = { thinks: [{ fromS: 0, thinkMs: 800 }, { fromS: 55, thinkMs: 300 }], endS: 90 };
  assert.deepEqual(floorAt(schedule, 0), { live: true, think: '800ms' });
  assert.deepEqual(floorAt(schedule, 54.9), { live: true, think: '800ms' });
  assert.deepEqual(floorAt(schedule, 55), { live: true, think: '300ms' });
  assert.deepEqual(floorAt(schedule, 90), { live: false, think: '1ms' }, 'the rest of the flow goes by at once');
  // Without BENCH_FLOOR_SCHEDULE: 1 s thinks, no end.
  const context = { vars: {} as Record<string, unknown> };
  await new Promise<void>((resolve) => floorStart(context, undefined, resolve));
  assert.equal(context.vars.floorThink, '1000ms');
  assert.equal(floorLive(context.vars), true);
});

test('fetchPlan: the cycle\'s requests as stock Artillery sends them, headers and bodies built once', () => {
  const plan = fetchPlan('http://127.0.0.1:1', ['project_list', 'auth_login', 'submission_create', 'gone'], material);
  assert.equal(plan.origin, 'http://127.0.0.1:1');
  assert.deepEqual(plan.requests, [
    { name: 'project_list', method: 'GET', path: '/project/', headers: { authorization: 'Bearer S' } },
    { name: 'auth_login', method: 'POST', path: '/auth/login', headers: { 'content-type': 'application/json' }, json: '{"user_id":1}' },
    { name: 'submission_create', method: 'POST', path: '/submission/', headers: { authorization: 'Bearer S', 'content-type': 'application/cbor' }, bodyFile: 'submission_create.cbor' },
  ]);
});

test('sharesOf: each sample to its innermost owned frame, in the window only, threads summed', () => {
  const frame = (id: number, functionName: string, url: string, children: number[] = []) => ({ id, callFrame: { functionName, url, lineNumber: 1 }, children });
  const nm = 'file:///x/node_modules';
  const worker: CpuProfile = {
    nodes: [
      frame(1, '(root)', '', [2, 3, 4, 5, 10]),
      frame(2, '(idle)', ''),
      frame(3, '(garbage collector)', ''),
      frame(4, '(program)', ''),
      frame(5, 'onRead', 'node:net', [6]),
      frame(6, 'emit', `${nm}/got/dist/source/core/index.js`, [7]),
      frame(7, 'onResponse', `${nm}/artillery/dist/lib/core/engine_http.js`, [8]),
      frame(8, 'checkResponse', 'file:///x/bench/.runs/cost-suite-1/dist/processor.js', [9, 11, 12]),
      frame(9, 'decode', `${nm}/cbor-x/decode.js`),
      frame(10, 'listOnTimeout', 'node:internal/timers'),
      frame(11, 'emit', 'node:events', [13]),
      frame(12, 'parse', ''),
      frame(13, 'counter', `${nm}/artillery/dist/lib/core/ssms.js`),
    ],
    startTime: 0,
    endTime: 0,
    //        idle GC  prog net got engine proc cbor timers events(->proc) JSON.parse(->proc) ssms  (outside)
    samples: [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 9],
    timeDeltas: [1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 50_000],
  };
  const main: CpuProfile = {
    nodes: [frame(1, '(root)', '', [2]), frame(2, 'tick', 'file:///x/plugins/artillery-plugin-hmp/closed-model.ts')],
    startTime: 5000,
    endTime: 0,
    samples: [2, 2],
    timeDeltas: [1000, 1000],
  };
  // Profile µs 0..13_000 is epoch ms T0 .. T0+13; the window takes both threads' first 13 ms.
  const s = sharesOf([worker, main], { fromMs: T0, toMs: T0 + 13, offsetUs: T0 * 1000 });
  const ms = Object.fromEntries(s.byCategory.map((c) => [c.category, c.ms]));
  assert.deepEqual(ms, {
    'HTTP client': 2,
    'hooks and processors': 3,
    'crypto/CBOR': 1,
    metrics: 1,
    "Artillery's engine": 1,
    'hmp plugin': 2,
    [GC]: 1,
    [PROGRAM]: 1,
    [UNOWNED]: 1,
  });
  assert.equal(s.idleMs, 1);
  assert.equal(s.busyMs, 13);
  assert.equal(s.threads, 2);
  assert.ok(Math.abs(s.byCategory.reduce((a, c) => a + c.pct, 0) - 100) < 1e-9);
});
