// With no target, a run starts the HMP twin in its own process, seeds it with
// test-env, and tears both down at the end: a fresh clone runs with no other
// step. Synchronous on purpose: it happens in the plugin's constructor, which
// Artillery does not await, before any load starts.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// The suite's checkout: where the run starts (npx artillery run phases/x.yml), else beside this plugin.
const ROOT = existsSync(join(process.cwd(), 'twin', 'main.ts')) ? process.cwd() : resolve(import.meta.dirname, '..', '..');

export interface LocalTwin {
  url: string;
  dataPath: string;
  /** The admin's credentials file and its password (the smoke test reads the audit log as admin). */
  credentialsPath: string;
  password: string;
  stop(): void;
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export function startLocalTwin(options: { twinArgs?: string[]; submissions?: number; log: (line: string) => void }): LocalTwin {
  // The twin writes its admin credentials with this password; test-env opens them with it.
  const password = process.env.HMP_TWIN_ADMIN_PASSWORD || 'hmp-twin-admin';
  const dir = mkdtempSync(join(tmpdir(), 'hmp-local-twin-'));
  const creds = join(dir, 'admin.bin');
  const dataPath = join(dir, 'test_data.json');
  const logPath = join(dir, 'twin.log');
  const out = openSync(logPath, 'w');
  const child = spawn(
    process.execPath,
    ['--disable-warning=ExperimentalWarning', join(ROOT, 'twin', 'main.ts'), '--port', '0', '--admin-credentials', creds, ...(options.twinArgs ?? [])],
    { stdio: ['ignore', out, out], detached: false },
  );
  closeSync(out);
  const stop = () => {
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
  let url: string | undefined;
  for (let waited = 0; waited < 15_000 && !url; waited += 50) {
    url = /listening on (http:\/\/\S+)/.exec(readFileSync(logPath, 'utf8'))?.[1];
    if (!url) sleepSync(50);
  }
  if (!url) {
    const log = readFileSync(logPath, 'utf8').trim().split('\n').pop();
    stop();
    throw new Error(`the local HMP twin did not start within 15 s (${log || 'no output'})`);
  }
  options.log(`no target given: started the local HMP twin at ${url}`);
  const seed = spawnSync(
    process.execPath,
    [join(ROOT, 'tools', 'test-env.ts'), 'up', '--target', url, '--credentials', creds, '--data', dataPath, '--submissions', String(options.submissions ?? 20)],
    { env: { ...process.env, HMP_PASSWORD: password }, encoding: 'utf8' },
  );
  if (seed.status !== 0) {
    stop();
    throw new Error(`seeding the local twin failed: ${(seed.stderr || seed.stdout).trim().split('\n').pop()}`);
  }
  options.log(`seeded it with test-env (test data in ${dataPath})`);
  return {
    url,
    dataPath,
    credentialsPath: creds,
    password,
    stop: () => {
      spawnSync(process.execPath, [join(ROOT, 'tools', 'test-env.ts'), 'down', '--target', url!, '--credentials', creds, '--data', dataPath], {
        env: { ...process.env, HMP_PASSWORD: password },
      });
      stop();
    },
  };
}

/** Does anything answer HTTP at the target? Returns the failure reason, or null. */
export function probeTarget(target: string, timeoutMs = 5000): string | null {
  const script = `fetch(process.argv[1] + '/health', { signal: AbortSignal.timeout(${timeoutMs}) })
    .then(() => process.exit(0), (e) => { console.log(e.cause?.code ?? e.name ?? e.message); process.exit(1); });`;
  const r = spawnSync(process.execPath, ['-e', script, target.replace(/\/$/, '')], { encoding: 'utf8', timeout: timeoutMs + 2000 });
  if (r.status === 0) return null;
  return (r.stdout || r.stderr || 'no answer').trim().split('\n')[0]!;
}
