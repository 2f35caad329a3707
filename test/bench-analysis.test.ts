// The bench's pure parts: windows and costs, fidelity, probe percentiles,
// the floor script, loop-delay correction, /proc parsing, profile summary.
// They run with npm test (test/bench-analysis.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Period } from '../bench/artillery.ts';
import {
  accuracyIn,
  costOf,
  countsByEndpoint,
  fidelityOf,
  formatTable,
  heldAt,
  ladderPhases,
  levelFigures,
  levelHolds,
  loopIn,
  parseProbe,
  steadyWindow,
  usageIn,
  windowCost,
} from '../bench/analysis.ts';
import { cycleOf, floorScript, unsupported } from '../bench/floor.ts';
import { correctedDelays, pct, pct as percentile } from '../bench/loop-delay.ts';
import { cpuBetween, parseStat, type CpuSample } from '../bench/proc.ts';
import { summarize, type CpuProfile } from '../bench/profile-summary.ts';
import { serverTimingTotal } from '../processors/outside-engine.ts';
import { floorMaterial } from './support/floor-material.ts';

const T0 = 1_700_000_000_000;
const period = (i: number, counters: Record<string, number>, summaries: Record<string, Partial<Period['summaries'][string]>> = {}): Period =>
  ({ period: String(T0 + i * 10_000), counters, summaries } as Period);
const summary = (min: number, max: number, p99 = max) => ({ min, max, p99, mean: (min + max) / 2, count: 1, p50: min, p95: max });

test('steadyWindow: the longest run of whole accepted periods, never the partial first or last', () => {
  const periods = [0, 1, 2, 3, 4, 5].map((i) => period(i, { 'http.responses': 100 + i, ...(i === 2 ? { 'vusers.completed': 1 } : {}) }));
  const w = steadyWindow(periods, (p) => !p.counters['vusers.completed'])!;
  assert.deepEqual(w, { from: T0 + 30_000, to: T0 + 50_000, periods: 2, requests: 103 + 104 });
  assert.equal(steadyWindow(periods.slice(0, 2), () => true), undefined);
  // A gap in the periods breaks the run.
  const gapped = [0, 1, 3, 4, 5].map((i) => period(i, { 'http.responses': 10 }));
  assert.equal(steadyWindow(gapped, () => true)!.periods, 2);
});

test('CPU per request from /proc samples over a window', () => {
  const samples: CpuSample[] = [
    { at: T0, cpuS: 1, waitS: 0 },
    { at: T0 + 20_000, cpuS: 3, waitS: 0.4 },
  ];
  assert.equal(cpuBetween(samples, T0 + 5_000, T0 + 15_000), 1);
  assert.equal(cpuBetween(samples, T0 - 1, T0 + 1), undefined);
  const c = windowCost(samples, { from: T0 + 5_000, to: T0 + 15_000, periods: 1, requests: 500 })!;
  assert.equal(c.cpuMsPerRequest, 2);
  assert.equal(c.rate, 50);
  assert.equal(c.cpuPct, 10);
  assert.ok(Math.abs(c.waitPct! - 2) < 1e-9);
  assert.deepEqual(usageIn(samples, T0, T0 + 20_000), { cpuPct: 10, waitPct: 2 });
  assert.equal(costOf(0, 1, 1).cpuMsPerRequest, 1000, 'no division by zero');
});

test('parseStat reads utime+stime past a command name with spaces and parentheses', () => {
  const line = '4242 (node (worker) x) S 17 4242 17 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 12 0 100 0 0';
  assert.deepEqual(parseStat(line), { pid: 4242, ppid: 17, ticks: 300 });
});

test('countsByEndpoint sums the status codes of each request name', () => {
  assert.deepEqual(
    countsByEndpoint({
      'plugins.metrics-by-endpoint.project_list.codes.200': 5,
      'plugins.metrics-by-endpoint.project_list.codes.500': 1,
      'plugins.metrics-by-endpoint.auth_login.codes.200': 2,
      'plugins.metrics-by-endpoint.response_time.project_list': 9,
      'http.codes.200': 7,
    }),
    { project_list: 6, auth_login: 2 },
  );
});

