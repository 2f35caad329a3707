// The HTTP engine's requests sent with Node's own http client instead of got.
// Artillery's engine calls `this.request(gotOptions)` and reads only a few
// things of what comes back: the 'request' event (a ClientRequest, whose
// 'response' it handles itself), 'downloadProgress' (bytes read) and the
// promise's rejection. got spends about as much CPU per request as all the
// rest of the suite (bench/README.md, "Generator cost"); this sends the same
// request on the same per-user keep-alive agent and gives the engine the same
// events, timings and errors:
//   - headers as got sends them (accept-encoding, content-length, json's content-type);
//   - got's response timeout: from the request written to the response's headers,
//     a TimeoutError with code ETIMEDOUT; other failures keep their code
//     (ECONNRESET, ECONNREFUSED ...) and say whether the socket was reused;
//   - res.timings.phases.firstByte: written -> headers, as got's (in
//     fractions of a ms: got's timer counts whole ms);
//   - redirects followed as got follows them (303 becomes a GET).
// Options only got handles (forms, cookies, basic auth, http2, TLS options
// other than rejectUnauthorized, query objects, extended timings) go to got,
// per request.
// HMP_HTTP_CLIENT=got sends everything through got.
import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';

type Listener = (arg: any) => void;
export type Requester = (options: Record<string, any>) => Promise<unknown> & { on(event: string, fn: Listener): unknown };

/** The options the lean client sends as got would; any other set option goes to got. */
const LEAN_OPTIONS = new Set([
  'url', 'method', 'headers', 'body', 'json', 'timeout', 'retry', 'followRedirect', 'decompress', 'agent', 'throwHttpErrors',
]);
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 10;

/** What got asks for when it may decompress (its own list, by what this Node supports). */
export const ACCEPT_ENCODING = ['gzip', 'deflate', ...(process.versions.brotli ? ['br'] : []), ...(process.versions.zstd ? ['zstd'] : [])].join(', ');

const GOT_USER_AGENT = 'got (https://github.com/sindresorhus/got)';

/** Whether `HMP_HTTP_CLIENT` keeps got for every request. */
export function gotChosen(env: NodeJS.ProcessEnv = process.env): boolean {
  return String(env.HMP_HTTP_CLIENT ?? '').toLowerCase() === 'got';
}

