// Access matrix: student / instructor / admin x every endpoint (Bell-LaPadula, HMP-API.md).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { accessDenial, LEVEL } from '../twin/access.ts';
import { startTwin, type TwinHandle } from '../twin/server.ts';
import { call, login, seed, type Call } from './support/twin-session.ts';

test('accessDenial: no read up, no write down, integrity required', () => {
  const student = { confidentiality: 2, integrity: [3] };
  assert.equal(accessDenial(student, LEVEL.CONTROLLED, 'read'), null);
  assert.match(accessDenial(student, LEVEL.RESTRICTED, 'read')!, /no read up/);
  assert.equal(accessDenial(student, LEVEL.RESTRICTED, 'write'), null);
  assert.match(accessDenial({ confidentiality: 4, integrity: [4] }, LEVEL.RESTRICTED, 'write')!, /no write down/);
  assert.match(accessDenial(student, LEVEL.CONFIDENTIAL, 'write')!, /integrity/);
  assert.match(accessDenial(student, LEVEL.RESTRICTED, 'read_write')!, /no read up/);
});

// ok = anything but 403; deny = 403. Write bodies pass validation (a 422
// comes before the access check) and then fail in the handler where access is
// granted, so nothing is changed (the admin rewrites its own values).
const Y = 'ok';
const N = 'deny';
const MATRIX: Array<[string, string, string, string, string]> = [
  // method, path, student, instructor, admin
  ['GET', '/project/', Y, Y, Y],
  ['GET', '/project/{p}', Y, Y, Y],
  ['POST', '/project/', N, N, Y],
  ['PUT', '/project/{p}', N, N, Y],
  ['PUT', '/project/{p}/students', N, N, Y],
  ['GET', '/project/{p}/students', N, Y, Y],
  ['GET', '/submission/instructor_key?project_id={p}', Y, Y, Y],
  ['POST', '/submission/', Y, Y, N],
  ['GET', '/submission/', N, Y, Y],
  ['GET', '/submission/1/hash', N, Y, Y],
  ['GET', '/submission/1/content', N, Y, Y],
  ['DELETE', '/submission/999999', Y, Y, N],
  ['GET', '/pdf-to-audio/upload-key', N, Y, Y],
  ['POST', '/pdf-to-audio/execute', N, Y, N],
  ['GET', '/pdf-to-audio/conversion-status/x', N, Y, Y],
  ['GET', '/pdf-to-audio/converted-audio/x', N, Y, Y],
  ['GET', '/audit/', N, N, Y],
  ['POST', '/admin/load-test/up', N, N, Y],
  ['POST', '/admin/load-test/down', N, N, 'skip'],
  ['POST', '/auth/users', N, N, Y],
  ['GET', '/auth/users', N, N, Y],
  ['GET', '/auth/users/1', N, N, Y],
  ['PUT', '/auth/users/{me}', N, N, Y],
];

const NOBODY = 'nobody@example.org';
const PROJECT = { title: 't', syllabus_summary: 's', description: 'd', instructor_email: NOBODY, deadline: '2030-01-01T00:00:00Z' };
const ADMIN = { name: 'Twin', surname: 'Admin', email: 'admin@hmp.twin', confidentiality_level: 4, integrity_levels: [4], expires_at: '2099-01-01T00:00:00Z' };
const BODIES: Record<string, Call> = {
  'POST /project/': { json: PROJECT },
  'PUT /project/{p}': { json: PROJECT },
  'PUT /project/{p}/students': { json: { student_emails: [NOBODY] } },
  'POST /submission/': { cbor: {} },
  'POST /auth/users': { json: { ...ADMIN, email: NOBODY, public_key: 'not base64' } },
  'PUT /auth/users/{me}': { json: ADMIN },
};

let twin: TwinHandle;
before(async () => {
  twin = await startTwin({ seed: 3 });
});
after(() => twin.close());

test('access matrix: each role x each endpoint', async () => {
  const s = await seed(twin);
  const st = s.up.students[0]!;
  const ins = s.up.instructors[0]!;
  const tokens = { student: await login(twin.url, st.id, st.private_key), instructor: await login(twin.url, ins.id, ins.private_key), admin: s.admin };
  const p = String(s.up.projects[0]!.id);
  const failures: string[] = [];
  for (const [method, rawPath, ...expected] of MATRIX) {
    for (const [i, role] of (['student', 'instructor', 'admin'] as const).entries()) {
      if (expected[i] === 'skip') continue;
      const me = role === 'admin' ? twin.adminUserId : role === 'student' ? st.id : ins.id;
      const path = rawPath.replace('{p}', p).replace('{me}', String(me));
      const r = await call(twin.url, method, path, { token: tokens[role], ...BODIES[`${method} ${rawPath}`] });
      const got = r.status === 403 ? N : Y;
      if (got !== expected[i]) failures.push(`${role} ${method} ${path}: expected ${expected[i]}, got ${r.status} ${r.text.slice(0, 80)}`);
    }
  }
  assert.deepEqual(failures, []);
});
