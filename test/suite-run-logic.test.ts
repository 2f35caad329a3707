// The suite orchestrator's pure parts: command line, state decisions (soak
// prerequisites, exit codes, resume), verdicts under the plan's algorithm,
// probes as periods, bottleneck analysis, progress view, and the report.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summarize } from '../report/summarize.ts';
import type { Results as ReportResults } from '../report/types.ts';
import { recoveryOf } from '../suite/recovery.ts';
import type { Results } from '../plugins/artillery-plugin-hmp/core/results.ts';
import { tally } from '../suite/integrity.ts';
import { driftOf } from '../suite/drift.ts';
import { EXIT, joinTwinArgs, parseSuiteArgs, parseThink, splitArgs, type SuiteOptions } from '../suite/run/args.ts';
import { UsageError } from '../lib/cli-args.ts';
import { bottleneckOf } from '../diagnosis/bottleneck.ts';
import { checksOf, evaluateAverage, evaluateBreakpoint, evaluateSmoke, evaluateSoak, evaluateSpike, evaluateStress, type CrashWatch, type SpikeExtras } from '../suite/run/evaluate.ts';
import { withChecks } from '../suite/run/step-report.ts';
import { thinkFor, timeScaleFor } from '../suite/run/plan.ts';
import { probePeriods, recoveryCadence, unansweredOf, type ProbeSample } from '../suite/run/probe.ts';
import { clock, formatStatus, parseUsers, ProgressView, remainingS } from '../suite/run/progress.ts';
import { escapeMarkdown as m } from '../report/escape.ts';
import { renderSuiteHtml, renderSuiteMarkdown } from '../suite/run/render.ts';
import { exitCodeOf, newState, outcomeOf, soakBlockedBy, testsToRun, type SuiteState } from '../suite/run/state.ts';
import { buildSummary } from '../suite/run/summary.ts';
import { buildShape } from '../plugins/artillery-plugin-hmp/shape.ts';
import { period, results as resultsOf, sum } from './suite-helpers.ts';

const run = (argv: string[]) => {
  const p = parseSuiteArgs(argv);
  assert.equal(p.kind, 'run');
  return (p as { options: SuiteOptions }).options;
};
const usage = (argv: string[], re: RegExp) => assert.throws(() => parseSuiteArgs(argv), (e: Error) => e instanceof UsageError && re.test(e.message));

test('args: defaults, --only/--skip in plan order, --twin-args with a leading dash, --think', () => {
  const o = run([]);
  assert.equal(o.target, undefined);
  assert.equal(o.timeScale, 1);
  assert.deepEqual(o.tests, ['smoke', 'average', 'stress', 'spike', 'breakpoint', 'soak']);
  const p = run(['--only', 'soak,smoke,spike', '--skip', 'spike', '--time-scale', '0.01', '--twin-args', '--latency project_list=900 --seed 3', '--think', '5-15']);
  assert.deepEqual(p.tests, ['smoke', 'soak']);
  assert.deepEqual(p.twinArgs, ['--latency', 'project_list=900', '--seed', '3']);
  assert.deepEqual(p.think, [5, 15]);
  assert.equal(p.timeScale, 0.01);
  assert.deepEqual(joinTwinArgs(['--twin-args', '--x 1', '--plain']), ['--twin-args=--x 1', '--plain']);
  assert.deepEqual(splitArgs(`--a "b c" 'd'`), ['--a', 'b c', 'd']);
  assert.deepEqual(parseThink(' 0 - 0 '), [0, 0]);
  const t = run(['--target', 'http://127.0.0.1:8000/', '--credentials', 'admin.bin', '--system-metrics', 'local', '--pid', '42']);
  assert.equal(t.target, 'http://127.0.0.1:8000');
  assert.equal(t.systemMetrics.pid, 42);
  assert.deepEqual(parseSuiteArgs(['--resume', 'reports/suite-x', '--plain']), { kind: 'resume', dir: 'reports/suite-x', plain: true, live: {} });
  assert.deepEqual(parseSuiteArgs(['--resume', 'reports/suite-x', '--no-live', '--live-port', '8090']), { kind: 'resume', dir: 'reports/suite-x', plain: false, live: { off: true, port: 8090 } });
  assert.throws(() => parseSuiteArgs(['--live-port', 'x']), /--live-port/);
  assert.deepEqual(parseSuiteArgs(['--help']), { kind: 'help' });
});

