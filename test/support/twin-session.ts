// Raw HTTP helpers for tests that talk to the twin: explicit status and body,
// no client-side interpretation (the contract tests assert exact answers).
import { readFileSync } from 'node:fs';
import { encode as cborEncode } from 'cbor-x';
import { decodeCredentialsFile, signChallenge } from '../../lib/hmp-crypto.ts';
import type { TwinHandle } from '../../twin/server.ts';

export interface Res {
  status: number;
  headers: Headers;
  text: string;
  bytes: Buffer;
  json: any;
}

export interface Call {
  token?: string;
  json?: unknown;
  cbor?: unknown;
  raw?: { body: Uint8Array | string; type: string };
  headers?: Record<string, string>;
}

/**
 * fetch, sent again once when the connection is reset before any answer: the
 * twin closes an idle keep-alive connection after 5 s as uvicorn does, and
 * undici's coarse keep-alive timer (4 s, ~1 s resolution) can reuse one just
 * as it closes on a loaded machine. The twin closes only connections with no
 * request in progress, so the request was never handled.
 */
async function fetchOnce(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (err) {
    if ((err as { cause?: { code?: string } }).cause?.code !== 'ECONNRESET') throw err;
    return fetch(url, init);
  }
}

export async function call(base: string, method: string, path: string, opts: Call = {}): Promise<Res> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: RequestInit['body'];
  if (opts.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.json);
  } else if (opts.cbor !== undefined) {
    headers['content-type'] = 'application/cbor';
    body = Buffer.from(cborEncode(opts.cbor));
  } else if (opts.raw) {
    headers['content-type'] = opts.raw.type;
    body = typeof opts.raw.body === 'string' ? opts.raw.body : Buffer.from(opts.raw.body);
  }
  const r = await fetchOnce(base + path, { method, headers, body });
  const bytes = Buffer.from(await r.arrayBuffer());
  const text = bytes.toString('utf8');
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: r.status, headers: r.headers, text, bytes, json };
}

export async function login(base: string, userId: number, privateKey: Uint8Array | string): Promise<string> {
  const key = typeof privateKey === 'string' ? Buffer.from(privateKey, 'hex') : privateKey;
  const c = await call(base, 'POST', '/auth/challenge', { json: { user_id: userId } });
  if (c.status !== 200) throw new Error(`challenge ${c.status}: ${c.text}`);
  const signature = await signChallenge(c.json.challenge, key);
  const l = await call(base, 'POST', '/auth/login', { json: { user_id: userId, challenge: c.json.challenge, signature } });
  if (l.status !== 200) throw new Error(`login ${l.status}: ${l.text}`);
  return l.json.token;
}

export async function adminToken(twin: TwinHandle): Promise<string> {
  const creds = await decodeCredentialsFile(readFileSync(twin.adminCredentialsPath), twin.adminPassword);
  return login(twin.url, creds.userId, creds.privateKey);
}

export interface Seeded {
  admin: string;
  up: {
    students: Array<{ id: number; email: string; private_key: string; project_ids: number[] }>;
    instructors: Array<{ id: number; email: string; private_key: string; project_ids: number[] }>;
    projects: Array<{ id: number; title: string; instructor_id: number }>;
  };
}

/** Admin token plus the load-test fixtures. */
export async function seed(twin: TwinHandle): Promise<Seeded> {
  const admin = await adminToken(twin);
  const up = await call(twin.url, 'POST', '/admin/load-test/up', { token: admin });
  if (up.status !== 200) throw new Error(`load-test/up ${up.status}: ${up.text}`);
  return { admin, up: up.json };
}
