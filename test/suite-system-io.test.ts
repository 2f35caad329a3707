// Disk and network I/O and several processes in the `local` source: the
// /proc parsers, a real sampling of two processes on this machine (one of
// them writing to disk), and the merged results' series and charts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultInterface, interfaceFor, parentOf, parseIo, parseNetDev, processTree } from '../suite/system-metrics/proc-io.ts';
import { LocalSampler } from '../suite/system-metrics/local.ts';
import { parsePids } from '../suite/run/args.ts';
import { bottleneckOf } from '../diagnosis/bottleneck.ts';
import { keyNumbers } from '../suite/run/evaluate.ts';
import { figuresOf } from '../suite/run/summary.ts';
import { systemSeries } from '../report/system.ts';
import { chartsOf } from '../report/charts.ts';
import { analyze } from '../report/summarize.ts';
import { metric } from '../plugins/artillery-plugin-hmp/core/metric-names.ts';
import { syntheticResults } from './support/synthetic-results.ts';

test('the /proc parsers: storage bytes, an interface\'s bytes, the default route, the parent pid', () => {
  assert.deepEqual(parseIo('rchar: 10\nwchar: 20\nsyscr: 1\nsyscw: 2\nread_bytes: 4096\nwrite_bytes: 8192\ncancelled_write_bytes: 0\n'), { read: 4096, write: 8192 });
  assert.equal(parseIo('rchar: 10\n'), undefined);
  const dev = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo: 123456    100    0    0    0     0          0         0   654321    100    0    0    0     0       0          0
  eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16`;
  assert.deepEqual(parseNetDev(dev, 'lo'), { rx: 123456, tx: 654321 });
  assert.deepEqual(parseNetDev(dev, 'eth0'), { rx: 1, tx: 9 });
  assert.equal(parseNetDev(dev, 'wlan0'), undefined);
  assert.equal(defaultInterface('Iface\tDestination\tGateway\neth1\t0000A8C0\t00000000\neth0\t00000000\t0100A8C0\n'), 'eth0');
  assert.equal(interfaceFor('http://127.0.0.1:8000'), 'lo');
  assert.equal(interfaceFor('http://localhost:1'), 'lo');
  assert.equal(interfaceFor('http://[::1]:1'), 'lo');
  assert.equal(parentOf('1234 (my (odd) name) S 77 1234 1234 0 -1'), 77);
});

test('--pid takes several processes, each optionally named', () => {
  assert.deepEqual(parsePids('42'), [{ pid: 42 }]);
  assert.deepEqual(parsePids('server=42, db=43'), [{ pid: 42, label: 'server' }, { pid: 43, label: 'db' }]);
  assert.throws(() => parsePids('42,x'), (e: Error) => /^--pid takes process ids separated by commas, each optionally named \(e\.g\. 1234 or server=1234,db=5678\), got "42,x"\.$/.test(e.message));
});

test('two real processes sampled on their own: CPU and memory each, the writer\'s disk writes, the loopback\'s bytes', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hmp-io-'));
  // A child that writes 256 KB to disk (fsynced) every 100 ms, under a parent shell: the tree is counted.
  const script = `const fs=require('fs');const b=Buffer.alloc(262144,1);setInterval(()=>{const fd=fs.openSync(${JSON.stringify(join(dir, 'w.bin'))},'w');fs.writeSync(fd,b);fs.fsyncSync(fd);fs.closeSync(fd);},100);setTimeout(()=>process.exit(),15000);`;
  const writer = spawn('sh', ['-c', `${JSON.stringify(process.execPath)} -e ${JSON.stringify(script)}`], { stdio: 'ignore' });
  writer.unref(); // a writer left behind must not keep the test file from ending (it stops by itself after 15 s)
  // The writer first, then its folder: removed while it still wrote, the folder was not empty (a CI run).
  t.after(async () => {
    for (const p of processTree(writer.pid!)) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        // gone
      }
    }
    await new Promise((r) => setTimeout(r, 100));
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  });
  await new Promise((r) => setTimeout(r, 500));
  const sampler = new LocalSampler({ pid: process.pid, label: 'runner', others: [{ pid: writer.pid!, label: 'writer' }], intervalMs: 500 });
  sampler.start();
  // Loopback traffic while sampling.
  const until = Date.now() + 2200;
  while (Date.now() < until) {
    await fetch('http://127.0.0.1:1/').catch(() => undefined);
    await new Promise((r) => setTimeout(r, 50));
  }
  const samples = await sampler.stop();
  assert.ok(samples.length >= 3, `${samples.length} samples`);
  for (const s of samples) assert.deepEqual(s.procs!.map((p) => p.label), ['runner', 'writer']);
  const written = samples.reduce((a, s) => a + (s.procs![1]!.writeBps ?? 0), 0) / samples.length;
  assert.ok(written > 500_000, `the writer wrote ${Math.round(written)} B/s (about 2.5 MB/s written)`);
  assert.ok(samples.every((s) => s.netInBps !== undefined && s.netOutBps !== undefined), 'the loopback interface is read');
  assert.ok(samples.every((s) => s.cpuPct === s.procs![0]!.cpuPct), 'the server (the first) is the one judged');
});

test('the report: disk, network and per-process series from the results, and their charts', () => {
  const r = syntheticResults({ test: 'average', seed: 4, system: true, io: true, periods: 40 });
  const series = systemSeries(r.intermediate, undefined);
  assert.deepEqual(Object.keys(series.processes), ['server', 'db']);
  const p = r.intermediate[10]!;
  assert.equal(series.netInKBps[10], Math.round((10 * p.summaries![metric.systemNetInBps]!.mean!) / 1024) / 10);
  const titles = chartsOf(analyze(r)).map((c) => c.title);
  for (const t of ['Disk I/O of the server', 'Network I/O of the host', 'CPU by process', 'Memory by process', 'Disk writes by process']) assert.ok(titles.includes(t), `${t} in ${titles}`);
  // Each process's own figures in the summary, and in words in the suite report's row.
  const s = analyze(r).summary;
  assert.deepEqual(s.system.processes.map((x) => x.label), ['server', 'db']);
  assert.ok(s.system.processes.every((x) => x.cpu && x.cpu.sustained >= x.cpu.mean && x.rssMb && x.rssMb.max > 0));
  const numbers = keyNumbers(s);
  assert.match(String(numbers.processes), /^server CPU \d+%, \d+ MB; db CPU \d+%, \d+ MB$/);
  assert.match(figuresOf({ id: 'average', numbers } as Parameters<typeof figuresOf>[0]), /by process: server CPU \d+%/);
  const plain = chartsOf(analyze(syntheticResults({ test: 'average', seed: 4, system: true, periods: 40 }))).map((c) => c.title);
  assert.ok(!plain.includes('Network I/O of the host') && !plain.includes('CPU by process'), 'no I/O sampled: no I/O chart');
});

test('the breakpoint\'s bottleneck: the pool named from the server log, a process whose disk writes rose', () => {
  const r = syntheticResults({ test: 'breakpoint', seed: 4, system: true, io: true, errorShare: 0, timeoutShare: 0, badBodyShare: 0 });
  const users = (p: (typeof r.intermediate)[number]) => p.summaries?.[metric.usersTarget]?.max ?? 0;
  for (const p of r.intermediate) {
    const v = users(p) < 35 ? 50 * 1024 : 400 * 1024;
    p.summaries![metric.systemProcess('db', 'disk_write_bps')] = { min: v, max: v, count: 10, mean: v, p50: v, p90: v, p95: v, p99: v };
  }
  const poolAt = r.intermediate.find((p) => users(p) >= 60)!;
  (r.aggregate.hmp as Record<string, unknown>).serverLog = { pool: { count: 14, firstAt: Number(poolAt.period) + 3000, sample: 'x' } };
  const b = bottleneckOf(r);
  assert.match(b.text, /The db's disk writes rose 8x \(50 KB\/s -> 400 KB\/s\) by \d+ users/);
  assert.ok(b.timeline.some((s) => s.kind === 'pool' && s.users === Math.round(users(poolAt)) && /database connection pool exhausted \(14 x\)/.test(s.detail)), JSON.stringify(b.timeline));
});
