// lib/hmp-client.ts: error typing and the upload quirk against a stub server,
// then every call against the twin.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { decode } from 'cbor-x';
import {
  HmpClient, HmpHttpError, HmpTimeoutError, HmpUnreachableError, classifyUploadBody, errorDetail, normalizeBaseUrl,
} from '../lib/hmp-client.ts';
import { PublicKeyCipher, decodeCredentialsFile, md5Hex, newPrivateKey, publicKeyOf } from '../lib/hmp-crypto.ts';
import { startTwin, type TwinHandle } from '../twin/server.ts';

// --- pure helpers ---

test('errorDetail: FastAPI detail, plain text, empty', () => {
  assert.equal(errorDetail('{"detail":"Invalid credentials"}'), 'Invalid credentials');
  assert.equal(errorDetail('{"detail":[{"loc":["body","x"]}]}'), '[{"loc":["body","x"]}]');
  assert.equal(errorDetail('Internal Server Error\n  boom'), 'Internal Server Error boom');
  assert.equal(errorDetail(''), '(empty body)');
  assert.equal(errorDetail('x'.repeat(500)).length, 203);
});

test('classifyUploadBody: only an object with an integer id is success', () => {
  assert.deepEqual(classifyUploadBody({ id: 12 }), { id: 12 });
  assert.deepEqual(classifyUploadBody([{ error: 'Invalid CBOR data: x' }, 400]), { detail: 'Invalid CBOR data: x', bodyStatus: 400 });
  assert.equal('id' in classifyUploadBody({ id: '12' }), false);
  assert.equal('id' in classifyUploadBody({ id: 1.5 }), false);
  assert.equal('id' in classifyUploadBody({}), false);
  assert.equal('id' in classifyUploadBody(null), false);
  assert.equal('id' in classifyUploadBody([1, 2]), false);
});

test('normalizeBaseUrl drops the trailing slash and refuses other schemes', () => {
  assert.equal(normalizeBaseUrl('http://127.0.0.1:8000/'), 'http://127.0.0.1:8000');
  assert.throws(() => normalizeBaseUrl('ftp://x'), /http/);
});

// --- against a stub server ---

type Reply = { status: number; body: string | Buffer; type?: string } | 'hang';