/** Whether the lean client sends these options exactly as got would. */
export function leanCanSend(o: Record<string, any>): boolean {
  for (const key in o) if (o[key] !== undefined && !LEAN_OPTIONS.has(key) && key !== 'https') return false;
  if (typeof o.url !== 'string' || !/^https?:\/\//.test(o.url)) return false;
  // The engine always passes config.tls as got's `https`: it matters to https URLs only, and of it the lean client knows rejectUnauthorized.
  if (o.url.startsWith('https:') && Object.keys(o.https ?? {}).some((k) => k !== 'rejectUnauthorized')) return false;
  return o.body === undefined || typeof o.body === 'string' || Buffer.isBuffer(o.body);
}

/** got's error shape, as the engine and the plugin read it: code, and the request's reused socket. */
export class LeanRequestError extends Error {
  code: string;
  request: { reusedSocket: boolean };
  response?: http.IncomingMessage;
  constructor(message: string, code: string, reusedSocket: boolean, name = 'RequestError', cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = name;
    this.code = code;
    this.request = { reusedSocket };
  }
}

interface Prepared {
  method: string;
  headers: Record<string, string | string[]>;
  body?: string | Buffer;
}

/** Method, headers and body as got would send them (pure). */
export function prepare(o: Record<string, any>): Prepared {
  const headers: Record<string, string | string[]> = {};
  for (const k in o.headers ?? {}) if (o.headers[k] !== undefined) headers[k.toLowerCase()] = o.headers[k];
  let body: string | Buffer | undefined = o.body;
  if (o.json !== undefined) {
    body = JSON.stringify(o.json);
    headers['content-type'] ??= 'application/json';
  }
  headers['user-agent'] ??= GOT_USER_AGENT; // the engine always sets its own
  if (o.decompress !== false) headers['accept-encoding'] ??= ACCEPT_ENCODING;
  if (body !== undefined && headers['transfer-encoding'] === undefined) headers['content-length'] ??= String(Buffer.byteLength(body));
  return { method: String(o.method ?? 'GET').toUpperCase(), headers, ...(body !== undefined ? { body } : {}) };
}

/** The next request of a redirect, or undefined when there is none to follow (pure). */
export function redirectOf(status: number, location: string | undefined, from: URL, p: Prepared): { url: URL; next: Prepared } | undefined {
  if (!REDIRECTS.has(status) || !location) return undefined;
  const url = new URL(location, from);
  const headers = { ...p.headers };
  if (url.origin !== from.origin) delete headers.authorization;
  if (status === 303 && p.method !== 'GET' && p.method !== 'HEAD') {
    delete headers['content-length'];
    delete headers['content-type'];
    return { url, next: { method: 'GET', headers } };
  }
  return { url, next: { ...p, headers } };
}

/** Sends one request of the engine's; the promise settles when its body has ended or it failed. */
export function leanRequest(o: Record<string, any>): ReturnType<Requester> {
  const onRequest: Listener[] = [];
  const onProgress: Listener[] = [];
  let settle!: (err?: Error) => void;
  const promise = new Promise<void>((resolve, reject) => {
    let settled = false;
    settle = (err) => {
      if (settled) return;
      settled = true;
      if (err) reject(err);
      else resolve();
    };
  }) as ReturnType<Requester>;
  promise.on = (event: string, fn: Listener) => {
    if (event === 'request') onRequest.push(fn);
    else if (event === 'downloadProgress') onProgress.push(fn);
    return promise;
  };
  const timeoutMs: number | undefined = o.timeout?.response;
  const followRedirect = o.followRedirect !== false;

  const send = (url: URL, p: Prepared, redirects: number): void => {
    const agents = o.agent ?? {};
    const secure = url.protocol === 'https:';
    const tls = secure && o.https?.rejectUnauthorized !== undefined ? { rejectUnauthorized: o.https.rejectUnauthorized } : {};
    const req = (secure ? https : http).request(url, { method: p.method, headers: p.headers, agent: secure ? agents.https : agents.http, ...tls });
    let written = 0;
    let timer: NodeJS.Timeout | undefined;
    const fail = (err: Error & { code?: string }, res?: http.IncomingMessage) => {
      if (timer) clearTimeout(timer);
      const e = err instanceof LeanRequestError ? err : new LeanRequestError(err.message, err.code ?? 'ERR_GOT_REQUEST_ERROR', req.reusedSocket, 'RequestError', err);
      if (res) e.response = res;
      settle(e);
    };
    req.on('error', (err) => fail(err));
    req.once('finish', () => {
      written = performance.now();
      if (timeoutMs === undefined) return;
      timer = setTimeout(() => {
        const err = new LeanRequestError(`Timeout awaiting 'response' for ${timeoutMs}ms`, 'ETIMEDOUT', req.reusedSocket, 'TimeoutError');
        fail(err);
        req.destroy(err);
      }, timeoutMs);
    });
    // Registered before the engine's own 'response' listener: the timings and the byte count are in place when it runs.
    req.once('response', (res: http.IncomingMessage & { timings?: unknown }) => {
      if (timer) clearTimeout(timer);
      const firstByte = performance.now() - written;
      res.timings = { phases: { firstByte } };
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.on('error', (err) => fail(err, res));
      res.on('aborted', () => fail(new LeanRequestError('The server aborted pending request', 'ECONNRESET', req.reusedSocket, 'ReadError'), res));
      res.once('end', () => {
        for (const fn of onProgress) fn({ percent: 1, transferred: bytes, total: bytes });
        const redirect = followRedirect ? redirectOf(res.statusCode ?? 0, res.headers.location, url, p) : undefined;
        if (!redirect) return settle();
        if (redirects >= MAX_REDIRECTS) return fail(new LeanRequestError(`Redirected ${MAX_REDIRECTS} times. Aborting.`, 'ERR_TOO_MANY_REDIRECTS', req.reusedSocket, 'MaxRedirectsError'));
        send(redirect.url, redirect.next, redirects + 1);
      });
    });
    for (const fn of onRequest) fn(req);
    req.end(p.body);
  };

  // got starts on a later tick too: the engine adds its listeners after this returns.
  process.nextTick(() => {
    try {
      send(new URL(o.url), prepare(o), 0);
    } catch (err) {
      settle(err as Error);
    }
  });
  return promise;
}

/** Requests sent by each client in this thread (a test checks the engine's real options go lean). */
export const sentBy = { lean: 0, got: 0 };

/** got for what only got sends, the lean client for the rest. */
export function leanOrGot(got: Requester): Requester {
  const requester = (o: Record<string, any>) => {
    if (!leanCanSend(o)) {
      sentBy.got++;
      return got(o);
    }
    sentBy.lean++;
    return leanRequest(o);
  };
  return Object.assign(requester, { hmpLean: true });
}

interface EngineLike {
  request?: Requester & { hmpLean?: boolean };
  extendedHTTPMetrics?: boolean;
}

/** Puts the lean client in front of got on this engine instance (once); got stays for extended timings or HMP_HTTP_CLIENT=got. */
export function useLeanClient(engine: EngineLike, env: NodeJS.ProcessEnv = process.env): void {
  const got = engine.request;
  if (!got || got.hmpLean || engine.extendedHTTPMetrics || gotChosen(env)) return;
  engine.request = leanOrGot(got);
}
