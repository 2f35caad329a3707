// Contract of every twin endpoint against HMP-API.md: success and listed errors.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT } from 'jose';
import { encodeCredentialsFile, md5Hex, newPrivateKey, publicKeyOf, PublicKeyCipher, signChallenge } from '../lib/hmp-crypto.ts';
import { startTwin, type TwinHandle } from '../twin/server.ts';
import { call, login, seed, type Seeded } from './support/twin-session.ts';

const SECRET = 'contract-test-secret';
let twin: TwinHandle;
let s: Seeded;
let studentToken: string;
let instructorToken: string;
const cipher = new PublicKeyCipher();

before(async () => {
  twin = await startTwin({ jwtSecret: SECRET, seed: 7 });
  s = await seed(twin);
  studentToken = await login(twin.url, s.up.students[0]!.id, s.up.students[0]!.private_key);
  instructorToken = await login(twin.url, s.up.instructors[0]!.id, s.up.instructors[0]!.private_key);
});
after(() => twin.close());

async function uploadAs(token: string, projectId: number, pdf: Uint8Array, title = 'My submission') {
  const key = await call(twin.url, 'GET', `/submission/instructor_key?project_id=${projectId}`, { token });
  const encrypted = await cipher.encrypt(Buffer.from(key.json.public_key, 'base64'), pdf);
  const r = await call(twin.url, 'POST', '/submission/', { token, cbor: { project_id: projectId, title, encrypted_content: encrypted } });
  return { r, encrypted };
}

