// Waiting for a struggling server (HMP-API.md "Behaviour seen": after a
// stall it answered nothing, /health included, for 90-300 s, once for
// 7 min 40 s). `down` retries its work with exponential backoff until the
// server answers again or the wait limit is spent, instead of leaving the
// test data behind after one timeout. The clock and sleep are injectable,
// so the loop is tested without waiting.
import { HmpHttpError, HmpTimeoutError, HmpUnreachableError, causeCode, errorDetail } from '../lib/hmp-client.ts';
import { Failure } from './messages.ts';

export const BACKOFF = { firstMs: 1000, capMs: 30_000 } as const;
/** How often a wait says it is still waiting. */
export const PROGRESS_EVERY_MS = 30_000;
/** Per-request timeout of the readiness probe (GET /health). */
export const PROBE_TIMEOUT_MS = 5000;

// Connection-level errors a live but overloaded server causes; not, say, an unknown host or a bad certificate.
const TRANSIENT = /^(ECONN|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|UND_ERR)|other side closed|socket/i;

/** Why `err` says "overloaded, try later" (timeout, reset, refused, 5xx), or undefined if it says something else. */
export function overloadReason(err: unknown): string | undefined {
  const e = err instanceof Failure ? err.cause : err; // a login failure carries the client's error
  if (e instanceof HmpTimeoutError) return `${e.endpoint} timed out after ${fmtWait(e.timeoutMs)}`;
  if (e instanceof HmpUnreachableError && TRANSIENT.test(e.code)) return `${e.endpoint} failed: ${e.code}`;
  if (e instanceof HmpHttpError && e.status >= 500) return `${e.endpoint} answered ${e.status}: ${e.detail.slice(0, 80)}`;
  return undefined;
}

/** "5 s", "10 min", "1 min 30 s". */
export function fmtWait(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  return s % 60 === 0 ? `${s / 60} min` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

/**
 * GET /health with a short timeout: a cheap "is anyone there" before the
 * admin calls. Any answer below 500 will do (a server without /health
 * answers 404); failures are the client's errors, so overloadReason reads them.
 */
export function healthProbe(target: string, timeoutMs: number): () => Promise<void> {
  const ms = Math.min(PROBE_TIMEOUT_MS, timeoutMs);
  return async () => {
    let status: number;
    let body: string;
    try {
      const res = await fetch(`${target}/health`, { signal: AbortSignal.timeout(ms) });
      [status, body] = [res.status, await res.text()];
    } catch (err) {
      if ((err as Error).name === 'TimeoutError') throw new HmpTimeoutError(target, 'GET /health', ms);
      throw new HmpUnreachableError(target, 'GET /health', causeCode(err));
    }
    if (status >= 500) throw new HmpHttpError(status, errorDetail(body), 'GET /health');
  };
}

/** The wait limit was spent and the server still struggles; `reason` is its last answer (or silence). */
export class ServerStalled extends Error {
  readonly reason: string;
  constructor(reason: string) {
    super(`the server did not recover in time (${reason})`);
    this.name = 'ServerStalled';
    this.reason = reason;
  }
}

export interface Patience {
  limitMs: number;
  log: (line: string) => void;
  /** Resolves when the server answers at all (any status below 500). */
  probe: () => Promise<void>;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Probes, then runs `work`; while either fails with an overload answer,
 * waits (backoff with jitter, said once, then every PROGRESS_EVERY_MS) and
 * tries again, probe first. `work` must be safe to repeat. Other errors
 * pass through; `limitMs` after the first failed attempt began (one budget
 * for the whole run, however many stalls) it rejects with ServerStalled.
 */
export async function patiently<T>(work: () => Promise<T>, p: Patience): Promise<T> {
  const now = p.now ?? Date.now;
  const sleep = p.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let since: number | undefined; // when the first failed attempt began
  let said = 0;
  let delay: number = BACKOFF.firstMs;
  let started = false;
  for (;;) {
    const attempt = now();
    try {
      await p.probe();
      started = true;
      return await work();
    } catch (err) {
      const why = overloadReason(err);
      if (why === undefined) throw err;
      const t = now();
      if (since === undefined) {
        since = attempt;
        const then = started ? 'going on with the teardown (what is done stays done)' : 'tearing down';
        p.log(`the server is not answering (${why}); waiting up to ${fmtWait(p.limitMs)} for it to recover before ${then} ...`);
        said = t;
      } else if (t - said >= PROGRESS_EVERY_MS) {
        p.log(`still waiting (${fmtWait(t - since)} of ${fmtWait(p.limitMs)}): ${why}`);
        said = t;
      }
      const left = since + p.limitMs - t;
      if (left <= 0) throw new ServerStalled(why);
      await sleep(Math.min(left, delay / 2 + (Math.random() * delay) / 2));
      delay = Math.min(delay * 2, BACKOFF.capMs);
    }
  }
}
