// App Platform run logs as the server's log, against a local fake of
// DigitalOcean's API (127.0.0.1 only; the real API is never called): the
// documented request (GET /v2/apps/{app_id}/logs?type=RUN, Bearer token) and
// answer ({"live_url", "historic_urls"}), historic files on the same fake in
// DigitalOcean's line format, lines in and out of the test's window.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DigitalOceanLogSource, parseRunLogs, runLogsUrl, splitRunLine } from '../suite/server-log/digitalocean-logs.ts';

const TOKEN = 'dop_v1_fake_token_0123456789';
const APP = '2db3c021-15ad-4088-bfe8-99dc972b9cf6';
const T0 = Date.parse('2026-12-01T10:00:00Z');
/** A run log line of `component` at T0 + ms, as DigitalOcean writes it (nanoseconds, Z). */
const at = (ms: number, text: string, component = 'api') => `${component} ${new Date(T0 + ms).toISOString().replace('Z', '456789Z')} ${text}`;
const access = (ms: number, request: string, status: string) => at(ms, `INFO:     10.244.0.7:5000 - "${request} HTTP/1.1" ${status}`);
const traceback = (ms: number, last: string, frame = 'raise exc.TimeoutError(') =>
  [
    'ERROR:    Exception in ASGI application',
    'Traceback (most recent call last):',
    '  File "/app/.venv/lib/python3.12/site-packages/sqlalchemy/pool/impl.py", line 169, in _do_get',
    `    ${frame}`,
    last,
  ].map((l, i) => at(ms + i, l));
const POOL = 'sqlalchemy.exc.TimeoutError: QueuePool limit of size 5 overflow 10 reached, connection timed out, timeout 30.00 (Background on this error at: https://sqlalche.me/e/20/3o7r)';

// The test runs from T0 to T0 + 60 s; lines within 1 s of either end count.
const FILES: Record<string, string[]> = {
  '/archive/run-1.log': [
    access(-5_000, 'GET /health', '200 OK'), // before the window
    access(-500, 'GET /health', '200 OK'), // inside the slack
    access(1_000, 'POST /project/', '201 Created'),
    access(2_000, 'POST /project/', '201 Created'),
    access(3_000, 'GET /project/12', '200 OK'),
    ...traceback(10_000, POOL).flatMap((l, i) => (i === 2 ? [l, at(10_002, 'INFO:     job 7 done', 'worker')] : [l])), // another component's line inside a traceback
    access(10_100, 'POST /submission/', '500 Internal Server Error'),
    ...traceback(20_000, 'ValueError: bad body 4411', 'raise ValueError("bad body 4411")'),
    access(20_100, 'POST /submission/', '500 Internal Server Error'),
    'a line without the prefix',
    access(60_900, 'GET /project/13', '200 OK'), // inside the slack
    access(65_000, 'GET /project/14', '503 Service Unavailable'), // after the window
    ...traceback(66_000, POOL), // after the window
  ],
  '/archive/run-2.log': [access(30_000, 'GET /health', '200 OK'), access(31_000, 'POST /project/', '201 Created'), access(-60_000, 'GET /health', '200 OK')],
};

let server: Server;
let base: string;
let mode: 'ok' | 'unauthorized' | 'bad-json' | 'no-historic' = 'ok';
const seen: Array<{ path: string; query: Record<string, string>; auth: string | undefined }> = [];

