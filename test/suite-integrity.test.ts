// No data loss: acknowledged uploads verified against the twin. A healthy
// twin verifies every one; the "acknowledged but not stored" knob
// (dropUploads) is found as missing; a wrong MD5 is found as corrupted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { HmpClient, HmpHttpError, type LoadTestFixture } from '../lib/hmp-client.ts';
import { md5Hex } from '../lib/hmp-crypto.ts';
import { parseTestData } from '../lib/test-data.ts';
import { startTwin, type TwinHandle } from '../twin/server.ts';
import type { TwinConfig } from '../twin/config.ts';
import { instructorOf, judge, parseUploadsLog, readUploadsLog, tally, verifyRun, verifyUploads } from '../suite/integrity.ts';
import type { UploadRecord } from '../processors/uploads-log.ts';
import { mapLimit } from '../lib/pool.ts';
import { seedTwin } from './suite-helpers.ts';
import { tempDir } from './support/temp-dir.ts';

/** Uploads n random blobs as students (each to a project of theirs); writes the uploads log as the processors do. */
async function uploadSome(twin: TwinHandle, up: LoadTestFixture, n: number, logPath: string): Promise<UploadRecord[]> {
  const records: UploadRecord[] = [];
  for (let i = 0; i < n; i++) {
    const student = up.students[i % up.students.length]!;
    const client = new HmpClient(twin.url);
    const bytes = randomBytes(1000 + i * 37);
    const projectId = student.project_ids[0]!;
    // With a 1 s JWT lifetime a token lives 0-1 s (exp is in whole seconds): log in again on a 401.
    let id: number | undefined;
    for (let attempt = 1; id === undefined; attempt++) {
      await client.login(student.id, Buffer.from(student.private_key, 'hex'));
      try {
        id = await client.uploadSubmission(projectId, `$TEST$ upload ${i}`, bytes);
      } catch (err) {
        if (!(err instanceof HmpHttpError && err.status === 401 && attempt < 5)) throw err;
      }
    }
    records.push({ id, md5: md5Hex(bytes), project_id: projectId, student_id: student.id, at: new Date().toISOString() });
  }
  writeFileSync(logPath, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  return records;
}

/** Seeds the twin; with a 1 s token lifetime a busy machine can let the admin's token expire between login and up: log in again. */
async function seedOnce(twin: TwinHandle): Promise<LoadTestFixture> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await seedTwin(twin.url, twin.adminCredentialsPath, twin.adminPassword);
    } catch (err) {
      if (!(err instanceof HmpHttpError && err.status === 401 && attempt < 5)) throw err;
    }
  }
}

async function withTwin(dropUploads: number, fn: (twin: TwinHandle, up: LoadTestFixture) => Promise<void>, options: Partial<TwinConfig> = {}) {
  const twin = await startTwin({ dropUploads, seed: 11, ...options });
  try {
    await fn(twin, await seedOnce(twin));
  } finally {
    await twin.close();
  }
}

const tmp = () => tempDir('suite-integrity-');

test('healthy twin (dropUploads 0): every acknowledged upload is listed, hashed and downloaded intact', async () => {
  await withTwin(0, async (twin, up) => {
    const dir = tmp();
    const log = join(dir, 'uploads.jsonl');
    await uploadSome(twin, up, 12, log);
    // The test data file as test-env writes it: the check logs in as its first instructor.
    const dataPath = join(dir, 'test_data.json');
    writeFileSync(dataPath, JSON.stringify({ target: twin.url, created_at: '', via: 'load-test', complete: true, ...up, submissions: [] }));
    const report = await verifyRun({ logPath: log, dataPath, concurrency: 3 });
    assert.deepEqual(
      { acknowledged: report.acknowledged, verified: report.verified, missing: report.missing, corrupted: report.corrupted, unchecked: report.unchecked, pass: report.pass, details: report.details },
      { acknowledged: 12, verified: 12, missing: 0, corrupted: 0, unchecked: 0, pass: true, details: [] },
    );
    assert.equal(report.unreadableLines, 0);
    assert.equal(report.summary, 'All 12 acknowledged uploads verified: listed, hash and content match.');
  });
});

