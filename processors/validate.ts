// Per-endpoint checks of a response (pure): status and body shape as
// HMP-API.md documents them. A verdict is the parsed value, or a failure with
// a short reason (a metric-name segment) and the detail a person needs.
import { decode as cborDecode } from 'cbor-x';
import { classifyUploadBody, errorDetail } from '../lib/hmp-client.ts';
import { md5Hex } from '../lib/hmp-crypto.ts';

export interface Reply {
  status: number;
  contentType: string;
  bytes: Buffer;
  /** The body as the engine's string, when it came that way: JSON is parsed from it, not from a copy in bytes. */
  text?: string;
  /** MD5 (hex) of `bytes`, when it was computed as they arrived. */
  md5?: string;
}

export type Verdict<T> = { ok: true; value: T } | { ok: false; reason: string; detail: string };

/**
 * What a response handler concludes: passed, failed (the session stops,
 * unless `keepGoing`), or a warning: a known server defect that is reported
 * but is not a failure (`message` is printed once per worker).
 */
export type Outcome =
  | { ok: true }
  | { ok: false; reason: string; detail: string; keepGoing?: boolean }
  | { ok: 'warning'; reason: string; message: string };

const pass = <T>(value: T): Verdict<T> => ({ ok: true, value });
const fail = (reason: string, detail: string): { ok: false; reason: string; detail: string } => ({ ok: false, reason, detail });

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isBytes = (v: unknown): v is Uint8Array => v instanceof Uint8Array;
const MD5_HEX = /^[0-9a-f]{32}$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function preview(v: unknown): string {
  const text = typeof v === 'string' ? v : JSON.stringify(v) ?? String(v);
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}

/** Base64 of exactly `length` bytes (any length when undefined). */
function base64Bytes(v: unknown, length?: number): Buffer | undefined {
  if (!isStr(v) || v.length === 0 || !BASE64.test(v)) return undefined;
  const bytes = Buffer.from(v, 'base64');
  return length === undefined || bytes.length === length ? bytes : undefined;
}

/** The status is the expected one, else `status_<code>` with the server's message. */
export function checkStatus(reply: Reply, expected = 200): Verdict<Reply> {
  if (reply.status === expected) return pass(reply);
  return fail(`status_${reply.status}`, errorDetail(textOf(reply)));
}

function textOf(reply: Reply): string {
  return reply.text ?? reply.bytes.toString('utf8');
}

/** A reply whose body came as the engine's string: its bytes are made only if asked for (JSON needs none). */
export function textReply(status: number, contentType: string, text: string): Reply {
  let bytes: Buffer | undefined;
  return {
    status,
    contentType,
    text,
    get bytes() {
      return (bytes ??= Buffer.from(text, 'utf8'));
    },
  };
}

/** The body of a reply with the expected status, decoded by `decode`; else bad_body with what `bad` says. */
function decoded(reply: Reply, decode: (reply: Reply) => unknown, bad: () => string): Verdict<unknown> {
  const s = checkStatus(reply);
  if (!s.ok) return s;
  try {
    return pass(decode(reply));
  } catch {
    return fail('bad_body', bad());
  }
}

const json = (reply: Reply) => decoded(reply, (r) => JSON.parse(textOf(r)), () => `not JSON: ${errorDetail(textOf(reply))}`);
const cbor = (reply: Reply) =>
  decoded(reply, (r) => cborDecode(r.bytes), () => `not CBOR (${reply.contentType || 'no content type'}, ${reply.bytes.length} bytes): ${errorDetail(reply.bytes.subarray(0, 200).toString('utf8'))}`);

/** JSON object whose fields pass `shape`, else bad_body naming what was expected. */
function object<T>(reply: Reply, expected: string, shape: (o: Obj) => T | undefined): Verdict<T> {
  const body = json(reply);
  if (!body.ok) return body;
  const value = isObj(body.value) ? shape(body.value) : undefined;
  return value === undefined ? fail('bad_body', `expected ${expected}, got ${preview(body.value)}`) : pass(value);
}

/** JSON list whose every item passes `item`. */
function list<T>(reply: Reply, expected: string, item: (o: Obj) => T | undefined): Verdict<T[]> {
  const body = json(reply);
  if (!body.ok) return body;
  if (!Array.isArray(body.value)) return fail('bad_body', `expected a list of ${expected}, got ${preview(body.value)}`);
  const out: T[] = [];
  const items = body.value as unknown[];
  for (let i = 0; i < items.length; i++) {
    const raw = items[i]; // an index loop: lists grow with the run, and entries() allocates a pair per item
    const v = isObj(raw) ? item(raw) : undefined;
    if (v === undefined) return fail('bad_body', `item ${i} is not ${expected}: ${preview(raw)}`);
    out.push(v);
  }
  return pass(out);
}

// --- auth ---

export function validateChallenge(reply: Reply): Verdict<string> {
  return object(reply, '{challenge: base64}', (o) => (base64Bytes(o.challenge) ? (o.challenge as string) : undefined));
}

export function validateLogin(reply: Reply): Verdict<string> {
  return object(reply, '{token: string}', (o) => (isStr(o.token) && o.token.length > 0 ? o.token : undefined));
}

// --- projects ---

export function validateProjectList(reply: Reply): Verdict<Array<{ id: number; title: string }>> {
  return list(reply, '{id: int, title: string}', (o) => (isInt(o.id) && isStr(o.title) ? { id: o.id, title: o.title } : undefined));
}

export function validateProjectDetail(reply: Reply, expectedId: number | undefined): Verdict<{ id: number; instructorId: number }> {
  const v = object(reply, '{id: int, title: string, instructor_id: int}', (o) =>
    isInt(o.id) && isStr(o.title) && isInt(o.instructor_id) ? { id: o.id, instructorId: o.instructor_id } : undefined);
  if (v.ok && expectedId !== undefined && v.value.id !== expectedId) {
    return fail('wrong_project', `asked for project ${expectedId}, got project ${v.value.id}`);
  }
  return v;
}

