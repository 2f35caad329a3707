// The HMP twin for a benchmark: in its own process (so the generator's CPU
// is measured alone), on a free loopback port, with the bench's event-loop
// probe preloaded, seeded with tools/test-env.ts as a user would.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './run-dir.ts';

const execFileP = promisify(execFile);
const PASSWORD = 'hmp-twin-admin';

export interface BenchTwin {
  url: string;
  pid: number;
  dataPath: string;
  credentialsPath: string;
  /** The twin's event-loop delay, JSON lines (twin-probe.ts). */
  probePath: string;
  stop(): Promise<void>;
}

export class TwinError extends Error {}

function waitForUrl(child: ChildProcess, output: () => string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setInterval(check, 50);
    const deadline = Date.now() + timeoutMs;
    function check() {
      const url = /listening on (http:\/\/\S+)/.exec(output())?.[1];
      if (url) {
        clearInterval(timer);
        resolve(url);
      } else if (child.exitCode !== null || Date.now() > deadline) {
        clearInterval(timer);
        reject(new TwinError(`the twin did not start (${child.exitCode !== null ? `exit ${child.exitCode}` : 'no answer in 20 s'}): ${output().trim().split('\n').pop() ?? ''}`));
      }
    }
  });
}

/** Starts and seeds a twin; `submissions` historical submissions as test-env uploads them. */
export async function startBenchTwin(opts: { twinArgs?: string[]; submissions?: number } = {}): Promise<BenchTwin> {
  const dir = mkdtempSync(join(tmpdir(), 'hmp-bench-twin-'));
  const credentialsPath = join(dir, 'admin.bin');
  const dataPath = join(dir, 'test_data.json');
  const probePath = join(dir, 'twin-probe.jsonl');
  let out = '';
  const child = spawn(
    process.execPath,
    ['--disable-warning=ExperimentalWarning', '--import', join(ROOT, 'bench/twin-probe.ts'), join(ROOT, 'twin/main.ts'),
      '--port', '0', '--admin-credentials', credentialsPath, ...(opts.twinArgs ?? [])],
    { cwd: ROOT, env: { ...process.env, BENCH_TWIN_PROBE: probePath, HMP_TWIN_ADMIN_PASSWORD: PASSWORD }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const url = await waitForUrl(child, () => out, 20_000);
    await execFileP(
      process.execPath,
      ['--disable-warning=ExperimentalWarning', join(ROOT, 'tools/test-env.ts'), 'up', '--target', url, '--credentials', credentialsPath,
        '--data', dataPath, '--submissions', String(opts.submissions ?? 20)],
      { cwd: ROOT, env: { ...process.env, HMP_PASSWORD: PASSWORD }, timeout: 120_000 },
    ).catch((err: { stderr?: string; message: string }) => {
      throw new TwinError(`seeding the twin failed: ${(err.stderr ?? err.message).trim().split('\n').pop()}`);
    });
    if (!existsSync(dataPath)) throw new TwinError(`seeding wrote no ${dataPath}`);
    return { url, pid: child.pid!, dataPath, credentialsPath, probePath, stop };
  } catch (err) {
    await stop();
    throw err;
  }
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
