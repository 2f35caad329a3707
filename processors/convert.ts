// PDF to audio (HMP-API.md, "PDF to audio"). The upload-key answer tells the
// version apart:
//   v1.0: upload-key -> server key (GET /credentials/public-key, else
//         HMP_SERVER_PUBLIC_KEY) -> execute (synchronous, CBOR audio)
//   v1.1: upload-key (busy: retry with backoff) -> execute (busy: retry)
//         -> poll conversion-status (bounded wait) -> converted-audio
// Either way the audio is decrypted with the caller's key: the round trip
// is proven, not assumed. The YAML drives the steps; the stage below
// decides which of them run.
import { aesGcmDecrypt, aesGcmEncryptSliced, publicKeyFromSeed } from '../lib/hmp-crypto.ts';
import { cborMapWithBytes } from './cbor-framing.ts';
import { pickPdf } from './fixtures.ts';
import { count, histogram, metric, recordFailure } from './metrics.ts';
import { REASONS } from '../plugins/artillery-plugin-hmp/core/metric-names.ts';
import type { Rand } from './pick.ts';
import { workerRand } from './random.ts';
import { settings, timeoutS } from './settings.ts';
import { sleep, timeScale } from './think.ts';
import type { Ee, RequestParams, VuContext } from './types.ts';
import { cipher } from './upload.ts';
import {
  validateAudio,
  validateConversionStatus,
  validateExecuteAccepted,
  validatePublicKey,
  validateUploadKey,
  type EncryptedAudio,
  type Outcome,
  type Reply,
} from './validate.ts';
import { instructorOk, newConversion, sessionOk, vars, type Conversion } from './vars.ts';

/** "Busy" answers tolerated per step before the conversion counts as failed (~90 s of backoff at scale 1). */
export const MAX_BUSY_ATTEMPTS = 8;
/** Speech rate sent with every conversion (HMP's default). */
export const SPEED = 140;

// --- pure timing ---

/** Backoff after the n-th busy answer: 1, 2, 4 ... 30 s, with 50-100% jitter, scaled; never below 100 ms (no hot retry loop). */
export function backoffMs(attempt: number, scale: number, rand: Rand): number {
  const base = Math.min(30_000, 1000 * 2 ** Math.max(0, attempt - 1));
  return Math.max(100, Math.round(base * (0.5 + 0.5 * rand()) * scale));
}

/** Wait before the n-th status poll (from 0): 0.5, 0.75, 1.1 ... up to 5 s, scaled (at least 10 ms). */
export function pollIntervalMs(poll: number, scale: number): number {
  return Math.max(10, Math.round(Math.min(5000, 500 * 1.5 ** poll) * scale));
}

// --- per worker ---

/** The server key, once GET /credentials/public-key served it. */
let apiServerKey: Buffer | undefined;
async function myPublicKey(context: VuContext): Promise<Uint8Array> {
  return publicKeyFromSeed(Buffer.from(vars(context).me!.privateKeyHex, 'hex'));
}

function conv(v: Record<string, unknown>): Conversion | undefined {
  return v.conv as Conversion | undefined;
}

// --- steps (function steps check the stage themselves: they have no ifTrue) ---

export async function beginConversion(context: VuContext, _ee: Ee): Promise<void> {
  if (!instructorOk(context.vars)) return;
  const c = newConversion();
  c.stage = 'key';
  c.startedAt = Date.now();
  c.pdf = await pickPdf(workerRand());
  vars(context).conv = c;
}

/** ifTrue of credentials_public_key: always in the smoke test (a critical endpoint), else when v1.0 has no key yet. */
export function needServerKey(v: Record<string, unknown>): boolean {
  if (!instructorOk(v)) return false;
  if ((v.profileName as string) === 'smoke') return true;
  return conv(v)?.version === '1.0' && !apiServerKey && !settings().serverPublicKey;
}

/** After the key steps: a v1.0 conversion without a server key fails here, with that reason. */
export function prepareConversion(context: VuContext, ee: Ee, next: () => void): void {
  const c = vars(context).conv;
  if (sessionOk(context.vars) && c.stage === 'execute' && c.version === '1.0') {
    c.serverKey = apiServerKey ?? settings().serverPublicKey;
    if (!c.serverKey) {
      recordFailure(ee, context, 'pdf_execute', REASONS.noServerKey,
        'GET /credentials/public-key did not give the server key and HMP_SERVER_PUBLIC_KEY is not set');
    }
  }
  next();
}

/** The guard of a conversion step: the instructor block's (instructorOk), and the conversion at `stage`. */
const atStage = (stage: Conversion['stage']) => (v: Record<string, unknown>): boolean => instructorOk(v) && conv(v)?.stage === stage;
/** The ifTrue of pdf_execute, pdf_status and pdf_audio. */
export const executing = atStage('execute');
export const polling = atStage('poll');
export const audioReady = atStage('download');

/** whileTrue of the upload-key and execute loops. */
export function retryBusy(context: VuContext, next: (again: boolean) => void): void {
  next(sessionOk(context.vars) && vars(context).conv.busy);
}

/** whileTrue of the status loop. */
export function keepPolling(context: VuContext, next: (again: boolean) => void): void {
  next(polling(context.vars));
}

export async function backoffIfBusy(context: VuContext, _ee: Ee): Promise<void> {
  const c = vars(context).conv;
  if (sessionOk(context.vars) && c.busy) await sleep(backoffMs(c.attempts, timeScale(context), workerRand()));
}

