// Stall analysis of a request log (core/stalls.ts) and the connection-error
// classes (core/connection-errors.ts): synthetic logs shaped like the twin's
// failure modes, then the recommendations they choose.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRequestLog, stallsOf, type RequestSpan, type StallAnalysis } from '../plugins/artillery-plugin-hmp/core/stalls.ts';
import { connectionClass } from '../plugins/artillery-plugin-hmp/core/connection-errors.ts';
import { recommend, type FlagId } from '../diagnosis/recommendations.ts';
import { diagnose } from '../diagnosis/diagnose.ts';
import { planCriteria } from '../lib/plan-criteria.ts';
import type { Results } from '../plugins/artillery-plugin-hmp/core/results.ts';

/** The recommendations for a flag raised on a run with these stalls (its diagnosis decides the cause). */
function recsOf(flag: FlagId, test: string, a: StallAnalysis): string[] {
  const results = { aggregate: { hmp: { test, startedAt: a.stalls[0]?.at ?? 0, criteria: planCriteria(), stalls: a } }, intermediate: [] } as unknown as Results;
  const diagnosis = diagnose(results, { verdicts: [] });
  return recommend([{ id: flag, evidence: [{ kind: 'stall', test, measured: a.stalls.length, text: a.text }], diagnosis }]).map((r) => r.id);
}

const LABEL: Record<string, string> = { pdf_execute: 'POST /pdf-to-audio/execute', project_list: 'GET /project/', auth_login: 'POST /auth/login' };
const span = (name: string, t0: number, t1: number | null, end: RequestSpan['end'] = t1 === null ? null : 'a'): RequestSpan => ({ name, label: LABEL[name]!, t0, t1, end });

/** Steady reads every 100 ms; a conversion every 20 s that blocks everything for 5 s (v1.0 HMP). */
function blockingRun(conversions: number): RequestSpan[] {
  const spans: RequestSpan[] = [];
  const blocks = Array.from({ length: conversions }, (_, i) => 10_000 + i * 20_000);
  const blockedUntil = (t: number) => blocks.find((b) => t >= b && t < b + 5000);
  for (let t = 0; t < 10_000 + conversions * 20_000; t += 100) {
    const b = blockedUntil(t);
    spans.push(span('project_list', t, b === undefined ? t + 5 : b + 5000 + 2));
  }
  for (const b of blocks) spans.push(span('pdf_execute', b, b + 5000));
  return spans.sort((x, y) => x.t0 - y.t0);
}

test('stalls of a server blocked by each conversion: each named, the conversion as their cause', () => {
  const a = stallsOf(blockingRun(4));
  assert.equal(a.stalls.length, 4);
  for (const s of a.stalls) assert.ok(s.s >= 4.9 && s.s <= 5.1, `stall of ${s.s} s`);
  assert.equal(a.cause?.name, 'pdf_execute');
  assert.equal(a.cause?.began, 4);
  assert.match(a.text, /4 server-wide stalls .*: 4 of 4 began while POST \/pdf-to-audio\/execute was in flight; no stall without one/);
  assert.ok(a.stalls.every((s) => s.spannedBy?.includes('POST /pdf-to-audio/execute')), 'each stall ended when its conversion did');
  assert.deepEqual(recsOf('capacity', 'breakpoint', a), ['async-convert', 'convert-workers']);
});

test('most stalls, not all: two conversion stalls and one without a conversion still name the conversion', () => {
  const spans = blockingRun(2);
  // 42-45 s: the reads stop being answered for 3 s with no conversion in flight (a starved server).
  for (const s of spans) if (s.name === 'project_list' && s.t0 >= 42_000 && s.t0 < 45_000) s.t1 = 45_000 + 2;
  const a = stallsOf(spans);
  assert.equal(a.stalls.length, 3);
  assert.equal(a.cause?.name, 'pdf_execute');
  assert.match(a.text, /: 2 of 3 began while POST \/pdf-to-audio\/execute was in flight \(otherwise/);
});

test('a pool stall: many requests wait, no one kind explains it', () => {
  const spans: RequestSpan[] = [];
  for (let t = 0; t < 60_000; t += 50) {
    const name = t % 150 === 0 ? 'auth_login' : 'project_list';
    // From 20 s to 50 s nothing is answered; then everything waiting comes back.
    spans.push(span(name, t, t >= 20_000 && t < 50_000 ? 50_000 + (t % 7) : t + 8));
  }
  const a = stallsOf(spans.sort((x, y) => x.t0 - y.t0));
  assert.equal(a.stalls.length, 1);
  assert.equal(a.cause, null);
  assert.match(a.text, /no one kind of request explains it .*; up to \d+ requests waited\.$/);
  // No cause without the server's log: what to measure next, not a guess.
  assert.deepEqual(recsOf('unstable', 'stress', a), ['measure-unstable']);
});

test('no stall: a healthy run, a lone slow request, a server that resets every connection at once', () => {
  const healthy = Array.from({ length: 500 }, (_, i) => span('project_list', i * 100, i * 100 + 10));
  assert.equal(stallsOf(healthy).stalls.length, 0);
  assert.match(stallsOf(healthy).text, /^No server-wide stall/);
  // One slow conversion while nothing else waits: slow, not a stall of the server.
  assert.equal(stallsOf([...healthy.slice(0, 10), span('pdf_execute', 1000, 9000)]).stalls.length, 0);
  const resets = Array.from({ length: 500 }, (_, i) => span('project_list', i * 100, i * 100 + 1, 'x'));
  assert.equal(stallsOf(resets).stalls.length, 0);
  // Client timeouts are not the server doing something: a server that never answers stalls.
  const silent = Array.from({ length: 100 }, (_, i) => span('project_list', i * 100, i * 100 + 3000, 't'));
  const s = stallsOf(silent);
  assert.equal(s.stalls.length, 1);
  assert.equal(s.stalls[0]!.ongoing, true);
});

test('the log format round-trips; a request never ended stays in flight', () => {
  const text = ['s 1.1 1000 pdf_execute POST /pdf-to-audio/execute', 's 1.2 1010 project_list GET /project/', 'e 1.2 1020 a', 'garbage line', 's 2.1 1500 project_list GET /project/', 'e 2.1 1600 x'].join('\n');
  const spans = parseRequestLog(text);
  assert.deepEqual(
    spans.map((s) => [s.name, s.label, s.t0, s.t1, s.end]),
    [
      ['pdf_execute', 'POST /pdf-to-audio/execute', 1000, null, null],
      ['project_list', 'GET /project/', 1010, 1020, 'a'],
      ['project_list', 'GET /project/', 1500, 1600, 'x'],
    ],
  );
});

test('connection errors by class', () => {
  assert.equal(connectionClass('ECONNRESET', true), 'reset_reused');
  assert.equal(connectionClass('ECONNRESET', false), 'reset_fresh');
  assert.equal(connectionClass('ECONNRESET', undefined), 'reset');
  assert.equal(connectionClass('ECONNREFUSED', undefined), 'refused');
  assert.equal(connectionClass('ETIMEDOUT', true), 'timeout');
  assert.equal(connectionClass('EAI_AGAIN', undefined), 'other');
});
