// PDF -> audio, as HMP does it: decrypt, extract text (400 without text),
// synthesise speech, encrypt the audio for the caller. v1.1 runs conversions
// in a bounded background pool of tasks. Extraction and synthesis run in
// worker threads (convert-pool.ts), off the event loop.
import { randomBytes, randomUUID } from 'node:crypto';
import { aesGcmEncrypt, publicKeyAesKey } from '../lib/hmp-crypto.ts';
import type { ConvertPool } from './convert-pool.ts';
import { HttpError } from './router.ts';
import { MAX_SPEED, MIN_SPEED } from './speech.ts';

const MiB = 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The audio of `pdf`, which is handed over (see ConvertPool.run); the CPU work runs in `workers`. */
export async function pdfToSpeech(workers: ConvertPool, pdf: Uint8Array, speed: number, msPerMb: number): Promise<Uint8Array> {
  const bytes = pdf.length;
  const out = await workers.run({ pdf, speed });
  if ('audio' in out) {
    // Time in proportion to size: the real server's extraction and espeak-ng.
    await sleep((msPerMb * bytes) / MiB);
    return out.audio;
  }
  if (out.fail === 'not-a-pdf') throw new HttpError(400, 'The file is not a PDF');
  if (out.fail === 'no-text') throw new HttpError(400, 'The PDF has no text to convert');
  throw out.error;
}

/** Encrypts with a fresh AES key; the key itself goes out encrypted for the caller. */
export async function encryptForCaller(callerPublicKey: Uint8Array, audio: Uint8Array) {
  const audioKey = randomBytes(32);
  return {
    encrypted_audio: aesGcmEncrypt(audioKey, audio),
    encrypted_audio_key: aesGcmEncrypt(await publicKeyAesKey(callerPublicKey), audioKey),
  };
}

export function checkSpeed(raw: unknown): number {
  const speed = raw === undefined ? 140 : Number(raw);
  if (!Number.isInteger(speed) || speed < MIN_SPEED || speed > MAX_SPEED) throw new HttpError(400, `speed must be an integer from ${MIN_SPEED} to ${MAX_SPEED}`);
  return speed;
}

export interface Task {
  uuid: string;
  ownerId: number;
  aesKey: Buffer;
  state: 'reserved' | 'running' | 'done' | 'error';
  error?: string;
  result?: { encrypted_audio: Buffer; encrypted_audio_key: Buffer };
  touchedAt: number;
}

/** v1.1's bounded converter: `slots` conversions run at once, as many more may be reserved. */
export class TaskPool {
  #tasks = new Map<string, Task>();
  #slots: number;
  static readonly RESERVATION_MS = 120_000;
  static readonly RESULT_MS = 600_000;

  constructor(slots: number) {
    this.#slots = slots;
  }

  #expire(): void {
    const now = Date.now();
    for (const t of this.#tasks.values()) {
      const ttl = t.state === 'reserved' ? TaskPool.RESERVATION_MS : t.state === 'running' ? Infinity : TaskPool.RESULT_MS;
      if (now - t.touchedAt > ttl) this.#tasks.delete(t.uuid);
    }
  }

  #count(...states: Task['state'][]): number {
    return [...this.#tasks.values()].filter((t) => states.includes(t.state)).length;
  }

  /** null when busy: the admission queue is full. */
  reserve(ownerId: number): Task | null {
    this.#expire();
    if (this.#count('reserved', 'running') >= this.#slots * 2) return null;
    const task: Task = { uuid: randomUUID(), ownerId, aesKey: randomBytes(32), state: 'reserved', touchedAt: Date.now() };
    this.#tasks.set(task.uuid, task);
    return task;
  }

  get(uuid: string, ownerId: number): Task {
    const task = this.#tasks.get(uuid);
    if (!task || task.ownerId !== ownerId) throw new HttpError(404, 'Task not found');
    return task;
  }

  /** false when every slot is converting: the caller retries. */
  start(task: Task, work: () => Promise<Task['result']>): boolean {
    if (task.state !== 'reserved') throw new HttpError(400, 'This task was already started');
    if (this.#count('running') >= this.#slots) return false;
    task.state = 'running';
    task.touchedAt = Date.now();
    work().then(
      (result) => Object.assign(task, { state: 'done', result, touchedAt: Date.now() }),
      (err: Error) => Object.assign(task, { state: 'error', error: err.message, touchedAt: Date.now() }),
    );
    return true;
  }

  take(task: Task): Task['result'] {
    if (task.state === 'error') throw new HttpError(400, `Conversion failed: ${task.error}`);
    if (task.state !== 'done') throw new HttpError(400, 'Conversion not finished');
    this.#tasks.delete(task.uuid);
    return task.result;
  }
}
