// FastAPI's request validation on the twin: 422 with FastAPI's body for a
// missing or ill-typed path, query or body parameter, before the handler;
// numeric strings coerced; 500 for what fails inside a handler.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTwin, type TwinHandle } from '../twin/server.ts';
import { InvalidRequest, readBody, validate } from '../twin/validate.ts';
import { call, login, seed, type Seeded } from './support/twin-session.ts';

const details = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    if (err instanceof InvalidRequest) return err.detail;
    throw err;
  }
  assert.fail('expected a 422');
};

describe('the rules (pure)', () => {
  test('integers: numeric strings and booleans coerced; other strings, fractions and non-numbers refused', () => {
    const int = { path: { id: 'int' }, query: { n: 'int?' } } as const;
    assert.deepEqual(validate(int, { id: ' 42 ' }, { n: ['1', '-7'] }, undefined).params, { id: 42, n: -7 });
    assert.deepEqual(validate({ body: { n: 'int' } }, {}, {}, { n: true }).json, { n: 1 });
    assert.deepEqual(details(() => validate(int, { id: '4x' }, {}, undefined)), [
      { type: 'int_parsing', loc: ['path', 'id'], msg: 'Input should be a valid integer, unable to parse string as an integer', input: '4x' },
    ]);
    const body = { a: 1.5, b: null, c: [1] };
    assert.deepEqual(
      details(() => validate({ body: { a: 'int', b: 'int', c: 'int' } }, {}, {}, body)).map((e) => e.type),
      ['int_from_float', 'int_type', 'int_type'],
    );
  });

  test('every error at once, path and query before the body; a missing field names its parent as input', () => {
    const inputs = { path: { id: 'int' }, query: { q: 'int' }, body: { s: 'str', levels: 'level[]', l: 'level' } } as const;
    const errors = details(() => validate(inputs, { id: 'x' }, {}, { s: 3, levels: [2, 9], extra: 1 }));
    assert.deepEqual(errors, [
      { type: 'int_parsing', loc: ['path', 'id'], msg: 'Input should be a valid integer, unable to parse string as an integer', input: 'x' },
      { type: 'missing', loc: ['query', 'q'], msg: 'Field required', input: null },
      { type: 'string_type', loc: ['body', 's'], msg: 'Input should be a valid string', input: 3 },
      { type: 'enum', loc: ['body', 'levels', 1], msg: 'Input should be 1, 2, 3 or 4', input: 9, ctx: { expected: '1, 2, 3 or 4' } },
      { type: 'missing', loc: ['body', 'l'], msg: 'Field required', input: { s: 3, levels: [2, 9], extra: 1 } },
    ]);
    // Undeclared fields are dropped, as pydantic does.
    assert.deepEqual(validate({ body: { s: 'str' } }, {}, {}, { s: 'a', extra: 1 }).json, { s: 'a' });
  });

  test('bodies: JSON when it says so or says nothing, bytes otherwise; empty is missing', () => {
    const model = { body: { s: 'str' } } as const;
    assert.deepEqual(readBody(model.body, Buffer.from('{"s":"a"}'), undefined), { s: 'a' });
    assert.deepEqual(readBody(model.body, Buffer.from('{"s":"a"}'), 'application/vnd.api+json; charset=utf-8'), { s: 'a' });
    assert.equal(readBody(undefined, Buffer.from('not json'), 'application/json'), undefined, 'a route without a body never reads it');
    assert.equal(details(() => readBody(model.body, Buffer.from('{"s":'), 'application/json'))[0]!.type, 'json_invalid');
    const text = readBody(model.body, Buffer.from('s=a'), 'text/plain');
    assert.deepEqual(details(() => validate(model, {}, {}, text))[0], {
      type: 'model_attributes_type', loc: ['body'], msg: 'Input should be a valid dictionary or object to extract fields from', input: 's=a',
    });
    assert.deepEqual(details(() => validate(model, {}, {}, [1]))[0]!.type, 'model_attributes_type');
    assert.deepEqual(details(() => validate(model, {}, {}, undefined)), [{ type: 'missing', loc: ['body'], msg: 'Field required', input: null }]);
    const bytes = { body: 'bytes' } as const;
    assert.deepEqual(validate(bytes, {}, {}, Buffer.from([1, 2])).bytes, Buffer.from([1, 2]));
    assert.deepEqual(details(() => validate(bytes, {}, {}, { a: 1 }))[0]!.type, 'bytes_type');
  });
});

