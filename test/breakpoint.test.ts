// Breakpoint detection on synthetic periods: each rule, two-period confirmation, levels.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STAIRCASE } from './support/staircase.ts';
import { BreakpointDetector, levelAt } from '../plugins/artillery-plugin-hmp/breakpoint.ts';
import type { PeriodView } from '../plugins/artillery-plugin-hmp/period-view.ts';

// Levels 10, 20, 40: 20 s ramp + 30 s hold each (periods are 10 s).
const shape = STAIRCASE;
const rules = { maxErrorRate: 5, sloFactor: 2, maxTimeoutRate: 1, stallFactor: 0.5 };
const slo = { list: 700 };
const groups = { list: ['project_list'] };

function period(t: number, extra: Partial<PeriodView> = {}): PeriodView {
  const users = levelAt(shape, t - 5);
  return {
    at: 1_000_000 + (t - 10) * 1000,
    t,
    target: users,
    active: users,
    requests: users * 10,
    responses: users * 10,
    errors: 0,
    netErrors: 0,
    errorsBy: {},
    codesBy: {},
    p99: { project_list: 50 },
    median5xxMs: undefined,
    ...extra,
  };
}

function run(bad: (t: number) => Partial<PeriodView> | null) {
  const d = new BreakpointDetector(shape, rules, slo, groups);
  for (let t = 10; t <= shape.total; t += 10) {
    const r = d.push(period(t, bad(t) ?? {}));
    if (r) return r;
  }
  return d.finish();
}

test('healthy all the way: no breakpoint below the top level', () => {
  const r = run(() => null);
  assert.equal(r.found, false);
  assert.equal(r.maxSustainableUsers, 40);
  assert.equal(r.summary, 'no breakpoint below 40 users');
});

test('5xx from 40 users: max sustainable 20, failure mode names endpoints, status and waits', () => {
  const r = run((t) =>
    levelAt(shape, t - 5) === 40 && t > 120
      ? { errors: 100, errorsBy: { submission_create: { status_500: 60 }, project_list: { status_500: 40 } }, median5xxMs: 30_000 }
      : null,
  );
  assert.equal(r.found, true);
  assert.equal(r.maxSustainableUsers, 20);
  assert.equal(r.failingUsers, 40);
  assert.match(r.failureMode!, /^5xx on submission_create and project_list from 40 users: 500 after ~30.0 s waits/);
});

test('one bad period alone is not a failure', () => {
  const r = run((t) => (t === 60 ? { errors: 50 } : null));
  assert.equal(r.found, false);
});

test('latency: p99 above 2x SLO for two periods', () => {
  const r = run((t) => (t >= 80 ? { p99: { project_list: 3100 } } : null));
  assert.equal(r.found, true);
  assert.equal(r.maxSustainableUsers, 10);
  assert.equal(r.failingUsers, 20);
  assert.match(r.failureMode!, /latency: p99 of project_list 3.1 s > 1.4 s/);
});

test('stall: requests neither succeed nor fail, error rate stays low', () => {
  const r = run((t) => (t >= 130 ? { responses: 3, requests: 5 } : null));
  assert.equal(r.found, true);
  assert.equal(r.failingUsers, 40);
  assert.equal(r.maxSustainableUsers, 20);
  assert.equal(r.problems![0]!.kind, 'stall');
  assert.match(r.failureMode!, /stall: 0.3 req\/s completed vs/);
});

test('timeouts above 1%', () => {
  const r = run((t) => (t >= 130 ? { netErrors: 20, errors: 20, requests: 1000 } : null));
  assert.equal(r.found, true);
  assert.ok(r.problems!.some((p) => p.kind === 'timeouts'));
});

test('stopped before the top: reports the highest level held, not "no breakpoint"', () => {
  const d = new BreakpointDetector(shape, rules, slo, groups);
  for (let t = 10; t <= 90; t += 10) d.push(period(t)); // the 20-user hold ends at 100
  const r = d.finish();
  assert.equal(r.found, false);
  assert.equal(r.maxSustainableUsers, 10);
  assert.match(r.summary, /stopped before the top level: held 10 users/);
});

test('a failing period that begins just before a hold ends still counts that hold as held', () => {
  // Shift the periods by 0.4 s: the first bad one spans 49.6-59.6 s, the 10-user hold ends at 50.
  const d = new BreakpointDetector(shape, rules, slo, groups);
  let r;
  for (let t = 9.6; t <= shape.total && !r; t += 10) {
    const bad = t > 55 && t < 80;
    r = d.push(period(t, bad ? { errors: 50, errorsBy: { project_list: { status_500: 50 } } } : {}));
  }
  assert.ok(r);
  assert.equal(r!.maxSustainableUsers, 10);
  assert.equal(r!.failingUsers, 20);
});
