// HMP's crypto formats, as the official client writes them (HMP-API.md,
// "Crypto formats"). Shared by the twin, the set-up tools and the processors.
import { createCipheriv, createDecipheriv, createHash, pbkdf2, pbkdf2Sync, randomBytes } from 'node:crypto';
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

/** The key of HMP's "encrypt with a public key" scheme (~15 ms of CPU: cache it). */
export function publicKeyAesKeySync(publicKey: Uint8Array): Buffer {
  return pbkdf2Sync(publicKey, publicKey.subarray(0, SALT_BYTES), PBKDF2_ITERATIONS, 32, 'sha256');
}

/** Same as publicKeyAesKeySync, off the event loop (libuv thread pool). */
export function publicKeyAesKey(publicKey: Uint8Array): Promise<Buffer> {
  return pbkdf2Async(publicKey, publicKey.subarray(0, SALT_BYTES), PBKDF2_ITERATIONS, 32, 'sha256');
}

/** Derivations cached per public key: the same key is used for a whole run. */
export class PublicKeyCipher {
  #keys = new Map<string, Promise<Buffer>>();

  key(publicKey: Uint8Array): Promise<Buffer> {
    const id = Buffer.from(publicKey).toString('base64');
    let key = this.#keys.get(id);
    if (!key) {
      key = publicKeyAesKey(publicKey);
      this.#keys.set(id, key);
    }
    return key;
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

/** Login signature: Ed25519 over the base64-DECODED challenge, base64 encoded. */
export async function signChallenge(challengeB64: string, privateKey: Uint8Array): Promise<string> {
  const signature = await ed.signAsync(Buffer.from(challengeB64, 'base64'), privateKey);
  return Buffer.from(signature).toString('base64');
}
