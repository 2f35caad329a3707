// The live page's settings and server (plugins/artillery-plugin-hmp/live-*.ts):
// on for a person at a terminal, off in CI; loopback only, behind a token,
// one render per version; the report once written. The page in a browser
// during a real run is test/report-run.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { liveSettings } from '../plugins/artillery-plugin-hmp/live-settings.ts';
import { LiveServer } from '../plugins/artillery-plugin-hmp/live-server.ts';
import { tempDir } from './support/temp-dir.ts';

test('live page settings: on at a terminal, off in CI and pipes, HMP_LIVE decides, a bad value is one sentence', () => {
  assert.deepEqual(liveSettings({}, true), { on: true, port: 0 });
  assert.deepEqual(liveSettings({}, false), { on: false, port: 0 });
  assert.deepEqual(liveSettings({ CI: 'true' }, true), { on: false, port: 0 });
  assert.deepEqual(liveSettings({ HMP_LIVE: 'on', CI: 'true', HMP_LIVE_PORT: '8089' }, false), { on: true, port: 8089 });
  assert.deepEqual(liveSettings({ HMP_LIVE: 'OFF' }, true), { on: false, port: 0 });
  assert.throws(() => liveSettings({ HMP_LIVE: 'maybe' }, true), /^Error: HMP_LIVE must be on or off, got "maybe"\.$/);
  assert.throws(() => liveSettings({ HMP_LIVE_PORT: '70000' }, true), /HMP_LIVE_PORT must be a port number from 0 to 65535 \(0: any free port\), got "70000"\./);
});

test('the live server: loopback, behind its token, one render per version, the report once written', async (t) => {
  const dir = tempDir('live-server-');
  let version = 1;
  let renders = 0;
  let report: string | undefined;
  const server = new LiveServer({ version: () => String(version), render: () => `<p>page ${version} (${++renders})</p>`, ended: () => report !== undefined, reportFile: () => report });
  const url = await server.listen(0);
  t.after(() => server.close());
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/[0-9a-f]{32}\/$/);
  const origin = new URL(url).origin;

  assert.equal((await fetch(`${origin}/`)).status, 404, 'no page without the token');
  assert.equal((await fetch(`${origin}/${'0'.repeat(32)}/`)).status, 404, 'nor with another token');
  const first = await fetch(url);
  assert.equal(first.headers.get('cache-control'), 'no-store');
  assert.equal(first.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(await first.text(), '<p>page 1 (1)</p>');
  assert.equal(await (await fetch(url)).text(), '<p>page 1 (1)</p>', 'the same version: not rendered again');
  assert.deepEqual(await (await fetch(`${url}state?viewer=a`)).json(), { version: '1', ended: false });
  assert.equal((await fetch(`${url}report.html`)).status, 404, 'no report before the end');

  version = 2;
  assert.equal(await (await fetch(url)).text(), '<p>page 2 (2)</p>');
  report = join(dir, 'report.html');
  writeFileSync(report, '<p>the report</p>');
  assert.deepEqual(await (await fetch(`${url}state?viewer=a`)).json(), { version: '2', ended: true });
  assert.equal(await (await fetch(`${url}report.html`)).text(), '<p>the report</p>');
  // The viewer that polled has not loaded the final page yet: settle waits for it (or its time).
  const t0 = Date.now();
  const settled = server.settle(5000);
  await fetch(url);
  await settled;
  assert.ok(Date.now() - t0 < 2000, 'settled once the final page was served');
});
