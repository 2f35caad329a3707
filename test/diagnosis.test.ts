// The diagnosis (diagnosis/) on small synthetic runs: each fault's evidence
// as the plugin and the suite record it (the request timeline, stalls, the
// server's log, the sampled process), and the incident and cause it must
// give; a healthy run gives none; a frequent request is not blamed for a
// stall it did not span; the recommendations follow the causes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diagnose } from '../diagnosis/diagnose.ts';
import { diagnosisLines } from '../diagnosis/words.ts';
import { LiveIncidents, liveEventOf } from '../diagnosis/live.ts';
import { planCriteria } from '../lib/plan-criteria.ts';
import type { Verdict } from '../plugins/artillery-plugin-hmp/core/criteria.ts';
import type { Results } from '../plugins/artillery-plugin-hmp/core/results.ts';

const T0 = 1_700_000_000_000;
const SECONDS = 120;

interface Run {
  failures?: Array<[number, string, string, number]>;
  stalls?: unknown[];
  stallCause?: unknown;
  log?: { timeline?: Array<[number, string, string, number]>; lifecycle?: Array<{ at: number; event: 'start' | 'stop'; pid: number | null }> };
  processEvents?: Array<{ at: number; pid: number | null }>;
  cpu?: (periodIndex: number) => number;
  slow?: { endpoint: string; p99: number; periods: number[] };
  recovery?: { status: string; text: string };
}

/** A 2-minute average test at 10 users sending 5 req/s, with what `r` adds. */
function run(r: Run = {}): Results {
  const failed = new Array(SECONDS).fill(0);
  for (const [sec, , , n] of r.failures ?? []) failed[sec] += n;
  const sent = new Array(SECONDS).fill(5);
  const intermediate = Array.from({ length: SECONDS / 10 }, (_, i) => {
    const summaries: Record<string, Record<string, number>> = { 'plugins.hmp.users.target': { max: 10, min: 10, mean: 10 } };
    if (r.cpu) summaries['plugins.hmp.system.cpu_pct'] = { max: r.cpu(i), mean: r.cpu(i), min: r.cpu(i) };
    summaries['plugins.metrics-by-endpoint.response_time.project_list'] = { p99: r.slow?.periods.includes(i) ? r.slow.p99 : 12, count: 20 };
    summaries['plugins.metrics-by-endpoint.response_time.auth_login'] = { p99: 9, count: 20 };
    return { period: T0 + i * 10_000, counters: {}, summaries };
  });
  const hmp: Record<string, unknown> = {
    test: 'average',
    startedAt: T0,
    criteria: planCriteria(),
    requestTimeline: { t0: T0, sent, ok: sent.map((s, i) => s - failed[i]), failed, inFlight: new Array(SECONDS).fill(2), failures: r.failures ?? [] },
    stalls: { minS: 2, stalls: r.stalls ?? [], cause: r.stallCause ?? null, text: '' },
  };
  if (r.log) hmp.serverLog = { source: 'server.log', lines: 100, timeline: r.log.timeline ?? [], lifecycle: r.log.lifecycle ?? [] };
  if (r.processEvents) hmp.system = { source: 'local', processEvents: r.processEvents };
  if (r.recovery) hmp.checks = { recovery: r.recovery };
  return { aggregate: { counters: {}, summaries: {}, hmp }, intermediate } as unknown as Results;
}

const NO_VERDICTS: Verdict[] = [];
const slowList: Verdict = { id: 'p99.list', name: 'p99 list', measured: 900, limit: 700, unit: 'ms', op: '<=', pass: false, gated: true };

/** Failures of `what` on several endpoints every second from a to b. */
function burst(a: number, b: number, what: string, endpoints = ['auth_challenge', 'project_list', 'project_detail']): Array<[number, string, string, number]> {
  const out: Array<[number, string, string, number]> = [];
  for (let s = a; s <= b; s++) out.push([s, endpoints[s % endpoints.length]!, what, 4]);
  return out;
}

test('a healthy run: no incident, no cause, no line', () => {
  const d = diagnose(run(), { verdicts: NO_VERDICTS });
  assert.deepEqual(d.incidents, []);
  assert.deepEqual(diagnosisLines(d), []);
});

test('scattered single failures are noise, not an incident', () => {
  const d = diagnose(run({ failures: [[10, 'project_list', 'reset_reused', 1], [70, 'auth_login', '500', 1]] }), { verdicts: NO_VERDICTS });
  assert.deepEqual(d.incidents, []);
  assert.equal(d.failedOutside, 2);
});

