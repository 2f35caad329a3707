// The `digitalocean` source against a local fake of DigitalOcean's
// monitoring API (127.0.0.1 only; the real API is never called): the
// documented request (path, app_id, app_component, start/end in UNIX
// seconds, Bearer token) and answer shape (Prometheus-style matrix), with
// restarts that may be missing, and what DigitalOcean does not offer.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DigitalOceanSampler, DO_NOT_OFFERED, joinSeries, metricUrl, parseMatrix } from '../suite/system-metrics/digitalocean.ts';
import { createSampler, describeSampler, SystemMetricsError } from '../suite/system-metrics/index.ts';

const TOKEN = 'dop_v1_fake_token_0123456789';
const APP = '2db3c021-15ad-4088-bfe8-99dc972b9cf6';
let server: Server;
let base: string;
const seen: Array<{ path: string; query: Record<string, string>; auth: string | undefined }> = [];
let mode: 'ok' | 'unauthorized' | 'bad-shape' | 'no-restarts' | 'empty-restarts' = 'ok';

function matrix(metric: string, start: number, end: number) {
  // Two instances of the component, a point every 60 s (DigitalOcean's step).
  const series = [0, 1].map((instance) => ({
    metric: { app_component: 'api', app_component_instance: `api-${instance}`, app_uuid: APP },
    values: [] as Array<[number, string]>,
  }));
  const first = Math.ceil(start / 60) * 60;
  // restart_count: instance 1 restarted twice in the second minute, nothing else.
  const value = (instance: number, t: number) =>
    metric === 'cpu_percentage' ? ['10', '20'][instance]! : metric === 'memory_percentage' ? ['30.5', '40.5'][instance]! : instance === 1 && t === first + 60 ? '2' : '0';
  for (let t = first; t <= end; t += 60) {
    series[0]!.values.push([t, value(0, t)]);
    series[1]!.values.push([t, value(1, t)]);
  }
  return { status: 'success', data: { resultType: 'matrix', result: series } };
}

