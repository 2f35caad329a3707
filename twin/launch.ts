// The one way to start the HMP twin from code: `node twin/main.ts --port 0
// --admin-credentials <temp>/admin.bin [options]` in its own process (so
// its CPU and memory are its own, apart from the load generator), its URL
// read from the "listening on" line main.ts prints. The suite, the bench,
// the tests and twin/local-target.ts (the plugin's local twin) start it
// here, so the command, that line and the admin password are read one way.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adminPasswordOf } from './config.ts';

const TWIN_MAIN = join(import.meta.dirname, 'main.ts');

export interface TwinLaunch {
  /** Twin options as on its command line (e.g. ['--leak-kb', '64']); --port 0 and --admin-credentials are set here. */
  args?: string[];
  /** Added to this process's env; HMP_TWIN_ADMIN_PASSWORD there sets the admin password. */
  env?: Record<string, string | undefined>;
  /** Modules loaded into the twin's process first, with --import (e.g. the bench's event-loop probe). */
  preload?: string[];
  /**
   * Its own process group: a Ctrl-C in the terminal then reaches only the
   * parent, which can tear down through the twin before it stops it.
   */
  detached?: boolean;
  /** How long to wait for the "listening on" line; 15 s unless given. */
  timeoutMs?: number;
}

export interface TwinProcess {
  url: string;
  pid: number;
  /** The admin's credentials file (HMP client format) and its password. */
  adminCredentialsPath: string;
  adminPassword: string;
  /** Stops the twin (SIGTERM, then SIGKILL after 5 s) and removes its temp folder; a second call waits for the first. */
  stop(): Promise<void>;
}

export class TwinStartError extends Error {}

/** The URL of the twin's "HMP twin (API v1.1) listening on http://127.0.0.1:PORT" line, if the output has it yet. */
export function listeningUrl(output: string): string | undefined {
  return /listening on (http:\/\/\S+)/.exec(output)?.[1];
}

function lastLine(output: string): string {
  return output.trim().split('\n').pop() || 'no output';
}

/** Starts a twin on a free loopback port; rejects with a TwinStartError if it exits or stays silent. */
export function startTwinProcess(options: TwinLaunch = {}): Promise<TwinProcess> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const dir = mkdtempSync(join(tmpdir(), 'hmp-twin-'));
  const adminCredentialsPath = join(dir, 'admin.bin');
  const env = { ...process.env, ...options.env };
  const preload = (options.preload ?? []).flatMap((m) => ['--import', m]);
  const child = spawn(
    process.execPath,
    ['--disable-warning=ExperimentalWarning', ...preload, TWIN_MAIN, '--port', '0', '--admin-credentials', adminCredentialsPath, ...(options.args ?? [])],
    { stdio: ['ignore', 'pipe', 'pipe'], env, detached: options.detached ?? false },
  );
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    })());

  return new Promise((resolve, reject) => {
    let out = '';
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void stop().then(() => reject(new TwinStartError(why)));
    };
    const timer = setTimeout(() => fail(`the local HMP twin did not start within ${timeoutMs / 1000} s (${lastLine(out)})`), timeoutMs);
    child.once('error', (err) => fail(`the local HMP twin could not be started (${err.message})`));
    child.once('exit', (code, signal) => fail(`the local HMP twin did not start: it exited with ${code ?? signal} (${lastLine(out)})`));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const url = listeningUrl(out);
      if (!url || settled) return;
      settled = true;
      clearTimeout(timer);
      // Keep draining the pipes so a chatty twin never blocks on a full pipe.
      child.stdout!.removeAllListeners('data').resume();
      child.stderr!.removeAllListeners('data').resume();
      resolve({ url, pid: child.pid!, adminCredentialsPath, adminPassword: adminPasswordOf(env), stop });
    });
  });
}
