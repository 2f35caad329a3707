// System metrics, pure parts: /proc parsing, per-period summaries merged
// into results, the source factory (the CPU/RAM criteria are the core's:
// test/report-summarize.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpuPercent, parseProcStat, parseVmRssKb } from '../suite/system-metrics/local.ts';
import {
  createSampler,
  defaultSource,
  describeSampler,
  LocalSampler,
  mergeSystemMetrics,
  NoneSampler,
  SYSTEM_METRIC,
  systemPeriods,
  SystemMetricsError,
  type Sample,
} from '../suite/system-metrics/index.ts';
import { systemSeries } from '../report/system.ts';
import type { Results } from '../plugins/artillery-plugin-hmp/core/results.ts';
import { tempDir } from './support/temp-dir.ts';

const STAT = '4242 (node twin/main.ts) S 1 4242 4242 0 -1 4194304 9000 0 0 0 150 30 0 0 20 0 11 0 123456 1234567890 35000 18446744073709551615';

test('parseProcStat: utime + stime, also when the process name holds spaces and parentheses', () => {
  assert.equal(parseProcStat(STAT), 180);
  assert.equal(parseProcStat(STAT.replace('(node twin/main.ts)', '(a) b (c)')), 180);
  assert.throws(() => parseProcStat('garbage'), SystemMetricsError);
});

test('parseVmRssKb reads VmRSS; undefined without it (a zombie)', () => {
  assert.equal(parseVmRssKb('Name:\tnode\nVmPeak:\t 999 kB\nVmRSS:\t  123456 kB\nThreads:\t11\n'), 123456);
  assert.equal(parseVmRssKb('Name:\tnode\nState:\tZ (zombie)\n'), undefined);
});

test('cpuPercent: of one core by default, of all cores when asked', () => {
  // 50 ticks of 100/s = 0.5 s of CPU in 1 s.
  assert.equal(cpuPercent(50, 1000, 100), 50);
  assert.equal(cpuPercent(150, 1000, 100), 150, 'several threads can exceed one core');
  assert.equal(cpuPercent(150, 1000, 100, 2), 75);
  assert.equal(cpuPercent(10, 0, 100), 0);
});

test('LocalSampler samples a fake /proc: CPU over the interval, RSS and its share of the limit', async () => {
  const root = tempDir('suite-proc-');
  mkdirSync(join(root, '77'));
  const write = (ticks: number, rssKb: number) => {
    writeFileSync(join(root, '77', 'stat'), STAT.replace(' 150 30 ', ` ${ticks} 0 `));
    writeFileSync(join(root, '77', 'status'), `Name:\tnode\nVmRSS:\t${rssKb} kB\n`);
  };
  write(100, 100 * 1024);
  const s = new LocalSampler({ pid: 77, intervalMs: 100, procRoot: root, memLimitMb: 512 });
  s.start();
  write(110, 128 * 1024); // 10 ticks = 0.1 s of CPU per ~0.1 s
  await new Promise((r) => setTimeout(r, 130));
  const samples = await s.stop();
  assert.ok(samples.length >= 1);
  const first = samples[0]!;
  assert.equal(first.rssMb, 128);
  assert.equal(first.memPct, 25);
  assert.ok(first.cpuPct > 50 && first.cpuPct <= 110, `cpu ${first.cpuPct}`);
  assert.equal(describeSampler(s).memTotalMb, 512);
  assert.equal(describeSampler(s).cpuBasis, 'core');
});

test('LocalSampler: a pid that does not exist is refused in one sentence; the end of the process stops sampling', async () => {
  const root = tempDir('suite-proc-');
  assert.throws(() => new LocalSampler({ pid: 99, procRoot: root }).start(), /process 99 is not running/);
  assert.throws(() => new LocalSampler({ pid: 0 }), /--pid must be a process id/);
  mkdirSync(join(root, '5'));
  writeFileSync(join(root, '5', 'stat'), STAT);
  writeFileSync(join(root, '5', 'status'), 'VmRSS:\t1024 kB\n');
  const s = new LocalSampler({ pid: 5, intervalMs: 30, procRoot: root });
  s.start();
  await new Promise((r) => setTimeout(r, 80));
  const { rmSync } = await import('node:fs');
  rmSync(join(root, '5'), { recursive: true });
  await new Promise((r) => setTimeout(r, 80));
  const samples = await s.stop();
  assert.ok(samples.length >= 1, 'the samples taken before the end are kept');
  assert.match(s.ended ?? '', /not running/);
});