before(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    seen.push({ path: url.pathname, query: Object.fromEntries(url.searchParams), auth: req.headers.authorization });
    const file = FILES[url.pathname];
    if (file) {
      // Pre-signed: the signature is in the query, a token is not expected.
      res.statusCode = url.searchParams.get('X-Amz-Signature') === 'fake-signature' ? 200 : 403;
      res.setHeader('content-type', 'text/plain');
      res.end(file.join('\n') + '\n');
      return;
    }
    res.setHeader('content-type', 'application/json');
    if (mode === 'unauthorized' || req.headers.authorization !== `Bearer ${TOKEN}`) {
      res.statusCode = 401;
      res.end(JSON.stringify({ id: 'Unauthorized', message: 'Unable to authenticate you', request_id: 'abc' }));
      return;
    }
    if (url.pathname !== `/v2/apps/${APP}/logs` || url.searchParams.get('type') !== 'RUN') {
      res.statusCode = 404;
      res.end(JSON.stringify({ id: 'not_found', message: 'The resource you were accessing could not be found.' }));
      return;
    }
    if (mode === 'bad-json') {
      res.end('<html>maintenance</html>');
      return;
    }
    const historic_urls = mode === 'no-historic' ? [] : Object.keys(FILES).map((p) => `${base}${p}?X-Amz-Expires=900&X-Amz-Signature=fake-signature`);
    res.end(JSON.stringify({ live_url: `wss://proxy.example/logs?token=live`, historic_urls }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

function source(o: { baseUrl?: string; component?: string; env?: Record<string, string> } = {}) {
  let now = T0;
  const s = new DigitalOceanLogSource({ appId: APP, baseUrl: o.baseUrl ?? base, component: o.component, env: o.env ?? { DIGITALOCEAN_TOKEN: TOKEN }, now: () => now });
  const run = async () => {
    s.start();
    now += 60_000;
    return s.stop();
  };
  return { s, run };
}

test('splitRunLine and runLogsUrl: the documented line format and request', () => {
  assert.deepEqual(splitRunLine('api 2026-12-01T10:00:00.123456789Z INFO:     127.0.0.1:5000 - "GET /health HTTP/1.1" 200 OK'), {
    component: 'api',
    at: Date.parse('2026-12-01T10:00:00.123Z'),
    text: 'INFO:     127.0.0.1:5000 - "GET /health HTTP/1.1" 200 OK',
  });
  assert.equal(splitRunLine('api 2026-12-01T10:00:00.1Z   File "x.py", line 3')!.text, '  File "x.py", line 3', 'a frame keeps its indent');
  assert.equal(splitRunLine('api 2026-12-01T10:00:00Z')!.text, '');
  assert.equal(splitRunLine('INFO:     127.0.0.1:5000 - "GET / HTTP/1.1" 200 OK'), undefined);
  const u = new URL(runLogsUrl('https://api.digitalocean.com/', APP, 'api'));
  assert.equal(u.pathname, `/v2/apps/${APP}/logs`);
  assert.deepEqual(Object.fromEntries(u.searchParams), { type: 'RUN', component_name: 'api' });
  assert.equal(new URL(runLogsUrl('https://x', APP, undefined)).searchParams.has('component_name'), false);
});

test('parseRunLogs: one parser per component, so a worker line does not cut the api traceback', () => {
  const { events, lines } = parseRunLogs([FILES['/archive/run-1.log']!.join('\n')], T0 - 1000, T0 + 61_000);
  assert.equal(lines, 7 + 10 + 1);
  const pool = events.find((e) => e.kind === 'pool')!;
  assert.equal(pool.type, 'sqlalchemy.exc.TimeoutError');
  assert.equal(pool.at, T0 + 10_000, "the line's own time");
  assert.ok(events.some((e) => e.kind === 'other' && e.line === 'INFO:     job 7 done'));
});

test('run logs: the summary counts what the fake served inside the window; the token goes to the API only', async () => {
  seen.length = 0;
  mode = 'ok';
  const { s, run } = source();
  const summary = await run();
  assert.equal(summary.problem, undefined);
  assert.equal(summary.source, `DigitalOcean app ${APP} run logs`);
  // Inside [T0 - 1 s, T0 + 61 s]: 9 access lines, two tracebacks of 5 lines, the worker's line.
  assert.equal(summary.lines, 9 + 10 + 1);
  assert.equal(summary.requests, 9);
  assert.deepEqual(summary.statuses, { '200': 4, '201': 3, '500': 2 });
  assert.deepEqual(summary.byPath['POST /project/'], { '201': 3 });
  assert.deepEqual(summary.byPath['GET /project/{id}'], { '200': 2 });
  assert.deepEqual(
    summary.errors.map((g) => [g.kind, g.type, g.count]),
    [
      ['pool', 'sqlalchemy.exc.TimeoutError', 1],
      ['exception', 'ValueError', 1],
    ],
  );
  assert.equal(summary.pool.count, 1);
  assert.equal(summary.pool.firstAt, T0 + 10_000);
  assert.match(summary.pool.sample!, /QueuePool limit of size 5 overflow 10 reached/);
  assert.equal(summary.otherLines, 1);
  assert.equal(s.problem, undefined);

  const api = seen.filter((r) => r.path.startsWith('/v2/'));
  const files = seen.filter((r) => r.path.startsWith('/archive/'));
  assert.deepEqual(api, [{ path: `/v2/apps/${APP}/logs`, query: { type: 'RUN' }, auth: `Bearer ${TOKEN}` }]);
  assert.deepEqual(files.map((r) => [r.path, r.auth]), [
    ['/archive/run-1.log', undefined],
    ['/archive/run-2.log', undefined],
  ]);
  const again = await s.stop();
  assert.equal(again.lines, 0, 'stopped twice: nothing more');
});

test('run logs: one component is asked for with component_name', async () => {
  seen.length = 0;
  mode = 'ok';
  const summary = await source({ component: 'api' }).run();
  assert.equal(summary.source, `DigitalOcean app ${APP} run logs (api)`);
  assert.deepEqual(seen[0]!.query, { type: 'RUN', component_name: 'api' });
});

test('run logs: every failure is one sentence in problem and an empty summary, never the token', async () => {
  const problems: string[] = [];
  const attempt = async (o: Parameters<typeof source>[0], m: typeof mode = 'ok') => {
    mode = m;
    const summary = await source(o).run();
    assert.equal(summary.lines, 0);
    assert.equal(summary.requests, 0);
    assert.ok(summary.problem && !summary.problem.includes('\n'), summary.problem);
    problems.push(summary.problem);
    return summary.problem;
  };
  assert.match(await attempt({}, 'unauthorized'), /^DigitalOcean refused the token \(401\) for the run logs; set DIGITALOCEAN_TOKEN to a token with read access to apps\.$/);
  assert.match(await attempt({}, 'bad-json'), /run logs answer is not \{"historic_urls":\[\.\.\.\]\}; check the base URL/);
  assert.match(await attempt({}, 'no-historic'), /no run logs .*historic_urls is empty/);
  assert.match(await attempt({ baseUrl: `${base}/elsewhere` }), /404 for the run logs/);
  assert.match(await attempt({ env: {} }), /need a token: set DIGITALOCEAN_TOKEN/);
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((r) => closed.close(r));
  assert.match(await attempt({ baseUrl: `http://127.0.0.1:${port}` }), /^could not fetch the run logs from http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\); the run goes on without the server's log\.$/);
  for (const p of problems) assert.ok(!p.includes(TOKEN) && !p.includes('fake_token') && !p.includes('fake-signature'), p);
  mode = 'ok';
});

test('run logs: a token, an app id and an http(s) base URL are known before any test', () => {
  assert.match(new DigitalOceanLogSource({ appId: APP, env: {} }).problem!, /set DIGITALOCEAN_TOKEN/);
  assert.match(new DigitalOceanLogSource({ appId: ' ', env: { DIGITALOCEAN_TOKEN: TOKEN } }).problem!, /app id/);
  assert.match(new DigitalOceanLogSource({ appId: APP, baseUrl: 'api.example', env: { DIGITALOCEAN_TOKEN: TOKEN } }).problem!, /must start with http/);
  const ok = new DigitalOceanLogSource({ appId: APP, env: { DIGITALOCEAN_TOKEN: TOKEN } });
  assert.equal(ok.problem, undefined);
  assert.equal(ok.baseUrl, 'https://api.digitalocean.com');
});

test('--server-log digitalocean reads the run logs of --do-app-id; a path follows a file; what cannot be read is said before any test', async () => {
  const { serverLogSource, serverLogProblem } = await import('../suite/server-log/source.ts');
  const { LogFollower } = await import('../suite/server-log/follow.ts');
  const saved = process.env.DIGITALOCEAN_TOKEN;
  delete process.env.DIGITALOCEAN_TOKEN;
  try {
    const source = serverLogSource({ serverLog: 'digitalocean', appId: APP, component: 'api' });
    assert.ok(source instanceof DigitalOceanLogSource);
    assert.equal((source as DigitalOceanLogSource).label, `DigitalOcean app ${APP} run logs (api)`);
    assert.match(serverLogProblem({ serverLog: 'digitalocean', appId: APP })!, /need a token: set DIGITALOCEAN_TOKEN/);
    // Without a token the test still gets its (empty) summary, with the reason.
    const summary = await source.start().stop();
    assert.equal(summary.lines, 0);
    assert.match(summary.problem!, /DIGITALOCEAN_TOKEN/);
    process.env.DIGITALOCEAN_TOKEN = TOKEN;
    assert.equal(serverLogProblem({ serverLog: 'digitalocean', appId: APP }), undefined);
  } finally {
    if (saved === undefined) delete process.env.DIGITALOCEAN_TOKEN;
    else process.env.DIGITALOCEAN_TOKEN = saved;
  }
  assert.ok(serverLogSource({ serverLog: '/nonexistent/server.log' }) instanceof LogFollower);
  assert.match(serverLogProblem({ serverLog: '/nonexistent/server.log' })!, /cannot be read/);
});
