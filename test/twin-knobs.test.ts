// Each twin knob shown to have its effect: the twin is the suite's ground truth.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PublicKeyCipher } from '../lib/hmp-crypto.ts';
import { startTwin, type TwinHandle } from '../twin/server.ts';
import type { TwinConfig } from '../twin/config.ts';
import { call, login, seed } from './support/twin-session.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function withTwin(options: Partial<TwinConfig>, fn: (twin: TwinHandle, token: string) => Promise<void>) {
  const twin = await startTwin(options);
  try {
    const s = await seed(twin);
    const ins = s.up.instructors[0]!;
    await fn(twin, await login(twin.url, ins.id, ins.private_key));
  } finally {
    await twin.close();
  }
}

/** n concurrent GET /project/ -> [status, ms] each. */
async function burst(twin: TwinHandle, token: string, n: number, path = '/project/') {
  return Promise.all(
    Array.from({ length: n }, async () => {
      const t0 = performance.now();
      const r = await call(twin.url, 'GET', path, { token });
      return { status: r.status, ms: performance.now() - t0, text: r.text };
    }),
  );
}

const count = (rs: Array<{ status: number }>, status: number) => rs.filter((r) => r.status === status).length;

test('capacity 4, 20 concurrent, queue timeout: 4 served, 16 fail with 500 QueuePool; then it recovers', async () => {
  await withTwin({ capacity: 4, queueTimeoutMs: 300, latencyMs: { project_list: 800 } }, async (twin, token) => {
    const rs = await burst(twin, token, 20);
    assert.equal(count(rs, 200), 4);
    assert.equal(count(rs, 500), 16);
    assert.ok(rs.filter((r) => r.status === 500).every((r) => /QueuePool limit of size 4 overflow 0 reached/.test(r.text) && r.ms >= 290));
    assert.equal((await burst(twin, token, 1))[0]!.status, 200);
  });
});

test('capacity with --overload-status 504: the gateway signature', async () => {
  await withTwin({ capacity: 4, queueTimeoutMs: 300, overloadStatus: 504, latencyMs: { project_list: 800 } }, async (twin, token) => {
    const rs = await burst(twin, token, 20);
    assert.equal(count(rs, 200), 4);
    assert.equal(count(rs, 504), 16);
  });
});

test('overload: latency grows with load first, then the chosen status appears', async () => {
  await withTwin({ capacity: 4, queueTimeoutMs: 1000, latencyMs: { project_list: 100 } }, async (twin, token) => {
    const median = (rs: Array<{ ms: number }>) => rs.map((r) => r.ms).sort((a, b) => a - b)[Math.floor(rs.length / 2)]!;
    const light = await burst(twin, token, 4);
    const queued = await burst(twin, token, 24);
    const over = await burst(twin, token, 80);
    assert.equal(count(light, 200), 4);
    assert.equal(count(queued, 200), 24, 'queued but within the timeout: slow, not failing');
    assert.ok(median(queued) > 2 * median(light), `median ${median(queued)} vs ${median(light)}`);
    assert.ok(count(over, 500) > 0, 'past the queue timeout: 500');
    assert.equal((await burst(twin, token, 1))[0]!.status, 200, 'recovers when the load stops');
  });
});

test('stall mode: at pool size in flight nothing completes until the timeout, even /health; then it drains', async () => {
  // A 1.5 s pool timeout: on a loaded machine the burst's 8 requests still all arrive within it.
  await withTwin({ capacity: 4, overloadMode: 'stall', queueTimeoutMs: 1500, latencyMs: { project_list: 50 } }, async (twin, token) => {
    const t0 = performance.now();
    const settled: number[] = [];
    const all = burst(twin, token, 8).then((rs) => rs);
    const health = call(twin.url, 'GET', '/health').then((r) => {
      settled.push(performance.now() - t0);
      return r;
    });
    await sleep(450);
    assert.equal(settled.length, 0, '/health does not answer during the stall');
    assert.deepEqual(twin.stats(), { inFlight: 4, queued: 9, blocked: false, resets: 0 });
    const rs = await all;
    assert.ok(rs.every((r) => r.ms >= 1490), 'no request of the burst completed before the pool timeout');
    assert.ok(count(rs, 500) >= 5, 'most of them failed; the rest trickled out after the timeout');
    await health;
    assert.equal((await burst(twin, token, 1))[0]!.status, 200, 'load gone: it recovers');
  });
});

test('without a capacity limit the same burst is all 200', async () => {
  await withTwin({ latencyMs: { project_list: 50 } }, async (twin, token) => {
    assert.equal(count(await burst(twin, token, 20), 200), 20);
  });
});

