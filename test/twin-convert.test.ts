// PDF -> audio on the twin: v1.0 (synchronous) and v1.1 (asynchronous, bounded).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decode as cborDecode } from 'cbor-x';
import { aesGcmDecrypt, aesGcmEncrypt, publicKeyOf, PublicKeyCipher } from '../lib/hmp-crypto.ts';
import { makePdf, makeTextlessPdf } from '../lib/pdf-fixture.ts';
import { startTwin, type TwinHandle } from '../twin/server.ts';
import { adminToken, call, login, seed } from './support/twin-session.ts';

const cipher = new PublicKeyCipher();

async function instructorOf(twin: TwinHandle) {
  const s = await seed(twin);
  const ins = s.up.instructors[0]!;
  const key = Buffer.from(ins.private_key, 'hex');
  return { token: await login(twin.url, ins.id, key), publicKey: await publicKeyOf(key) };
}

async function openAudio(publicKey: Uint8Array, bytes: Buffer): Promise<Buffer> {
  const out = cborDecode(bytes) as { encrypted_audio: Uint8Array; encrypted_audio_key: Uint8Array };
  const audioKey = await cipher.decrypt(publicKey, out.encrypted_audio_key);
  return aesGcmDecrypt(audioKey, out.encrypted_audio);
}

describe('v1.0: synchronous conversion', () => {
  let twin: TwinHandle;
  let me: { token: string; publicKey: Uint8Array };
  let serverKey: Uint8Array;
  before(async () => {
    twin = await startTwin({ apiVersion: '1.0', quirkPublicKey401: false, convertMsPerMb: 0 });
    me = await instructorOf(twin);
    const k = await call(twin.url, 'GET', '/credentials/public-key', { token: me.token });
    assert.equal(k.status, 200);
    serverKey = Buffer.from(k.json.public_key, 'base64');
    assert.deepEqual(serverKey, Buffer.from(twin.serverPublicKey));
  });
  after(() => twin.close());

  async function execute(pdf: Uint8Array, sealKey: Uint8Array = serverKey) {
    const uk = await call(twin.url, 'GET', '/pdf-to-audio/upload-key', { token: me.token });
    assert.equal(uk.status, 200);
    assert.deepEqual(Object.keys(uk.json), ['encrypted_aes_key']);
    const aesKey = await cipher.decrypt(me.publicKey, Buffer.from(uk.json.encrypted_aes_key, 'base64'));
    return call(twin.url, 'POST', '/pdf-to-audio/execute', {
      token: me.token,
      cbor: { encrypted_file: aesGcmEncrypt(aesKey, pdf), encrypted_aes_key: await cipher.encrypt(sealKey, aesKey), speed: 140 },
    });
  }

  test('a PDF with text comes back as encrypted audio that the caller decrypts to a WAV', async () => {
    const r = await execute(await makePdf({ seed: 1, targetBytes: 20_000 }));
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'application/cbor');
    const wav = await openAudio(me.publicKey, r.bytes);
    assert.equal(wav.subarray(0, 4).toString(), 'RIFF');
    assert.ok(wav.length > 1000);
  });

  test('no text 400; bad CBOR 400; AES key sealed with the wrong public key 500', async () => {
    assert.equal((await execute(await makeTextlessPdf())).status, 400);
    assert.equal((await call(twin.url, 'POST', '/pdf-to-audio/execute', { token: me.token, raw: { body: 'nope', type: 'application/cbor' } })).status, 400);
    assert.equal((await execute(await makePdf({ seed: 1, targetBytes: 5_000 }), me.publicKey)).status, 500);
  });
});

