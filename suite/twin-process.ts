// Starts the HMP twin in its own process (so its CPU and memory can be
// sampled by pid, apart from the load generator) and stops it.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');

export interface TwinProcess {
  url: string;
  pid: number;
  /** The admin's credentials file (HMP client format) and its password. */
  adminCredentialsPath: string;
  adminPassword: string;
  /** Stops the twin (SIGTERM, then SIGKILL after 5 s) and removes its temp folder. */
  stop(): Promise<void>;
}

/** Twin options as on its command line (e.g. ['--leak-kb', '64']); --port 0 and the credentials path are set here. */
export function startTwinProcess(args: string[] = [], options: { timeoutMs?: number; env?: Record<string, string | undefined> } = {}): Promise<TwinProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'hmp-suite-twin-'));
  const creds = join(dir, 'admin.bin');
  const env = { ...process.env, ...options.env };
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', join(ROOT, 'twin', 'main.ts'), '--port', '0', '--admin-credentials', creds, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
    // Its own process group: a Ctrl-C in the terminal reaches the suite, which
    // tears down through the twin and then stops it, not the twin first.
    detached: true,
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  return new Promise((resolvePromise, reject) => {
    let out = '';
    const fail = async (why: string) => {
      clearTimeout(timer);
      await stop();
      reject(new Error(`the HMP twin did not start: ${why}`));
    };
    const timer = setTimeout(() => void fail(`no "listening on" line within ${(options.timeoutMs ?? 15_000) / 1000} s`), options.timeoutMs ?? 15_000);
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      if (!url) return;
      clearTimeout(timer);
      // Keep draining the pipes so a chatty twin never blocks on a full pipe.
      child.stdout!.removeAllListeners('data');
      child.stderr!.removeAllListeners('data');
      child.stdout!.resume();
      child.stderr!.resume();
      resolvePromise({ url, pid: child.pid!, adminCredentialsPath: creds, adminPassword: env.HMP_TWIN_ADMIN_PASSWORD || 'hmp-twin-admin', stop });
    });
    child.once('exit', (code) => {
      if (!/listening on/.test(out)) void fail(`it exited with ${code} (${out.trim().split('\n').pop() || 'no output'})`);
    });
  });
}
