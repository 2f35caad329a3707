// The server-log reader: uvicorn's access lines, tracebacks and the pool's
// overload message, secrets masked, lines of no known format counted, and a
// file followed while it grows (a bad path is one sentence).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { maskSecrets } from '../suite/server-log/mask.ts';
import { parseLog, stampOf } from '../suite/server-log/parse.ts';
import { checkServerLog, LogFollower } from '../suite/server-log/follow.ts';
import { disagreements, endpointDisagreements } from '../suite/server-log/compare.ts';
import { ENDPOINTS } from '../processors/endpoints.ts';
import { fold, logInWords, routeOf, summarizeLog } from '../suite/server-log/summary.ts';

const POOL_TRACEBACK = `ERROR:    Exception in ASGI application
Traceback (most recent call last):
  File "/app/.venv/lib/python3.12/site-packages/sqlalchemy/pool/impl.py", line 169, in _do_get
    raise exc.TimeoutError(
sqlalchemy.exc.TimeoutError: QueuePool limit of size 5 overflow 10 reached, connection timed out, timeout 30.00 (Background on this error at: https://sqlalche.me/e/20/3o7r)`;

const CHAINED = `ERROR:    Exception in ASGI application
Traceback (most recent call last):
  File "/app/hmp/routes/submission.py", line 88, in create
    data = cbor2.loads(body)
cbor2.CBORDecodeEOF: premature end of stream (expected to read 12 bytes, got 3 instead)

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "/app/hmp/routes/submission.py", line 90, in create
    raise ValueError("bad body 4411")
ValueError: bad body 4411`;

const LOG = [
  'INFO:     Started server process [4242]',
  'INFO:     127.0.0.1:50612 - "POST /auth/challenge HTTP/1.1" 200 OK',
  'INFO:     127.0.0.1:50612 - "POST /auth/login HTTP/1.1" 200 OK',
  'INFO:     127.0.0.1:50614 - "GET /project/17?token=abcDEF123 HTTP/1.1" 200 OK',
  'INFO:     127.0.0.1:50614 - "GET /project/18 HTTP/1.1" 404 Not Found',
  POOL_TRACEBACK,
  'INFO:     127.0.0.1:50616 - "GET /submission/ HTTP/1.1" 500 Internal Server Error',
  CHAINED,
  'INFO:     127.0.0.1:50618 - "POST /submission/ HTTP/1.1" 500 Internal Server Error',
  POOL_TRACEBACK,
  'WARNING:  Invalid HTTP request received.',
  'some line of a format nobody knows 12',
  'some line of a format nobody knows 13',
].join('\n');

test('uvicorn access lines, tracebacks (chained too) and the pool message are told apart', () => {
  const events = parseLog(LOG, 1_000);
  const kinds = events.map((e) => e.kind);
  assert.deepEqual(kinds, ['start', 'access', 'access', 'access', 'access', 'pool', 'access', 'exception', 'access', 'pool', 'other', 'other', 'other']);
  const pool = events[5]!;
  assert.equal(pool.type, 'sqlalchemy.exc.TimeoutError');
  assert.match(pool.message!, /^QueuePool limit of size 5 overflow 10 reached/);
  assert.match(pool.traceback!, /^ERROR: {4}Exception in ASGI application\nTraceback/);
  const chained = events[7]!;
  assert.equal(chained.type, 'ValueError', 'the last exception of a chain is the one raised');
  assert.equal(chained.message, 'bad body 4411');
  assert.match(chained.traceback!, /During handling of the above exception/);
  const get = events[3]!;
  assert.deepEqual([get.method, get.path, get.status], ['GET', '/project/17', 200]);
  assert.ok(events.every((e) => e.at === 1_000), 'no stamp of its own: the time it was read');
});

test('a leading timestamp is the line time; durations are read when the format logs them', () => {
  assert.equal(stampOf('2026-12-02 06:41:59,123 INFO uvicorn.access ...'), new Date('2026-12-02T06:41:59.123').getTime());
  assert.equal(stampOf('[2026-12-02 06:41:59 +0000] [1] [INFO] Booting worker'), Date.parse('2026-12-02T06:41:59+0000'));
  assert.equal(stampOf('INFO:     127.0.0.1:1 - "GET / HTTP/1.1" 200 OK'), undefined);
  const [e] = parseLog('2026-12-02T06:41:59Z INFO 127.0.0.1:1 - "GET /project/ HTTP/1.1" 200 OK 1534.2ms', 5);
  assert.equal(e!.at, Date.parse('2026-12-02T06:41:59Z'));
  assert.equal(e!.durationMs, 1534.2);
  assert.equal(parseLog('INFO: 127.0.0.1:1 - "GET /x HTTP/1.1" 200 in 2.5s')[0]!.durationMs, 2500);
});

