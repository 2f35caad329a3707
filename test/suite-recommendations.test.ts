// Recommendations from flags, chosen by their tests' causes (pure), and the
// evidence they cite (results, system verdicts, drift, recovery, data loss).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { summarize } from '../report/summarize.ts';
import { cite, PLAN_ITEMS, recommend, recommendationsMarkdown, type Evidence, type Flag } from '../diagnosis/recommendations.ts';
import type { Cause, Diagnosis, Incident } from '../diagnosis/types.ts';
import { evidenceOfDrift, evidenceOfIntegrity, evidenceOfRecovery, evidenceOfResults, evidenceOfSystem } from '../diagnosis/evidence.ts';
import { tally } from '../suite/integrity.ts';
import { results } from './suite-helpers.ts';

const ids = (flags: Flag[]) => recommend(flags).map((r) => r.id);

test('cite: each kind of measurement in words', () => {
  const cases: Array<[Evidence, string]> = [
    [{ kind: 'p99', test: 'average', endpoint: 'project_list', measured: 1900, limit: 700, unit: 'ms' }, 'p99 of project_list 1.9 s > 700 ms in average'],
    [{ kind: 'p99', test: 'stress', group: 'detail', measured: 912, limit: 800, unit: 'ms' }, 'p99 of detail endpoints 912 ms > 800 ms in stress'],
    [{ kind: 'error_rate', test: 'spike', measured: 4.25, limit: 3, unit: '%' }, 'error rate 4.25% (limit < 3%) in spike'],
    [{ kind: 'status', test: 'stress', endpoint: 'auth_login', status: 504, measured: 120 }, '120 answers 504 from auth_login in stress'],
    [{ kind: 'timeouts', test: 'spike', endpoint: 'submission_create', measured: 7 }, '7 timeouts on submission_create in spike'],
    [{ kind: 'unanswered', test: 'smoke', endpoint: 'audit_list', measured: 0 }, 'audit_list never answered in smoke'],
    [{ kind: 'cpu', test: 'average', measured: 83.4, limit: 70, unit: '%' }, 'CPU 83.4% sustained (limit < 70%) in average'],
    [{ kind: 'ram', test: 'average', measured: 91, limit: 80, unit: '%' }, 'RAM 91% sustained (limit < 80%) in average'],
    [{ kind: 'memory_growth', test: 'soak', measured: 23.5, limit: 10, unit: '%' }, 'memory grew 23.5% > 10% (last vs first window) in soak'],
    [{ kind: 'degradation', test: 'soak', metric: 'p99', measured: 40, limit: 15, unit: '%' }, 'p99 of all requests rose 40% > 15% (last vs first window) in soak'],
    [{ kind: 'recovery', test: 'spike', measured: 420, limit: 300, unit: 's' }, 'recovery after the hold 7 min > 5 min in spike'],
    [{ kind: 'recovery', test: 'spike', measured: Infinity, limit: 300, unit: 's' }, 'recovery after the hold > 5 min in spike'],
    [{ kind: 'data_loss', test: 'spike', measured: 3 }, '3 acknowledged uploads lost or corrupted in spike'],
    [{ kind: 'crash', test: 'stress', measured: 1 }, 'the server stopped answering in stress'],
    [{ kind: 'crash', test: 'stress', measured: 1, text: 'custom words' }, 'custom words'],
  ];
  for (const [e, words] of cases) assert.equal(cite(e), words);
});

// A flag's recommendations come from its test's causes: one incident of the given cause.
function withCause(flagId: Flag['id'], test: string, cause: Partial<Cause> & Pick<Cause, 'id'>, evidence: Evidence[] = [], failed = 40, findings: Diagnosis['findings'] = []): Flag {
  const c: Cause = { title: cause.id, certainty: 'log', evidence: ['x'], ...cause };
  const incident: Incident = { n: 1, kinds: ['errors'], start: 0, end: 30_000, startS: 71, endS: 101, ongoing: false, client: { sent: 60, failed, failures: [], slow: [], waiting: null }, log: null, processes: [], system: null, inFlight: {}, users: 10, cause: c };
  return { id: flagId, evidence: evidence.length ? evidence : [{ kind: 'error_rate', test, measured: 25, limit: 1, unit: '%' }], diagnosis: { t0: 0, incidents: [incident], findings, failedOutside: 0, failedTotal: failed, sources: { serverLog: true, system: true } } };
}

