// tools/test-env.ts end to end: the real CLI against the twin (and, for the
// failures, against a stub server and a closed port). Sizes are kept small.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HmpClient, HmpHttpError } from '../lib/hmp-client.ts';
import { decodeCredentialsFile, encodeCredentialsFile, newPrivateKey, publicKeyOf } from '../lib/hmp-crypto.ts';
import { startTwin, type TwinHandle } from '../twin/server.ts';
import type { TestData } from '../lib/test-data.ts';

const SCRIPT = fileURLToPath(new URL('../tools/test-env.ts', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  const { HMP_PASSWORD: _drop, ...base } = process.env;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SCRIPT, ...args], { env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * The CLI on a pseudo-terminal (util-linux `script`), so it would prompt for
 * the password; `answer` is typed once the prompt shows. Ends the run if it
 * is still waiting after `limitMs` (a prompt nobody answers).
 */
function runOnTerminal(args: string[], answer?: string, limitMs = 60_000): Promise<{ code: number | null; output: string; hung: boolean }> {
  const { HMP_PASSWORD: _drop, ...base } = process.env;
  const quote = (w: string) => `'${w.replaceAll("'", "'\\''")}'`;
  const command = [process.execPath, SCRIPT, ...args].map(quote).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-q', '-e', '-c', command, '/dev/null'], { env: base, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    let typed = false;
    let hung = false;
    const onData = (c: Buffer) => {
      output += c.toString();
      if (answer !== undefined && !typed && output.includes('Password for')) {
        typed = true;
        child.stdin.write(`${answer}\r`);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, limitMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output, hung });
    });
  });
}

const hasScript = spawnSync('script', ['--version']).status === 0;

/** Exit code, and exactly one error line, last, matching `pattern`, with no stack trace. */
function assertFailure(r: Run, code: number, pattern: RegExp): void {
  assert.equal(r.code, code, `exit code; stderr:\n${r.stderr}`);
  const lines = r.stderr.trimEnd().split('\n');
  const errors = lines.filter((l) => l.startsWith('test-env: error: '));
  assert.equal(errors.length, 1, `one error line; stderr:\n${r.stderr}`);
  assert.equal(lines.at(-1), errors[0]);
  assert.match(errors[0]!, pattern);
  assert.match(errors[0]!, /\.$/);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  assert.equal(r.stdout, '');
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

async function readData(path: string): Promise<TestData> {
  return JSON.parse(await readFile(path, 'utf8')) as TestData;
}

function assertNoSecrets(r: Run, data: TestData): void {
  for (const a of [...data.students, ...data.instructors]) {
    assert.ok(!r.stdout.includes(a.private_key) && !r.stderr.includes(a.private_key), 'a private key was printed');
  }
}

async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((r) => probe.close(r));
  return port;
}

async function adminClient(twin: TwinHandle): Promise<HmpClient> {
  const creds = await decodeCredentialsFile(await readFile(twin.adminCredentialsPath), twin.adminPassword);
  const client = new HmpClient(twin.url);
  await client.login(creds.userId, creds.privateKey);
  return client;
}

/** Every recorded user's challenge is refused (404 deleted / 400 expired). */
async function challengeStatuses(twin: TwinHandle, data: TestData): Promise<Set<number>> {
  const anon = new HmpClient(twin.url);
  const statuses = new Set<number>();
  for (const u of [...data.students, ...data.instructors]) {
    try {
      await anon.challenge(u.id);
      statuses.add(200);
    } catch (err) {
      assert.ok(err instanceof HmpHttpError);
      statuses.add(err.status);
    }
  }
  return statuses;
}

