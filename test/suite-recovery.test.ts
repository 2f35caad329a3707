// Spike recovery time from synthetic periods (pure).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { baselineOf, limitsOf, DEFAULT_TOLERANCE, recoveryOf } from '../suite/recovery.ts';
import { holdOf } from '../plugins/artillery-plugin-hmp/core/run-window.ts';
import { type Results } from '../plugins/artillery-plugin-hmp/core/results.ts';
import { period, sum } from './suite-helpers.ts';

const T0 = 1_800_000_000_000;
const HOLD_END = T0 + 60_000; // the hold ends at a period boundary here
const BASE = { errorRatePct: 0.5, p95Ms: 100 };

/** Periods from T0, 10 s each: [errors per 100 requests, p95] (or 'stall'). */
function run(spec: Array<[number, number] | 'stall' | 'idle'>) {
  return spec.map((s, i) =>
    s === 'stall' ? period({ at: T0 + i * 10_000, requests: 20, responses: 0 }) : s === 'idle' ? period({ at: T0 + i * 10_000, requests: 0 }) : period({ at: T0 + i * 10_000, errors: s[0], p95: s[1] }),
  );
}

test('limits: error rate + 1 point, p95 x1.5 with at least 25 ms of slack', () => {
  assert.deepEqual(limitsOf(BASE, DEFAULT_TOLERANCE), { errorRatePct: 1.5, p95Ms: 150 });
  assert.deepEqual(limitsOf({ errorRatePct: 0, p95Ms: 8 }, DEFAULT_TOLERANCE), { errorRatePct: 1, p95Ms: 33 });
});

test('recovers 30 s after the hold: the start of the first 2 consecutive periods within the baseline', () => {
  // 6 periods of hold (bad), then after the hold: bad, bad, bad, good, good, good...
  const periods = run([[9, 900], [9, 900], [9, 900], [9, 900], [9, 900], [9, 900], [5, 400], [2, 200], [1, 160], [1, 120], [0, 110], [0, 100]]);
  const r = recoveryOf({ periods, holdEnd: HOLD_END, baseline: BASE });
  assert.equal(r.recoveredAfterS, 30);
  assert.equal(r.status, 'recovered');
  assert.equal(r.curve.length, 6, 'only periods after the hold');
  assert.deepEqual(r.curve.map((c) => c.within), [false, false, false, true, true, true]);
  assert.equal(r.curve[0]!.why, 'errors 5% > 1.5%; p95 400 ms > 150 ms');
  assert.equal(r.curve[2]!.why, 'p95 160 ms > 150 ms', 'error rate 1% is within baseline + 1 point');
  assert.equal(r.curve[0]!.s, 10);
  assert.equal(r.observedS, 60);
  assert.equal(r.text, 'Recovered 30 s after the hold (error rate <= 1.5% and p95 <= 150 ms for 2 periods).');
});

test('one good period between bad ones is not recovery; a stall (no answers) is never within', () => {
  const periods = run([[0, 100], [0, 100], [0, 100], [0, 100], [0, 100], [9, 900], [0, 100], [9, 900], 'stall', [0, 100], [0, 100]]);
  const r = recoveryOf({ periods, holdEnd: HOLD_END, baseline: BASE });
  assert.deepEqual(r.curve.map((c) => c.within), [true, false, false, true, true]);
  assert.equal(r.curve[2]!.why, 'no answers (stalled)');
  assert.equal(r.recoveredAfterS, 30);
});

test('within the baseline from the end of the hold: 0 s', () => {
  const r = recoveryOf({ periods: run([[0, 90], [0, 90], [0, 90], [0, 90], [0, 90], [0, 90], [0, 90], [0, 95]]), holdEnd: HOLD_END, baseline: BASE });
  assert.equal(r.recoveredAfterS, 0);
  assert.match(r.text, /^Within the baseline from the end of the hold/);
});

