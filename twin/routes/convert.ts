// /pdf-to-audio (v1.0 synchronous or v1.1 asynchronous) and /credentials.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { decode as cborDecode } from 'cbor-x';
import { aesGcmDecrypt, aesGcmEncrypt, publicKeyAesKey } from '../../lib/hmp-crypto.ts';
import { LEVEL } from '../access.ts';
import { ConvertPool } from '../convert-pool.ts';
import { checkSpeed, encryptForCaller, pdfToSpeech, TaskPool } from '../converter.ts';
import { HttpError, addRoute, type Ctx, type TwinState } from '../router.ts';

function cborMap(ctx: Ctx): Record<string, unknown> {
  let data: unknown;
  try {
    data = cborDecode(ctx.body);
  } catch (err) {
    throw new HttpError(400, `Invalid CBOR data: ${(err as Error).message}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new HttpError(400, 'Invalid CBOR data: not a map');
  return data as Record<string, unknown>;
}

function bytesField(body: Record<string, unknown>, key: string): Uint8Array {
  const v = body[key];
  if (!Buffer.isBuffer(v)) throw new HttpError(400, `Invalid CBOR data: '${key}' must be bytes`);
  return v;
}

export function registerConvert(app: FastifyInstance, state: TwinState, serverPublicKey: Uint8Array): void {
  const level = LEVEL.RESTRICTED;
  const msPerMb = state.config.convertMsPerMb;
  const workers = new ConvertPool();
  app.addHook('onClose', () => workers.close());

  // The quirk: upstream wraps this handler in the auth check but gives it no user, so 401 for all.
  const quirk = state.config.quirkPublicKey401;
  const publicKey = { method: 'GET', url: '/credentials/public-key', action: 'credentials_public_key', access: 'read' } as const;
  addRoute(app, state, { ...publicKey, level: quirk ? null : LEVEL.UNCLASSIFIED }, () => {
    if (quirk) throw new HttpError(401, 'Not authenticated');
    return { json: { public_key: Buffer.from(serverPublicKey).toString('base64') } };
  });

  if (state.config.apiVersion === '1.0') {
    addRoute(app, state, { method: 'GET', url: '/pdf-to-audio/upload-key', action: 'pdf_upload_key', level, access: 'read' }, async (ctx) => {
      const aesKey = randomBytes(32);
      const sealed = aesGcmEncrypt(await publicKeyAesKey(ctx.user!.public_key), aesKey);
      return { json: { encrypted_aes_key: sealed.toString('base64') } };
    });
    // Upstream reads the raw body itself (no declared parameters) and converts inside the request.
    const blocksServer = state.config.v10Conversions === 'blocking';
    addRoute(app, state, { method: 'POST', url: '/pdf-to-audio/execute', action: 'pdf_execute', level, access: 'read_write', blocksServer }, async (ctx) => {
      const body = cborMap(ctx);
      const speed = checkSpeed(body.speed);
      // Decryption failures are unhandled upstream: 500.
      const aesKey = aesGcmDecrypt(await publicKeyAesKey(serverPublicKey), bytesField(body, 'encrypted_aes_key'));
      const pdf = aesGcmDecrypt(aesKey, bytesField(body, 'encrypted_file'));
      const audio = await pdfToSpeech(workers, pdf, speed, msPerMb);
      return { cbor: await encryptForCaller(ctx.user!.public_key, audio) };
    });
    return;
  }

  const pool = new TaskPool(state.config.converterSlots);
  addRoute(app, state, { method: 'GET', url: '/pdf-to-audio/upload-key', action: 'pdf_upload_key', level, access: 'read' }, async (ctx) => {
    const task = pool.reserve(ctx.user!.id);
    if (!task) return { json: { is_success: false } };
    const sealed = aesGcmEncrypt(await publicKeyAesKey(ctx.user!.public_key), task.aesKey);
    return { json: { is_success: true, encrypted_aes_key: sealed.toString('base64'), task_uuid: task.uuid } };
  });
  addRoute(app, state, { method: 'POST', url: '/pdf-to-audio/execute', action: 'pdf_execute', level, access: 'read_write' }, (ctx) => {
    const body = cborMap(ctx);
    const speed = checkSpeed(body.speed);
    const encrypted = bytesField(body, 'encrypted_file');
    if (typeof body.task_uuid !== 'string') throw new HttpError(400, "Invalid CBOR data: 'task_uuid' must be a string");
    const task = pool.get(body.task_uuid, ctx.user!.id);
    const caller = ctx.user!.public_key;
    const started = pool.start(task, async () => {
      let pdf: Buffer;
      try {
        pdf = aesGcmDecrypt(task.aesKey, encrypted);
      } catch {
        throw new Error('decryption failed: the file was not encrypted with this task key');
      }
      try {
        return await encryptForCaller(caller, await pdfToSpeech(workers, pdf, speed, msPerMb));
      } catch (err) {
        throw new Error(err instanceof HttpError ? String(err.detail) : (err as Error).message);
      }
    });
    return { json: { is_success: started } };
  });
  const byUuid = { level, access: 'read', input: { path: { uuid: 'str' } } } as const;
  addRoute(app, state, { method: 'GET', url: '/pdf-to-audio/conversion-status/:uuid', action: 'pdf_status', ...byUuid }, (ctx) => {
    const task = pool.get(ctx.params.uuid, ctx.user!.id);
    const out: Record<string, unknown> = { is_done: task.state === 'done' || task.state === 'error', has_error: task.state === 'error' };
    if (task.error) out.error_message = task.error;
    return { json: out };
  });
  addRoute(app, state, { method: 'GET', url: '/pdf-to-audio/converted-audio/:uuid', action: 'pdf_audio', ...byUuid }, (ctx) => ({
    cbor: pool.take(pool.get(ctx.params.uuid, ctx.user!.id)),
  }));
}
