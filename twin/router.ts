// The request pipeline every HMP handler shares: capacity, faults, auth,
// access check, handler, one audit row, Server-Timing. Mirrors upstream's
// decorators, including what they get wrong (see HMP-API.md).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { encode as cborEncode } from 'cbor-x';
import type { DatabaseSync } from 'node:sqlite';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { accessDenial, type Access, type Level } from './access.ts';
import { OverloadError, type CapacityGate } from './capacity.ts';
import type { TwinConfig } from './config.ts';
import { getUser, type UserRow } from './db.ts';
import { InjectedFault, type Faults } from './faults.ts';
import { TokenExpired, type Tokens } from './tokens.ts';

/** An error raised on purpose: JSON {"detail": ...} with its status. */
export class HttpError extends Error {
  status: number;
  detail: unknown;
  constructor(status: number, detail: unknown) {
    super(typeof detail === 'string' ? detail : JSON.stringify(detail));
    this.status = status;
    this.detail = detail;
  }
}

export type Out =
  | { status?: number; json: unknown }
  | { status?: number; cbor: unknown }
  | { status?: number; bytes: Uint8Array; type: string }
  /** Bytes in parts, sent one after the other (no concatenation). */
  | { status?: number; parts: Uint8Array[]; type: string };

export interface TwinState {
  config: TwinConfig;
  db: DatabaseSync;
  tokens: Tokens;
  faults: Faults;
  gate: CapacityGate;
  rand: () => number;
}

export interface Ctx {
  state: TwinState;
  user: UserRow | null;
  params: Record<string, string>;
  query: Record<string, string | undefined>;
  /** Raw request body. */
  body: Buffer;
  ip: string;
}

export interface RouteSpec {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  /** Audit action name; also the suite's request name. */
  action: string;
  /** null: no login needed. */
  level: Level | null;
  access: Access;
  /** false for /health, which writes no audit row. */
  audit?: boolean;
}

export type Handler = (ctx: Ctx) => Promise<Out> | Out;

/** FastAPI's 422 for a JSON body that is missing or of the wrong shape. */
export function jsonBody<T>(ctx: Ctx, fields: Record<string, 'int' | 'str' | 'list' | 'bool'>): T {
  let body: unknown;
  try {
    body = JSON.parse(ctx.body.toString('utf8') || 'null');
  } catch {
    throw new HttpError(422, [{ type: 'json_invalid', loc: ['body'], msg: 'JSON decode error' }]);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(422, [{ type: 'model_attributes_type', loc: ['body'], msg: 'Input should be an object' }]);
  }
  const obj = body as Record<string, unknown>;
  for (const [name, kind] of Object.entries(fields)) {
    const v = obj[name];
    const ok =
      kind === 'int' ? Number.isInteger(v) : kind === 'str' ? typeof v === 'string' : kind === 'bool' ? typeof v === 'boolean' : Array.isArray(v);
    if (!ok) throw new HttpError(422, [{ type: 'missing_or_invalid', loc: ['body', name], msg: `Field required: ${kind}` }]);
  }
  return obj as T;
}

async function authenticate(state: TwinState, header: string | undefined): Promise<{ user: UserRow | null; userId: number }> {
  if (!header) throw new HttpError(401, 'Not authenticated');
  const match = /^Bearer (\S+)$/.exec(header);
  if (!match) throw new HttpError(400, 'Invalid authorization header');
  let userId: number;
  try {
    userId = await state.tokens.verify(match[1]!);
  } catch (err) {
    if (err instanceof TokenExpired) throw new HttpError(401, 'Invalid or expired token');
    throw err; // upstream only catches expiry: anything else is a 500
  }
  return { user: getUser(state.db, userId) ?? null, userId };
}