describe('on the twin', () => {
  let twin: TwinHandle;
  let s: Seeded;
  let student: string;
  before(async () => {
    twin = await startTwin({ seed: 5 });
    s = await seed(twin);
    student = await login(twin.url, s.up.students[0]!.id, s.up.students[0]!.private_key);
  });
  after(() => twin.close());

  const expect422 = async (path: string, method: string, opts: Parameters<typeof call>[3], type: string, loc: Array<string | number>) => {
    const r = await call(twin.url, method, path, opts);
    assert.equal(r.status, 422, `${method} ${path}: ${r.text}`);
    assert.ok(
      r.json.detail.some((e: any) => e.type === type && JSON.stringify(e.loc) === JSON.stringify(loc) && 'msg' in e && 'input' in e),
      `${method} ${path}: no ${type} at ${loc.join('.')} in ${r.text}`,
    );
  };

  test('path parameters: a non-numeric id is 422 on every route that takes one; a numeric one is accepted', async () => {
    const pid = s.up.projects[0]!.id;
    await expect422('/project/abc', 'GET', { token: student }, 'int_parsing', ['path', 'id']);
    await expect422('/project/1.5/students', 'GET', { token: s.admin }, 'int_parsing', ['path', 'id']);
    await expect422('/submission/x/hash', 'GET', { token: s.admin }, 'int_parsing', ['path', 'id']);
    await expect422('/submission/x', 'DELETE', { token: student }, 'int_parsing', ['path', 'id']);
    await expect422('/auth/users/me', 'GET', { token: s.admin }, 'int_parsing', ['path', 'id']);
    assert.equal((await call(twin.url, 'GET', `/project/00${pid}`, { token: student })).json.id, pid);
  });

  test('query parameters: missing or non-numeric project_id is 422; a numeric string is coerced', async () => {
    await expect422('/submission/instructor_key', 'GET', { token: student }, 'missing', ['query', 'project_id']);
    await expect422('/submission/instructor_key?project_id=one', 'GET', { token: student }, 'int_parsing', ['query', 'project_id']);
    const ok = await call(twin.url, 'GET', `/submission/instructor_key?project_id=${s.up.projects[0]!.id}`, { token: student });
    assert.equal(ok.status, 200);
  });

  test('JSON bodies: missing, ill-typed, not an object or not JSON are 422; numeric strings coerced', async () => {
    const id = s.up.students[1]!.id;
    assert.equal((await call(twin.url, 'POST', '/auth/challenge', { json: { user_id: String(id) } })).status, 200);
    await expect422('/auth/challenge', 'POST', { json: { user_id: 'me' } }, 'int_parsing', ['body', 'user_id']);
    await expect422('/auth/challenge', 'POST', { json: {} }, 'missing', ['body', 'user_id']);
    await expect422('/auth/challenge', 'POST', {}, 'missing', ['body']);
    await expect422('/auth/challenge', 'POST', { json: [id] }, 'model_attributes_type', ['body']);
    await expect422('/auth/challenge', 'POST', { raw: { body: '{"user_id": 1', type: 'application/json' } }, 'json_invalid', ['body', 13]);
    await expect422('/auth/login', 'POST', { json: { user_id: id, challenge: 1 } }, 'string_type', ['body', 'challenge']);
    await expect422('/auth/login', 'POST', { json: { user_id: id, challenge: 1 } }, 'missing', ['body', 'signature']);
    await expect422('/project/1/students', 'PUT', { token: s.admin, json: { student_emails: 'a@b.c' } }, 'list_type', ['body', 'student_emails']);
    await expect422('/auth/users', 'POST', { token: s.admin, json: { confidentiality_level: 7 } }, 'enum', ['body', 'confidentiality_level']);
  });

  test('POST /submission/ takes raw bytes: an empty body or a JSON one is 422', async () => {
    await expect422('/submission/', 'POST', { token: student, raw: { body: '', type: 'application/cbor' } }, 'missing', ['body']);
    await expect422('/submission/', 'POST', { token: student, json: { project_id: 1, title: 't', encrypted_content: 'x' } }, 'bytes_type', ['body']);
  });

  test('order: authentication first, then validation, then the access check; bad JSON before all; a 422 writes no audit row', async () => {
    assert.equal((await call(twin.url, 'GET', '/project/abc')).status, 401);
    assert.equal((await call(twin.url, 'POST', '/project/', { raw: { body: '{', type: 'application/json' } })).status, 422);
    // A student may not create projects (403), but an invalid body is refused first.
    assert.equal((await call(twin.url, 'POST', '/project/', { token: student, json: {} })).status, 422);
    const since = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5));
    await call(twin.url, 'GET', '/project/abc', { token: student });
    await call(twin.url, 'GET', '/project/999999', { token: student });
    const audit = await call(twin.url, 'GET', `/audit/?start=${since}`, { token: s.admin });
    assert.deepEqual(audit.json.map((a: any) => a.action), ['project_detail']);
  });

  test('inside handlers, uncaught: a timestamp the database cannot parse is 500', async () => {
    const r = await call(twin.url, 'GET', '/audit/?start=yesterday', { token: s.admin });
    assert.equal(r.status, 500);
    assert.match(r.text, /invalid input syntax for type timestamp/);
    assert.equal((await call(twin.url, 'GET', '/audit/?start=2020-01-01T00:00:00Z&end=2020-01-02', { token: s.admin })).json.length, 0);
  });
});
