// Connections as uvicorn keeps them (HMP-API.md): an idle keep-alive
// connection is closed after timeout_keep_alive (5 s). uvicorn's timer is a
// callback of its event loop, so it cannot fire while a v1.0 conversion blocks
// that loop: a request that a client sends meanwhile on a connection whose
// timeout runs out during the block is still unread when the block ends, and
// the connection is closed with it unread (a TCP reset: ECONNRESET on the
// client's reused connection). Node's own keepAliveTimeout stays off: it
// would close connections during a block too, and it announces
// `Keep-Alive: timeout=5`, which uvicorn does not send and some clients act on.
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import type { ServerBlock } from './server-block.ts';

interface Connection {
  requests: number;
  /** When its last answer was sent; null while a request is in progress. */
  idleSince: number | null;
  timer?: NodeJS.Timeout;
}

const waited = new WeakMap<IncomingMessage, number>();

/** How long a request waited on arrival for a server block to end, in ms (part of its Server-Timing queue). */
export function blockedMs(raw: IncomingMessage): number {
  return waited.get(raw) ?? 0;
}

/** Every request waits here while the server is blocked; returns the count of connections reset for it. */
export function handleConnections(app: FastifyInstance, block: ServerBlock, timeoutMs: number): { readonly resets: number } {
  app.server.keepAliveTimeout = 0;
  const connections = new WeakMap<Socket, Connection>();
  const stats = { resets: 0 };

  const expire = (socket: Socket, conn: Connection, since: number) => {
    if (conn.idleSince !== since) return; // a request came meanwhile: it decides
    if (block.active) void block.passed().then(() => expire(socket, conn, since));
    else socket.destroy();
  };

  app.addHook('onRequest', async (req, reply) => {
    const socket = req.raw.socket;
    const conn = connections.get(socket) ?? { requests: 0, idleSince: null };
    connections.set(socket, conn);
    const idleSince = conn.idleSince;
    conn.requests++;
    conn.idleSince = null;
    clearTimeout(conn.timer);
    if (!block.active) return;
    const t0 = performance.now();
    await block.passed();
    const now = performance.now();
    if (conn.requests > 1 && idleSince !== null && now - idleSince > timeoutMs) {
      stats.resets++;
      reply.hijack();
      socket.resetAndDestroy();
      return;
    }
    waited.set(req.raw, now - t0);
  });

  app.addHook('onResponse', async (req) => {
    const socket = req.raw.socket;
    const conn = connections.get(socket);
    if (!conn || socket.destroyed) return;
    const since = (conn.idleSince = performance.now());
    conn.timer = setTimeout(() => expire(socket, conn, since), timeoutMs).unref();
  });

  return stats;
}
