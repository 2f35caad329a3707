// One answer of the server as the preflight keeps it: status, type and the
// start of the body (I/O: one fetch with a timeout).

export type Answer = { status: number; type: string; text: string } | { error: string };

/** GET or POST `path`; never throws: no answer is an `error` in words. */
export async function ask(target: string, path: string, init: { method?: string; json?: unknown; timeoutMs?: number } = {}): Promise<Answer> {
  const timeoutMs = init.timeoutMs ?? 5000;
  try {
    const res = await fetch(`${target}${path}`, {
      method: init.method ?? 'GET',
      headers: init.json === undefined ? {} : { 'content-type': 'application/json' },
      body: init.json === undefined ? undefined : JSON.stringify(init.json),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    return { status: res.status, type: (res.headers.get('content-type') ?? '').split(';')[0]!.trim(), text: text.slice(0, 100_000) };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    return { error: e.name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : (e.cause?.code ?? e.cause?.message ?? e.message) };
  }
}

/** "404 text/html ("<!DOCTYPE HTML>...")": an answer in a few words. */
export function answerWords(a: Answer): string {
  if ('error' in a) return `got no answer (${a.error})`;
  const body = a.text.replace(/\s+/g, ' ').trim();
  const quoted = body ? ` ("${body.length > 40 ? `${body.slice(0, 40)}...` : body}")` : '';
  return `answered ${a.status}${a.type ? ` ${a.type}` : ''}${quoted}`;
}

export function jsonOf(a: Answer): unknown {
  if ('error' in a) return undefined;
  try {
    return JSON.parse(a.text);
  } catch {
    return undefined;
  }
}
