// Coverage that a failure cannot hide (real Artillery smoke run): the
// students cannot log in (their keys in the data file are wrong), yet the
// instructor and admin parts of every session still run, GET /audit/ among
// them; the student-only endpoints are reported as never tried because
// auth_login failed first, not as "never answered", and the planned requests
// the failed parts did not send are counted per endpoint.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { startTwin, type TwinHandle } from '../twin/server.ts';
import { cleanUp, runDir, writeTestData } from './support/artillery-run.ts';
import { runPhaseFile, type PhaseRun } from './support/phase-run.ts';

let twin: TwinHandle;
let run: PhaseRun;
let dir: string;

before(async () => {
  twin = await startTwin({});
  dir = runDir('smoke-coverage');
  const data = await writeTestData(twin, dir, 2);
  const file = JSON.parse(readFileSync(data.path, 'utf8'));
  for (const s of file.students) s.private_key = randomBytes(32).toString('hex');
  writeFileSync(data.path, JSON.stringify(file), { mode: 0o600 });
  // Time scale 0.15: an 18 s hold, room for whole sessions (student, instructor, admin) on a loaded machine.
  run = await runPhaseFile('phases/smoke.yml', {
    env: { HMP_TARGET: twin.url, HMP_TEST_DATA: data.path, HMP_ADMIN_CREDENTIALS: twin.adminCredentialsPath, HMP_PASSWORD: twin.adminPassword, HMP_TIME_SCALE: '0.15' },
    label: 'smoke-coverage',
  });
});

after(async () => {
  await twin?.close();
  cleanUp(run.dir);
  cleanUp(dir);
});

test('a failed student part does not stop the instructor and admin parts; what was never tried says why', () => {
  const r = run.results;
  assert.ok(r, `results written: ${run.stdout.slice(-2000)}${run.stderr.slice(-1500)}`);
  assert.equal(run.code, 1, 'the smoke fails: students cannot log in');
  const c = r.aggregate.counters as Record<string, number>;
  assert.ok((c['plugins.hmp.errors.auth_login'] ?? 0) > 0, 'the students failed at auth_login');
  assert.ok((c['plugins.metrics-by-endpoint.audit_list.codes.200'] ?? 0) > 0, 'GET /audit/ was tried and answered');
  assert.ok((c['plugins.metrics-by-endpoint.submission_list.codes.200'] ?? 0) > 0, 'the instructor part ran');
  assert.ok((c['plugins.hmp.skipped.submission_create.auth_login'] ?? 0) > 0, 'the upload a failed student session did not send is counted');
  assert.equal(c['plugins.hmp.session.completed'] ?? 0, 0, 'a session with a failed part is not completed');
  const unanswered = (r.aggregate.hmp.verdicts as Array<{ id: string; note?: string }>).find((v) => v.id === 'unanswered')!;
  assert.match(unanswered.note ?? '', /submission_create \(never tried: auth_login failed first \(\d+ planned\)\)/);
  assert.doesNotMatch(unanswered.note ?? '', /audit_list/);
  assert.match(run.stdout, /never tried: auth_login failed first/);
});
