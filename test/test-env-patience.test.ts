// test-env/patience.ts: which errors mean "overloaded, wait", and the
// backoff loop on a fake clock (no real waiting).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HmpHttpError, HmpTimeoutError, HmpUnreachableError } from '../lib/hmp-client.ts';
import { Failure } from '../test-env/messages.ts';
import { BACKOFF, PROGRESS_EVERY_MS, ServerStalled, fmtWait, overloadReason, patiently } from '../test-env/patience.ts';

const T = 'http://127.0.0.1:8000';
const timeout = new HmpTimeoutError(T, 'GET /health', 5000);

/** A clock that only moves when the loop sleeps (or a call "takes" time). */
function fakeTime() {
  let t = 0;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
    pass: (ms: number) => (t += ms),
    sleeps,
  };
}

test('overloadReason: timeouts, resets, refusals and 5xx wait; the rest does not', () => {
  assert.equal(overloadReason(timeout), 'GET /health timed out after 5 s');
  assert.equal(overloadReason(new HmpUnreachableError(T, 'GET /health', 'ECONNRESET')), 'GET /health failed: ECONNRESET');
  assert.ok(overloadReason(new HmpUnreachableError(T, 'GET /health', 'ECONNREFUSED')));
  assert.ok(overloadReason(new HmpUnreachableError(T, 'GET /health', 'other side closed')));
  for (const status of [500, 502, 503, 504]) {
    assert.match(overloadReason(new HmpHttpError(status, 'QueuePool limit of size 5 overflow 10 reached', 'POST /admin/load-test/down'))!, new RegExp(`answered ${status}: QueuePool`));
  }
  assert.equal(overloadReason(new HmpUnreachableError(T, 'GET /health', 'ENOTFOUND')), undefined, 'a wrong host name does not heal');
  assert.equal(overloadReason(new HmpHttpError(403, 'Access denied', 'POST /admin/load-test/down')), undefined);
  assert.equal(overloadReason(new Failure({ what: 'verification failed' })), undefined);
  assert.ok(overloadReason(new Failure({ what: 'login timed out' }, 1, timeout)), 'a Failure is judged by its cause');
});

test('fmtWait', () => {
  assert.deepEqual([0, 5000, 59_400, 60_000, 90_000, 600_000].map(fmtWait), ['0 s', '5 s', '59 s', '1 min', '1 min 30 s', '10 min']);
});

test('a healthy server: probe, work, no words', async () => {
  const lines: string[] = [];
  const out = await patiently(async () => 42, { limitMs: 600_000, log: (l) => lines.push(l), probe: async () => {} });
  assert.equal(out, 42);
  assert.deepEqual(lines, []);
});

test('the probe fails for a while: said once, backoff doubles with jitter, then the work runs once', async () => {
  const clock = fakeTime();
  const lines: string[] = [];
  let probes = 0;
  let works = 0;
  const out = await patiently(async () => ++works, {
    limitMs: 600_000,
    log: (l) => lines.push(l),
    probe: async () => {
      if (++probes <= 4) throw timeout;
    },
    ...clock,
  });
  assert.equal(out, 1);
  assert.equal(works, 1);
  assert.deepEqual(lines, ['the server is not answering (GET /health timed out after 5 s); waiting up to 10 min for it to recover before tearing down ...']);
  assert.equal(clock.sleeps.length, 4);
  clock.sleeps.forEach((ms, i) => {
    const d = BACKOFF.firstMs * 2 ** i;
    assert.ok(ms >= d / 2 && ms <= d, `sleep ${i}: ${ms} ms within [${d / 2}, ${d}]`);
  });
});

test('the work itself gets 503 while the probe answers: retried, probe first', async () => {
  const clock = fakeTime();
  const lines: string[] = [];
  const calls: string[] = [];
  await patiently(
    async () => {
      calls.push('work');
      if (calls.filter((c) => c === 'work').length < 3) throw new HmpHttpError(503, 'Service Unavailable', 'POST /admin/load-test/down');
    },
    { limitMs: 60_000, log: (l) => lines.push(l), probe: async () => void calls.push('probe'), ...clock },
  );
  assert.deepEqual(calls, ['probe', 'work', 'probe', 'work', 'probe', 'work']);
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /^the server is not answering \(POST \/admin\/load-test\/down answered 503: Service Unavailable\); waiting up to 1 min .* before going on with the teardown/);
});

test('past the limit: ServerStalled with the last reason; progress about every 30 s; backoff capped', async () => {
  const clock = fakeTime();
  const lines: Array<[number, string]> = [];
  const err = await patiently(async () => {}, {
    limitMs: 600_000,
    log: (l) => lines.push([clock.now(), l]),
    probe: async () => {
      clock.pass(5000); // each probe times out after 5 s
      throw timeout;
    },
    ...clock,
  }).then(() => assert.fail('should give up'), (e: unknown) => e);
  assert.ok(err instanceof ServerStalled);
  assert.equal(err.reason, 'GET /health timed out after 5 s');
  assert.ok(clock.now() >= 600_000 && clock.now() <= 600_000 + 5000, `gave up at ${clock.now()} ms`);
  assert.ok(Math.max(...clock.sleeps) <= BACKOFF.capMs);
  const cycle = BACKOFF.capMs + 5000; // the longest sleep plus a probe
  lines.slice(1).forEach(([at, line], i) => {
    const gap = at - lines[i]![0];
    assert.ok(gap >= PROGRESS_EVERY_MS && gap < PROGRESS_EVERY_MS + cycle, `progress line ${i} after ${gap} ms`);
    assert.match(line, /^still waiting \((\d+ s|\d+ min( \d+ s)?) of 10 min\): GET \/health timed out after 5 s$/);
  });
  assert.ok(600_000 - lines.at(-1)![0] < PROGRESS_EVERY_MS + cycle, 'the last progress line is recent');
});

test('other errors pass through at once', async () => {
  const denied = new HmpHttpError(403, 'Access denied', 'POST /admin/load-test/down');
  let works = 0;
  await assert.rejects(
    patiently(async () => {
      works++;
      throw denied;
    }, { limitMs: 600_000, log: () => assert.fail('no waiting'), probe: async () => {} }),
    (e) => e === denied,
  );
  assert.equal(works, 1);
});

test('limit 0: the first overload answer is final', async () => {
  await assert.rejects(patiently(async () => {}, { limitMs: 0, log: () => {}, probe: async () => Promise.reject(timeout), ...fakeTime() }), ServerStalled);
});