test('dropUploads 0.5: the acknowledged-but-not-stored uploads are found missing and fail the check', async () => {
  await withTwin(0.5, async (twin, up) => {
    const log = join(tmp(), 'uploads.jsonl');
    await uploadSome(twin, up, 20, log);
    const { records } = await readUploadsLog(log);
    const report = await verifyUploads({ records, target: twin.url, account: up.instructors[1]!, concurrency: 4 });
    assert.equal(report.acknowledged, 20);
    assert.ok(report.missing >= 4 && report.missing <= 16, `${report.missing} missing of 20 at a 0.5 drop rate`);
    assert.equal(report.verified + report.missing, 20);
    assert.equal(report.corrupted, 0);
    assert.equal(report.pass, false);
    assert.equal(report.details.length, report.missing);
    assert.ok(report.details.every((d) => d.outcome === 'missing' && /not listed/.test(d.reason)));
    assert.match(report.summary, new RegExp(`^Data loss check failed: ${report.missing} missing, 0 corrupted of 20 acknowledged uploads \\(${report.verified} verified\\)\\.$`));
  });
});

test('a log MD5 that differs from what the server stored is corrupted; a cut-off log line is counted, not fatal', async () => {
  await withTwin(0, async (twin, up) => {
    const dir = tmp();
    const log = join(dir, 'uploads.jsonl');
    const recs = await uploadSome(twin, up, 3, log);
    // The second upload claims other bytes than the server holds; the log ends mid-line (a crash).
    const lines = recs.map((r, i) => JSON.stringify(i === 1 ? { ...r, md5: md5Hex(Buffer.from('other bytes')) } : r));
    writeFileSync(log, `${lines.join('\n')}\n{"id": 99, "md5": "ab`);
    const { records, unreadable } = await readUploadsLog(log);
    assert.equal(unreadable, 1);
    const report = await verifyUploads({ records, target: twin.url, account: up.instructors[0]!, unreadableLines: unreadable });
    assert.equal(report.verified, 2);
    assert.equal(report.corrupted, 1);
    assert.equal(report.details[0]!.id, recs[1]!.id);
    assert.match(report.details[0]!.reason, /^listed with hash [0-9a-f]{32}, sent [0-9a-f]{32}$/);
    assert.match(report.summary, /1 line\(s\) of the uploads log were unreadable/);
  });
});

test('a token that expires during the check is renewed (short JWT lifetime, slow hash endpoint)', async () => {
  await withTwin(
    0,
    async (twin, up) => {
      const log = join(tmp(), 'uploads.jsonl');
      const records = await uploadSome(twin, up, 5, log);
      const report = await verifyUploads({ records, target: twin.url, account: up.instructors[0]!, concurrency: 1 });
      assert.equal(report.verified, 5, report.summary);
    },
    { jwtLifetimeS: 1, latencyMs: { submission_hash: 450 } },
  );
});

test('verifyUploads: a target that does not answer or refuses the login is one clear error', async () => {
  await withTwin(0, async (twin, up) => {
    await assert.rejects(
      verifyUploads({ records: [], target: twin.url, account: { id: up.instructors[0]!.id, private_key: up.students[0]!.private_key } }),
      /cannot log in to http:\/\/127\.0\.0\.1:\d+ as instructor \d+ to verify uploads/,
    );
  });
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((r) => closed.close(r));
  await assert.rejects(
    verifyUploads({ records: [], target: `http://127.0.0.1:${port}`, account: { id: 1, private_key: '00'.repeat(32) }, retries: 0 }),
    /cannot log in .* not reachable \(POST \/auth\/challenge: ECONNREFUSED\)/,
  );
});

