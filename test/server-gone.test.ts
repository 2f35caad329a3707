// Stop when the server is gone (pure): when the decision holds (nothing, the
// load nor GET /health, answered for the whole limit, both shown), the
// verdict it gives wherever results are judged (the plugin, the report, the
// suite), and its setting. The real run is server-gone-run.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { answersOf, goneWords, probeEveryMs, ServerGoneWatch, type GoneFinding } from '../plugins/artillery-plugin-hmp/server-gone.ts';
import { formatVerdict, GONE_VERDICT, outcomeOf, verdictsOf } from '../plugins/artillery-plugin-hmp/core/criteria.ts';
import { planCriteria } from '../lib/plan-criteria.ts';
import { resolveSettings } from '../plugins/artillery-plugin-hmp/settings.ts';
import { summarize } from '../report/summarize.ts';
import type { Results as ReportResults } from '../report/types.ts';
import type { Results } from '../plugins/artillery-plugin-hmp/core/results.ts';
import { checksOf, evaluateSoak, evaluateStress } from '../suite/run/evaluate.ts';
import { withChecks } from '../suite/run/step-report.ts';
import { driftOf } from '../suite/drift.ts';
import { results as resultsOf } from './suite-helpers.ts';

const T = 1_800_000_000_000; // a period boundary (10 s aligned)
const LIMIT_MIN = 0.5; // 30 s
const answered = (at: number, n = 5) => ({ period: at, counters: { 'http.requests': n, 'http.responses': n } });
const silent = (at: number, n = 5) => ({ period: at, counters: { 'http.requests': n } });

test('answers of a period: any HTTP status to the engine or to the processors\' own requests; none without', () => {
  assert.equal(answersOf({ counters: { 'http.requests': 3, 'http.responses': 3 } }), 3);
  assert.equal(answersOf({ counters: { 'plugins.metrics-by-endpoint.pdf_status.codes.503': 2 } }), 2, 'a 503 is an answer');
  assert.equal(answersOf({ counters: { 'http.requests': 9, 'errors.ECONNREFUSED': 9, 'plugins.hmp.errors.project_list': 9 } }), 0);
  assert.equal(answersOf({}), 0);
});

test('gone only when the load and GET /health both show no answer over the whole limit', () => {
  const w = new ServerGoneWatch(LIMIT_MIN, T);
  w.period(answered(T)); // answers up to T + 10 s
  w.health(T + 9_000, { answeredAt: T + 9_010 });
  // The server dies at ~T + 10 s: refused from then on.
  for (let t = T + 11_000; t <= T + 41_000; t += 3_000) w.health(t, { reason: 'ECONNREFUSED' });
  w.period(silent(T + 10_000));
  w.period(silent(T + 20_000));
  w.period(silent(T + 30_000)); // reported up to T + 40 s: 30 s of the load's silence
  assert.equal(w.check(T + 39_000), undefined, 'the limit has not passed');
  // GET /health failed after the limit, but the load's periods show 30 s only once T + 40 s is reported.
  const found = w.check(T + 41_000);
  assert.ok(found, 'both show 30 s without any answer');
  assert.equal(found.since, T + 10_000, 'from the end of the last period with answers');
  assert.equal(found.silentS, 31);
  assert.equal(found.unansweredRequests, 15);
  assert.equal(found.healthReason, 'ECONNREFUSED');

  // The periods lag: /health silent 30 s, the load reported up to T + 30 s only: not yet.
  const lag = new ServerGoneWatch(LIMIT_MIN, T);
  lag.period(answered(T));
  for (let t = T + 11_000; t <= T + 60_000; t += 3_000) lag.health(t, { reason: 'timeout' });
  lag.period(silent(T + 10_000));
  lag.period(silent(T + 20_000));
  assert.equal(lag.check(T + 60_000), undefined, 'the load is known silent for 20 s only');

  // /health answers (any status) while the load gets none: the server is there.
  const health = new ServerGoneWatch(LIMIT_MIN, T);
  for (let p = T; p < T + 120_000; p += 10_000) health.period(silent(p));
  for (let t = T; t <= T + 120_000; t += 3_000) health.health(t, { answeredAt: t + 5 });
  assert.equal(health.check(T + 120_000), undefined);

  // The load answers while /health does not: the server is there too.
  const load = new ServerGoneWatch(LIMIT_MIN, T);
  for (let p = T; p < T + 120_000; p += 10_000) load.period(answered(p));
  for (let t = T; t <= T + 120_000; t += 3_000) load.health(t, { reason: 'timeout' });
  assert.equal(load.check(T + 121_000), undefined);

  // No GET /health sent (or none ended) past the limit: not shown, not gone.
  const unprobed = new ServerGoneWatch(LIMIT_MIN, T);
  unprobed.health(T + 1_000, { reason: 'ECONNREFUSED' });
  for (let p = T; p < T + 120_000; p += 10_000) unprobed.period(silent(p));
  assert.equal(unprobed.check(T + 121_000), undefined);

  // A server that never answered: silent since the watch began.
  const never = new ServerGoneWatch(LIMIT_MIN, T);
  for (let p = T; p < T + 40_000; p += 10_000) never.period(silent(p));
  never.health(T + 31_000, { reason: 'ECONNREFUSED' });
  assert.equal(never.check(T + 41_000)?.since, T);
});

