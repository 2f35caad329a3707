// The I/O of the stop when the server is gone (server-gone.ts decides):
// GET <target>/health from the main thread every few seconds, on schedule
// whether or not the previous one answered (one in flight at most), each
// ending by its own timeout; the load's periods come from the plugin's
// 'stats'. Once the decision says gone, `onGone` is called once and the
// probes stop.
import { probeEveryMs, ServerGoneWatch, type GoneFinding } from './server-gone.ts';
import type { RawPeriod } from './core/results.ts';

function reasonOf(err: unknown): string {
  const e = err as Error & { cause?: { code?: string }; code?: string };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'timeout';
  return e?.cause?.code ?? e?.code ?? e?.message ?? 'error';
}

export class ServerGoneProbe {
  #watch: ServerGoneWatch;
  #url: string;
  #everyMs: number;
  #onGone: (f: GoneFinding) => void;
  #timer: NodeJS.Timeout | undefined;
  #inFlight = false;
  #gone = false;

  constructor(o: { target: string; limitMin: number; onGone: (f: GoneFinding) => void; now?: number }) {
    this.#watch = new ServerGoneWatch(o.limitMin, o.now ?? Date.now());
    this.#url = `${o.target.replace(/\/+$/, '')}/health`;
    this.#everyMs = probeEveryMs(o.limitMin);
    this.#onGone = o.onGone;
    this.#timer = setInterval(() => this.#probe(), this.#everyMs);
    this.#timer.unref();
    this.#probe();
  }

  /** A period of the load, as Artillery reported it. */
  period(stats: RawPeriod): void {
    this.#watch.period(stats);
    this.#check();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #probe(): void {
    if (this.#inFlight || this.#gone) return;
    this.#inFlight = true;
    const sentAt = Date.now();
    fetch(this.#url, { signal: AbortSignal.timeout(this.#everyMs) })
      .then(async (res) => {
        await res.arrayBuffer().catch(() => undefined);
        this.#watch.health(sentAt, { answeredAt: Date.now() });
      })
      .catch((err: unknown) => this.#watch.health(sentAt, { reason: reasonOf(err) }))
      .finally(() => {
        this.#inFlight = false;
        this.#check();
      });
  }

  #check(): void {
    if (this.#gone || !this.#timer) return;
    const found = this.#watch.check(Date.now());
    if (!found) return;
    this.#gone = true;
    this.stop();
    this.#onGone(found);
  }
}
