// The twin fails as HMP does around a v1.0 conversion: the conversion blocks
// every other request, and keep-alive connections that went stale meanwhile
// are reset. Times have wide margins for a busy 2-core machine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, get as httpGet, type IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { aesGcmEncrypt, publicKeyOf, PublicKeyCipher } from '../lib/hmp-crypto.ts';
import { makePdf } from '../lib/pdf-fixture.ts';
import { startTwin, type TwinHandle } from '../twin/server.ts';
import { call, login, seed } from './support/twin-session.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const cipher = new PublicKeyCipher();

/** A ready v1.0 conversion of a small PDF, as an instructor: call it to send it. */
async function conversion(twin: TwinHandle) {
  const ins = (await seed(twin)).up.instructors[0]!;
  const key = Buffer.from(ins.private_key, 'hex');
  const token = await login(twin.url, ins.id, key);
  const uk = await call(twin.url, 'GET', '/pdf-to-audio/upload-key', { token });
  const aesKey = await cipher.decrypt(await publicKeyOf(key), Buffer.from(uk.json.encrypted_aes_key, 'base64'));
  const pdf = await makePdf({ seed: 4, targetBytes: 5_000 });
  const cbor = { encrypted_file: aesGcmEncrypt(aesKey, pdf), encrypted_aes_key: await cipher.encrypt(twin.serverPublicKey, aesKey), speed: 140 };
  return () => call(twin.url, 'POST', '/pdf-to-audio/execute', { token, cbor });
}

async function until(condition: () => boolean) {
  for (let i = 0; !condition(); i++) {
    if (i > 1000) throw new Error('the conversion never blocked the twin');
    await sleep(5);
  }
}

/** GET with node:http on `agent`; a failure carries whether the socket was reused. */
function get(url: string, agent: Agent): Promise<{ status: number; headers: IncomingHttpHeaders; reused: boolean }> {
  return new Promise((resolve, reject) => {
    const req = httpGet(url, { agent }, (res) => {
      res.resume();
      res.on('end', () => setImmediate(() => resolve({ status: res.statusCode!, headers: res.headers, reused: req.reusedSocket })));
    });
    req.on('error', (err) => reject(Object.assign(err, { reused: req.reusedSocket })));
  });
}

const BLOCK_MS = 1000;

test('v1.0, blocking (the default): /health is not answered until the conversion ends', async () => {
  const twin = await startTwin({ apiVersion: '1.0', convertMsPerMb: 0, latencyMs: { pdf_execute: BLOCK_MS } });
  try {
    const convert = await conversion(twin);
    const converting = convert();
    await until(() => twin.stats().blocked);
    const t0 = performance.now();
    const health = await call(twin.url, 'GET', '/health');
    const ms = performance.now() - t0;
    assert.equal(health.status, 200);
    assert.ok(ms >= 0.8 * BLOCK_MS, `/health answered after ${ms.toFixed(0)} ms, within a ${BLOCK_MS} ms conversion`);
    assert.equal((await converting).status, 200);
    assert.equal(twin.stats().blocked, false);
  } finally {
    await twin.close();
  }
});

test('v1.0, concurrent: /health is answered during the conversion', async () => {
  const twin = await startTwin({ apiVersion: '1.0', v10Conversions: 'concurrent', convertMsPerMb: 0, latencyMs: { pdf_execute: BLOCK_MS } });
  try {
    const convert = await conversion(twin);
    let converted = false;
    const converting = convert().then((r) => ((converted = true), r));
    await sleep(200);
    const t0 = performance.now();
    assert.equal((await call(twin.url, 'GET', '/health')).status, 200);
    const ms = performance.now() - t0;
    assert.ok(!converted && ms < 0.5 * BLOCK_MS, `/health took ${ms.toFixed(0)} ms beside a conversion`);
    assert.equal((await converting).status, 200);
  } finally {
    await twin.close();
  }
});

test('keep-alive: an idle connection is kept within the timeout and closed after it, with no Keep-Alive hint', async () => {
  const twin = await startTwin({ keepAliveTimeoutS: 1 });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    assert.equal((await get(`${twin.url}/health`, agent)).reused, false);
    await sleep(300);
    const again = await get(`${twin.url}/health`, agent);
    assert.equal(again.reused, true);
    assert.equal(again.headers['keep-alive'], undefined, 'uvicorn announces no keep-alive timeout');
    const t0 = performance.now();
    const socket = Object.values(agent.freeSockets).flat()[0] as Socket;
    await new Promise((r) => socket.once('close', r));
    const ms = performance.now() - t0;
    assert.ok(ms >= 800 && ms < 5000, `closed after ${ms.toFixed(0)} ms idle, with a 1 s timeout`);
  } finally {
    agent.destroy();
    await twin.close();
  }
});

test('keep-alive after a block: a reused connection past its timeout whose request came during the block is reset; a fresh one is answered', async () => {
  const twin = await startTwin({ apiVersion: '1.0', convertMsPerMb: 0, keepAliveTimeoutS: 1, latencyMs: { pdf_execute: 2500 } });
  const reused = new Agent({ keepAlive: true, maxSockets: 1 });
  const fresh = new Agent({ keepAlive: true });
  try {
    const convert = await conversion(twin);
    assert.equal((await get(`${twin.url}/health`, reused)).status, 200); // its connection is idle from here
    const converting = convert();
    await until(() => twin.stats().blocked);
    // Past the 1 s timeout, inside the 2.5 s block: as uvicorn's, the twin's timer cannot close it yet.
    await sleep(1500);
    const [onReused, onFresh] = await Promise.allSettled([get(`${twin.url}/health`, reused), get(`${twin.url}/health`, fresh)]);
    assert.equal(onReused.status, 'rejected');
    assert.equal((onReused as PromiseRejectedResult).reason.code, 'ECONNRESET');
    assert.equal((onReused as PromiseRejectedResult).reason.reused, true);
    assert.equal(onFresh.status, 'fulfilled');
    assert.equal((onFresh as PromiseFulfilledResult<{ status: number }>).value.status, 200);
    assert.equal(twin.stats().resets, 1);
    assert.equal((await converting).status, 200);
  } finally {
    reused.destroy();
    fresh.destroy();
    await twin.close();
  }
});