// Cause -> which items, most direct first.
const CAUSE_CASES: Array<[string, Flag, string[]]> = [
  ['the database unreachable: its availability, nothing about caching, pagination or CDNs', withCause('baseline', 'average', { id: 'dependency-outage', dependency: 'the database', title: 'the database was unreachable' }), ['dependency-availability']],
  ['a crash and a restart', withCause('unstable', 'stress', { id: 'process-restart' }), ['process-exit']],
  ['the server blocked by conversions', withCause('capacity', 'breakpoint', { id: 'blocked-by-kind', kind: 'pdf_execute' }), ['async-convert', 'convert-workers']],
  ['pool starvation', withCause('burst', 'spike', { id: 'pool-starvation' }), ['db-access', 'timeouts-backpressure']],
  ['pool starvation that outlasted the load', withCause('capacity', 'breakpoint', { id: 'pool-starvation' }, [], 40, [{ id: 'not-recovered', text: 'not recovered' }]), ['release-connections', 'db-access', 'timeouts-backpressure']],
  ['CPU saturated in a window', withCause('unstable', 'stress', { id: 'cpu-saturation' }), ['scale']],
  ['one slow list', withCause('baseline', 'average', { id: 'slow-endpoint', kind: 'project_list' }), ['pagination', 'cache-lists', 'db-access']],
  ['no cause determined: what to measure next, no fix', withCause('baseline', 'average', { id: 'undetermined', toDecide: 'give --server-log' }), ['measure-baseline']],
];
for (const [name, flag, expected] of CAUSE_CASES) {
  test(`recommend by cause: ${name}`, () => assert.deepEqual(ids([flag]), expected));
}

// Measurements that are not windows of the run: their own items.
const EVIDENCE_CASES: Array<[string, Flag[], string[]]> = [
  ['memory growth in soak', [{ id: 'stability', evidence: [{ kind: 'memory_growth', test: 'soak', measured: 25, limit: 10, unit: '%' }] }], ['memory-profiling']],
  ['CPU sustained over its limit', [{ id: 'baseline', evidence: [{ kind: 'cpu', test: 'average', measured: 88, limit: 70, unit: '%' }] }], ['scale']],
  ['smoke errors', [{ id: 'functional', evidence: [{ kind: 'unanswered', test: 'smoke', endpoint: 'audit_list', measured: 0 }] }], ['fix-functional']],
  ['data loss in the spike', [{ id: 'burst', evidence: [{ kind: 'data_loss', test: 'spike', measured: 4 }] }], ['fix-data-loss']],
  ['an SLO miss with no diagnosis: what to measure', [{ id: 'baseline', evidence: [{ kind: 'p99', test: 'average', endpoint: 'project_list', measured: 1900, limit: 700, unit: 'ms' }] }], ['measure-baseline']],
];
for (const [name, flags, expected] of EVIDENCE_CASES) {
  test(`recommend: ${name}`, () => assert.deepEqual(ids(flags), expected));
}

test('recommend: at most three per flag, ranked by the requests their cause explains, each naming its cause and incidents', () => {
  const flag = withCause('capacity', 'breakpoint', { id: 'pool-starvation', title: 'the database connection pool was exhausted' }, [], 40, [{ id: 'not-recovered', text: 'x' }]);
  flag.diagnosis!.incidents.push({ ...flag.diagnosis!.incidents[0]!, n: 2, client: { ...flag.diagnosis!.incidents[0]!.client, failed: 400, sent: 400 }, cause: { id: 'blocked-by-kind', kind: 'pdf_execute', title: 'the server was blocked by POST /pdf-to-audio/execute', certainty: 'correlation', evidence: ['3 of 3 stalls'] } });
  const list = recommend([flag]);
  assert.equal(list.length, 3);
  assert.deepEqual(list.map((r) => r.id).sort(), ['async-convert', 'convert-workers', 'release-connections'].sort());
  const a = list.find((r) => r.id === 'async-convert')!;
  assert.deepEqual(a.addresses, ['the server was blocked by POST /pdf-to-audio/execute: incident 2 (1:11-1:41 of the test) of the breakpoint']);
  assert.match(a.because[0]!, /^Cause: the server was blocked by POST \/pdf-to-audio\/execute \(correlation only: 3 of 3 stalls\)\.$/);
  assert.equal(a.weight, 400);
  assert.deepEqual(recommend([]), []);
  assert.match(recommendationsMarkdown([]), /No recommendation/);
});

// The plan lives beside the checkout (../shared/) on the team's machines, not in the repository.
const PLAN = new URL('../../shared/hmp-load-testing-strategy.md', import.meta.url);
test("every plan item quotes the plan's section 7 verbatim", { skip: !existsSync(PLAN) && 'the plan is not beside this checkout' }, () => {
  const plan = readFileSync(PLAN, 'utf8');
  for (const row of Object.values(PLAN_ITEMS)) assert.ok(plan.includes(row.text), `not in the plan: ${row.text}`);
});

test('recommendationsMarkdown: grouped by cost, with the causes and the reasons', () => {
  const md = recommendationsMarkdown(recommend([{ id: 'baseline', evidence: [{ kind: 'cpu', test: 'average', measured: 75, limit: 70, unit: '%' }] }]));
  assert.equal(md, '### High-cost (infrastructure)\n\n- **Scale vCPU/RAM; enable autoscaling where cost-effective** (plan section 7, high-cost (infrastructure)). Because: CPU 75% sustained (limit < 70%) in average.\n');
});

// --- evidence ----------------------------------------------------------------

