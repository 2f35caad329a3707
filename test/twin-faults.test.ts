// Faults on a schedule (--fault) as ground truth for a diagnosis: their
// syntax, and db-down, freeze and pool-leak in a real twin process, each
// checked against what clients see, the server's log and the fault record.
// Crashes are in twin-faults-crash.test.ts.
import { processExists } from './support/process-exists.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { decodeCredentialsFile } from '../lib/hmp-crypto.ts';
import { ConfigError, USAGE, parseTwinArgs, type TwinConfig } from '../twin/config.ts';
import { DB_STARTING_MS, dbStateAt, dbWindows, parseFaults, pendingEvents, type FaultSpec } from '../twin/fault-schedule.ts';
import type { FaultRecord } from '../twin/fault-record.ts';
import { startTwinProcess, type TwinProcess } from '../twin/launch.ts';
import { startTwin } from '../twin/server.ts';
import { call, login, type Seeded } from './support/twin-session.ts';
import { tempDir } from './support/temp-dir.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const REFUSED = 'sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) connection to server at "127.0.0.1", port 5432 failed: Connection refused';
const STARTING =
  'sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) connection to server at "127.0.0.1", port 5432 failed: FATAL:  the database system is not yet accepting connections';

function config(argv: string[]): TwinConfig {
  const c = parseTwinArgs(argv, {});
  assert.ok(c !== 'help');
  return c;
}

const rejects = (argv: string[], message: RegExp) =>
  assert.throws(
    () => parseTwinArgs(argv, {}),
    (e: Error) => e instanceof ConfigError && message.test(e.message) && e.message.endsWith('.') && !/\.\s+[A-Z]/.test(e.message),
  );

test('--fault: every kind, seconds with or without "s", repeated and comma-separated; the clock and record options', () => {
  const c = config(['--fault', 'db-down@60+30,crash@90s', '--fault', 'crash@2.5s+4s', '--fault=freeze@1+0.5', '--capacity', '5', '--overload', 'stall', '--fault', 'pool-leak']);
  assert.deepEqual(c.faults, [
    { kind: 'db-down', atS: 60, forS: 30 },
    { kind: 'crash', atS: 90 },
    { kind: 'crash', atS: 2.5, restartS: 4 },
    { kind: 'freeze', atS: 1, forS: 0.5 },
    { kind: 'pool-leak' },
  ]);
  assert.deepEqual(parseFaults('db-down@60s+30s'), [{ kind: 'db-down', atS: 60, forS: 30 }]);
  assert.equal(c.faultClock, 'login');
  const d = config(['--fault-clock', 'start', '--fault-record', '/tmp/f.jsonl', '--pid-file', '/tmp/p']);
  assert.deepEqual([d.faults, d.faultClock, d.faultRecordPath, d.pidFile], [[], 'start', '/tmp/f.jsonl', '/tmp/p']);
  for (const word of ['--fault SPEC', 'db-down@T+D', 'crash@T+R', 'freeze@T+D', 'pool-leak', '--fault-clock', '--fault-record', '--pid-file']) assert.ok(USAGE.includes(word), word);
});

test('--fault: a wrong spec is one clear sentence', () => {
  rejects(['--fault', 'db-down@60'], /^--fault db-down@60 needs a duration: db-down@T\+D/);
  rejects(['--fault', 'db-down@60+0'], /^--fault db-down@60\+0: its duration D must be more than 0/);
  rejects(['--fault', 'reboot@5'], /^--fault takes db-down@T\+D, crash@T, crash@T\+R, freeze@T\+D or pool-leak .*got "reboot@5"\.$/);
  rejects(['--fault', 'crash@-1'], /got "crash@-1"/);
  rejects(['--fault', 'freeze@1m+2'], /got "freeze@1m\+2"/);
  rejects(['--fault', 'crash@1,,crash@2'], /separated by commas/);
  rejects(['--fault', 'pool-leak'], /^--fault pool-leak needs --capacity N \(more than 0\) and --overload stall/);
  rejects(['--fault', 'pool-leak', '--capacity', '4'], /needs --capacity N \(more than 0\) and --overload stall/);
  rejects(['--fault-clock', 'later'], /^--fault-clock must be login or start, got "later"\.$/);
});

test('the schedule: database windows (refused, then starting 2 s), and what a successor still has to go through', () => {
  const faults: FaultSpec[] = [{ kind: 'db-down', atS: 10, forS: 5 }, { kind: 'crash', atS: 3, restartS: 1 }, { kind: 'freeze', atS: 20, forS: 1 }];
  const w = dbWindows(faults, 1000);
  assert.deepEqual(w.map((x) => [x.start, x.refusedUntil, x.end]), [[11_000, 16_000, 16_000 + DB_STARTING_MS]]);
  assert.deepEqual([10_999, 11_000, 15_999, 16_000, 17_999, 18_000].map((t) => dbStateAt(w, t)), ['up', 'refused', 'refused', 'starting', 'starting', 'up']);
  assert.deepEqual(pendingEvents(faults, 1000, -Infinity).map((e) => [e.fault.kind, e.at]), [['crash', 4000], ['freeze', 21_000]]);
  assert.deepEqual(pendingEvents(faults, 1000, 5000).map((e) => e.fault.kind), ['freeze'], 'the crash that ended its predecessor is behind a successor');
});