describe('health and auth', () => {
  test('GET /health answers "I\'m good"', async () => {
    const r = await call(twin.url, 'GET', '/health');
    assert.equal(r.status, 200);
    assert.equal(r.json, "I'm good");
  });

  test('challenge: 256 random bytes; unknown user 404; expired account 400; bad body 422', async () => {
    const r = await call(twin.url, 'POST', '/auth/challenge', { json: { user_id: s.up.students[0]!.id } });
    assert.equal(r.status, 200);
    assert.equal(Buffer.from(r.json.challenge, 'base64').length, 256);
    assert.equal((await call(twin.url, 'POST', '/auth/challenge', { json: { user_id: 999999 } })).status, 404);
    assert.equal((await call(twin.url, 'POST', '/auth/challenge', { json: { nope: 1 } })).status, 422);
    const key = newPrivateKey();
    const created = await call(twin.url, 'POST', '/auth/users', {
      token: s.admin,
      json: { name: 'Old', surname: 'Account', email: 'old@example.org', confidentiality_level: 2, integrity_levels: [3], public_key: Buffer.from(await publicKeyOf(key)).toString('base64'), expires_at: '2001-01-01T00:00:00Z' },
    });
    assert.equal(created.status, 200);
    assert.equal((await call(twin.url, 'POST', '/auth/challenge', { json: { user_id: created.json.id } })).status, 400);
  });

  test('login: a signed challenge gives a token; wrong key 400; non-base64 signature 500', async () => {
    const st = s.up.students[1]!;
    const c = await call(twin.url, 'POST', '/auth/challenge', { json: { user_id: st.id } });
    const good = await signChallenge(c.json.challenge, Buffer.from(st.private_key, 'hex'));
    const ok = await call(twin.url, 'POST', '/auth/login', { json: { user_id: st.id, challenge: c.json.challenge, signature: good } });
    assert.equal(ok.status, 200);
    assert.match(ok.json.token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    const wrong = await signChallenge(c.json.challenge, newPrivateKey());
    const bad = await call(twin.url, 'POST', '/auth/login', { json: { user_id: st.id, challenge: c.json.challenge, signature: wrong } });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.detail, 'Invalid credentials');
    const junk = await call(twin.url, 'POST', '/auth/login', { json: { user_id: st.id, challenge: c.json.challenge, signature: '***' } });
    assert.equal(junk.status, 500);
    // The server does not remember challenges: any challenge signed by the key works.
    const own = Buffer.from('made up by the client').toString('base64');
    const replay = await call(twin.url, 'POST', '/auth/login', {
      json: { user_id: st.id, challenge: own, signature: await signChallenge(own, Buffer.from(st.private_key, 'hex')) },
    });
    assert.equal(replay.status, 200);
  });

  test('Authorization header: missing 401, malformed 400, expired 401, foreign signature 500, deleted user 500', async () => {
    assert.equal((await call(twin.url, 'GET', '/project/')).status, 401);
    assert.equal((await call(twin.url, 'GET', '/project/', { headers: { authorization: 'Token abc' } })).status, 400);
    const key = new TextEncoder().encode(SECRET);
    const past = Math.floor(Date.now() / 1000) - 60;
    const expired = await new SignJWT({ sub: String(s.up.students[0]!.id) }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt(past - 60).setExpirationTime(past).sign(key);
    const r = await call(twin.url, 'GET', '/project/', { token: expired });
    assert.equal(r.status, 401);
    assert.equal(r.json.detail, 'Invalid or expired token');
    const foreign = await new SignJWT({ sub: '1' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(new TextEncoder().encode('other'));
    const f = await call(twin.url, 'GET', '/project/', { token: foreign });
    assert.equal(f.status, 500);
    assert.equal(f.headers.get('connection'), 'close');
    const ghost = await new SignJWT({ sub: '987654' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(key);
    assert.equal((await call(twin.url, 'GET', '/project/', { token: ghost })).status, 500);
  });

  test('users: admin creates, lists, reads and updates; duplicates 400', async () => {
    const pub = Buffer.from(await publicKeyOf(newPrivateKey())).toString('base64');
    const body = { name: 'Ada', surname: 'Lovelace', email: 'ada@example.org', confidentiality_level: 2, integrity_levels: [3], public_key: pub, expires_at: '2099-01-01T00:00:00Z' };
    const c = await call(twin.url, 'POST', '/auth/users', { token: s.admin, json: body });
    assert.equal(c.status, 200);
    assert.ok(Number.isInteger(c.json.id));
    assert.equal((await call(twin.url, 'POST', '/auth/users', { token: s.admin, json: { ...body, email: 'other@example.org' } })).status, 400);
    assert.equal((await call(twin.url, 'POST', '/auth/users', { token: s.admin, json: { ...body, name: 'Other' } })).status, 400);
    const list = await call(twin.url, 'GET', '/auth/users', { token: s.admin });
    assert.ok(list.json.some((u: any) => u.id === c.json.id && u.full_name === 'Ada Lovelace'));
    const one = await call(twin.url, 'GET', `/auth/users/${c.json.id}`, { token: s.admin });
    assert.equal(one.json.email, 'ada@example.org');
    const { public_key: _key, ...fields } = body; // upstream's UserUpdateRequest: every field but the key
    const put = await call(twin.url, 'PUT', `/auth/users/${c.json.id}`, { token: s.admin, json: { ...fields, surname: 'King' } });
    assert.equal(put.status, 200);
    assert.equal(put.json.surname, 'King');
  });
});

describe('projects', () => {
  test('list: every project, newest deadline first, with its shape', async () => {
    const r = await call(twin.url, 'GET', '/project/', { token: studentToken });
    assert.equal(r.status, 200);
    assert.equal(r.json.length, 30);
    assert.deepEqual(Object.keys(r.json[0]).sort(), ['deadline', 'id', 'instructor_full_name', 'title']);
    const deadlines = r.json.map((p: any) => p.deadline);
    assert.deepEqual(deadlines, [...deadlines].sort().reverse());
  });

  test('detail: shape and student_count; unknown 404', async () => {
    const p = s.up.projects[0]!;
    const r = await call(twin.url, 'GET', `/project/${p.id}`, { token: studentToken });
    assert.equal(r.status, 200);
    assert.deepEqual(Object.keys(r.json).sort(), ['deadline', 'description', 'id', 'instructor_email', 'instructor_full_name', 'instructor_id', 'student_count', 'syllabus_summary', 'title']);
    const assigned = s.up.students.filter((st) => st.project_ids.includes(p.id)).length;
    assert.equal(r.json.student_count, assigned);
    assert.equal((await call(twin.url, 'GET', '/project/999999', { token: studentToken })).status, 404);
  });

  test('admin creates, updates and assigns; removing a student who submitted is 400', async () => {
    const project = { title: 'Thesis', syllabus_summary: 's', description: 'd', instructor_email: s.up.instructors[0]!.email, deadline: '2030-01-01T00:00:00Z' };
    const c = await call(twin.url, 'POST', '/project/', { token: s.admin, json: project });
    assert.equal(c.status, 200);
    const id = c.json.id;
    // Upstream's ProjectUpdateRequest: every field, as on creation.
    assert.equal((await call(twin.url, 'PUT', `/project/${id}`, { token: s.admin, json: { ...project, title: 'Thesis 2' } })).status, 200);
    assert.equal((await call(twin.url, 'GET', `/project/${id}`, { token: s.admin })).json.title, 'Thesis 2');
    const st = s.up.students[5]!;
    assert.equal((await call(twin.url, 'PUT', `/project/${id}/students`, { token: s.admin, json: { student_emails: [st.email] } })).status, 200);
    assert.deepEqual((await call(twin.url, 'GET', `/project/${id}/students`, { token: s.admin })).json, [{ email: st.email }]);
    const token = await login(twin.url, st.id, st.private_key);
    const { r } = await uploadAs(token, id, Buffer.from('%PDF-1.4 tiny'));
    assert.equal(r.status, 200);
    const removal = await call(twin.url, 'PUT', `/project/${id}/students`, { token: s.admin, json: { student_emails: [] } });
    assert.equal(removal.status, 400);
  });
});

describe('submissions', () => {
  test('instructor_key: any logged-in user gets the instructor key; missing project 500', async () => {
    const p = s.up.projects[0]!;
    const r = await call(twin.url, 'GET', `/submission/instructor_key?project_id=${p.id}`, { token: studentToken });
    assert.equal(r.status, 200);
    const instructor = s.up.instructors.find((i) => i.id === p.instructor_id)!;
    assert.deepEqual(Buffer.from(r.json.public_key, 'base64'), Buffer.from(await publicKeyOf(Buffer.from(instructor.private_key, 'hex'))));
    assert.equal((await call(twin.url, 'GET', '/submission/instructor_key?project_id=999999', { token: studentToken })).status, 500);
  });

  test('upload: 200 {id}, stored with the MD5 of what was sent, content byte-identical', async () => {
    const st = s.up.students[0]!;
    const pdf = Buffer.from('%PDF-1.4\n% a small document\n');
    const { r, encrypted } = await uploadAs(studentToken, st.project_ids[0]!, pdf);
    assert.equal(r.status, 200);
    assert.ok(Number.isInteger(r.json.id));
    const hash = await call(twin.url, 'GET', `/submission/${r.json.id}/hash`, { token: instructorToken });
    assert.deepEqual(hash.json, { content_hash: md5Hex(encrypted) });
    const content = await call(twin.url, 'GET', `/submission/${r.json.id}/content`, { token: instructorToken });
    assert.equal(content.headers.get('content-type'), 'application/octet-stream');
    assert.deepEqual(content.bytes, encrypted);
    // The instructor (holder of the key) can decrypt it.
    const instructor = s.up.instructors.find((i) => i.project_ids.includes(st.project_ids[0]!))!;
    const pub = await publicKeyOf(Buffer.from(instructor.private_key, 'hex'));
    assert.deepEqual(await cipher.decrypt(pub, content.bytes), pdf);
  });

  test('upload quirks: a truncated map and a missing key answer 200 with an error list; other bad CBOR, non-map and text content 500', async () => {
    const pid = s.up.students[0]!.project_ids[0]!;
    const truncated = await call(twin.url, 'POST', '/submission/', { token: studentToken, raw: { body: Buffer.from([0xa3, 0x61, 0x61]), type: 'application/cbor' } });
    assert.equal(truncated.status, 200);
    assert.ok(Array.isArray(truncated.json));
    assert.match(truncated.json[0].error, /^Invalid CBOR data/);
    assert.equal(truncated.json[1], 400);
    const notCbor = await call(twin.url, 'POST', '/submission/', { token: studentToken, raw: { body: Buffer.from([0xff, 0xff, 0x20]), type: 'application/cbor' } });
    assert.equal(notCbor.status, 500);
    assert.equal(notCbor.headers.get('connection'), 'close');
    const missing = await call(twin.url, 'POST', '/submission/', { token: studentToken, cbor: { project_id: pid, title: 'x' } });
    assert.equal(missing.status, 200);
    assert.match(missing.json[0].error, /encrypted_content/);
    assert.equal((await call(twin.url, 'POST', '/submission/', { token: studentToken, cbor: [1, 2, 3] })).status, 500);
    assert.equal((await call(twin.url, 'POST', '/submission/', { token: studentToken, cbor: { project_id: pid, title: 'x', encrypted_content: 'text' } })).status, 500);
    // cbor-x writes a bare Uint8Array as a tagged typed array (tag 64), not a byte string.
    const tagged = await call(twin.url, 'POST', '/submission/', { token: studentToken, cbor: { project_id: pid, title: 'x', encrypted_content: new Uint8Array([1, 2, 3]) } });
    assert.equal(tagged.status, 500);
  });

  test('upload to an unassigned project 500; an instructor uploading 500', async () => {
    const st = s.up.students[0]!;
    const other = s.up.projects.find((p) => !st.project_ids.includes(p.id))!;
    assert.equal((await uploadAs(studentToken, other.id, Buffer.from('%PDF'))).r.status, 500);
    assert.equal((await uploadAs(instructorToken, other.id, Buffer.from('%PDF'))).r.status, 500);
  });

  test('list: every submission newest first, long titles cut to 27 chars + "..."', async () => {
    const pid = s.up.students[0]!.project_ids[0]!;
    const { r } = await uploadAs(studentToken, pid, Buffer.from('%PDF'), 'A very long submission title that goes on');
    const list = await call(twin.url, 'GET', '/submission/', { token: instructorToken });
    assert.equal(list.status, 200);
    assert.equal(list.json[0].id, r.json.id);
    assert.equal(list.json[0].title, 'A very long submission titl...');
    assert.deepEqual(Object.keys(list.json[0]).sort(), ['content_hash', 'id', 'instructor_name', 'student_name', 'submitted_at', 'title']);
    const count = list.json.length;
    await uploadAs(studentToken, pid, Buffer.from('%PDF'));
    assert.equal((await call(twin.url, 'GET', '/submission/', { token: instructorToken })).json.length, count + 1);
  });

  test('hash/content of a missing id 500; delete answers 200 even for a missing id', async () => {
    assert.equal((await call(twin.url, 'GET', '/submission/999999/hash', { token: instructorToken })).status, 500);
    assert.equal((await call(twin.url, 'GET', '/submission/999999/content', { token: instructorToken })).status, 500);
    const d = await call(twin.url, 'DELETE', '/submission/999999', { token: studentToken });
    assert.equal(d.status, 200);
    assert.deepEqual(d.json, { status: 'deleted' });
  });
});

describe('credentials, audit and load-test fixtures', () => {
  test('GET /credentials/public-key answers 401 to everyone (current upstream)', async () => {
    assert.equal((await call(twin.url, 'GET', '/credentials/public-key')).status, 401);
    assert.equal((await call(twin.url, 'GET', '/credentials/public-key', { token: instructorToken })).status, 401);
    assert.equal((await call(twin.url, 'GET', '/credentials/public-key', { token: s.admin })).status, 401);
  });

  test('audit: one row per request, newest first, filtered by time range', async () => {
    await new Promise((r) => setTimeout(r, 5)); // timestamps have millisecond resolution
    const since = new Date().toISOString();
    await call(twin.url, 'GET', '/project/', { token: studentToken });
    await call(twin.url, 'GET', '/project/999999', { token: studentToken });
    const r = await call(twin.url, 'GET', `/audit/?start=${since}`, { token: s.admin });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.map((a: any) => [a.action, a.is_success]), [['project_detail', false], ['project_list', true]]);
    assert.equal(r.json[1].user_name, 'Student LoadTest 000');
    assert.deepEqual(Object.keys(r.json[0]).sort(), ['action', 'ip_address', 'is_success', 'reason', 'timestamp', 'user_name']);
    assert.equal((await call(twin.url, 'GET', `/audit/?start=${new Date(Date.now() + 60_000).toISOString()}`, { token: s.admin })).json.length, 0);
  });

  test('load-test/up: 80 students on 3-5 projects, 20 instructors round-robin, 30 $TEST$ projects; twice -> 400', () => {
    const { students, instructors, projects } = s.up;
    assert.equal(students.length, 80);
    assert.equal(instructors.length, 20);
    assert.equal(projects.length, 30);
    assert.equal(students[79]!.email, 'student079@hmp.test');
    assert.equal(instructors[19]!.email, 'instructor019@hmp.test');
    for (const st of students) assert.ok(st.project_ids.length >= 3 && st.project_ids.length <= 5);
    assert.ok(projects.every((p, i) => p.title === `$TEST$ Load Test Project ${String(i).padStart(3, '0')}` && p.instructor_id === instructors[i % 20]!.id));
    assert.deepEqual(instructors[0]!.project_ids, [projects[0]!.id, projects[20]!.id]);
    assert.ok(students.every((st) => /^[0-9a-f]{64}$/.test(st.private_key)));
  });

  test('load-test up twice -> 400; down removes users, projects and submissions; up works again', async () => {
    const again = await call(twin.url, 'POST', '/admin/load-test/up', { token: s.admin });
    assert.equal(again.status, 400);
    const down = await call(twin.url, 'POST', '/admin/load-test/down', { token: s.admin });
    assert.equal(down.status, 200);
    assert.equal(down.json.status, 'success');
    assert.equal((await call(twin.url, 'POST', '/auth/challenge', { json: { user_id: s.up.students[0]!.id } })).status, 404);
    const projects = await call(twin.url, 'GET', '/project/', { token: s.admin });
    assert.ok(!projects.json.some((p: any) => p.title.startsWith('$TEST$')));
    // The old student token belongs to a deleted user: 500 (the audit insert fails).
    assert.equal((await call(twin.url, 'GET', '/project/', { token: studentToken })).status, 500);
    const up = await call(twin.url, 'POST', '/admin/load-test/up', { token: s.admin });
    assert.equal(up.status, 200);
    s = { admin: s.admin, up: up.json };
  });

  test('a student cannot open the admin endpoints (403)', async () => {
    const st = s.up.students[0]!;
    const token = await login(twin.url, st.id, st.private_key);
    const r = await call(twin.url, 'POST', '/admin/load-test/up', { token });
    assert.equal(r.status, 403);
    assert.match(r.json.detail, /integrity/);
  });
});

test('the admin credentials file decrypts with the password and logs in (HMP client format)', async () => {
  const key = newPrivateKey();
  const file = await encodeCredentialsFile({ userId: 42, privateKey: key }, 'pw');
  assert.equal(file.length, 16 + 12 + `42,${'0'.repeat(64)}`.length + 16);
});
