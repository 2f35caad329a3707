// A run's live page: the report builder's own page (`renderLive`), fed with
// the periods measured so far and served by live-server.ts. It is rebuilt at
// most once per period and only when someone is watching, on the main thread,
// which sends no load (the workers do).
import { pathToFileURL } from 'node:url';
import { aggregate } from './core/aggregate.ts';
import type { RawPeriod } from './core/results.ts';
import { LiveServer } from './live-server.ts';

type RenderLive = (results: unknown, view: { version: string; progress: string; reportPath?: string }) => string;

export interface LiveRun {
  /** The periods so far (the plugin's own list). */
  periods: RawPeriod[];
  /** The results' hmp section as it stands (no final analysis). */
  hmp(): Record<string, unknown>;
  /** "02:30 / 25:00 (10%)" */
  progress(): string;
}

/** How long a run that has ended waits for watching pages to load its final page. */
const SETTLE_MS = 3000;

export class LivePage {
  #run: LiveRun;
  #render: RenderLive;
  #server: LiveServer;
  #final: { aggregate: Record<string, unknown>; reportPath: string } | undefined;

  private constructor(run: LiveRun, render: RenderLive) {
    this.#run = run;
    this.#render = render;
    this.#server = new LiveServer({
      version: () => `${run.periods.length}${this.#final ? '-ended' : ''}`,
      ended: () => this.#final !== undefined,
      reportFile: () => this.#final?.reportPath,
      render: (version) => this.#page(version),
    });
  }

  /** Loads the report builder's page and listens on loopback; resolves the page and its URL. */
  static async start(builder: string, port: number, run: LiveRun): Promise<{ page: LivePage; url: string }> {
    const mod = (await import(pathToFileURL(builder).href)) as { renderLive?: RenderLive };
    if (!mod.renderLive) throw new Error(`the report builder ${builder} has no live page (renderLive)`);
    const page = new LivePage(run, mod.renderLive);
    return { page, url: await page.#server.listen(port) };
  }

  /** The run has ended and its report is written: the page shows it with a link, then the server closes. */
  async end(finalAggregate: Record<string, unknown>, reportPath: string | undefined): Promise<void> {
    if (reportPath) {
      this.#final = { aggregate: finalAggregate, reportPath };
      await this.#server.settle(SETTLE_MS);
    }
    this.#server.close();
  }

  close(): void {
    this.#server.close();
  }

  #page(version: string): string {
    const periods = this.#run.periods;
    const agg = this.#final?.aggregate ?? { ...aggregate(periods), hmp: this.#run.hmp() };
    return this.#render({ aggregate: agg, intermediate: periods }, { version, progress: this.#run.progress(), reportPath: this.#final?.reportPath });
  }
}