test('fidelity: +-1 user or 2% of the target, per period', () => {
  const rows = fidelityOf([
    period(0, {}, { 'plugins.hmp.users.target': summary(0, 10), 'plugins.hmp.users.deviation': summary(0, 1) }),
    period(1, {}, { 'plugins.hmp.users.target': summary(200, 200), 'plugins.hmp.users.deviation': summary(0, 4) }),
    period(2, {}, {}),
  ]);
  assert.deepEqual(rows.map((r) => [r.maxDeviation, r.bound]), [[1, 1], [4, 4]]);
});

test('probe: exact percentiles of client, server and their difference over a window', () => {
  const csv = ['L,1000,0.5', 'L,2000,30', 'R,1500,10,8,project_list', 'R,1600,4,1,auth_login', 'R,99999,500,1,late', 'junk'].join('\n');
  const probe = parseProbe(csv);
  assert.equal(probe.loop.length, 2);
  assert.equal(probe.requests.length, 3);
  const a = accuracyIn(probe, 1000, 3000);
  assert.equal(a.requests, 2);
  assert.equal(a.clientP99, 10);
  assert.equal(a.serverP99, 8);
  assert.equal(a.gapMs, 2);
  assert.equal(a.diffP99, 3);
  assert.deepEqual(loopIn(probe, 0, 10_000), { p99: 30, worstSliceP99: 30, max: 30 });
  assert.equal(pct([], 99), undefined);
  assert.equal(pct([3, 1, 2], 50), 2);
  assert.equal(percentile([5, 1, 9, 7], 99), 9);
});

test('levels: held periods, figures and the hold verdict', () => {
  const held = { 'plugins.hmp.users.target': summary(200, 200), 'plugins.hmp.users.deviation': summary(0, 1) };
  const inter = [
    period(0, { 'http.requests': 50 }, { 'plugins.hmp.users.target': summary(0, 150) }),
    period(1, { 'http.requests': 200, 'plugins.hmp.errors': 1 }, held),
    period(2, { 'http.requests': 200 }, held),
  ];
  const periods = heldAt(inter, 200);
  assert.equal(periods.length, 2);
  const probe = parseProbe([`R,${T0 + 12_000},6,3,x`, `L,${T0 + 12_000},4`, `L,${T0 + 25_000},9`].join('\n'));
  const f = levelFigures(periods, 200, probe);
  assert.equal(f.reqPerS, 20);
  assert.equal(f.gapMs, 3);
  assert.equal(f.loopP99, 9);
  assert.equal(f.errorPct, 0.25);
  assert.equal(levelHolds(f, 50, 5), true);
  assert.equal(levelHolds(f, 5, 5), false, 'loop delay over its limit');
  assert.equal(levelHolds({ ...f, gapMs: 6 }, 50, 5), false, 'accuracy off');
  assert.equal(levelHolds({ ...f, gapMs: 30 }, 50, 5, 27), true, 'the reference saw most of the gap: the twin, not the generator');
  assert.equal(levelHolds({ ...f, gapMs: 30 }, 50, 5, 20), false);
  assert.equal(levelHolds({ ...f, maxDeviation: 5 }, 50, 5), false, 'users off target');
  assert.equal(levelHolds(levelFigures([], 1000, probe), 50, 5), false, 'never reached');
});

test('ladderPhases: a ramp and a hold per level, arrivals the difference, a ramp down last', () => {
  assert.deepEqual(ladderPhases([200, 1000], 15, 30), [
    { name: 'ramp to 200 users', duration: 15, arrivalCount: 200, users: 200 },
    { name: 'hold 200 users', pause: 30, users: 200 },
    { name: 'ramp to 1000 users', duration: 15, arrivalCount: 800, users: 1000 },
    { name: 'hold 1000 users', pause: 30, users: 1000 },
    { name: 'ramp down', duration: 15, arrivalCount: 0, users: 0 },
  ]);
});

