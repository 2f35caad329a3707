// The chart specs a person reads (issue 21, item 4), without a browser: a
// unit on every chart, byte rates in KB/s or MB/s as their size asks, the
// latency axes' floor, target and achieved users drawn apart, and the
// suite's timeline keeping each period's peak users. The pixels are
// report-charts-browser.test.ts's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { byteRate, chartsOf, LATENCY_AXIS_MIN_MS } from '../report/charts.ts';
import { analyze } from '../report/summarize.ts';
import { timelineOf } from '../report/timeline.ts';
import { metric } from '../plugins/artillery-plugin-hmp/core/metric-names.ts';
import { syntheticResults } from './support/synthetic-results.ts';

const peak = (v: Array<number | null> | undefined) => Math.max(...(v ?? []).filter((x): x is number => x !== null));

test('every chart names its unit; the latency axes reach at least a few ms', () => {
  const charts = chartsOf(analyze(syntheticResults({ test: 'average', seed: 8, system: true, memTotalMb: 512, io: true })));
  assert.ok(charts.length >= 14, charts.map((c) => c.title).join(', '));
  for (const c of charts) assert.match(c.unit, /\S/, `${c.title} has a unit`);
  const latency = charts.filter((c) => c.title.startsWith('Latency'));
  assert.equal(latency.length, 4);
  for (const c of latency) assert.deepEqual([c.unit, c.yAtLeast], ['ms', LATENCY_AXIS_MIN_MS]);
  const unit = (title: string) => charts.find((c) => c.title === title)?.unit;
  assert.deepEqual([unit('Disk I/O of the server'), unit('Network I/O of the host'), unit('Disk writes by process')], ['KB/s', 'KB/s', 'KB/s']);
});

test('byte rates: KB/s below 1 MB/s, MB/s from there on, one unit for all the lines of a chart', () => {
  const small = byteRate([[10, null, 1023.9], undefined]);
  assert.equal(small.unit, 'KB/s');
  assert.deepEqual(small.of([10, null]), [10, null]);
  const big = byteRate([[10, null], [2048, 512]]);
  assert.equal(big.unit, 'MB/s');
  assert.deepEqual(big.of([10, null]), [0.01, null]);
  assert.deepEqual(big.of([2048, 512]), [2, 0.5]);
  assert.equal(big.of(undefined), undefined);

  const a = analyze(syntheticResults({ test: 'average', seed: 8, system: true, io: true }));
  const net = chartsOf({ ...a, system: { ...a.system, netInKBps: a.system.netInKBps.map((v) => (v === null ? null : v + 5000)) } }).find((c) => c.title === 'Network I/O of the host')!;
  assert.equal(net.unit, 'MB/s');
  assert.ok(peak(net.lines[0]!.values) < 100, 'the values are in MB/s too');
});

test('target and achieved users stay apart when equal: a filled wide solid line under thin dashes', () => {
  const users = chartsOf(analyze(syntheticResults({ test: 'average', seed: 8 })))[0]!;
  const [achieved, target] = users.lines;
  assert.equal(users.unit, 'users');
  assert.match(achieved!.label, /achieved/);
  assert.match(target!.label, /target/);
  assert.ok(achieved!.fill && !achieved!.dash, 'achieved: filled, solid');
  assert.ok(!target!.fill && target!.dash, 'target: dashed, no fill');
  assert.ok((achieved!.width ?? 1.5) >= 2 * (target!.width ?? 1.5), 'the dashes sit inside the achieved line');
  assert.notEqual(achieved!.color, target!.color);
});

test("the suite's timeline keeps each period's peak users; a run's own report their mean", () => {
  const r = syntheticResults({ test: 'spike', seed: 8 });
  // A hold shorter than a period: the period's mean is three quarters of its peak.
  for (const p of r.intermediate) {
    for (const name of [metric.usersTarget, metric.usersActive]) {
      const s = p.summaries?.[name];
      if (s) s.mean = 0.75 * s.max!;
    }
  }
  const most = Math.max(...r.intermediate.map((p) => p.summaries?.[metric.usersTarget]?.max ?? 0));
  assert.ok(most >= 20, `the spike's peak: ${most} users`);
  const own = chartsOf(analyze(r))[0]!;
  assert.equal(peak(own.lines[1]!.values), 0.75 * most);
  const timeline = timelineOf([{ id: 'spike', verdict: 'PASS', results: r }])!;
  const users = timeline.charts[0]!;
  assert.match(users.title, /Concurrent users.*peak/);
  assert.equal(peak(users.lines[1]!.values), most, 'target');
  assert.equal(peak(users.lines[0]!.values), most, 'achieved');
});
