// Requests the suite sends itself instead of through Artillery's HTTP engine:
// the binary downloads (download.ts) and the retry after a re-login
// (relogin.ts). Node's http client on the user's own keep-alive agent, as the
// engine's requests (not fetch: its Request, Response, Headers and web
// streams cost ~0.25 ms more per request, and its own connection pool would
// give a user a second connection).
// Each is reported in the metrics the engine and metrics-by-endpoint write
// for their own requests, so a run's totals, status codes and per-endpoint
// percentiles include it:
//   http.requests, http.request_rate, http.responses, http.codes.<status>,
//   http.response_time (+ .2xx ...), http.downloaded_bytes, errors.<code>
//   plugins.metrics-by-endpoint.response_time.<name> (ms to the headers),
//   .<name>.codes.<status>, .server-timing.<name>, .<name>.errors.<code>
import { createHash } from 'node:crypto';
import { Agent as HttpAgent, request as httpRequest, type Agent, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { performance } from 'node:perf_hooks';
import { causeCode } from '../lib/hmp-client.ts';
import { count, histogram, metric, recordFailure } from './metrics.ts';
import type { Ee, VuContext } from './types.ts';
import type { Reply } from './validate.ts';
import { ARTILLERY, metric as names } from '../plugins/artillery-plugin-hmp/core/metric-names.ts';
import { connectionClass } from '../plugins/artillery-plugin-hmp/core/connection-errors.ts';
import { requestEnded, requestSent } from '../plugins/artillery-plugin-hmp/request-log.ts';

/** The engine's user agent (its requests send it): one client in the server's logs. */
const USER_AGENT = 'Artillery (https://artillery.io)';

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

/** Whether the failed request went on a kept-alive connection (the request's own reusedSocket). */
function reusedOf(err: unknown): boolean | undefined {
  const reused = (err as NoAnswer | undefined)?.reused;
  return typeof reused === 'boolean' ? reused : undefined;
}

/** No answer (or the body broke off): counted like the engine's errors; the session fails. */
function recordNoAnswer(ee: Ee, context: VuContext, name: string, x: Exchange, err: unknown): void {
  const code = isAbort(err) ? 'ETIMEDOUT' : causeCode(err);
  count(ee, names.connection(connectionClass(code, reusedOf(err))));
  count(ee, `errors.${code}`);
  count(ee, metric.endpointError(name, code));
  recordFailure(ee, context, name, code === 'ETIMEDOUT' ? 'timeout' : code, `${x.method} ${x.url}: ${code}`);
}

interface Answer {
  res: IncomingMessage;
  /** ms from the start of the exchange to the response's headers. */
  ms: number;
  body: Promise<{ bytes: Buffer; md5?: string }>;
}

type NoAnswer = Error & { code?: string; reused?: boolean };

/** The user's own keep-alive agent (the engine's, one connection per user), else one of this thread's. */
function agentOf(context: VuContext, secure: boolean): Agent {
  const own = (context as VuContext & { _httpAgent?: Agent; _httpsAgent?: Agent })[secure ? '_httpsAgent' : '_httpAgent'];
  return own ?? (secure ? (sharedHttps ??= new HttpsAgent({ keepAlive: true })) : (sharedHttp ??= new HttpAgent({ keepAlive: true })));
}
let sharedHttp: Agent | undefined;
let sharedHttps: Agent | undefined;

/**
 * One exchange with Node's http client on the user's agent: resolves at the
 * response's headers; the body follows (hashed as it arrives when asked).
 * The whole exchange, body included, must end within x.timeoutS.
 */
function exchange(x: Exchange, context: VuContext): Promise<Answer> {
  const t0 = performance.now();
  const url = new URL(x.url);
  const secure = url.protocol === 'https:';
  const headers: Record<string, string> = { 'user-agent': USER_AGENT, ...x.headers };
  if (x.body !== undefined) headers['content-length'] = String(Buffer.byteLength(x.body));
  const req = (secure ? httpsRequest : httpRequest)(url, { method: x.method, headers, agent: agentOf(context, secure) });
  let fail: (err: NoAnswer) => void = () => {};
  const timer = setTimeout(() => {
    const err: NoAnswer = Object.assign(new Error(`no answer within ${x.timeoutS} s`), { name: 'TimeoutError', code: 'ETIMEDOUT' });
    fail(err);
    req.destroy(err);
  }, x.timeoutS * 1000);
  return new Promise<Answer>((resolve, reject) => {
    fail = (err) => {
      clearTimeout(timer);
      err.reused ??= req.reusedSocket;
      reject(err);
    };
    req.on('error', (err) => fail(err));
    req.on('response', (res) => {
      const ms = performance.now() - t0;
      const body = new Promise<{ bytes: Buffer; md5?: string }>((done, broke) => {
        fail = (err) => {
          clearTimeout(timer);
          broke(err);
        };
        const hash = x.md5 ? createHash('md5') : undefined;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => {
          hash?.update(chunk);
          chunks.push(chunk);
        });
        res.on('error', (err) => fail(err));
        res.on('end', () => {
          clearTimeout(timer);
          done({ bytes: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks), ...(hash ? { md5: hash.digest('hex') } : {}) });
        });
      });
      body.catch(() => {}); // awaited by send; a body never read must not be an unhandled rejection
      resolve({ res, ms, body });
    });
    req.end(x.body);
  });
}

/** Sends `x`, reported as `name`; the whole reply, or undefined when there was none (recorded). */
export async function send(x: Exchange, name: string, context: VuContext, ee: Ee): Promise<Reply | undefined> {
  count(ee, ARTILLERY.requests);
  ee.emit('rate', ARTILLERY.requestRate);
  const logged = requestSent(name, x.method, x.url);
  let answered = false;
  try {
    const { res, ms, body } = await exchange(x, context);
    const status = res.statusCode ?? 0;
    answered = true;
    requestEnded(logged, 'a', status);
    const serverMs = serverTimingTotal(res.headers['server-timing']);
    recordAnswer(ee, name, ms, status, serverMs);
    for (const observe of observers) observe(name, ms, serverMs);
    const { bytes, md5 } = await body;
    count(ee, ARTILLERY.downloadedBytes, bytes.length);
    return { status, contentType: res.headers['content-type'] ?? '', bytes, ...(md5 ? { md5 } : {}) };
  } catch (err) {
    if (!answered) requestEnded(logged, isAbort(err) ? 't' : 'x', isAbort(err) ? 'timeout' : connectionClass(causeCode(err), reusedOf(err)));
    recordNoAnswer(ee, context, name, x, err);
    return undefined;
  }
}
