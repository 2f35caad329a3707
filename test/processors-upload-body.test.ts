// The upload body framed by hand (processors/cbor-framing.ts) and the sliced
// encryption (lib/hmp-crypto.ts) give exactly the bytes of the one-go path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { decode as cborDecode, encode as cborEncode } from 'cbor-x';
import { aesGcmDecrypt, aesGcmEncryptSliced, md5Hex } from '../lib/hmp-crypto.ts';
import { cborHead, cborMapWithBytes } from '../processors/cbor-framing.ts';

test('cborMapWithBytes: the map cbor-x writes (its entries byte for byte; the map head minimal), at every length class', () => {
  for (const size of [0, 5, 23, 24, 255, 256, 65_535, 65_536, 300_000]) {
    const bytes = randomBytes(size);
    const parts = [bytes.subarray(0, size >> 1), bytes.subarray(size >> 1)];
    const head = { project_id: 12, title: '$TEST$ upload é' };
    const ours = cborMapWithBytes(head, 'encrypted_content', parts);
    const theirs = Buffer.from(cborEncode({ ...head, encrypted_content: bytes }));
    // cbor-x heads every object with a 16-bit map length (0xb9 0x00 0x03); ours is the minimal 0xa3.
    assert.deepEqual(theirs.subarray(0, 3), Buffer.from([0xb9, 0, 3]));
    assert.equal(ours[0], 0xa3);
    assert.deepEqual(ours.subarray(1), theirs.subarray(3), `size ${size}`);
    assert.deepEqual(Buffer.from(cborDecode(ours).encrypted_content), bytes);
  }
  assert.deepEqual(cborHead(2, 2 ** 32), Buffer.from([0x5b, 0, 0, 0, 1, 0, 0, 0, 0]));
});

test('aesGcmEncryptSliced: iv | ciphertext | tag that decrypts, and the MD5 of exactly those bytes', async () => {
  const key = randomBytes(32);
  for (const size of [0, 1, 1000, 256 * 1024, 256 * 1024 + 1, 3_000_000]) {
    const plain = randomBytes(size);
    const { parts, md5 } = await aesGcmEncryptSliced(key, plain, 256 * 1024);
    const blob = Buffer.concat(parts);
    assert.equal(blob.length, 12 + size + 16);
    assert.deepEqual(aesGcmDecrypt(key, blob), plain);
    assert.equal(md5, md5Hex(blob));
  }
});

test('aesGcmEncryptSliced lets timers run between slices', async () => {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 0);
  await aesGcmEncryptSliced(randomBytes(32), randomBytes(4_000_000), 64 * 1024);
  clearInterval(timer);
  assert.ok(ticks > 0, 'no timer ran while 4 MB were encrypted');
});
