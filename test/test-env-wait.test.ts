// test-env down against a server that stalls and drains slowly: the twin
// behind test/support/stall-proxy.ts. down must wait (backoff), then remove
// and verify; past --wait it fails, keeps the data file and prints the
// command that finishes the job. Waits are seconds; assertions hold on a
// slow machine (lower bounds on time only).
import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HmpClient, HmpHttpError } from '../lib/hmp-client.ts';
import { decodeCredentialsFile } from '../lib/hmp-crypto.ts';
import type { TestData } from '../lib/test-data.ts';
import { testEnvDown, testEnvUp, type UpOptions } from '../test-env/index.ts';
import { startTwin, type TwinHandle } from '../twin/server.ts';
import { startStallProxy, type StallProxy } from './support/stall-proxy.ts';

const SCRIPT = fileURLToPath(new URL('../tools/test-env.ts', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** The CLI in a child process; `stderr()` shows its progress while it runs. */
function startCli(args: string[], env: Record<string, string>): { stderr: () => string; done: Promise<Run> } {
  const { HMP_PASSWORD: _drop, ...base } = process.env;
  const t0 = Date.now();
  const child = spawn(process.execPath, [SCRIPT, ...args], { env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<Run>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - t0 }));
  });
  return { stderr: () => stderr, done };
}

async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const exists = (path: string) => stat(path).then(() => true, () => false);
const readData = async (path: string) => JSON.parse(await readFile(path, 'utf8')) as TestData;
const WAITING = /the server is not answering \((.+?)\); waiting up to (.+?) for it to recover before (tearing down|going on with the teardown)/g;

let twin: TwinHandle;
let proxy: StallProxy;
let admin: HmpClient; // straight to the twin, past the proxy
let dir: string;
let dataPath: string;
let env: Record<string, string>;

beforeEach(async () => {
  twin = await startTwin({ seed: 8 });
  proxy = await startStallProxy(twin.port);
  const creds = await decodeCredentialsFile(await readFile(twin.adminCredentialsPath), twin.adminPassword);
  admin = new HmpClient(twin.url);
  await admin.login(creds.userId, creds.privateKey);
  dir = await mkdtemp(join(tmpdir(), 'test-env-wait-'));
  dataPath = join(dir, 'test_data.json');
  env = { HMP_PASSWORD: twin.adminPassword };
});
afterEach(async () => {
  await proxy.close();
  await twin.close();
  await rm(dir, { recursive: true, force: true });
});

/** Seeds through the proxy, so the data file's target is the proxy. */
async function up(options: Partial<UpOptions>): Promise<TestData> {
  await testEnvUp({ target: proxy.url, credentialsPath: twin.adminCredentialsPath, password: twin.adminPassword, dataPath, ...options });
  return readData(dataPath);
}

/** Which of the recorded users the twin still knows (challenge not 404). */
async function usersOnTwin(data: TestData): Promise<number[]> {
  const anon = new HmpClient(twin.url);
  const known: number[] = [];
  for (const u of [...data.students, ...data.instructors]) {
    await anon.challenge(u.id).then(
      () => known.push(u.id),
      (err: unknown) => {
        assert.ok(err instanceof HmpHttpError && (err.status === 404 || err.status === 400), String(err));
        if (err.status === 400) known.push(u.id);
      },
    );
  }
  return known;
}

const testProjectsOnTwin = async () => (await admin.listProjects()).filter((p) => p.title.startsWith('$TEST$')).length;

test('the server stalls before teardown: down waits it out, then removes and verifies', async () => {
  const data = await up({ submissions: 4 });
  proxy.stall('hang');
  const stalledAt = Date.now();
  const cli = startCli(['down', '--credentials', twin.adminCredentialsPath, '--data', dataPath, '--wait', '2m', '--timeout', '2'], env);
  await until('the waiting message', () => cli.stderr().includes('the server is not answering'));
  await sleep(3000); // a few more failed probes
  proxy.heal();
  const stallMs = Date.now() - stalledAt;
  const r = await cli.done;

  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^down: removed and verified 100 test users, 30 projects and the 4 seeded submissions/);
  const waits = [...r.stderr.matchAll(WAITING)];
  assert.equal(waits.length, 1, `said once:\n${r.stderr}`);
  assert.deepEqual(waits[0]!.slice(1), ['GET /health timed out after 2 s', '2 min', 'tearing down']);
  assert.ok(r.ms >= stallMs - 1000, `finished after the stall (${r.ms} ms, stall ${stallMs} ms)`);
  assert.equal(await exists(dataPath), false);
  assert.deepEqual(await usersOnTwin(data), []);
  assert.equal(await testProjectsOnTwin(), 0);
});

