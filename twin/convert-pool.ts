// Worker threads (convert-worker.ts) for the conversions' CPU work: run in
// the twin's event loop, pdf.js and synthesis stalled every other request
// for 45-230 ms, which the load generator then measured as server latency.
// Workers start with the first conversion, keep the process alive only while
// they work, and end with the twin (close()).
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

export interface Job {
  pdf: Uint8Array;
  speed: number;
}
export type Outcome = { audio: Uint8Array } | { fail: 'not-a-pdf' } | { fail: 'no-text' } | { fail: 'error'; error: Error };
interface Pending {
  job: Job;
  resolve: (out: Outcome) => void;
  reject: (err: Error) => void;
}

const WORKER = new URL('./convert-worker.ts', import.meta.url);

export class ConvertPool {
  readonly size: number;
  #busy = new Map<Worker, Pending | null>(); // every live worker, with its job or null when idle
  #queue: Pending[] = [];
  #closed = false;

  /** Default: 1 worker on 2 cores (one core stays the event loop's), at most 2. */
  constructor(size = Math.max(1, Math.min(2, availableParallelism() - 1))) {
    this.size = size;
  }

  /** Converts in a worker. Takes ownership of `pdf`: its buffer is transferred (detached) when it has one of its own. */
  run(job: Job): Promise<Outcome> {
    if (this.#closed) return Promise.reject(new Error('the converter is closed'));
    return new Promise((resolve, reject) => {
      this.#queue.push({ job, resolve, reject });
      this.#dispatch();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const p of this.#queue.splice(0)) p.reject(new Error('the converter is closed'));
    await Promise.all([...this.#busy.keys()].map((w) => w.terminate()));
  }

  #dispatch(): void {
    while (this.#queue.length > 0) {
      let worker = [...this.#busy].find(([, p]) => p === null)?.[0];
      if (!worker) {
        if (this.#busy.size >= this.size) return;
        worker = this.#spawn();
      }
      const pending = this.#queue.shift()!;
      this.#busy.set(worker, pending);
      worker.ref();
      const { pdf } = pending.job;
      const own = pdf.buffer instanceof ArrayBuffer && pdf.byteOffset === 0 && pdf.byteLength === pdf.buffer.byteLength;
      worker.postMessage(pending.job, own ? [pdf.buffer] : []);
    }
  }

  #spawn(): Worker {
    // No execArgv: a preload (the bench's loop-delay probe) would run in the
    // worker too, and process-wide flags make the Worker throw.
    const worker = new Worker(WORKER, { execArgv: [] });
    this.#busy.set(worker, null);
    const finish = (settle: (p: Pending) => void) => {
      const pending = this.#busy.get(worker);
      if (pending) settle(pending);
    };
    worker.on('message', (out: Outcome) => {
      finish((p) => p.resolve(out));
      this.#busy.set(worker, null);
      worker.unref();
      this.#dispatch();
    });
    worker.on('error', (err) => finish((p) => p.reject(err)));
    worker.on('exit', (code) => {
      finish((p) => p.reject(new Error(this.#closed ? 'the converter is closed' : `a converter worker exited (code ${code})`)));
      this.#busy.delete(worker);
      if (!this.#closed) this.#dispatch();
    });
    return worker;
  }
}
