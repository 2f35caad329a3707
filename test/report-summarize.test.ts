// The report's figures (pure): verdicts as the plugin's gates count them,
// the per-endpoint table from the counters, errors with first/last times,
// and the per-type sections (breakpoint, spike recovery, soak drift).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { measuredOf } from '../plugins/artillery-plugin-hmp/ensure-conditions.ts';
import { verdictsOf } from '../plugins/artillery-plugin-hmp/core/criteria.ts';
import { resolveSettings } from '../plugins/artillery-plugin-hmp/settings.ts';
import type { RawPeriod } from '../plugins/artillery-plugin-hmp/core/results.ts';
import { asResults, ReportInputError, summarize } from '../report/build.ts';
import { figureOf } from '../report/system.ts';
import { spikeOf } from '../report/spike.ts';
import { syntheticResults } from './support/synthetic-results.ts';
import { planCriteria } from '../lib/plan-criteria.ts';
import type { Period, Results } from '../report/types.ts';

const PHASES = join(import.meta.dirname, '..', 'phases');

/** Sum of a counter over the periods, computed here without the report's code. */
function total(r: Results, name: string): number {
  return r.intermediate.reduce((a, p) => a + (p.counters?.[name] ?? 0), 0);
}

function plain(counters: Record<string, number>, extra: Partial<Period> = {}): Results {
  return { aggregate: { counters, summaries: {}, ...extra }, intermediate: [] };
}

test('the report\'s verdicts are the plugin\'s: one rule set (core/criteria.ts) on the same results; a run within limits passes', () => {
  const r = syntheticResults({ test: 'average', seed: 5 });
  const s = summarize(r);
  const settings = resolveSettings({ test: 'average', groups: planCriteria().groups }, PHASES, {}, {});
  const m = measuredOf(settings, r.aggregate as RawPeriod);
  assert.deepEqual(s.verdicts, verdictsOf('average', settings.criteria, m), 'the same verdicts, measured values and notes');
  const rate = s.verdicts.find((v) => v.id === 'error_rate')!;
  assert.equal(rate.measured, Math.round(m.errorRatePct * 1000) / 1000);
  assert.equal(rate.limit, 1);
  assert.equal(rate.pass, true);
  for (const v of s.verdicts.filter((x) => x.id.startsWith('p99.'))) assert.equal(v.pass, v.measured === null ? null : true, v.id);
  assert.equal(s.outcome, 'PASS');
  assert.match(s.headline, /^PASS: the average test met all \d+ criteria\.$/);
  assert.equal(s.totals.requests, total(r, 'http.requests'));
  assert.equal(s.totals.errors, m.errors);
});

test('per-endpoint table: requests, errors, timeouts and codes are the sums of the counters', () => {
  const r = syntheticResults({ test: 'average', seed: 9, timeoutShare: 0.01, errorShare: 0.01 });
  const s = summarize(r);
  for (const name of ['auth_login', 'project_list', 'submission_content']) {
    const row = s.endpoints.find((e) => e.name === name)!;
    const ok = total(r, `plugins.metrics-by-endpoint.${name}.codes.200`);
    const e500 = total(r, `plugins.metrics-by-endpoint.${name}.codes.500`);
    const noAnswer = total(r, `plugins.metrics-by-endpoint.${name}.errors.ETIMEDOUT`);
    assert.equal(row.requests, ok + e500 + noAnswer, name);
    assert.equal(row.codes['200'], ok, name);
    assert.equal(row.codes['500'] ?? 0, e500, name);
    assert.equal(row.timeouts, total(r, `plugins.hmp.errors.${name}.ETIMEDOUT`), name);
    assert.ok(row.timeouts > 0, `${name} has timeouts in this input`);
    assert.equal(row.errors, total(r, `plugins.hmp.errors.${name}`), name);
    assert.equal(row.errorPct, Math.round((10000 * row.errors) / row.requests) / 100, name);
    assert.equal(row.p99, r.aggregate.summaries![`plugins.metrics-by-endpoint.response_time.${name}`]!.p99, name);
  }
  // Group order first (auth, list, detail, convert), then the rest by name.
  assert.deepEqual(s.endpoints.slice(0, 3).map((e) => e.name), ['auth_challenge', 'auth_login', 'project_list']);
  assert.equal(s.endpoints.find((e) => e.name === 'project_list')!.sloMs, 700);
  assert.equal(s.endpoints.find((e) => e.name === 'audit_list')!.group, null);
});

