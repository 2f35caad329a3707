// Capacity of the twin: how an overloaded HMP behaves (HMP-API.md, "Capacity").
//
// queue: at most `capacity` requests run; the rest wait in FIFO order and,
//   past the queue timeout, fail with the chosen status (500 DB pool / 504 gateway).
// stall: HMP's real mechanism. A DB pool of `capacity` connections; a request
//   holds one for its whole life and needs a SECOND one for its audit row. At
//   `capacity` requests in flight every request holds one and waits for
//   another: nothing completes until the waits time out, throughput collapses
//   with few errors, and draining the backlog takes several timeouts.
// pool-leak (a fault, with stall): a request that times out waiting for its
//   second connection never returns its first (left "idle in transaction"),
//   as HMP after a breakpoint. Once every connection leaked, each request
//   waits the timeout and fails, and a request that needs no connection
//   (/health) is held too (HMP's thread pool is exhausted) until the close.
import type { TwinConfig } from './config.ts';

export class OverloadError extends Error {
  status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

class Semaphore {
  #free: number;
  #waiters: Array<{ resolve: () => void; reject: (err: Error) => void; timer: NodeJS.Timeout }> = [];

  constructor(size: number) {
    this.#free = size;
  }

  get waiting(): number {
    return this.#waiters.length;
  }

  acquire(timeoutMs: number, onTimeout: () => Error): Promise<void> {
    if (this.#free > 0) {
      this.#free--;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        reject(onTimeout());
      }, timeoutMs);
      const waiter = { resolve, reject, timer };
      this.#waiters.push(waiter);
    });
  }

  release(): void {
    const next = this.#waiters.shift();
    if (!next) this.#free++;
    clearTimeout(next?.timer);
    next?.resolve();
  }

  /** Fails every waiter now (the server is closing): no timer outlives the server. */
  drain(error: () => Error): void {
    for (const w of this.#waiters.splice(0)) {
      clearTimeout(w.timer);
      w.reject(error());
    }
  }
}

export type CapacitySettings = Pick<TwinConfig, 'capacity' | 'overloadMode' | 'overloadStatus' | 'queueTimeoutMs'>;

export interface Lease {
  /** Stall mode: takes the second pool connection the audit row needs. */
  audit(): Promise<void>;
  release(): void;
}

const NO_LEASE: Lease = { audit: async () => {}, release: () => {} };

export class CapacityGate {
  #settings: CapacitySettings;
  #pool: Semaphore | undefined;
  /** pool-leak: called when the last connection has leaked; undefined when connections never leak. */
  #onLeakedOut: (() => void) | undefined;
  #leaked = 0;
  #closed: Promise<void>;
  #close!: () => void;
  inFlight = 0;

  constructor(settings: CapacitySettings, onLeakedOut?: () => void) {
    this.#settings = settings;
    this.#onLeakedOut = onLeakedOut;
    this.#closed = new Promise((resolve) => (this.#close = resolve));
    if (settings.capacity > 0) this.#pool = new Semaphore(settings.capacity);
  }

  /** pool-leak: every connection of the pool has leaked. */
  get leakedOut(): boolean {
    return this.#pool !== undefined && this.#leaked >= this.#settings.capacity;
  }

  get queued(): number {
    return this.#pool?.waiting ?? 0;
  }

  /** Ends every wait for a connection (the server is closing). */
  close(): void {
    this.#close();
    this.#pool?.drain(() => new OverloadError(503, 'the server is shutting down'));
  }

  #timeoutError = (): Error => {
    const { overloadStatus, capacity, queueTimeoutMs } = this.#settings;
    if (overloadStatus === 504) return new OverloadError(504, 'Gateway Timeout');
    const size = Math.min(5, capacity);
    return new OverloadError(
      500,
      `QueuePool limit of size ${size} overflow ${capacity - size} reached, connection timed out, timeout ${(queueTimeoutMs / 1000).toFixed(2)}`,
    );
  };

  /** `usesDb` false: a request that needs no connection of its own (/health), held only once the pool has leaked out. */
  async enter(usesDb = true): Promise<Lease> {
    const pool = this.#pool;
    if (!pool) return NO_LEASE;
    if (!usesDb && this.leakedOut) {
      await this.#closed;
      throw new OverloadError(503, 'the server is shutting down');
    }
    const { queueTimeoutMs, overloadMode } = this.#settings;
    await pool.acquire(queueTimeoutMs, this.#timeoutError);
    this.inFlight++;
    let held = 1;
    let done = false;
    return {
      audit: async () => {
        if (overloadMode !== 'stall') return;
        try {
          await pool.acquire(queueTimeoutMs, this.#timeoutError);
        } catch (err) {
          if (this.#onLeakedOut && err instanceof OverloadError && err.status !== 503) {
            held--; // never returned to the pool
            if (++this.#leaked === this.#settings.capacity) this.#onLeakedOut();
          }
          throw err;
        }
        held++;
      },
      release: () => {
        if (done) return;
        done = true;
        this.inFlight--;
        for (; held > 0; held--) pool.release();
      },
    };
  }
}