describe('v1.1: asynchronous conversion with a bounded converter', () => {
  let twin: TwinHandle;
  let me: { token: string; publicKey: Uint8Array };
  before(async () => {
    twin = await startTwin({ apiVersion: '1.1', converterSlots: 1, convertMsPerMb: 0 });
    me = await instructorOf(twin);
  });
  after(() => twin.close());

  async function reserve() {
    const uk = await call(twin.url, 'GET', '/pdf-to-audio/upload-key', { token: me.token });
    assert.equal(uk.status, 200);
    if (!uk.json.is_success) return null;
    return { uuid: uk.json.task_uuid as string, aesKey: await cipher.decrypt(me.publicKey, Buffer.from(uk.json.encrypted_aes_key, 'base64')) };
  }

  async function waitDone(uuid: string) {
    for (let i = 0; i < 200; i++) {
      const st = await call(twin.url, 'GET', `/pdf-to-audio/conversion-status/${uuid}`, { token: me.token });
      assert.equal(st.status, 200);
      if (st.json.is_done) return st.json;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('conversion did not finish');
  }

  test('upload key -> execute -> poll -> download -> decrypt', async () => {
    const task = (await reserve())!;
    const pdf = await makePdf({ seed: 2, targetBytes: 20_000 });
    const ex = await call(twin.url, 'POST', '/pdf-to-audio/execute', { token: me.token, cbor: { encrypted_file: aesGcmEncrypt(task.aesKey, pdf), speed: 200, task_uuid: task.uuid } });
    assert.deepEqual(ex.json, { is_success: true });
    assert.deepEqual(await waitDone(task.uuid), { is_done: true, has_error: false });
    const audio = await call(twin.url, 'GET', `/pdf-to-audio/converted-audio/${task.uuid}`, { token: me.token });
    assert.equal(audio.status, 200);
    assert.equal((await openAudio(me.publicKey, audio.bytes)).subarray(0, 4).toString(), 'RIFF');
  });

  test('a PDF without text ends with has_error and a message', async () => {
    const task = (await reserve())!;
    await call(twin.url, 'POST', '/pdf-to-audio/execute', { token: me.token, cbor: { encrypted_file: aesGcmEncrypt(task.aesKey, await makeTextlessPdf()), task_uuid: task.uuid } });
    const st = await waitDone(task.uuid);
    assert.equal(st.has_error, true);
    assert.match(st.error_message, /no text/);
    assert.equal((await call(twin.url, 'GET', `/pdf-to-audio/converted-audio/${task.uuid}`, { token: me.token })).status, 400);
  });

  test('busy: is_success false past the admission queue, and while every slot converts', async () => {
    const slow = await startTwin({ apiVersion: '1.1', converterSlots: 1, convertMsPerMb: 60_000 });
    try {
      const inst = await instructorOf(slow);
      const reserveOn = async () => {
        const uk = await call(slow.url, 'GET', '/pdf-to-audio/upload-key', { token: inst.token });
        if (!uk.json.is_success) return null;
        return { uuid: uk.json.task_uuid as string, aesKey: await cipher.decrypt(inst.publicKey, Buffer.from(uk.json.encrypted_aes_key, 'base64')) };
      };
      const a = (await reserveOn())!;
      const b = (await reserveOn())!;
      assert.equal(await reserveOn(), null, 'third reservation on 1 slot must be busy');
      const pdf = await makePdf({ seed: 3, targetBytes: 20_000 });
      const exec = (t: { uuid: string; aesKey: Buffer }) =>
        call(slow.url, 'POST', '/pdf-to-audio/execute', { token: inst.token, cbor: { encrypted_file: aesGcmEncrypt(t.aesKey, pdf), task_uuid: t.uuid } });
      assert.deepEqual((await exec(a)).json, { is_success: true });
      assert.deepEqual((await exec(b)).json, { is_success: false });
      const st = await call(slow.url, 'GET', `/pdf-to-audio/conversion-status/${a.uuid}`, { token: inst.token });
      assert.deepEqual(st.json, { is_done: false, has_error: false });
    } finally {
      await slow.close();
    }
  });

  test("another user's task is not found (404)", async () => {
    const task = (await reserve())!;
    const other = await adminToken(twin);
    assert.equal((await call(twin.url, 'GET', `/pdf-to-audio/conversion-status/${task.uuid}`, { token: other })).status, 404);
  });
});