const T0 = 1_800_000_000_000; // a period boundary

test('systemPeriods: samples grouped per 10 s period, Artillery field names', () => {
  const samples: Sample[] = [
    { t: T0 + 1000, cpuPct: 10, memPct: 20, rssMb: 100 },
    { t: T0 + 5000, cpuPct: 30, memPct: 22, rssMb: 110 },
    { t: T0 + 12_000, cpuPct: 50 },
  ];
  const ps = systemPeriods(samples);
  assert.deepEqual(ps.map((p) => p.period), [T0, T0 + 10_000]);
  assert.deepEqual(ps[0]!.summaries[SYSTEM_METRIC.cpu], { min: 10, max: 30, mean: 20, p50: 10, p95: 30, p99: 30, count: 2 });
  assert.equal(ps[0]!.summaries[SYSTEM_METRIC.rss]!.mean, 105);
  assert.deepEqual(Object.keys(ps[1]!.summaries), [SYSTEM_METRIC.cpu], 'no memory summary without memory samples');
  assert.deepEqual(systemPeriods([]), []);
});

test('mergeSystemMetrics: summaries land in the matching periods and the aggregate; the report reads them', () => {
  const results: Results = {
    aggregate: { counters: { 'http.requests': 10 }, summaries: {}, histograms: {}, hmp: { test: 'average' } },
    intermediate: [
      { period: String(T0), counters: {}, summaries: {}, histograms: {} },
      { period: String(T0 + 10_000), counters: {}, summaries: {}, histograms: {} },
    ],
  };
  const samples: Sample[] = [
    { t: T0 - 3000, cpuPct: 99, memPct: 99, rssMb: 999 }, // before the run: not merged
    { t: T0 + 2000, cpuPct: 40, memPct: 10, rssMb: 50 },
    { t: T0 + 14_000, cpuPct: 60, memPct: 12, rssMb: 60 },
  ];
  const out = mergeSystemMetrics(results, samples, { source: 'local', cpuBasis: 'core', memTotalMb: 500 });
  assert.equal(out.periods, 2);
  assert.equal(out.outside, 1);
  const [p0, p1] = out.results.intermediate;
  assert.equal((p0!.summaries as any)[SYSTEM_METRIC.cpu].mean, 40);
  assert.equal((p1!.histograms as any)[SYSTEM_METRIC.rss].mean, 60);
  assert.equal((out.results.aggregate.summaries as any)[SYSTEM_METRIC.cpu].max, 60);
  assert.deepEqual((out.results.aggregate.hmp as any).system, { source: 'local', cpuBasis: 'core', memTotalMb: 500, samples: 2 });
  assert.equal((out.results.aggregate.hmp as any).test, 'average', 'the rest of the hmp section is kept');
  assert.equal((results.intermediate[0]!.summaries as any)[SYSTEM_METRIC.cpu], undefined, 'the input is not changed');
  // The report's reader charts them (report/system.ts).
  const series = systemSeries(out.results.intermediate as any, 500);
  assert.deepEqual(series.cpu, [40, 60]);
  assert.deepEqual(series.memory, [10, 12]);
  assert.equal(series.memoryUnit, '%');
});

test('createSampler: none by default for remote targets, local needs a pid, unknown names refused', async () => {
  assert.equal(defaultSource(undefined), 'none');
  assert.equal(defaultSource(123), 'local');
  const none = createSampler({ source: 'none' });
  assert.ok(none instanceof NoneSampler);
  none.start();
  assert.deepEqual(await none.stop(), []);
  assert.throws(() => createSampler({ source: 'local' }), /needs the pid/);
  assert.throws(() => createSampler({ source: 'digitalocean', appId: 'x', env: {} }), /set DIGITALOCEAN_TOKEN/);
  assert.throws(() => createSampler({ source: 'nagios' as any }), /must be one of local, digitalocean, none/);
  assert.ok(createSampler({ source: 'local', pid: process.pid }) instanceof LocalSampler);
});

test('LocalSampler: an exited process that is not reaped yet (zombie) counts as ended', () => {
  const root = tempDir('suite-proc-');
  mkdirSync(join(root, '6'));
  writeFileSync(join(root, '6', 'stat'), STAT.replace(') S ', ') Z '));
  writeFileSync(join(root, '6', 'status'), 'State:\tZ (zombie)\n');
  assert.throws(() => new LocalSampler({ pid: 6, procRoot: root }).read(), /process 6 is not running/);
});
