// The engine's requests through Node's http client (lean-http.ts): the same
// bytes on the wire as got sends for the engine's options, and the same
// events, timings and errors as the engine reads of got; against a real
// server on loopback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { AddressInfo, Socket } from 'node:net';
import {
  ACCEPT_ENCODING,
  LeanRequestError,
  leanCanSend,
  leanRequest,
  prepare,
  sentBy,
  useLeanClient,
  type Requester,
} from '../plugins/artillery-plugin-hmp/lean-http.ts';

interface Seen {
  method: string;
  url: string;
  headers: Record<string, unknown>;
  body: string;
}

/** A loopback server: `handle` answers; every request is recorded with its body. */
async function server(handle: (req: http.IncomingMessage, res: http.ServerResponse, seen: Seen) => void) {
  const seen: Seen[] = [];
  const sockets = new Set<Socket>();
  const s = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const one = { method: req.method!, url: req.url!, headers: { ...req.headers }, body: Buffer.concat(chunks).toString('latin1') };
      seen.push(one);
      handle(req, res, one);
    });
  });
  s.on('connection', (c) => {
    sockets.add(c);
    c.on('close', () => sockets.delete(c));
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  const close = () => {
    for (const c of sockets) c.destroy();
    return new Promise<void>((r) => s.close(() => r()));
  };
  return { base, seen, close };
}

/** got, the copy Artillery's engine imports. */
async function loadGot(): Promise<Requester> {
  const fromArtillery = createRequire(createRequire(import.meta.url).resolve('artillery/package.json'));
  return ((await import(pathToFileURL(fromArtillery.resolve('got')).href)) as { default: Requester }).default;
}

const agent = () => new http.Agent({ keepAlive: true, maxSockets: 1 });

/** Options as the engine builds them (engine_http.ts: gotOptions). */
function engineOptions(url: string, extra: Record<string, unknown> = {}): Record<string, any> {
  return {
    url,
    method: 'POST',
    headers: { 'user-agent': 'Artillery (https://artillery.io)', authorization: 'Bearer x' },
    timeout: { response: 2000 },
    retry: { limit: 0 },
    followRedirect: true,
    decompress: true,
    agent: { http: agent(), https: undefined },
    https: {}, // config.tls, always passed
    throwHttpErrors: false,
    ...extra,
  };
}

/** Runs one request as the engine does: the events it listens to, and how it ends. */
async function asEngine(request: Requester, o: Record<string, any>) {
  const events: { requests: number; statuses: number[]; firstByte: number[]; progress: number | undefined; bodies: string[] } = {
    requests: 0,
    statuses: [],
    firstByte: [],
    progress: undefined,
    bodies: [],
  };
  let error: (Error & { code?: string; request?: { reusedSocket?: boolean }; response?: unknown }) | undefined;
  await new Promise<void>((resolve) => {
    const p = request(o);
    p.on('request', (req: http.ClientRequest) => {
      events.requests++;
      req.on('response', (res: http.IncomingMessage & { timings: { phases: { firstByte: number } } }) => {
        events.statuses.push(res.statusCode!);
        events.firstByte.push(res.timings.phases.firstByte);
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => events.bodies.push(body));
      });
    });
    p.on('downloadProgress', (x: { total?: number }) => (events.progress = x.total));
    p.then(
      () => resolve(),
      (err) => {
        error = err;
        resolve();
      },
    );
  });
  return { events, error };
}

test('what is sent: got\'s headers and body for json, a CBOR buffer and a GET', () => {
  const json = prepare({ method: 'post', headers: { 'User-Agent': 'A' }, json: { user_id: 7 } });
  assert.deepEqual(json, {
    method: 'POST',
    headers: { 'user-agent': 'A', 'content-type': 'application/json', 'accept-encoding': ACCEPT_ENCODING, 'content-length': '13' },
    body: '{"user_id":7}',
  });
  const cbor = prepare({ method: 'POST', headers: { 'content-type': 'application/cbor' }, body: Buffer.from([1, 2, 3]), decompress: false });
  assert.deepEqual(cbor.headers, { 'content-type': 'application/cbor', 'user-agent': 'got (https://github.com/sindresorhus/got)', 'content-length': '3' });
  assert.deepEqual(prepare({ method: 'GET', headers: { 'user-agent': 'A' } }), { method: 'GET', headers: { 'user-agent': 'A', 'accept-encoding': ACCEPT_ENCODING } });
});