/** Before each status poll; past the bounded wait the conversion fails as `wait_timeout`. */
export async function pollWait(context: VuContext, ee: Ee): Promise<void> {
  if (!polling(context.vars)) return;
  const c = vars(context).conv;
  const s = settings();
  const maxWaitS = s.convertMaxWaitS ?? timeoutS(s, context.vars, 'convert');
  const waited = Date.now() - c.acceptedAt;
  if (waited > maxWaitS * 1000) {
    recordFailure(ee, context, 'pdf_status', 'wait_timeout', `not done after ${Math.round(waited / 1000)} s (${c.polls} polls)`);
    return;
  }
  await sleep(pollIntervalMs(c.polls, timeScale(context)));
}

/** beforeRequest of pdf_execute: the PDF under the task's AES key (+ v1.0: that key sealed for the server). */
export async function encodeConversion(req: RequestParams, context: VuContext, _ee: Ee): Promise<void> {
  const c = vars(context).conv;
  if (!c.aesKey || !c.pdf) throw new Error('encodeConversion needs the upload key and a PDF');
  // Sliced, and the CBOR framed around the bytes: no multi-ms stall of the worker (upload.ts).
  c.encryptedFile ??= (await aesGcmEncryptSliced(c.aesKey, c.pdf)).parts;
  const head = c.version === '1.0'
    ? { encrypted_aes_key: await cipher.encrypt(c.serverKey!, c.aesKey), speed: SPEED }
    : { speed: SPEED, task_uuid: c.taskUuid };
  delete req.json;
  req.body = cborMapWithBytes(head, 'encrypted_file', c.encryptedFile);
  req.headers = { ...req.headers, 'content-type': 'application/cbor' };
}

// --- response handlers ---

function busy(c: Conversion, ee: Ee, step: string): Outcome {
  c.busy = true;
  c.attempts++;
  count(ee, metric.convert('busy'));
  if (c.attempts >= MAX_BUSY_ATTEMPTS) {
    c.busy = false;
    return { ok: false, reason: 'busy', detail: `${step}: the converter was still busy after ${c.attempts} attempts` };
  }
  return { ok: true };
}

export async function onUploadKey(reply: Reply, context: VuContext, ee: Ee): Promise<Outcome> {
  const v = validateUploadKey(reply);
  if (!v.ok) return v;
  const c = vars(context).conv;
  c.version = v.value.version;
  if ('busy' in v.value && v.value.busy) return busy(c, ee, 'upload-key');
  try {
    c.aesKey = await cipher.decrypt(await myPublicKey(context), v.value.encryptedAesKey);
  } catch {
    return { ok: false, reason: 'key_decrypt_failed', detail: 'the encrypted_aes_key does not open with the caller\'s public key' };
  }
  if (v.value.version === '1.1' && !v.value.busy) c.taskUuid = v.value.taskUuid;
  c.busy = false;
  c.attempts = 0;
  c.stage = 'execute';
  count(ee, metric.convert(c.version === '1.0' ? 'v1_0' : 'v1_1'));
  return { ok: true };
}

/** Printed once per worker when the endpoint answers 401. */
export const PUBLIC_KEY_401_WARNING =
  'GET /credentials/public-key answered 401 (known HMP defect); conversions use HMP_SERVER_PUBLIC_KEY';

export function onServerKey(reply: Reply, context: VuContext): Outcome {
  const v = validatePublicKey(reply);
  if (v.ok) {
    apiServerKey = v.value;
    return { ok: true };
  }
  // Current HMP answers 401 to everyone (HMP-API.md): a known defect, reported as a
  // warning, not an error; a v1.0 conversion falls back to HMP_SERVER_PUBLIC_KEY
  // (prepareConversion: no key at all is a failure, no_server_key).
  if (v.reason === 'status_401') return { ok: 'warning', reason: v.reason, message: PUBLIC_KEY_401_WARNING };
  // Anything else (5xx, a wrong body) is an error. The smoke test still goes on to check the conversion.
  if (vars(context).profileName === 'smoke') return { ...v, keepGoing: true };
  return v;
}

async function openAudio(context: VuContext, ee: Ee, audio: EncryptedAudio): Promise<Outcome> {
  const c = vars(context).conv;
  let wav: Buffer;
  try {
    const audioKey = await cipher.decrypt(await myPublicKey(context), audio.encryptedAudioKey);
    wav = aesGcmDecrypt(audioKey, audio.encryptedAudio);
  } catch {
    return { ok: false, reason: 'audio_decrypt_failed', detail: 'the audio does not decrypt with the caller\'s key' };
  }
  if (wav.length === 0) return { ok: false, reason: 'empty_audio', detail: 'the decrypted audio is empty' };
  c.stage = 'done';
  count(ee, metric.convert('done'));
  histogram(ee, metric.convert('duration'), Date.now() - c.startedAt);
  histogram(ee, metric.convert('audio_bytes'), wav.length);
  return { ok: true };
}

export async function onExecute(reply: Reply, context: VuContext, ee: Ee): Promise<Outcome> {
  const c = vars(context).conv;
  if (c.version === '1.0') return onAudio(reply, context, ee);
  const v = validateExecuteAccepted(reply);
  if (!v.ok) return v;
  if (!v.value) return busy(c, ee, 'execute');
  c.busy = false;
  c.stage = 'poll';
  c.acceptedAt = Date.now();
  return { ok: true };
}

export function onStatus(reply: Reply, context: VuContext): Outcome {
  const v = validateConversionStatus(reply);
  if (!v.ok) return v;
  const c = vars(context).conv;
  c.polls++;
  if (v.value.error !== undefined) return { ok: false, reason: 'conversion_failed', detail: v.value.error };
  if (v.value.done) c.stage = 'download';
  return { ok: true };
}

export async function onAudio(reply: Reply, context: VuContext, ee: Ee): Promise<Outcome> {
  const v = validateAudio(reply);
  return v.ok ? openAudio(context, ee, v.value) : v;
}
