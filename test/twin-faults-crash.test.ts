// The crash fault (crash@T, crash@T+R) in a real twin process: the process
// dies with its connections reset and no goodbye, clients are refused until
// a successor with a new pid listens on the same port with the same data and
// tokens, its start-up lines appended to the same log; the schedule goes on
// in it; and stop() leaves no process behind, the successor included, even
// during the restart delay.
import { processExists } from './support/process-exists.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { PublicKeyCipher, decodeCredentialsFile } from '../lib/hmp-crypto.ts';
import type { FaultRecord } from '../twin/fault-record.ts';
import { startTwinProcess, type TwinProcess } from '../twin/launch.ts';
import { call, login, type Seeded } from './support/twin-session.ts';
import { tempDir } from './support/temp-dir.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const exists = processExists;

/** The private folder of the database a twin process has open, if its database is a file there. */
function dbDirOf(pid: number): string | undefined {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return undefined; // no such process
  }
  for (const fd of fds) {
    try {
      const m = /^(.*\/hmp-twin-db-[^/]+)\//.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) return m[1];
    } catch {} // closed meanwhile
  }
  return undefined;
}

async function adminToken(twin: TwinProcess): Promise<string> {
  const creds = await decodeCredentialsFile(readFileSync(twin.adminCredentialsPath), twin.adminPassword);
  return login(twin.url, creds.userId, creds.privateKey);
}

async function seed(twin: TwinProcess): Promise<Seeded> {
  const admin = await adminToken(twin);
  const up = await call(twin.url, 'POST', '/admin/load-test/up', { token: admin });
  assert.equal(up.status, 200, up.text);
  return { admin, up: up.json };
}

/** GET /health once: its status, or the code of the error that ended it. */
async function health(url: string): Promise<{ sent: number; done: number; outcome: number | string }> {
  const sent = Date.now();
  try {
    const r = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5000) });
    await r.arrayBuffer();
    return { sent, done: Date.now(), outcome: r.status };
  } catch (err) {
    return { sent, done: Date.now(), outcome: (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name };
  }
}

/** Polls until the fault record holds a crash (or `ms` pass). */
async function crashRecorded(twin: TwinProcess, ms: number) {
  for (const until = Date.now() + ms; Date.now() < until && !twin.faults().some((f) => f.fault === 'crash'); ) await sleep(50);
  return twin.faults();
}

