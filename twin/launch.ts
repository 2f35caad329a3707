// The one way to start the HMP twin from code: `node twin/main.ts --port 0
// --admin-credentials <temp>/admin.bin [options]` in its own process (so
// its CPU and memory are its own, apart from the load generator), its URL
// read from the "listening on" line main.ts prints. The suite, the bench,
// the tests and twin/local-target.ts (the plugin's local twin) start it
// here, so the command, that line and the admin password are read one way.
// A crash fault (crash@T+R) replaces the twin's process by another: the twin
// keeps the current one's pid in a pid file here, and stop() stops whichever
// process that names, and any successor started meanwhile.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adminPasswordOf } from './config.ts';
import { readFaultRecords, type FaultRecord } from './fault-record.ts';

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
  /** The first process's pid (see currentPid after a crash fault). */
  pid: number;
  /** The pid of the process serving now: after a crash fault with a restart, its successor's (waiting out the delay, or listening). */
  currentPid(): number;
  /** The faults that happened so far, as the twin recorded them (--fault-record; ms since the epoch). */
  faults(): FaultRecord[];
  /** The admin's credentials file (HMP client format) and its password. */
  adminCredentialsPath: string;
  adminPassword: string;
  /** Stops the twin's current process and any successor (SIGTERM, then SIGKILL after 5 s), and removes its temp folder; a second call waits for the first. */
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

/** The value of `--flag V` or `--flag=V` among twin arguments (the last wins, as in parseArgs). */
function argValue(args: string[], flag: string): string | undefined {
  let value: string | undefined;
  args.forEach((a, i) => {
    if (a === flag) value = args[i + 1];
    else if (a.startsWith(`${flag}=`)) value = a.slice(flag.length + 1);
  });
  return value;
}

/** Whether a process runs: it exists and is not a zombie (a successor's parent is gone: init reaps it, maybe seconds later). */
export function processRuns(pid: number): boolean {
  if (!exists(pid)) return false;
  try {
    // The state follows the command name in parentheses, which may itself hold parentheses.
    return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0] !== 'Z';
  } catch {
    return !existsSync('/proc/self'); // gone in between; with no /proc at all, kill's word stands
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** SIGTERM, SIGKILL after `graceMs`; resolves once the process no longer runs. */
async function stopPid(pid: number, graceMs: number): Promise<void> {
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(pid, s);
    } catch {} // gone meanwhile
  };
  if (processRuns(pid)) signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  let killed = false;
  while (processRuns(pid)) {
    if (!killed && Date.now() >= deadline) {
      signal('SIGKILL');
      killed = true;
    }
    await sleep(25);
  }
  // A successor is an orphan: its zombie lasts until init reaps it (1-2 s in some containers). Give it a
  // few seconds, so that a check by process.kill(pid, 0) after stop() finds nothing.
  for (const until = Date.now() + 5000; Date.now() < until && exists(pid); ) await sleep(25);
}

function exists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Starts a twin on a free loopback port; rejects with a TwinStartError if it exits or stays silent. */
export function startTwinProcess(options: TwinLaunch = {}): Promise<TwinProcess> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const dir = mkdtempSync(join(tmpdir(), 'hmp-twin-'));
  const adminCredentialsPath = join(dir, 'admin.bin');
  const args = options.args ?? [];
  // The twin's own defaults put the fault record beside the credentials; --pid-file is set here unless given.
  const pidFile = argValue(args, '--pid-file') ?? join(dir, 'twin.pid');
  const recordPath = argValue(args, '--fault-record') ?? join(dir, 'faults.jsonl');
  const env = { ...process.env, ...options.env };
  const preload = (options.preload ?? []).flatMap((m) => ['--import', m]);
  const child = spawn(
    process.execPath,
    ['--disable-warning=ExperimentalWarning', ...preload, TWIN_MAIN, '--port', '0', '--admin-credentials', adminCredentialsPath, '--pid-file', pidFile, ...args],
    { stdio: ['ignore', 'pipe', 'pipe'], env, detached: options.detached ?? false },
  );
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const currentPid = (): number => {
    try {
      const pid = Number(readFileSync(pidFile, 'utf8'));
      if (Number.isInteger(pid) && pid > 0) return pid;
    } catch {} // not written yet
    return child.pid!;
  };
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      // A crash fault's successor: the dying twin names it in the pid file before it dies, and a successor
      // can die and name its own; stop each named process until the file names one already stopped.
      const stopped = new Set<number>(child.pid === undefined ? [] : [child.pid]);
      for (let pid = currentPid(); !stopped.has(pid); pid = currentPid()) {
        stopped.add(pid);
        await stopPid(pid, 5000);
      }
      rmSync(dir, { recursive: true, force: true });
    })());
  const faults = () => readFaultRecords(recordPath);

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
      resolve({ url, pid: child.pid!, currentPid, faults, adminCredentialsPath, adminPassword: adminPasswordOf(env), stop });
    });
  });
}
