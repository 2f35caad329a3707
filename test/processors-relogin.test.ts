// A 401 on an authenticated request (expired token): re-login once and one
// retry, both visible in the metrics; only a failed retry is an error.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { checkResponse } from '../processors/check.ts';
import { PROFILES } from '../processors/profiles.ts';
import type { ArtilleryResponse, RequestParams, VuContext } from '../processors/types.ts';
import { newConversion } from '../processors/vars.ts';
import { startTwin, type TwinHandle } from '../twin/server.ts';
import { seed, type Seeded } from './support/twin-session.ts';
import { MetricRecorder } from './support/metric-recorder.ts';

const SECRET = 'relogin-test-secret';


describe('re-login on 401', () => {
  let twin: TwinHandle;
  let up: Seeded['up'];
  let expired: string;
  before(async () => {
    twin = await startTwin({ jwtSecret: SECRET });
    up = (await seed(twin)).up;
    const past = Math.floor(Date.now() / 1000) - 60;
    expired = await new SignJWT({ sub: String(up.students[0]!.id) })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setIssuedAt(past - 60).setExpirationTime(past)
      .sign(new TextEncoder().encode(SECRET));
  });
  after(() => twin.close());

  function session(privateKeyHex = up.students[0]!.private_key, profileName = 'student'): VuContext {
    const s = up.students[0]!;
    return {
      vars: {
        target: twin.url, sessionFailed: false, profileName, profile: PROFILES[profileName], plannedDetails: 0, plannedReads: [],
        me: { id: s.id, privateKeyHex, role: 'student', projectIds: s.project_ids }, token: expired, conv: newConversion(),
      },
    };
  }

  /** Sends like Artillery would and hands the answer to checkResponse. */
  async function exchange(context: VuContext, ee: MetricRecorder, name: string, path: string, init: { method?: string; body?: Buffer; type?: string } = {}) {
    const req: RequestParams = {
      name, url: `${twin.url}${path}`, method: init.method ?? 'GET', timeout: 5, uuid: randomUUID(),
      headers: { authorization: `Bearer ${context.vars.token}`, ...(init.type ? { 'content-type': init.type } : {}) },
      ...(init.body ? { body: init.body } : {}),
    };
    const r = await fetch(req.url, { method: req.method, headers: req.headers, body: init.body });
    const res: ArtilleryResponse = { statusCode: r.status, headers: Object.fromEntries(r.headers), body: await r.text() };
    await checkResponse(req, res, context, ee);
    return res;
  }

  test('an expired token: re-login, retry once as <name>_retry, no error', async () => {
    const ee = new MetricRecorder();
    const context = session();
    const res = await exchange(context, ee, 'project_list', '/project/');
    assert.equal(res.statusCode, 401);
    assert.deepEqual(ee.named('plugins.hmp.'), { 'plugins.hmp.relogin': 1, 'plugins.hmp.ok.auth_relogin': 1, 'plugins.hmp.ok.project_list_retry': 1 });
    assert.equal(ee.counters.get('plugins.metrics-by-endpoint.auth_relogin.codes.200'), 1);
    assert.equal(ee.counters.get('plugins.metrics-by-endpoint.project_list_retry.codes.200'), 1);
    assert.equal(ee.histograms.get('plugins.metrics-by-endpoint.response_time.project_list_retry')?.length, 1);
    assert.equal(ee.histograms.get('plugins.metrics-by-endpoint.response_time.auth_relogin')?.length, 1);
    assert.notEqual(context.vars.token, expired, 'the session keeps the fresh token');
    assert.equal(context.vars.sessionFailed, false);
  });

  test('a failed re-login is an error of auth_relogin and ends the session, without a retry', async () => {
    const ee = new MetricRecorder();
    const context = session('11'.repeat(32)); // not this user's key: login answers 400
    await exchange(context, ee, 'project_list', '/project/');
    assert.deepEqual(ee.named('plugins.hmp.'), {
      'plugins.hmp.relogin': 1, 'plugins.hmp.errors': 1, 'plugins.hmp.errors.auth_relogin': 1, 'plugins.hmp.errors.auth_relogin.status_400': 1,
    });
    assert.equal(ee.counters.get('plugins.metrics-by-endpoint.auth_relogin.codes.400'), 1);
    assert.equal(context.vars.sessionFailed, true);
  });

  test('the retry resends the same body and is checked like the original: a bad one is an error of <name>_retry', async () => {
    const ee = new MetricRecorder();
    const context = session();
    await exchange(context, ee, 'submission_create', '/submission/', { method: 'POST', body: Buffer.from([0xa2, 0x61]), type: 'application/cbor' });
    assert.deepEqual(ee.named('plugins.hmp.errors'), {
      'plugins.hmp.errors': 1, 'plugins.hmp.errors.submission_create_retry': 1, 'plugins.hmp.errors.submission_create_retry.upload_error_list': 1,
    });
    assert.equal(ee.counters.get('plugins.metrics-by-endpoint.submission_create_retry.codes.200'), 1);
    assert.equal(context.vars.sessionFailed, true);
  });

  test('401 from /credentials/public-key is that endpoint\'s own answer: no re-login', async (t) => {
    t.mock.method(console, 'warn', () => {}); // the warning's line (checked in processors-convert.test.ts)
    const mix = new MetricRecorder();
    const context = session();
    context.vars.token = undefined;
    await exchange(context, mix, 'credentials_public_key', '/credentials/public-key');
    const warning = { 'plugins.hmp.warnings.credentials_public_key': 1, 'plugins.hmp.warnings.credentials_public_key.status_401': 1 };
    assert.deepEqual(mix.named('plugins.hmp.'), warning, 'a known HMP defect: a warning, not an error');
    assert.equal(context.vars.sessionFailed, false, 'the mixes fall back to the configured key');

    const smoke = new MetricRecorder();
    const smokeContext = session(undefined, 'smoke');
    await exchange(smokeContext, smoke, 'credentials_public_key', '/credentials/public-key');
    assert.deepEqual(smoke.named('plugins.hmp.'), warning, 'the smoke test reports it as a warning too: a smoke run against current HMP can pass');
    assert.equal(smokeContext.vars.sessionFailed, false, 'and goes on to check the conversion');
  });
});
