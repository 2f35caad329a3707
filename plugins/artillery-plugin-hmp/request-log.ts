// The run's request log (worker side): one line when a request is sent and
// one when it ends, appended to HMP_REQUESTS_LOG (the main thread sets it)
// about once a second, for the stall analysis (core/stalls.ts). Starts are
// logged apart from ends so a request the server never answered is seen.
import { appendFileSync } from 'node:fs';
import { threadId } from 'node:worker_threads';

const FLUSH_MS = 1000;
let lines: string[] = [];
let timer: NodeJS.Timeout | undefined;
let seq = 0;

function flush(): void {
  const path = process.env.HMP_REQUESTS_LOG;
  if (!path || lines.length === 0) return;
  const text = `${lines.join('\n')}\n`;
  lines = [];
  try {
    appendFileSync(path, text);
  } catch {} // the analysis then says what it lacks; the run goes on
}

function push(line: string): void {
  if (!process.env.HMP_REQUESTS_LOG) return;
  lines.push(line);
  if (!timer) {
    timer = setInterval(flush, FLUSH_MS);
    timer.unref();
    process.once('exit', flush);
  }
}

/** "/submission/42/hash?x=1" -> "/submission/{id}/hash": one label per endpoint, not per id. */
export function pathLabel(url: string): string {
  let path = url;
  try {
    path = new URL(url, 'http://x').pathname;
  } catch {}
  return path.replace(/\/(\d+|[0-9a-f]{8}-[0-9a-f-]{27})(?=\/|$)/gi, '/{id}');
}

/** Logs a request sent now; returns its id for requestEnded. */
export function requestSent(name: string, method: string, url: string): string {
  const id = `${threadId}.${++seq}`;
  push(`s ${id} ${Date.now()} ${name} ${method.toUpperCase()} ${pathLabel(url)}`);
  return id;
}

/** a: answered (headers came); t: the client gave up waiting; x: no answer (reset, refused...). */
export function requestEnded(id: string, end: 'a' | 't' | 'x'): void {
  push(`e ${id} ${Date.now()} ${end}`);
}
