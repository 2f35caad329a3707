// Starting the twin from code (twin/launch.ts) and the plugin's local target
// (twin/local-target.ts): the URL line, the admin password, preloads, a twin
// that does not start, and a local target that tears down when its stdin closes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DEFAULT_ADMIN_PASSWORD } from '../twin/config.ts';
import { listeningUrl, startTwinProcess, TwinStartError } from '../twin/launch.ts';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { probeTarget, targetLines } from '../plugins/artillery-plugin-hmp/local-twin.ts';
import { tempDir } from './support/temp-dir.ts';

const LOCAL_TARGET = join(import.meta.dirname, '..', 'twin', 'local-target.ts');

test('listeningUrl reads the URL of the twin\'s start line, and nothing before it', () => {
  assert.equal(listeningUrl('HMP twin (API v1.1) listening on http://127.0.0.1:41234\nadmin credentials: x'), 'http://127.0.0.1:41234');
  assert.equal(listeningUrl('HMP twin (API v1.1) listen'), undefined);
});

test('probeTarget names why a target does not answer: a refused connection by its code, a port fetch refuses by its reason', async () => {
  assert.equal(probeTarget('http://127.0.0.1:9', 2000), 'bad port');
  // A port nothing listens on: one just freed.
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  assert.equal(probeTarget(`http://127.0.0.1:${port}`, 2000), 'ECONNREFUSED');
});

test('the plugin reads the local target\'s JSON lines and skips its log', () => {
  const out = 'warning: something\n{"url":"http://127.0.0.1:1","dataPath":"d"}\nnot {json\n{"exited":0}\n';
  assert.deepEqual(targetLines(out), [{ url: 'http://127.0.0.1:1', dataPath: 'd' }, { exited: 0 }]);
});

test('startTwinProcess: a preload, the password from the env, and stop() removes its files', async () => {
  const dir = tempDir('twin-launch-');
  const preload = join(dir, 'preload.mjs');
  writeFileSync(preload, "import { writeFileSync } from 'node:fs'; writeFileSync(process.env.PRELOAD_MARK, 'loaded');\n");
  const twin = await startTwinProcess({ preload: [preload], env: { PRELOAD_MARK: join(dir, 'mark'), HMP_TWIN_ADMIN_PASSWORD: 'pw-launch' } });
  try {
    assert.equal((await fetch(`${twin.url}/health`)).status, 200);
    assert.equal(twin.adminPassword, 'pw-launch');
    assert.ok(existsSync(twin.adminCredentialsPath));
    assert.equal(readFileSync(join(dir, 'mark'), 'utf8'), 'loaded');
  } finally {
    await twin.stop();
  }
  assert.ok(!existsSync(dirname(twin.adminCredentialsPath)), 'its temp folder is gone');
  await assert.rejects(fetch(`${twin.url}/health`));
});

test('a twin that does not start is one sentence with its last line', async () => {
  await assert.rejects(
    startTwinProcess({ args: ['--capacity', 'many'] }),
    (e: Error) => e instanceof TwinStartError && /^the local HMP twin did not start: it exited with 2 \(twin: --capacity must be a whole number/.test(e.message),
  );
});

test('local target: one JSON line once seeded, the password in a 0600 file, torn down when its stdin closes', async () => {
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', LOCAL_TARGET], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.once('exit', r));
  const ready = await new Promise<Record<string, string>>((resolve, reject) => {
    child.stdout.on('data', () => {
      const line = targetLines(out).find((l) => l.url || l.error);
      if (line?.url) resolve(line as Record<string, string>);
      else if (line) reject(new Error(line.error));
    });
    void exited.then((code) => reject(new Error(`exited ${code}: ${out}`)));
  });
  assert.equal((await fetch(`${ready.url}/health`)).status, 200);
  assert.equal(JSON.parse(readFileSync(ready.dataPath!, 'utf8')).target, ready.url);
  assert.ok(existsSync(ready.credentialsPath!));
  assert.equal(readFileSync(ready.passwordPath!, 'utf8'), DEFAULT_ADMIN_PASSWORD);
  assert.equal(statSync(ready.passwordPath!).mode & 0o777, 0o600);
  assert.ok(!out.includes(DEFAULT_ADMIN_PASSWORD), 'the password is in no output');

  child.stdin.end();
  assert.equal(await exited, 0);
  assert.deepEqual(targetLines(out).pop(), { exited: 0 });
  await assert.rejects(fetch(`${ready.url}/health`), 'the twin is stopped');
  assert.ok(!existsSync(ready.dataPath!) && !existsSync(ready.passwordPath!) && !existsSync(ready.credentialsPath!));
});
