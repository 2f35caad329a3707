// /auth: challenge-response login (Ed25519) and user administration.
import { createPublicKey, randomBytes, verify } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { NewUser as UserRequest } from '../../lib/hmp-client.ts';
import { LEVEL } from '../access.ts';
import { getUser, type UserRow } from '../db.ts';
import { HttpError, addRoute, type TwinState } from '../router.ts';
import { PATH_ID, type Fields } from '../validate.ts';

const STRICT_B64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Strict base64; upstream's decoder raises (-> 500) on anything else. */
export function decodeB64Strict(s: string, what: string): Buffer {
  if (!STRICT_B64.test(s)) throw new Error(`${what} is not valid base64`);
  return Buffer.from(s, 'base64');
}

function ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKey).toString('base64url') }, format: 'jwk' });
    return verify(null, message, key, signature);
  } catch {
    return false;
  }
}

function userView(u: UserRow) {
  return {
    id: u.id,
    name: u.name,
    surname: u.surname,
    email: u.email,
    confidentiality_level: u.confidentiality_level,
    integrity_levels: JSON.parse(u.integrity_levels) as number[],
    public_key: Buffer.from(u.public_key).toString('base64'),
    expires_at: u.expires_at,
  };
}

/** The client's request body; expires_at may be left out (the twin's own admin never expires). */
type NewUser = Omit<UserRequest, 'expires_at'> & Partial<Pick<UserRequest, 'expires_at'>>;

// Upstream's UserCreateRequest and UserUpdateRequest (the key is not updated).
const NEW_USER: Fields = { name: 'str', surname: 'str', email: 'str', confidentiality_level: 'level', integrity_levels: 'level[]', public_key: 'str', expires_at: 'str' };
const { public_key: _key, ...USER_UPDATE } = NEW_USER;

/** Inserts a user; duplicate name+surname or email -> 400. Shared with /admin/load-test/up. */
export function insertUser(state: TwinState, u: NewUser): number {
  const key = decodeB64Strict(u.public_key, 'public_key');
  if (key.length !== 32) throw new HttpError(400, 'public_key must be 32 bytes (base64)');
  const taken = state.db.prepare('SELECT 1 FROM users WHERE email = ? OR (name = ? AND surname = ?)').get(u.email, u.name, u.surname);
  if (taken) throw new HttpError(400, 'User with this email or name already exists');
  const r = state.db
    .prepare(
      'INSERT INTO users (name, surname, email, confidentiality_level, integrity_levels, public_key, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    )
    .run(u.name, u.surname, u.email, u.confidentiality_level, JSON.stringify(u.integrity_levels), key, u.expires_at ?? null, new Date().toISOString());
  return Number(r.lastInsertRowid);
}

export function registerAuth(app: FastifyInstance, state: TwinState): void {
  addRoute(app, state, { method: 'POST', url: '/auth/challenge', action: 'auth_challenge', level: null, access: 'read', input: { body: { user_id: 'int' } } }, (ctx) => {
    const user = getUser(state.db, ctx.json.user_id);
    if (!user) throw new HttpError(404, 'User not found');
    if (user.expires_at && Date.parse(user.expires_at) < Date.now()) throw new HttpError(400, 'Account expired');
    return { json: { challenge: randomBytes(256).toString('base64') } };
  });

  const login = { body: { user_id: 'int', challenge: 'str', signature: 'str' } } as const;
  addRoute(app, state, { method: 'POST', url: '/auth/login', action: 'auth_login', level: null, access: 'read', input: login }, async (ctx) => {
    const b = ctx.json;
    const user = getUser(state.db, b.user_id);
    if (!user) throw new HttpError(404, 'User not found');
    const challenge = decodeB64Strict(b.challenge, 'challenge');
    const signature = decodeB64Strict(b.signature, 'signature');
    if (!ed25519Verify(user.public_key, challenge, signature)) throw new HttpError(400, 'Invalid credentials');
    const token = await state.tokens.issue(user.id);
    state.schedule.loggedIn(user.id); // the first session of the load starts the fault clock
    return { json: { token } };
  });

  const users = { level: LEVEL.CONFIDENTIAL } as const;
  addRoute(app, state, { method: 'POST', url: '/auth/users', action: 'user_create', ...users, access: 'write', input: { body: NEW_USER } }, (ctx) => ({
    json: { id: insertUser(state, ctx.json) },
  }));
  addRoute(app, state, { method: 'GET', url: '/auth/users', action: 'user_list', ...users, access: 'read' }, () => {
    return { json: state.db.prepare("SELECT id, name || ' ' || surname AS full_name FROM users ORDER BY id").all() };
  });
  addRoute(app, state, { method: 'GET', url: '/auth/users/:id', action: 'user_get', ...users, access: 'read', input: { path: PATH_ID } }, (ctx) => {
    const user = getUser(state.db, ctx.params.id);
    if (!user) throw new HttpError(404, 'User not found');
    return { json: userView(user) };
  });
  addRoute(app, state, { method: 'PUT', url: '/auth/users/:id', action: 'user_update', ...users, access: 'read_write', input: { path: PATH_ID, body: USER_UPDATE } }, (ctx) => {
    const user = getUser(state.db, ctx.params.id);
    if (!user) throw new HttpError(404, 'User not found');
    const b = ctx.json;
    state.db
      .prepare('UPDATE users SET name = ?, surname = ?, email = ?, confidentiality_level = ?, integrity_levels = ?, expires_at = ? WHERE id = ?')
      .run(b.name, b.surname, b.email, b.confidentiality_level, JSON.stringify(b.integrity_levels), b.expires_at, user.id);
    return { json: userView(getUser(state.db, user.id)!) };
  });
}