test('a crash fault needs a process of its own: an in-process twin refuses it', async () => {
  await assert.rejects(startTwin({ faults: [{ kind: 'crash', atS: 1 }] }), (e: Error) => e instanceof ConfigError && /startTwinProcess/.test(e.message));
});

/** The admin's token and the load-test fixtures, on a twin process (the admin's login does not start the fault clock). */
async function seed(twin: TwinProcess): Promise<Seeded> {
  const creds = await decodeCredentialsFile(readFileSync(twin.adminCredentialsPath), twin.adminPassword);
  const admin = await login(twin.url, creds.userId, creds.privateKey);
  const up = await call(twin.url, 'POST', '/admin/load-test/up', { token: admin });
  assert.equal(up.status, 200, up.text);
  return { admin, up: up.json };
}

/** Logs in the first student: the load's first session, which starts the fault clock; the clock's origin lies between the two times. */
async function firstSession(twin: TwinProcess, s: Seeded) {
  const st = s.up.students[0]!;
  const before = Date.now();
  const token = await login(twin.url, st.id, st.private_key);
  return { token, userId: st.id, before, after: Date.now() };
}

const exists = processExists;

async function stopAndCheck(twin: TwinProcess) {
  const pid = twin.currentPid();
  await twin.stop();
  for (const p of [twin.pid, pid]) assert.ok(!exists(p), `twin process ${p} is still there after stop()`);
}

test('db-down@2+2: every request but /health answers a plain 500 with psycopg2\'s error in the log, "not yet accepting" for 2 s more, then it recovers by itself', async () => {
  const logFile = join(tempDir('twin-faults-'), 'server.log');
  const twin = await startTwinProcess({ args: ['--log-file', logFile, '--fault', 'db-down@2+2'] });
  const probes: Array<{ path: string; sent: number; done: number; status: number; text: string }> = [];
  let rec: FaultRecord | undefined;
  try {
    const s = await seed(twin);
    const session = await firstSession(twin, s);
    const requests = [
      ['GET', '/project/', { token: session.token }],
      ['POST', '/auth/challenge', { json: { user_id: session.userId } }],
      ['GET', '/health', {}],
    ] as const;
    while (Date.now() < session.after + 7500) {
      for (const [method, path, opts] of requests) {
        const sent = Date.now();
        const r = await call(twin.url, method, path, opts);
        probes.push({ path, sent, done: Date.now(), status: r.status, text: r.text });
      }
      await sleep(100);
    }
    const records = twin.faults();
    assert.equal(records.length, 1);
    rec = records[0]!;
    assert.equal(rec.fault, 'db-down');
    assert.ok(rec.start >= session.before + 2000 && rec.start <= session.after + 2000, 'T counted from the first session');
    assert.equal(rec.end! - rec.start, 2000 + DB_STARTING_MS, 'down D s, then starting 2 s');
  } finally {
    await stopAndCheck(twin);
  }
  const { start, end } = rec as Required<FaultRecord>;
  const db = probes.filter((p) => p.path !== '/health');
  const inside = db.filter((p) => p.sent >= start && p.done < end);
  const before = db.filter((p) => p.done < start);
  const after = db.filter((p) => p.sent >= end);
  assert.ok(inside.length >= 4 && before.length >= 2 && after.length >= 2, `${before.length} before, ${inside.length} inside, ${after.length} after`);
  for (const p of inside) assert.deepEqual([p.path, p.status, p.text], [p.path, 500, 'Internal Server Error']);
  for (const p of [...before, ...after]) assert.equal(p.status, 200, `${p.path} outside the window`);
  assert.ok(inside.some((p) => p.path === '/auth/challenge'), 'sessions cannot start');
  assert.ok(probes.filter((p) => p.path === '/health').every((p) => p.status === 200), '/health does not use the database');

  // Read once the twin stopped: an access line is written just after its answer is sent.
  const lines = readFileSync(logFile, 'utf8').split('\n');
  const refused = lines.filter((l) => l === REFUSED).length;
  const starting = lines.filter((l) => l === STARTING).length;
  assert.equal(refused + starting, probes.filter((p) => p.status === 500).length, 'one traceback per 500');
  assert.ok(refused >= inside.filter((p) => p.done < start + 2000).length, `${refused} refused`);
  assert.ok(starting >= inside.filter((p) => p.sent >= start + 2000).length && starting > 0, `${starting} starting`);
  lines.forEach((l, i) => {
    if (l !== REFUSED && l !== STARTING) return;
    assert.match(lines[i + 1]!, /^INFO: {5}\S+ - "(GET|POST) \S+ HTTP\/1\.1" 500 Internal Server Error$/, 'the exception ends its traceback; the access line follows');
    const top = lines.lastIndexOf('Traceback (most recent call last):', i);
    assert.ok(top > 0 && lines.slice(top + 1, i).every((x) => x.startsWith('  ')), 'its traceback: frames only, down to the exception');
  });
  assert.equal(lines.filter((l) => l === 'ERROR:    Exception in ASGI application').length, refused + starting);
});

