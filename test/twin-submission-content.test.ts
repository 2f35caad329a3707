// 5 MB submissions: stored and read back byte-exact with their MD5, deleted
// with every path that deletes submissions, and handled without long blocks
// of the twin's event loop (a block delays every other request, which the
// load generator then counts as server latency).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { encode as cborEncode } from 'cbor-x';
import { md5Hex } from '../lib/hmp-crypto.ts';
import { startTwin, type TwinHandle } from '../twin/server.ts';
import { call, login, seed } from './support/twin-session.ts';
import { tempDir } from './support/temp-dir.ts';

const FIVE_MB = 5 * 1024 * 1024;

async function asStudent(twin: Pick<TwinHandle, 'url' | 'adminCredentialsPath' | 'adminPassword'>) {
  const s = await seed(twin as TwinHandle);
  const st = s.up.students[0]!;
  const ins = s.up.instructors.find((i) => i.project_ids.includes(st.project_ids[0]!))!;
  return { s, pid: st.project_ids[0]!, token: await login(twin.url, st.id, st.private_key), reader: await login(twin.url, ins.id, ins.private_key) };
}

const upload = (url: string, token: string, pid: number, content: Buffer) =>
  call(url, 'POST', '/submission/', { token, cbor: { project_id: pid, title: 'Big one', encrypted_content: content } });

test('a 5 MB submission reads back byte-exact with its MD5; delete and load-test/down remove its content', async () => {
  const db = join(tempDir('hmp-twin-'), 'twin.sqlite');
  const twin = await startTwin({ db, seed: 5 });
  try {
    const { s, pid, token, reader } = await asStudent(twin);
    const content = randomBytes(FIVE_MB + 12_345); // not a whole number of chunks
    const ids: number[] = [];
    for (const c of [content, Buffer.alloc(0), Buffer.from('%PDF')]) {
      const r = await upload(twin.url, token, pid, c);
      assert.equal(r.status, 200);
      ids.push(r.json.id);
      const got = await call(twin.url, 'GET', `/submission/${r.json.id}/content`, { token: reader });
      assert.equal(got.status, 200);
      assert.equal(got.headers.get('content-type'), 'application/octet-stream');
      assert.equal(got.headers.get('content-length'), String(c.length));
      assert.ok(got.bytes.equals(c), `content of ${c.length} bytes read back`);
      assert.equal((await call(twin.url, 'GET', `/submission/${r.json.id}/hash`, { token: reader })).json.content_hash, md5Hex(c));
    }
    assert.deepEqual((await call(twin.url, 'DELETE', `/submission/${ids[0]}`, { token })).json, { status: 'deleted' });
    assert.equal((await call(twin.url, 'GET', `/submission/${ids[0]}/content`, { token: reader })).status, 500);
    assert.equal((await call(twin.url, 'POST', '/admin/load-test/down', { token: s.admin })).status, 200);
  } finally {
    await twin.close();
  }
  const left = new DatabaseSync(db);
  try {
    assert.deepEqual({ ...(left.prepare('SELECT (SELECT count(*) FROM submissions) AS subs, (SELECT count(*) FROM submission_chunks) AS chunks').get() as object) }, { subs: 0, chunks: 0 });
  } finally {
    left.close();
  }
});

// The twin in a process of its own, timing its own event loop: the client's
// CPU and memory work here don't count as the twin's. TWIN_SERVER=file:///...
// /twin/server.ts runs this against another twin (e.g. an older checkout).
const HOST = `
const { performance } = await import('node:perf_hooks');
const { startTwin } = await import(process.env.TWIN_SERVER);
let worst = 0, expected = 0, timer;
const tick = () => { const now = performance.now(); worst = Math.max(worst, now - expected); expected = now + 1; };
const twin = await startTwin({ seed: 6 });
process.on('message', async (m) => {
  if (m === 'start') { worst = 0; expected = performance.now() + 1; timer = setInterval(tick, 1); process.send('started'); }
  if (m === 'stop') { clearInterval(timer); process.send(worst); }
  if (m === 'close') { await twin.close(); process.disconnect(); }
});
process.send({ url: twin.url, adminCredentialsPath: twin.adminCredentialsPath, adminPassword: twin.adminPassword });
`;

/** node:http: far less CPU than fetch for 5 MB. Bodies of more than 1 KiB come back as zeros of their length. */
function request(url: string, token: string, body?: Buffer): Promise<Buffer> {
  const headers = { authorization: `Bearer ${token}`, ...(body && { 'content-type': 'application/cbor' }) };
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: body ? 'POST' : 'GET', headers }, (res) => {
      const parts: Buffer[] = [];
      let length = 0;
      res.on('data', (c: Buffer) => {
        length += c.length;
        if (length <= 1024) parts.push(c);
      });
      res.on('end', () => (res.statusCode === 200 ? resolve(length <= 1024 ? Buffer.concat(parts) : Buffer.alloc(length)) : reject(new Error(`${url}: ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test("5 MB uploads and reads round-trip; the twin's worst event-loop block for each is reported", async (t) => {
  const env = { ...process.env, TWIN_SERVER: process.env.TWIN_SERVER ?? new URL('../twin/server.ts', import.meta.url).href };
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', '--input-type=module', '-e', HOST], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env });
  const next = () => new Promise<any>((resolve, reject) => {
    const onExit = (code: number) => reject(new Error(`the twin exited (${code})`));
    child.once('exit', onExit);
    child.once('message', (m) => { child.off('exit', onExit); resolve(m); });
  });
  const host = await next();
  /** The twin's worst block in ms (its 1 ms timer's worst lateness) while `work` runs. */
  const worstBlock = async (work: () => Promise<unknown>): Promise<number> => {
    child.send('start');
    await next();
    await work();
    await new Promise((r) => setTimeout(r, 20)); // lets a tick delayed by the last block report
    child.send('stop');
    return next();
  };
  try {
    const { pid, token, reader } = await asStudent(host);
    // The client's side done before or kept lean (node:http, not fetch): its CPU time on 2 cores is time the twin may wait for.
    const post = async (b: Buffer) => JSON.parse((await request(`${host.url}/submission/`, token, b)).toString()).id as number;
    const get = async (id: number) => (await request(`${host.url}/submission/${id}/content`, reader)).length;
    const five = Buffer.from(cborEncode({ project_id: pid, title: 'Big one', encrypted_content: randomBytes(FIVE_MB) }));
    const uploads: number[] = [];
    const reads: number[] = [];
    const idle: number[] = [];
    const timed = async (work: () => Promise<unknown>) => {
      const t0 = performance.now();
      const worst = await worstBlock(work);
      return { worst, ms: performance.now() - t0 };
    };
    for (let i = 0; i < 5; i++) {
      let id = 0;
      const up = await timed(async () => (id = await post(five)));
      uploads.push(up.worst);
      reads.push((await timed(async () => assert.equal(await get(id), FIVE_MB))).worst);
      // The same time with nothing to do: the machine's own timer lateness, today.
      idle.push((await timed(() => new Promise((r) => setTimeout(r, up.ms)))).worst);
    }
    const ms = (xs: number[]) => xs.map((x) => x.toFixed(1)).join(', ');
    t.diagnostic(`twin's worst block per 5 MB upload: ${ms(uploads)} ms; per 5 MB read: ${ms(reads)} ms; idle: ${ms(idle)} ms`);
    // The figure is reported, not asserted: beside other tests on 2 cores the twin's process is
    // descheduled for 25-140 ms now and then, and a bound above that proves nothing. The
    // target is the bench's (npm run bench: the twin's loop delay under load).
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.send('close');
    await exited;
  }
});
