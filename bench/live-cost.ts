// What the live page costs the load generator: the same average-test run
// twice against the twin, once without the live page and once with it while
// a watcher does what a browser on it does (polls its state every second,
// loads the page on each new period). CPU per request of the generator's
// process tree in the steady hold, both ways.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { runArtillery } from './artillery.ts';
import { steadyWindow, targetHeld, windowCost, type Cost } from './analysis.ts';
import { writeFixtures } from './fixtures.ts';
import { makeRunDir } from './run-dir.ts';
import { startBenchTwin } from './twin.ts';
import { warmUpTwin } from './warm-up.ts';
import { POLL_MS } from '../plugins/artillery-plugin-hmp/live-server.ts';

export const LIVE = { users: 60, rampS: 5, holdS: 45, thinkS: [0.5, 1.5] as const, maxExtraPct: 5 };

export interface LiveCost {
  off: Cost | undefined;
  on: Cost | undefined;
  /** (on - off) / off CPU per request, %. */
  extraPct: number | undefined;
  /** Pages the watcher loaded from the live page during the "on" run, and the bytes of the last one. */
  pages: number;
  pageBytes: number;
  notes: string[];
}

/** Polls the live page as its script does and loads it on each new version, until stopped. */
function watcher(url: string): { stop(): void; pages: () => number; bytes: () => number } {
  let stopped = false;
  let pages = 0;
  let bytes = 0;
  let version = '';
  void (async () => {
    while (!stopped) {
      try {
        const s = (await (await fetch(`${url}state?viewer=bench`)).json()) as { version: string };
        if (s.version !== version) {
          version = s.version;
          bytes = (await (await fetch(url)).text()).length;
          pages++;
        }
      } catch {} // the run has ended
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  })();
  return { stop: () => (stopped = true), pages: () => pages, bytes: () => bytes };
}

export async function liveCostSection(log: (line: string) => void, keep: boolean): Promise<LiveCost> {
  const twin = await startBenchTwin({ submissions: 20 });
  const notes: string[] = [];
  try {
    await warmUpTwin(twin.url, twin.data);
    const one = async (live: 'off' | 'on') => {
      const dir = makeRunDir(`live-${live}`, { all: ['processors/index.ts'] });
      const fixtures = await writeFixtures(join(dir, 'fixtures'));
      let watch: ReturnType<typeof watcher> | undefined;
      const { users, rampS, holdS, thinkS } = LIVE;
      const run = await runArtillery({
        script: 'phases/average.yml',
        dir,
        overrides: {
          config: {
            processor: join(dir, 'processor.ts'),
            phases: [
              { name: `ramp to ${users} users`, duration: rampS, arrivalCount: users, users },
              { name: `hold ${users} users`, pause: holdS, users },
            ],
          },
        },
        env: { HMP_TARGET: twin.url, HMP_TEST_DATA: twin.dataPath, HMP_TIME_SCALE: '1', HMP_THINK_MIN: String(thinkS[0]), HMP_THINK_MAX: String(thinkS[1]), HMP_FIXTURES_DIR: fixtures, HMP_LIVE: live },
        onLine: (line) => {
          const url = /hmp: live page: (\S+)/.exec(line)?.[1];
          if (url && !watch) watch = watcher(url);
        },
        timeoutMs: 150_000,
      });
      watch?.stop();
      if (!keep) rmSync(dir, { recursive: true, force: true });
      const win = run.results && steadyWindow(run.results.intermediate, (p) => targetHeld(p, users));
      const cost = win && windowCost(run.cpu, win);
      if (!cost) notes.push(`live ${live}: no steady window (exit ${run.code})`);
      if (live === 'on' && !watch) notes.push('live on: the run printed no live page');
      log(`live page ${live}: ${cost ? `${cost.rate.toFixed(1)} req/s, ${(cost.cpuMsPerRequest * 1000).toFixed(0)} us CPU/request over ${cost.seconds} s` : 'n/a'}${watch ? `; ${watch.pages()} pages loaded, ${(watch.bytes() / 1024).toFixed(0)} KB each` : ''}`);
      return { cost, pages: watch?.pages() ?? 0, bytes: watch?.bytes() ?? 0 };
    };
    const off = await one('off');
    const on = await one('on');
    const extraPct = off.cost && on.cost ? (100 * (on.cost.cpuMsPerRequest - off.cost.cpuMsPerRequest)) / off.cost.cpuMsPerRequest : undefined;
    return { off: off.cost, on: on.cost, extraPct, pages: on.pages, pageBytes: on.bytes, notes };
  } finally {
    await twin.stop();
  }
}