test('the stall outlasts --wait: exit 1, data file kept, and the printed command (no secrets) finishes later', async () => {
  const data = await up({ submissions: 3 });
  const before = await readFile(dataPath, 'utf8');
  proxy.stall('reset');
  const r = await startCli(['down', '--credentials', twin.adminCredentialsPath, '--data', dataPath, '--wait', '3s'], env).done;

  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stdout, '');
  const error = r.stderr.trimEnd().split('\n').at(-1)!;
  assert.match(error, /^test-env: error: http:\/\/127\.0\.0\.1:\d+ did not recover within 3 s \(GET \/health failed: ECONNRESET\); the data file .+ is kept; once it answers again, finish with "npm run test-env -- down [^"]+"\.$/);
  assert.ok(r.ms >= 3000, `waited the limit (${r.ms} ms)`);
  assert.equal(await readFile(dataPath, 'utf8'), before, 'the data file is untouched');
  assert.equal((await usersOnTwin(data)).length, 100, 'nothing was removed');

  const command = /finish with "npm run test-env -- ([^"]+)"/.exec(error)![1]!;
  assert.equal(command, `down --target ${proxy.url} --credentials ${twin.adminCredentialsPath} --data ${dataPath}`);
  for (const secret of [twin.adminPassword, ...[...data.students, ...data.instructors].map((u) => u.private_key)]) {
    assert.ok(!r.stderr.includes(secret), 'no secret printed');
  }
  proxy.heal();
  const finish = await startCli(command.split(' '), env).done;
  assert.equal(finish.code, 0, finish.stderr);
  assert.equal(await exists(dataPath), false);
  assert.deepEqual(await usersOnTwin(data), []);
});

test('a stall in the middle of removing (--via api): the data file lists what is left, nothing is removed twice', async () => {
  const data = await up({ via: 'api', sizes: { instructors: 1, students: 4, projects: 3 }, submissions: 12, seed: 4 });
  let deletes = 0;
  proxy.onRequest = (line) => {
    // With 4 deletions in flight at a time, the 8th is sent only after at least 4 were answered.
    if (line.startsWith('DELETE /submission/') && ++deletes === 8) proxy.stall('hang');
  };
  const cli = startCli(['down', '--credentials', twin.adminCredentialsPath, '--data', dataPath, '--wait', '2m', '--timeout', '2'], env);
  await until('the waiting message', () => cli.stderr().includes('the server is not answering'));

  const midway = await readData(dataPath);
  const onTwin = new Set((await admin.listSubmissions()).map((s) => s.id));
  const recorded = new Set(midway.submissions.map((s) => s.id));
  assert.ok(midway.submissions.length <= 8, `answered deletions are off the record (${midway.submissions.length} of 12 left)`);
  for (const id of onTwin) if (data.submissions.some((s) => s.id === id)) assert.ok(recorded.has(id), `submission ${id} is still there and still recorded`);
  assert.deepEqual(midway.students, data.students, 'users are untouched so far');

  await sleep(2000);
  proxy.heal();
  const r = await cli.done;
  // The twin has no DELETE for projects and users: down empties and expires them, then says what stays.
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /going on with the teardown \(what is done stays done\)/);
  assert.match(r.stderr.trimEnd().split('\n').at(-1)!, /verification failed .*still lists 3 \$TEST\$ projects.*the data file .* is kept and lists what is left\)\.$/);
  const after = await readData(dataPath);
  assert.deepEqual(after.submissions, []);
  assert.deepEqual(after.projects, data.projects);
  const listed = new Set((await admin.listSubmissions()).map((s) => s.id));
  for (const s of data.submissions) {
    assert.ok(!listed.has(s.id), `submission ${s.id} is gone`);
    assert.ok(proxy.forwarded.filter((l) => l === `DELETE /submission/${s.id}`).length <= 1, `submission ${s.id} was deleted once`);
  }

  const finish = await startCli(['down', '--credentials', twin.adminCredentialsPath, '--data', dataPath, '--via', 'load-test'], env).done;
  assert.equal(finish.code, 0, finish.stderr);
  assert.deepEqual(await usersOnTwin(data), []);
});

test('/health answers but the teardown call gets 503: testEnvDown retries it within the limit', async () => {
  const data = await up({ submissions: 0 });
  const lines: string[] = [];
  let calls = 0;
  proxy.stall('503', /^POST \/admin\/load-test\/down/);
  proxy.onRequest = (line) => {
    if (line.startsWith('POST /admin/load-test/down') && ++calls === 3) proxy.heal(); // two 503s, then through
  };
  const result = await testEnvDown({ credentialsPath: twin.adminCredentialsPath, password: twin.adminPassword, dataPath, waitMs: 60_000, log: (l) => lines.push(l) });

  assert.equal(result.removed?.users, 100);
  assert.equal(calls, 3);
  assert.deepEqual(proxy.forwarded.filter((l) => l.startsWith('POST /admin/load-test/down')), ['POST /admin/load-test/down'], 'the refused calls never reached the twin');
  const waits = lines.join('\n').match(WAITING) ?? [];
  assert.equal(waits.length, 1, lines.join('\n'));
  assert.match(waits[0]!, /POST \/admin\/load-test\/down answered 503: overloaded\); waiting up to 1 min .* going on with the teardown/);
  assert.equal(await exists(dataPath), false);
  assert.deepEqual(await usersOnTwin(data), []);
});
