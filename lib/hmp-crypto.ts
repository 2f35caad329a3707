// HMP's crypto formats, as the official client writes them (HMP-API.md,
// "Crypto formats"). Shared by the twin, the set-up tools and the processors.
import { createCipheriv, createDecipheriv, createHash, createPrivateKey, createPublicKey, type KeyObject, pbkdf2, randomBytes, sign } from 'node:crypto';
import { promisify } from 'node:util';
import * as ed from '@noble/ed25519';

const pbkdf2Async = promisify(pbkdf2);

export const PBKDF2_ITERATIONS = 65_536;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const SALT_BYTES = 16;

/** AES-256-GCM: output = iv(12) | ciphertext | tag(16). */
export function aesGcmEncrypt(key: Uint8Array, plaintext: Uint8Array): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]);
}

const SLICE_BYTES = 256 * 1024;
const nextTurn = () => new Promise<void>((r) => setImmediate(r));

/**
 * aesGcmEncrypt of a large file in slices, yielding to the event loop
 * between them, with the MD5 of the output computed on the way. In one go a
 * 5 MB upload is ~8 ms of AES and ~7 ms of MD5: a stall of the load
 * generator's event loop that delays every response in flight.
 * Output: the parts of iv | ciphertext | tag, in order.
 */
export async function aesGcmEncryptSliced(key: Uint8Array, plaintext: Uint8Array, sliceBytes = SLICE_BYTES): Promise<{ parts: Buffer[]; md5: string }> {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const md5 = createHash('md5').update(iv);
  const parts: Buffer[] = [iv];
  for (let at = 0; at < plaintext.length; at += sliceBytes) {
    if (at > 0) await nextTurn();
    const part = cipher.update(plaintext.subarray(at, at + sliceBytes));
    md5.update(part);
    parts.push(part);
  }
  const last = cipher.final();
  const tag = cipher.getAuthTag();
  md5.update(last).update(tag);
  parts.push(last, tag);
  return { parts, md5: md5.digest('hex') };
}

/** Inverse of aesGcmEncrypt; throws when the tag does not verify. */
export function aesGcmDecrypt(key: Uint8Array, blob: Uint8Array): Buffer {
  if (blob.length < IV_BYTES + TAG_BYTES) throw new Error('ciphertext too short');
  const buf = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  const iv = buf.subarray(0, IV_BYTES);
  const tag = buf.subarray(buf.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(buf.subarray(IV_BYTES, buf.length - TAG_BYTES)), decipher.final()]);
}

/** The key of HMP's "encrypt with a public key" scheme (~15 ms of CPU, in libuv's thread pool: cache it). */
export function publicKeyAesKey(publicKey: Uint8Array): Promise<Buffer> {
  return pbkdf2Async(publicKey, publicKey.subarray(0, SALT_BYTES), PBKDF2_ITERATIONS, 32, 'sha256');
}

/** Derivations cached per public key: the same key is used for a whole run. */
export class PublicKeyCipher {
  #keys = new Map<string, Promise<Buffer>>();

  key(publicKey: Uint8Array): Promise<Buffer> {
    const id = Buffer.from(publicKey).toString('base64');
    if (!this.#keys.has(id)) this.#keys.set(id, publicKeyAesKey(publicKey));
    return this.#keys.get(id)!;
  }

  async encrypt(publicKey: Uint8Array, plaintext: Uint8Array): Promise<Buffer> {
    return aesGcmEncrypt(await this.key(publicKey), plaintext);
  }

  async decrypt(publicKey: Uint8Array, blob: Uint8Array): Promise<Buffer> {
    return aesGcmDecrypt(await this.key(publicKey), blob);
  }
}

export interface Credentials {
  userId: number;
  /** 32-byte Ed25519 seed. */
  privateKey: Uint8Array;
}

export class CredentialsError extends Error {}

/** Credentials file: salt(16) | iv(12) | ciphertext | tag(16); plaintext "<id>,<hex seed>". */
export async function encodeCredentialsFile(creds: Credentials, password: string): Promise<Buffer> {
  const salt = randomBytes(SALT_BYTES);
  const key = await pbkdf2Async(password, salt, PBKDF2_ITERATIONS, 32, 'sha256');
  const plaintext = `${creds.userId},${Buffer.from(creds.privateKey).toString('hex')}`;
  return Buffer.concat([salt, aesGcmEncrypt(key, Buffer.from(plaintext, 'utf8'))]);
}

export async function decodeCredentialsFile(file: Uint8Array, password: string): Promise<Credentials> {
  if (file.length < SALT_BYTES + IV_BYTES + TAG_BYTES) {
    throw new CredentialsError('the credentials file is too short to be an HMP credentials file');
  }
  const buf = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  const key = await pbkdf2Async(password, buf.subarray(0, SALT_BYTES), PBKDF2_ITERATIONS, 32, 'sha256');
  let plaintext: string;
  try {
    plaintext = aesGcmDecrypt(key, buf.subarray(SALT_BYTES)).toString('utf8');
  } catch {
    throw new CredentialsError('the password does not open the credentials file (wrong password or not an HMP credentials file)');
  }
  const match = /^(\d+),([0-9a-fA-F]{64})$/.exec(plaintext.trim());
  if (!match) throw new CredentialsError('the credentials file decrypted but does not hold "<user_id>,<64 hex chars>"');
  return { userId: Number(match[1]), privateKey: Buffer.from(match[2]!, 'hex') };
}

export function md5Hex(data: Uint8Array): string {
  return createHash('md5').update(data).digest('hex');
}

export function newPrivateKey(): Uint8Array {
  return ed.utils.randomSecretKey();
}

export function publicKeyOf(privateKey: Uint8Array): Promise<Uint8Array> {
  return ed.getPublicKeyAsync(privateKey);
}

// PKCS#8 wrapping of a raw 32-byte Ed25519 seed (RFC 8410), for node:crypto.
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const MAX_CACHED_KEYS = 10_000;
const signingKeys = new Map<string, KeyObject>();

function signingKey(seed: Uint8Array): KeyObject {
  const id = Buffer.from(seed).toString('hex');
  if (!signingKeys.has(id)) {
    if (signingKeys.size >= MAX_CACHED_KEYS) signingKeys.clear();
    signingKeys.set(id, createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' }));
  }
  return signingKeys.get(id)!;
}

/**
 * The public key of a seed, with node:crypto from the same cached key: the
 * processors' hot path (publicKeyOf's first call builds @noble's tables in
 * the worker's event loop, ~50 ms). Byte-identical to publicKeyOf (tested).
 */
export function publicKeyFromSeed(seed: Uint8Array): Buffer {
  const jwk = createPublicKey(signingKey(seed)).export({ format: 'jwk' });
  return Buffer.from(jwk.x!, 'base64url');
}

/**
 * Login signature: Ed25519 over the base64-DECODED challenge, base64 encoded.
 * Signed by node:crypto with the key parsed once per user: one login per
 * session makes this the suite's hottest crypto, and @noble/ed25519's
 * signAsync costs ~15x more CPU (0.5 vs 0.035 ms). Ed25519 is deterministic:
 * the bytes equal @noble's (test/hmp-crypto.test.ts checks it).
 */
export async function signChallenge(challengeB64: string, privateKey: Uint8Array): Promise<string> {
  if (privateKey.length !== 32) throw new Error(`an Ed25519 private key is 32 bytes, got ${privateKey.length}`);
  return sign(null, Buffer.from(challengeB64, 'base64'), signingKey(privateKey)).toString('base64');
}