test('what only got sends goes to got: forms, cookies, query objects, basic auth, other schemes', () => {
  const base = engineOptions('http://127.0.0.1:1/x');
  assert.equal(leanCanSend(base), true);
  for (const extra of [{ form: { a: 1 } }, { cookieJar: {} }, { searchParams: 'a=1' }, { username: 'u' }, { http2: true }, { body: { pipe() {} } }]) {
    assert.equal(leanCanSend({ ...base, ...extra }), false, JSON.stringify(Object.keys(extra)));
  }
  assert.equal(leanCanSend({ ...base, url: 'ws://127.0.0.1:1/' }), false);
  assert.equal(leanCanSend({ ...base, url: 'https://127.0.0.1:1/', https: { rejectUnauthorized: false } }), true);
  assert.equal(leanCanSend({ ...base, url: 'https://127.0.0.1:1/', https: { certificate: 'x' } }), false);
  assert.equal(leanCanSend({ ...base, https: { certificate: 'x' } }), true, 'TLS options mean nothing to an http URL');
  assert.equal(leanCanSend({ ...base, form: undefined }), true);
});

test('the same request on the wire as got, and the same events for the engine', async () => {
  const srv = await server((_req, res) => res.end('{"ok":true}'));
  const got = await loadGot();
  try {
    for (const extra of [{ json: { user_id: 1, challenge: 'é' } }, { body: Buffer.from([0xa1, 0x61, 0x61, 0xff]), headers: { 'content-type': 'application/cbor' } }, { method: 'GET' }]) {
      const viaGot = await asEngine(got, engineOptions(`${srv.base}/auth/login?x=1`, extra));
      const viaLean = await asEngine(leanRequest, engineOptions(`${srv.base}/auth/login?x=1`, extra));
      const [a, b] = srv.seen.splice(0);
      const { connection: _c1, ...headersA } = a!.headers;
      const { connection: _c2, ...headersB } = b!.headers;
      assert.deepEqual({ ...b, headers: headersB }, { ...a, headers: headersA });
      assert.equal(viaGot.error, undefined);
      assert.equal(viaLean.error, undefined);
      assert.deepEqual({ ...viaLean.events, firstByte: [] }, { ...viaGot.events, firstByte: [] });
      assert.equal(viaLean.events.progress, 11);
      assert.ok(viaLean.events.firstByte[0]! >= 0 && viaLean.events.firstByte[0]! < 2000);
    }
  } finally {
    await srv.close();
  }
});

test('a redirect is followed as got follows it: 303 turns a POST into a GET, each request is the engine\'s', async () => {
  const srv = await server((req, res) => {
    if (req.url === '/submission') res.writeHead(303, { location: '/submission/' }).end();
    else res.end('[]');
  });
  try {
    const { events, error } = await asEngine(leanRequest, engineOptions(`${srv.base}/submission`, { json: { a: 1 } }));
    assert.equal(error, undefined);
    assert.equal(events.requests, 2);
    assert.deepEqual(events.statuses, [303, 200]);
    assert.deepEqual(srv.seen.map((s) => [s.method, s.url, s.body]), [['POST', '/submission', '{"a":1}'], ['GET', '/submission/', '']]);
    assert.equal(srv.seen[1]!.headers.authorization, 'Bearer x');
  } finally {
    await srv.close();
  }
});

