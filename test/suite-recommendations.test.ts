// Recommendations from flags (table-driven, pure) and the evidence they
// are built from (results, system verdicts, drift, recovery, data loss).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { summarize } from '../report/summarize.ts';
import { cite, recommend, recommendationsMarkdown, TABLE, type Evidence, type Flag } from '../diagnosis/recommendations.ts';
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

// What failed -> which of the plan's items, in output order (fixes, low-cost, high-cost).
const TABLE_CASES: Array<[string, Flag[], string[]]> = [
  ['slow list endpoint in average', [{ id: 'baseline', evidence: [{ kind: 'p99', test: 'average', endpoint: 'project_list', measured: 1900, limit: 700, unit: 'ms' }] }], ['cache-lists', 'pagination', 'db-access', 'redis', 'tune-db']],
  ['slow conversion trigger', [{ id: 'baseline', evidence: [{ kind: 'p99', test: 'average', endpoint: 'pdf_execute', measured: 9000, limit: 2000, unit: 'ms' }] }], ['async-convert', 'redis', 'convert-workers']],
  ['slow content download', [{ id: 'baseline', evidence: [{ kind: 'p99', test: 'average', endpoint: 'submission_content', measured: 1200, limit: 800, unit: 'ms' }] }], ['db-access', 'streaming', 'object-storage', 'tune-db', 'cdn']],
  ['slow login', [{ id: 'baseline', evidence: [{ kind: 'p99', test: 'average', endpoint: 'auth_login', measured: 600, limit: 400, unit: 'ms' }] }], ['db-access', 'redis']],
  ['5xx and timeouts under stress', [{ id: 'unstable', evidence: [{ kind: 'error_rate', test: 'stress', measured: 7, limit: 2, unit: '%' }, { kind: 'status', test: 'stress', endpoint: 'project_list', status: 500, measured: 90 }] }], ['rate-limit', 'db-access', 'timeouts-backpressure', 'scale', 'tune-db']],
  ['poor burst handling', [{ id: 'burst', evidence: [{ kind: 'recovery', test: 'spike', measured: Infinity, limit: 300, unit: 's' }] }], ['rate-limit', 'async-convert', 'timeouts-backpressure', 'scale']],
  ['memory growth in soak', [{ id: 'stability', evidence: [{ kind: 'memory_growth', test: 'soak', measured: 25, limit: 10, unit: '%' }] }], ['memory-profiling']],
  ['degradation in soak', [{ id: 'stability', evidence: [{ kind: 'degradation', test: 'soak', metric: 'p95', measured: 30, limit: 15, unit: '%' }] }], ['pagination', 'db-access', 'memory-profiling', 'tune-db']],
  ['CPU saturated', [{ id: 'baseline', evidence: [{ kind: 'cpu', test: 'average', measured: 88, limit: 70, unit: '%' }] }], ['scale', 'convert-workers']],
  ['RAM high', [{ id: 'baseline', evidence: [{ kind: 'ram', test: 'average', measured: 85, limit: 80, unit: '%' }] }], ['streaming', 'scale', 'object-storage']],
  ['smoke errors', [{ id: 'functional', evidence: [{ kind: 'unanswered', test: 'smoke', endpoint: 'audit_list', measured: 0 }] }], ['fix-functional']],
  ['data loss in the spike', [{ id: 'burst', evidence: [{ kind: 'data_loss', test: 'spike', measured: 4 }] }], ['fix-data-loss']],
];

for (const [name, flags, expected] of TABLE_CASES) {
  test(`recommend: ${name}`, () => assert.deepEqual(ids(flags), expected));
}

test('recommend: wording quoted from the plan, low-cost before high-cost, each citing its measurements', () => {
  const flags: Flag[] = [
    { id: 'baseline', evidence: [{ kind: 'p99', test: 'average', endpoint: 'project_list', measured: 1900, limit: 700, unit: 'ms' }, { kind: 'cpu', test: 'average', measured: 75, limit: 70, unit: '%' }] },
    { id: 'stability', evidence: [{ kind: 'degradation', test: 'soak', metric: 'p99', measured: 30, limit: 15, unit: '%' }] },
  ];
  const list = recommend(flags);
  const costs = list.map((r) => r.cost);
  assert.deepEqual(costs, [...costs].sort((a, b) => ['fix', 'low', 'high'].indexOf(a) - ['fix', 'low', 'high'].indexOf(b)));
  const cache = list.find((r) => r.id === 'cache-lists')!;
  assert.equal(cache.text, 'Introduce/optimize caching for read-heavy list endpoints (GET /project/, GET /submission/)');
  assert.deepEqual(cache.because, ['p99 of project_list 1.9 s > 700 ms in average']);
  const db = list.find((r) => r.id === 'db-access')!;
  assert.deepEqual(db.because, ['p99 of project_list 1.9 s > 700 ms in average', 'p99 of all requests rose 30% > 15% (last vs first window) in soak']);
  assert.deepEqual(db.flags, ['baseline', 'stability']);
  const scale = list.find((r) => r.id === 'scale')!;
  assert.equal(scale.text, 'Scale vCPU/RAM; enable autoscaling where cost-effective');
  assert.equal(scale.cost, 'high');
  assert.deepEqual(scale.because, ['CPU 75% sustained (limit < 70%) in average']);
});

test('recommend: a flag whose measurements match no row falls back to the plan\'s step recommendation; no flag, no recommendation', () => {
  const list = recommend([{ id: 'unstable', evidence: [] }]);
  assert.deepEqual(list.map((r) => [r.id, r.text, r.source, r.because]), [
    ['step-unstable', 'infrastructure scaling or rate limiting', 'plan section 6, step 4 (RECOMMEND)', ['the unstable flag was raised']],
  ]);
  assert.deepEqual(recommend([]), []);
  assert.match(recommendationsMarkdown([]), /No recommendation/);
});

// The plan lives beside the checkout (../shared/) on the team's machines, not in the repository.
const PLAN = new URL('../../shared/hmp-load-testing-strategy.md', import.meta.url);
test('every low- and high-cost row quotes an item of the plan\'s section 7 (or step 7) verbatim', { skip: !existsSync(PLAN) && 'the plan is not beside this checkout' }, () => {
  const plan = readFileSync(PLAN, 'utf8');
  for (const row of TABLE.filter((r) => r.cost !== 'fix')) assert.ok(plan.includes(row.text), `not in the plan: ${row.text}`);
});

test('recommendationsMarkdown: grouped by cost, with the reasons', () => {
  const md = recommendationsMarkdown(recommend([{ id: 'baseline', evidence: [{ kind: 'cpu', test: 'average', measured: 75, limit: 70, unit: '%' }] }]));
  assert.equal(
    md,
    '### High-cost (infrastructure)\n\n' +
      '- **Scale vCPU/RAM; enable autoscaling where cost-effective** (plan section 7, high-cost (infrastructure)). Because: CPU 75% sustained (limit < 70%) in average.\n' +
      '- **Separate workers for CPU-bound audio conversion (dedicated service/container)** (plan section 7, high-cost (infrastructure)). Because: CPU 75% sustained (limit < 70%) in average.\n',
  );
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
