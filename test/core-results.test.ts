// The one reader of Artillery's results (pure): what it rejects and in which
// words, files from before the metrics moved under plugins.hmp, periods in
// time order, and numbers and keys that cannot be trusted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  asResults,
  counter,
  errorRateOf,
  hmpSection,
  isObject,
  numberRecord,
  parseResultsText,
  periodSeconds,
  periodsOf,
  ResultsError,
  stat,
  str,
  summaryOf,
  timeScaleOf,
  withCurrentNames,
  type Results,
} from '../plugins/artillery-plugin-hmp/core/results.ts';
import { currentName, renamed } from '../plugins/artillery-plugin-hmp/core/legacy-names.ts';
import { durationOf, holdOf } from '../plugins/artillery-plugin-hmp/core/run-window.ts';
import { plainPeriod } from '../plugins/artillery-plugin-hmp/core/aggregate.ts';
import { ReportInputError } from '../report/build.ts';

const T0 = 1_800_000_000_000;
const NOT_RESULTS = /^the input is not an Artillery results file \(expected a JSON object with "aggregate" and "intermediate", as "artillery run -o" writes\)\.$/;

/** The one-line message asResults throws for `value`. */
function rejection(value: unknown, where?: string): string {
  try {
    asResults(value, where);
  } catch (err) {
    assert.ok(err instanceof ResultsError, 'a ResultsError');
    return (err as Error).message;
  }
  assert.fail('expected a ResultsError');
}

test('what is not results is rejected in one sentence that says what to give', () => {
  for (const bad of [null, 42, 'text', [], {}, { aggregate: {} }, { aggregate: [], intermediate: [] }, { aggregate: {}, intermediate: {} }]) {
    assert.match(rejection(bad), NOT_RESULTS, JSON.stringify(bad));
  }
  assert.equal(rejection({ aggregate: { counters: [1] }, intermediate: [] }, 'out.json'), 'out.json is not an Artillery results file ("aggregate.counters" is not an object).');
  assert.throws(() => parseResultsText('{"aggregate": ', 'r.json'), (err: Error) => err instanceof ResultsError && /^r\.json is not JSON \(.+\); give the results file written by "artillery run -o" or by the suite\.$/.test(err.message));
});

test('the report\'s command line catches the one error class (ReportInputError is ResultsError)', () => {
  assert.equal(ReportInputError, ResultsError);
  assert.throws(() => asResults({}), ReportInputError);
});

test('older metric names read as today\'s: hmp.* -> plugins.hmp.*, hmp.gate.* -> plugins.hmp.criteria.*', () => {
  assert.equal(currentName('hmp.errors.auth_login'), 'plugins.hmp.errors.auth_login');
  assert.equal(currentName('hmp.users.target'), 'plugins.hmp.users.target');
  assert.equal(currentName('hmp.system.rss_mb'), 'plugins.hmp.system.rss_mb');
  assert.equal(currentName('hmp.gate.p99.auth'), 'plugins.hmp.criteria.p99.auth');
  for (const same of ['plugins.hmp.errors', 'http.requests', 'plugins.metrics-by-endpoint.response_time.x', 'errors.ETIMEDOUT', 'hmpx.y', 'hmp']) assert.equal(currentName(same), same);
});

test('renamed keeps the order, lets a current name win over its older twin, and returns the record itself when nothing is older', () => {
  const current = { 'http.requests': 3, 'plugins.hmp.errors': 1 };
  assert.equal(renamed(current), current);
  const out = renamed({ 'http.requests': 3, 'hmp.errors.x': 1, 'plugins.hmp.ok.x': 2, 'hmp.ok.x': 9 });
  assert.deepEqual(Object.keys(out), ['http.requests', 'plugins.hmp.errors.x', 'plugins.hmp.ok.x']);
  assert.equal(out['plugins.hmp.ok.x'], 2);
  const withProto = renamed(JSON.parse('{"hmp.errors": 1, "__proto__": 7}') as Record<string, number>);
  assert.deepEqual(Object.entries(withProto), [['plugins.hmp.errors', 1], ['__proto__', 7]]);
  assert.equal(Object.getPrototypeOf(withProto), null);
});

test('a results file from before the rename reads with today\'s names; the hmp section and rates are left as they are', () => {
  const old = {
    aggregate: {
      counters: { 'http.requests': 10, 'hmp.errors.project_list': 2, 'hmp.gate.errors': 2 },
      rates: { 'hmp.odd': 1 },
      summaries: { 'hmp.users.target': { max: 5 } },
      histograms: { 'hmp.users.target': { max: 5 } },
      hmp: { test: 'average' },
    },
    intermediate: [{ period: T0, counters: { 'hmp.ok.project_list': 8 }, summaries: { 'http.response_time': { p99: 9 } } }],
  };
  const value = JSON.parse(JSON.stringify(old));
  const r = asResults(value);
  assert.deepEqual(Object.keys(r.aggregate.counters!), ['http.requests', 'plugins.hmp.errors.project_list', 'plugins.hmp.criteria.errors']);
  assert.equal(counter(r.aggregate, 'plugins.hmp.errors.project_list'), 2);
  assert.equal(stat(r.aggregate, 'plugins.hmp.users.target', 'max'), 5);
  assert.deepEqual(Object.keys(r.aggregate.histograms as object), ['plugins.hmp.users.target']);
  assert.deepEqual(r.aggregate.rates, { 'hmp.odd': 1 });
  assert.deepEqual(hmpSection(r), { test: 'average' });
  assert.equal(counter(r.intermediate[0], 'plugins.hmp.ok.project_list'), 8);
  assert.equal(errorRateOf(r.aggregate), 20);
  assert.equal(r.intermediate[0]!.summaries, value.intermediate[0].summaries, 'a record already under current names is not copied');
  assert.deepEqual(Object.keys(value.aggregate.counters), ['http.requests', 'hmp.errors.project_list', 'hmp.gate.errors'], 'the input is not changed');
});

