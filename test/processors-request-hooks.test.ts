// The scenario-level beforeRequest hooks: client timeout, token, raw bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { pendingRawBodies, takeRawBody } from '../processors/binary-body.ts';
import { captureBinary, withTimeout, withToken } from '../processors/request-hooks.ts';
import type { RequestParams, VuContext } from '../processors/types.ts';

const req = (name: string): RequestParams => ({ name, url: 'http://x/', method: 'GET', timeout: 10, uuid: `u-${name}`, headers: { 'user-agent': 'a' } });
const done = () => {};

test('withTimeout: 30 s, conversions 300 s; the keep-alive agent never cuts a request shorter', () => {
  const agent = { options: { timeout: 8000 } };
  const context = { vars: {}, _httpAgent: agent } as VuContext;
  const list = req('project_list');
  withTimeout(list, context, new EventEmitter(), done);
  assert.equal(list.timeout, 30);
  assert.equal(agent.options.timeout, 31_000);
  const convert = req('pdf_execute');
  withTimeout(convert, context, new EventEmitter(), done);
  assert.equal(convert.timeout, 300);
  assert.equal(agent.options.timeout, 301_000);
  withTimeout(list, context, new EventEmitter(), done);
  assert.equal(agent.options.timeout, 301_000, 'only ever raised');
  const configured = req('project_list');
  withTimeout(configured, { vars: { httpTimeout: 5 } }, new EventEmitter(), done);
  assert.equal(configured.timeout, 5);
});

test('withToken: the session token on authenticated endpoints only', () => {
  const context: VuContext = { vars: { token: 't0k' } };
  const list = req('project_list');
  withToken(list, context, new EventEmitter(), done);
  assert.deepEqual(list.headers, { 'user-agent': 'a', authorization: 'Bearer t0k' });
  const login = req('auth_login');
  withToken(login, context, new EventEmitter(), done);
  assert.equal(login.headers!.authorization, undefined);
});

test('captureBinary: raw bytes for the conversion answer only (content and audio are fetched outside the engine)', () => {
  const ee = new EventEmitter();
  for (const name of ['submission_content', 'pdf_execute', 'pdf_audio', 'project_list']) captureBinary(req(name), { vars: {} }, ee, done);
  assert.equal(pendingRawBodies(), 1);
  takeRawBody(req('pdf_execute'), { statusCode: 200, headers: {}, body: '' });
  assert.equal(pendingRawBodies(), 0);
});
