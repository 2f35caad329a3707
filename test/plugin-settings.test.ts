// The plugin's settings and SLO gates (pure parts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { derivedCounters, ensureConditions, measuredOf } from '../plugins/artillery-plugin-hmp/ensure-conditions.ts';
import { verdictsOf } from '../plugins/artillery-plugin-hmp/core/criteria.ts';
import { resolveSettings, SettingsError } from '../plugins/artillery-plugin-hmp/settings.ts';
import { arrivalPhases } from '../plugins/artillery-plugin-hmp/arrivals.ts';
import { buildShape } from '../plugins/artillery-plugin-hmp/shape.ts';

const PHASES = join(import.meta.dirname, '..', 'phases');

test('settings: common.yml, then the phase file, then --variables and env', () => {
  const s = resolveSettings({ test: 'spike' }, PHASES, {}, {}, () => 0.5);
  assert.equal(s.test, 'spike');
  assert.match(s.scenarios, /scenarios\/spike-mix\.yml$/);
  assert.deepEqual(s.slo, { auth: 400, list: 700, detail: 800, convert: 2000 });
  assert.equal(s.maxErrorRate, 3);
  assert.equal(s.timeScale, 1);
  assert.equal(s.seedSource, 'random');
  assert.equal(s.jitter, true);
  const o = resolveSettings({ test: 'average', slo: { auth: 300 } }, PHASES, { timeScale: 0.5, jitterSeed: 9 }, { HMP_JITTER: 'off' });
  assert.equal(o.slo.auth, 300);
  assert.equal(o.slo.list, 700);
  assert.equal(o.timeScale, 0.5);
  assert.equal(o.seed, 9);
  assert.equal(o.jitter, false);
  const e = resolveSettings({ test: 'average' }, PHASES, { timeScale: 0.5, jitterSeed: 9 }, { HMP_TIME_SCALE: '0.01', HMP_JITTER_SEED: '4' });
  assert.equal(e.timeScale, 0.01);
  assert.equal(e.seed, 4);
  assert.equal(e.seedSource, 'HMP_JITTER_SEED');
});

test('settings: bad input is one clear sentence', () => {
  assert.throws(() => resolveSettings({ test: 'load' }, PHASES, {}, {}), (e: Error) => e instanceof SettingsError && /must be one of smoke, average/.test(e.message));
  assert.throws(() => resolveSettings({ test: 'smoke' }, PHASES, {}, { HMP_TIME_SCALE: 'fast' }), /time scale\) must be a number above 0/);
  assert.throws(() => resolveSettings({ test: 'smoke', common: 'nope.yml' }, PHASES, {}, {}), /Cannot read the shared settings/);
});

