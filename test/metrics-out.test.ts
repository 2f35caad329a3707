// Metrics out, without a run: the switches (HMP_PUSHGATEWAY, HMP_OTEL_ENDPOINT,
// the suite's --pushgateway), the last push that makes the published run equal
// its final report, the names as publish-metrics' own Prometheus reporter
// derives them, and the Grafana dashboard: valid, importable Grafana JSON
// whose queries name only publish-metrics' metrics and the plan's groups.
// The real thing (a smoke into Prometheus): metrics-out-run.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { lastPush, metricsOutOf, prometheusKey, PROMETHEUS_NAMES, reporterConfigs } from '../plugins/artillery-plugin-hmp/metrics-out.ts';
import { SettingsError } from '../plugins/artillery-plugin-hmp/settings.ts';
import { planCriteria } from '../lib/plan-criteria.ts';
import { parseSuiteArgs } from '../suite/run/args.ts';
import { stepEnv } from '../suite/run/artillery.ts';
import { UsageError } from '../lib/cli-args.ts';
import { queriesOf, readDashboard, selectorsOf } from './support/dashboard.ts';

test('the switches: unset, empty or off publish nothing; a URL is the destination; anything else stops before any load', () => {
  assert.deepEqual(metricsOutOf({}), {});
  assert.deepEqual(metricsOutOf({ HMP_PUSHGATEWAY: '', HMP_OTEL_ENDPOINT: ' off ' }), {});
  assert.deepEqual(metricsOutOf({ HMP_PUSHGATEWAY: ' http://127.0.0.1:9091/ ', HMP_OTEL_ENDPOINT: 'https://otel.example.org/v1/metrics' }), {
    pushgateway: 'http://127.0.0.1:9091',
    otel: 'https://otel.example.org/v1/metrics',
  });
  assert.throws(() => metricsOutOf({ HMP_PUSHGATEWAY: '127.0.0.1:9091' }), (err: Error) => {
    assert.ok(err instanceof SettingsError);
    assert.equal(err.message, `HMP_PUSHGATEWAY must be the Prometheus Pushgateway's address, e.g. http://127.0.0.1:9091, got "127.0.0.1:9091"; unset it (or set it to off) to publish nothing. No load was sent.`);
    return true;
  });
  assert.throws(() => metricsOutOf({ HMP_OTEL_ENDPOINT: 'grpc://x:4317' }), { message: /^HMP_OTEL_ENDPOINT must be an OTLP\/HTTP metrics endpoint, e\.g\. http:\/\/127\.0\.0\.1:4318\/v1\/metrics, got "grpc:\/\/x:4317"/ });
});

test("publish-metrics' reporters: Prometheus with the run's labels as tags, OpenTelemetry (OTLP/HTTP) with them as attributes", () => {
  const c = reporterConfigs({ pushgateway: 'http://127.0.0.1:9091', otel: 'http://127.0.0.1:4318/v1/metrics' }, { test: 'smoke', run: 't1' });
  assert.deepEqual(c.pushgateway, { type: 'prometheus', pushgateway: 'http://127.0.0.1:9091', tags: ['test:smoke', 'run:t1'] });
  assert.deepEqual(c.otel, { type: 'open-telemetry', serviceName: 'hmp-load', metrics: { exporter: 'otlp-http', endpoint: 'http://127.0.0.1:4318/v1/metrics', attributes: { test: 'smoke', run: 't1' } } });
  assert.deepEqual(reporterConfigs({}, { test: 'smoke', run: 't1' }), {});
});

test('the last push: the counters the periods did not bring (the criteria, even at 0), none that would go down, the run\'s summaries under run.', () => {
  const sent = { 'http.requests': 10, 'plugins.hmp.errors': 2, 'plugins.hmp.criteria.degradation_pct': 0 };
  const p99 = { min: 1, max: 9, count: 10, p99: 9 };
  const last = lastPush(
    {
      counters: { 'http.requests': 12, 'plugins.hmp.errors': 2, 'plugins.hmp.criteria.errors': 0, 'plugins.hmp.criteria.p99.auth': 9, 'plugins.hmp.criteria.degradation_pct': -3 },
      summaries: { 'http.response_time': p99 },
      firstMetricAt: 1,
      lastMetricAt: 2,
    },
    sent,
  );
  assert.deepEqual(last.counters, { 'http.requests': 2, 'plugins.hmp.criteria.errors': 0, 'plugins.hmp.criteria.p99.auth': 9 });
  assert.deepEqual(last.summaries, { 'run.http.response_time': p99 });
  assert.deepEqual(last.rates, {});
  assert.deepEqual([last.firstMetricAt, last.lastMetricAt], [1, 2]);
});