before(async () => {
  server = createServer((req: IncomingMessage, res) => {
    const url = new URL(req.url!, 'http://x');
    seen.push({ path: url.pathname, query: Object.fromEntries(url.searchParams), auth: req.headers.authorization });
    res.setHeader('content-type', 'application/json');
    if (mode === 'unauthorized' || req.headers.authorization !== `Bearer ${TOKEN}`) {
      res.statusCode = 401;
      res.end(JSON.stringify({ id: 'Unauthorized', message: 'Unable to authenticate you', request_id: 'abc' }));
      return;
    }
    const m = /^\/v2\/monitoring\/metrics\/apps\/(cpu_percentage|memory_percentage|restart_count)$/.exec(url.pathname);
    if (!m || (mode === 'no-restarts' && m[1] === 'restart_count')) {
      res.statusCode = 404;
      res.end(JSON.stringify({ id: 'not_found', message: 'The resource you were accessing could not be found.' }));
      return;
    }
    if (mode === 'bad-shape') {
      res.end(JSON.stringify({ status: 'error' }));
      return;
    }
    if (mode === 'empty-restarts' && m[1] === 'restart_count') {
      res.end(JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [] } }));
      return;
    }
    res.end(JSON.stringify(matrix(m[1]!, Number(url.searchParams.get('start')), Number(url.searchParams.get('end')))));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

test('parseMatrix: mean over the instances per timestamp (ms); joinSeries keeps points with CPU', () => {
  const cpu = parseMatrix(matrix('cpu_percentage', 1_800_000_000, 1_800_000_120), 'cpu_percentage');
  assert.deepEqual([...cpu], [
    [1_800_000_000_000, 15],
    [1_800_000_060_000, 15],
    [1_800_000_120_000, 15],
  ]);
  const mem = new Map([[1_800_000_060_000, 35.5]]);
  assert.deepEqual(joinSeries(cpu, mem)[1], { t: 1_800_000_060_000, cpuPct: 15, memPct: 35.5 });
  assert.throws(() => parseMatrix({ status: 'error' }, 'cpu_percentage'), SystemMetricsError);
  assert.equal(parseMatrix({ status: 'success', data: { resultType: 'matrix', result: [] } }, 'x').size, 0);
  const restarts = parseMatrix(matrix('restart_count', 1_800_000_000, 1_800_000_120), 'restart_count', 'sum');
  assert.deepEqual([...restarts.values()], [0, 2, 0], 'a count is summed over the instances, not averaged');
  assert.deepEqual(joinSeries(cpu, mem, restarts)[1], { t: 1_800_000_060_000, cpuPct: 15, memPct: 35.5, restarts: 2 });
});

test('metricUrl: the documented path and query, start/end in UNIX seconds', () => {
  const u = new URL(metricUrl('https://api.digitalocean.com', 'cpu_percentage', APP, 'api', 1_800_000_000_500, 1_800_000_300_200));
  assert.equal(u.pathname, '/v2/monitoring/metrics/apps/cpu_percentage');
  assert.deepEqual(Object.fromEntries(u.searchParams), { app_id: APP, app_component: 'api', start: '1800000000', end: '1800000301' });
  assert.equal(new URL(metricUrl('https://x', 'memory_percentage', APP, undefined, 0, 1000)).searchParams.has('app_component'), false);
});

test('digitalocean: fetches CPU and memory % for the test window from the fake, with the token as Bearer', async () => {
  seen.length = 0;
  mode = 'ok';
  let now = 1_800_000_000_000;
  const s = new DigitalOceanSampler({ appId: APP, component: 'api', baseUrl: base, env: { DIGITALOCEAN_TOKEN: TOKEN }, now: () => now });
  s.start();
  now += 5 * 60_000;
  const samples = await s.stop();
  assert.equal(samples.length, 6);
  assert.deepEqual(samples[0], { t: 1_800_000_000_000, cpuPct: 15, memPct: 35.5, restarts: 0 });
  assert.deepEqual(samples.map((x) => x.restarts), [0, 2, 0, 0, 0, 0]);
  assert.equal(s.note, undefined);
  assert.deepEqual(seen.map((r) => r.path).sort(), [
    '/v2/monitoring/metrics/apps/cpu_percentage',
    '/v2/monitoring/metrics/apps/memory_percentage',
    '/v2/monitoring/metrics/apps/restart_count',
  ]);
  for (const r of seen) {
    assert.equal(r.auth, `Bearer ${TOKEN}`);
    assert.deepEqual(r.query, { app_id: APP, app_component: 'api', start: '1800000000', end: '1800000300' });
  }
  assert.deepEqual(await s.stop(), [], 'stopped twice: nothing more');
});

test('digitalocean: restarts missing (404 or empty) leave CPU and memory, and the note says so in one line', async () => {
  for (const [m, why] of [['no-restarts', /\(answered 404\)/], ['empty-restarts', /\(an empty answer\)/]] as const) {
    mode = m;
    let now = 1_800_000_000_000;
    const s = new DigitalOceanSampler({ appId: APP, baseUrl: base, env: { DIGITALOCEAN_TOKEN: TOKEN }, now: () => now });
    s.start();
    now += 2 * 60_000;
    const samples = await s.stop();
    assert.deepEqual(samples, [0, 1, 2].map((i) => ({ t: 1_800_000_000_000 + i * 60_000, cpuPct: 15, memPct: 35.5 })), m);
    assert.match(s.note!, /^DigitalOcean gave no restart_count for this test .*: CPU and memory are recorded, restarts are not\.$/);
    assert.match(s.note!, why);
    assert.ok(!s.note!.includes('\n') && !s.note!.includes(TOKEN), s.note);
    assert.equal(describeSampler(s).note, s.note, 'recorded with the results');
  }
  mode = 'ok';
});

test('digitalocean: what DigitalOcean does not offer is said once and recorded with the results', () => {
  assert.match(DO_NOT_OFFERED, /CPU, memory and restarts only: no disk or network I\/O, and no per-process figures; .*MySQL.*not for PostgreSQL\.$/);
  const info = describeSampler(new DigitalOceanSampler({ appId: APP, component: 'api', env: { DIGITALOCEAN_TOKEN: TOKEN } }));
  assert.deepEqual(info, { source: 'digitalocean', cpuBasis: 'DigitalOcean cpu_percentage', appId: APP, component: 'api', notOffered: DO_NOT_OFFERED, note: undefined });
});

test('digitalocean: a refused token, a wrong shape and no answer are one sentence each, never showing the token', async () => {
  const messages: string[] = [];
  const attempt = async (opts: { baseUrl: string }) => {
    const s = createSampler({ source: 'digitalocean', appId: APP, baseUrl: opts.baseUrl, env: { DIGITALOCEAN_TOKEN: TOKEN } });
    s.start();
    await assert.rejects(s.stop(), (err: Error) => {
      assert.ok(err instanceof SystemMetricsError);
      messages.push(err.message);
      return true;
    });
  };
  mode = 'unauthorized';
  await attempt({ baseUrl: base });
  assert.match(messages[0]!, /refused the token \(401\).*set DIGITALOCEAN_TOKEN/);
  mode = 'bad-shape';
  await attempt({ baseUrl: base });
  assert.match(messages[1]!, /is not \{"status":"success"/);
  mode = 'ok';
  await attempt({ baseUrl: `${base}/nothing-here/` }); // wrong base: the fake answers 404
  assert.match(messages[2]!, /404/);
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((r) => closed.close(r));
  await attempt({ baseUrl: `http://127.0.0.1:${port}` });
  assert.match(messages[3]!, /could not fetch cpu_percentage from http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
  for (const m of messages) assert.ok(!m.includes(TOKEN) && !m.includes('fake_token'), m);
});

test('digitalocean: a token and an app id are required', () => {
  assert.throws(() => new DigitalOceanSampler({ appId: APP, env: {} }), /set DIGITALOCEAN_TOKEN/);
  assert.throws(() => new DigitalOceanSampler({ appId: ' ', env: { DIGITALOCEAN_TOKEN: TOKEN } }), /app id/);
  assert.equal(new DigitalOceanSampler({ appId: APP, env: { DIGITALOCEAN_TOKEN: TOKEN } }).baseUrl, 'https://api.digitalocean.com');
  assert.throws(() => new DigitalOceanSampler({ appId: APP, baseUrl: 'api.example', env: { DIGITALOCEAN_TOKEN: TOKEN } }), /must start with http/);
});

test('restarts: the rises of restart_count are the test\'s restarts, recorded per period and said in words', async () => {
  const { restartsDuring } = await import('../suite/system-metrics/digitalocean.ts');
  const { systemPeriods } = await import('../suite/system-metrics/periods.ts');
  const { stopSampler } = await import('../suite/run/step-report.ts');
  const t = 1_800_000_000_000;
  const samples = [0, 0, 1, 1, 3, 0, 1].map((restarts, i) => ({ t: t + i * 60_000, cpuPct: 10, memPct: 30, restarts }));
  // 0 -> 1 and 1 -> 3 are restarts; 3 -> 0 is an instance replaced; 0 -> 1 again a restart.
  assert.equal(restartsDuring(samples), 4);
  assert.equal(restartsDuring(samples.map(({ restarts: _, ...s }) => s)), undefined, 'no count: not measured');
  assert.equal(restartsDuring(samples.slice(0, 2)), 0);
  const periods = systemPeriods(samples, 60_000);
  assert.deepEqual(periods.map((p) => p.summaries['plugins.hmp.system.restarts']?.max), [0, 0, 1, 1, 3, 0, 1]);
  const sampler = { source: 'digitalocean', start() {}, stop: async () => samples } as unknown as Parameters<typeof stopSampler>[0]['sampler'];
  const stopped = await stopSampler({ sampler, problem: undefined } as Parameters<typeof stopSampler>[0]);
  assert.equal(stopped.restarts, "the server's instances restarted 4 times during the test (DigitalOcean restart_count)");
});
