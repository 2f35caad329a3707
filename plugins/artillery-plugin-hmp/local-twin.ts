// With no target, a run gets a local HMP twin from the suite's local target
// script (`localTarget` in common.yml, e.g. ../twin/local-target.ts): it
// starts the twin, seeds it with test-env and prints one JSON line; the
// plugin stops it at the end, and the script tears both down. The plugin
// knows the script only by that path, so this package needs nothing else of
// the repository. Synchronous on purpose: it happens in the plugin's
// constructor, which Artillery does not await, before any load starts.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type LocalTwin = ReturnType<typeof startLocalTwin>;

/** What the local target script says: ready, failed, or gone. */
export interface TargetLine {
  url?: string;
  dataPath?: string;
  credentialsPath?: string;
  passwordPath?: string;
  error?: string;
  exited?: number | null;
}

/** The script's JSON lines in its output so far (other lines are its log). Pure. */
export function targetLines(output: string): TargetLine[] {
  const lines: TargetLine[] = [];
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      lines.push(JSON.parse(line) as TargetLine);
    } catch {}
  }
  return lines;
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Has the process ended? The event loop is blocked here, so Node neither
 * reaps the child nor sees its exit: on Linux /proc shows it gone or a
 * zombie; elsewhere this says no and the waits below run to their timeout.
 */
function ended(pid: number | undefined): boolean {
  if (pid === undefined) return true;
  try {
    return /^\d+ \(.*\) Z/s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return existsSync('/proc/self');
  }
}

/** Reads `path` every 50 ms until `found` picks a line of it, the process ends, or `timeoutMs` passes. */
function waitForLine(path: string, pid: number | undefined, found: (l: TargetLine) => boolean, timeoutMs: number): TargetLine | undefined {
  for (let waited = 0; waited <= timeoutMs; waited += 50) {
    const gone = ended(pid);
    const line = targetLines(readFileSync(path, 'utf8')).find(found);
    if (line || gone) return line;
    sleepSync(50);
  }
  return undefined;
}

/** Runs `script` (started, seeded and stopped as its header says) and waits for its twin; throws one sentence if there is none. */
export function startLocalTwin(options: { script: string; log: (line: string) => void; timeoutMs?: number }) {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const dir = mkdtempSync(join(tmpdir(), 'hmp-local-twin-'));
  const logPath = join(dir, 'local-target.log');
  const out = openSync(logPath, 'w');
  // Its stdin is a pipe held open by this process: if this process dies without cleaning up, the script tears down by itself.
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', options.script], { stdio: ['pipe', out, out] });
  closeSync(out);
  child.unref();
  (child.stdin as Socket | null)?.unref();
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    child.kill('SIGTERM');
    // Wait for its teardown (test-env down, then the twin), so nothing is left running when the run ends.
    waitForLine(logPath, child.pid, (l) => 'exited' in l, 60_000);
    rmSync(dir, { recursive: true, force: true });
  };
  const ready = waitForLine(logPath, child.pid, (l) => typeof l.url === 'string' || 'error' in l, timeoutMs);
  if (!ready?.url) {
    const log = readFileSync(logPath, 'utf8').trim().split('\n').filter((l) => !l.startsWith('{')).pop() || 'no output';
    const exitedEarly = ended(child.pid);
    stop();
    if (ready?.error) throw new Error(ready.error);
    if (exitedEarly) throw new Error(`the local HMP twin did not start: ${options.script} exited before it was ready (${log})`);
    throw new Error(`the local HMP twin did not start within ${timeoutMs / 1000} s (${log})`);
  }
  const { url, dataPath, credentialsPath, passwordPath } = ready as Required<TargetLine>;
  options.log(`no target given: started the local HMP twin at ${url}`);
  options.log(`seeded it with test-env (test data in ${dataPath})`);
  // The admin's credentials file and its password: the smoke test reads the audit log as admin.
  return { url, dataPath, credentialsPath, password: readFileSync(passwordPath, 'utf8'), stop };
}

/** Does anything answer HTTP at the target? Returns the failure reason, or null. */
export function probeTarget(target: string, timeoutMs = 5000): string | null {
  const script = `fetch(process.argv[1] + '/health', { signal: AbortSignal.timeout(${timeoutMs}) })
    .then(() => process.exit(0), (e) => { console.log(e.cause?.code ?? e.cause?.message ?? e.name ?? e.message); process.exit(1); });`;
  const r = spawnSync(process.execPath, ['-e', script, target.replace(/\/$/, '')], { encoding: 'utf8', timeout: timeoutMs + 2000 });
  if (r.status === 0) return null;
  return (r.stdout || r.stderr || 'no answer').trim().split('\n')[0]!;
}