test('secrets are masked before anything is kept: tokens, signatures, keys, long random runs', () => {
  const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJlX2hlcmVfMTIz';
  const key = 'q83vEjRWeJ1AbCdEf0123456789ZyXwVuTsRqPoNmLkJiHgF';
  const line = `Authorization: Bearer ${jwt} token=${jwt} body={'signature': '${key}', "challenge": "abc"} key=${key}`;
  const m = maskSecrets(line);
  assert.ok(!m.includes(jwt) && !m.includes(key) && !m.includes('"abc"'), m);
  assert.match(m, /Bearer \*\*\*/);
  assert.match(m, /'signature': '\*\*\*'/);
  // A file path in a traceback stays readable.
  const path = '  File "/app/.venv/lib/python3.12/site-packages/sqlalchemy/pool/impl.py", line 169';
  assert.equal(maskSecrets(path), path);
  const [e] = parseLog(`INFO:     127.0.0.1:1 - "GET /x?token=${jwt} HTTP/1.1" 200 OK`);
  assert.ok(!e!.line.includes(jwt));
});

test('the summary groups errors by type and folded message, names the pool, counts what it cannot read', () => {
  const s = summarizeLog(parseLog(LOG, 20_000), 'server.log', LOG.split('\n').length);
  assert.equal(s.requests, 6);
  assert.deepEqual(s.statuses, { 200: 3, 404: 1, 500: 2 });
  assert.deepEqual(s.byPath['GET /project/{id}'], { 200: 1, 404: 1 });
  assert.equal(s.pool.count, 2);
  const pool = s.errors.find((g) => g.kind === 'pool')!;
  assert.equal(pool.count, 2, 'the two pool tracebacks are one group');
  assert.match(pool.sample, /Traceback/);
  assert.equal(s.errors.find((g) => g.kind === 'exception')!.message, 'bad body {n}');
  assert.equal(s.otherLines, 3, 'every line of no known format is counted');
  assert.deepEqual(s.lifecycle.map((l) => [l.event, l.pid]), [['start', 4242]], "uvicorn's start-up line: a server process started");
  assert.ok(s.other.some((g) => g.text === 'some line of a format nobody knows {n}' && g.count === 2));
  assert.equal(s.slow, null, 'uvicorn logs no durations: no slow-request figure');
  assert.deepEqual(s.periods.map((p) => p.period), [20_000]);
  assert.equal(s.periods[0]!.pool, 2);
  const words = logInWords(s).join('\n');
  assert.match(words, /2 x database connection pool exhausted \(sqlalchemy\.exc\.TimeoutError: QueuePool limit/);
  assert.match(words, /1 x ValueError: bad body \{n\}/);
  assert.equal(routeOf('/submission/12/hash'), '/submission/{id}/hash');
  assert.equal(fold('timeout 30.00 after 5 tries'), 'timeout {n} after {n} tries');
});

test('a followed file: only what is written during the test, lines read as they come, a partial last line kept', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hmp-log-'));
  try {
    const file = join(dir, 'server.log');
    writeFileSync(file, 'INFO:     127.0.0.1:1 - "GET /before HTTP/1.1" 200 OK\n');
    let now = 10_000;
    const f = new LogFollower(file, () => now).start();
    appendFileSync(file, 'INFO:     127.0.0.1:1 - "GET /project/ HTTP/1.1" 200 OK\n');
    f.poll();
    now = 25_000;
    appendFileSync(file, `${POOL_TRACEBACK}\nINFO:     127.0.0.1:1 - "GET /project/ HTTP/1.1" 500 Internal`);
    const s = f.stop();
    assert.equal(s.requests, 2, 'the line written before the start is not counted');
    assert.equal(s.pool.count, 1);
    assert.deepEqual(s.periods.map((p) => [p.period, p.statuses]), [[10_000, { 200: 1 }], [20_000, { 500: 1 }]]);
    assert.equal(s.problem, undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a bad path is one sentence, and following it gives an empty summary that says why', () => {
  assert.match(checkServerLog('/nonexistent/server.log')!, /^the server log \/nonexistent\/server\.log cannot be read \(no such file\): give the file the server writes \(--server-log PATH\); the run goes on without it\.$/);
  assert.match(checkServerLog(tmpdir())!, /is a folder, not a file/);
  const s = new LogFollower('/nonexistent/server.log').start().stop();
  assert.equal(s.lines, 0);
  assert.match(s.problem!, /no such file/);
  assert.match(logInWords(s)[0]!, /^server log: not read \(the server log/);
});

test('where the log and the client disagree: answers the client never saw, losses the server never logged, 5xx from in front of it', () => {
  const log = summarizeLog(parseLog(LOG), 'server.log', 20);
  assert.deepEqual(disagreements(log, { answered: 6, noAnswer: {}, status5xx: 2 }), [], 'the same counts: nothing to say');
  const [late] = disagreements(log, { answered: 3, noAnswer: { reset_reused: 2, timeout: 1 }, status5xx: 2 });
  assert.match(late!, /^The server logged 3 answers more than the client received, while the client got no answer to 3 requests \(2 reset reused, 1 timeout\): the server answered requests the client never saw/);
  const [lost] = disagreements(log, { answered: 6, noAnswer: { timeout: 4 }, status5xx: 2 });
  assert.match(lost!, /^The client got no answer to 4 requests \(4 timeout\) that the server never logged/);
  assert.deepEqual(disagreements(log, { answered: 6, noAnswer: {}, status5xx: 5 }), ['The client saw 5 answers 5xx, the server logged 2: the others came from in front of it (a gateway or proxy).']);
  assert.deepEqual(disagreements(summarizeLog([], 'x', 0), { answered: 6, noAnswer: { timeout: 4 }, status5xx: 0 }), [], 'no log read: no disagreement claimed');
});

test('per endpoint: a reset the server answered, a timeout it never logged, 5xx from in front of it, routes with ids and uuids', () => {
  const uuid = '0b8f3c1e-2d4a-4f6b-9c8d-7e6f5a4b3c2d';
  const lines = [
    'INFO:     127.0.0.1:1 - "POST /submission/ HTTP/1.1" 200 OK',
    'INFO:     127.0.0.1:1 - "POST /submission/ HTTP/1.1" 200 OK',
    'INFO:     127.0.0.1:1 - "POST /submission/ HTTP/1.1" 200 OK',
    'INFO:     127.0.0.1:1 - "GET /project/17 HTTP/1.1" 200 OK',
    `INFO:     127.0.0.1:1 - "GET /pdf-to-audio/conversion-status/${uuid} HTTP/1.1" 200 OK`,
  ];
  const log = summarizeLog(parseLog(lines.join('\n')), 'server.log', lines.length);
  assert.deepEqual(Object.keys(log.byPath).sort(), ['GET /pdf-to-audio/conversion-status/{id}', 'GET /project/{id}', 'POST /submission/']);
  const routes = Object.fromEntries(Object.entries(ENDPOINTS).map(([name, e]) => [name, e.route]));
  const client = {
    codes: { submission_create: { '200': 1 }, project_detail: { '200': 1 }, pdf_status: { '200': 1 }, project_list: { '200': 2, '502': 2 } },
    noAnswer: { submission_create: { ECONNRESET: 2 }, auth_login: { ETIMEDOUT: 3 } },
  };
  const said = endpointDisagreements(log, client, routes);
  assert.deepEqual(said, [
    'auth_login (POST /auth/login): the client got no answer to 3 requests (3 ETIMEDOUT) the server never logged (the server logged 0 answers, the client received 0).',
    'project_list (GET /project/): the client saw 2 x 5xx, the server logged 0.',
    'submission_create (POST /submission/): the server logged 3 answers (3 x 200), the client received 1 and got no answer to 2 (2 ECONNRESET): the server answered requests the client never saw.',
  ]);
  assert.deepEqual(endpointDisagreements(summarizeLog([], 'x', 0), client, routes), [], 'no log read: nothing claimed');
});