test('args: every mistake is one sentence (exit 2)', () => {
  usage(['--password', 'x'], /never taken from the command line/);
  usage(['--target', 'http://127.0.0.1:8000'], /needs --credentials/);
  usage(['--credentials', 'a.bin'], /goes with --target/);
  usage(['--target', 'http://127.0.0.1:8000', '--credentials', 'a', '--twin-args', '--leak-kb 1'], /own twin/);
  usage(['--only', 'smoke,load'], /"load" is not a test/);
  usage(['--only', 'soak', '--skip', 'soak'], /no test to run/);
  usage(['--time-scale', '0'], /above 0/);
  usage(['--think', '15-5'], /must not be below/);
  usage(['--resume', 'x', '--only', 'smoke'], /leave out --only/);
  usage(['--target', 'ftp://x', '--credentials', 'a'], /http/);
  usage(['--target', 'http://127.0.0.1:1', '--credentials', 'a', '--system-metrics', 'local'], /needs --pid/);
  usage(['--bogus'], /unknown option --bogus/);
  usage(['--server-log', 'digitalocean'], /--server-log digitalocean needs --do-app-id/);
  assert.equal(EXIT.usage, 2);
});

test('plan: the smoke and the spike have time-scale floors (the smoke may have its own), --think spares the smoke, the breakpoint keeps real think time', () => {
  assert.equal(timeScaleFor('smoke', 0.002), 0.1);
  assert.equal(timeScaleFor('spike', 0.001, 0.5), 0.06);
  assert.equal(timeScaleFor('spike', 0.2), 0.2);
  assert.equal(timeScaleFor('smoke', 0.002, 0.02), 0.02);
  assert.equal(timeScaleFor('average', 0.002, 0.02), 0.002);
  assert.equal(thinkFor('smoke', 0.002, [1, 2]), undefined);
  assert.deepEqual(thinkFor('soak', 0.002, [1, 2]), [1, 2]);
  assert.deepEqual(thinkFor('breakpoint', 0.01, undefined), [50, 150]);
  assert.equal(thinkFor('breakpoint', 0.5, undefined), undefined);
  assert.equal(thinkFor('average', 0.01, undefined), undefined);
});

function state(tests: SuiteOptions['tests'], only?: SuiteOptions['tests']): SuiteState {
  return newState('suite-x', { ...run([]), tests, only }, '/tmp/none.json', new Date(0));
}

test('state: the soak runs only if every earlier test passed (with --only, the ones that ran); exit codes are distinct', () => {
  const s = state(['smoke', 'average', 'soak'], ['smoke', 'average', 'soak']);
  assert.equal(s.steps.stress.status, 'skipped');
  assert.match(s.steps.stress.reason!, /not selected \(--only smoke,average,soak\)/);
  s.steps.smoke.status = 'passed';
  s.steps.average.status = 'passed';
  assert.equal(soakBlockedBy(s), undefined, 'stress, spike, breakpoint did not run: not prerequisites');
  s.steps.average.status = 'flagged';
  assert.equal(soakBlockedBy(s), 'Prerequisites not met: average flagged (the soak runs only if every earlier test passed; --only soak runs it on its own).');
  const b = state(['breakpoint', 'soak']);
  b.steps.breakpoint.status = 'recorded';
  assert.equal(soakBlockedBy(b), undefined, 'the breakpoint records, it does not fail');

  for (const st of ['setup', 'teardown', 'report'] as const) s.steps[st].status = 'passed';
  s.steps.soak.status = 'skipped';
  assert.equal(outcomeOf(s), 'FLAGGED');
  assert.equal(exitCodeOf('FLAGGED'), 3);
  s.steps.smoke.status = 'aborted';
  assert.equal(outcomeOf(s), 'ABORTED');
  assert.equal(exitCodeOf('ABORTED'), 4);
  assert.deepEqual(testsToRun(s), [], 'nothing runs after an abort');
  s.steps.teardown.status = 'failed';
  assert.equal(exitCodeOf(outcomeOf(s)), 1, 'a teardown that is not verified fails the suite');
  s.steps.teardown.status = 'passed';
  s.steps.smoke.status = 'passed';
  s.steps.average.status = 'interrupted';
  s.steps.soak.status = 'pending';
  assert.equal(exitCodeOf(outcomeOf(s)), 130);
  assert.deepEqual(testsToRun(s), ['average', 'soak'], 'resume: from the first unfinished test');
  s.steps.average.status = 'passed';
  s.steps.soak.status = 'passed';
  assert.equal(exitCodeOf(outcomeOf(s)), 0);
});

