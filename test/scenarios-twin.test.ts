// The scenarios end to end: the real Artillery CLI runs scenarios/*.yml with
// scenarios/common-config.yml against local twins (HMP-API.md behaviour,
// quirks on unless said), from seeded test data, and the -o report's
// counters are checked. The runs go in parallel, each against its own twin.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseUploadsLog } from '../processors/uploads-log.ts';
import { startTwin, type TwinHandle } from '../twin/server.ts';
import type { TwinConfig } from '../twin/config.ts';
import { cleanUp, countersOf, runArtillery, runDir, writeTestData, type RunOptions, type RunResult, type SeededData } from './support/artillery-run.ts';
import { adminToken, call } from './support/twin-session.ts';

interface Run {
  twin: TwinHandle;
  data: SeededData;
  result: RunResult;
}

/** Starts a twin, seeds it, runs Artillery; the twin stays up for checks afterwards. */
async function run(label: string, twinOptions: Partial<TwinConfig>, opts: Omit<RunOptions, 'label' | 'target'>, env: (twin: TwinHandle) => Record<string, string> = () => ({})): Promise<Run> {
  const twin = await startTwin({ convertMsPerMb: 0, ...twinOptions });
  const dir = runDir(label);
  const data = await writeTestData(twin, dir);
  const result = await runArtillery({
    label,
    target: twin.url,
    ...opts,
    env: { HMP_TEST_DATA: data.path, HMP_ADMIN_CREDENTIALS: twin.adminCredentialsPath, HMP_PASSWORD: twin.adminPassword, ...env(twin), ...opts.env },
  }, dir);
  return { twin, data, result };
}

const c = (r: Run, name: string): number => r.result.aggregate.counters[name] ?? 0;

function assertNoErrors(r: Run): void {
  const counters = r.result.aggregate.counters;
  assert.deepEqual(countersOf(r.result.aggregate, 'hmp.errors'), {}, 'no check failed');
  assert.deepEqual(countersOf(r.result.aggregate, 'errors.'), {}, 'no request failed (timeouts, connection errors)');
  assert.equal(counters['vusers.failed'] ?? 0, 0);
  assert.equal(c(r, 'hmp.session.failed'), 0);
  assert.equal(r.result.code, 0, r.result.stderr.slice(-2000));
}

/** Every upload the run acknowledged exists with the MD5 that was sent, and so do the seeded ones. */
async function assertStored(r: Run): Promise<number> {
  const token = await adminToken(r.twin);
  const uploads = parseUploadsLog(readFileSync(r.result.uploadsLog, 'utf8'));
  assert.equal(uploads.length, c(r, 'hmp.ok.submission_create') + c(r, 'hmp.ok.submission_create_retry'), 'one log line per acknowledged upload');
  for (const s of [...r.data.submissions, ...uploads]) {
    const hash = await call(r.twin.url, 'GET', `/submission/${s.id}/hash`, { token });
    assert.equal(hash.status, 200, `submission ${s.id} exists`);
    assert.equal(hash.json.content_hash, s.md5, `submission ${s.id} has the MD5 of what was sent`);
  }
  return uploads.length;
}

const CRITICAL = [
  'auth_challenge', 'auth_login', 'project_list', 'project_detail', 'submission_instructor_key', 'submission_create',
  'submission_list', 'submission_hash', 'submission_content', 'credentials_public_key', 'pdf_upload_key', 'pdf_execute', 'audit_list',
];