describe('test-env against the twin', () => {
  let twin: TwinHandle;
  let admin: HmpClient;
  let dir: string;
  let env: Record<string, string>;
  let common: string[];

  before(async () => {
    twin = await startTwin({ seed: 21 });
    admin = await adminClient(twin);
    dir = await mkdtemp(join(tmpdir(), 'test-env-e2e-'));
    env = { HMP_PASSWORD: twin.adminPassword };
    common = ['--target', twin.url, '--credentials', twin.adminCredentialsPath];
  });
  after(async () => {
    await twin.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('up (load-test) -> refusal -> --force -> down, verified', async () => {
    const dataPath = join(dir, 'lt', 'test_data.json');
    const up = await runCli(['up', ...common, '--submissions', '10', '--data', dataPath], env);
    assert.equal(up.code, 0, up.stderr);
    assert.match(up.stdout, /^up: 80 students, 20 instructors, 30 projects and 10 submissions on http:\/\/127\.0\.0\.1:\d+ \(via load-test\)/);
    assert.equal((await stat(dataPath)).mode & 0o777, 0o600);
    const data = await readData(dataPath);
    assertNoSecrets(up, data);
    assert.equal(data.target, twin.url);
    assert.equal(data.via, 'load-test');
    assert.equal(data.complete, true);
    assert.ok(!Number.isNaN(Date.parse(data.created_at)));
    assert.equal(data.students.length, 80);
    assert.equal(data.instructors.length, 20);
    assert.equal(data.projects.length, 30);
    assert.equal(data.submissions.length, 10);
    for (const s of data.students) assert.match(s.private_key, /^[0-9a-f]{64}$/);
    for (const s of data.submissions) {
      assert.equal(await admin.submissionHash(s.id), s.md5, `submission ${s.id}`);
      assert.ok(data.students.find((st) => st.id === s.student_id)!.project_ids.includes(s.project_id));
    }

    const again = await runCli(['up', ...common, '--submissions', '10', '--data', dataPath], env);
    assertFailure(again, 2, /already exists.*run down first, or up --force/);
    assert.deepEqual(await readData(dataPath), data, 'the refused run left the file alone');

    const forced = await runCli(['up', ...common, '--submissions', '3', '--force', '--data', dataPath], env);
    assert.equal(forced.code, 0, forced.stderr);
    const data2 = await readData(dataPath);
    assert.equal(data2.submissions.length, 3);
    assert.notEqual(data2.created_at, data.created_at);
    assert.deepEqual(await challengeStatuses(twin, data), new Set([404]), 'the first run\'s users are gone');
    assert.equal((await stat(dataPath)).mode & 0o777, 0o600);

    const down = await runCli(['down', '--credentials', twin.adminCredentialsPath, '--data', dataPath], env);
    assert.equal(down.code, 0, down.stderr);
    assert.match(down.stdout, /^down: removed and verified 100 test users, 30 projects and the 3 seeded submissions/);
    assert.equal(await exists(dataPath), false);
    assert.deepEqual(await challengeStatuses(twin, data2), new Set([404]));
    assert.equal((await admin.listProjects()).filter((p) => p.title.startsWith('$TEST$')).length, 0);

    const nothing = await runCli(['down', '--credentials', twin.adminCredentialsPath, '--data', dataPath], env);
    assertFailure(nothing, 2, /no data file at .*--force to call \/admin\/load-test\/down/);
    const forcedDown = await runCli(['down', ...common, '--force', '--data', dataPath], env);
    assert.equal(forcedDown.code, 0, forcedDown.stderr);
  });

  test('--via api with small sizes; down via api reports what the API cannot remove; --via load-test finishes', async () => {
    const dataPath = join(dir, 'api', 'test_data.json');
    const up = await runCli(
      ['up', ...common, '--via', 'api', '--instructors', '1', '--students', '4', '--projects', '3', '--submissions', '6', '--seed', '5', '--data', dataPath],
      env,
    );
    assert.equal(up.code, 0, up.stderr);
    const data = await readData(dataPath);
    assertNoSecrets(up, data);
    assert.equal(data.via, 'api');
    assert.deepEqual(data.students.map((s) => s.email), ['student000@hmp.test', 'student001@hmp.test', 'student002@hmp.test', 'student003@hmp.test']);
    assert.deepEqual(data.instructors.map((s) => s.email), ['instructor000@hmp.test']);
    assert.equal(data.projects.length, 3);
    for (const p of data.projects) {
      assert.ok(p.title.startsWith('$TEST$ '));
      assert.equal(p.instructor_id, data.instructors[0]!.id);
      const emails = await admin.getProjectStudents(p.id);
      assert.deepEqual(emails.sort(), data.students.filter((s) => s.project_ids.includes(p.id)).map((s) => s.email).sort());
    }
    for (const s of data.students) assert.equal(s.project_ids.length, 3, 'on 3-5 projects, capped by the 3 that exist');
    assert.deepEqual(data.instructors[0]!.project_ids, data.projects.map((p) => p.id));
    assert.equal(data.submissions.length, 6);
    for (const s of data.submissions) assert.equal(await admin.submissionHash(s.id), s.md5);

    // The regular API has no DELETE for projects or users: down says so and keeps the file.
    const down = await runCli(['down', '--credentials', twin.adminCredentialsPath, '--data', dataPath], env);
    assertFailure(down, 1, /verification failed on .*still lists 3 \$TEST\$ projects.*"down --via load-test".*data file .* is kept/);
    assert.deepEqual(await readData(dataPath), { ...data, submissions: [] }, 'the file lists what is left: the deleted submissions are off it');
    assert.deepEqual(await challengeStatuses(twin, data), new Set([400]), 'users are expired');
    const listed = new Set((await admin.listSubmissions()).map((s) => s.id));
    for (const s of data.submissions) assert.ok(!listed.has(s.id), `submission ${s.id} was deleted`);

    const finish = await runCli(['down', '--credentials', twin.adminCredentialsPath, '--via', 'load-test', '--data', dataPath], env);
    assert.equal(finish.code, 0, finish.stderr);
    assert.equal(await exists(dataPath), false);
    assert.deepEqual(await challengeStatuses(twin, data), new Set([404]));
  });

  test('wrong password: one sentence, exit 1, nothing written', async () => {
    const dataPath = join(dir, 'pw', 'test_data.json');
    const r = await runCli(['up', ...common, '--data', dataPath], { HMP_PASSWORD: 'not-the-password' });
    assertFailure(r, 1, /^test-env: error: the password does not open the credentials file .*admin\.bin \(wrong password, or not an HMP credentials file\); check HMP_PASSWORD/);
    assert.equal(await exists(dataPath), false);
  });

  test('unreadable credentials file: bad input (exit 2), like the suite', async () => {
    const r = await runCli(['up', '--target', twin.url, '--credentials', join(dir, 'missing.bin'), '--data', join(dir, 'x.json')], env);
    assertFailure(r, 2, /cannot read the credentials file .*missing\.bin \(no such file\); pass --credentials/);
    const folder = await runCli(['up', '--target', twin.url, '--credentials', dir, '--data', join(dir, 'x.json')], env);
    assertFailure(folder, 2, /cannot read the credentials file .* \(it is a folder\)/);
    const down = await runCli(['down', '--credentials', join(dir, 'missing.bin'), '--data', join(dir, 'x.json')], env);
    assertFailure(down, 2, /cannot read the credentials file .*missing\.bin/);
  });

  test('non-admin credentials: 403 from /admin/load-test/up and from /auth/users', async () => {
    const key = newPrivateKey();
    const id = await admin.createUser({
      name: 'Plain', surname: 'Student', email: 'plain-student@example.test', confidentiality_level: 2, integrity_levels: [3],
      public_key: Buffer.from(await publicKeyOf(key)).toString('base64'), expires_at: '2099-01-01T00:00:00.000Z',
    });
    const credPath = join(dir, 'student.bin');
    await writeFile(credPath, await encodeCredentialsFile({ userId: id, privateKey: key }, 'student-pw'), { mode: 0o600 });
    const dataPath = join(dir, 'na', 'test_data.json');
    const lt = await runCli(['up', '--target', twin.url, '--credentials', credPath, '--data', dataPath], { HMP_PASSWORD: 'student-pw' });
    assertFailure(lt, 1, new RegExp(`user ${id} from .*student\\.bin is not an admin on .*POST /admin/load-test/up answered 403.*use the credentials file of an HMP admin`));
    const api = await runCli(['up', '--target', twin.url, '--credentials', credPath, '--via', 'api', '--data', dataPath], { HMP_PASSWORD: 'student-pw' });
    assertFailure(api, 1, new RegExp(`user ${id} .* is not an admin .*GET /auth/users answered 403`));
    assert.equal(await exists(dataPath), false);
  });

  test('an upload that times out: what was created is removed, no data file', async () => {
    const slow = await startTwin({ seed: 3, latencyMs: { submission_create: 4000 } });
    try {
      const dataPath = join(dir, 'slow', 'test_data.json');
      const r = await runCli(
        ['up', '--target', slow.url, '--credentials', slow.adminCredentialsPath, '--submissions', '4', '--timeout', '2', '--data', dataPath],
        { HMP_PASSWORD: slow.adminPassword },
      );
      assertFailure(r, 1, /did not answer POST \/submission\/ within 2 s \(the test data created so far was removed and no data file was written\); check that the server/);
      assert.equal(await exists(dataPath), false);
      const projects = await (await adminClient(slow)).listProjects();
      assert.equal(projects.filter((p) => p.title.startsWith('$TEST$')).length, 0);
    } finally {
      await slow.close();
    }
  });
});

describe('test-env without a usable HMP', () => {
  let dir: string;
  let credPath: string;
  const password = 'pw-for-stub';
  let stub: Server;
  let stubUrl: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'test-env-e2e-'));
    credPath = join(dir, 'admin.bin');
    await writeFile(credPath, await encodeCredentialsFile({ userId: 1, privateKey: newPrivateKey() }, password));
    // An "older deployment": login works, /admin/load-test/* does not exist.
    stub = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        if (req.method === 'POST' && req.url === '/auth/challenge') return res.end(JSON.stringify({ challenge: Buffer.alloc(256, 1).toString('base64') }));
        if (req.method === 'POST' && req.url === '/auth/login') return res.end(JSON.stringify({ token: 'stub-token' }));
        res.statusCode = 404;
        res.end(JSON.stringify({ detail: 'Not Found' }));
      });
    });
    await new Promise<void>((r) => stub.listen(0, '127.0.0.1', r));
    stubUrl = `http://127.0.0.1:${(stub.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise((r) => stub.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  test('unreachable target (a closed port)', async () => {
    const port = await closedPort();
    const r = await runCli(['up', '--target', `http://127.0.0.1:${port}`, '--credentials', credPath, '--data', join(dir, 'x.json')], { HMP_PASSWORD: password });
    assertFailure(r, 1, new RegExp(`^test-env: error: the target http://127\\.0\\.0\\.1:${port} is not reachable \\(ECONNREFUSED\\); check --target`));
    assert.equal(await exists(join(dir, 'x.json')), false);
  });

  test('a server without /admin/load-test/* (404) is told to use --via api', async () => {
    const r = await runCli(['up', '--target', stubUrl, '--credentials', credPath, '--data', join(dir, 'x.json')], { HMP_PASSWORD: password });
    assertFailure(r, 1, /has no \/admin\/load-test\/up endpoint \(an older HMP deployment answers 404\); run again with --via api/);
    assert.equal(await exists(join(dir, 'x.json')), false);
  });

  test('inputs are checked before the password: a missing credentials file is one sentence, exit 2, with or without a way to ask', async () => {
    const missing = join(dir, 'missing.bin');
    const up = await runCli(['up', '--target', stubUrl, '--credentials', missing, '--data', join(dir, 'x.json')]);
    assertFailure(up, 2, /^test-env: error: cannot read the credentials file .*missing\.bin \(no such file\); pass --credentials with the admin's \.bin file\.$/);
    const down = await runCli(['down', '--credentials', credPath, '--data', join(dir, 'none.json')]);
    assertFailure(down, 2, /^test-env: error: there is no data file at .*none\.json, so nothing is recorded to remove; pass --data/);
  });

  test('on a terminal the prompt comes only after the inputs are checked', { skip: !hasScript && 'no util-linux script for a pseudo-terminal' }, async () => {
    const missing = await runOnTerminal(['up', '--target', stubUrl, '--credentials', join(dir, 'missing.bin'), '--data', join(dir, 'x.json')]);
    assert.equal(missing.hung, false, `it waited at a prompt:\n${missing.output}`);
    assert.equal(missing.code, 2, missing.output);
    assert.doesNotMatch(missing.output, /Password for/);
    assert.match(missing.output, /test-env: error: cannot read the credentials file .*missing\.bin \(no such file\)/);
    // The same command with the file there does prompt (so the check above means something); the answer is used.
    const asked = await runOnTerminal(['up', '--target', stubUrl, '--credentials', credPath, '--data', join(dir, 'x.json')], password);
    assert.equal(asked.hung, false, asked.output);
    assert.match(asked.output, /Password for .*admin\.bin: /);
    assert.equal(asked.code, 1, asked.output);
    assert.match(asked.output, /has no \/admin\/load-test\/up endpoint/);
  });

  test('no password: no env var and no terminal -> exit 2', async () => {
    const r = await runCli(['up', '--target', stubUrl, '--credentials', credPath, '--data', join(dir, 'x.json')]);
    assertFailure(r, 2, /no password for .*admin\.bin: set the env var HMP_PASSWORD, or run on a terminal/);
  });

  test('usage errors exit 2; --help exits 0', async () => {
    assertFailure(await runCli(['up', '--credentials', credPath], { HMP_PASSWORD: password }), 2, /up needs --target/);
    assertFailure(await runCli(['up', '--target', stubUrl, '--credentials', credPath, '--password', 'x']), 2, /never taken from the command line/);
    const help = await runCli(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: npx node tools\/test-env\.ts up\|down/);
  });

  test('a --fixture that is not a PDF is refused before anything is created', async () => {
    const notPdf = join(dir, 'not.pdf');
    await writeFile(notPdf, 'hello');
    const r = await runCli(['up', '--target', stubUrl, '--credentials', credPath, '--fixture', notPdf, '--data', join(dir, 'x.json')], { HMP_PASSWORD: password });
    assertFailure(r, 2, /is not a PDF \(it does not start with %PDF-\)/);
  });
});