test('a current file is returned as it is (no copies), and the input is never changed', () => {
  const value = { aggregate: { counters: { 'plugins.hmp.errors': 1 } }, intermediate: [{ period: T0, counters: { 'http.requests': 1 } }] };
  const r = asResults(value);
  assert.equal(r.aggregate, value.aggregate);
  assert.equal(r.intermediate[0], value.intermediate[0]);
  const old = { counters: { 'hmp.errors': 1 } };
  const now = withCurrentNames(old);
  assert.notEqual(now, old);
  assert.deepEqual(old, { counters: { 'hmp.errors': 1 } });
});

test('periods: sorted by start, string starts read as numbers, entries without a start or not objects left out', () => {
  const r = asResults({
    aggregate: {},
    intermediate: [{ period: String(T0 + 20_000) }, 'junk', null, { period: T0 }, { period: 'soon' }, { counters: {} }, { period: T0 + 10_000 }],
  });
  assert.equal(r.intermediate.length, 5);
  const ps = periodsOf(r);
  assert.deepEqual(ps.map((p) => p.at), [T0, T0 + 10_000, T0 + 20_000]);
  assert.equal(periodSeconds(ps), 10);
  assert.equal(periodSeconds([{ at: T0 }, { at: T0 + 2_000 }, { at: T0 + 4_000 }, { at: T0 + 60_000 }]), 2);
  assert.equal(periodSeconds([]), 10);
  assert.equal(periodSeconds([{ at: T0 }, { at: T0 }]), 10);
  const proto = periodsOf(asResults(JSON.parse(`{"aggregate": {}, "intermediate": [{"period": ${T0}, "__proto__": {"counters": {"http.requests": 5}}}]}`)));
  assert.equal(counter(proto[0], 'http.requests'), 0, 'an own "__proto__" key stays a key, not the period\'s prototype');
});

test('numbers that are not finite, values of the wrong type and inherited names read as absent', () => {
  const p = {
    counters: { 'http.requests': 'lots' as unknown as number, 'plugins.hmp.errors.x': Infinity, ok: 3 },
    summaries: { a: { p99: NaN, p95: 7, max: '9' as unknown as number }, b: 5 as unknown as object, c: [1] as unknown as object },
  };
  assert.equal(counter(p, 'http.requests'), 0);
  assert.equal(counter(p, 'plugins.hmp.errors.x'), 0);
  assert.equal(counter(p, 'ok'), 3);
  for (const inherited of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
    assert.equal(counter(p, inherited), 0, inherited);
    assert.equal(summaryOf(p, inherited), undefined, inherited);
  }
  assert.equal(stat(p, 'a', 'p99'), undefined);
  assert.equal(stat(p, 'a', 'p95'), 7);
  assert.equal(stat(p, 'a', 'max'), undefined);
  assert.equal(summaryOf(p, 'b'), undefined);
  assert.equal(summaryOf(p, 'c'), undefined);
  assert.equal(counter(undefined, 'x'), 0);
  assert.equal(counter({ counters: 'x' as unknown as Record<string, number> }, 'length'), 0);
  assert.equal(stat(undefined, 'a', 'p99'), undefined);
  assert.equal(errorRateOf({ counters: {} }), null);
  assert.deepEqual({ ...numberRecord({ a: 1, b: NaN, c: '2', d: -3 }) }, { a: 1, d: -3 });
  assert.equal(str(5), undefined);
  assert.equal(isObject([]), false);
});

test('the hmp section, time scale, hold and duration fall back when missing or damaged', () => {
  const bare: Results = { aggregate: { hmp: 'x' as unknown as object }, intermediate: [] };
  assert.deepEqual(hmpSection(bare), {});
  assert.equal(timeScaleOf(bare), 1);
  assert.equal(timeScaleOf({ aggregate: { hmp: { timeScale: -1 } }, intermediate: [] }), 1);
  assert.equal(timeScaleOf({ aggregate: { hmp: { timeScale: 0.1 } }, intermediate: [] }), 0.1);
  assert.equal(holdOf(bare), undefined);
  assert.equal(durationOf(bare), 0);
  const r: Results = {
    aggregate: { hmp: { startedAt: T0, shape: [{ from: 0, users: 5, start: 0, end: 10 }, { from: 5, users: 5, start: 10, end: 50 }] } },
    intermediate: [{ period: T0 }, { period: T0 + 10_000 }],
  };
  assert.deepEqual(holdOf(r), { start: T0 + 10_000, end: T0 + 50_000, users: 5 });
  assert.equal(durationOf(r), 20);
});

test('plainPeriod: a period in memory as Artillery writes it, summaries in place of sketches', () => {
  const sketch = { toProto: () => new Uint8Array() };
  const summary = { min: 1, max: 2, count: 2, mean: 1.5, p50: 1, median: 1, p75: 2, p90: 2, p95: 2, p99: 2, p999: 2 };
  const out = plainPeriod({ period: T0, counters: { a: 1 }, summaries: { x: summary }, histograms: { x: sketch } });
  assert.deepEqual(out, { period: T0, counters: { a: 1 }, summaries: { x: summary }, histograms: { x: summary } });
});