test('judge: each way an upload can fail, from what the server showed (pure)', () => {
  const sent = 'a'.repeat(32);
  const other = 'b'.repeat(32);
  const cases: Array<[string, Parameters<typeof judge>[1], string]> = [
    ['all match', { listed: true, listedHash: sent, storedHash: sent, contentMd5: sent }, 'verified'],
    ['not listed', { listed: false }, 'missing'],
    ['listed without a hash in the list, the rest matches', { listed: true, storedHash: sent, contentMd5: sent }, 'verified'],
    ['listed with another hash', { listed: true, listedHash: other, storedHash: other, contentMd5: other }, 'corrupted'],
    ['hash endpoint differs', { listed: true, listedHash: sent, storedHash: other, contentMd5: sent }, 'corrupted'],
    ['content differs', { listed: true, listedHash: sent, storedHash: sent, contentMd5: other }, 'corrupted'],
    ['hash request failed', { listed: true, listedHash: sent, storedHash: new Error('500'), contentMd5: sent }, 'unchecked'],
    ['content request failed', { listed: true, listedHash: sent, storedHash: sent, contentMd5: new Error('timeout') }, 'unchecked'],
    ['upper-case hex is the same hash', { listed: true, listedHash: sent.toUpperCase(), storedHash: sent.toUpperCase(), contentMd5: sent }, 'verified'],
  ];
  for (const [name, observed, outcome] of cases) assert.equal(judge(sent, observed).outcome, outcome, name);
});

test('tally: counts, pass, and details only for what is not verified', () => {
  const d = (id: number, outcome: 'verified' | 'missing' | 'corrupted' | 'unchecked') => ({ id, md5: 'x', outcome, reason: outcome });
  const r = tally([d(1, 'verified'), d(2, 'missing'), d(3, 'corrupted'), d(4, 'unchecked'), d(5, 'verified')]);
  assert.deepEqual([r.acknowledged, r.verified, r.missing, r.corrupted, r.unchecked, r.pass], [5, 2, 1, 1, 1, false]);
  assert.deepEqual(r.details.map((x) => x.id), [2, 3, 4]);
  assert.equal(r.summary, 'Data loss check failed: 1 missing, 1 corrupted, 1 could not be checked of 5 acknowledged uploads (2 verified).');
  assert.equal(tally([]).summary, 'No acknowledged uploads to verify.');
  assert.equal(tally([]).pass, true);
});

test('parseUploadsLog / readUploadsLog / instructorOf: lenient reading, a missing log, the data file\'s instructor', async () => {
  const good = { id: 4, md5: 'A'.repeat(32), project_id: 1, student_id: 2, at: 'x' };
  const parsed = parseUploadsLog(`${JSON.stringify(good)}\n\nnot json\n{"id":"5","md5":"x"}\n`);
  assert.deepEqual(parsed.records, [{ ...good, md5: 'a'.repeat(32) }]);
  assert.equal(parsed.unreadable, 2);
  assert.deepEqual(await readUploadsLog(join(tmp(), 'none.jsonl')), { records: [], unreadable: 0, exists: false });
  await assert.rejects(verifyRun({ logPath: 'x', dataPath: join(tmp(), 'none.json') }), /^Error: cannot use the test data file .*none\.json \(ENOENT\); run "npm run test-env -- up" first\.$/);
  const account = { id: 7, email: 'i@hmp.test', private_key: 'ab'.repeat(32), project_ids: [1] };
  const data = parseTestData(JSON.stringify({ target: 'http://127.0.0.1:1', via: 'load-test', students: [], instructors: [account], projects: [] }));
  assert.deepEqual(instructorOf(data), account);
  assert.throws(() => instructorOf({ ...data, instructors: [] }), /lists no instructor/);
});

test('mapLimit: at most `limit` jobs in flight, results in order', async () => {
  let inFlight = 0;
  let peak = 0;
  const out = await mapLimit([5, 1, 4, 2, 3, 0], 2, async (x) => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    await new Promise((r) => setTimeout(r, x * 3));
    inFlight--;
    return x * 10;
  });
  assert.deepEqual(out, [50, 10, 40, 20, 30, 0]);
  assert.equal(peak, 2);
  assert.deepEqual(await mapLimit([], 3, async (x) => x), []);
});
