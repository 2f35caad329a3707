// test-env/messages.ts and tools/test-env/password.ts: failures in one sentence; hidden input keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HmpHttpError, HmpTimeoutError, HmpUnreachableError } from '../lib/hmp-client.ts';
import { Failure, downCommand, explain, explainAdminLogin, sentence } from '../test-env/messages.ts';
import { applyKeys } from '../tools/test-env/password.ts';

const ctx = { target: 'http://127.0.0.1:8000', credentialsPath: 'admin.bin', userId: 7 };
const say = (err: unknown) => sentence(explain(err, ctx));

function oneSentence(s: string): void {
  assert.doesNotMatch(s, /\n/);
  assert.match(s, /\.$/);
  assert.equal(s.split(/\.\s+[A-Z]/).length, 1, `one sentence: ${s}`);
}

test('unreachable and timeout', () => {
  const a = say(new HmpUnreachableError(ctx.target, 'POST /auth/challenge', 'ECONNREFUSED'));
  assert.equal(a, 'the target http://127.0.0.1:8000 is not reachable (ECONNREFUSED); check --target and that the server is running.');
  const b = say(new HmpTimeoutError(ctx.target, 'POST /admin/load-test/up', 30_000));
  assert.match(b, /did not answer POST \/admin\/load-test\/up within 30 s; .*--timeout/);
  oneSentence(a);
  oneSentence(b);
});

test('403 on admin endpoints means the user is not an admin', () => {
  for (const endpoint of ['POST /admin/load-test/up', 'POST /auth/users', 'GET /auth/users']) {
    const s = say(new HmpHttpError(403, 'Access denied: writing requires confidentiality <= CONFIDENTIAL', endpoint));
    assert.match(s, /^user 7 from admin\.bin is not an admin on http:\/\/127\.0\.0\.1:8000 /);
    assert.match(s, /use the credentials file of an HMP admin/);
    oneSentence(s);
  }
});

test('404 on /admin/load-test/* tells to use --via api', () => {
  const s = say(new HmpHttpError(404, 'Not Found', 'POST /admin/load-test/up'));
  assert.equal(s, 'http://127.0.0.1:8000 has no /admin/load-test/up endpoint (an older HMP deployment answers 404); run again with --via api to use the regular admin API instead.');
});

test('second load-test/up and duplicate users point at down', () => {
  assert.match(say(new HmpHttpError(400, 'emails taken', 'POST /admin/load-test/up')), /already holds load-test data.*"down --force"/);
  assert.match(say(new HmpHttpError(400, 'User exists', 'POST /auth/users')), /earlier run.*remove them first \(down\)/);
});

test('other HTTP errors show endpoint, status and detail; the upload quirk shows its inner status', () => {
  assert.match(say(new HmpHttpError(500, 'Internal Server Error: boom', 'GET /project/')), /^GET \/project\/ answered 500: Internal Server Error: boom; check the server log/);
  assert.match(say(new HmpHttpError(200, 'Invalid CBOR data: x', 'POST /submission/', 400)), /answered 200 with an error list saying 400: Invalid CBOR data/);
});

test('admin login errors speak about the credentials file', () => {
  const c = { ...ctx, userId: 7 };
  assert.match(sentence(explainAdminLogin(new HmpHttpError(404, 'User not found', 'POST /auth/challenge'), c)), /^user 7 from admin\.bin does not exist on http/);
  assert.match(sentence(explainAdminLogin(new HmpHttpError(400, 'Account expired', 'POST /auth/challenge'), c)), /has expired/);
  assert.match(sentence(explainAdminLogin(new HmpHttpError(400, 'Invalid credentials', 'POST /auth/login'), c)), /rejected the key in admin\.bin for user 7/);
});

test('a Failure keeps its words; unknown errors say how to see the stack', () => {
  const f = new Failure({ what: 'x happened', todo: 'do y' });
  assert.equal(f.message, 'x happened; do y.');
  assert.equal(f.exitCode, 1);
  assert.deepEqual(explain(f, ctx), { what: 'x happened', todo: 'do y' });
  assert.match(say(new Error('weird\nsecond line')), /^unexpected error: weird; set HMP_DEBUG=1/);
});

test('downCommand: the real command line, quoted for the shell', () => {
  assert.equal(
    downCommand({ target: 'http://127.0.0.1:8000', credentialsPath: '/srv/admin.bin', dataPath: '/srv/data/test_data.json' }),
    'npm run test-env -- down --target http://127.0.0.1:8000 --credentials /srv/admin.bin --data /srv/data/test_data.json',
  );
  const odd = downCommand({ target: 'http://h', credentialsPath: "/my keys/it's.bin", dataPath: '/d.json', via: 'api', force: true });
  assert.equal(odd, "npm run test-env -- down --target http://h --credentials '/my keys/it'\\''s.bin' --data /d.json --via api --force");
});

test('applyKeys: typing, backspace, Ctrl-U, Enter and Ctrl-C', () => {
  let s = applyKeys({ value: '', end: undefined }, 'pa');
  s = applyKeys(s, 'sx\u007fs');
  assert.deepEqual(s, { value: 'pass', end: undefined });
  assert.deepEqual(applyKeys(s, 'w\rignored'), { value: 'passw', end: 'enter' });
  assert.deepEqual(applyKeys(s, '\u0015new\n'), { value: 'new', end: 'enter' });
  assert.deepEqual(applyKeys(s, '\u0003'), { value: '', end: 'interrupt' });
  assert.deepEqual(applyKeys({ value: 'pä', end: undefined }, '\b'), { value: 'p', end: undefined });
  assert.deepEqual(applyKeys({ value: '', end: undefined }, '\u001b[Aok'), { value: '[Aok', end: undefined });
});
