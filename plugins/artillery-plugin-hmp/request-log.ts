// The run's logs (worker side; the main thread sets both paths):
// - HMP_REQUESTS_LOG: one line when a request is sent and one when it ends,
//   appended about once a second, for the stall analysis (core/stalls.ts).
//   Starts are logged apart from ends so a request never answered is seen;
//   an end carries the status or the connection class (the diagnosis).
// - HMP_ERRORS_LOG: the server's own words for each kind of error, for the
//   report: the first message per endpoint and reason, one JSON line each.
//   Counts come from the metrics.
import { appendFileSync } from 'node:fs';
import { threadId } from 'node:worker_threads';

const FLUSH_MS = 1000;
let lines: string[] = [];
let timer: NodeJS.Timeout | undefined;
let seq = 0;

/** HMP_REQUESTS_LOG, read once per thread (the main thread sets it before the workers start): not twice per request. */
let logPath: string | undefined;
const requestsLog = (): string => (logPath ??= process.env.HMP_REQUESTS_LOG ?? '');

function flush(): void {
  const path = requestsLog();
  if (!path || lines.length === 0) return;
  const text = `${lines.join('\n')}\n`;
  lines = [];
  try {
    appendFileSync(path, text);
  } catch {} // the analysis then says what it lacks; the run goes on
}

function push(line: string): void {
  if (!requestsLog()) return;
  lines.push(line);
  if (!timer) {
    timer = setInterval(flush, FLUSH_MS);
    timer.unref();
    process.once('exit', flush);
  }
}

/** "http://h/submission/42/hash?x=1" -> "/submission/{id}/hash": one label per endpoint, not per id. */
export function pathLabel(url: string): string {
  // String slicing, not new URL(): it runs for every request.
  const scheme = url.indexOf('://');
  const start = scheme < 0 ? 0 : url.indexOf('/', scheme + 3);
  if (start < 0) return '/';
  let end = url.length;
  for (const stop of ['?', '#']) {
    const i = url.indexOf(stop, start);
    if (i >= 0 && i < end) end = i;
  }
  return (url.slice(start, end) || '/').replace(/\/(\d+|[0-9a-f]{8}-[0-9a-f-]{27})(?=\/|$)/gi, '/{id}');
}

/** Logs a request sent now; returns its id for requestEnded. */
export function requestSent(name: string, method: string, url: string): string {
  const id = `${threadId}.${++seq}`;
  push(`s ${id} ${Date.now()} ${name} ${method.toUpperCase()} ${pathLabel(url)}`);
  return id;
}

/**
 * a: answered (headers came), with its status; t: the client gave up waiting;
 * x: no answer, with its connection class (reset_reused, refused...). The
 * detail lets the diagnosis place every failure in time, not only per period.
 */
export function requestEnded(id: string, end: 'a' | 't' | 'x', detail?: string | number): void {
  push(detail === undefined ? `e ${id} ${Date.now()} ${end}` : `e ${id} ${Date.now()} ${end} ${detail}`);
}

const sampled = new Set<string>();

export function logErrorSample(endpoint: string, reason: string, message: string): void {
  const path = process.env.HMP_ERRORS_LOG;
  const key = `${endpoint}\u0000${reason}`;
  if (!path || sampled.has(key)) return;
  sampled.add(key);
  const status = /^status_(\d{3})$/.exec(reason)?.[1];
  const line = { endpoint, reason, ...(status ? { status: Number(status) } : {}), message: message.slice(0, 500), at: Date.now() };
  try {
    appendFileSync(path, `${JSON.stringify(line)}\n`);
  } catch {} // a sample is a nicety: never fail a request over it
}
