// Metrics out, end to end with the real thing: Debian's prometheus-pushgateway
// and prometheus started here on loopback (Prometheus scraping the
// Pushgateway every second, honor_labels), and an OTLP/HTTP receiver in this
// process; a real smoke (`artillery run phases/smoke.yml`) with
// HMP_PUSHGATEWAY and HMP_OTEL_ENDPOINT against a twin that answers 500 to
// some requests and resets some connections, so errors and their classes are
// not all 0. What Prometheus answers for the run, and the OTLP exports, equal
// the run's results and its summary.json; every query of the Grafana dashboard
// names published series and returns data. Without the binaries the
// Prometheus part is skipped, saying so (.ci/run installs them).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { delimiter, join } from 'node:path';
import { FILES } from '../report/build.ts';
import type { Summary } from '../report/types.ts';
import { startTwin } from '../twin/server.ts';
import { prometheusKey, prometheusSeries, PROMETHEUS_NAMES, RUN_PREFIX } from '../plugins/artillery-plugin-hmp/metrics-out.ts';
import { cleanUp, runDir, writeTestData } from './support/artillery-run.ts';
import { matcherProblems, queriesOf, readDashboard } from './support/dashboard.ts';
import { runPhaseFile } from './support/phase-run.ts';
import { tempDir } from './support/temp-dir.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function which(...names: string[]): string | undefined {
  for (const name of names) {
    for (const dir of (process.env.PATH ?? '').split(delimiter)) {
      try {
        accessSync(join(dir, name), constants.X_OK);
        return join(dir, name);
      } catch {}
    }
  }
  return undefined;
}

const PROMETHEUS = which('prometheus');
const PUSHGATEWAY = which('prometheus-pushgateway', 'pushgateway');
const NOT_INSTALLED =
  PROMETHEUS && PUSHGATEWAY
    ? undefined
    : `${[!PROMETHEUS && 'prometheus', !PUSHGATEWAY && 'prometheus-pushgateway'].filter(Boolean).join(' and ')} not installed: the Prometheus part is skipped (Debian: apt-get install prometheus prometheus-pushgateway; .ci/run installs them)`;

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((ok) => s.listen(0, '127.0.0.1', ok));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((ok) => s.close(() => ok()));
  return port;
}

/** Starts `bin` on a free loopback port (args(port)), waits for GET /-/ready; stopped after the test. */
async function serve(t: TestContext, name: string, bin: string, args: (port: number) => string[], dir: string): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const log = join(dir, `${name}-${attempt}.log`);
    const fd = openSync(log, 'w');
    const child: ChildProcess = spawn(bin, args(port), { stdio: ['ignore', fd, fd] });
    let exited = false;
    child.on('exit', () => (exited = true));
    t.after(async () => {
      if (exited) return;
      child.kill('SIGTERM');
      await new Promise((ok) => child.once('exit', ok));
    });
    const url = `http://127.0.0.1:${port}`;
    const until = Date.now() + 60_000;
    while (!exited && Date.now() < until) {
      try {
        if ((await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2000) })).ok) return url;
      } catch {}
      await sleep(250);
    }
    // The port was taken between the check and the start: try another, twice.
    if (!exited || attempt === 3) throw new Error(`${name} did not get ready on ${url}:\n${readFileSync(log, 'utf8').slice(-2000)}`);
  }
}

