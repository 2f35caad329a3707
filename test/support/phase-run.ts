// Runs a phase file with the real Artillery CLI, as a user would
// (`artillery run phases/<type>.yml`), with processors/index.js as the
// processor (no bundle), or with `bundle` the phase file's TypeScript path
// through a per-run entry that Artillery bundles.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundledRunDir, PROCESSOR, ROOT, runDir } from './artillery-run.ts';

export interface PhaseRun {
  code: number | null;
  stdout: string;
  stderr: string;
  dir: string;
  results: { aggregate: any; intermediate: any[] } | undefined;
}

export function runPhaseFile(
  file: string,
  opts: { env?: Record<string, string>; overrides?: Record<string, unknown>; args?: string[]; timeoutMs?: number; label?: string; bundle?: boolean } = {},
): Promise<PhaseRun> {
  const label = opts.label ?? file.replace(/\W+/g, '-');
  const dir = opts.bundle ? bundledRunDir(label) : runDir(label);
  const out = join(dir, 'out.json');
  const processor = opts.bundle ? join(dir, 'processor.ts') : PROCESSOR;
  const overrides = { ...opts.overrides, config: { ...((opts.overrides?.config as object) ?? {}), processor } };
  const args = [join(ROOT, 'node_modules/artillery/bin/run'), 'run', file, '-o', out, '--overrides', JSON.stringify(overrides), ...(opts.args ?? [])];
  const env = {
    ...process.env,
    ARTILLERY_DISABLE_TELEMETRY: '1',
    HMP_UPLOADS_LOG: join(dir, 'uploads.jsonl'),
    HMP_FIXTURES_DIR: join(dir, 'no-fixtures'),
    ...opts.env,
  };
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: ROOT, env, maxBuffer: 64 * 1024 * 1024, timeout: opts.timeoutMs ?? 240_000 }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: unknown }).code as number | null) ?? null : 0;
      const results = existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : undefined;
      resolve({ code: typeof code === 'number' ? code : null, stdout, stderr, dir, results });
    });
  });
}

/** |achieved - target| concurrent users per 10 s period (largest and mean of its 1 s samples), with the target's range. */
export function fidelity(results: PhaseRun['results']): Array<{ period: number; targetMin: number; targetMax: number; maxDeviation: number; meanDeviation: number }> {
  return (results?.intermediate ?? [])
    .filter((p) => p.summaries?.['plugins.hmp.users.deviation'])
    .map((p) => ({
      period: p.period,
      targetMin: p.summaries['plugins.hmp.users.target'].min,
      targetMax: p.summaries['plugins.hmp.users.target'].max,
      maxDeviation: p.summaries['plugins.hmp.users.deviation'].max,
      meanDeviation: p.summaries['plugins.hmp.users.deviation'].mean,
    }));
}
