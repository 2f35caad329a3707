// Light probes beside a test (I/O): one request every `everyMs`, sent on
// schedule whether or not the previous one answered (a stalled server shows
// as probes sent and not answered), at most `maxInFlight` at once.
//   health:    GET /health, no login (stress: did the target stop answering?)
//   projects:  GET /project/ as a test student (spike: recovery after the hold)
import { HmpClient, HmpHttpError, HmpTimeoutError } from '../../lib/hmp-client.ts';
import type { AccountRecord } from '../../lib/test-data.ts';
import type { ProbeSample } from './probe.ts';

/** One probe: resolves with the HTTP status, rejects when no answer came. */
export type ProbeRequest = (timeoutMs: number) => Promise<number>;

function reasonOf(err: unknown): string {
  if (err instanceof HmpTimeoutError) return 'timeout';
  const e = err as Error & { cause?: { code?: string; message?: string }; code?: string };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'timeout';
  return e?.cause?.code ?? e?.code ?? e?.cause?.message ?? e?.message ?? 'error';
}

/** The status of a GET; a timeout rejects with fetch's TimeoutError. */
async function get(url: string, timeoutMs: number, headers: Record<string, string> = {}): Promise<number> {
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
  await res.arrayBuffer();
  return res.status;
}

export function healthProbe(target: string): ProbeRequest {
  return (timeoutMs) => get(`${target}/health`, timeoutMs);
}

/** GET /project/ as `account`; logs in first (that request is the probe then) and again after a 401. */
export function projectsProbe(target: string, account: Pick<AccountRecord, 'id' | 'private_key'>): ProbeRequest {
  let token: string | undefined;
  return async (timeoutMs) => {
    if (!token) {
      const client = new HmpClient(target, { timeoutMs });
      try {
        token = await client.login(account.id, Buffer.from(account.private_key, 'hex'));
        return 200;
      } catch (err) {
        if (err instanceof HmpHttpError) return err.status;
        throw err;
      }
    }
    const status = await get(`${target}/project/`, timeoutMs, { authorization: `Bearer ${token}` });
    if (status === 401) token = undefined;
    return status;
  };
}

export class ProbeLoop {
  readonly samples: ProbeSample[] = [];
  #request: ProbeRequest;
  #everyMs: number;
  #timeoutMs: number;
  #maxInFlight: number;
  #timer: NodeJS.Timeout | undefined;
  #inFlight = new Set<Promise<void>>();

  constructor(request: ProbeRequest, options: { everyMs: number; timeoutMs: number; maxInFlight?: number }) {
    this.#request = request;
    this.#everyMs = options.everyMs;
    this.#timeoutMs = options.timeoutMs;
    this.#maxInFlight = options.maxInFlight ?? 20;
  }

  start(): void {
    if (this.#timer) return;
    this.#send();
    this.#timer = setInterval(() => this.#send(), this.#everyMs);
  }

  #send(): void {
    if (this.#inFlight.size >= this.#maxInFlight) return;
    const at = Date.now();
    const t0 = performance.now();
    const p = this.#request(this.#timeoutMs).then(
      (status) => {
        this.samples.push({ at, ms: Math.round((performance.now() - t0) * 10) / 10, status, error: status >= 500, reason: status >= 500 ? `status_${status}` : '' });
      },
      (err: unknown) => {
        this.samples.push({ at, ms: null, status: null, error: true, reason: reasonOf(err) });
      },
    );
    this.#inFlight.add(p);
    void p.finally(() => this.#inFlight.delete(p));
  }

  /** Stops sending and waits for the probes in flight (each ends by its timeout). */
  async stop(): Promise<ProbeSample[]> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await Promise.all([...this.#inFlight]);
    return [...this.samples].sort((a, b) => a.at - b.at);
  }
}

/** One GET /health: null when it answered (any status), else why not. */
export async function healthCheck(target: string, timeoutMs: number): Promise<string | null> {
  try {
    await get(`${target}/health`, timeoutMs);
    return null;
  } catch (err) {
    return reasonOf(err) === 'timeout' ? `no answer within ${timeoutMs / 1000} s` : reasonOf(err);
  }
}