test('GET /health every tenth of the limit, from 1 to 5 s', () => {
  assert.equal(probeEveryMs(0.2), 1200);
  assert.equal(probeEveryMs(0.01), 1000);
  assert.equal(probeEveryMs(3), 5000);
});

const FOUND: GoneFinding = { since: T + 10_000, stoppedAt: T + 41_000, silentS: 31, limitMin: LIMIT_MIN, unansweredRequests: 15, healthReason: 'ECONNREFUSED' };

test('the finding in words: why (the load and GET /health, with the reason) and when (UTC and the plan clock)', () => {
  const words = goneWords(FOUND, (ms) => `plan ${(ms - T) / 1000}`);
  assert.equal(
    words,
    'the server is gone: nothing answered, neither the load (15 requests sent since, none answered) nor GET /health (ECONNREFUSED), ' +
      `from ${new Date(T + 10_000).toISOString().slice(11, 19)} UTC (plan 10) for 31 s (stopWhenGone.limitMin: 0.5 min of real time); ` +
      `the run was stopped at ${new Date(T + 41_000).toISOString().slice(11, 19)} UTC (plan 41)`,
  );
  assert.match(goneWords({ ...FOUND, silentS: 185, unansweredRequests: 0 }), /neither the load nor GET \/health .* for 3 min 5 s /);
});

test('the verdict: gated and failed in every test it stops (whatever its gates), so the outcome is FAIL', () => {
  const criteria = planCriteria();
  const serverGone = { silentS: 31, limitMin: LIMIT_MIN, text: goneWords(FOUND) };
  const measured = { requests: 100, errors: 0, errorRatePct: 0, groupP99: {}, unanswered: [] };
  for (const t of ['stress', 'spike', 'soak']) {
    const list = verdictsOf(t, criteria, { ...measured, serverGone });
    const v = list.find((x) => x.id === GONE_VERDICT)!;
    assert.equal(v.pass, false, t);
    assert.equal(v.gated, true, t);
    assert.equal(outcomeOf(t, list, true), 'FAIL', t);
  }
  const v = verdictsOf('soak', criteria, { ...measured, serverGone }).find((x) => x.id === GONE_VERDICT)!;
  assert.equal(formatVerdict(v), 'FAIL Time without any answer (the load nor GET /health): 0.52 min (limit < 0.5 min)');
  assert.equal(v.note, serverGone.text);
  assert.ok(!verdictsOf('soak', criteria, measured).some((x) => x.id === GONE_VERDICT), 'no verdict when the run was not stopped');
});

test('the suite reads it from the results (hmp.checks, as the plugin records it): the step is flagged with why and when', () => {
  const text = goneWords(FOUND);
  const gone = (test: string, limit: number): Results => {
    const r = resultsOf([['project_list', 100, 5, 9, 12]]);
    r.aggregate.hmp = { test, timeScale: 1, earlyStop: true, criteria: { ...planCriteria(), maxErrorRate: { [test]: limit } }, checks: { serverGone: { ...FOUND, text } } };
    return r;
  };
  const summaryOf = (r: Results) => summarize(r as unknown as ReportResults);
  const soak = gone('soak', 1);
  const drift = driftOf({ periods: [], windowS: 20 });
  const merged = withChecks(soak, checksOf({ drift }));
  const s = summaryOf(merged);
  assert.equal(s.outcome, 'FAIL');
  assert.match(s.headline, /^FAIL: .*Time without any answer \(the load nor GET \/health\) 0\.5 min \(limit < 0\.5 min\).* Stopped early/);
  const e = evaluateSoak(merged, s, drift);
  assert.equal(e.status, 'flagged');
  assert.equal(e.flag, 'stability');
  assert.ok(e.reason.startsWith(`"Long-term stability issues": ${text}`), e.reason);
  assert.equal(e.evidence[0]!.kind, 'crash');
  assert.equal(e.evidence[0]!.text, `${text} in soak`);

  const stress = withChecks(gone('stress', 2), checksOf({ crash: { during: null, after: 'ECONNREFUSED', exited: null, stalledPeriods: 3 } }));
  const st = evaluateStress(stress, summaryOf(stress), { during: null, after: 'ECONNREFUSED', exited: null, stalledPeriods: 3 });
  assert.equal(st.flag, 'unstable');
  assert.match(st.reason, /the server is gone: nothing answered/);
});

test('stopWhenGone.limitMin: in phases/common.yml, small by --overrides for tests, 0 for never, a negative refused in one sentence', () => {
  const PHASES = join(import.meta.dirname, '..', 'phases');
  const settings = (hmp: Record<string, unknown>) =>
    resolveSettings({ test: 'soak', ...hmp }, PHASES, {}, {}, () => 0, { overrides: JSON.stringify({ config: { plugins: { hmp } } }), phaseFile: join(PHASES, 'soak.yml'), cwd: join(PHASES, '..') });
  assert.equal(settings({}).stopWhenGoneMin, 3, "phases/common.yml's");
  assert.equal(settings({ stopWhenGone: { limitMin: 0.2 } }).stopWhenGoneMin, 0.2);
  assert.equal(settings({ stopWhenGone: { limitMin: 0 } }).stopWhenGoneMin, undefined, '0: never');
  assert.throws(() => settings({ stopWhenGone: { limitMin: -1 } }), { message: 'stopWhenGone.limitMin must be a number of 0 or more (min) in --overrides, got -1.' });
});