/** The verdicts of a results file judged as `test` (the report's summary: the same rules as the suite). */
function verdictsOf(test: string, r: any) {
  return summarize({ ...r, aggregate: { ...r.aggregate, hmp: { ...(r.aggregate.hmp ?? {}), test } } }).verdicts;
}

const CRITERIA = {
  slo: { auth: 400, list: 700, detail: 800, convert: 2000 },
  groups: { auth: ['auth_challenge', 'auth_login'], list: ['project_list', 'submission_list'], detail: ['project_detail'], convert: ['pdf_execute'] },
  maxErrorRate: 1,
};

test('evidenceOfResults: p99 per endpoint over its group SLO, the error rate, and what the errors were', () => {
  const r = results(
    [
      ['auth_login', 500, 20, 100, 300],
      ['project_list', 400, 300, 1200, 1900, 30, 25],
      ['project_detail', 600, 10, 50, 90],
    ],
    { hmp: { criteria: CRITERIA } },
  );
  r.aggregate.counters!['plugins.hmp.errors.project_list.ETIMEDOUT'] = 5;
  r.aggregate.counters!['plugins.hmp.errors.project_list.status_500'] = 25;
  const ev = evidenceOfResults('average', r, verdictsOf('average', r));
  assert.deepEqual(ev, [
    { kind: 'p99', test: 'average', endpoint: 'project_list', group: 'list', measured: 1900, limit: 700, unit: 'ms' },
    { kind: 'error_rate', test: 'average', measured: 2, limit: 1, unit: '%' },
    { kind: 'status', test: 'average', endpoint: 'project_list', status: 500, measured: 25 },
    { kind: 'timeouts', test: 'average', endpoint: 'project_list', measured: 5 },
  ]);
  assert.deepEqual(evidenceOfResults('average', results([['auth_login', 500, 20, 100, 300]], { hmp: { criteria: CRITERIA } }), verdictsOf('average', results([['auth_login', 500, 20, 100, 300]], { hmp: { criteria: CRITERIA } }))), []);
});

test('evidenceOfResults for smoke: any error and every endpoint never answered', () => {
  const r = results([['auth_login', 5, 20, 100, 300, 1]], { hmp: { criteria: { ...CRITERIA, maxErrorRate: 0, smokeEndpoints: ['auth_login', 'audit_list'] } } });
  const ev = evidenceOfResults('smoke', r, verdictsOf('smoke', r));
  assert.deepEqual(ev.map((e) => [e.kind, e.endpoint]), [['error_rate', undefined], ['unanswered', 'audit_list']]);
  assert.deepEqual(ids([{ id: 'functional', evidence: ev }]), ['fix-functional']);
});

test('evidence from system verdicts, drift, recovery and the data loss check', () => {
  assert.deepEqual(evidenceOfSystem('average', [
    { id: 'cpu', name: 'CPU (sustained)', measured: 75, limit: 70, unit: '%', op: '<', pass: false, gated: true },
    { id: 'ram', name: 'RAM (sustained)', measured: 30, limit: 80, unit: '%', op: '<', pass: true, gated: true },
  ]), [{ kind: 'cpu', test: 'average', measured: 75, limit: 70, unit: '%' }]);
  const drift = {
    memoryGrowthPct: 25, memoryUnit: 'MB' as const, p95ChangePct: 20, p99ChangePct: 5, flagged: true, latencyJudged: true, windowS: 1800, limits: { windowS: 1800, memoryGrowthPct: 10, degradationPct: 15, minLatencyChangeMs: 10, minWindowPeriods: 3 },
    reasons: ['memory grew 25% (200 MB -> 250 MB, last vs first window; plan: > 10%)', 'p95 of all requests rose 20% (100 ms -> 120 ms, last vs first window; plan: > 15%)'],
    first: {} as any, last: {} as any,
  };
  const d = evidenceOfDrift(drift);
  assert.deepEqual(d.map((e) => [e.kind, e.measured, e.metric]), [['memory_growth', 25, undefined], ['degradation', 20, 'p95']]);
  assert.equal(cite(d[0]!), 'memory grew 25% (200 MB -> 250 MB, last vs first window; plan: > 10%) in soak');
  const rec = evidenceOfRecovery({ status: 'not-recovered', recoveredAfterS: null, limitS: 3, observedS: 4, limits: {} as any, curve: [{ within: false, why: 'no answer' } as any], text: 'Not recovered: > 3 s after the hold.' } as any, 0.01);
  assert.equal(cite(rec[0]!), "not recovered within 3 s after the hold (the plan's 5 min at time scale 0.01) in spike: no answer");
  assert.deepEqual(evidenceOfRecovery({ status: 'recovered', recoveredAfterS: 20 } as any, 1), []);
  const loss = evidenceOfIntegrity(tally([{ id: 1, md5: 'x', outcome: 'missing', reason: '' }, { id: 2, md5: 'x', outcome: 'verified', reason: '' }]));
  assert.equal(cite(loss[0]!), '1 missing and 0 corrupted of 2 acknowledged uploads in spike');
  assert.deepEqual(evidenceOfIntegrity(tally([])), []);
});