describe('against a stub server', () => {
  let server: Server;
  let url: string;
  let reply: Reply = { status: 200, body: '{}' };
  let seen: { method: string; path: string; headers: IncomingMessage['headers']; body: Buffer } | undefined;

  before(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen = { method: req.method!, path: req.url!, headers: req.headers, body: Buffer.concat(chunks) };
        if (reply === 'hang') return;
        res.writeHead(reply.status, { 'content-type': reply.type ?? 'application/json' });
        res.end(reply.body);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  test('non-2xx throws HmpHttpError with status, detail and endpoint', async () => {
    const client = new HmpClient(url, { token: 'tok' });
    reply = { status: 403, body: '{"detail":"Access denied: no read up"}' };
    await assert.rejects(client.listSubmissions(), (e: unknown) => {
      assert.ok(e instanceof HmpHttpError);
      assert.equal(e.status, 403);
      assert.equal(e.detail, 'Access denied: no read up');
      assert.equal(e.endpoint, 'GET /submission/');
      return true;
    });
    assert.equal(seen!.headers.authorization, 'Bearer tok');
    reply = { status: 500, body: 'Internal Server Error', type: 'text/plain' };
    await assert.rejects(client.submissionHash(42), (e: unknown) => e instanceof HmpHttpError && e.status === 500 && e.endpoint === 'GET /submission/{id}/hash' && e.detail === 'Internal Server Error');
    assert.equal(seen!.path, '/submission/42/hash');
  });

  test('upload sends CBOR with a plain byte string and returns the id', async () => {
    const client = new HmpClient(url);
    reply = { status: 200, body: '{"id": 17}' };
    const content = new Uint8Array([1, 2, 3, 250]);
    assert.equal(await client.uploadSubmission(4, 'T', content), 17);
    assert.equal(seen!.method, 'POST');
    assert.equal(seen!.path, '/submission/');
    assert.equal(seen!.headers['content-type'], 'application/cbor');
    const body = decode(seen!.body) as Record<string, unknown>;
    assert.equal(body.project_id, 4);
    assert.equal(body.title, 'T');
    assert.deepEqual(new Uint8Array(body.encrypted_content as Uint8Array), content);
    // Major type 2 (byte string) right after the key; not tag 64 (0xd8 0x40), which Python's cbor2 keeps as a tag.
    const key = Buffer.from('encrypted_content');
    const at = seen!.body.indexOf(key) + key.length;
    assert.equal(seen!.body[at]! >> 5, 2);
  });

  test('the upload quirk: 200 with an error list is a failure', async () => {
    const client = new HmpClient(url);
    reply = { status: 200, body: '[{"error": "Invalid CBOR data: missing key \'title\'"}, 400]' };
    await assert.rejects(client.uploadSubmission(1, 't', new Uint8Array(4)), (e: unknown) => {
      assert.ok(e instanceof HmpHttpError);
      assert.equal(e.status, 200);
      assert.equal(e.bodyStatus, 400);
      assert.equal(e.detail, "Invalid CBOR data: missing key 'title'");
      assert.equal(e.endpoint, 'POST /submission/');
      return true;
    });
    reply = { status: 200, body: '{"status": "ok"}' };
    await assert.rejects(client.uploadSubmission(1, 't', new Uint8Array(4)), (e: unknown) => e instanceof HmpHttpError && /no integer id/.test(e.detail));
    reply = { status: 200, body: 'ok', type: 'text/plain' };
    await assert.rejects(client.uploadSubmission(1, 't', new Uint8Array(4)), (e: unknown) => e instanceof HmpHttpError && /not JSON/.test(e.detail));
    reply = { status: 500, body: 'student 3 is not assigned to project 1', type: 'text/plain' };
    await assert.rejects(client.uploadSubmission(1, 't', new Uint8Array(4)), (e: unknown) => e instanceof HmpHttpError && e.status === 500);
  });

  test('submissionContent returns the raw bytes; instructorKey decodes base64', async () => {
    const client = new HmpClient(url);
    const bytes = Buffer.from([0, 255, 1, 254]);
    reply = { status: 200, body: bytes, type: 'application/octet-stream' };
    assert.deepEqual(Buffer.from(await client.submissionContent(3)), bytes);
    reply = { status: 200, body: JSON.stringify({ public_key: Buffer.alloc(32, 7).toString('base64') }) };
    assert.deepEqual(Buffer.from(await client.instructorKey(9)), Buffer.alloc(32, 7));
    assert.equal(seen!.path, '/submission/instructor_key?project_id=9');
  });

  test('a silent server times out with HmpTimeoutError', async () => {
    reply = 'hang';
    const client = new HmpClient(url, { timeoutMs: 200 });
    const t0 = Date.now();
    await assert.rejects(client.listProjects(), (e: unknown) => {
      assert.ok(e instanceof HmpTimeoutError);
      assert.equal(e.endpoint, 'GET /project/');
      assert.match(e.message, /did not answer GET \/project\/ within 0.2 s/);
      return true;
    });
    assert.ok(Date.now() - t0 < 5000);
  });
});

test('a closed port throws HmpUnreachableError saying the target is not reachable', async () => {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((r) => probe.close(r));
  const client = new HmpClient(`http://127.0.0.1:${port}`);
  await assert.rejects(client.challenge(1), (e: unknown) => {
    assert.ok(e instanceof HmpUnreachableError);
    assert.equal(e.code, 'ECONNREFUSED');
    assert.match(e.message, new RegExp(`the target http://127.0.0.1:${port} is not reachable`));
    return true;
  });
});

test('a connection closed under the request before any answer is sent again once, on a new one; twice is unreachable', async () => {
  // As uvicorn closing an idle kept-alive connection just as the client reuses it: no answer at all.
  let closeFirst = 1;
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    if (closeFirst-- > 0) return req.socket.destroy();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ challenge: 'YWJj' }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const client = new HmpClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    await client.challenge(1);
    assert.equal(requests, 2, 'sent again once');
    closeFirst = 2;
    requests = 0;
    await assert.rejects(client.challenge(1), (e: unknown) => e instanceof HmpUnreachableError && /other side closed|ECONNRESET/.test(e.code));
    assert.equal(requests, 2, 'not a third time');
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

// --- against the twin ---

describe('against the twin', () => {
  let twin: TwinHandle;
  let admin: HmpClient;

  before(async () => {
    twin = await startTwin({ seed: 11 });
    const creds = await decodeCredentialsFile(await readFile(twin.adminCredentialsPath), twin.adminPassword);
    admin = new HmpClient(twin.url);
    await admin.login(creds.userId, creds.privateKey);
  });
  after(() => twin.close());

  test('challenge, login and its errors', async () => {
    const anon = new HmpClient(twin.url);
    assert.equal(Buffer.from(await anon.challenge(twin.adminUserId), 'base64').length, 256);
    await assert.rejects(anon.challenge(999_999), (e: unknown) => e instanceof HmpHttpError && e.status === 404 && e.endpoint === 'POST /auth/challenge');
    await assert.rejects(anon.login(twin.adminUserId, newPrivateKey()), (e: unknown) => e instanceof HmpHttpError && e.status === 400 && e.endpoint === 'POST /auth/login');
    assert.equal(anon.token, undefined);
  });

  test('fixtures, projects, users, submissions end to end', async () => {
    const fx = await admin.loadTestUp();
    assert.equal(fx.students.length, 80);
    assert.equal(fx.instructors.length, 20);
    assert.equal(fx.projects.length, 30);

    const projects = await admin.listProjects();
    assert.ok(projects.some((p) => p.id === fx.projects[0]!.id));
    const student = fx.students[0]!;
    const projectId = student.project_ids[0]!;
    assert.ok((await admin.getProjectStudents(projectId)).includes(student.email));

    const sc = new HmpClient(twin.url);
    const token = await sc.login(student.id, Buffer.from(student.private_key, 'hex'));
    assert.equal(sc.token, token);
    const key = await sc.instructorKey(projectId);
    assert.equal(key.length, 32);
    const encrypted = await new PublicKeyCipher().encrypt(key, Buffer.from('%PDF-1.4 hello'));
    const id = await sc.uploadSubmission(projectId, 'client test', encrypted);
    assert.equal(await admin.submissionHash(id), md5Hex(encrypted));
    assert.deepEqual(Buffer.from(await admin.submissionContent(id)), encrypted);
    assert.ok((await admin.listSubmissions()).some((s) => s.id === id && s.content_hash === md5Hex(encrypted)));
    // Students may not list submissions (HMP-API.md, "Access levels").
    await assert.rejects(sc.listSubmissions(), (e: unknown) => e instanceof HmpHttpError && e.status === 403);
    // Not assigned -> 500 plain text on the real server.
    const other = fx.projects.find((p) => !student.project_ids.includes(p.id))!;
    await assert.rejects(sc.uploadSubmission(other.id, 'x', encrypted), (e: unknown) => e instanceof HmpHttpError && e.status === 500);
    await sc.deleteSubmission(id);
    await assert.rejects(admin.submissionHash(id), (e: unknown) => e instanceof HmpHttpError && e.status === 500);

    const down = await admin.loadTestDown();
    assert.equal(down.status, 'success');
  });

  test('admin API: create a user and a project, assign, read back', async () => {
    const pub = Buffer.from(await publicKeyOf(newPrivateKey())).toString('base64');
    const base = { confidentiality_level: 3, integrity_levels: [3], public_key: pub, expires_at: '2099-12-31T23:59:59.000Z' };
    const instructorId = await admin.createUser({ name: 'Client', surname: 'Instructor', email: 'client-instructor@hmp.test', ...base });
    const studentId = await admin.createUser({ name: 'Client', surname: 'Student', email: 'client-student@hmp.test', ...base, confidentiality_level: 2 });
    assert.ok((await admin.listUsers()).some((u) => u.id === studentId && u.full_name === 'Client Student'));
    await assert.rejects(
      admin.createUser({ name: 'Client', surname: 'Student', email: 'client-student@hmp.test', ...base }),
      (e: unknown) => e instanceof HmpHttpError && e.status === 400 && e.endpoint === 'POST /auth/users',
    );
    const projectId = await admin.createProject({
      title: '$TEST$ client', syllabus_summary: 's', description: 'd', instructor_email: 'client-instructor@hmp.test', deadline: '2099-01-01T00:00:00.000Z',
    });
    assert.equal((await admin.getProject(projectId)).instructor_id, instructorId);
    await admin.setProjectStudents(projectId, ['client-student@hmp.test']);
    assert.deepEqual(await admin.getProjectStudents(projectId), ['client-student@hmp.test']);
    await admin.loadTestDown(); // removes @hmp.test users and $TEST$ projects
    await assert.rejects(admin.getProject(projectId), (e: unknown) => e instanceof HmpHttpError && e.status === 404);
  });
});
