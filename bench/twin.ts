// The HMP twin for a benchmark: in its own process (so the generator's CPU
// is measured alone), on a free loopback port, with the bench's event-loop
// probe preloaded, seeded with test-env as a user would (the same local
// target a run with no target gets: twin/local-target.ts).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestData } from '../lib/test-data.ts';
import { startLocalTarget, type LocalTarget } from '../twin/local-target.ts';
import { ROOT } from './run-dir.ts';

export interface BenchTwin extends Pick<LocalTarget, 'url' | 'pid' | 'dataPath'> {
  /** The test data the twin was seeded with (dataPath's content). */
  data: TestData;
  /** The twin's event-loop delay, JSON lines (twin-probe.ts). */
  probePath: string;
  stop(): Promise<void>;
}

/** Starts and seeds a twin; `submissions` historical submissions as test-env uploads them. */
export async function startBenchTwin(opts: { submissions?: number } = {}): Promise<BenchTwin> {
  const dir = mkdtempSync(join(tmpdir(), 'hmp-bench-twin-'));
  const probePath = join(dir, 'twin-probe.jsonl');
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  const target = await startLocalTarget({
    submissions: opts.submissions,
    preload: [join(ROOT, 'bench/twin-probe.ts')],
    env: { BENCH_TWIN_PROBE: probePath },
    timeoutMs: 20_000,
  }).catch((err: unknown) => {
    removeDir();
    throw err;
  });
  const stop = async () => {
    await target.stop();
    removeDir();
  };
  const data = JSON.parse(readFileSync(target.dataPath, 'utf8')) as TestData;
  return { url: target.url, pid: target.pid, dataPath: target.dataPath, data, probePath, stop };
}

export interface ProbeLine {
  at: number;
  p99: number;
  max: number;
}

/** The twin's per-second loop-delay lines within [from, to]. */
export function twinProbe(path: string, from: number, to: number): ProbeLine[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as ProbeLine)
    .filter((l) => l.at >= from && l.at <= to);
}