/** utime + stime of a process, in clock ticks (1/100 s). */
function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

test('freeze@1+3: nothing is answered, /health included, and nothing logged, with the CPU idle; then everything that waited is answered', async () => {
  const logFile = join(tempDir('twin-faults-'), 'server.log');
  const twin = await startTwinProcess({ args: ['--log-file', logFile, '--fault', 'freeze@1+3'] });
  let size = 0;
  try {
    const s = await seed(twin);
    const session = await firstSession(twin, s);
    // The freeze runs from origin + 1 s to origin + 4 s, the origin within the login call.
    await sleep(session.after + 1500 - Date.now());
    size = statSync(logFile).size;
    const cpu = cpuTicks(twin.pid);
    const settled: string[] = [];
    const sentAt = Date.now();
    const track = <T>(name: string, p: Promise<T>) => p.finally(() => settled.push(name));
    const health = track('health', call(twin.url, 'GET', '/health'));
    const projects = Array.from({ length: 3 }, (_, i) => track(`project ${i}`, call(twin.url, 'GET', '/project/', { token: session.token })));
    await sleep(1000);
    assert.deepEqual(settled, [], 'no answer during the freeze');
    assert.equal(statSync(logFile).size, size, 'no log line during the freeze');
    const ticks = cpuTicks(twin.pid) - cpu;
    assert.ok(ticks < 50, `it waits, not works: ${ticks} ticks of CPU in 1 s`);
    assert.equal((await health).status, 200);
    for (const p of projects) assert.equal((await p).status, 200);
    const answeredAt = Date.now();

    const [rec, ...more] = twin.faults();
    assert.equal(more.length, 0);
    assert.equal(rec!.fault, 'freeze');
    assert.ok(rec!.start >= session.before + 1000 && rec!.start < sentAt, 'it began at T on the clock, before the requests');
    assert.ok(rec!.end! - rec!.start > 2000 && rec!.end! - rec!.start < 3200, `froze ${rec!.end! - rec!.start} ms`);
    assert.ok(rec!.end! <= answeredAt);
    assert.equal((await call(twin.url, 'GET', '/health')).status, 200);
  } finally {
    await stopAndCheck(twin);
  }
  // Read once the twin stopped: an access line is written just after its answer is sent.
  const later = readFileSync(logFile, 'utf8').slice(size);
  assert.equal((later.match(/"GET \/health HTTP\/1\.1" 200 OK/g) ?? []).length, 2, 'the access lines come once answered');
  assert.equal((later.match(/"GET \/project\/ HTTP\/1\.1" 200 OK/g) ?? []).length, 3);
});

test('pool-leak: timed-out requests leak their connection; once all leaked, every request fails with the QueuePool 500 and /health hangs, for good', async () => {
  const logFile = join(tempDir('twin-faults-'), 'server.log');
  const args = ['--log-file', logFile, '--capacity', '3', '--overload', 'stall', '--queue-timeout', '1000', '--latency', 'project_list=400', '--fault', 'pool-leak'];
  const twin = await startTwinProcess({ args });
  let fivexx = 0;
  try {
    const s = await seed(twin);
    const ins = s.up.instructors[0]!;
    const token = await login(twin.url, ins.id, ins.private_key);
    assert.equal((await call(twin.url, 'GET', '/health')).status, 200);
    // A stall: 3 requests hold a connection each and wait for a second one until the pool timeout.
    for (let burst = 0; burst < 5 && twin.faults().length === 0; burst++) {
      const rs = await Promise.all(Array.from({ length: 8 }, () => call(twin.url, 'GET', '/project/', { token })));
      fivexx += rs.filter((r) => r.status === 500).length;
    }
    const [rec, ...more] = twin.faults();
    assert.equal(more.length, 0);
    assert.deepEqual(Object.keys(rec!), ['fault', 'start'], 'no end: it never recovers');
    assert.equal(rec!.fault, 'pool-leak');

    for (let i = 0; i < 2; i++) {
      const t0 = Date.now();
      const r = await call(twin.url, 'GET', '/project/999999', { token });
      fivexx++;
      assert.equal(r.status, 500);
      assert.match(r.text, /QueuePool limit of size 3 overflow 0 reached, connection timed out, timeout 1\.00/);
      assert.ok(Date.now() - t0 >= 900, 'it waited the pool timeout');
    }
    await assert.rejects(fetch(`${twin.url}/health`, { signal: AbortSignal.timeout(2500) }), (e: Error) => e.name === 'TimeoutError', '/health is not answered');
    assert.equal((await call(twin.url, 'POST', '/auth/challenge', { json: { user_id: ins.id } })).status, 500, 'still exhausted');
    fivexx++;
  } finally {
    await stopAndCheck(twin);
  }
  const pool = readFileSync(logFile, 'utf8').match(/^sqlalchemy\.exc\.TimeoutError: QueuePool limit of size 3 overflow 0 reached, connection timed out, timeout 1\.00/gm) ?? [];
  assert.equal(pool.length, fivexx, 'a QueuePool traceback per 500');
});
