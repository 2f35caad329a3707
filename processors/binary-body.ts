// Raw bytes of binary responses. Artillery's HTTP engine turns every body
// into a string (`body += chunk`), which corrupts CBOR and the submission
// content; the same chunks are collected here from the engine's
// `trace:http:response` event, for the requests that asked for it.
import type { ArtilleryResponse, Ee, RequestParams } from './types.ts';

interface Readable {
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
}

const wanted = new Map<string, Buffer[]>();
const listening = new WeakSet<Ee>();

function listen(ee: Ee): void {
  if (listening.has(ee)) return;
  listening.add(ee);
  ee.on('trace:http:response', (res: Readable, uuid: string) => {
    const chunks = wanted.get(uuid);
    if (chunks) res.on('data', (chunk) => chunks.push(Buffer.from(chunk)));
  });
  // A request that got no answer leaves nothing behind.
  ee.on('trace:http:error', (_err: unknown, uuid: string) => wanted.delete(uuid));
}

/** Asks for the raw bytes of this request's response (call from a beforeRequest hook). */
export function wantRawBody(req: RequestParams, ee: Ee): void {
  listen(ee);
  wanted.set(req.uuid, []);
}

/** The raw bytes collected for this request (once), else the engine's string as UTF-8. */
export function takeRawBody(req: RequestParams, res: ArtilleryResponse): Buffer {
  const chunks = wanted.get(req.uuid);
  wanted.delete(req.uuid);
  return chunks ? Buffer.concat(chunks) : Buffer.from(res.body ?? '', 'utf8');
}

/** Requests waiting for their bytes (for tests: nothing may leak). */
export function pendingRawBodies(): number {
  return wanted.size;
}
