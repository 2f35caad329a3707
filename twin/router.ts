// The request pipeline every HMP handler shares: capacity, faults, auth,
// FastAPI's validation, access check, handler, one audit row, Server-Timing;
// a v1.0 conversion blocks the server meanwhile. Mirrors upstream's
// decorators, including what they get wrong (see HMP-API.md).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { encode as cborEncode } from 'cbor-x';
import type { DatabaseSync } from 'node:sqlite';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { accessDenial, type Access, type Level } from './access.ts';
import { OverloadError, type CapacityGate } from './capacity.ts';
import { failedWith } from './server-log.ts';
import type { TwinConfig } from './config.ts';
import { blockedMs } from './connections.ts';
import { getUser, type UserRow } from './db.ts';
import { DatabaseUnavailable, type ScheduledFaults } from './fault-effects.ts';
import type { Faults } from './faults.ts';
import type { ServerBlock } from './server-block.ts';
import { TokenExpired, type Tokens } from './tokens.ts';
import { InvalidRequest, readBody, validate, type Inputs } from './validate.ts';

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
  /** Faults on a schedule (--fault): the database down, the fault clock. */
  schedule: ScheduledFaults;
  gate: CapacityGate;
  block: ServerBlock;
  rand: () => number;
}

export interface Ctx {
  user: UserRow | null;
  /** Path and query parameters as the route declares them (RouteSpec.input), coerced as FastAPI does. */
  params: Record<string, any>;
  /** The declared JSON body's fields, validated (so typed as the route declares them). */
  json: any;
  /** A declared 'bytes' body, or the raw body for handlers that read it themselves (as HMP's conversions do). */
  body: Buffer;
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
  /** Its path, query and body parameters, validated before the handler runs (validate.ts). */
  input?: Inputs;
  /** It blocks the whole server while it runs (a v1.0 conversion, server-block.ts). */
  blocksServer?: boolean;
}

export type Handler = (ctx: Ctx) => Promise<Out> | Out;

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

/** Starlette's answer to an unhandled exception, word for word (the database down). */
const INTERNAL_SERVER_ERROR: Out = { status: 500, bytes: Buffer.from('Internal Server Error'), type: 'text/plain; charset=utf-8' };

/** A request that touches the database (every one but /health: its audit row) fails while it is down. */
function checkDatabase(state: TwinState): void {
  const down = state.schedule.dbError();
  if (down) throw down;
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
      // The wait for a server block on arrival counts as queueing.
      const t0 = performance.now() - blockedMs(req.raw);
      let lease;
      try {
        lease = await state.gate.enter(spec.audit !== false);
      } catch (err) {
        const e = err as OverloadError;
        failedWith(req, e);
        const ms = performance.now() - t0;
        send(reply, plain500(e.message, e.status), `queue;dur=${ms.toFixed(1)}, total;dur=${ms.toFixed(1)}`);
        return reply;
      }
      const unblock = spec.blocksServer ? await state.block.hold() : undefined;
      const tHandler = performance.now();
      let out: Out;
      let userId: number | null = null;
      let reason: string | null = null;
      let audit = spec.audit !== false;
      try {
        await state.faults.apply(spec.action);
        if (spec.audit !== false) checkDatabase(state);
        const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        const body = readBody(spec.input?.body, raw, req.headers['content-type']);
        let user: UserRow | null = null;
        if (spec.level !== null) {
          const auth = await authenticate(state, req.headers.authorization);
          userId = auth.userId;
          // A token of a deleted user passes here and fails at the audit insert (500).
          user = auth.user;
        }
        // After the dependencies (authentication), before the handler and its access check, as in FastAPI.
        const input = validate(spec.input ?? {}, req.params as Record<string, string>, req.query as Record<string, unknown>, body);
        if (user && spec.level !== null) {
          const denial = accessDenial(
            { confidentiality: user.confidentiality_level, integrity: JSON.parse(user.integrity_levels) as number[] },
            spec.level,
            spec.access,
          );
          if (denial) throw new HttpError(403, denial);
        }
        if (spec.level !== null && !user) throw new Error(`user ${userId} of the token does not exist`);
        out = await handler({ user, params: input.params, json: input.json ?? {}, body: input.bytes ?? raw });
      } catch (err) {
        reason = (err as Error).message;
        if (err instanceof InvalidRequest) {
          out = { status: 422, json: { detail: err.detail } };
          audit = false; // rejected before the handler: upstream's audit decorator never runs
        } else if (err instanceof DatabaseUnavailable) {
          out = INTERNAL_SERVER_ERROR;
          audit = false; // no database to write it to
        } else if (err instanceof HttpError) out = { status: err.status, json: { detail: err.detail } };
        else out = plain500(reason, err instanceof OverloadError ? err.status : 500);
        if ((out.status ?? 200) >= 500) failedWith(req, err as Error);
      }
      unblock?.();
      const handlerMs = performance.now() - tHandler;
      if (audit) {
        try {
          await lease.audit();
          checkDatabase(state);
          state.db
            .prepare('INSERT INTO audit_logs (timestamp, action, is_success, reason, user_id, ip_address) VALUES (?, ?, ?, ?, ?, ?)')
            .run(new Date().toISOString(), spec.action, reason === null && (out.status ?? 200) < 400 ? 1 : 0, reason, userId, req.ip);
        } catch (err) {
          failedWith(req, err as Error);
          if (err instanceof OverloadError) out = plain500(err.message, err.status);
          else if (err instanceof DatabaseUnavailable) out = INTERNAL_SERVER_ERROR;
          else out = plain500(`audit insert failed: ${(err as Error).message}`);
        }
      }
      lease.release();
      // HMP answers nothing while a conversion blocks its loop.
      if (!unblock && state.block.active) await state.block.passed();
      const total = performance.now() - t0;
      send(reply, out, `queue;dur=${(tHandler - t0).toFixed(1)}, handler;dur=${handlerMs.toFixed(1)}, total;dur=${total.toFixed(1)}`);
      return reply;
    },
  });
}
