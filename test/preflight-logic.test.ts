// The preflight's decisions (pure): what makes a target HMP, test data its
// own, a run long enough to judge; and the suite's one sentence for a time
// scale too small.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { notHmpWhy } from '../lib/preflight/identity.ts';
import { dataOwnerWhy } from '../lib/preflight/data-owner.ts';
import { lengthNeeds, roundUp2, tooShort } from '../plugins/artillery-plugin-hmp/core/run-length.ts';
import { lengthSentence, shortTests } from '../suite/run/length-check.ts';
import { readPhases } from '../suite/run/plan.ts';
import { planCriteria } from '../lib/plan-criteria.ts';

const T = 'http://127.0.0.1:8000';
const ok = (text: string, type = 'application/json') => ({ status: 200, type, text });

test("a target is HMP when /health says I'm good and its API, if published, has /auth/challenge", () => {
  assert.equal(notHmpWhy(T, ok('"I\'m good"'), { status: 404, type: 'application/json', text: '{"detail":"Not Found"}' }), null, 'docs switched off: /health decides');
  assert.equal(notHmpWhy(T, ok('"I\'m good"'), ok(JSON.stringify({ info: { title: 'FastAPI' }, paths: { '/auth/challenge': {}, '/health': {} } }))), null);
  assert.equal(
    notHmpWhy(T, ok('"I\'m good"'), ok(JSON.stringify({ info: { title: 'Shop API' }, paths: { '/health': {}, '/cart': {} } }))),
    `The target ${T} is not an HMP server: its API has no POST /auth/challenge (its /openapi.json is "Shop API"); check --target or HMP_TARGET.`,
  );
  assert.equal(
    notHmpWhy(T, { status: 200, type: 'text/plain', text: 'OK' }, { error: 'ECONNRESET' }),
    `The target ${T} is not an HMP server: GET /health answered 200 text/plain ("OK"), where HMP answers 200 "I'm good"; check --target or HMP_TARGET.`,
  );
});

test('test data is its server\'s when its users are known there; 404 names another server, 400 an expired one; no answer decides nothing', () => {
  const data = { target: 'http://10.0.0.1:8000' };
  assert.equal(dataOwnerWhy(T, 'd.json', data, [{ role: 'student', id: 3, answer: ok('{"challenge":"x"}') }]), null);
  assert.match(dataOwnerWhy(T, 'd.json', data, [{ role: 'student', id: 3, answer: { status: 404, type: 'application/json', text: '{}' } }])!, /^The test data in d\.json belongs to another server \(it was made for http:\/\/10\.0\.0\.1:8000\): its student 3 is unknown to/);
  assert.match(dataOwnerWhy(T, 'd.json', { target: T }, [{ role: 'instructor', id: 9, answer: { status: 400, type: 'application/json', text: '{"detail":"expired"}' } }])!, /has expired on .*instructor 9's account/);
  assert.equal(dataOwnerWhy(T, 'd.json', data, [{ role: 'student', id: 3, answer: { error: 'ECONNRESET' } }]), null);
});

test('a run is long enough when each hold lasts its periods: the smallest scale is named, rounded up so it works', () => {
  const average = readPhases('average');
  assert.equal(tooShort('average', lengthNeeds('average', average), 0.02), null);
  const short = tooShort('average', lengthNeeds('average', average), 0.001)!;
  assert.equal(short.minScale, 0.019);
  assert.equal(short.why, 'its hold of 540 s at 10 users would last 0.54 s, under one 10 s period');
  // The breakpoint fails a level on two periods in a row: it needs two.
  assert.equal(tooShort('breakpoint', lengthNeeds('breakpoint', readPhases('breakpoint')), 0.1)!.minScale, 0.12);
  // The soak's drift windows need their periods too.
  const drift = planCriteria().drift;
  assert.equal(tooShort('soak', lengthNeeds('soak', readPhases('soak'), drift), 0.01)!.need.what, `drift window of ${drift.windowS} s`);
  assert.equal(roundUp2(0.0185), 0.019);
  assert.equal(roundUp2(0.02), 0.02);
  assert.equal(roundUp2(10 / 180), 0.056);
});

test("the suite's sentence names the tests too short, the tightest reason and the scale that works for all", () => {
  const o = { tests: ['smoke', 'average', 'spike', 'breakpoint'] as const, timeScale: 0.01, smokeTimeScale: undefined };
  const shorts = shortTests({ ...o, tests: [...o.tests] }, readPhases, planCriteria().drift);
  assert.deepEqual(shorts.map((s) => s.test), ['average', 'breakpoint'], 'the smoke and the spike run at their own floors');
  assert.equal(
    lengthSentence({ ...o, tests: [...o.tests] }, shorts),
    "--time-scale 0.01 leaves the average and breakpoint tests too short to judge (the breakpoint's level of 180 s at 10 users would last 1.8 s, under two 10 s periods); use --time-scale 0.12 or more, or --allow-short to check the mechanics only.",
  );
  assert.deepEqual(shortTests({ tests: ['smoke', 'average', 'stress', 'spike', 'breakpoint'], timeScale: 0.12, smokeTimeScale: undefined }, readPhases, planCriteria().drift), []);
});
