// Raw bytes of binary responses, collected from the engine's
// trace:http:response event for the requests that ask for them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { pendingRawBodies, takeRawBody, wantRawBody } from '../processors/binary-body.ts';
import type { ArtilleryResponse, RequestParams } from '../processors/types.ts';

const request = (uuid: string): RequestParams => ({ uuid, url: 'http://x/', method: 'GET', timeout: 1 });
const stringBody = (chunks: Buffer[]): ArtilleryResponse => ({ statusCode: 200, headers: {}, body: chunks.map((c) => String(c)).join('') });

test('the bytes of a requested response arrive intact; others are left alone; nothing leaks', async () => {
  const ee = new EventEmitter();
  const chunks = [Buffer.from([0xff, 0xfe, 0x00]), Buffer.from([0x80, 0xc3]), Buffer.from([0x28, 0x41])];
  wantRawBody(request('a'), ee);
  wantRawBody(request('a2'), ee); // a second request: still one listener per emitter
  assert.equal(ee.listenerCount('trace:http:response'), 1);

  const res = new PassThrough();
  const other = new PassThrough();
  ee.emit('trace:http:response', res, 'a');
  ee.emit('trace:http:response', other, 'b');
  // The engine reads the same stream as a string, as Artillery does.
  const seen: Buffer[] = [];
  res.on('data', (c: Buffer) => seen.push(c));
  for (const c of chunks) res.write(c);
  res.end();
  other.end(Buffer.from('x'));
  await new Promise((r) => res.on('end', r));

  const raw = takeRawBody(request('a'), stringBody(seen));
  assert.deepEqual(raw, Buffer.concat(chunks));
  assert.notDeepEqual(Buffer.from(stringBody(seen).body, 'utf8'), raw, 'the string body is not the bytes');
  // Not requested: the engine's string, as UTF-8.
  assert.deepEqual(takeRawBody(request('b'), { statusCode: 200, headers: {}, body: '{"a":1}' }), Buffer.from('{"a":1}'));
  // A request that failed leaves nothing behind.
  ee.emit('trace:http:error', new Error('ECONNREFUSED'), 'a2');
  assert.equal(pendingRawBodies(), 0);
});