// --- verdicts ----------------------------------------------------------------

const CRITERIA = {
  slo: { auth: 400, list: 700, detail: 800, convert: 2000 },
  groups: { auth: ['auth_challenge', 'auth_login'], list: ['project_list', 'submission_list'], detail: ['project_detail'], convert: ['pdf_execute'] },
};

/** The suite's section as the plugin writes it (criteria recorded with the run), plus the suite's own checks. */
function withHmp(r: Results, test: string, maxErrorRate?: number, checks: Record<string, unknown> = {}): Results {
  r.aggregate.hmp = { test, timeScale: 1, criteria: { ...CRITERIA, maxErrorRate, smokeEndpoints: test === 'smoke' ? ['project_list', 'audit_list'] : undefined } };
  return withChecks(r, checks);
}
const summaryOf = (r: Results) => summarize(r as unknown as ReportResults);

test('smoke: any error ABORTs "Functional issues detected", citing what failed; none passes', () => {
  const bad = withHmp(resultsOf([['project_list', 50, 5, 9, 12, 2, 2], ['audit_list', 5, 5, 9, 12, 1]]), 'smoke', 0);
  bad.aggregate.counters!['plugins.hmp.errors.audit_list.upload_missing'] = 1;
  const e = evaluateSmoke(bad, summaryOf(bad));
  assert.equal(e.status, 'aborted');
  assert.equal(e.flag, 'functional');
  assert.match(e.reason, /^"Functional issues detected": 3 errors in 55 requests/);
  assert.ok(e.evidence.some((x) => x.kind === 'status' && x.endpoint === 'project_list' && x.status === 500));
  assert.ok(e.evidence.some((x) => x.endpoint === 'audit_list' && /upload_missing/.test(x.text ?? '')));
  const good = withHmp(resultsOf([['project_list', 50, 5, 9, 12], ['audit_list', 5, 5, 9, 12]]), 'smoke', 0);
  assert.equal(evaluateSmoke(good, summaryOf(good)).status, 'passed');
});

test('average: any gated criterion missed (error rate < 1%, p99 within SLOs, CPU < 70%, RAM < 80%) FLAGs "Baseline performance insufficient"', () => {
  const slow = withHmp(resultsOf([['project_list', 100, 300, 800, 912], ['auth_login', 100, 10, 20, 30]]), 'average', 1);
  const e = evaluateAverage(slow, summaryOf(slow));
  assert.equal(e.status, 'flagged');
  assert.equal(e.flag, 'baseline');
  assert.match(e.reason, /p99 of list endpoints 912 ms > SLO 700 ms/);
  assert.deepEqual(e.evidence.map((x) => [x.kind, x.endpoint, x.measured, x.limit]), [['p99', 'project_list', 912, 700]]);
  assert.equal((e.details.baseline as { p95Ms: number }).p95Ms, 20);
  // 1% exactly misses the test's own criterion "< 1%" (plan, section 6): one answer, FLAG.
  const edge = withHmp(resultsOf([['project_list', 100, 5, 9, 12, 1]]), 'average', 1);
  const e2 = evaluateAverage(edge, summaryOf(edge));
  assert.equal(e2.status, 'flagged');
  assert.match(e2.reason, /error rate 1% \(limit < 1%\)/);
});

const QUIET: CrashWatch = { during: null, after: null, exited: null, stalledPeriods: 0 };