describe('scenarios against the twin (real Artillery runs)', { timeout: 180_000 }, () => {
  const runs: Record<string, Run> = {};

  before(async () => {
    const sessions = (n: number) => ({ HMP_SESSIONS_PER_VU: String(n) });
    const [smoke11, smoke10, average, spike10, relogin, timeout] = await Promise.all([
      // v1.1, the server key served: every endpoint must pass. One converter slot for three
      // users: "busy" answers are likely, and must be retried (time scale 0.05: ~4 s of backoff).
      run('smoke-v11', { apiVersion: '1.1', quirkPublicKey401: false, converterSlots: 1 }, {
        scenario: 'scenarios/smoke.yml', phases: [{ duration: 1, arrivalCount: 3 }], env: { HMP_TIME_SCALE: '0.05' },
      }),
      // v1.0 as current HMP: /credentials/public-key answers 401, the key comes from the configuration.
      run('smoke-v10', { apiVersion: '1.0' }, { scenario: 'scenarios/smoke.yml', phases: [{ duration: 1, arrivalCount: 2 }] },
        (t) => ({ HMP_SERVER_PUBLIC_KEY: Buffer.from(t.serverPublicKey).toString('base64') })),
      // Both mixes with equal weights, so that 12 VUs surely include both roles (the plan's weights
      // are checked in scenarios-yaml.test.ts; here: every step of both roles against the server).
      run('average', { apiVersion: '1.1' }, { scenario: 'scenarios/average-mix.yml', phases: [{ duration: 1, arrivalCount: 12 }], weights: [1, 1], env: sessions(3) }),
      run('spike-v10', { apiVersion: '1.0' }, { scenario: 'scenarios/spike-mix.yml', phases: [{ duration: 1, arrivalCount: 12 }], weights: [1, 1], env: sessions(3) },
        (t) => ({ HMP_SERVER_PUBLIC_KEY: Buffer.from(t.serverPublicKey).toString('base64') })),
      // Tokens that expire during a think time. (Lifetime 2 s: JWT expiry has 1 s granularity, so a
      // 1 s token lives 0-1 s and could expire again between the re-login and the retry.)
      run('relogin', { jwtLifetimeS: 2 }, {
        scenario: 'scenarios/spike-mix.yml', scenarioName: 'spike_student', phases: [{ duration: 1, arrivalCount: 2 }],
        env: { HMP_TIME_SCALE: '1', HMP_THINK_MIN: '2.1', HMP_THINK_MAX: '2.1' },
      }),
      // A slow endpoint and a short client timeout.
      run('timeout', { latencyMs: { project_list: 6000 } }, {
        scenario: 'scenarios/average-mix.yml', scenarioName: 'student', phases: [{ duration: 1, arrivalCount: 1 }], env: { HMP_HTTP_TIMEOUT: '3' },
      }),
    ]);
    Object.assign(runs, { smoke11, smoke10, average, spike10, relogin, timeout });
  });

  after(async () => {
    for (const r of Object.values(runs)) {
      await r.twin.close();
      cleanUp(r.result.dir);
    }
  });

  test('smoke (v1.1): no error, every critical endpoint passed its check, both roles and the admin', async (t) => {
    const r = runs.smoke11!;
    assertNoErrors(r);
    for (const name of [...CRITICAL, 'pdf_status', 'pdf_audio']) assert.ok(c(r, `hmp.ok.${name}`) >= 1, `hmp.ok.${name}`);
    for (const role of ['student', 'instructor', 'admin']) assert.ok(c(r, `hmp.login.${role}`) >= 1, role);
    await assertStored(r);
    assert.equal(c(r, 'hmp.conversion.v1_1'), 3);
    assert.equal(c(r, 'hmp.conversion.done'), 3, 'every conversion decrypted');
    assert.equal(c(r, 'hmp.session.completed'), 3);
    t.diagnostic(`smoke v1.1: ${c(r, 'http.requests')} requests, 0 errors, ${c(r, 'hmp.conversion.busy')} busy answers retried`);
  });

  test('smoke (v1.0, current HMP): reports /credentials/public-key as broken, converts with the configured key', async (t) => {
    const r = runs.smoke10!;
    assert.deepEqual(countersOf(r.result.aggregate, 'hmp.errors'), {
      'hmp.errors': 2, 'hmp.errors.credentials_public_key': 2, 'hmp.errors.credentials_public_key.status_401': 2,
    });
    assert.deepEqual(countersOf(r.result.aggregate, 'errors.'), {});
    for (const name of CRITICAL.filter((n) => n !== 'credentials_public_key')) assert.ok(c(r, `hmp.ok.${name}`) >= 1, `hmp.ok.${name}`);
    assert.equal(c(r, 'hmp.conversion.v1_0'), 2);
    assert.equal(c(r, 'hmp.ok.pdf_execute'), 2, 'the synchronous conversions round-tripped');
    assert.equal(c(r, 'hmp.conversion.done'), 2);
    await assertStored(r);
    t.diagnostic(`smoke v1.0: ${c(r, 'http.requests')} requests, ${c(r, 'hmp.errors')} errors (the 401s)`);
  });

  test('average mix: zero errors over several sessions per VU; uploads stored with their MD5s', async (t) => {
    const r = runs.average!;
    assertNoErrors(r);
    assert.equal(c(r, 'hmp.session.student') + c(r, 'hmp.session.instructor'), 36);
    assert.ok(c(r, 'hmp.session.student') > 0 && c(r, 'hmp.session.instructor') > 0, 'both roles ran');
    assert.equal(c(r, 'hmp.session.completed'), 36);
    assert.ok(c(r, 'hmp.ok.project_detail') >= 36, 'each session opens 1-2 projects');
    assert.equal(c(r, 'hmp.ok.submission_hash') + c(r, 'hmp.ok.submission_content'), c(r, 'hmp.plan.submission_read'), 'every planned read was made and checked');
    assert.equal(c(r, 'hmp.conversion.done'), c(r, 'hmp.plan.conversion'), 'every planned conversion round-tripped');
    const stored = await assertStored(r);
    t.diagnostic(`average: ${c(r, 'http.requests')} requests, 0 errors, ${c(r, 'hmp.session.student')} student / ${c(r, 'hmp.session.instructor')} instructor sessions, ${c(r, 'hmp.conversion.done')} conversions, ${stored} uploads verified`);
  });

  test('spike mix (v1.0 with the configured server key): zero errors; students upload every session', async (t) => {
    const r = runs.spike10!;
    assertNoErrors(r);
    assert.ok(c(r, 'hmp.session.spike_student') === 0, 'sessions are counted by role');
    assert.ok(c(r, 'hmp.session.student') > 0 && c(r, 'hmp.session.instructor') > 0, 'both roles ran');
    assert.equal(c(r, 'hmp.ok.submission_create'), c(r, 'hmp.session.student'), 'plan 5.2: POST /submission/ 1x');
    assert.equal(c(r, 'hmp.conversion.v1_0'), c(r, 'hmp.plan.conversion'));
    assert.equal(c(r, 'hmp.conversion.done'), c(r, 'hmp.plan.conversion'), 'every planned conversion round-tripped (v1.0)');
    assert.equal(c(r, 'plugins.metrics-by-endpoint.credentials_public_key.codes.401'), 0, 'no key request when the key is configured');
    const stored = await assertStored(r);
    t.diagnostic(`spike: ${c(r, 'http.requests')} requests, 0 errors, ${c(r, 'hmp.session.student')} student / ${c(r, 'hmp.session.instructor')} instructor sessions, ${c(r, 'hmp.conversion.done')} v1.0 conversions, ${stored} uploads verified`);
  });

  test('expired tokens: re-login and retry, zero errors', (t) => {
    const r = runs.relogin!;
    assertNoErrors(r);
    assert.ok(c(r, 'hmp.relogin') >= 2, `hmp.relogin = ${c(r, 'hmp.relogin')}`);
    assert.equal(c(r, 'hmp.ok.auth_relogin'), c(r, 'hmp.relogin'));
    assert.ok(c(r, 'plugins.metrics-by-endpoint.project_list.codes.401') >= 1, 'the expiry was seen');
    assert.ok(c(r, 'hmp.ok.project_list_retry') >= 1 && c(r, 'hmp.ok.submission_create') + c(r, 'hmp.ok.submission_create_retry') === 2);
    t.diagnostic(`relogin: ${c(r, 'http.requests')} requests, ${c(r, 'hmp.relogin')} re-logins, 0 errors`);
  });

  test('a request past its client timeout is an error with that reason', () => {
    const r = runs.timeout!;
    assert.equal(c(r, 'errors.ETIMEDOUT'), 1);
    assert.equal(c(r, 'plugins.metrics-by-endpoint.project_list.errors.ETIMEDOUT'), 1);
    assert.equal(c(r, 'hmp.ok.project_list'), 0, 'never a success');
    assert.equal(c(r, 'vusers.failed'), 1);
  });
});
