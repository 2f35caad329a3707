// The `local` source against the real twin in its own process: with the
// leak knob its resident memory visibly grows under requests, CPU is seen
// while it serves, and sampling ends cleanly when the twin stops.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LocalSampler, systemPeriods, SYSTEM_METRIC } from '../suite/system-metrics/index.ts';
import { startTwinProcess } from '../twin/launch.ts';
import { driveLoad } from './suite-helpers.ts';

test('local: the twin with --leak-kb 64 grows its RSS under requests; CPU is measured', async () => {
  const twin = await startTwinProcess({ args: ['--leak-kb', '64'] });
  try {
    const sampler = new LocalSampler({ pid: twin.pid, intervalMs: 200 });
    sampler.start();
    await new Promise((r) => setTimeout(r, 450)); // idle samples first
    // ~2 workers x (request + 4 ms pause) for 3 s: about 1,000 requests, 64 MB retained.
    const load = await driveLoad(twin.url, { durationMs: 3000, workers: 2, pauseMs: 4 });
    const samples = await sampler.stop();
    const requests = load.reduce((a, p) => a + (p.counters!['http.requests'] ?? 0), 0);
    assert.ok(samples.length >= 10, `${samples.length} samples`);
    const first = samples[0]!;
    const last = samples[samples.length - 1]!;
    const expectMb = (requests * 64) / 1024;
    assert.ok(last.rssMb! - first.rssMb! > expectMb * 0.5, `RSS ${first.rssMb} -> ${last.rssMb} MB after ${requests} requests (~${Math.round(expectMb)} MB leaked)`);
    assert.ok(Math.max(...samples.map((s) => s.cpuPct)) > 5, 'the twin used CPU while serving');
    assert.ok(samples.every((s) => s.memPct! > 0 && s.memPct! < 100));
    const periods = systemPeriods(samples, 1000);
    assert.ok(periods.length >= 3 && periods.every((p) => p.summaries[SYSTEM_METRIC.rss]!.count > 0));
  } finally {
    await twin.stop();
  }
});

test('local: sampling stops by itself when the process ends, keeping what it measured', async () => {
  const twin = await startTwinProcess();
  const sampler = new LocalSampler({ pid: twin.pid, intervalMs: 100 });
  sampler.start();
  await new Promise((r) => setTimeout(r, 350));
  await twin.stop();
  await new Promise((r) => setTimeout(r, 250));
  const samples = await sampler.stop();
  assert.ok(samples.length >= 2);
  assert.match(sampler.ended ?? '', /is not running/);
});