test("the names are publish-metrics' own: its Prometheus reporter's toPrometheusKey", () => {
  const require = createRequire(import.meta.url);
  const dir = join(dirname(require.resolve('artillery/package.json')), 'dist/builtin-packages/artillery-plugin-publish-metrics');
  const { createPrometheusReporter } = require(join(dir, 'lib/prometheus.js')) as { createPrometheusReporter: (c: object, e: EventEmitter) => { toPrometheusKey(s: string): string } };
  // Constructing it sends nothing: it pushes on 'stats' only.
  const reporter = createPrometheusReporter({ pushgateway: 'http://127.0.0.1:1' }, new EventEmitter());
  for (const name of ['http.requests', 'plugins.metrics-by-endpoint.response_time.auth_login', 'plugins.hmp.criteria.p99.auth', 'errors.ECONNRESET', 'vusers.session_length', 'a b.C']) {
    assert.equal(prometheusKey(name), reporter.toPrometheusKey(name), name);
  }
  assert.equal(prometheusKey('plugins.metrics-by-endpoint.response_time.auth_login'), 'plugins_metrics-by-endpoint_response_time_auth_login');
});

test('the suite: --pushgateway URL goes to every step as HMP_PUSHGATEWAY; not a URL is a usage error', () => {
  const p = parseSuiteArgs(['--pushgateway', 'http://127.0.0.1:9091/']);
  assert.equal(p.kind, 'run');
  const pushgateway = p.kind === 'run' ? p.options.pushgateway : undefined;
  assert.equal(pushgateway, 'http://127.0.0.1:9091');
  const base = { dataFile: 'd', timeScale: 1, dir: '/tmp/x', adminCredentials: 'a', password: 'p' };
  assert.equal(stepEnv({ ...base, pushgateway }).HMP_PUSHGATEWAY, 'http://127.0.0.1:9091');
  assert.equal(stepEnv(base).HMP_PUSHGATEWAY, undefined);
  const none = parseSuiteArgs([]);
  assert.equal(none.kind === 'run' ? none.options.pushgateway : 'x', undefined);
  assert.throws(() => parseSuiteArgs(['--pushgateway', 'localhost']), (err: Error) => err instanceof UsageError && /^--pushgateway must be the Prometheus Pushgateway's address, e\.g\. http:\/\/127\.0\.0\.1:9091, got "localhost"\.$/.test(err.message));
});

test('the Grafana dashboard is importable Grafana JSON: its fields, panels on the 24-column grid, queries on the chosen Prometheus, every variable defined', () => {
  const d = readDashboard();
  assert.equal(d.id, null, 'id null: Grafana gives it one on import');
  assert.match(d.uid, /^[a-zA-Z0-9_-]{1,40}$/);
  assert.equal(typeof d.title, 'string');
  assert.ok(Number.isInteger(d.schemaVersion) && d.schemaVersion >= 36, `schemaVersion ${d.schemaVersion}`);
  assert.deepEqual(Object.keys(d.time as object), ['from', 'to']);
  const vars = new Map(d.templating.list.map((v) => [v.name, v]));
  assert.deepEqual([vars.get('datasource')?.type, vars.get('datasource')?.query], ['datasource', 'prometheus']);
  assert.equal(vars.get('run')?.type, 'query');

  const ids = d.panels.map((p) => p.id);
  assert.equal(new Set(ids).size, ids.length, 'panel ids are unique');
  const cells = new Set<string>();
  for (const p of d.panels) {
    assert.ok(['stat', 'timeseries', 'table', 'bargauge'].includes(p.type), `${p.title}: a core panel type, not ${p.type}`);
    assert.ok(p.title, `panel ${p.id} has a title`);
    const { x, y, w, h } = p.gridPos;
    assert.ok([x, y, w, h].every(Number.isInteger) && x >= 0 && y >= 0 && w > 0 && h > 0 && x + w <= 24, `${p.title}: gridPos within 24 columns`);
    for (let i = x; i < x + w; i++) for (let j = y; j < y + h; j++) {
      assert.ok(!cells.has(`${i},${j}`), `${p.title} overlaps another panel`);
      cells.add(`${i},${j}`);
    }
    assert.deepEqual(p.datasource, { type: 'prometheus', uid: '${datasource}' }, p.title);
    const refs = (p.targets ?? []).map((t) => t.refId);
    assert.ok(refs.length > 0 && new Set(refs).size === refs.length, `${p.title}: targets with unique refIds`);
  }
  for (const { panel, target } of queriesOf(d)) {
    assert.deepEqual(target.datasource, { type: 'prometheus', uid: '${datasource}' }, panel.title);
    for (const used of target.expr.matchAll(/\$(\w+)|\$\{(\w+)\}/g)) assert.ok(vars.has(used[1] ?? used[2]!), `${panel.title}: $${used[1] ?? used[2]} is a dashboard variable`);
    // Balanced parentheses and braces: the cheapest PromQL check without Prometheus (the run test asks Prometheus itself).
    for (const [open, close] of [['(', ')'], ['{', '}']] as const) assert.equal(target.expr.split(open).length, target.expr.split(close).length, `${panel.title}: ${target.expr}`);
  }
});

test("the dashboard's queries name only publish-metrics' metrics, one run at a time, and per group the plan's endpoints", () => {
  const d = readDashboard();
  const names = new Set<string>(Object.values(PROMETHEUS_NAMES));
  for (const { panel, target } of queriesOf(d)) {
    const selectors = selectorsOf(target.expr);
    assert.ok(selectors.length > 0, `${panel.title}: ${target.expr}`);
    for (const s of selectors) {
      assert.ok(names.has(s.name), `${panel.title}: ${s.name} is one of ${[...names].join(', ')}`);
      assert.deepEqual(s.labels.run, ['=', '$run'], `${panel.title}: one run`);
      assert.ok(s.labels.metric, `${panel.title}: a metric label`);
      // A publish-metrics key: lower case, no dots or spaces.
      if (s.labels.metric![0] === '=') assert.doesNotMatch(s.labels.metric![1], /[A-Z. ]/, `${panel.title}: ${s.labels.metric![1]}`);
    }
  }
  const groups = d.panels.find((p) => p.title.startsWith('p99 latency per endpoint group'))!;
  const byGroup = Object.fromEntries(
    groups.targets!.map((t) => {
      const re = selectorsOf(t.expr)[0]!.labels.metric![1];
      const m = /^plugins_metrics-by-endpoint_response_time_\(([^)]+)\)_p99$/.exec(re);
      assert.ok(m, re);
      return [t.legendFormat, m[1]!.split('|')];
    }),
  );
  assert.deepEqual(byGroup, planCriteria().groups, 'the groups of phases/common.yml');
});

test('a Pushgateway that does not answer: one sentence naming it and what to do, nothing sent, the run goes on', async () => {
  const { Publisher } = await import('../plugins/artillery-plugin-hmp/publish.ts');
  const events = new EventEmitter();
  const lines: string[] = [];
  const port = await new Promise<number>((ok) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => ok(port));
    });
  });
  const publisher = Publisher.start(events, 'smoke', { HMP_PUSHGATEWAY: `http://127.0.0.1:${port}` }, (l) => lines.push(l))!;
  events.emit('stats', { counters: { 'http.requests': 1 }, rates: {}, summaries: {} });
  await publisher.end({ counters: { 'http.requests': 1, 'plugins.hmp.criteria.errors': 0 } });
  assert.deepEqual(lines, [
    `metrics out: every period and the final report to the Pushgateway at http://127.0.0.1:${port} (test="smoke", run="unknown")`,
    `metrics out: the Pushgateway at http://127.0.0.1:${port} does not answer (ECONNREFUSED); this run publishes nothing there. Start it or fix HMP_PUSHGATEWAY.`,
  ]);
  assert.equal(Publisher.start(events, 'smoke', {}, (l) => lines.push(l)), undefined);
});
