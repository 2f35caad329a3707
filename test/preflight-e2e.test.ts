// The preflight: a plain `artillery run` against a server of one's own ends
// before any load, with exit 2 and one sentence naming the fix, when the
// target is not HMP, the test data belongs to another server, the smoke has
// no admin credentials, or the time scale leaves the test too short to
// judge. Every request the server received is recorded: none is load.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { startTwin, type TwinHandle } from '../twin/server.ts';
import { cleanUp, ROOT, runDir, writeTestData } from './support/artillery-run.ts';
import { runPhaseFile } from './support/phase-run.ts';

/** The requests a preflight may send: none of them is a journey's. */
const PREFLIGHT_PATHS = new Set(['GET /health', 'GET /openapi.json', 'POST /auth/challenge', 'POST /auth/login', 'GET /pdf-to-audio/upload-key', 'GET /credentials/public-key']);

/** A server on loopback that records every request; `to` forwards them to another server, else it answers like a static file server. */
async function recorder(to?: string): Promise<{ url: string; seen: string[]; close: () => Promise<void> }> {
  const seen: string[] = [];
  const server: Server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url!.split('?')[0]}`);
    if (!to) {
      res.writeHead(404, { 'content-type': 'text/html' }).end('<!DOCTYPE HTML>\n<html><body><h1>Error response</h1><p>Error code: 404</p></body></html>');
      return;
    }
    const up = request(`${to}${req.url}`, { method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode!, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, close: () => new Promise<void>((ok) => server.close(() => ok())) };
}

/** A plain run of `phase` with `env` (no HMP_ALLOW_SHORT unless given); its exit code, stderr's hmp lines, and whether results were written. */
async function run(phase: string, env: Record<string, string>, label: string) {
  const r = await runPhaseFile(phase, { env: { HMP_ALLOW_SHORT: '', HMP_LIVE: 'off', ...env }, label });
  try {
    const said = `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => l.startsWith('hmp: '));
    return { code: r.code, said, results: r.results !== undefined, out: `exit ${r.code}\n${r.stdout.slice(-1500)}\n${r.stderr.slice(-1500)}` };
  } finally {
    cleanUp(r.dir);
  }
}

const noLoad = (seen: string[]) => assert.deepEqual(seen.filter((s) => !PREFLIGHT_PATHS.has(s)), [], `only the preflight's questions reached the server: ${seen.join(', ')}`);

test('a static file server is named as not HMP: exit 2, one sentence, only /health and /openapi.json asked', async () => {
  const server = await recorder();
  const dir = runDir('preflight-static');
  try {
    const data = join(dir, 'test_data.json');
    writeFileSync(data, JSON.stringify({ target: 'http://127.0.0.1:1', created_at: '', via: 'load-test', complete: true, students: [], instructors: [], projects: [], submissions: [] }), { mode: 0o600 });
    const r = await run('phases/smoke.yml', { HMP_TARGET: server.url, HMP_TEST_DATA: data, HMP_TIME_SCALE: '0.1' }, 'preflight-static');
    assert.equal(r.code, 2, r.out);
    assert.equal(r.said.length, 1, `one sentence: ${r.out}`);
    assert.match(r.said[0]!, /^hmp: The target http:\/\/127\.0\.0\.1:\d+ is not an HMP server: GET \/health answered 404 text\/html \("<!DOCTYPE HTML>.*"\), where HMP answers 200 "I'm good"; check --target or HMP_TARGET\. No load was sent\.$/, r.out);
    assert.equal(r.results, false, 'no results: nothing was measured');
    assert.deepEqual([...new Set(server.seen)].sort(), ['GET /health', 'GET /openapi.json']);
  } finally {
    cleanUp(dir);
    await server.close();
  }
});