// --- submissions ---

/** The instructor key: 32 bytes. */
export function validatePublicKey(reply: Reply): Verdict<Buffer> {
  return object(reply, '{public_key: base64 of 32 bytes}', (o) => base64Bytes(o.public_key, 32));
}

/** Success is status 200 AND an object with an integer id; HMP answers 200 with an error list to bad CBOR. */
export function validateUpload(reply: Reply): Verdict<number> {
  const body = json(reply);
  if (!body.ok) return body;
  const verdict = classifyUploadBody(body.value);
  if ('id' in verdict) return pass(verdict.id);
  if (Array.isArray(body.value)) {
    return fail('upload_error_list', `200 with an error list${verdict.bodyStatus === undefined ? '' : ` saying ${verdict.bodyStatus}`}: ${verdict.detail}`);
  }
  return fail('bad_body', verdict.detail);
}

export interface SubmissionSummary {
  id: number;
  title: string;
  contentHash: string;
}

export function validateSubmissionList(reply: Reply): Verdict<SubmissionSummary[]> {
  return list(reply, '{id: int, title: string, content_hash: md5 hex}', (o) =>
    isInt(o.id) && isStr(o.title) && isStr(o.content_hash) && MD5_HEX.test(o.content_hash)
      ? { id: o.id, title: o.title, contentHash: o.content_hash }
      : undefined);
}

export function validateSubmissionHash(reply: Reply, expected: string | undefined): Verdict<string> {
  const v = object(reply, '{content_hash: md5 hex}', (o) => (isStr(o.content_hash) && MD5_HEX.test(o.content_hash) ? o.content_hash : undefined));
  if (v.ok && expected !== undefined && v.value !== expected) {
    return fail('hash_mismatch', `the list says ${expected}, /hash says ${v.value}`);
  }
  return v;
}

/** The raw bytes; their MD5 must be the submission's content hash. */
export function validateSubmissionContent(reply: Reply, expectedMd5: string | undefined): Verdict<Buffer> {
  const s = checkStatus(reply);
  if (!s.ok) return s;
  if (reply.bytes.length === 0) return fail('empty_body', 'the content is empty');
  if (expectedMd5 !== undefined) {
    const md5 = reply.md5 ?? md5Hex(reply.bytes);
    if (md5 !== expectedMd5) return fail('md5_mismatch', `MD5 of the ${reply.bytes.length} bytes is ${md5}, the hash is ${expectedMd5}`);
  }
  return pass(reply.bytes);
}

// --- pdf to audio ---

export type UploadKey =
  | { version: '1.0'; encryptedAesKey: Buffer }
  | { version: '1.1'; busy: true }
  | { version: '1.1'; busy: false; encryptedAesKey: Buffer; taskUuid: string };

/** v1.0 answers {encrypted_aes_key}; v1.1 answers {is_success, encrypted_aes_key?, task_uuid?}. */
export function validateUploadKey(reply: Reply): Verdict<UploadKey> {
  return object<UploadKey>(reply, '{encrypted_aes_key} (v1.0) or {is_success, encrypted_aes_key, task_uuid} (v1.1)', (o) => {
    const key = base64Bytes(o.encrypted_aes_key);
    if (!('is_success' in o)) return key ? { version: '1.0', encryptedAesKey: key } : undefined;
    if (o.is_success === false) return { version: '1.1', busy: true };
    if (o.is_success === true && key && isStr(o.task_uuid) && o.task_uuid.length > 0) {
      return { version: '1.1', busy: false, encryptedAesKey: key, taskUuid: o.task_uuid };
    }
    return undefined;
  });
}

export interface EncryptedAudio {
  encryptedAudio: Uint8Array;
  encryptedAudioKey: Uint8Array;
}

/** CBOR {encrypted_audio, encrypted_audio_key}: v1.0's execute and v1.1's converted-audio. */
export function validateAudio(reply: Reply): Verdict<EncryptedAudio> {
  const body = cbor(reply);
  if (!body.ok) return body;
  const o = body.value;
  if (isObj(o) && isBytes(o.encrypted_audio) && o.encrypted_audio.length > 0 && isBytes(o.encrypted_audio_key)) {
    return pass({ encryptedAudio: o.encrypted_audio, encryptedAudioKey: o.encrypted_audio_key });
  }
  return fail('bad_body', `expected CBOR {encrypted_audio: bytes, encrypted_audio_key: bytes}, got ${preview(isObj(o) ? Object.keys(o) : o)}`);
}

/** v1.1 execute: {is_success}; false = the converter is busy. */
export function validateExecuteAccepted(reply: Reply): Verdict<boolean> {
  return object(reply, '{is_success: bool}', (o) => (typeof o.is_success === 'boolean' ? o.is_success : undefined));
}

export function validateConversionStatus(reply: Reply): Verdict<{ done: boolean; error: string | undefined }> {
  return object(reply, '{is_done: bool, has_error: bool}', (o) => {
    if (typeof o.is_done !== 'boolean' || typeof o.has_error !== 'boolean') return undefined;
    return { done: o.is_done, error: o.has_error ? (isStr(o.error_message) ? o.error_message : '(no error_message)') : undefined };
  });
}

// --- audit ---

export function validateAuditList(reply: Reply): Verdict<number> {
  const v = list(reply, '{timestamp: string, action: string, is_success}', (o) =>
    isStr(o.timestamp) && isStr(o.action) && 'is_success' in o ? true : undefined);
  return v.ok ? pass(v.value.length) : v;
}
