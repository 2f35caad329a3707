// Words while a test runs: the step's request log (written by the plugin's
// workers about once a second) followed as it grows, each incident said as
// it begins and as it ends (diagnosis/live.ts), and, once the test's shape is
// over, what the run still waits for instead of a countdown at zero.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { LiveIncidents, liveEventOf } from '../../diagnosis/live.ts';
import { ENDPOINTS } from '../../processors/endpoints.ts';
import { DEFAULTS } from '../../processors/settings.ts';

const POLL_MS = 1000;
/** Past the shape's end, what the run waits for is said this often. */
const WAITING_EVERY_MS = 30_000;

/** Client timeout of a request kind, s, as the processors set it (env over the defaults). */
export function clientTimeoutS(name: string, env: Record<string, string | undefined> = process.env): number {
  const convert = (ENDPOINTS as Record<string, { convertTimeout?: boolean }>)[name]?.convertTimeout === true;
  const raw = Number(convert ? env.HMP_CONVERT_TIMEOUT : env.HMP_HTTP_TIMEOUT);
  return Number.isFinite(raw) && raw > 0 ? raw : convert ? DEFAULTS.convertTimeoutS : DEFAULTS.httpTimeoutS;
}

export class RequestWatch {
  #path: string;
  #line: (text: string) => void;
  #shapeMs: number | undefined;
  #env: Record<string, string | undefined>;
  #live = new LiveIncidents();
  #offset = 0;
  #rest = '';
  #first: number | undefined;
  #saidWaitingAt = 0;
  #timer: NodeJS.Timeout | undefined;

  /** `shapeS`: the test's shape in real seconds (scaled), to know when the run is past it. */
  constructor(path: string, line: (text: string) => void, shapeS?: number, env: Record<string, string | undefined> = process.env) {
    this.#path = path;
    this.#line = line;
    this.#shapeMs = shapeS === undefined ? undefined : shapeS * 1000;
    this.#env = env;
  }

  start(): void {
    this.#timer ??= setInterval(() => this.poll(Date.now()), POLL_MS);
    this.#timer.unref();
  }

  /** Reads the rest, and ends what is under way with its line. */
  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.poll(Date.now());
    for (const said of this.#live.finish(Date.now())) this.#line(said);
  }

  /** Reads what is new and says what it completes (exposed for tests). */
  poll(now: number): void {
    const timeout = (name: string) => clientTimeoutS(name, this.#env);
    for (const l of this.#read()) {
      const e = liveEventOf(l);
      if (!e) continue;
      this.#first ??= e.t;
      for (const said of this.#live.push(e)) this.#line(said);
    }
    for (const said of this.#live.tick(now, timeout)) this.#line(said);
    if (this.#first !== undefined && this.#shapeMs !== undefined && now > this.#first + this.#shapeMs && now - this.#saidWaitingAt >= WAITING_EVERY_MS) {
      const waiting = this.#live.waiting(now, timeout);
      if (waiting) {
        this.#line(`the shape has ended; ${waiting}`);
        this.#saidWaitingAt = now;
      }
    }
  }

  #read(): string[] {
    let fd: number;
    try {
      if (statSync(this.#path).size < this.#offset) this.#offset = 0; // started anew
      fd = openSync(this.#path, 'r');
    } catch {
      return []; // not there yet
    }
    try {
      const buf = Buffer.alloc(1 << 20);
      let text = '';
      for (;;) {
        const n = readSync(fd, buf, 0, buf.length, this.#offset);
        if (n <= 0) break;
        this.#offset += n;
        text += buf.subarray(0, n).toString('utf8');
      }
      const lines = (this.#rest + text).split('\n');
      this.#rest = lines.pop() ?? '';
      return lines;
    } finally {
      closeSync(fd);
    }
  }
}
