// Load shapes in concurrent users: the line, holds, time scale, jitter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { buildShape, readUserPhases, ShapeError, targetAt, JITTER_INTERVAL } from '../plugins/artillery-plugin-hmp/shape.ts';

const phasesOf = (file: string) => readUserPhases(parse(readFileSync(join(import.meta.dirname, '..', 'phases', file), 'utf8')).config.phases);

test('average: 2m ramp to 10, 9m hold, 2m ramp to 15, 10m hold, 2m down (25 min)', () => {
  const shape = buildShape(phasesOf('average.yml'));
  assert.equal(shape.total, 25 * 60);
  assert.equal(targetAt(shape, 0), 0);
  assert.equal(targetAt(shape, 60), 5);
  assert.equal(targetAt(shape, 120), 10);
  assert.equal(targetAt(shape, 600), 10);
  assert.equal(targetAt(shape, 660 + 60), 13); // halfway 10 -> 15
  assert.equal(targetAt(shape, 800), 15);
  assert.equal(targetAt(shape, 1440), 8); // ramp down, halfway: 7.5 rounds to 8
  assert.equal(targetAt(shape, 1500), 0);
  assert.equal(shape.peak, 15);
});

test('every phase file has the plan\'s duration and peak', () => {
  const expect: Record<string, [number, number]> = {
    'smoke.yml': [126, 5],
    'average.yml': [1500, 15],
    'stress.yml': [2100, 30],
    'spike.yml': [300, 66],
    'breakpoint.yml': [57 * 60, 200],
    'soak.yml': [3 * 3600, 8],
  };
  for (const [file, [total, peak]] of Object.entries(expect)) {
    const shape = buildShape(phasesOf(file), 1, 42);
    assert.equal(shape.total, total, file);
    if (file !== 'spike.yml') assert.equal(shape.peak, peak, file);
    else assert.ok(shape.peak >= 60 && shape.peak <= peak, `spike peak ${shape.peak}`);
  }
});

test('breakpoint: levels 10, 20, 40, ..., 200, each 2 min ramp + 3 min hold', () => {
  const shape = buildShape(phasesOf('breakpoint.yml'));
  const holds = shape.segments.filter((s) => s.users === s.from && s.users > 0);
  assert.deepEqual(holds.map((h) => h.users), [10, 20, 40, 60, 80, 100, 120, 140, 160, 180, 200]);
  assert.ok(holds.every((h) => h.duration === 180));
  assert.ok(shape.segments.filter((s) => s.users > s.from).every((s) => s.duration === 120));
});

test('time scale compresses every duration and keeps the shape', () => {
  const full = buildShape(phasesOf('soak.yml'));
  const scaled = buildShape(phasesOf('soak.yml'), 1 / 360);
  assert.ok(Math.abs(scaled.total - 30) < 1e-9);
  for (const f of [0.01, 0.3, 0.5, 0.99]) assert.equal(targetAt(scaled, scaled.total * f), targetAt(full, full.total * f));
});

test('spike jitter: +-10% every 30-60 s, up and down, reproducible from the seed', () => {
  const a = buildShape(phasesOf('spike.yml'), 1, 7);
  const b = buildShape(phasesOf('spike.yml'), 1, 7);
  const c = buildShape(phasesOf('spike.yml'), 1, 8);
  assert.deepEqual(a.jitter, b.jitter);
  assert.notDeepEqual(a.jitter, c.jitter);
  const hold = a.segments[1]!;
  let prev = hold.start;
  for (const j of a.jitter) {
    assert.ok(j.at - prev >= JITTER_INTERVAL.min - 1e-9 && j.at - prev <= JITTER_INTERVAL.max + 1e-9, `interval ${j.at - prev}`);
    assert.ok(Math.abs(j.factor - 1) <= 0.1 + 1e-9 && Math.abs(j.factor - 1) >= 0.02 - 1e-9);
    prev = j.at;
  }
  assert.ok(a.jitter.length >= 3, 'a 3 min hold sees 3-6 moves');
  assert.ok(a.jitter.some((j) => j.factor > 1) && a.jitter.some((j) => j.factor < 1), 'up and down');
  const levels = a.jitter.map((j) => targetAt(a, j.at + 0.01));
  assert.ok(levels.every((l) => l >= 54 && l <= 66));
  assert.ok(new Set(levels).size > 1);
  assert.equal(targetAt(a, hold.start + 1), 60, 'jitter starts after the first interval');
  // Scaled: the same moves, at scaled times.
  const s = buildShape(phasesOf('spike.yml'), 0.1, 7);
  assert.deepEqual(s.jitter.map((j) => j.factor), a.jitter.map((j) => j.factor));
});

test('bad phases are one clear sentence', () => {
  assert.throws(() => readUserPhases([{ name: 'x', duration: 10 }]), (e: Error) => e instanceof ShapeError && /Phase "x" needs `users`/.test(e.message));
  assert.throws(() => readUserPhases([{ name: 'x', users: 3 }]), /needs a positive duration/);
  assert.throws(() => readUserPhases([]), /at least one phase/);
  assert.throws(() => buildShape([{ name: 'x', duration: 1, users: 1 }], 0), /time scale/);
});
