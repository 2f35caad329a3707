// The closed-model gate with a fake clock: admission, shedding, the end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildShape } from '../plugins/artillery-plugin-hmp/shape.ts';
import { ClosedModelGate } from '../plugins/artillery-plugin-hmp/closed-model.ts';

const shape = buildShape([
  { name: 'up', duration: 10, users: 4 },
  { name: 'hold', duration: 10, users: 4 },
  { name: 'down', duration: 10, users: 1 },
]);

function setup() {
  let now = 0;
  const gate = new ClosedModelGate(shape, () => now);
  const vus = Array.from({ length: 6 }, () => ({ vars: {} as Record<string, unknown> }));
  const runs: boolean[] = [];
  return {
    gate,
    vus,
    runs,
    at(t: number) {
      now = t * 1000;
      gate.rebalance();
    },
  };
}

const flush = () => new Promise((r) => setImmediate(r));

test('parked VUs are admitted as the target rises, one per user of the line', async () => {
  const g = setup();
  const admitted: number[] = [];
  g.vus.forEach((vu, i) => g.gate.beginSession(vu, 1e9).then((run) => run && admitted.push(i)));
  await flush();
  assert.equal(g.gate.active, 0);
  g.at(2.5); // target round(1.0) = 1
  await flush();
  assert.equal(g.gate.active, 1);
  g.at(6.3); // round(2.52) = 3
  await flush();
  assert.equal(g.gate.active, 3);
  g.at(10);
  await flush();
  assert.equal(g.gate.active, 4);
  assert.deepEqual(admitted, [0, 1, 2, 3], 'first come, first admitted; the rest stay parked');
  assert.equal(g.gate.sample().parked, 2);
  g.gate.stop();
});

test('when the target falls, thinking VUs give their slot back at once and their session ends', async () => {
  const g = setup();
  g.at(0);
  for (const vu of g.vus.slice(0, 4)) void g.gate.beginSession(vu, 1e9);
  g.at(12);
  await flush();
  assert.equal(g.gate.active, 4);
  const thinks = g.vus.slice(0, 4).map((vu) => g.gate.think(vu, 60_000));
  g.at(25); // target round(4 - 3*0.5) = round(2.5) = 3
  await flush();
  assert.equal(g.gate.active, 3);
  assert.equal(g.vus.filter((v) => v.vars.$hmpYielded === true).length, 1);
  g.at(29.9); // round(1.03) = 1
  await flush();
  assert.equal(g.gate.active, 1);
  // A VU that yielded parks at its next session; at the end everyone leaves.
  const yielded = g.vus.find((v) => v.vars.$hmpYielded === true)!;
  const next = g.gate.beginSession(yielded, 1e9);
  g.at(31);
  assert.equal(await next, false);
  await Promise.all(thinks);
  assert.equal(g.gate.active, 0);
  assert.equal(g.gate.staysOn(), false);
});

test('a VU that dies frees its slot for a parked one', async () => {
  const g = setup();
  g.at(0);
  const p = g.vus.map((vu) => g.gate.beginSession(vu, 1e9));
  g.at(15);
  await flush();
  assert.equal(g.gate.active, 4);
  g.gate.vuFailed(g.vus[0]!);
  assert.equal(g.gate.active, 3);
  g.gate.rebalance();
  assert.equal(g.gate.active, 4);
  assert.equal(await p[4], true);
  assert.equal(g.gate.lost, 1);
  g.gate.stop();
});

test('a session beyond the target parks instead of running', async () => {
  const g = setup();
  g.at(0);
  for (const vu of g.vus.slice(0, 4)) void g.gate.beginSession(vu, 1e9);
  g.at(15);
  await flush();
  g.at(25); // target 3: a holder starting a new session parks
  let ran: boolean | undefined;
  void g.gate.beginSession(g.vus[0]!, 1e9).then((r) => (ran = r));
  await flush();
  assert.equal(ran, undefined);
  assert.equal(g.gate.active, 3);
  g.gate.stop();
});

test('after a dip, users who were active come back before fresh ones', async () => {
  const g = setup();
  g.at(0);
  const runs = g.vus.map((vu) => g.gate.beginSession(vu, 1e9));
  g.at(15);
  await flush();
  assert.equal(g.gate.active, 4);
  // vus[0..3] run; the target drops to 3: vus[0] gives its slot back and parks again.
  g.at(25);
  await g.gate.think(g.vus[0]!, 0);
  assert.equal(g.vus[0]!.vars.$hmpYielded, true);
  const again = g.gate.beginSession(g.vus[0]!, 1e9);
  g.gate.vuFailed(g.vus[1]!); // a slot frees: the returning user gets it, not the fresh vus[4]
  g.gate.rebalance();
  assert.equal(await again, true);
  assert.equal(g.vus[4]!.vars.$hmpSlot, undefined);
  g.gate.stop();
  void runs;
});

test('when no VU is thinking, users waiting on a request are shed too (their session ends after it)', async () => {
  const g = setup();
  g.at(0);
  for (const vu of g.vus.slice(0, 4)) void g.gate.beginSession(vu, 1e9);
  g.at(15);
  await flush();
  assert.equal(g.gate.active, 4);
  g.at(29.9); // target 1; nobody is thinking: all four are mid-request
  assert.equal(g.gate.active, 1);
  assert.equal(g.vus.slice(0, 4).filter((v) => v.vars.$hmpYielded === true).length, 3);
  g.gate.stop();
});

test('ready: the shape waits for its first phase\'s users to park (or maxWaitMs), so a ramp never runs ahead of users not there yet', async () => {
  let now = 0;
  const gate = new ClosedModelGate(shape, () => now, { users: 4, maxWaitMs: 3000 });
  const vus = Array.from({ length: 5 }, () => ({ vars: {} as Record<string, unknown> }));
  vus.slice(0, 3).forEach((vu) => void gate.beginSession(vu, 1e9));
  now = 2000;
  gate.rebalance();
  await flush();
  assert.equal(gate.elapsed(), 0, 'three of four there: the clock has not started');
  assert.equal(gate.active, 0);
  void gate.beginSession(vus[3]!, 1e9);
  now = 7000; // 5 s after the fourth arrived: target round(2) = 2
  gate.rebalance();
  await flush();
  assert.equal(gate.elapsed(), 5);
  assert.equal(gate.active, 2);
  gate.stop();

  // Users that never come: the shape starts after maxWaitMs anyway (the load verdict then says what was reached).
  let t = 0;
  const late = new ClosedModelGate(shape, () => t, { users: 4, maxWaitMs: 3000 });
  void late.beginSession({ vars: {} }, 1e9);
  t = 2999;
  late.rebalance();
  assert.equal(late.elapsed(), 0);
  t = 3000;
  late.rebalance();
  t = 4000;
  assert.equal(late.elapsed(), 1);
  late.stop();
});
