// The live page's server: loopback only, every path behind a random token so
// other local users cannot read the run. It serves what its owner renders
// (the report page, fed with the periods so far), a small state for the
// page's poll, and the final report once written. Rendering is the owner's
// and happens at most once per version (a new period), only when watched.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LiveSource {
  /** Changes when there is something new to show (e.g. the number of periods). */
  version(): string;
  /** The page of this version (the one version() gave). */
  render(version: string): string;
  /** Whether the run has ended. */
  ended(): boolean;
  /** The final report.html once written. */
  reportFile(): string | undefined;
}

/** How long the page waits between polls (ms); the viewers' last poll older than twice this is gone. */
export const POLL_MS = 1000;

export class LiveServer {
  readonly token = randomBytes(16).toString('hex');
  #server: Server;
  #source: LiveSource;
  #cache: { version: string; html: string } | undefined;
  /** Last poll of each viewer (by the id its page keeps), ms. */
  #viewers = new Map<string, number>();
  /** Pages served since the run ended: the final page does not poll, so its load is the viewer's "seen". */
  #finalLoads = 0;

  constructor(source: LiveSource) {
    this.#source = source;
    this.#server = createServer((req, res) => this.#handle(req, res));
  }

  /** Listens on 127.0.0.1; resolves the page's URL. */
  listen(port: number): Promise<string> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, '127.0.0.1', () => {
        this.#server.unref(); // never keeps the run alive
        resolve(`http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/${this.token}/`);
      });
    });
  }

  /** Resolves once as many final pages were served as pages were watching, or after maxMs. */
  async settle(maxMs: number): Promise<void> {
    const until = Date.now() + maxMs;
    while (Date.now() < until) {
      const watching = [...this.#viewers.values()].filter((at) => Date.now() - at < 2 * POLL_MS + 500).length;
      if (this.#finalLoads >= watching) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  close(): void {
    this.#server.closeAllConnections?.();
    this.#server.close();
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const prefix = `/${this.token}/`;
    if (req.method !== 'GET' || !url.pathname.startsWith(prefix)) return this.#send(res, 404, 'text/plain', 'not found');
    const path = url.pathname.slice(prefix.length);
    try {
      if (path === '') {
        const final = this.#source.ended();
        // A final page counts once it has gone out whole: settle() must not close the server under it.
        if (final) res.once('finish', () => this.#finalLoads++);
        return this.#send(res, 200, 'text/html; charset=utf-8', this.#page());
      }
      if (path === 'state') return this.#send(res, 200, 'application/json', JSON.stringify(this.#state(url.searchParams.get('viewer'))));
      const report = this.#source.reportFile();
      if (path === 'report.html' && report) return this.#send(res, 200, 'text/html; charset=utf-8', readFileSync(report, 'utf8'));
      return this.#send(res, 404, 'text/plain', 'not found');
    } catch (err) {
      return this.#send(res, 500, 'text/plain', `the live page could not be built (${(err as Error).message.split('\n')[0]})`);
    }
  }

  #page(): string {
    const version = this.#source.version();
    if (this.#cache?.version !== version) this.#cache = { version, html: this.#source.render(version) };
    return this.#cache.html;
  }

  #state(viewer: string | null) {
    if (viewer) this.#viewers.set(viewer.slice(0, 64), Date.now());
    return { version: this.#source.version(), ended: this.#source.ended() };
  }

  #send(res: ServerResponse, status: number, type: string, body: string): void {
    res.writeHead(status, {
      'content-type': type,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
    });
    res.end(body);
  }
}
