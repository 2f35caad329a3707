// Runs the real Artillery CLI (node_modules/artillery/bin/run on this
// Node) with telemetry off, samples the CPU of its process tree, and reads
// its -o results.
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CpuSampler, type CpuSample } from './proc.ts';
import { ROOT } from './run-dir.ts';
import type { Period as AnyPeriod, Results as AnyResults, Summary } from '../plugins/artillery-plugin-hmp/core/results.ts';

/** A period of a run the bench just made: Artillery wrote its start, counters and summaries. */
export type Period = AnyPeriod<Summary> & Required<Pick<AnyPeriod<Summary>, 'period' | 'counters' | 'summaries'>>;
export type Results = AnyResults<Period>;

export interface ArtilleryRun {
  code: number | null;
  stdout: string;
  stderr: string;
  results: Results | undefined;
  cpu: CpuSample[];
}

export interface ArtilleryOptions {
  /** Script path (relative to the project, or absolute). */
  script: string;
  dir: string;
  overrides?: Record<string, unknown>;
  env?: Record<string, string>;
  /** Killed (SIGINT, then SIGKILL) after this long. */
  timeoutMs: number;
  /** A line of Artillery's stdout as it arrives. */
  onLine?: (line: string) => void;
  /** Extra Node options for the Artillery process (e.g. --cpu-prof). */
  nodeArgs?: string[];
}

export function runArtillery(opts: ArtilleryOptions): Promise<ArtilleryRun> {
  const out = join(opts.dir, 'out.json');
  const args = [...(opts.nodeArgs ?? []), join(ROOT, 'node_modules/artillery/bin/run'), 'run', opts.script, '-o', out];
  if (opts.overrides) args.push('--overrides', JSON.stringify(opts.overrides));
  const env = {
    ...process.env,
    ARTILLERY_DISABLE_TELEMETRY: '1',
    HMP_UPLOADS_LOG: join(opts.dir, 'uploads.jsonl'),
    HMP_FIXTURES_DIR: join(opts.dir, 'no-fixtures'),
    // The plugin's report folder goes with the run folder, not into reports/.
    HMP_REPORTS_DIR: join(opts.dir, 'reports'),
    ...opts.env,
  };
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const sampler = new CpuSampler(child.pid!);
  let stdout = '';
  let stderr = '';
  let partial = '';
  child.stdout.on('data', (b: Buffer) => {
    const text = b.toString();
    stdout += text;
    appendFileSync(join(opts.dir, 'stdout.txt'), text);
    if (!opts.onLine) return;
    const lines = (partial + text).split('\n');
    partial = lines.pop()!;
    for (const l of lines) opts.onLine(l);
  });
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const timer = setTimeout(() => {
    child.kill('SIGINT');
    setTimeout(() => child.exitCode === null && child.kill('SIGKILL'), 15_000).unref();
  }, opts.timeoutMs);
  return new Promise((resolve) => {
    child.on('exit', (code) => {
      clearTimeout(timer);
      const cpu = sampler.stop();
      const results = existsSync(out) ? (JSON.parse(readFileSync(out, 'utf8')) as Results) : undefined;
      resolve({ code, stdout, stderr, results, cpu });
    });
  });
}

/** The last lines of a run's output, for an error message. */
export function tail(run: Pick<ArtilleryRun, 'stdout' | 'stderr'>, lines = 15): string {
  return `${run.stdout}\n${run.stderr}`.trim().split('\n').slice(-lines).join('\n');
}
