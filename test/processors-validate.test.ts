// The per-endpoint response checks (processors/validate.ts): status, body
// shape, and the integrity checks (hash, MD5 of the content).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { encode as cborEncode } from 'cbor-x';
import { md5Hex } from '../lib/hmp-crypto.ts';
import { startTwin, type TwinHandle } from '../twin/server.ts';
import {
  checkStatus,
  validateAudio,
  validateAuditList,
  validateChallenge,
  validateConversionStatus,
  validateExecuteAccepted,
  validateLogin,
  validateProjectDetail,
  validateProjectList,
  validatePublicKey,
  validateSubmissionContent,
  validateSubmissionHash,
  validateSubmissionList,
  validateUpload,
  validateUploadKey,
  type Reply,
} from '../processors/validate.ts';
import { call, login, seed } from './support/twin-session.ts';

const json = (body: unknown, status = 200): Reply => ({ status, contentType: 'application/json', bytes: Buffer.from(JSON.stringify(body)) });
const text = (body: string, status: number): Reply => ({ status, contentType: 'text/plain', bytes: Buffer.from(body) });
const cbor = (body: unknown): Reply => ({ status: 200, contentType: 'application/cbor', bytes: Buffer.from(cborEncode(body)) });
const key32 = Buffer.alloc(32, 7).toString('base64');
const md5 = 'd41d8cd98f00b204e9800998ecf8427e';

function reason(v: { ok: boolean; reason?: string }): string | undefined {
  return v.ok ? undefined : v.reason;
}

describe('status and body shape', () => {
  test('a status other than 200 is status_<code>, with the server\'s detail', () => {
    const v = checkStatus(json({ detail: 'Invalid or expired token' }, 401));
    assert.deepEqual(v, { ok: false, reason: 'status_401', detail: 'Invalid or expired token' });
    assert.equal(reason(validateProjectList(text('Internal Server Error: boom', 500))), 'status_500');
    assert.equal(reason(validateLogin(text('Gateway Timeout', 504))), 'status_504');
  });

  test('a 200 whose body is not JSON, or of the wrong shape, is bad_body', () => {
    assert.equal(reason(validateProjectList(text('<html>proxy</html>', 200))), 'bad_body');
    assert.equal(reason(validateProjectList(json({ id: 1 }))), 'bad_body');
    assert.equal(reason(validateProjectList(json([{ id: 1, title: 'a' }, { id: '2', title: 'b' }]))), 'bad_body');
    assert.equal(reason(validateLogin(json({ token: '' }))), 'bad_body');
    assert.equal(reason(validateChallenge(json({ challenge: 'not base64!' }))), 'bad_body');
    assert.equal(reason(validatePublicKey(json({ public_key: Buffer.alloc(16).toString('base64') }))), 'bad_body');
    assert.equal(reason(validateSubmissionList(json([{ id: 1, title: 't', content_hash: 'xyz' }]))), 'bad_body');
    assert.equal(reason(validateAuditList(json({ rows: [] }))), 'bad_body');
  });

  test('good bodies give their values', () => {
    assert.deepEqual(validateProjectList(json([{ id: 3, title: 'P', deadline: 'x' }])), { ok: true, value: [{ id: 3, title: 'P' }] });
    assert.deepEqual(validatePublicKey(json({ public_key: key32 })), { ok: true, value: Buffer.alloc(32, 7) });
    assert.deepEqual(validateLogin(json({ token: 'a.b.c' })), { ok: true, value: 'a.b.c' });
    assert.deepEqual(validateAuditList(json([{ timestamp: 't', action: 'a', is_success: true }])), { ok: true, value: 1 });
    assert.deepEqual(validateSubmissionList(json([{ id: 1, title: 't', content_hash: md5, student_name: 's' }])), {
      ok: true,
      value: [{ id: 1, title: 't', contentHash: md5 }],
    });
  });

  test('project detail must be the project asked for', () => {
    const body = { id: 4, title: 'P', instructor_id: 9 };
    assert.equal(validateProjectDetail(json(body), 4).ok, true);
    assert.equal(reason(validateProjectDetail(json(body), 5)), 'wrong_project');
  });
});

