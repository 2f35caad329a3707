// The conversion steps without a server: version detection, busy retries,
// the v1.0 round trip (keys, CBOR body, audio decrypted), status errors,
// the server-key fallback and /credentials/public-key's 401 as a warning.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { decode as cborDecode, encode as cborEncode } from 'cbor-x';
import { aesGcmDecrypt, aesGcmEncrypt, newPrivateKey, PublicKeyCipher, publicKeyOf } from '../lib/hmp-crypto.ts';
import {
  MAX_BUSY_ATTEMPTS,
  PUBLIC_KEY_401_WARNING,
  audioReady,
  beginConversion,
  encodeConversion,
  executing,
  needServerKey,
  onExecute,
  onStatus,
  onUploadKey,
  polling,
  prepareConversion,
} from '../processors/convert.ts';
import { settle } from '../processors/check.ts';
import { ENDPOINTS } from '../processors/endpoints.ts';
import { PROFILES } from '../processors/profiles.ts';
import type { RequestParams, VuContext } from '../processors/types.ts';
import type { Reply } from '../processors/validate.ts';

process.env.HMP_FIXTURES_DIR = '/nonexistent-hmp-fixtures'; // generated PDFs
process.env.HMP_UPLOAD_BYTES = '4000';

const cipher = new PublicKeyCipher();
const json = (body: unknown): Reply => ({ status: 200, contentType: 'application/json', bytes: Buffer.from(JSON.stringify(body)) });

class Recorder extends EventEmitter {
  counters = new Map<string, number>();
  constructor() {
    super();
    this.on('counter', (n: string, v: number) => this.counters.set(n, (this.counters.get(n) ?? 0) + v));
  }
}

async function instructor(profileName = 'instructor') {
  const privateKey = newPrivateKey();
  const publicKey = await publicKeyOf(privateKey);
  const context: VuContext = {
    vars: {
      sessionFailed: false, profileName, profile: PROFILES[profileName],
      me: { id: 7, privateKeyHex: Buffer.from(privateKey).toString('hex'), role: 'instructor', projectIds: [] },
    },
  };
  const ee = new Recorder();
  await beginConversion(context, ee);
  return { context, ee, publicKey };
}

test('v1.0: upload key -> no server key: fails as no_server_key, nothing sent', async () => {
  const { context, ee, publicKey } = await instructor();
  const aesKey = randomBytes(32);
  const sealed = await cipher.encrypt(publicKey, aesKey);
  assert.deepEqual(await onUploadKey(json({ encrypted_aes_key: sealed.toString('base64') }), context, ee), { ok: true });
  assert.equal(context.vars.conv.version, '1.0');
  assert.deepEqual(context.vars.conv.aesKey, aesKey, 'the AES key opened with the caller\'s key');
  assert.equal(needServerKey(context.vars), true, 'the mixes ask the API for the server key');
  prepareConversion(context, ee, () => {});
  assert.equal(ee.counters.get('plugins.hmp.errors.pdf_execute.no_server_key'), 1);
  assert.equal(executing(context.vars), false);
});

describe('GET /credentials/public-key', () => {
  const reply = (status: number, body: unknown): Reply => ({ status, contentType: 'application/json', bytes: Buffer.from(JSON.stringify(body)) });
  const check = async (r: Reply, profileName = 'instructor') => {
    const { context, ee } = await instructor(profileName);
    const outcome = await settle('credentials_public_key', ENDPOINTS.credentials_public_key!, r, context, ee);
    return { outcome, context, ee };
  };
  const named = (ee: Recorder, prefix: string) => Object.fromEntries([...ee.counters].filter(([k]) => k.startsWith(prefix)));

  test('401 (current HMP): a warning, not an error, printed once per worker; the session goes on', async (t) => {
    const printed: string[] = [];
    t.mock.method(console, 'warn', (line: string) => printed.push(line));
    for (const profileName of ['instructor', 'spike_instructor', 'smoke']) {
      const { outcome, context, ee } = await check(reply(401, { detail: 'Not authenticated' }), profileName);
      assert.equal(outcome.ok, 'warning');
      assert.deepEqual(named(ee, 'plugins.hmp.'), { 'plugins.hmp.warnings.credentials_public_key': 1, 'plugins.hmp.warnings.credentials_public_key.status_401': 1 }, profileName);
      assert.equal(context.vars.sessionFailed, false);
    }
    assert.deepEqual(printed, [`hmp: warning: ${PUBLIC_KEY_401_WARNING}`]);
    assert.equal(PUBLIC_KEY_401_WARNING, 'GET /credentials/public-key answered 401 (known HMP defect); conversions use HMP_SERVER_PUBLIC_KEY');
  });

  test('a 5xx or a wrong body is still an error; the smoke test goes on to check the conversion', async () => {
    for (const [r, reason] of [[reply(500, 'boom'), 'status_500'], [reply(200, { public_key: 'c2hvcnQ=' }), 'bad_body'], [reply(403, { detail: 'no' }), 'status_403']] as const) {
      const mix = await check(r);
      assert.equal(mix.outcome.ok, false);
      assert.deepEqual(named(mix.ee, 'plugins.hmp.'), { 'plugins.hmp.errors': 1, 'plugins.hmp.errors.credentials_public_key': 1, [`plugins.hmp.errors.credentials_public_key.${reason}`]: 1 });
      assert.equal(mix.context.vars.sessionFailed, true, 'the mix ends the session');
      const smoke = await check(r, 'smoke');
      assert.equal(named(smoke.ee, 'plugins.hmp.errors.')[`plugins.hmp.errors.credentials_public_key.${reason}`], 1);
      assert.equal(smoke.context.vars.sessionFailed, false, 'the smoke test reports it and goes on');
    }
  });
});