test("another server's test data, and a smoke without the admin's credentials: each ends before any load with its fix", async () => {
  const twin: TwinHandle = await startTwin({});
  const proxy = await recorder(twin.url);
  const dir = runDir('preflight-twin');
  try {
    const own = await writeTestData(twin, dir, 0);
    // The same file with users this server never made: data seeded for another server.
    const foreign = JSON.parse(readFileSync(own.path, 'utf8'));
    for (const u of [...foreign.students, ...foreign.instructors]) u.id += 100_000;
    foreign.target = 'http://127.0.0.1:1';
    const foreignPath = join(dir, 'foreign.json');
    writeFileSync(foreignPath, JSON.stringify(foreign), { mode: 0o600 });

    const other = await run('phases/smoke.yml', { HMP_TARGET: proxy.url, HMP_TEST_DATA: foreignPath, HMP_TIME_SCALE: '0.1' }, 'preflight-foreign');
    assert.equal(other.code, 2, other.out);
    assert.deepEqual(other.said, [
      `hmp: The test data in ${foreignPath} belongs to another server (it was made for http://127.0.0.1:1): its student ${foreign.students[0].id} is unknown to ${proxy.url} (POST /auth/challenge answered 404); seed this server with "npm run test-env -- up --target ${proxy.url} --credentials <admin.bin> --data ${foreignPath}". No load was sent.`,
    ]);
    assert.equal(other.results, false);

    const noAdmin = await run('phases/smoke.yml', { HMP_TARGET: proxy.url, HMP_TEST_DATA: own.path, HMP_TIME_SCALE: '0.1', HMP_ADMIN_CREDENTIALS: '', HMP_PASSWORD: '' }, 'preflight-no-admin');
    assert.equal(noAdmin.code, 2, noAdmin.out);
    assert.deepEqual(noAdmin.said, [
      `hmp: The smoke test reads the audit log as the admin (GET /audit/) and HMP_ADMIN_CREDENTIALS is not set: set HMP_ADMIN_CREDENTIALS to the admin's .bin file and HMP_PASSWORD to its password (the same ones "npm run test-env -- up" takes). No load was sent.`,
    ]);
    assert.equal(noAdmin.results, false);

    // A wrong password is found by opening the file, and never printed.
    const wrong = await run('phases/smoke.yml', { HMP_TARGET: proxy.url, HMP_TEST_DATA: own.path, HMP_TIME_SCALE: '0.1', HMP_ADMIN_CREDENTIALS: twin.adminCredentialsPath, HMP_PASSWORD: 'not-the-password-xyz' }, 'preflight-wrong-password');
    assert.equal(wrong.code, 2, wrong.out);
    assert.match(wrong.said.join('\n'), /HMP_PASSWORD does not open .*admin\.bin/);
    assert.doesNotMatch(wrong.out, /not-the-password-xyz/);
    noLoad(proxy.seen);
  } finally {
    cleanUp(dir);
    await proxy.close();
    await twin.close();
  }
});

test('a time scale too small to judge is refused before the target is asked anything, naming the smallest scale that works', async () => {
  const server = await recorder();
  try {
    const r = await run('phases/average.yml', { HMP_TARGET: server.url, HMP_TEST_DATA: '/nonexistent/test_data.json', HMP_TIME_SCALE: '0.001' }, 'preflight-short');
    assert.equal(r.code, 2, r.out);
    assert.deepEqual(r.said, [
      'hmp: the average test at time scale 0.001 is too short to judge: its hold of 540 s at 10 users would last 0.54 s, under one 10 s period; run it at HMP_TIME_SCALE=0.019 or more (or set HMP_ALLOW_SHORT=1 to run it anyway, to check the mechanics only). No load was sent.',
    ]);
    assert.deepEqual(server.seen, []);
  } finally {
    await server.close();
  }
});

test('the suite names a target that is not HMP before any password, folder or seeding: exit 2, one sentence', async () => {
  const server = await recorder();
  const out = runDir('preflight-suite');
  try {
    const creds = join(out, 'admin.bin');
    writeFileSync(creds, Buffer.alloc(100, 1), { mode: 0o600 });
    const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((ok) =>
      execFile(process.execPath, ['--disable-warning=ExperimentalWarning', 'tools/suite.ts', '--target', server.url, '--credentials', creds, '--time-scale', '0.2', '--out', out], { cwd: ROOT, env: { ...process.env, HMP_PASSWORD: '' }, timeout: 60_000 }, (err, stdout, stderr) =>
        ok({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr }),
      ),
    );
    assert.equal(r.code, 2, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stderr, /^suite: error: The target http:\/\/127\.0\.0\.1:\d+ is not an HMP server: GET \/health answered 404 text\/html .*; check --target or HMP_TARGET\.\n$/);
    assert.deepEqual(readdirSync(out).filter((f) => f.startsWith('suite-')), [], 'no suite folder');
    assert.deepEqual([...new Set(server.seen)].sort(), ['GET /health', 'GET /openapi.json']);
  } finally {
    cleanUp(out);
    await server.close();
  }
});
