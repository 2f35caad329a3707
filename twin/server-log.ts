// The twin's log, written the way uvicorn writes HMP's (`--log-file PATH`):
// one access line per answered request, a traceback block before each 500
// (its last line the exception, the DB pool's `QueuePool limit ... reached`
// when the pool is exhausted), and nothing for a connection reset unanswered,
// as a server that never finished the request logs nothing. The frames are
// the twin's own stack, the exception types those HMP's stack would raise.
// Lines are written synchronously (O_APPEND): a process killed the next
// instant (a crash fault) has lost none, and its successor appends its own.
import { closeSync, openSync, writeSync } from 'node:fs';
import { STATUS_CODES } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';

const failures = new WeakMap<object, Error>();

/** Marks the error a request failed with (its answer is a 500): the log writes its traceback. */
export function failedWith(req: FastifyRequest, err: Error): void {
  failures.set(req.raw, err);
}

/** The Python type HMP's stack would raise for a twin error. */
function pythonType(err: Error): string {
  const own = (err as { pythonType?: unknown }).pythonType;
  if (typeof own === 'string') return own;
  if (/QueuePool limit/.test(err.message)) return 'sqlalchemy.exc.TimeoutError';
  if (err.constructor.name === 'InjectedFault') return 'RuntimeError';
  return 'Exception';
}

function traceback(err: Error): string[] {
  const frames = (err.stack ?? '')
    .split('\n')
    .slice(1, 5)
    .map((l) => /\(?(?:file:\/\/)?([^()\s]+):(\d+):\d+\)?$/.exec(l.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .flatMap((m) => [`  File "${m[1]}", line ${m[2]}, in handler`, '    (twin)']);
  const message = /QueuePool limit/.test(err.message) ? `${err.message} (Background on this error at: https://sqlalche.me/e/20/3o7r)` : err.message;
  return ['ERROR:    Exception in ASGI application', 'Traceback (most recent call last):', ...frames, `${pythonType(err)}: ${message}`];
}

export interface TwinLog {
  /** Lines written so far, by kind (the tests compare them with what the suite read). */
  readonly written: { access: number; tracebacks: number; pool: number };
  /** uvicorn's last start-up line, once the server listens at `url`. */
  listening(url: string): void;
  close(): Promise<void>;
}

/** Writes the log of every answered request to `path` (appended). */
export function writeServerLog(app: FastifyInstance, path: string): TwinLog {
  let fd: number | undefined = openSync(path, 'a');
  const write = (text: string) => {
    if (fd !== undefined) writeSync(fd, text);
  };
  const written = { access: 0, tracebacks: 0, pool: 0 };
  write(`INFO:     Started server process [${process.pid}]\nINFO:     Waiting for application startup.\nINFO:     Application startup complete.\n`);
  app.addHook('onResponse', async (req, reply) => {
    const status = reply.statusCode;
    const err = failures.get(req.raw);
    let text = '';
    if (status === 500 && err) {
      text += `${traceback(err).join('\n')}\n`;
      written.tracebacks++;
      if (/QueuePool limit/.test(err.message)) written.pool++;
    }
    const addr = `${req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '-'}:${req.socket.remotePort ?? 0}`;
    text += `INFO:     ${addr} - "${req.method} ${req.url} HTTP/${req.raw.httpVersion}" ${status} ${STATUS_CODES[status] ?? ''}\n`;
    written.access++;
    write(text);
  });
  return {
    written,
    listening: (url) => write(`INFO:     Uvicorn running on ${url} (Press CTRL+C to quit)\n`),
    close: async () => {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}