test('stress: a crash (stopped answering) or an error rate at or over its 2% FLAGs "System unstable under higher sustained load"', () => {
  const quiet = (r: Results) => withChecks(r, checksOf({ crash: QUIET }));
  const clean = quiet(withHmp(resultsOf([['project_list', 100, 5, 9, 12, 1]]), 'stress', 2));
  assert.equal(evaluateStress(clean, summaryOf(clean), QUIET).status, 'passed', '1% is within the criterion (< 2%)');
  const r = quiet(withHmp(resultsOf([['project_list', 100, 5, 9, 12, 3]]), 'stress', 2));
  const three = evaluateStress(r, summaryOf(r), QUIET);
  assert.equal(three.status, 'flagged', "3% misses the stress test's own criterion (< 2%): the plan's section 6 decides");
  assert.match(three.reason, /error rate 3% > 2%/);
  const samples: ProbeSample[] = [
    { at: 0, ms: 2, status: 200, error: false, reason: '' },
    { at: 500, ms: null, status: null, error: true, reason: 'timeout' },
    { at: 1000, ms: null, status: null, error: true, reason: 'timeout' },
    { at: 9000, ms: 3, status: 200, error: false, reason: '' },
  ];
  const watch = { ...QUIET, during: unansweredOf(samples, 5000) };
  const down = withChecks(withHmp(resultsOf([['project_list', 100, 5, 9, 12]]), 'stress', 2), checksOf({ crash: watch }));
  const crashed = evaluateStress(down, summaryOf(down), watch);
  assert.equal(crashed.status, 'flagged');
  assert.equal(crashed.flag, 'unstable');
  assert.match(crashed.reason, /the system crashed \(stopped answering\)/);
  assert.equal(crashed.evidence[0]!.kind, 'crash');
  assert.match(crashed.evidence[0]!.text!, /no answer to GET \/health for 8\.5 s \(2 of 4 probes unanswered: timeout\)/);
  assert.equal(summaryOf(down).verdicts.find((v) => v.id === 'crash')!.pass, false, 'the report says so too');
});