test('cycleOf keeps the shares, every endpoint at least once, spread out', () => {
  const cycle = cycleOf({ a: 500, b: 300, c: 199, d: 1 }, 100);
  const count = (n: string) => cycle.filter((x) => x === n).length;
  assert.deepEqual([count('a'), count('b'), count('c'), count('d')], [50, 30, 20, 1]);
  assert.ok(!cycle.slice(0, 10).every((x) => x === 'a'), 'interleaved, not in blocks');
});

test('floorScript: stock Artillery, no plugins, static requests, think before each, rotated scenarios', () => {
  const material = floorMaterial;
  const script = floorScript({ target: 'http://127.0.0.1:1', users: 10, rampS: 5, thinkMs: 800, cycle: ['auth_login', 'project_list', 'submission_create'], requestsPerVu: 4, rotations: 3 }, material) as any;
  assert.equal(script.config.plugins, undefined);
  assert.equal(script.scenarios.length, 3);
  const flow = script.scenarios[1].flow;
  assert.equal(flow.length, 8);
  assert.deepEqual(flow[0], { think: '800ms' });
  assert.deepEqual(flow[1], { get: { url: '/project/', name: 'project_list', headers: { authorization: 'Bearer S' } } });
  assert.deepEqual(flow[3], { post: { url: '/submission/', name: 'submission_create', headers: { authorization: 'Bearer S', 'content-type': 'application/cbor' }, beforeRequest: 'staticBody' } });
  assert.deepEqual(flow[5].post.json, { user_id: 1 });
  assert.deepEqual(unsupported({ auth_login: 3, auth_relogin: 1, pdf_status: 0 }, material), ['auth_relogin']);
});

test('correctedDelays: a stall also stands for the ticks it swallowed', () => {
  assert.deepEqual(correctedDelays(3), [3]);
  assert.deepEqual(correctedDelays(-1), [0]);
  assert.deepEqual(correctedDelays(70, 20), [70, 50, 30, 10]);
});

test('serverTotal reads total;dur from Server-Timing', () => {
  assert.equal(serverTimingTotal('queue;dur=0.1, handler;dur=2.5, total;dur=2.6'), 2.6);
  assert.equal(serverTimingTotal(['queue;dur=1', 'total;dur=12']), 12);
  assert.equal(serverTimingTotal('handler;dur=2'), undefined);
  assert.equal(serverTimingTotal(undefined), undefined);
});

test('profile summary: categories by stack, stalls as busy stretches', () => {
  const frame = (id: number, functionName: string, url: string, children: number[] = []) => ({ id, callFrame: { functionName, url, lineNumber: 1 }, children });
  const profile: CpuProfile = {
    nodes: [
      frame(1, '(root)', '', [2, 3, 4]),
      frame(2, '(idle)', ''),
      frame(3, 'signLogin', 'file:///x/dist/processor.js', [5]),
      frame(4, 'request', 'file:///x/node_modules/got/dist/index.js'),
      frame(5, 'signAsync', 'file:///x/node_modules/@noble/ed25519/index.js'),
    ],
    startTime: 0,
    endTime: 200_000,
    samples: [2, 5, 5, 5, 3, 2, 4, 2],
    timeDeltas: [1000, 20_000, 20_000, 20_000, 1000, 1000, 5000, 1000],
  };
  const s = summarize(profile, 0, 40);
  assert.deepEqual(s.byCategory.map((c) => [c.category, c.ms]), [
    ['ed25519 signing (@noble/ed25519, pure JS)', 60],
    ['got (HTTP client)', 5],
    ['suite processors (bundle)', 1],
  ]);
  assert.equal(s.stalls.length, 1);
  assert.ok(s.stalls[0]!.top.startsWith('signAsync'));
});

test('formatTable: aligned markdown with met yes / NO / info', () => {
  const t = formatTable([
    { bench: 'a', measured: '1', target: '<= 2', met: true },
    { bench: 'bb', measured: '3', target: '<= 2', met: false },
    { bench: 'c', measured: '-', target: '-', met: null },
  ]);
  const lines = t.split('\n');
  assert.equal(lines.length, 5);
  assert.ok(lines.every((l) => l.length === lines[0]!.length));
  assert.match(t, /\| NO +\|/);
  assert.match(t, /\| info \|/);
});
