// A TCP proxy in front of the twin that plays a stalled server (HMP-API.md
// "Behaviour seen"): on stall() it stops answering, in one of three ways,
// until heal(). 'hang' accepts and never answers (the open connections
// freeze too, as they would in a stalled server), 'reset' resets every
// connection, '503' answers 503 to each request. `only` limits the stall to
// requests whose line matches (e.g. the admin call while /health answers).
// It reads the request line from the start of each chunk the client sends:
// good enough for the small requests of test-env, not a general HTTP parser.
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

export type StallMode = 'hang' | 'reset' | '503';

export interface StallProxy {
  url: string;
  /** Request lines ("DELETE /submission/3") forwarded to the target, in order. */
  forwarded: string[];
  /** Called with each request line before it is forwarded or stalled; may call stall(). */
  onRequest?: (line: string) => void;
  stall(mode: StallMode, only?: RegExp): void;
  heal(): void;
  close(): Promise<void>;
}

const REQUEST_LINE = /^([A-Z]+ \S+) HTTP\/1\.[01]\r\n/;
const SERVICE_UNAVAILABLE = 'HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\ncontent-length: 11\r\nconnection: close\r\n\r\noverloaded\n';

export async function startStallProxy(targetPort: number): Promise<StallProxy> {
  let stalled: { mode: StallMode; only: RegExp | undefined } | undefined;
  const sockets = new Set<Socket>();
  // Connections that answer nothing more, ever (their stream state is lost, as in a stalled server).
  const frozen = new WeakSet<Socket>();
  const freeze = (client: Socket, mode: StallMode) => {
    frozen.add(client);
    if (mode === 'reset') client.resetAndDestroy();
    if (mode === '503') client.end(SERVICE_UNAVAILABLE);
  };

  const server = createServer((client) => {
    sockets.add(client);
    client.on('error', () => {});
    let upstream: Socket | undefined;
    client.on('close', () => {
      sockets.delete(client);
      upstream?.destroy();
    });
    if (stalled && !stalled.only && stalled.mode !== '503') return freeze(client, stalled.mode);
    client.on('data', (chunk: Buffer) => {
      if (frozen.has(client)) return;
      const line = REQUEST_LINE.exec(chunk.toString('latin1'))?.[1];
      if (line !== undefined) proxy.onRequest?.(line);
      if (stalled && (!stalled.only || (line !== undefined && stalled.only.test(line)))) return freeze(client, stalled.mode);
      if (line !== undefined) proxy.forwarded.push(line);
      if (!upstream) {
        upstream = connect(targetPort, '127.0.0.1');
        upstream.on('error', () => client.destroy());
        upstream.on('data', (c: Buffer) => frozen.has(client) || client.write(c));
        upstream.on('end', () => client.end());
      }
      upstream.write(chunk);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));

  const proxy: StallProxy = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    forwarded: [],
    stall(mode, only) {
      stalled = { mode, only };
      // A stalled server answers nothing on open connections either.
      if (!only) for (const s of sockets) freeze(s, mode === '503' ? 'reset' : mode);
    },
    heal() {
      stalled = undefined;
      for (const s of sockets) if (frozen.has(s)) s.destroy(); // as a recovered server drops what it abandoned
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
  return proxy;
}
