// test-env/data-file.ts: the record's shape, and the atomic 0600 writer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataFileError, parseTestData, type TestData } from '../lib/test-data.ts';
import { readTestData, serializeTestData, writeTestData } from '../test-env/data-file.ts';
import { writeAtomic } from '../lib/atomic-file.ts';

const KEY = 'ab'.repeat(32);
const sample: TestData = {
  target: 'http://127.0.0.1:8000',
  created_at: '2030-01-01T00:00:00.000Z',
  via: 'load-test',
  complete: true,
  students: [{ id: 2, email: 'student000@hmp.test', private_key: KEY, project_ids: [5, 6, 7] }],
  instructors: [{ id: 3, email: 'instructor000@hmp.test', private_key: KEY, project_ids: [5] }],
  projects: [{ id: 5, title: '$TEST$ Load Test Project 000', instructor_id: 3 }],
  submissions: [{ id: 9, project_id: 5, student_id: 2, md5: '0123456789abcdef0123456789abcdef' }],
};

test('serialize then parse gives the same record', () => {
  assert.deepEqual(parseTestData(serializeTestData(sample)), sample);
});

test('an older file without complete/submissions still parses', () => {
  const { complete: _c, submissions: _s, ...old } = sample;
  const back = parseTestData(JSON.stringify(old));
  assert.equal(back.complete, true);
  assert.deepEqual(back.submissions, []);
});

test('parse names the first problem', () => {
  const bad = (mutate: (o: any) => void, pattern: RegExp) => {
    const o = JSON.parse(JSON.stringify(sample));
    mutate(o);
    assert.throws(() => parseTestData(JSON.stringify(o)), (e: unknown) => e instanceof DataFileError && pattern.test(e.message));
  };
  assert.throws(() => parseTestData('{'), /not JSON/);
  assert.throws(() => parseTestData('[]'), /not a JSON object/);
  bad((o) => delete o.target, /"target" is missing/);
  bad((o) => (o.via = 'ssh'), /"via"/);
  bad((o) => (o.students = {}), /"students" is missing or not a list/);
  bad((o) => (o.students[0].private_key = 'xyz'), /students\[0\]/);
  bad((o) => (o.projects[0].instructor_id = '3'), /projects\[0\]/);
  bad((o) => (o.submissions[0].md5 = 'nope'), /submissions\[0\]/);
});

test('writeTestData writes mode 0600 via a temp file and leaves no temp behind', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'test-env-data-'));
  try {
    const path = join(dir, 'nested', 'test_data.json');
    await writeTestData(path, sample);
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.deepEqual(await readTestData(path), sample);
    assert.deepEqual(await readdir(join(dir, 'nested')), ['test_data.json']);
    // Replacing keeps 0600 even when the old file was world-readable.
    await writeFile(path, 'old', { mode: 0o644 });
    writeAtomic(path, 'new', { mode: 0o600, fsync: true });
    assert.equal(await readFile(path, 'utf8'), 'new');
    assert.equal((await stat(path)).mode & 0o777, 0o600);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a failed write leaves the old file and no temp file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'test-env-data-'));
  try {
    const path = join(dir, 'test_data.json');
    await writeFile(path, 'old');
    // Renaming a file over a non-empty folder fails: use one as the target.
    const blocked = join(dir, 'folder');
    await writeFile(join(dir, 'keep'), 'x');
    await import('node:fs/promises').then((fs) => fs.mkdir(join(blocked, 'inside'), { recursive: true }));
    await assert.rejects(async () => writeAtomic(blocked, 'new', { mode: 0o600, fsync: true }));
    assert.deepEqual((await readdir(dir)).sort(), ['folder', 'keep', 'test_data.json']);
    assert.equal(await readFile(path, 'utf8'), 'old');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('readTestData: undefined when there is no file', async () => {
  assert.equal(await readTestData(join(tmpdir(), 'no-such-dir-test-env', 'x.json')), undefined);
});