test('added latency per action, visible in Server-Timing; other actions unaffected', async () => {
  await withTwin({ latencyMs: { project_list: 250 } }, async (twin, token) => {
    const slow = await call(twin.url, 'GET', '/project/', { token });
    const handler = Number(/handler;dur=([\d.]+)/.exec(slow.headers.get('server-timing')!)![1]);
    assert.ok(handler >= 245, `handler ${handler}`);
    const fast = await call(twin.url, 'GET', '/project/999999', { token });
    assert.ok(Number(/handler;dur=([\d.]+)/.exec(fast.headers.get('server-timing')!)![1]) < 100);
  });
});

test('error rate 0.5: about half the requests fail with 500', async () => {
  const twin = await startTwin({ errorRate: 0.5, seed: 11 });
  try {
    const rs = [];
    // An unknown user's challenge is 404 when no fault is injected: no set-up needed.
    for (let i = 0; i < 100; i++) rs.push(await call(twin.url, 'POST', '/auth/challenge', { json: { user_id: 999 } }));
    const failed = rs.filter((r) => r.status === 500);
    assert.ok(failed.length > 30 && failed.length < 70, `${failed.length} failed`);
    assert.ok(failed.every((r) => /Injected fault/.test(r.text)));
    assert.equal(rs.filter((r) => r.status === 404).length, 100 - failed.length);
  } finally {
    await twin.close();
  }
});

test('leak: memory retained per request', async () => {
  await withTwin({ leakKbPerRequest: 1024 }, async (twin, token) => {
    const before = process.memoryUsage().arrayBuffers;
    for (let i = 0; i < 60; i++) await call(twin.url, 'GET', '/project/999999', { token });
    const grown = process.memoryUsage().arrayBuffers - before;
    assert.ok(grown > 55 * 1024 * 1024, `grew ${grown} bytes`);
  });
});

test('degradation: latency grows with uptime', async () => {
  await withTwin({ degradeMsPerMin: 12_000 }, async (twin, token) => {
    const ms = async () => Number(/handler;dur=([\d.]+)/.exec((await call(twin.url, 'GET', '/project/999999', { token })).headers.get('server-timing')!)![1]);
    const early = await ms();
    await sleep(1000);
    const late = await ms();
    assert.ok(late - early >= 150, `early ${early} late ${late}`);
  });
});

test('drop uploads: acknowledged with an id, but not stored', async () => {
  for (const [drop, stored] of [[1, false], [0, true]] as const) {
    const twin = await startTwin({ dropUploads: drop });
    try {
      const s = await seed(twin);
      const st = s.up.students[0]!;
      const token = await login(twin.url, st.id, st.private_key);
      const pid = st.project_ids[0]!;
      const key = await call(twin.url, 'GET', `/submission/instructor_key?project_id=${pid}`, { token });
      const content = await new PublicKeyCipher().encrypt(Buffer.from(key.json.public_key, 'base64'), Buffer.from('%PDF-1.4'));
      const up = await call(twin.url, 'POST', '/submission/', { token, cbor: { project_id: pid, title: 't', encrypted_content: content } });
      assert.equal(up.status, 200);
      assert.ok(Number.isInteger(up.json.id));
      const ins = s.up.instructors[0]!;
      const it = await login(twin.url, ins.id, ins.private_key);
      assert.equal((await call(twin.url, 'GET', `/submission/${up.json.id}/hash`, { token: it })).status === 200, stored);
      assert.equal((await call(twin.url, 'GET', '/submission/', { token: it })).json.some((x: any) => x.id === up.json.id), stored);
    } finally {
      await twin.close();
    }
  }
});

test('JWT lifetime: a token expires after its lifetime (401)', async () => {
  // 2 s, not 1: exp is in whole seconds, so a 1 s token lives 0-1 s and could expire before the first call.
  await withTwin({ jwtLifetimeS: 2 }, async (twin, token) => {
    assert.equal((await call(twin.url, 'GET', '/project/', { token })).status, 200);
    await sleep(3100);
    const r = await call(twin.url, 'GET', '/project/', { token });
    assert.equal(r.status, 401);
    assert.equal(r.json.detail, 'Invalid or expired token');
  });
});

test('quirks switched off: strict CBOR 400, unassigned 403, server key served', async () => {
  await withTwin({ quirkCborUpload200: false, quirkUnassigned500: false, quirkPublicKey401: false }, async (twin, token) => {
    assert.equal((await call(twin.url, 'GET', '/credentials/public-key', { token })).status, 200);
    const s = twin; // the instructor of withTwin is not assigned to any project
    const bad = await call(s.url, 'POST', '/submission/', { token, raw: { body: 'junk', type: 'application/cbor' } });
    assert.equal(bad.status, 400);
    const key = await call(s.url, 'GET', '/submission/instructor_key?project_id=1', { token });
    const content = await new PublicKeyCipher().encrypt(Buffer.from(key.json.public_key, 'base64'), Buffer.from('%PDF'));
    assert.equal((await call(s.url, 'POST', '/submission/', { token, cbor: { project_id: 1, title: 't', encrypted_content: content } })).status, 403);
  });
});