test('every spelling of a timeout counts: ETIMEDOUT, ESOCKETTIMEDOUT, timeout, etimedout', () => {
  const r = plain({
    'http.requests': 100,
    'plugins.hmp.errors.project_list': 4,
    'plugins.hmp.errors.project_list.ETIMEDOUT': 1,
    'plugins.hmp.errors.project_list.ESOCKETTIMEDOUT': 1,
    'plugins.hmp.errors.project_list.timeout': 1,
    'plugins.hmp.errors.project_list.etimedout': 1,
  });
  const s = summarize(r);
  assert.equal(s.endpoints.find((e) => e.name === 'project_list')!.timeouts, 4);
  assert.equal(s.totals.timeouts, 4);
  assert.ok(s.errors.every((e) => e.noAnswer && e.status === null));
});

test('latency over the SLO fails the run and the headline says which criterion', () => {
  const s = summarize(syntheticResults({ test: 'average', latencyFactor: 5, seed: 2 }));
  assert.equal(s.outcome, 'FAIL');
  const list = s.verdicts.find((v) => v.id === 'p99.list')!;
  assert.equal(list.pass, false);
  assert.ok(list.measured! > 700);
  assert.match(s.headline, /^FAIL: \d+ of \d+ criteria missed: .*p99 latency, list [\d,]+(\.\d)? ms \(limit ≤ 700 ms\)/);
});

test('smoke: 0 errors and every smoke endpoint answered', () => {
  const hmp = { test: 'smoke', criteria: { slo: { auth: 400 }, groups: { auth: ['auth_login'] }, maxErrorRate: 0, smokeEndpoints: ['auth_login', 'audit_list', 'pdf_execute'] } };
  const answered = plain(
    {
      'http.requests': 3,
      'plugins.metrics-by-endpoint.auth_login.codes.200': 1,
      'plugins.metrics-by-endpoint.audit_list.codes.200': 1,
      'plugins.hmp.ok.pdf_execute': 1,
    },
    { hmp },
  );
  const s = summarize(answered);
  assert.deepEqual(
    s.verdicts.filter((v) => v.id === 'errors' || v.id === 'unanswered').map((v) => [v.id, v.measured, v.pass]),
    [
      ['errors', 0, true],
      ['unanswered', 0, true],
    ],
  );
  const missing = plain(
    { 'http.requests': 2, 'plugins.metrics-by-endpoint.auth_login.codes.200': 1, 'plugins.hmp.errors.audit_list': 1, 'plugins.hmp.errors.audit_list.status_500': 1, 'plugins.hmp.skipped.pdf_execute.pdf_upload_key': 2 },
    { hmp },
  );
  const f = summarize(missing);
  assert.equal(f.outcome, 'FAIL');
  const un = f.verdicts.find((v) => v.id === 'unanswered')!;
  assert.equal(un.measured, 2);
  // Tried and failed (why) apart from never tried (because what failed first).
  assert.equal(un.note, 'audit_list (tried and failed: 1 x status_500); pdf_execute (never tried: pdf_upload_key failed first (2 planned))');
  assert.equal(f.verdicts.find((v) => v.id === 'errors')!.pass, false);
});