describe('integrity checks', () => {
  test('/hash must equal the hash the list gave', () => {
    assert.equal(validateSubmissionHash(json({ content_hash: md5 }), md5).ok, true);
    assert.equal(reason(validateSubmissionHash(json({ content_hash: md5 }), 'f'.repeat(32))), 'hash_mismatch');
  });

  test('the MD5 of the downloaded bytes must equal the hash; binary bytes are compared as bytes', () => {
    const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x80, 0xc3, 0x28]); // not UTF-8
    const reply: Reply = { status: 200, contentType: 'application/octet-stream', bytes };
    assert.equal(validateSubmissionContent(reply, md5Hex(bytes)).ok, true);
    // What Artillery's string body would have made of them:
    const mangled: Reply = { ...reply, bytes: Buffer.from(bytes.toString('utf8'), 'utf8') };
    assert.equal(reason(validateSubmissionContent(mangled, md5Hex(bytes))), 'md5_mismatch');
    assert.equal(reason(validateSubmissionContent({ ...reply, bytes: Buffer.alloc(0) }, md5)), 'empty_body');
  });
});

describe('uploads: success is 200 AND an integer id', () => {
  test('an error list with 200 is upload_error_list; other shapes are bad_body', () => {
    assert.deepEqual(validateUpload(json({ id: 12 })), { ok: true, value: 12 });
    const v = validateUpload(json([{ error: 'Invalid CBOR data: bad' }, 400]));
    assert.equal(reason(v), 'upload_error_list');
    assert.match(v.ok ? '' : v.detail, /400.*Invalid CBOR data: bad/);
    assert.equal(reason(validateUpload(json({ id: '12' }))), 'bad_body');
    assert.equal(reason(validateUpload(json({ status: 'ok' }))), 'bad_body');
    assert.equal(reason(validateUpload(text('Internal Server Error: student 3 is not assigned', 500))), 'status_500');
  });

  describe('against the twin (quirkCborUpload200)', () => {
    let twin: TwinHandle;
    before(async () => {
      twin = await startTwin({ quirkCborUpload200: true });
    });
    after(() => twin.close());

    test('the twin\'s real answer to a broken CBOR upload is caught', async () => {
      const { up } = await seed(twin);
      const student = up.students.find((s) => s.project_ids.length > 0)!;
      const token = await login(twin.url, student.id, student.private_key);
      for (const body of [Buffer.from([0xa2, 0x61]), Buffer.from(cborEncode({ project_id: student.project_ids[0], title: 'no content' }))]) {
        const r = await call(twin.url, 'POST', '/submission/', { token, raw: { body, type: 'application/cbor' } });
        assert.equal(r.status, 200, 'the quirk answers 200');
        const v = validateUpload({ status: r.status, contentType: r.headers.get('content-type') ?? '', bytes: r.bytes });
        assert.equal(reason(v), 'upload_error_list', r.text);
      }
    });
  });
});

describe('conversion answers', () => {
  test('the upload-key answer tells v1.0 from v1.1 (and busy)', () => {
    const k = Buffer.from('sealed').toString('base64');
    assert.deepEqual(validateUploadKey(json({ encrypted_aes_key: k })), { ok: true, value: { version: '1.0', encryptedAesKey: Buffer.from('sealed') } });
    assert.deepEqual(validateUploadKey(json({ is_success: false })), { ok: true, value: { version: '1.1', busy: true } });
    assert.deepEqual(validateUploadKey(json({ is_success: true, encrypted_aes_key: k, task_uuid: 'u-1' })), {
      ok: true,
      value: { version: '1.1', busy: false, encryptedAesKey: Buffer.from('sealed'), taskUuid: 'u-1' },
    });
    assert.equal(reason(validateUploadKey(json({ is_success: true }))), 'bad_body');
    assert.equal(reason(validateUploadKey(json({}))), 'bad_body');
  });

  test('audio is CBOR with two byte strings; execute (v1.1) and status are JSON', () => {
    const audio = { encrypted_audio: Buffer.from('a'), encrypted_audio_key: Buffer.from('k') };
    assert.equal(validateAudio(cbor(audio)).ok, true);
    assert.equal(reason(validateAudio(cbor({ encrypted_audio: 'text', encrypted_audio_key: Buffer.from('k') }))), 'bad_body');
    assert.equal(reason(validateAudio(json({ detail: 'x' }))), 'bad_body');
    assert.equal(reason(validateAudio(text('Conversion failed', 400))), 'status_400');
    assert.deepEqual(validateExecuteAccepted(json({ is_success: false })), { ok: true, value: false });
    assert.deepEqual(validateConversionStatus(json({ is_done: true, has_error: true, error_message: 'no text' })), { ok: true, value: { done: true, error: 'no text' } });
    assert.deepEqual(validateConversionStatus(json({ is_done: false, has_error: false })), { ok: true, value: { done: false, error: undefined } });
    assert.equal(reason(validateConversionStatus(json({ is_done: 'yes' }))), 'bad_body');
  });
});
