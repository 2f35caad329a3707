// The local target of a run with no target (`localTarget` in
// phases/common.yml, started by artillery-plugin-hmp): a fresh HMP twin
// seeded with test-env as a user would, both torn down at the end, so a
// fresh clone runs with no other step. The plugin knows this script only by
// that path, so the published plugin needs nothing else of this repository.
//
//   node twin/local-target.ts [twin options]
//
// Prints one JSON line on stdout: {url, dataPath, credentialsPath,
// passwordPath} once seeded (the admin password is in that 0600 file, never
// on a command line or in a log), or {error} with one sentence; and a last
// line {exited: code}. Tears down and stops the twin on SIGTERM, on SIGINT,
// or when its stdin closes (the process that started it is gone): run it
// with a stdin that stays open, as the plugin does (a pipe) or a terminal.
// The bench starts its seeded twin with startLocalTarget() below.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startTwinProcess, type TwinLaunch } from './launch.ts';

const execFileP = promisify(execFile);
const TEST_ENV = join(import.meta.dirname, '..', 'tools', 'test-env.ts');

export interface LocalTarget {
  url: string;
  pid: number;
  /** The pid of the twin's process serving now (a crash fault's successor after a crash). */
  currentPid(): number;
  /** The test data file test-env wrote. */
  dataPath: string;
  /** The admin's credentials file, and a 0600 file holding its password. */
  credentialsPath: string;
  passwordPath: string;
  /** test-env down, then stops the twin and removes the files; a second call waits for the first. */
  stop(): Promise<void>;
}

export class LocalTargetError extends Error {}

/** A twin (launch options as startTwinProcess) seeded with `submissions` historical submissions (20 unless given). */
export async function startLocalTarget(options: TwinLaunch & { submissions?: number } = {}): Promise<LocalTarget> {
  const twin = await startTwinProcess(options);
  const dir = mkdtempSync(join(tmpdir(), 'hmp-local-target-'));
  const dataPath = join(dir, 'test_data.json');
  const passwordPath = join(dir, 'admin-password');
  writeFileSync(passwordPath, twin.adminPassword, { mode: 0o600 });
  // down gets 45 s: the plugin waits 60 s for the whole teardown.
  const testEnv = (command: 'up' | 'down', extra: string[] = []) =>
    execFileP(
      process.execPath,
      ['--disable-warning=ExperimentalWarning', TEST_ENV, command, '--target', twin.url, '--credentials', twin.adminCredentialsPath, '--data', dataPath, ...extra],
      { env: { ...process.env, HMP_PASSWORD: twin.adminPassword }, timeout: command === 'up' ? 120_000 : 45_000 },
    );
  const removeAll = async () => {
    await twin.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await testEnv('up', ['--submissions', String(options.submissions ?? 20)]);
  } catch (err) {
    await removeAll();
    const e = err as { stderr?: string; stdout?: string; message: string };
    throw new LocalTargetError(`seeding the local twin failed: ${(e.stderr || e.stdout || e.message).trim().split('\n').pop()}`);
  }
  if (!existsSync(dataPath)) {
    await removeAll();
    throw new LocalTargetError(`seeding the local twin wrote no ${dataPath} (run tools/test-env.ts up by hand to see why)`);
  }
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      // The twin keeps its data in memory and goes next, but down is what a user runs: it checks the teardown works.
      await testEnv('down').catch(() => {});
      await removeAll();
    })());
  return { url: twin.url, pid: twin.pid, currentPid: twin.currentPid, dataPath, credentialsPath: twin.adminCredentialsPath, passwordPath, stop };
}

function say(line: Record<string, unknown>): void {
  try {
    writeSync(1, `${JSON.stringify(line)}\n`);
  } catch {} // nobody reads stdout any more
}

async function main(argv: string[]): Promise<void> {
  let target: LocalTarget | undefined;
  let stopRequested = false;
  let ended = false;
  const end = async () => {
    if (ended || !target) return;
    ended = true;
    await target.stop();
    process.exit(0);
  };
  const requestStop = () => {
    stopRequested = true;
    void end();
  };
  process.on('SIGTERM', requestStop);
  process.on('SIGINT', requestStop);
  process.stdin.on('end', requestStop).on('error', requestStop).resume();
  // The twin runs in its own process group (so a Ctrl-C reaches it only through here); it never outlives this process.
  process.on('exit', (code) => {
    try {
      if (target && !ended) process.kill(target.currentPid(), 'SIGTERM');
    } catch {} // already gone
    say({ exited: code });
  });
  try {
    target = await startLocalTarget({ args: argv, detached: true });
  } catch (err) {
    say({ error: (err as Error).message });
    process.exit(1);
  }
  say({ url: target.url, dataPath: target.dataPath, credentialsPath: target.credentialsPath, passwordPath: target.passwordPath });
  if (stopRequested) await end();
}

if (import.meta.main) await main(process.argv.slice(2));
