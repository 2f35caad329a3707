// Runs `npm run suite` (tools/suite.ts) as a user would, for the suite's end-to-end tests.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SuiteState } from '../../suite/run/state.ts';
import type { SuiteSummary } from '../../suite/run/summary.ts';
import { ROOT } from './artillery-run.ts';

export interface SuiteRun {
  code: number | null;
  stdout: string;
  stderr: string;
  dir: string;
  summary: SuiteSummary;
  state: SuiteState;
}

/** Runs tools/suite.ts (as `npm run suite` does) with plain progress lines; `onLine` sees stderr lines as they come. */
export function suite(args: string[], opts: { env?: Record<string, string>; out: string; onLine?: (line: string, kill: (sig: NodeJS.Signals) => void) => void; resume?: string }): Promise<SuiteRun> {
  const argv = opts.resume ? ['--resume', opts.resume, '--plain'] : [...args, '--plain', '--out', opts.out];
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', join(ROOT, 'tools', 'suite.ts'), ...argv], {
    cwd: ROOT,
    env: { ...process.env, ARTILLERY_DISABLE_TELEMETRY: '1', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let partial = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    partial += d.toString();
    let i: number;
    while ((i = partial.indexOf('\n')) >= 0) {
      const line = partial.slice(0, i);
      partial = partial.slice(i + 1);
      opts.onLine?.(line, (sig) => child.kill(sig));
    }
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
  return new Promise((resolve, reject) => {
    child.once('close', (code) => {
      clearTimeout(timer);
      const m = /suite report: (\S+)\/suite-report\.html/.exec(stdout);
      if (!m) {
        reject(new Error(`no suite report (exit ${code}):\n${stdout.slice(-2000)}\n${stderr.slice(-4000)}`));
        return;
      }
      const dir = m[1]!;
      resolve({
        code,
        stdout,
        stderr,
        dir,
        summary: JSON.parse(readFileSync(join(dir, 'suite-summary.json'), 'utf8')) as SuiteSummary,
        state: JSON.parse(readFileSync(join(dir, 'suite-state.json'), 'utf8')) as SuiteState,
      });
    });
  });
}

export function outDir(label: string): string {
  const dir = join(ROOT, 'test-artifacts', `suite-run-${label}-${process.pid}-${randomBytes(3).toString('hex')}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

export const why = (r: SuiteRun) => `exit ${r.code}\n${r.stdout}\n${r.stderr.slice(-6000)}`;
export const statuses = (r: SuiteRun) => Object.fromEntries(r.summary.steps.map((s) => [s.id, s.status]));