test('ensure: the gated criteria of each test type (plan, section 6), smoke needs every endpoint answered', () => {
  const avg = resolveSettings({ test: 'average' }, PHASES, {}, {});
  // Every test: the run reached its shape's users (core/criteria.ts, the load verdict).
  const LOAD = '(plugins.hmp.criteria.load_shortfall or 0) == 0';
  assert.deepEqual(
    ensureConditions(avg).map((c) => c.expression),
    [
      LOAD, '(plugins.hmp.criteria.p99.auth or 0) <= 400', '(plugins.hmp.criteria.p99.list or 0) <= 700', '(plugins.hmp.criteria.p99.detail or 0) <= 800',
      '(plugins.hmp.criteria.p99.convert or 0) <= 2000', '(plugins.hmp.criteria.error_rate_pct or 0) < 1',
    ],
  );
  // The breakpoint is gated on the plan's peak (goals.peakUsers) only.
  assert.deepEqual(ensureConditions(resolveSettings({ test: 'breakpoint' }, PHASES, {}, {})).map((c) => c.expression), [LOAD, '(plugins.hmp.criteria.capacity_shortfall or 0) == 0']);
  // p99 gates the average only ("p99 latencies within SLOs"); elsewhere it is reported.
  for (const [t, rate] of [['stress', 2], ['spike', 3]] as const) {
    assert.deepEqual(ensureConditions(resolveSettings({ test: t }, PHASES, {}, {})).map((c) => c.expression), [LOAD, `(plugins.hmp.criteria.error_rate_pct or 0) < ${rate}`], t);
  }
  // The soak also gates its latency drift, which the plugin measures from its own periods.
  assert.deepEqual(ensureConditions(resolveSettings({ test: 'soak' }, PHASES, {}, {})).map((c) => c.expression), [LOAD, '(plugins.hmp.criteria.error_rate_pct or 0) < 1', '(plugins.hmp.criteria.degradation_pct or 0) <= 15']);
  const smoke = resolveSettings({ test: 'smoke' }, PHASES, {}, {});
  assert.deepEqual(ensureConditions(smoke).map((c) => c.expression), [LOAD, '(plugins.hmp.criteria.errors or 0) == 0', '(plugins.hmp.criteria.unanswered_endpoints or 0) == 0']);
  const m = measuredOf(smoke, {
    period: 0,
    counters: {
      'http.requests': 200,
      'plugins.hmp.errors.project_list': 2,
      'plugins.hmp.errors.project_list.status_500': 2,
      'plugins.metrics-by-endpoint.project_list.codes.200': 5,
      'plugins.hmp.ok.auth_login': 3,
    },
    summaries: { 'plugins.metrics-by-endpoint.response_time.project_list': { p99: 812, min: 0, max: 0, mean: 0, count: 1, p50: 0, median: 0, p75: 0, p90: 0, p95: 0, p999: 0 } },
  });
  assert.equal(m.errors, 2);
  assert.equal(m.errorRatePct, 1);
  assert.deepEqual(m.groupP99.list, { value: 812, endpoint: 'project_list' });
  assert.equal(m.groupP99.auth, undefined, 'no requests in the group: not measured');
  assert.ok(!m.unanswered.includes('project_list') && !m.unanswered.includes('auth_login'));
  assert.ok(m.unanswered.includes('audit_list'));
  const verdicts = verdictsOf('smoke', smoke.criteria, m);
  const counters = derivedCounters(verdicts);
  assert.equal(counters['plugins.hmp.criteria.errors'], 2);
  assert.equal(counters['plugins.hmp.criteria.p99.list'], 812);
  assert.equal(counters['plugins.hmp.criteria.p99.auth'], undefined, 'a criterion not measured has no metric (the condition reads it as 0)');
  assert.equal(verdicts.find((v) => v.id === 'p99.list')!.pass, null, 'p99 is reported, not gated, in the smoke');
});

test('settings: a common.yml without a gate list or with a non-numeric threshold is one sentence', () => {
  assert.throws(() => resolveSettings({ test: 'smoke', gates: { smoke: 'errors' } }, PHASES, {}, {}), (e: Error) => e instanceof SettingsError && /gates\.smoke must list the criteria/.test(e.message));
  assert.throws(() => resolveSettings({ test: 'smoke', gates: { smoke: ['speed'] } }, PHASES, {}, {}), /names "speed", which is not a criterion/);
  assert.throws(() => resolveSettings({ test: 'smoke', system: { cpuPct: 'high' } }, PHASES, {}, {}), /system\.cpuPct must be a number/);
});

test('arrivals: the whole pool arrives first, spares trickle, durations in ms', () => {
  const shape = buildShape([
    { name: 'up', duration: 120, users: 10 },
    { name: 'hold', duration: 540, users: 10 },
  ], 0.01);
  const phases = arrivalPhases(shape, { x: 1 });
  assert.equal(phases[0]!.arrivalCount, 12);
  assert.deepEqual(phases[0]!.hmp, { x: 1 });
  assert.equal(phases[0]!.duration, '600ms'); // half the first (scaled) phase, at most 2 s
  const totalMs = phases.reduce((a, p) => a + Number(p.duration.replace('ms', '')), 0);
  assert.equal(totalMs, 6600);
  assert.deepEqual(phases.slice(1).map((p) => p.name), ['up', 'hold']);
});
