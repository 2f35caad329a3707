// The plugin's settings and SLO gates (pure parts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { derive, derivedCounters, ensureConditions } from '../plugins/artillery-plugin-hmp/gates.ts';
import { resolveSettings, SettingsError } from '../plugins/artillery-plugin-hmp/settings.ts';
import { arrivalPhases } from '../plugins/artillery-plugin-hmp/arrivals.ts';
import { buildShape } from '../lib/shape.ts';

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

test('gates: p99 per group, error rate per test type, smoke needs every endpoint answered', () => {
  const avg = resolveSettings({ test: 'average' }, PHASES, {}, {});
  assert.deepEqual(
    ensureConditions(avg).map((c) => c.expression),
    ['hmp.gate.p99.auth <= 400', 'hmp.gate.p99.list <= 700', 'hmp.gate.p99.detail <= 800', 'hmp.gate.p99.convert <= 2000', 'hmp.gate.error_rate_pct < 1'],
  );
  assert.deepEqual(ensureConditions(resolveSettings({ test: 'breakpoint' }, PHASES, {}, {})), []);
  const smoke = resolveSettings({ test: 'smoke' }, PHASES, {}, {});
  assert.ok(ensureConditions(smoke).some((c) => c.expression === 'hmp.gate.errors == 0'));
  assert.ok(ensureConditions(smoke).some((c) => c.expression === 'hmp.gate.unanswered_endpoints == 0'));
  const d = derive(smoke, {
    period: 0,
    counters: {
      'http.requests': 200,
      'hmp.errors.project_list': 2,
      'hmp.errors.project_list.status_500': 2,
      'plugins.metrics-by-endpoint.project_list.codes.200': 5,
      'hmp.ok.auth_login': 3,
    },
    summaries: { 'plugins.metrics-by-endpoint.response_time.project_list': { p99: 812, min: 0, max: 0, mean: 0, count: 1, p50: 0, p95: 0 } },
  });
  assert.equal(d.errors, 2);
  assert.equal(d.errorRate, 1);
  assert.equal(d.p99.list, 812);
  assert.equal(d.p99.auth, 0);
  assert.ok(!d.unanswered.includes('project_list') && !d.unanswered.includes('auth_login'));
  assert.ok(d.unanswered.includes('audit_list'));
  assert.equal(derivedCounters(d)['hmp.gate.error_rate_pct'], 1);
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
