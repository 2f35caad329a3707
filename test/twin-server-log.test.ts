// The twin's log (--log-file) as uvicorn writes HMP's: an access line per
// answered request, a traceback before each 500 (the DB pool's message when
// the pool is exhausted), nothing for a reset connection; the suite's reader
// finds in it exactly what the twin wrote.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseTwinArgs } from '../twin/config.ts';
import { startTwin } from '../twin/server.ts';
import { parseLog } from '../suite/server-log/parse.ts';
import { summarizeLog } from '../suite/server-log/summary.ts';
import { call, login, seed } from './support/twin-session.ts';

function tmpLog(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'twin-log-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'server.log');
}

test('--log-file is a twin option', () => {
  const c = parseTwinArgs(['--log-file', '/tmp/x.log'], {});
  assert.ok(c !== 'help' && c.logFile === '/tmp/x.log');
});

test('pool exhausted and injected 500s: the log holds an access line per answer, a traceback per 500, and the reader counts them', async (t) => {
  const logFile = tmpLog(t);
  const twin = await startTwin({ logFile, capacity: 4, queueTimeoutMs: 300, latencyMs: { project_list: 800 } });
  let statuses: number[];
  try {
    const s = await seed(twin);
    const ins = s.up.instructors[0]!;
    const token = await login(twin.url, ins.id, ins.private_key);
    statuses = (await Promise.all(Array.from({ length: 12 }, () => call(twin.url, 'GET', '/project/', { token })))).map((r) => r.status);
  } finally {
    await twin.close();
  }
  assert.equal(statuses.filter((x) => x === 500).length, 8, 'capacity 4 of 12: 8 waited past the pool timeout');
  const text = readFileSync(logFile, 'utf8');
  const access = text.split('\n').filter((l) => /^INFO: {5}\S+ - "[A-Z]+ \S+ HTTP\/1\.1" \d{3}/.test(l));
  const written = { access: access.length, tracebacks: (text.match(/^Traceback \(most recent call last\):$/gm) ?? []).length, pool: (text.match(/^sqlalchemy\.exc\.TimeoutError: QueuePool limit of size 4 overflow 0 reached/gm) ?? []).length };
  assert.equal(written.tracebacks, 8);
  assert.equal(written.pool, 8);
  const s = summarizeLog(parseLog(text, Date.now()), logFile, text.split('\n').length);
  assert.equal(s.requests, written.access, 'every access line read');
  assert.equal(s.statuses['500'], 8);
  assert.equal(s.pool.count, written.pool);
  assert.equal(s.errors.length, 1, 'one group: the pool timeout');
  assert.equal(s.errors[0]!.type, 'sqlalchemy.exc.TimeoutError');
  assert.equal(s.errors[0]!.count, 8);
  assert.equal(s.byPath['GET /project/']!['500'], 8);
  assert.match(s.errors[0]!.sample, /File "[^"]+\.ts", line \d+/);
});

test('--error-rate: each injected 500 is a RuntimeError traceback; a reset request is not logged', async (t) => {
  const logFile = tmpLog(t);
  const twin = await startTwin({ logFile, errorRate: 0.4, resetRate: 0.3, seed: 7 });
  let fivexx = 0;
  let answered = 0;
  let resets = 0;
  try {
    for (let i = 0; i < 40; i++) {
      try {
        const r = await call(twin.url, 'POST', '/auth/challenge', { json: { user_id: 1 } });
        answered++;
        if (r.status === 500) fivexx++;
      } catch {
        resets++;
      }
    }
  } finally {
    await twin.close();
  }
  assert.ok(fivexx > 3 && resets > 3, `${fivexx} answered 500, ${resets} reset of 40`);
  const s = summarizeLog(parseLog(readFileSync(logFile, 'utf8')), logFile, 0);
  assert.equal(s.requests, answered);
  assert.equal(s.statuses['500'], fivexx);
  assert.deepEqual(s.errors.map((g) => [g.type, g.count]), [['RuntimeError', fivexx]]);
  assert.match(s.errors[0]!.message, /^Injected fault \(--error-rate \{n\}\)$/);
});