/** An OTLP/HTTP receiver (JSON, as publish-metrics' otlp-http exporter sends): every export it was sent. */
async function otlpReceiver(t: TestContext): Promise<{ url: string; exports: any[] }> {
  const exports: any[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v1/metrics' && /json/.test(req.headers['content-type'] ?? '')) exports.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      res.writeHead(req.url === '/v1/metrics' ? 200 : 404, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  t.after(() => new Promise<void>((ok) => server.close(() => ok())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/metrics`, exports };
}

/** Prometheus' answer to an instant query: [labels, value] per series. */
async function query(prometheus: string, q: string): Promise<Array<[Record<string, string>, number]>> {
  const res = await fetch(`${prometheus}/api/v1/query?${new URLSearchParams({ query: q })}`);
  const body = (await res.json()) as { status: string; error?: string; data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
  assert.equal(body.status, 'success', `${q}: ${body.error}`);
  return body.data.result.map((r) => [r.metric, Number(r.value[1])]);
}

type Stats = { counters?: Record<string, number>; rates?: Record<string, number>; summaries?: Record<string, Record<string, number>> };

/** What the run published, by metric name and `metric` label: counters as the final report's, rates and summaries as the last period's, the run's summaries under run_. */
function expectedSeries(results: { aggregate: Stats; intermediate: Stats[] }): Record<string, Map<string, number>> {
  const want = { [PROMETHEUS_NAMES.counters]: new Map<string, number>(), [PROMETHEUS_NAMES.rates]: new Map<string, number>(), [PROMETHEUS_NAMES.summaries]: new Map<string, number>() };
  for (const [k, v] of Object.entries(results.aggregate.counters ?? {})) want[PROMETHEUS_NAMES.counters].set(prometheusKey(k), v);
  for (const p of results.intermediate) {
    for (const [k, v] of Object.entries(p.rates ?? {})) want[PROMETHEUS_NAMES.rates].set(prometheusKey(k), v);
    for (const [k, s] of Object.entries(p.summaries ?? {})) for (const [f, v] of Object.entries(s)) want[PROMETHEUS_NAMES.summaries].set(`${prometheusKey(k)}_${f}`, v);
  }
  for (const [k, s] of Object.entries(results.aggregate.summaries ?? {})) for (const [f, v] of Object.entries(s)) want[PROMETHEUS_NAMES.summaries].set(`${prometheusKey(RUN_PREFIX + k)}_${f}`, v);
  return want;
}

/** The figures of summary.json and where the run published each (a counter absent: 0). */
function summaryFigures(s: Summary): Array<[string, string, number | null]> {
  const c = PROMETHEUS_NAMES.counters;
  const m = PROMETHEUS_NAMES.summaries;
  const rows: Array<[string, string, number | null]> = [
    [c, 'http_requests', s.totals.requests],
    [c, 'http_responses', s.totals.responses],
    [c, 'plugins_hmp_errors', s.totals.errors],
    [m, 'run_http_response_time_p50', s.totals.p50],
    [m, 'run_http_response_time_p95', s.totals.p95],
    [m, 'run_http_response_time_p99', s.totals.p99],
    [m, 'run_http_response_time_max', s.totals.max],
    [m, 'run_plugins_hmp_users_target_max', s.users.targetPeak],
    [m, 'run_plugins_hmp_users_active_max', s.users.activePeak],
    [m, 'run_plugins_hmp_users_deviation_max', s.users.maxDeviation],
    [c, 'plugins_hmp_users_lost', s.users.lost],
    [c, 'plugins_hmp_session_failed', s.users.sessionsFailed],
    [c, 'plugins_hmp_session_completed', s.users.sessionsCompleted],
  ];
  for (const [code, n] of Object.entries(s.totals.codes)) rows.push([c, `http_codes_${code}`, n]);
  for (const [code, n] of Object.entries(s.totals.requestErrors)) rows.push([c, prometheusKey(`errors.${code}`), n]);
  for (const k of s.failures.connections) rows.push([c, `plugins_hmp_connection_${k.class}`, k.count]);
  for (const e of s.endpoints) {
    rows.push([c, prometheusKey(`plugins.hmp.errors.${e.name}`), e.errors]);
    if (e.p99 !== null) rows.push([m, prometheusKey(`${RUN_PREFIX}plugins.metrics-by-endpoint.response_time.${e.name}`) + '_p99', e.p99]);
  }
  // The criteria as the plugin publishes them (ensure-conditions.ts), measured as summary.json's verdicts.
  for (const v of s.verdicts) {
    const name =
      v.id === 'errors' ? 'errors' : v.id === 'unanswered' ? 'unanswered_endpoints' : v.id === 'error_rate' ? 'error_rate_pct' : v.id.startsWith('p99.') ? v.id : v.id === 'load' ? 'load_shortfall' : undefined;
    if (!name) continue;
    rows.push([c, prometheusKey(`plugins.hmp.criteria.${name}`), v.id === 'load' ? (v.pass === false ? 1 : 0) : v.measured]);
  }
  return rows;
}

const close = (a: number, b: number) => (Number.isNaN(a) && Number.isNaN(b)) || Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));

