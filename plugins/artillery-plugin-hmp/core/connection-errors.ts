// Requests that got no answer, by what happened to the connection (pure):
// the classes the report explains in one sentence each. They stay
// user-visible errors of their endpoint; this only says why.

export const CONNECTION_CLASSES = ['reset_reused', 'reset_fresh', 'reset', 'refused', 'timeout', 'other'] as const;
export type ConnectionClass = (typeof CONNECTION_CLASSES)[number];

const TIMEOUT = /^(E(SOCKET)?TIMEDOUT|UND_ERR_(HEADERS|BODY|CONNECT)_TIMEOUT|TimeoutError|AbortError)$/;

/** code: the error's code (ECONNRESET ...); reused: whether the request went on a kept-alive connection (undefined: not known). */
export function connectionClass(code: string, reused: boolean | undefined): ConnectionClass {
  if (TIMEOUT.test(code)) return 'timeout';
  if (code === 'ECONNREFUSED') return 'refused';
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET') return reused === undefined ? 'reset' : reused ? 'reset_reused' : 'reset_fresh';
  return 'other';
}

export const CONNECTION_CLASS_TEXT: Record<ConnectionClass, string> = {
  reset_reused:
    'reset on a reused keep-alive connection: the server closed a connection whose request it had not read, typically after it was blocked for longer than its keep-alive timeout (uvicorn: 5 s).',
  reset_fresh: 'reset on a new connection: the server (or something in front of it) dropped the connection before answering: a crash, a full accept queue, or a proxy giving up.',
  reset: 'connection reset: the server closed the connection before answering (whether it was a reused one is not known for this request).',
  refused: 'connection refused: nothing was listening on the port (the server was down or restarting).',
  timeout: 'client timeout: no answer came within the client timeout (the server was stalled or too slow).',
  other: 'other network errors (see errors.<code> in the results).',
};