test('crash@3+2: connections reset, ECONNREFUSED for 2 s, then a new process on the same port with the same data and tokens; stop() stops it', async () => {
  const logFile = join(tempDir('twin-faults-crash-'), 'server.log');
  // user_list takes 8 s: one is still in progress when the process dies.
  const twin = await startTwinProcess({ args: ['--log-file', logFile, '--fault', 'crash@3+2', '--latency', 'user_list=8000'] });
  const pids = [twin.pid];
  const dbDir = dbDirOf(twin.pid);
  try {
    assert.equal(twin.currentPid(), twin.pid);
    assert.ok(dbDir && existsSync(join(dbDir, 'twin.sqlite')), 'the :memory: database went to a file in a private folder');
    const s = await seed(twin);
    const st = s.up.students[0]!;
    const pid = st.project_ids[0]!;
    const t0 = Date.now();
    const token = await login(twin.url, st.id, st.private_key); // the first session: the fault clock starts
    const key = await call(twin.url, 'GET', `/submission/instructor_key?project_id=${pid}`, { token });
    const content = await new PublicKeyCipher().encrypt(Buffer.from(key.json.public_key, 'base64'), Buffer.from('%PDF-1.4 before the crash'));
    const up = await call(twin.url, 'POST', '/submission/', { token, cbor: { project_id: pid, title: 'before the crash', encrypted_content: content } });
    assert.equal(up.status, 200);
    const inFlight = fetch(`${twin.url}/auth/users`, { headers: { authorization: `Bearer ${s.admin}` } }).then(
      (r) => `answered ${r.status}`,
      (err: { cause?: { code?: string } }) => err.cause?.code ?? 'failed',
    );

    const probes = [];
    let back = false;
    for (const until = Date.now() + 20_000; Date.now() < until && !back; await sleep(100)) {
      const p = await health(twin.url);
      probes.push(p);
      back = p.outcome === 200 && probes.some((q) => q.outcome === 'ECONNREFUSED');
    }
    assert.ok(back, `the twin came back: ${probes.map((p) => p.outcome).join(' ')}`);
    const newPid = twin.currentPid();
    pids.push(newPid);
    assert.notEqual(newPid, twin.pid, 'a new process');
    assert.ok(!exists(twin.pid), 'the first one is gone');
    assert.ok(['ECONNRESET', 'UND_ERR_SOCKET'].includes(await inFlight), `the request in progress lost its connection: ${await inFlight}`);

    const records = twin.faults();
    assert.equal(records.length, 1);
    const rec = records[0]!;
    assert.equal(rec.fault, 'crash');
    assert.ok(rec.start >= t0 + 3000, 'T on the clock of the first session');
    assert.ok(rec.end! - rec.start >= 2000 && rec.end! - rec.start < 12_000, `restarted after ${rec.end! - rec.start} ms`);
    const refused = probes.filter((p) => p.outcome === 'ECONNREFUSED');
    assert.ok(refused.every((p) => p.done >= rec.start && p.sent <= rec.end!), 'refused only while no process listened');
    assert.ok(probes.every((p) => p.outcome !== 200 || p.sent < rec.start || p.done >= rec.end!), 'nothing answered in the gap');

    // Same data, same secret, same keys.
    assert.equal((await call(twin.url, 'GET', '/project/', { token })).status, 200, 'a token issued before the crash is valid');
    // (GET /auth/users would take its 8 s again: the successor has the same options.)
    assert.equal((await call(twin.url, 'GET', `/auth/users/${st.id}`, { token: s.admin })).status, 200, 'the admin\'s too');
    const ins = s.up.instructors.find((i) => i.project_ids.includes(pid))!;
    const insToken = await login(twin.url, ins.id, ins.private_key);
    assert.equal((await call(twin.url, 'GET', `/submission/${up.json.id}/hash`, { token: insToken })).status, 200, 'the submission survived');
    assert.equal((await call(twin.url, 'GET', `/auth/users/${st.id}`, { token: await adminToken(twin) })).status, 200, 'the admin credentials file still logs in');
  } finally {
    await twin.stop();
  }
  for (const pid of pids) assert.ok(!exists(pid), `process ${pid} is gone after stop()`);
  assert.ok(!existsSync(dbDir!), 'the last process removed the database folder');

  const lines = readFileSync(logFile, 'utf8').split('\n');
  const port = new URL(twin.url).port;
  const startup = (pid: number) => [
    `INFO:     Started server process [${pid}]`,
    'INFO:     Waiting for application startup.',
    'INFO:     Application startup complete.',
    `INFO:     Uvicorn running on http://127.0.0.1:${port} (Press CTRL+C to quit)`,
  ];
  const [first, second] = pids as [number, number];
  assert.deepEqual(lines.slice(0, 4), startup(first));
  const at = lines.indexOf(`INFO:     Started server process [${second}]`);
  assert.ok(at > 4, 'the successor appends to the same log');
  assert.deepEqual(lines.slice(at, at + 4), startup(second));
  assert.ok(lines.slice(4, at).every((l) => /^INFO: {5}\S+ - "/.test(l)), 'no goodbye line from the first process: access lines only');
  assert.ok(!lines.some((l) => /Shutting down|Finished server process|Waiting for application shutdown/.test(l)));
});

test('crash@2 (no restart): refused for good, recorded with no end; no database folder, and stop() is clean', async () => {
  const twin = await startTwinProcess({ args: ['--fault', 'crash@2', '--fault-clock', 'start'] });
  try {
    assert.equal(dbDirOf(twin.pid), undefined, 'nothing restarts: the database may stay in memory');
    const records = await crashRecorded(twin, 10_000);
    assert.equal(records.length, 1);
    assert.deepEqual(Object.keys(records[0]!), ['fault', 'start']);
    assert.equal((await health(twin.url)).outcome, 'ECONNREFUSED');
    await sleep(500);
    assert.equal((await health(twin.url)).outcome, 'ECONNREFUSED');
    assert.equal(twin.currentPid(), twin.pid);
  } finally {
    await twin.stop();
  }
  assert.ok(!exists(twin.pid));
});

test('crash@2+60: stopped during the restart delay, the waiting successor stops too and removes the database folder', async () => {
  const recordPath = join(tempDir('twin-faults-crash-'), 'faults.jsonl');
  const twin = await startTwinProcess({ args: ['--fault', 'crash@2+60', '--fault-clock', 'start', '--fault-record', recordPath] });
  const dbDir = dbDirOf(twin.pid);
  let successor = twin.pid;
  try {
    assert.ok(dbDir, 'its database is a file');
    for (const until = Date.now() + 10_000; Date.now() < until && successor === twin.pid; await sleep(50)) successor = twin.currentPid();
    assert.notEqual(successor, twin.pid, 'the dying process named its successor');
    assert.ok(exists(successor), 'the successor waits out its delay');
    assert.equal((await health(twin.url)).outcome, 'ECONNREFUSED');
    await sleep(1000); // its signal handlers are set well before this
  } finally {
    await twin.stop();
  }
  assert.ok(!exists(twin.pid) && !exists(successor), 'no process behind');
  const records = twin.faults(); // --fault-record outside the twin's temp folder: still there
  assert.equal(records.length, 1);
  assert.deepEqual(Object.keys(records[0]!), ['fault', 'start'], 'the crash never ended');
  assert.ok(!existsSync(dbDir!), 'the database folder is gone');
});

test('the schedule outlives a crash: a database window that ended in the gap is recorded by the successor, one that spans the restart goes on in it', async () => {
  // Clock from the start: the first process dies at 1 s, the successor listens at 4 s or later. The
  // database is down in [1.2, 1.3) s and starting 2 s more (all in the gap), and down in [3.5, 4.5) s
  // and starting 2 s more (across the restart).
  const twin = await startTwinProcess({ args: ['--fault', 'crash@1+3,db-down@1.2+0.1,db-down@3.5+1', '--fault-clock', 'start'] });
  const probes: Array<{ sent: number; done: number; outcome: number | string }> = [];
  let records: FaultRecord[] = [];
  try {
    for (const until = Date.now() + 20_000; Date.now() < until && records.length < 3; await sleep(100)) {
      const sent = Date.now();
      const outcome = await call(twin.url, 'POST', '/auth/challenge', { json: { user_id: 1 } }).then(
        (r) => r.status,
        (err: { cause?: { code?: string } }) => err.cause?.code ?? 'failed',
      );
      probes.push({ sent, done: Date.now(), outcome });
      records = twin.faults();
    }
    assert.equal((await call(twin.url, 'POST', '/auth/challenge', { json: { user_id: 1 } })).status, 200, 'the database is back');
  } finally {
    await twin.stop();
  }
  const crash = records.find((r) => r.fault === 'crash')!;
  const windows = records.filter((r) => r.fault === 'db-down').sort((a, b) => a.start - b.start);
  assert.equal(records.length, 3, JSON.stringify(records));
  assert.ok(crash.end! - crash.start >= 3000);
  const origin = crash.start - 1000; // the crash fired at 1 s, give or take its timer's lateness
  assert.deepEqual(windows.map((w) => w.end! - w.start), [100 + 2000, 1000 + 2000]);
  assert.ok(Math.abs(windows[0]!.start - 1200 - origin) < 500 && windows[0]!.end! < crash.end!, 'the first window: in the gap');
  assert.ok(windows[1]!.start < crash.end! && windows[1]!.end! > crash.end!, 'the second: across the restart');
  const served = probes.filter((p) => p.sent >= crash.end!);
  assert.ok(served.filter((p) => p.done < windows[1]!.end!).every((p) => p.outcome === 500), 'the successor fails while the database is down');
  assert.ok(served.filter((p) => p.sent >= windows[1]!.end!).every((p) => p.outcome === 200));
  assert.ok(served.some((p) => p.outcome === 500), probes.map((p) => p.outcome).join(' '));
});
