// Requests the suite sends with fetch instead of Artillery's HTTP engine: the
// binary downloads (download.ts) and the retry after a re-login (relogin.ts).
// Each is reported in the metrics the engine and metrics-by-endpoint write
// for their own requests, so a run's totals, status codes and per-endpoint
// percentiles include it:
//   http.requests, http.request_rate, http.responses, http.codes.<status>,
//   http.response_time (+ .2xx ...), http.downloaded_bytes, errors.<code>
//   plugins.metrics-by-endpoint.response_time.<name> (ms to the headers),
//   .<name>.codes.<status>, .server-timing.<name>, .<name>.errors.<code>
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { causeCode } from '../lib/hmp-client.ts';
import { count, histogram, metric, recordFailure } from './metrics.ts';
import type { Ee, VuContext } from './types.ts';
import type { Reply } from './validate.ts';
import { ARTILLERY, metric as names } from '../plugins/artillery-plugin-hmp/core/metric-names.ts';
import { connectionClass } from '../plugins/artillery-plugin-hmp/core/connection-errors.ts';
import { requestEnded, requestSent } from '../plugins/artillery-plugin-hmp/request-log.ts';

export interface Exchange {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  /** Client timeout for the whole exchange, seconds. */
  timeoutS: number;
  /** Hash the body as it arrives (Reply.md5): at the end, 5 MB would be ~7 ms of MD5 in one go. */
  md5?: boolean;
}

/** Sees each answered exchange's time to headers and the server's own total (the bench's probe). */
export type TimingObserver = (name: string, clientMs: number, serverMs: number | undefined) => void;

const observers = new Set<TimingObserver>();

/** Adds an observer; returns its removal. */
export function observeTimings(fn: TimingObserver): () => void {
  observers.add(fn);
  return () => observers.delete(fn);
}

/**
 * Loads Node's fetch (undici) now: it loads on first use, a ~50 ms stall
 * that would land mid-run on the first download. Touching `Response` loads
 * the same module.
 */
export function warmUpFetch(): void {
  void globalThis.Response;
}

/** The `total;dur=` of a Server-Timing header (the first, as metrics-by-endpoint reads it); the bench reads it too. */
export function serverTimingTotal(header: string | string[] | null | undefined): number | undefined {
  const text = Array.isArray(header) ? header.join(',') : header;
  const m = text ? /total;dur=([0-9.]+)/i.exec(text) : null;
  return m ? Number(m[1]) : undefined;
}

/** An answered exchange, in the engine's and metrics-by-endpoint's families. */
export function recordAnswer(ee: Ee, name: string, ms: number, status: number, serverMs: number | undefined): void {
  count(ee, `${ARTILLERY.codePrefix}${status}`);
  count(ee, ARTILLERY.responses);
  histogram(ee, ARTILLERY.responseTime, ms);
  if (status >= 200 && status < 600) histogram(ee, `${ARTILLERY.responseTime}.${Math.floor(status / 100)}xx`, ms);
  histogram(ee, metric.responseTime(name), ms);
  count(ee, metric.code(name, status));
  if (serverMs !== undefined) histogram(ee, metric.serverTiming(name), serverMs);
}

function isAbort(err: unknown): boolean {
  return err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
}

/** Whether the failed request went on a kept-alive connection: undici's socket error tells what the socket had read before. */
function reusedOf(err: unknown): boolean | undefined {
  const bytesRead = (err as { cause?: { socket?: { bytesRead?: unknown } } })?.cause?.socket?.bytesRead;
  return typeof bytesRead === 'number' ? bytesRead > 0 : undefined;
}

/** No answer (or the body broke off): counted like the engine's errors; the session fails. */
function recordNoAnswer(ee: Ee, context: VuContext, name: string, x: Exchange, err: unknown): void {
  const code = isAbort(err) ? 'ETIMEDOUT' : causeCode(err);
  count(ee, names.connection(connectionClass(code, reusedOf(err))));
  count(ee, `errors.${code}`);
  count(ee, metric.endpointError(name, code));
  recordFailure(ee, context, name, code === 'ETIMEDOUT' ? 'timeout' : code, `${x.method} ${x.url}: ${code}`);
}

async function readBody(res: Response, hashIt: boolean): Promise<{ bytes: Buffer; md5?: string }> {
  if (!hashIt || !res.body) return { bytes: Buffer.from(await res.arrayBuffer()) };
  const hash = createHash('md5');
  const chunks: Uint8Array[] = [];
  for await (const chunk of res.body) {
    hash.update(chunk);
    chunks.push(chunk);
  }
  return { bytes: Buffer.concat(chunks), md5: hash.digest('hex') };
}

/** Sends `x`, reported as `name`; the whole reply, or undefined when there was none (recorded). */
export async function send(x: Exchange, name: string, context: VuContext, ee: Ee): Promise<Reply | undefined> {
  count(ee, ARTILLERY.requests);
  ee.emit('rate', ARTILLERY.requestRate);
  const signal = AbortSignal.timeout(x.timeoutS * 1000);
  const t0 = performance.now();
  const logged = requestSent(name, x.method, x.url);
  let answered = false;
  try {
    const res = await fetch(x.url, { method: x.method, headers: x.headers, body: x.body, signal });
    const ms = performance.now() - t0;
    answered = true;
    requestEnded(logged, 'a', res.status);
    const serverMs = serverTimingTotal(res.headers.get('server-timing'));
    recordAnswer(ee, name, ms, res.status, serverMs);
    for (const observe of observers) observe(name, ms, serverMs);
    const { bytes, md5 } = await readBody(res, x.md5 === true);
    count(ee, ARTILLERY.downloadedBytes, bytes.length);
    return { status: res.status, contentType: res.headers.get('content-type') ?? '', bytes, ...(md5 ? { md5 } : {}) };
  } catch (err) {
    if (!answered) requestEnded(logged, isAbort(err) ? 't' : 'x', isAbort(err) ? 'timeout' : connectionClass(causeCode(err), reusedOf(err)));
    recordNoAnswer(ee, context, name, x, err);
    return undefined;
  }
}