test('v1.0 round trip: the body carries the PDF under the AES key and the key sealed for the server; the audio decrypts', async () => {
  const { context, ee, publicKey } = await instructor();
  const serverPrivate = newPrivateKey();
  const serverKey = Buffer.from(await publicKeyOf(serverPrivate));
  const aesKey = randomBytes(32);
  await onUploadKey(json({ encrypted_aes_key: (await cipher.encrypt(publicKey, aesKey)).toString('base64') }), context, ee);
  context.vars.conv.serverKey = serverKey;
  const req: RequestParams = { name: 'pdf_execute', url: 'http://x/pdf-to-audio/execute', method: 'POST', timeout: 300, uuid: 'u', json: {} };
  await encodeConversion(req, context, ee);
  assert.equal(req.json, undefined);
  assert.equal(req.headers!['content-type'], 'application/cbor');
  const body = cborDecode(req.body as Buffer) as { encrypted_file: Buffer; encrypted_aes_key: Buffer; speed: number };
  assert.equal(body.speed, 140);
  assert.deepEqual(await cipher.decrypt(serverKey, body.encrypted_aes_key), aesKey, 'the server can open the key');
  assert.equal(aesGcmDecrypt(aesKey, body.encrypted_file).subarray(0, 5).toString(), '%PDF-');

  // The server's answer: audio under a fresh key, that key sealed for the caller.
  const audioKey = randomBytes(32);
  const answer = { encrypted_audio: aesGcmEncrypt(audioKey, Buffer.from('RIFF....WAVE')), encrypted_audio_key: await cipher.encrypt(publicKey, audioKey) };
  const reply: Reply = { status: 200, contentType: 'application/cbor', bytes: Buffer.from(cborEncode(answer)) };
  assert.deepEqual(await onExecute(reply, context, ee), { ok: true });
  assert.equal(ee.counters.get('plugins.hmp.conversion.done'), 1);
  assert.equal(context.vars.conv.stage, 'done');

  // Audio sealed for someone else does not pass.
  const other = await instructor();
  other.context.vars.conv = { ...context.vars.conv, stage: 'execute' };
  const bad = await onExecute(reply, other.context, other.ee);
  assert.equal(bad.ok === false && bad.reason, 'audio_decrypt_failed');
});

test('v1.1: busy answers are retried, up to a limit; then accepted -> polled -> downloaded', async () => {
  const { context, ee, publicKey } = await instructor();
  assert.deepEqual(await onUploadKey(json({ is_success: false }), context, ee), { ok: true });
  assert.equal(context.vars.conv.busy, true);
  assert.equal(ee.counters.get('plugins.hmp.conversion.busy'), 1);
  const sealed = await cipher.encrypt(publicKey, randomBytes(32));
  await onUploadKey(json({ is_success: true, encrypted_aes_key: sealed.toString('base64'), task_uuid: 't-1' }), context, ee);
  assert.equal(context.vars.conv.busy, false);
  assert.equal(executing(context.vars), true);
  assert.equal(needServerKey(context.vars), false, 'v1.1 needs no server key');

  for (let i = 1; i < MAX_BUSY_ATTEMPTS; i++) assert.deepEqual(await onExecute(json({ is_success: false }), context, ee), { ok: true });
  const gaveUp = await onExecute(json({ is_success: false }), context, ee);
  assert.equal(gaveUp.ok === false && gaveUp.reason, 'busy');

  const fresh = await instructor();
  await onUploadKey(json({ is_success: true, encrypted_aes_key: (await cipher.encrypt(fresh.publicKey, randomBytes(32))).toString('base64'), task_uuid: 't-2' }), fresh.context, fresh.ee);
  await onExecute(json({ is_success: true }), fresh.context, fresh.ee);
  assert.equal(polling(fresh.context.vars), true);
  assert.deepEqual(onStatus(json({ is_done: false, has_error: false }), fresh.context), { ok: true });
  assert.equal(polling(fresh.context.vars), true);
  assert.deepEqual(onStatus(json({ is_done: true, has_error: false }), fresh.context), { ok: true });
  assert.equal(audioReady(fresh.context.vars), true);

  const failed = await instructor();
  failed.context.vars.conv.stage = 'poll';
  const v = onStatus(json({ is_done: true, has_error: true, error_message: 'The PDF has no text to convert' }), failed.context);
  assert.deepEqual(v, { ok: false, reason: 'conversion_failed', detail: 'The PDF has no text to convert' });
});

test('the smoke test always asks /credentials/public-key (a critical endpoint)', async () => {
  const { context } = await instructor('smoke');
  assert.equal(needServerKey(context.vars), true);
  context.vars.sessionFailed = true;
  assert.equal(needServerKey(context.vars), false);
});