test('breakpoint: gated on the plan\'s peak only (capacity); the level table and the failure mode are reported', () => {
  const r = syntheticResults({ test: 'breakpoint', seed: 4 });
  const s = summarize(r);
  assert.equal(s.outcome, 'REPORT');
  assert.ok(s.verdicts.length > 1 && s.verdicts.filter((v) => v.id !== 'capacity' && v.id !== 'load').every((v) => v.pass === null));
  assert.equal(s.verdicts.find((v) => v.id === 'load')!.pass, true, 'the shape was reached');
  const capacity = s.verdicts.find((v) => v.id === 'capacity')!;
  assert.deepEqual([capacity.measured, capacity.limit, capacity.op, capacity.pass], [100, 60, '>=', true]);
  // Below the plan's peak: FAIL, with what it does support.
  const low = syntheticResults({ test: 'breakpoint', seed: 4 });
  (low.aggregate.hmp!.breakpoint as { maxSustainableUsers: number }).maxSustainableUsers = 40;
  const weak = summarize(low).verdicts.find((v) => v.id === 'capacity')!;
  assert.deepEqual([weak.measured, weak.pass], [40, false]);
  assert.match(weak.note!, /supports the plan's average usage \(15 users\), not its peak/);
  assert.equal(summarize(low).outcome, 'FAIL');
  const b = s.breakpoint!;
  assert.equal(b.found, true);
  assert.equal(b.maxSustainableUsers, 100);
  assert.equal(b.failingUsers, 120);
  assert.match(b.failureMode!, /5xx on submission_create/);
  assert.equal(b.levels.length, 11);
  assert.equal(b.levels.find((l) => l.users === 120)!.status, 'failed');
  assert.match(s.headline, /^REPORT: breakpoint: max sustainable 100 users; failed at 120 users/);
  assert.equal(s.run.earlyStop, true);
  assert.doesNotMatch(s.headline, /Stopped early/); // a found breakpoint is the normal end
});

test('spike recovery: time from the end of the hold to the last period out of limits', () => {
  const x = [5, 15, 25, 35, 45, 55, 65];
  const series = { x, target: [], active: [], reqPerS: [], respPerS: [], errorPct: [], timeoutPct: [], groups: { list: { p50: [], p95: [], p99: [100, 100, 900, 900, 900, 100, 100] } } };
  const health = { requests: [100, 100, 100, 100, 100, 100, 100], errors: [0, 0, 0, 0, 0, 0, 0] };
  const hold = { users: 60, start: 10, end: 30 };
  const s = spikeOf(hold, series, health, { list: 700 }, 3, 10, 1, 300)!;
  assert.equal(s.recovered, true);
  assert.equal(s.recoveryS, 20); // last bad period [40, 50) ends 20 s after the hold
  assert.equal(s.during.unhealthyPeriods, 1);
  assert.equal(s.during.worstP99, 900);
  assert.match(s.text, /Back within limits 20 s after the hold ended\./);

  const never = spikeOf(hold, series, { requests: health.requests, errors: [0, 0, 0, 0, 0, 0, 50] }, { list: 700 }, 3, 10, 1, 300)!;
  assert.equal(never.recovered, false);
  assert.equal(never.recoveryS, null);
  assert.match(never.text, /Not recovered/);

  const calm = spikeOf(hold, { ...series, groups: { list: { p50: [], p95: [], p99: x.map(() => 100) } } }, health, { list: 700 }, 3, 10, 1, 300)!;
  assert.equal(calm.recoveryS, 0);
  assert.match(calm.text, /No period out of limits/);

  // From whole results: the synthetic spike is calm.
  const whole = summarize(syntheticResults({ test: 'spike', seed: 6 }));
  assert.equal(whole.spike!.peakUsers, 60);
  assert.equal(whole.run.jitterSeed, 6);
});

test('soak: first vs last window of the hold (the drift\'s 30 min, criteria.drift), with the drift\'s flags', () => {
  const steady = summarize(syntheticResults({ test: 'soak', periods: 1100, system: true, memTotalMb: 512, seed: 8 }));
  assert.equal(steady.soak!.windowS, 1800);
  assert.equal(steady.soak!.first.periods, 180);
  assert.deepEqual(steady.soak!.flags, []);

  const leaky = summarize(syntheticResults({ test: 'soak', periods: 1100, system: true, memTotalMb: 512, driftPerHour: 0.2, leakMbPerHour: 20, seed: 8 }));
  const k = leaky.soak!;
  assert.ok(k.change.p95! > 15, `p95 change ${k.change.p95}`);
  assert.ok(k.change.memory! > 10, `memory change ${k.change.memory}`);
  assert.ok(k.flags.some((f) => f.startsWith('p95 of all requests rose')));
  assert.ok(k.flags.some((f) => f.startsWith('memory grew')));
  assert.equal(k.memoryUnit, '%');

  // A scaled soak (time scale 0.01): the 30 min window is 18 s.
  const scaled = summarize(syntheticResults({ test: 'soak', timeScale: 0.01, seed: 1 }));
  assert.equal(scaled.soak!.windowS, 18);
  // The flags are the verdicts' reasons: one definition of drift.
  assert.equal(leaky.verdicts.find((v) => v.id === 'degradation')!.pass, false);
  assert.equal(leaky.verdicts.find((v) => v.id === 'memory_growth')!.pass, false);
});

test('CPU and RAM: the highest 1-minute mean against 70% and 80%; RSS without a memory size is reported only', () => {
  assert.deepEqual(figureOf([10, 10, 90, 10, 10, 10, 10, 10], 6, '%'), { mean: 20, max: 90, sustained: 70 / 3 + 0, unit: '%' });
  const gated = summarize(syntheticResults({ test: 'average', system: true, memTotalMb: 200, seed: 3 }));
  const ram = gated.verdicts.find((v) => v.id === 'ram')!;
  assert.equal(ram.unit, '%');
  assert.equal(ram.pass, ram.measured! < 80);
  assert.ok(gated.verdicts.find((v) => v.id === 'cpu')!.pass !== null);
  const mb = summarize(syntheticResults({ test: 'average', system: true, seed: 3 }));
  const rss = mb.verdicts.find((v) => v.id === 'ram')!;
  assert.equal(rss.unit, 'MB');
  assert.equal(rss.pass, null);
  const spike = summarize(syntheticResults({ test: 'spike', system: true, memTotalMb: 512, seed: 3 }));
  assert.equal(spike.verdicts.find((v) => v.id === 'cpu')!.pass, null); // reported, not gated for spike
  const none = summarize(syntheticResults({ test: 'average', seed: 3 }));
  assert.deepEqual(none.verdicts.filter((v) => v.id === 'cpu' || v.id === 'ram').map((v) => [v.id, v.measured, v.pass]), [['cpu', null, null], ['ram', null, null]], 'gated for the average but not measured: shown as such, never a silent pass');
  assert.equal(summarize(syntheticResults({ test: 'spike', seed: 3 })).verdicts.some((v) => v.id === 'cpu'), false, 'not gated and not measured: not shown');
});

test('errors: grouped by endpoint and reason, with the first and last period and the server\'s message', () => {
  const at = Date.UTC(2026, 0, 1, 12, 0, 0);
  const period = (i: number, counters: Record<string, number>): Period => ({ period: at + i * 10_000, counters, summaries: {} });
  const r: Results = {
    aggregate: {
      counters: { 'http.requests': 30, 'plugins.hmp.errors.project_list': 4, 'plugins.hmp.errors.project_list.status_500': 3, 'plugins.hmp.errors.auth_login': 1 },
      hmp: { errorSamples: [{ endpoint: 'project_list', reason: 'status_500', status: 500, message: 'pool timeout' }] },
    },
    intermediate: [
      period(0, { 'http.requests': 10 }),
      period(1, { 'http.requests': 10, 'plugins.hmp.errors.project_list': 2, 'plugins.hmp.errors.project_list.status_500': 2 }),
      period(2, { 'http.requests': 10, 'plugins.hmp.errors.project_list': 2, 'plugins.hmp.errors.project_list.status_500': 1, 'plugins.hmp.errors.auth_login': 1 }),
    ],
  };
  const s = summarize(r);
  const e500 = s.errors.find((e) => e.reason === 'status_500')!;
  assert.deepEqual(
    { status: e500.status, count: e500.count, firstS: e500.firstS, lastS: e500.lastS, message: e500.message, meaning: e500.meaning },
    { status: 500, count: 3, firstS: 10, lastS: 30, message: 'pool timeout', meaning: 'HTTP 500 Internal Server Error' },
  );
  assert.equal(e500.firstAt, '2026-01-01T12:00:10.000Z');
  // Errors counted without a reason still show.
  assert.deepEqual(
    s.errors.filter((e) => e.reason === 'unspecified').map((e) => [e.endpoint, e.count]),
    [
      ['auth_login', 1],
      ['project_list', 1],
    ],
  );
});

test('an early stop with no period, and results without the suite\'s section, still summarize', () => {
  const empty = summarize({ aggregate: { counters: {}, rates: {}, summaries: {}, firstMetricAt: null as unknown as number, hmp: { test: 'average', earlyStop: true } }, intermediate: [] });
  assert.equal(empty.outcome, 'NO DATA');
  assert.match(empty.headline, /^NO DATA: .*Stopped early/);
  assert.equal(empty.run.periods, 0);

  const bare = summarize(plain({ 'http.requests': 10, 'http.responses': 10, 'http.codes.200': 10 }));
  assert.equal(bare.test, 'unknown');
  assert.equal(bare.outcome, 'REPORT');
  assert.equal(bare.totals.codes['200'], 10);
});

test('input that is not results is refused with one sentence', () => {
  for (const bad of [null, [], {}, { aggregate: {} }, { aggregate: 1, intermediate: [] }, { aggregate: { counters: 3 }, intermediate: [] }]) {
    assert.throws(() => asResults(bad), (err: Error) => err instanceof ReportInputError && /^the input is not an Artillery results file/.test(err.message) && !err.message.includes('\n'));
  }
});

test('damaged fields are read as missing, not trusted', () => {
  const r = plain({ 'http.requests': 10, 'plugins.hmp.errors.x': 'lots' as unknown as number }, { hmp: { test: 42 as unknown as string, criteria: { slo: { auth: 'fast' as unknown as number }, groups: { auth: 'all' as unknown as string[] } } } });
  const s = summarize(r);
  assert.equal(s.test, 'unknown');
  assert.equal(s.totals.errors, 0);
  assert.deepEqual(Object.keys(s.criteria.slo), []);
});

test('metric names like __proto__ and constructor are plain names: nothing inherited, nothing polluted', () => {
  const r = plain(
    {
      'http.requests': 6,
      'plugins.metrics-by-endpoint.__proto__.codes.200': 2,
      'plugins.metrics-by-endpoint.constructor.codes.500': 1,
      'plugins.hmp.errors.constructor': 1,
      'plugins.hmp.errors.constructor.status_500': 1,
      'plugins.hmp.errors.toString.constructor': 1,
      'http.codes.__proto__': 1,
    },
    { hmp: JSON.parse('{"test": "constructor", "criteria": {"slo": {"constructor": 5}, "groups": {"__proto__": ["constructor"]}}}') },
  );
  const s = summarize(r);
  assert.equal(({} as Record<string, unknown>)['200'], undefined);
  assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, '200'), false);
  const names = s.endpoints.map((e) => e.name).sort();
  assert.deepEqual(names, ['__proto__', 'constructor', 'toString']);
  assert.equal(s.endpoints.find((e) => e.name === '__proto__')!.requests, 2);
  assert.equal(s.endpoints.find((e) => e.name === 'constructor')!.errors, 1);
  assert.equal(s.errors.find((e) => e.endpoint === 'toString')!.meaning, '');
  assert.equal(s.test, 'constructor');
  assert.deepEqual(s.groups.map((g) => [g.group, g.sloMs]), [['__proto__', null]]);
  assert.equal(s.endpoints.find((e) => e.name === 'constructor')!.group, '__proto__');
  assert.equal(JSON.parse(JSON.stringify(s)).totals.codes.__proto__, 1);
});
