// The closed model holds when the server fails: against twins that reset
// every connection, go away (every connection refused) or stall (nothing
// answers; the client times out), the
// achieved concurrent users follow the target within +-1 in every period of
// the average, breakpoint and full-shape soak phase files (time-scaled),
// no user is lost (a request error ends the session, not the VU), and every
// failed request is a user-visible error. The runs go in parallel.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTwin, type TwinHandle } from '../twin/server.ts';
import type { TwinConfig } from '../twin/config.ts';
import { cleanUp, runDir, writeTestData } from './support/artillery-run.ts';
import { startStallProxy, type StallProxy } from './support/stall-proxy.ts';
import { fidelity, runPhaseFile, type PhaseRun } from './support/phase-run.ts';

interface Case {
  label: string;
  file: string;
  scale: number;
  /** The twin's knobs (seeded healthy first, then failing: `after` is applied once the test data is written). */
  twin: Partial<TwinConfig>;
  after?: Partial<TwinConfig>;
  env?: Record<string, string>;
  /** Artillery's error code of the failed requests. */
  code: string;
  /** The server goes away this long after the load began: every later connection is refused. */
  goneAfterMs?: number;
}

// Seeded healthy, then every connection is reset unanswered.
const RESET = { twin: {}, after: { resetRate: 1 } };
// A DB pool of 2 (HMP's stall): one request at a time (the seeding) passes; two at once each hold one
// connection and wait 10 min for a second (their audit rows): from then on nothing answers.
const STALL = { twin: { capacity: 2, overloadMode: 'stall' as const, queueTimeoutMs: 600_000 } };

const CASES: Case[] = [
  { label: 'average, every connection reset', file: 'phases/average.yml', scale: 0.01, ...RESET, code: 'ECONNRESET' },
  { label: 'breakpoint, every connection reset', file: 'phases/breakpoint.yml', scale: 0.01, ...RESET, code: 'ECONNRESET' },
  { label: 'average, the server goes away: every connection refused', file: 'phases/average.yml', scale: 0.01, twin: {}, goneAfterMs: 2000, code: 'ECONNREFUSED' },
  // No preflight: its questions (two at once) would set the stall off before the load, and its timeouts free it again.
  { label: 'soak (3 h shape), a stall: nothing answers', file: 'phases/soak.yml', scale: 0.002, ...STALL, env: { HMP_HTTP_TIMEOUT: '1', HMP_PREFLIGHT: 'off' }, code: 'ETIMEDOUT' },
];

/**
 * A proxy in front of the twin that goes away `ms` after the load began (its
 * 20th request: not the plugin's one probe): from then on every connection is
 * refused. Timed from the load, not the clock: Artillery's start-up varies
 * with the machine's load.
 */
async function goneAfterLoad(twin: TwinHandle, ms: number): Promise<StallProxy> {
  const proxy = await startStallProxy(twin.port);
  let seen = 0;
  proxy.onRequest = () => {
    if (++seen === 20) setTimeout(() => void proxy.close(), ms).unref();
  };
  return proxy;
}

describe('the closed model under a failing server (real Artillery runs)', { timeout: 240_000 }, () => {
  const runs = new Map<string, { twin: TwinHandle; run: PhaseRun; dir: string }>();

  before(async () => {
    await Promise.all(
      CASES.map(async (c) => {
        const twin = await startTwin(c.twin);
        const dir = runDir(`failing-${c.file.replace(/\W+/g, '-')}`);
        const data = await writeTestData(twin, dir, 0);
        Object.assign(twin.config, c.after);
        const proxy = c.goneAfterMs ? await goneAfterLoad(twin, c.goneAfterMs) : undefined;
        const run = await runPhaseFile(c.file, { env: { HMP_TARGET: proxy?.url ?? twin.url, HMP_TEST_DATA: data.path, HMP_TIME_SCALE: String(c.scale), ...c.env }, label: c.label.replace(/\W+/g, '-') });
        await proxy?.close();
        runs.set(c.label, { twin, run, dir });
      }),
    );
  });

  after(async () => {
    for (const { twin, run, dir } of runs.values()) {
      await twin.close();
      cleanUp(run.dir);
      cleanUp(dir);
    }
  });

  for (const c of CASES) {
    test(`${c.label}: users on target (+-1) in every period, none lost, every failure an error`, (t) => {
      const { run } = runs.get(c.label)!;
      const r = run.results;
      assert.ok(r, `results written: ${run.stdout.slice(-1500)}${run.stderr.slice(-1500)}`);
      // The first period holds the start-up (the pool arriving within a fraction of a second at these
      // scales, on a machine running other tests): the healthy phase-file runs check it; what a failing
      // server could break is every period after it.
      const periods = fidelity(r).slice(1);
      t.diagnostic(`target/max off per period: ${fidelity(r).map((p) => `${p.targetMax}/${p.maxDeviation}`).join(' ')}; stalls: ${r.aggregate.hmp.stalls?.text}; classes: ${Object.entries(r.aggregate.counters).filter(([k]) => k.startsWith('plugins.hmp.connection.')).map(([k, v]) => `${k.slice(23)} ${v}`).join(', ')}`);
      // The breakpoint stops itself after two failing periods: on a busy machine its first period can hold the whole climb.
      if (c.file !== 'phases/breakpoint.yml') assert.ok(periods.length >= 1, `${periods.length} periods with users sampled after the first`);
      for (const p of periods) assert.ok(p.maxDeviation <= 1, `period ${new Date(Number(p.period)).toISOString()}: target ${p.targetMin}-${p.targetMax}, off by ${p.maxDeviation}`);
      const counters = r.aggregate.counters as Record<string, number>;
      assert.equal(counters['plugins.hmp.users.lost'] ?? 0, 0, 'no VU died holding a slot');
      assert.equal(counters['vusers.failed'] ?? 0, 0, 'no VU failed');
      assert.ok((counters[`errors.${c.code}`] ?? 0) > 0, `Artillery counted ${c.code}: ${JSON.stringify(Object.keys(counters).filter((k) => k.startsWith('errors.')))}`);
      assert.ok((counters['plugins.hmp.errors'] ?? 0) >= (counters[`errors.${c.code}`] ?? 0), 'each failed request is a user-visible error');
      if (!c.goneAfterMs) assert.equal(counters['plugins.hmp.session.completed'] ?? 0, 0, 'no session completed against a server that never answers');
      assert.ok((counters['plugins.hmp.session.failed'] ?? 0) > 0, 'the sessions ended as failed, and new ones began');
      // Why, in classes: a reset (on a reused or a new connection) or the client's timeout; a stall is named as one.
      const classes = Object.keys(counters).filter((k) => k.startsWith('plugins.hmp.connection.'));
      const cls = { ECONNRESET: /\.reset(_reused|_fresh)?$/, ECONNREFUSED: /\.refused$/, ETIMEDOUT: /\.timeout$/ }[c.code]!;
      assert.ok(classes.some((k) => cls.test(k) && counters[k]! > 0), classes.join(', '));
      const stalls = r.aggregate.hmp.stalls;
      if (c.code !== 'ETIMEDOUT') assert.equal(stalls.stalls.length, 0, `a server that resets or refuses at once does not stall: ${stalls.text}`);
      else assert.ok(stalls.stalls.length >= 1, `the stall is named: ${stalls.text}`);
    });
  }
});