test('never back within 5 min: null, "> 5 min"; a streak after the limit is still "> 5 min"', () => {
  const bad = Array.from({ length: 6 + 32 }, () => [9, 900] as [number, number]);
  const r = recoveryOf({ periods: run(bad), holdEnd: HOLD_END, baseline: BASE });
  assert.equal(r.recoveredAfterS, null);
  assert.equal(r.status, 'not-recovered');
  assert.equal(r.text, 'Not recovered: > 5 min after the hold (error rate <= 1.5% and p95 <= 150 ms for 2 periods); last: errors 9% > 1.5%; p95 900 ms > 150 ms.');
  const late = run([...Array.from({ length: 6 + 31 }, () => [9, 900] as [number, number]), [0, 90], [0, 90]]);
  const r2 = recoveryOf({ periods: late, holdEnd: HOLD_END, baseline: BASE });
  assert.equal(r2.recoveredAfterS, null, 'back at 310 s > 300 s');
  assert.equal(r2.status, 'not-recovered');
});

test('observation shorter than the limit without recovery: "not-observed", and a scaled limit', () => {
  const periods = run([[9, 900], [9, 900], [9, 900], [9, 900], [9, 900], [9, 900], [9, 900], [9, 900]]);
  const r = recoveryOf({ periods, holdEnd: HOLD_END, baseline: BASE });
  assert.equal(r.status, 'not-observed');
  assert.match(r.text, /in the 20 s observed after the hold \(limit 5 min; .*observe longer/);
  assert.equal(recoveryOf({ periods, holdEnd: HOLD_END, baseline: BASE, limitS: 15 }).status, 'not-recovered');
});

test('tolerance is configurable; idle periods (no traffic) do not count as within', () => {
  const periods = run([[0, 100], [0, 100], [0, 100], [0, 100], [0, 100], [0, 100], [0, 190], 'idle', [0, 190], [0, 190]]);
  const strict = recoveryOf({ periods, holdEnd: HOLD_END, baseline: BASE });
  assert.equal(strict.recoveredAfterS, null);
  const loose = recoveryOf({ periods, holdEnd: HOLD_END, baseline: BASE, tolerance: { p95Factor: 2, consecutive: 2 } });
  assert.deepEqual(loose.curve.map((c) => c.within), [true, false, true, true]);
  assert.equal(loose.curve[1]!.why, 'no traffic');
  assert.equal(loose.recoveredAfterS, 20);
});

test('the period that holds the end of the hold is judged too; the recovery counts from the hold end', () => {
  const periods = run([[0, 100], [0, 100], [9, 900], [0, 100], [0, 100]]);
  const r = recoveryOf({ periods, holdEnd: T0 + 25_000, baseline: BASE });
  assert.deepEqual(r.curve.map((c) => c.s), [5, 15, 25]);
  assert.equal(r.recoveredAfterS, 5);
});

test('baselineOf reads a results file; the hold comes from aggregate.hmp.shape', () => {
  const baseline: Results = {
    aggregate: { counters: { 'http.requests': 1000, 'plugins.hmp.errors.project_list': 3, 'plugins.hmp.errors.auth_login': 2 }, summaries: { 'http.response_time': sum(20, 80, 200) } },
    intermediate: [],
  };
  assert.deepEqual(baselineOf(baseline), { errorRatePct: 0.5, p95Ms: 80 });
  const spike: Results = {
    aggregate: {
      hmp: {
        startedAt: T0,
        shape: [
          { name: 'ramp to 60 users', from: 0, users: 60, start: 0, end: 20 },
          { name: 'hold 60 users with jitter', from: 60, users: 60, start: 20, end: 60 },
          { name: 'ramp down', from: 60, users: 0, start: 60, end: 80 },
        ],
      },
    },
    intermediate: run([[9, 900], [9, 900], [9, 900], [9, 900], [9, 900], [9, 900], [0, 100], [0, 100], [0, 100]]),
  };
  assert.deepEqual(holdOf(spike), { start: T0 + 20_000, end: T0 + 60_000, users: 60 });
  assert.equal(recoveryOf({ periods: spike.intermediate, holdEnd: holdOf(spike)!.end, baseline: baselineOf(baseline) }).recoveredAfterS, 0);
});