test('a smoke with the switch on: its metrics in a real Prometheus (and an OTLP receiver) equal its results and summary.json; the dashboard queries them', { timeout: 420_000 }, async (t) => {
  const work = tempDir('hmp-metrics-out-');
  let prometheus: string | undefined;
  let pushgateway: string | undefined;
  if (!NOT_INSTALLED) {
    pushgateway = await serve(t, 'pushgateway', PUSHGATEWAY!, (port) => [`--web.listen-address=127.0.0.1:${port}`], work);
    const config = join(work, 'prometheus.yml');
    writeFileSync(
      config,
      `global: { scrape_interval: 1s, evaluation_interval: 1s }\nscrape_configs:\n  - job_name: pushgateway\n    honor_labels: true\n    static_configs: [{ targets: ['${new URL(pushgateway).host}'] }]\n`,
    );
    prometheus = await serve(t, 'prometheus', PROMETHEUS!, (port) => [`--config.file=${config}`, `--storage.tsdb.path=${join(work, 'tsdb')}`, `--web.listen-address=127.0.0.1:${port}`], work);
  }
  const otlp = await otlpReceiver(t);

  const twin = await startTwin({ seed: 7 });
  t.after(() => twin.close());
  const dir = runDir('metrics-out');
  t.after(() => cleanUp(dir));
  const data = await writeTestData(twin, dir, 0);
  // Seeded: from now on 5% of the requests answer 500 and 2% are reset unanswered.
  twin.config.errorRate = 0.05;
  twin.config.resetRate = 0.02;
  const run = `metrics-out-${randomBytes(4).toString('hex')}`;
  const reportsDir = join(dir, 'reports');
  const env: Record<string, string> = {
    ARTILLERY_TEST_RUN_ID: run,
    HMP_OTEL_ENDPOINT: otlp.url,
    ...(pushgateway ? { HMP_PUSHGATEWAY: pushgateway } : {}),
    HMP_ALLOW_SHORT: '1',
    HMP_LIVE: 'off',
    HMP_TIME_SCALE: '0.1',
    HMP_TARGET: twin.url,
    HMP_TEST_DATA: data.path,
    HMP_ADMIN_CREDENTIALS: twin.adminCredentialsPath,
    HMP_PASSWORD: twin.adminPassword,
    // The twin's 500s would fail the preflight's questions too.
    HMP_PREFLIGHT: 'off',
    HMP_REPORTS_DIR: reportsDir,
  };
  const r = await runPhaseFile('phases/smoke.yml', { env, label: 'metrics-out' });
  t.after(() => cleanUp(r.dir));
  const said = `exit ${r.code}\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-2000)}`;
  // Errors fail the smoke (exit 1); it ran to its end and judged.
  assert.equal(r.code, 1, said);
  if (pushgateway) assert.ok(r.stdout.includes(`hmp: metrics out: every period and the final report to the Pushgateway at ${pushgateway} (test="smoke", run="${run}")\n`), said);
  assert.ok(r.stdout.includes(`hmp: metrics out: every period and the final report as OpenTelemetry metrics to ${otlp.url} (test="smoke", run="${run}")\n`), said);
  assert.doesNotMatch(r.stdout + r.stderr, /does not answer|Error pushing metrics/, said);

  const folders = readdirSync(reportsDir).filter((f) => f.startsWith('smoke-'));
  assert.equal(folders.length, 1, folders.join(', '));
  const summary = JSON.parse(readFileSync(join(reportsDir, folders[0]!, FILES.summaryJson), 'utf8')) as Summary;
  const results = JSON.parse(readFileSync(join(reportsDir, folders[0]!, FILES.raw), 'utf8')) as { aggregate: Stats; intermediate: Stats[] };
  assert.equal(summary.outcome, 'FAIL');
  // The twin's faults reached the figures compared below.
  assert.ok(summary.totals.errors > 0 && (summary.totals.codes['500'] ?? 0) > 0, `errors ${summary.totals.errors}, codes ${JSON.stringify(summary.totals.codes)}`);
  assert.ok(summary.failures.connections.some((k) => k.count > 0), `connection classes ${JSON.stringify(summary.failures.connections)}`);
  const want = expectedSeries(results);

  await t.test('Prometheus: every series of the run equals its results, and the figures of summary.json', { skip: NOT_INSTALLED }, async () => {
    // Scraped every second: wait for the scrape after the last push (the run's summaries come with it).
    let series: Array<[Record<string, string>, number]> = [];
    const until = Date.now() + 60_000;
    while (Date.now() < until) {
      series = await query(prometheus!, `{__name__=~"artillery_.+", run="${run}"}`);
      if (series.some(([l]) => l.metric === 'run_http_response_time_p99')) break;
      await sleep(500);
    }
    const got: Record<string, Map<string, number>> = {};
    for (const [labels, value] of series) {
      assert.equal(labels.test, 'smoke');
      (got[labels.__name__!] ??= new Map()).set(labels.metric!, value);
    }
    for (const [name, metrics] of Object.entries(want)) {
      assert.deepEqual([...(got[name]?.keys() ?? [])].sort(), [...metrics.keys()].sort(), `${name}: every metric of the run, nothing else`);
      const differ = [...metrics].filter(([k, v]) => !close(got[name]!.get(k)!, v)).map(([k, v]) => `${k}: Prometheus ${got[name]!.get(k)}, results ${v}`);
      assert.deepEqual(differ, [], name);
    }
    const figures = summaryFigures(summary);
    const differ = figures.filter(([name, k, v]) => v !== null && !close(got[name]?.get(k) ?? (name === PROMETHEUS_NAMES.counters ? 0 : NaN), v)).map(([name, k, v]) => `${name}{metric="${k}"}: Prometheus ${got[name]?.get(k)}, summary.json ${v}`);
    assert.deepEqual(differ, [], 'summary.json');
    assert.ok(figures.length > 30, `${figures.length} figures compared`);
  });

  await t.test('OpenTelemetry: the OTLP exports add up to the results (counters as deltas) and carry the run\'s summaries', async () => {
    const sums = new Map<string, number>();
    const gauges = new Map<string, number>();
    const attributes = new Set<string>();
    for (const e of otlp.exports) {
      for (const rm of e.resourceMetrics ?? []) {
        assert.ok(rm.resource.attributes.some((a: any) => a.key === 'service.name' && a.value.stringValue === 'hmp-load'));
        for (const sm of rm.scopeMetrics ?? []) {
          for (const m of sm.metrics ?? []) {
            for (const p of m.sum?.dataPoints ?? m.gauge?.dataPoints ?? []) {
              for (const a of p.attributes) if (a.key === 'test' || a.key === 'run') attributes.add(`${a.key}=${a.value.stringValue}`);
              const v = p.asDouble ?? Number(p.asInt);
              if (m.sum) sums.set(m.name, (sums.get(m.name) ?? 0) + v);
              else gauges.set(m.name, v);
            }
          }
        }
      }
    }
    assert.deepEqual([...attributes].sort(), [`run=${run}`, 'test=smoke']);
    const counters = Object.entries(results.aggregate.counters ?? {});
    const differ = counters.filter(([k, v]) => v >= 0 && !close(sums.get(k) ?? NaN, v)).map(([k, v]) => `${k}: OTLP ${sums.get(k)}, results ${v}`);
    assert.deepEqual(differ, [], 'counters');
    assert.equal(gauges.get('run.http.response_time.p99'), summary.totals.p99);
    assert.equal(gauges.get('run.plugins.hmp.users.target.max'), summary.users.targetPeak);
    assert.equal(gauges.get('run.plugins.hmp.users.active.max'), summary.users.activePeak);
    assert.equal(sums.get('http.requests'), summary.totals.requests);
    assert.equal(sums.get('plugins.hmp.errors'), summary.totals.errors);
  });

  await t.test('the Grafana dashboard names only series the run published, and each of its queries returns data in Prometheus', async (st) => {
    const dashboard = readDashboard();
    assert.deepEqual(matcherProblems(dashboard, prometheusSeries(results as Parameters<typeof prometheusSeries>[0])), []);
    if (NOT_INSTALLED) return st.skip(NOT_INSTALLED);
    const published: Record<string, Set<string>> = {};
    for (const [labels] of await query(prometheus!, `{__name__=~"artillery_.+", run="${run}"}`)) (published[labels.__name__!] ??= new Set()).add(labels.metric!);
    assert.deepEqual(matcherProblems(dashboard, published), []);
    for (const { panel, target } of queriesOf(dashboard)) {
      const answer = await query(prometheus!, target.expr.replaceAll('$run', run));
      assert.ok(answer.length > 0 && answer.every(([, v]) => Number.isFinite(v)), `"${panel.title}" ${target.refId}: ${target.expr} returned ${JSON.stringify(answer)}`);
    }
  });
});