test('no answer in time: got\'s TimeoutError (ETIMEDOUT), and whether the socket was a reused one', async () => {
  let n = 0;
  const srv = await server((_req, res) => {
    if (n++ === 0) res.end('first');
    // later requests are never answered
  });
  try {
    const o = engineOptions(`${srv.base}/project/`, { method: 'GET', timeout: { response: 150 } });
    const first = await asEngine(leanRequest, o);
    assert.equal(first.error, undefined);
    const second = await asEngine(leanRequest, o); // the same agent: the kept-alive socket
    assert.ok(second.error instanceof LeanRequestError);
    assert.equal(second.error!.name, 'TimeoutError');
    assert.equal(second.error!.code, 'ETIMEDOUT');
    assert.equal(second.error!.message, "Timeout awaiting 'response' for 150ms");
    assert.equal(second.error!.request?.reusedSocket, true);
    const got = await loadGot();
    const viaGot = await asEngine(got, engineOptions(`${srv.base}/project/`, { method: 'GET', timeout: { response: 150 } }));
    assert.equal(viaGot.error!.code, second.error!.code);
    assert.equal(viaGot.error!.name, second.error!.name);
  } finally {
    await srv.close();
  }
});

test('a refused connection and a reset keep their codes, as got reports them', async () => {
  const srv = await server((req) => req.socket.destroy());
  const port = new URL(srv.base).port;
  try {
    const reset = await asEngine(leanRequest, engineOptions(`${srv.base}/x`, { method: 'GET' }));
    assert.equal(reset.error!.code, 'ECONNRESET');
    assert.equal(reset.error!.request?.reusedSocket, false);
    const viaGot = await asEngine(await loadGot(), engineOptions(`${srv.base}/x`, { method: 'GET' }));
    assert.equal(viaGot.error!.code, reset.error!.code);
  } finally {
    await srv.close();
  }
  const refused = await asEngine(leanRequest, engineOptions(`http://127.0.0.1:${port}/x`, { method: 'GET' }));
  assert.equal(refused.error!.code, 'ECONNREFUSED');
  assert.equal(refused.events.requests, 1);
});

test('the engine gets the lean client in front of got, unless HMP_HTTP_CLIENT=got or extended timings are on', () => {
  const got = Object.assign(() => Promise.resolve(), { on: () => undefined }) as unknown as Requester;
  const engine: { request?: Requester; extendedHTTPMetrics?: boolean } = { request: got };
  useLeanClient(engine, {});
  assert.notEqual(engine.request, got);
  const wrapped = engine.request;
  useLeanClient(engine, {});
  assert.equal(engine.request, wrapped, 'once');
  const chosen = { request: got };
  useLeanClient(chosen, { HMP_HTTP_CLIENT: 'got' });
  assert.equal(chosen.request, got);
  const extended = { request: got, extendedHTTPMetrics: true };
  useLeanClient(extended, {});
  assert.equal(extended.request, got);
});

test("Artillery's own engine, its options as it builds them: every request of a scenario goes lean", async () => {
  const srv = await server((_req, res) => res.end('{"challenge":"abc"}'));
  try {
    const url = new URL('./dist/lib/core/engine_http.js', import.meta.resolve('artillery/package.json'));
    const HttpEngine = ((await import(url.href)) as { default: new (script: unknown) => any }).default;
    const engine = new HttpEngine({ config: { target: srv.base, processor: {} } });
    await engine.init();
    useLeanClient(engine, {});
    const ee = { emit: () => true, on: () => ee };
    const flow = [{ post: { url: '/auth/challenge', json: { user_id: 1 } } }, { get: { url: '/project/?x={{ n }}' } }];
    const before = { ...sentBy };
    const context = await new Promise<{ vars: Record<string, unknown> }>((resolve, reject) =>
      engine.createScenario({ flow }, ee)({ vars: { n: 7 } }, (err: Error | null, ctx: { vars: Record<string, unknown> }) => (err ? reject(err) : resolve(ctx))),
    );
    assert.ok(context.vars);
    assert.deepEqual({ lean: sentBy.lean - before.lean, got: sentBy.got - before.got }, { lean: 2, got: 0 });
    assert.deepEqual(srv.seen.map((s) => [s.method, s.url, s.body]), [['POST', '/auth/challenge', '{"user_id":1}'], ['GET', '/project/?x=7', '']]);
  } finally {
    await srv.close();
  }
});
