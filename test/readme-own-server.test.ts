// The README's "Against your own server" steps, followed literally: the twin
// started as the README says, then its shell block run as written (the
// password typed at its prompt), in a folder of its own beside the
// checkout. The smoke must pass, and teardown must leave nothing behind.
// Only the port differs (8000 may be taken on a test machine).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ROOT } from './support/artillery-run.ts';
import { tempDir } from './support/temp-dir.ts';

function block(readme: string): string {
  const m = /<!-- own-server-steps -->\s*```sh\n([\s\S]*?)```\s*<!-- \/own-server-steps -->/.exec(readme);
  assert.ok(m, 'the README marks its own-server steps');
  return m[1]!;
}

const freePort = () =>
  new Promise<number>((ok) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });

/** A copy of the checkout (node_modules linked), with data/ and reports/ of its own: test-env finds its data file beside its own code. */
function workdir(): string {
  const dir = tempDir('hmp-readme-');
  const skip = ['data', 'reports', '.git', 'test-artifacts', 'test', 'node_modules'];
  for (const name of readdirSync(ROOT)) if (!skip.includes(name)) cpSync(join(ROOT, name), join(dir, name), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  mkdirSync(join(dir, 'data'));
  mkdirSync(join(dir, 'reports'));
  return dir;
}

/** The environment of a new shell: no HMP_* of the test runner's. */
const cleanEnv = () => Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('HMP_')));

test("the README's own-server steps, followed literally against the twin it names, give a smoke that passes", async () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const twinCommand = /started in\s+another terminal with `(npm run twin -- [^`]+)`/.exec(readme)?.[1];
  assert.ok(twinCommand, 'the README says how to start the twin for the steps');
  const port = await freePort();
  const steps = block(readme).replaceAll('8000', String(port));
  const dir = workdir();
  const twin = spawn('bash', ['-c', `exec ${twinCommand.replace('8000', String(port))}`], { cwd: dir, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  try {
    let twinOut = '';
    await new Promise<void>((ok, fail) => {
      twin.stdout!.on('data', (b: Buffer) => {
        twinOut += b.toString();
        if (twinOut.includes('listening on')) ok();
      });
      twin.on('exit', (code) => fail(new Error(`the twin exited (${code}): ${twinOut}`)));
    });
    const r = await new Promise<{ code: number | null; out: string; stdout: string }>((ok) => {
      const sh = execFile('bash', ['-euo', 'pipefail', '-c', steps], { cwd: dir, env: cleanEnv(), maxBuffer: 64 * 1024 * 1024, timeout: 400_000 }, (err, stdout, stderr) =>
        ok({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: `${stdout}\n${stderr}`, stdout }),
      );
      sh.stdin!.end('hmp-twin-admin\n'); // typed at the prompt
    });
    assert.equal(r.code, 0, r.out.slice(-4000));
    assert.match(r.out, /hmp: smoke test passed the plan's criteria \(\d+ requests, 0 errors\)/, r.out.slice(-4000));
    assert.match(r.out, /down: .*verified/i, 'teardown ran and verified');
    assert.doesNotMatch(r.out.replace(/password "hmp-twin-admin"/g, ''), /hmp-twin-admin/, 'the password is never printed');
    // The run's console ends on its verdict and the report's path (then teardown's lines).
    const hmp = r.stdout.split('\n').filter((l) => l.startsWith('hmp: '));
    assert.match(hmp.at(-1)!, /^hmp: report: .*reports\/smoke-\d{8}T\d{6}Z\/report\.html$/);
  } finally {
    try {
      process.kill(-twin.pid!, 'SIGTERM');
    } catch {}
    rmSync(dir, { recursive: true, force: true });
  }
});