test('the database down for 30 s: one incident with its window, the log names the database, nothing failed outside', () => {
  const line = 'sqlalchemy.exc.OperationalError';
  const msg = '(psycopg2.OperationalError) connection to server at "{n}", port {n} failed: Connection refused';
  const timeline: Array<[number, string, string, number]> = [];
  for (let s = 71; s <= 100; s++) timeline.push([T0 + s * 1000, line, msg, 4]);
  const d = diagnose(run({ failures: burst(71, 100, '500'), log: { timeline } }), { verdicts: NO_VERDICTS });
  assert.equal(d.incidents.length, 1);
  const i = d.incidents[0]!;
  assert.equal(i.startS, 71);
  assert.equal(i.endS, 101);
  assert.equal(i.cause.id, 'dependency-outage');
  assert.equal(i.cause.dependency, 'the database');
  assert.equal(i.cause.certainty, 'log');
  assert.equal(d.failedOutside, 0);
  const lines = diagnosisLines(d);
  assert.match(lines[0]!, /^incident 1, 1:11-1:41 of the test \(\d\d:\d\d:\d\d-\d\d:\d\d:\d\d UTC\): 120 x 500 on project_detail, auth_challenge, project_list \(120 of 150 requests sent in it failed\); the server logged 120 x sqlalchemy\.exc\.OperationalError: .*Connection refused.*Cause: the database was unreachable \(the server's log names it: 120 answers 5xx in the window, at a steady 10 users\)\.$/);
  assert.equal(lines[1], 'Nothing failed outside the incidents.');
});

test('a crash and a restart: refusals, the process gone and a new one (sampler), the restart lines (log)', () => {
  const failures = [...burst(60, 60, 'reset_fresh'), ...burst(61, 82, 'refused')];
  const d = diagnose(
    run({
      failures,
      log: { lifecycle: [{ at: T0 + 83_000, event: 'start', pid: 4242 }] },
      processEvents: [{ at: T0, pid: 100 }, { at: T0 + 61_000, pid: null }, { at: T0 + 83_000, pid: 4242 }],
      // GET /project/{id} in flight at the crash, as the most frequent request always is: not the cause.
      stalls: [{ at: T0 + 59_000, s: 2.5, inFlight: { 'GET /project/{id}': 3 }, waiting: 3, spannedBy: [] }],
      stallCause: { label: 'GET /project/{id}', name: 'project_detail', began: 1, otherwisePct: 27 },
    }),
    { verdicts: NO_VERDICTS },
  );
  assert.equal(d.incidents.length, 1);
  const c = d.incidents[0]!.cause;
  assert.equal(c.id, 'process-restart');
  assert.equal(c.title, 'the server process exited and a new one started');
  assert.equal(c.certainty, 'log');
  assert.ok(c.evidence.some((e) => /a server process started \(pid 4242\)/.test(e)), c.evidence.join('; '));
  assert.doesNotMatch(diagnosisLines(d).join('\n'), /project\/\{id\}.*Cause|blocked by/);
});

test('refusals alone: the server stopped accepting connections, with what would decide whether it exited', () => {
  const d = diagnose(run({ failures: burst(30, 40, 'refused') }), { verdicts: NO_VERDICTS });
  const c = d.incidents[0]!.cause;
  assert.equal(c.id, 'process-restart');
  assert.equal(c.certainty, 'correlation');
  assert.match(c.toDecide!, /--server-log/);
});

test('stalls a conversion spans: the server blocked by it; a common kind that did not span them is not named', () => {
  const stalls = [20, 50, 90].map((s) => ({ at: T0 + s * 1000, s: 5, inFlight: { 'POST /pdf-to-audio/execute': 1, 'GET /project/{id}': 2 }, waiting: 6, spannedBy: ['POST /pdf-to-audio/execute'] }));
  const blocked = diagnose(run({ stalls, stallCause: { label: 'POST /pdf-to-audio/execute', name: 'pdf_execute', began: 3, otherwisePct: 4 }, cpu: () => 6 }), { verdicts: NO_VERDICTS });
  assert.equal(blocked.incidents.length, 3);
  for (const i of blocked.incidents) {
    assert.equal(i.cause.id, 'blocked-by-kind');
    assert.equal(i.cause.kind, 'pdf_execute');
    assert.match(i.cause.toDecide!, /^the same test without conversions \(`npm run suite -- --only average --no-conversions`\) measures what they cost$/);
  }
  assert.match(diagnosisLines(blocked)[0]!, /nothing was answered for 5 s while up to 6 requests waited.*Cause: the server was blocked by POST \/pdf-to-audio\/execute.*3 of 3 stalls began while .* and 3 ended when it ended/);
  // The same stalls, blamed by the stall analysis on the frequent GET /project/{id} that spanned none.
  const common = stalls.map((s) => ({ ...s, spannedBy: [] }));
  const d = diagnose(run({ stalls: common, stallCause: { label: 'GET /project/{id}', name: 'project_detail', began: 3, otherwisePct: 27 } }), { verdicts: NO_VERDICTS });
  for (const i of d.incidents) assert.equal(i.cause.id, 'undetermined');
  assert.match(d.incidents[0]!.cause.toDecide!, /--server-log/);
});

test('pool starvation from the log; a server that did not recover is a finding', () => {
  const msg = 'QueuePool limit of size {n} overflow {n} reached, connection timed out, timeout {n}';
  const d = diagnose(
    run({
      failures: burst(60, 90, '500'),
      stalls: [{ at: T0 + 30_000, s: 30, inFlight: { 'GET /project/': 12 }, waiting: 15, spannedBy: ['GET /project/'] }],
      log: { timeline: [[T0 + 60_000, 'sqlalchemy.exc.TimeoutError', msg, 40]] },
      recovery: { status: 'not-recovered', text: 'Not recovered: > 15 min after the test (error rate <= 1% and p95 <= 60 ms for 2 periods); last: no answers (stalled).' },
    }),
    { verdicts: NO_VERDICTS },
  );
  assert.equal(d.incidents.length, 1);
  assert.equal(d.incidents[0]!.cause.id, 'pool-starvation');
  assert.deepEqual(d.findings.map((f) => f.id), ['not-recovered']);
  assert.match(diagnosisLines(d).at(-1)!, /^The server did not recover after the load: Not recovered: > 15 min after the test .*; last: no answers \(stalled\)\.$/);
  // Slower than its baseline is not "did not recover": no finding.
  const slow = diagnose(run({ recovery: { status: 'not-recovered', text: 'Not recovered: > 0.3 s after the test (error rate <= 1% and p95 <= 68 ms for 2 periods); last: p95 90 ms > 68 ms' } }), { verdicts: NO_VERDICTS });
  assert.deepEqual(slow.findings, []);
});

test('one endpoint over its SLO on its own: a slow endpoint; only groups whose verdict failed give windows', () => {
  const slow = { endpoint: 'project_list', p99: 950, periods: [4, 5, 6] };
  assert.deepEqual(diagnose(run({ slow }), { verdicts: NO_VERDICTS }).incidents, []);
  const d = diagnose(run({ slow, cpu: () => 20 }), { verdicts: [slowList] });
  assert.equal(d.incidents.length, 1);
  assert.equal(d.incidents[0]!.startS, 40);
  assert.equal(d.incidents[0]!.endS, 70);
  assert.equal(d.incidents[0]!.cause.id, 'slow-endpoint');
  assert.equal(d.incidents[0]!.cause.kind, 'project_list');
});

test('CPU at its limit during failures: saturation', () => {
  const d = diagnose(run({ failures: burst(40, 60, 'timeout'), cpu: (i) => (i >= 4 && i <= 6 ? 98 : 30) }), { verdicts: NO_VERDICTS });
  assert.equal(d.incidents[0]!.cause.id, 'cpu-saturation');
});

test('live: an incident said when it begins and when it ends (failures, or stalls joined as in the finished run); what the run waits for', () => {
  const live = new LiveIncidents();
  const said: string[] = [];
  let id = 0;
  const req = (t: number, name: string, failure?: string, after = 20) => {
    const i = String(++id);
    said.push(...live.push({ t: T0 + t, type: 'sent', id: i, name }));
    said.push(...live.push({ t: T0 + t + after, type: 'ended', id: i, ...(failure ? { failure } : {}) }));
  };
  for (let t = 0; t < 60_000; t += 200) {
    req(t, 'project_list', t >= 30_000 && t < 40_000 ? '500' : undefined);
    if (t % 1000 === 0) said.push(...live.tick(T0 + t + 100));
  }
  said.push(...live.tick(T0 + 60_000));
  assert.deepEqual(said, ['incident began at 0:30 of the test: 3 requests failed (500 on project_list)', 'incident ended at 0:40 of the test, after 10 s: 50 requests failed in it (500 on project_list)']);
  // Two stalls 4 s apart (a conversion blocking the server twice): one incident.
  said.length = 0;
  const timeouts = (n: string) => (n === 'pdf_execute' ? 300 : 30);
  said.push(...live.push({ t: T0 + 61_000, type: 'sent', id: 'a', name: 'pdf_execute' }), ...live.push({ t: T0 + 61_100, type: 'sent', id: 'b', name: 'project_list' }));
  said.push(...live.tick(T0 + 64_000, timeouts));
  assert.deepEqual(said, ['incident began at 1:01 of the test: nothing answered for 3 s while 2 requests wait; the oldest: pdf_execute, 3 s of its 5 min timeout']);
  said.push(...live.push({ t: T0 + 65_000, type: 'ended', id: 'a' }), ...live.push({ t: T0 + 65_010, type: 'ended', id: 'b' }));
  said.push(...live.push({ t: T0 + 68_000, type: 'sent', id: 'c', name: 'pdf_execute' }), ...live.push({ t: T0 + 68_100, type: 'sent', id: 'd', name: 'project_list' }));
  said.push(...live.tick(T0 + 71_000, timeouts));
  assert.equal(said.length, 1, 'the second stall is the same incident');
  assert.equal(live.waiting(T0 + 198_000, () => 300), 'waiting for 2 requests in flight: pdf_execute, 2 min 10 s of its 5 min timeout; project_list, 2 min 10 s of its 5 min timeout');
  said.push(...live.push({ t: T0 + 72_000, type: 'ended', id: 'c' }), ...live.push({ t: T0 + 72_010, type: 'ended', id: 'd' }));
  said.push(...live.tick(T0 + 80_000));
  assert.equal(said[1], 'incident ended at 1:12 of the test, after 11 s: nothing was answered for 8 s in all (up to 2 requests waited)');
  assert.deepEqual(live.finish(T0 + 90_000), []);
  assert.deepEqual(liveEventOf('e 3.7 1700000000000 x refused'), { t: 1700000000000, type: 'ended', id: '3.7', failure: 'refused' });
  assert.deepEqual(liveEventOf('e 3.7 1700000000000 a 200'), { t: 1700000000000, type: 'ended', id: '3.7' });
});

test('a stall while the server idled and logged nothing: frozen, with what would name the blocking call', () => {
  // One stall that a request in flight at 16% of all sends spanned: that proves nothing about it (it would, about as often, by chance).
  const stalls = [{ at: T0 + 40_000, s: 6, inFlight: { 'GET /pdf-to-audio/upload-key': 1, 'GET /project/': 4 }, waiting: 8, spannedBy: ['GET /pdf-to-audio/upload-key', 'GET /project/'] }];
  const stallCause = { label: 'GET /pdf-to-audio/upload-key', name: 'pdf_upload_key', began: 1, otherwisePct: 16 };
  const d = diagnose(run({ stalls, stallCause, log: { timeline: [] }, cpu: () => 3 }), { verdicts: NO_VERDICTS });
  assert.equal(d.incidents[0]!.cause.id, 'server-frozen');
  assert.match(d.incidents[0]!.cause.toDecide!, /py-spy dump/);
  // The same stall without the process's CPU: not determined.
  assert.equal(diagnose(run({ stalls, log: { timeline: [] } }), { verdicts: NO_VERDICTS }).incidents[0]!.cause.id, 'undetermined');
});

test('a restart DigitalOcean counted during failures: the process restarted (measured)', () => {
  const r = run({ failures: burst(30, 40, '502') });
  (r.intermediate[3] as { summaries: Record<string, unknown> }).summaries['plugins.hmp.system.restarts'] = { max: 1, min: 1, mean: 1, count: 1 };
  const c = diagnose(r, { verdicts: NO_VERDICTS }).incidents[0]!.cause;
  assert.equal(c.id, 'process-restart');
  assert.equal(c.certainty, 'measured');
  assert.ok(c.evidence.some((e) => /restarted 1 time \(DigitalOcean restart_count\)/.test(e)), c.evidence.join('; '));
});
