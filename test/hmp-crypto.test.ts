// HMP's crypto formats, checked against independent constructions with node:crypto.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv, createPublicKey, pbkdf2Sync, randomBytes, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  aesGcmDecrypt,
  CredentialsError,
  decodeCredentialsFile,
  encodeCredentialsFile,
  md5Hex,
  newPrivateKey,
  PublicKeyCipher,
  publicKeyFromSeed,
  publicKeyOf,
  signChallenge,
} from '../lib/hmp-crypto.ts';
import * as ed from '@noble/ed25519';
import { startTwin } from '../twin/server.ts';
import { call, login } from './support/twin-session.ts';

test('a credentials file written the way the HMP client writes it decrypts', async () => {
  const seed = randomBytes(32);
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const key = pbkdf2Sync('correct horse', salt, 65_536, 32, 'sha256');
  const c = createCipheriv('aes-256-gcm', key, iv);
  const ct = Buffer.concat([c.update(`17,${seed.toString('hex')}`), c.final()]);
  const file = Buffer.concat([salt, iv, ct, c.getAuthTag()]);
  const creds = await decodeCredentialsFile(file, 'correct horse');
  assert.equal(creds.userId, 17);
  assert.deepEqual(Buffer.from(creds.privateKey), seed);
  await assert.rejects(decodeCredentialsFile(file, 'wrong'), CredentialsError);
  await assert.rejects(decodeCredentialsFile(file.subarray(0, 20), 'x'), /too short/);
});

test('encodeCredentialsFile output opens with an independent decoder', async () => {
  const seed = newPrivateKey();
  const file = await encodeCredentialsFile({ userId: 5, privateKey: seed }, 'pw');
  const key = pbkdf2Sync('pw', file.subarray(0, 16), 65_536, 32, 'sha256');
  const d = createDecipheriv('aes-256-gcm', key, file.subarray(16, 28));
  d.setAuthTag(file.subarray(file.length - 16));
  const plain = Buffer.concat([d.update(file.subarray(28, file.length - 16)), d.final()]).toString();
  assert.equal(plain, `5,${Buffer.from(seed).toString('hex')}`);
});

test('public-key scheme: PBKDF2(pub, salt = pub[0:16]) AES-GCM, iv|ct|tag', async () => {
  const pub = await publicKeyOf(newPrivateKey());
  const blob = await new PublicKeyCipher().encrypt(pub, Buffer.from('secret pdf'));
  const key = pbkdf2Sync(pub, pub.subarray(0, 16), 65_536, 32, 'sha256');
  assert.equal(aesGcmDecrypt(key, blob).toString(), 'secret pdf');
  assert.equal(blob.length, 12 + 10 + 16);
});

test('signChallenge: Ed25519 over the decoded challenge, verified by node:crypto', async () => {
  const seed = newPrivateKey();
  const pub = await publicKeyOf(seed);
  const challenge = randomBytes(256);
  const sig = Buffer.from(await signChallenge(challenge.toString('base64'), seed), 'base64');
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(pub).toString('base64url') }, format: 'jwk' });
  assert.ok(verify(null, challenge, key, sig));
  assert.equal(md5Hex(Buffer.from('abc')), '900150983cd24fb0d6963f7d28e17f72');
});

test('signChallenge and publicKeyFromSeed give the same bytes as @noble/ed25519 (the library that makes the keys)', async () => {
  for (let i = 0; i < 20; i++) {
    const seed = newPrivateKey();
    const challenge = randomBytes(1 + i * 13);
    const ours = await signChallenge(challenge.toString('base64'), seed);
    assert.equal(ours, Buffer.from(await ed.signAsync(challenge, seed)).toString('base64'));
    assert.deepEqual(publicKeyFromSeed(seed), Buffer.from(await publicKeyOf(seed)));
    // Twice: the second signature comes from the cached key.
    assert.equal(await signChallenge(challenge.toString('base64'), seed), ours);
  }
  await assert.rejects(signChallenge('AAAA', new Uint8Array(31)), /32 bytes, got 31/);
});

test("the twin's admin credentials file opens with its password and logs in", async () => {
  const twin = await startTwin();
  try {
    const creds = await decodeCredentialsFile(readFileSync(twin.adminCredentialsPath), twin.adminPassword);
    assert.equal(creds.userId, twin.adminUserId);
    const token = await login(twin.url, creds.userId, creds.privateKey);
    assert.equal((await call(twin.url, 'GET', '/audit/', { token })).status, 200);
    assert.equal((await import('node:fs')).statSync(twin.adminCredentialsPath).mode & 0o777, 0o600);
  } finally {
    await twin.close();
  }
});
