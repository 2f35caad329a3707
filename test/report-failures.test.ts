// The report's "What the server did" (report/failures.ts): the stalls with
// what was in flight, requests without an answer by class with one sentence
// each, planned requests a failed session did not send per endpoint, what the
// run did not test; server text escaped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { failuresHtml, failuresMarkdown, failuresOf } from '../report/failures.ts';
import { CONNECTION_CLASS_TEXT } from '../plugins/artillery-plugin-hmp/core/connection-errors.ts';

const counters = {
  'plugins.hmp.connection.reset_reused': 9,
  'plugins.hmp.connection.timeout': 2,
  'plugins.hmp.skipped.submission_create.auth_login': 4,
  'plugins.hmp.skipped.submission_create.project_list': 1,
  'plugins.hmp.skipped.audit_list.auth_challenge': 2,
};
const hmp = {
  notTested: ['conversions (HMP_CONVERSIONS=off)'],
  stalls: {
    minS: 2,
    text: '2 server-wide stalls (...): 2 of 2 began while POST /pdf-to-audio/execute was in flight',
    stalls: [{ at: Date.parse('2026-12-02T04:00:00Z'), s: 5.1, inFlight: { 'POST /pdf-to-audio/execute': 1, 'GET /project/<script>': 2 }, waiting: 4 }],
    cause: { label: 'POST /pdf-to-audio/execute', name: 'pdf_execute', began: 2, otherwisePct: 0.5 },
  },
};

test('stalls, connection classes, skipped requests and what was not tested, in words', () => {
  const f = failuresOf(counters, hmp);
  assert.deepEqual(f.connections.map((c) => [c.class, c.count]), [['reset_reused', 9], ['timeout', 2]]);
  assert.deepEqual(f.skipped, [
    { endpoint: 'submission_create', count: 5, after: 'auth_login (4), project_list (1)' },
    { endpoint: 'audit_list', count: 2, after: 'auth_challenge (2)' },
  ]);
  const html = failuresHtml(f);
  assert.match(html, /<section id="failures"><h2>What the server did<\/h2>/);
  assert.match(html, /2 of 2 began while POST \/pdf-to-audio\/execute was in flight/);
  assert.match(html, /1 x POST \/pdf-to-audio\/execute, 2 x GET \/project\/&lt;script&gt;/, 'server text is escaped');
  assert.ok(html.includes(CONNECTION_CLASS_TEXT.reset_reused), 'each class is explained in one sentence');
  assert.match(html, /<td>submission_create<\/td><td class="n">5<\/td><td>auth_login \(4\), project_list \(1\)<\/td>/);
  assert.match(html, /Not tested in this run:<\/b> conversions \(HMP_CONVERSIONS=off\)/);
  const md = failuresMarkdown(f).join('\n');
  assert.match(md, /\*\*Stalls:\*\* 2 server-wide stalls/);
  assert.match(md, /9 x reset on a reused keep-alive connection/);
  assert.match(md, /`submission_create` 5, `audit_list` 2/);
});

test('a healthy run shows nothing there', () => {
  const f = failuresOf({}, { stalls: { minS: 2, text: 'No server-wide stall (...).', stalls: [], cause: null } });
  assert.equal(f.stalls?.count, 0);
  assert.deepEqual(failuresMarkdown(f), []);
  assert.match(failuresHtml(f), /No server-wide stall/);
  assert.equal(failuresHtml(failuresOf({}, {})), '');
});