function send(reply: FastifyReply, out: Out, timing: string): void {
  const status = out.status ?? 200;
  reply.code(status).header('server-timing', timing);
  // Upstream closes the keep-alive connection after any 500.
  if (status >= 500) reply.header('connection', 'close');
  if ('json' in out) reply.type('application/json').send(JSON.stringify(out.json));
  else if ('cbor' in out) reply.type('application/cbor').send(Buffer.from(cborEncode(out.cbor)));
  else if ('bytes' in out) reply.type(out.type).send(Buffer.from(out.bytes.buffer, out.bytes.byteOffset, out.bytes.byteLength));
  else {
    // Concatenating 5 MB would be one more block of 1-4 ms (a fresh buffer's page faults).
    const length = out.parts.reduce((n, p) => n + p.byteLength, 0);
    reply.type(out.type).header('content-length', String(length)).send(Readable.from(out.parts, { objectMode: false }));
  }
}

function plain500(message: string, status = 500): Out {
  return { status, bytes: Buffer.from(status === 504 ? 'Gateway Timeout' : `Internal Server Error: ${message}`), type: 'text/plain; charset=utf-8' };
}

export function addRoute(app: FastifyInstance, state: TwinState, spec: RouteSpec, handler: Handler): void {
  app.route({
    method: spec.method,
    url: spec.url,
    handler: async (req: FastifyRequest, reply: FastifyReply) => {
      // --reset-rate: the connection is reset (RST) with no answer, as a server that dies mid-request.
      if (spec.audit !== false && state.faults.resetThisRequest()) {
        reply.hijack();
        req.raw.socket.resetAndDestroy();
        return;
      }
      const t0 = performance.now();
      let lease;
      try {
        lease = await state.gate.enter();
      } catch (err) {
        const e = err as OverloadError;
        const ms = performance.now() - t0;
        send(reply, plain500(e.message, e.status), `queue;dur=${ms.toFixed(1)}, total;dur=${ms.toFixed(1)}`);
        return reply;
      }
      const tHandler = performance.now();
      let out: Out;
      let userId: number | null = null;
      let reason: string | null = null;
      try {
        await state.faults.apply(spec.action);
        let user: UserRow | null = null;
        if (spec.level !== null) {
          const auth = await authenticate(state, req.headers.authorization);
          userId = auth.userId;
          // A token of a deleted user passes here and fails at the audit insert (500).
          user = auth.user;
          if (user) {
            const denial = accessDenial(
              { confidentiality: user.confidentiality_level, integrity: JSON.parse(user.integrity_levels) as number[] },
              spec.level,
              spec.access,
            );
            if (denial) throw new HttpError(403, denial);
          }
        }
        const ctx: Ctx = {
          state,
          user,
          params: (req.params ?? {}) as Record<string, string>,
          query: (req.query ?? {}) as Record<string, string | undefined>,
          body: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
          ip: req.ip,
        };
        if (spec.level !== null && !user) throw new Error(`user ${userId} of the token does not exist`);
        out = await handler(ctx);
      } catch (err) {
        reason = (err as Error).message;
        if (err instanceof HttpError) out = { status: err.status, json: { detail: err.detail } };
        else if (err instanceof OverloadError) out = plain500(err.message, err.status);
        else if (err instanceof InjectedFault) out = plain500(err.message);
        else out = plain500(reason);
      }
      const handlerMs = performance.now() - tHandler;
      if (spec.audit !== false) {
        try {
          await lease.audit();
          state.db
            .prepare('INSERT INTO audit_logs (timestamp, action, is_success, reason, user_id, ip_address) VALUES (?, ?, ?, ?, ?, ?)')
            .run(new Date().toISOString(), spec.action, reason === null && (out.status ?? 200) < 400 ? 1 : 0, reason, userId, req.ip);
        } catch (err) {
          out = err instanceof OverloadError ? plain500(err.message, err.status) : plain500(`audit insert failed: ${(err as Error).message}`);
        }
      }
      lease.release();
      const total = performance.now() - t0;
      send(reply, out, `queue;dur=${(tHandler - t0).toFixed(1)}, handler;dur=${handlerMs.toFixed(1)}, total;dur=${total.toFixed(1)}`);
      return reply;
    },
  });
}
