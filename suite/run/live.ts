// The suite's live page: its report page (render.ts, with the timeline of the
// steps ended so far) built from the state on each change, served on loopback by the plugin's live server, with
// the running step's own live page linked; at the end, the suite report.
import { LiveServer } from '../../plugins/artillery-plugin-hmp/live-server.ts';
import type { LiveSettings } from '../../plugins/artillery-plugin-hmp/live-settings.ts';
import { renderSuiteHtml } from './render.ts';
import { readTimeline } from './timeline-data.ts';
import type { SuiteSummary } from './summary.ts';

/** How long the ended suite waits for watching pages to load its final page. */
const SETTLE_MS = 3000;

export class SuiteLive {
  #server: LiveServer;
  #version = 0;
  #stepPage: string | undefined;
  #reportPath: string | undefined;

  /** dir: the suite folder; summary(): the suite summary as it stands; progress(): the status line. */
  constructor(dir: string, summary: () => SuiteSummary, progress: () => string) {
    const page = (version: string) => {
      const s = summary();
      return renderSuiteHtml(s, { version, progress: progress(), reportPath: this.#reportPath, stepPage: this.#stepPage }, readTimeline(dir, s));
    };
    this.#server = new LiveServer({
      version: () => `${this.#version}${this.#reportPath ? '-ended' : ''}`,
      ended: () => this.#reportPath !== undefined,
      reportFile: () => this.#reportPath,
      render: page,
    });
  }

  /** Listens; resolves the line to print (the URL, or why there is no live page). */
  async start(live: LiveSettings): Promise<string> {
    try {
      return `suite: live page: ${await this.#server.listen(live.port)} (this suite only; --no-live switches it off)`;
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      return e.code === 'EADDRINUSE' ? `suite: no live page: port ${live.port} is in use; choose another with --live-port (0: any free port).` : `suite: no live page (${e.message}).`;
    }
  }

  /** Something changed (a step began or ended): the page reloads. */
  changed(): void {
    this.#version++;
  }

  /** The running step's own live page (undefined between steps). */
  stepPage(url: string | undefined): void {
    if (url === this.#stepPage) return;
    this.#stepPage = url;
    this.changed();
  }

  /** The suite report is written: the page shows it, then the server closes. */
  async end(reportPath: string): Promise<void> {
    this.#reportPath = reportPath;
    this.#stepPage = undefined;
    await this.#server.settle(SETTLE_MS);
    this.#server.close();
  }

  close(): void {
    this.#server.close();
  }
}
