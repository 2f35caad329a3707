// Binary downloads fetched outside Artillery's engine (processors/download.ts,
// outside-engine.ts): reported in the engine's and metrics-by-endpoint's
// metrics, checked like any other answer, failures recorded.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { md5Hex } from '../lib/hmp-crypto.ts';
import { readContent } from '../processors/download.ts';
import { observeTimings, send } from '../processors/outside-engine.ts';
import type { VuContext } from '../processors/types.ts';
import { newConversion } from '../processors/vars.ts';
import { MetricRecorder } from './support/metric-recorder.ts';


const CONTENT = Buffer.alloc(300_000, 0xfe); // not valid UTF-8: a string round trip would change it

describe('downloads outside the engine', () => {
  let server: Server;
  let base: string;
  const seenAuth: string[] = [];
  before(async () => {
    server = createServer((req, res) => {
      seenAuth.push(String(req.headers.authorization));
      if (req.url === '/slow') return; // never answers
      if (req.url === '/submission/7/content') {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'server-timing': 'queue;dur=0.1, total;dur=2.5' });
        res.end(CONTENT);
        return;
      }
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"detail":"Not Found"}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  function instructor(hash: string): VuContext {
    return {
      vars: {
        target: `${base}/`, sessionFailed: false, profileName: 'instructor', token: 't0k', conv: newConversion(),
        me: { id: 1, privateKeyHex: '00'.repeat(32), role: 'instructor', projectIds: [] },
        read: { id: 7, hash, kind: 'content' },
      },
    };
  }

  test('content: the exact bytes, checked against the hash, in the engine metrics and metrics-by-endpoint', async () => {
    const ee = new MetricRecorder();
    const seen: Array<[string, number, number | undefined]> = [];
    const stop = observeTimings((name, client, server) => seen.push([name, client, server]));
    const context = instructor(md5Hex(CONTENT));
    await readContent(context, ee);
    stop();
    assert.equal(context.vars.sessionFailed, false);
    assert.equal(ee.c('plugins.hmp.ok.submission_content'), 1);
    assert.equal(ee.c('http.requests'), 1);
    assert.equal(ee.c('http.responses'), 1);
    assert.equal(ee.c('http.codes.200'), 1);
    assert.equal(ee.c('plugins.metrics-by-endpoint.submission_content.codes.200'), 1);
    assert.equal(ee.c('http.downloaded_bytes'), CONTENT.length);
    assert.equal(ee.histograms.get('plugins.metrics-by-endpoint.response_time.submission_content')!.length, 1);
    assert.equal(ee.histograms.get('http.response_time.2xx')!.length, 1);
    assert.deepEqual(ee.histograms.get('plugins.metrics-by-endpoint.server-timing.submission_content'), [2.5]);
    assert.equal(seen.length, 1);
    assert.equal(seen[0]![0], 'submission_content');
    assert.equal(seen[0]![2], 2.5);
    assert.equal(seenAuth.at(-1), 'Bearer t0k');
  });

  test('content whose MD5 differs from the list: a failed check, the session stops', async () => {
    const ee = new MetricRecorder();
    const context = instructor('0'.repeat(32));
    await readContent(context, ee);
    assert.equal(context.vars.sessionFailed, true);
    assert.equal(ee.c('plugins.hmp.ok.submission_content'), 0);
    assert.equal(ee.c('plugins.hmp.errors.submission_content'), 1);
  });

  test('not this read: nothing is sent', async () => {
    const ee = new MetricRecorder();
    const context = instructor(md5Hex(CONTENT));
    context.vars.read.kind = 'hash';
    await readContent(context, ee);
    assert.equal(ee.c('http.requests'), 0);
  });

  test('no answer within the timeout: errors.ETIMEDOUT and a failure, like the engine', async () => {
    const ee = new MetricRecorder();
    const context = instructor('');
    const reply = await send({ method: 'GET', url: `${base}/slow`, headers: {}, timeoutS: 0.3 }, 'submission_content', context, ee);
    assert.equal(reply, undefined);
    assert.equal(ee.c('http.requests'), 1);
    assert.equal(ee.c('http.responses'), 0);
    assert.equal(ee.c('errors.ETIMEDOUT'), 1);
    assert.equal(ee.c('plugins.metrics-by-endpoint.submission_content.errors.ETIMEDOUT'), 1);
    assert.equal(ee.c('plugins.hmp.errors.submission_content.timeout'), 1);
    assert.equal(context.vars.sessionFailed, true);
  });

  test('a refused connection: its code', async () => {
    const ee = new MetricRecorder();
    const context = instructor('');
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    await send({ method: 'GET', url: `http://127.0.0.1:${port}/x`, headers: {}, timeoutS: 2 }, 'pdf_audio', context, ee);
    assert.equal(ee.c('errors.ECONNREFUSED'), 1);
    assert.equal(ee.c('plugins.hmp.errors.pdf_audio.econnrefused'), 1);
  });
});