test('spike: error rate at or over 3%, recovery beyond the (scaled) 5 min, or any lost upload FLAGs "Poor burst handling"', () => {
  const T = 1_800_000_000_000;
  const spikeRun = (x: SpikeExtras) => withChecks(withHmp(resultsOf([['submission_create', 100, 5, 9, 12]]), 'spike', 3), checksOf({ spike: x }));
  const clean = tally([{ id: 1, md5: 'a'.repeat(32), outcome: 'verified', reason: '' }]);
  const samplesOk: ProbeSample[] = Array.from({ length: 40 }, (_, i) => ({ at: T + i * 25, ms: 3, status: 200, error: false, reason: '' }));
  const { periodMs } = recoveryCadence(0.01);
  const recovered = recoveryOf({ periods: probePeriods(samplesOk, periodMs, T), holdEnd: T, baseline: { errorRatePct: 0, p95Ms: 20 }, limitS: 3, periodMs });
  assert.equal(recovered.status, 'recovered');
  const ok = { recovery: recovered, timeScale: 0.01, integrity: clean };
  assert.equal(evaluateSpike(spikeRun(ok), summaryOf(spikeRun(ok)), ok).status, 'passed');

  const lost = tally([
    { id: 1, md5: 'a'.repeat(32), outcome: 'verified', reason: '' },
    { id: 2, md5: 'b'.repeat(32), outcome: 'missing', reason: 'acknowledged but not listed by GET /submission/' },
  ]);
  const x = { recovery: recovered, timeScale: 0.01, integrity: lost };
  const e = evaluateSpike(spikeRun(x), summaryOf(spikeRun(x)), x);
  assert.equal(e.status, 'flagged');
  assert.equal(e.flag, 'burst');
  assert.match(e.reason, /data loss: Data loss check failed: 1 missing, 0 corrupted of 2 acknowledged uploads/);
  assert.deepEqual(e.evidence.map((x) => x.kind), ['data_loss']);

  const stalled: ProbeSample[] = Array.from({ length: 200 }, (_, i) => ({ at: T + i * 25, ms: null, status: null, error: true, reason: 'timeout' }));
  const never = recoveryOf({ periods: probePeriods(stalled, periodMs, T), holdEnd: T, baseline: { errorRatePct: 0, p95Ms: 20 }, limitS: 3, periodMs });
  assert.equal(never.status, 'not-recovered');
  const y = { recovery: never, timeScale: 0.01, integrity: clean };
  const e2 = evaluateSpike(spikeRun(y), summaryOf(spikeRun(y)), y);
  assert.equal(e2.status, 'flagged');
  assert.match(e2.reason, /recovery time > 3 s \(5 min scaled by 0\.01\)/);
  assert.match(e2.evidence[0]!.text!, /not recovered within 3 s after the hold \(the plan's 5 min at time scale 0\.01\)/);
});

test('soak: memory growth > 10% or degradation > 15% FLAGs "Long-term stability issues"', () => {
  const T = 1_800_000_000_000;
  const periods = Array.from({ length: 8 }, (_, i) => period({ at: T + i * 10_000, p95: 20, rssMb: 100 + i * 10 }));
  const drift = driftOf({ periods, windowS: 20 });
  const soakRun = (d: ReturnType<typeof driftOf>) => withChecks(withHmp(resultsOf([['project_list', 100, 5, 9, 12]]), 'soak', 1), checksOf({ drift: d }));
  const e = evaluateSoak(soakRun(drift), summaryOf(soakRun(drift)), drift);
  assert.equal(e.status, 'flagged');
  assert.equal(e.flag, 'stability');
  assert.match(e.evidence[0]!.text!, /^memory grew \d+(\.\d)?% \(/);
  const flat = driftOf({ periods: periods.map((p) => ({ ...p, summaries: { 'http.response_time': sum(10, 20, 26) } })), windowS: 20 });
  const ok = evaluateSoak(soakRun(flat), summaryOf(soakRun(flat)), flat);
  assert.equal(ok.status, 'passed');
  assert.ok(ok.notes.some((n) => /memory not measured/.test(n)));
});

test('breakpoint bottleneck: the first signal in time, with the users at that moment', () => {
  const T = 1_800_000_000_000;
  const users = (n: number) => ({ 'plugins.hmp.users.target': { ...sum(n, n, n, 10), max: n } });
  const r: Results = {
    aggregate: { hmp: { criteria: CRITERIA } },
    intermediate: [
      { period: T, counters: { 'http.requests': 100, 'http.responses': 100 }, summaries: { ...users(20), 'plugins.hmp.system.cpu_pct': sum(50, 50, 50) } },
      { period: T + 10_000, counters: { 'http.requests': 100, 'http.responses': 100 }, summaries: { ...users(40), 'plugins.hmp.system.cpu_pct': sum(96, 97, 99) } },
      {
        period: T + 20_000,
        counters: { 'http.requests': 100, 'http.responses': 100, 'plugins.metrics-by-endpoint.project_list.codes.500': 4, 'plugins.hmp.errors.auth_login.ETIMEDOUT': 2 },
        summaries: { ...users(60), 'plugins.metrics-by-endpoint.response_time.project_list': sum(500, 900, 1500) },
      },
      { period: T + 30_000, counters: { 'http.requests': 50, 'http.responses': 0 }, summaries: users(80) },
    ],
  };
  const b = bottleneckOf(r);
  assert.deepEqual(b.first.map((s) => [s.kind, s.users]), [['cpu', 40]]);
  assert.deepEqual(b.timeline.map((s) => s.kind), ['cpu', '5xx', 'timeouts', 'latency', 'stall']);
  assert.match(b.text, /^Failed first: CPU 96% \(saturated: >= 90%\) at 40 users\. Then: project_list answered 500 \(4 in 10 s\) at 60 users; auth_login timed out/);
  assert.equal(bottleneckOf({ aggregate: {}, intermediate: [] }).text, 'No endpoint or resource failed (CPU and memory not measured).');
});

test('probes: periods aligned on the end of the hold; a stall counts as sent and not answered', () => {
  const T = 1_000_000;
  const s: ProbeSample[] = [
    { at: T - 10, ms: 5, status: 200, error: false, reason: '' },
    { at: T + 10, ms: 7, status: 200, error: false, reason: '' },
    { at: T + 120, ms: null, status: null, error: true, reason: 'timeout' },
    { at: T + 260, ms: 9, status: 503, error: true, reason: 'status_503' },
  ];
  const p = probePeriods(s, 250, T, T + 500);
  assert.deepEqual(p.map((x) => x.period), [T - 250, T, T + 250]);
  assert.deepEqual(p[1]!.counters, { 'http.requests': 2, 'http.responses': 1, 'plugins.hmp.errors.probe': 1, 'plugins.hmp.ok.probe': 1 });
  assert.equal(probePeriods(s, 250, T, T + 400).length, 2, 'a period still running is not judged');
  const u = unansweredOf(s, 2000);
  assert.equal(u.stopped, true);
  assert.equal(u.longestS, 0.1, 'from the silent probe to the next answer');
  assert.deepEqual(recoveryCadence(1), { periodMs: 10_000, everyMs: 1000 });
  assert.deepEqual(recoveryCadence(0.002), { periodMs: 250, everyMs: 25 });
});

test('progress: step N/9, elapsed, remaining, users; a status line in place on a terminal, plain lines every 30 s elsewhere', () => {
  assert.deepEqual(parseUsers('hmp: 25:00 / 25:00 (100%) users 10-15 of 10-15 (max deviation 0), 459 requests'), { active: 15, target: 15 });
  assert.equal(clock(3725), '1:02:05');
  const shapes = { stress: buildShape([{ name: 'r', duration: 100, users: 30 }], 1), soak: buildShape([{ name: 'h', duration: 50, users: 8 }], 1) };
  assert.equal(remainingS({ current: 'stress', currentElapsedS: 40, pending: ['soak'], shapes, overheadS: 10 }), 5 + 70 + 60);
  assert.equal(remainingS({ current: 'stress', currentElapsedS: 0, pending: ['spike'], shapes }), undefined);
  assert.equal(formatStatus({ step: 'stress', elapsedS: 75, remainingS: 130, users: { active: 28, target: 30 } }), '[4/9 stress] Stress test | real 01:15 elapsed, ~02:10 left | users 28 of 30');
  let tty = '';
  const v = new ProgressView({ write: (t) => (tty += t) }, true);
  v.status('A');
  v.line('event');
  assert.equal(tty, '\r\x1b[KA\r\x1b[Kevent\nA');
  let plain = '';
  const p = new ProgressView({ write: (t) => (plain += t) }, false, 30_000);
  p.status('s1', false, 100_000);
  p.status('s2', false, 110_000);
  p.status('s3', false, 140_000);
  p.line('event');
  assert.equal(plain, 'suite: s1\nsuite: s3\nevent\n');
});

test('report: flags with their evidence, recommendations citing measurements, escaped text, relative links, no script', () => {
  const s = state(['smoke', 'average', 'soak']);
  for (const st of ['setup', 'teardown', 'report'] as const) s.steps[st].status = 'passed';
  s.steps.smoke = { ...s.steps.smoke, status: 'passed', reason: 'ok', report: 'smoke/smoke-1/report.html', numbers: { requests: 10, errorRatePct: 0, p99Ms: 12, cpuSustainedPct: 13.95 } };
  s.steps.average = {
    ...s.steps.average,
    status: 'flagged',
    flag: 'baseline',
    reason: '"Baseline performance insufficient": p99 of list endpoints 912 ms > SLO 700 ms <script>alert(1)</script>.',
    evidence: [{ kind: 'p99', test: 'average', endpoint: 'project_list', group: 'list', measured: 912, limit: 700, unit: 'ms' }],
    report: 'average/average-1/report.html',
    // Its report's diagnosis: project_list slow on its own from 1:00 to 1:30.
    diagnosis: {
      t0: 0,
      incidents: [{ n: 1, kinds: ['slow'], start: 60_000, end: 90_000, startS: 60, endS: 90, ongoing: false, client: { sent: 90, failed: 0, failures: [], slow: ['project_list p99 912 ms > 700 ms'], waiting: null }, log: [], processes: [], system: null, inFlight: {}, users: 15, cause: { id: 'slow-endpoint', kind: 'project_list', title: 'project_list was slow on its own', certainty: 'measured', evidence: ['project_list p99 912 ms > 700 ms while every other endpoint was within its SLO'] } }],
      findings: [],
      failedOutside: 0,
      failedTotal: 0,
      sources: { serverLog: true, system: true },
    },
  };
  s.steps.soak = { ...s.steps.soak, status: 'skipped', reason: soakBlockedBy(s) };
  s.invocations.push({ startedAt: new Date(0).toISOString(), endedAt: new Date(60_000).toISOString(), resumed: false });
  const sum = buildSummary(s);
  assert.equal(sum.outcome, 'FLAGGED');
  assert.equal(sum.exitCode, 3);
  assert.match(sum.headline, /^FLAGGED: Baseline performance insufficient \(average\); soak skipped \(prerequisites not met\); stress, spike, breakpoint not run\. Teardown verified\.$/);
  assert.deepEqual(sum.flags.map((f) => [f.id, f.step, f.evidence[0]!.citation]), [['baseline', 'average', 'p99 of project_list 912 ms > 700 ms in average']]);
  assert.ok(sum.recommendations.length > 0 && sum.recommendations.every((r) => r.because.includes('p99 of project_list 912 ms > 700 ms in average')));
  assert.deepEqual(sum.recommendations.map((r) => r.id), ['pagination', 'cache-lists', 'db-access']);
  assert.deepEqual(sum.recommendations[0]!.addresses, ['project_list was slow on its own: incident 1 (1:00-1:30 of the test) of the average']);
  assert.match(renderSuiteMarkdown(sum), /## What went wrong\n\n### Load test \(average\)\n\n- incident 1, 1:00-1:30 of the test .*Cause: project\\_list was slow on its own/);
  assert.equal(sum.steps[1]!.figures, '10 requests, errors 0%, p99 12 ms, CPU 14%');
  const md = renderSuiteMarkdown(sum);
  assert.match(md, /\| 3\/9 Load test \(average\) \| \*\*FLAG\*\* \|/);
  assert.match(md, /\[report\]\(average\/average-1\/report\.html\)/);
  assert.doesNotMatch(md, /<script>/);
  const html = renderSuiteHtml(sum);
  assert.doesNotMatch(html, /<script/i);
  assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  assert.match(html, /Content-Security-Policy" content="default-src &#39;none&#39;; style-src &#39;sha256-/);
  assert.match(html, /<a href="smoke\/smoke-1\/report.html">report<\/a>/);
  assert.equal(m("a|b <i> it's"), "a\\|b &lt;i&gt; it's");
});

test('breakpoint below the plan\'s peak: FLAG "System does not support the plan\'s peak usage", with what failed first; at or above it: recorded', () => {
  const T = 1_800_000_000_000;
  const run = (max: number): Results => {
    const r = withHmp(resultsOf([['pdf_execute', 100, 900, 4000, 5200, 0, 0]]), 'breakpoint');
    r.aggregate.hmp = { ...r.aggregate.hmp, breakpoint: { found: true, maxSustainableUsers: max, failingUsers: max * 2, failureMode: 'stall: completed requests fell', problems: [], summary: `max sustainable ${max} users`, levels: [] } };
    r.intermediate = [{ period: T, counters: { 'http.requests': 100, 'http.responses': 0 }, summaries: { 'plugins.hmp.users.target': { ...sum(20, 20, 20, 10), max: 20 } } }];
    return r;
  };
  const low = run(10);
  const e = evaluateBreakpoint(low, summaryOf(low), bottleneckOf(low));
  assert.equal(e.status, 'flagged');
  assert.equal(e.flag, 'capacity');
  assert.match(e.reason, /^"System does not support the plan's peak usage": [^:]+ 10 users < the plan's peak of 60 users \(below even the plan's average usage \(15 users\)\)\./);
  assert.equal(e.evidence[0]!.kind, 'capacity');
  assert.ok(e.evidence.some((x) => x.kind === 'crash' && /stall/.test(x.text ?? '')), JSON.stringify(e.evidence));
  const s = state(['breakpoint']);
  for (const st of ['setup', 'teardown', 'report'] as const) s.steps[st].status = 'passed';
  s.steps.breakpoint = { ...s.steps.breakpoint, ...e, diagnosis: summaryOf(low).diagnosis };
  s.invocations.push({ startedAt: new Date(0).toISOString(), endedAt: new Date(60_000).toISOString(), resumed: false });
  const sum2 = buildSummary(s);
  assert.equal(sum2.exitCode, 3, 'the suite\'s exit code says flagged');
  // No request log, no server log, no system metrics: no cause, so no fix: what to measure next, citing the miss.
  assert.deepEqual(sum2.recommendations.map((x) => x.id), ['measure-capacity'], JSON.stringify(sum2.recommendations.map((x) => [x.id, x.because])));
  assert.ok(sum2.recommendations[0]!.because.some((b) => /: 10 users where the plan's peak needs 60 users in breakpoint/.test(b)), JSON.stringify(sum2.recommendations[0]!.because));
  assert.match(sum2.recommendations[0]!.text, /^No cause was determined for what failed here, so no fix is recommended yet: /);
  const high = run(60);
  assert.equal(evaluateBreakpoint(high, summaryOf(high), bottleneckOf(high)).status, 'recorded');
});
