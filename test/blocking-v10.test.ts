// Against a twin that fails the way current HMP does (API v1.0 in its
// default blocking mode: a conversion holds the whole server; idle
// keep-alive connections close after 5 s and are reset after a block), the
// suite tells the truth (real suite runs, time-scaled):
// - smoke: the public-key defect and the blocking conversions are said in
//   words, every critical endpoint is tried (GET /audit/ too), and the users
//   stay on target in every period;
// - breakpoint: a capacity below the plan's peak is FLAGged, the stalls are
//   named with the conversion as their cause, and the recommendations follow
//   from it (an asynchronous conversion queue, separate conversion workers).
// Each conversion of the (small) generated PDFs is made to take 2.5 s, what a
// real v1.0 server takes for a short paper (HMP-API.md: 5-6 s for 1-5 MB).
// Scales that leave room for whole smoke sessions (0.2: a 24 s hold) and
// for the breakpoint's levels to be told apart (0.05: 15 s a level).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startTwinProcess } from '../twin/launch.ts';
import { outDir, statuses, suite, why, type SuiteRun } from './support/suite-run.ts';

const TWIN = ['--api-version', '1.0'];
const CONVERSION = 'pdf_execute=2500';

async function against(label: string, args: string[], latency = CONVERSION): Promise<{ r: SuiteRun; results: (test: string) => any }> {
  const twin = await startTwinProcess({ args: [...TWIN, '--latency', latency] });
  const out = outDir(label);
  try {
    const key = readFileSync(join(dirname(twin.adminCredentialsPath), 'twin-server-public-key.txt'), 'utf8').trim();
    const r = await suite(['--target', twin.url, '--credentials', twin.adminCredentialsPath, '--submissions', '10', ...args], {
      out,
      env: { HMP_PASSWORD: twin.adminPassword, HMP_SERVER_PUBLIC_KEY: key },
    });
    const results = (test: string) => JSON.parse(readFileSync(join(r.dir, r.summary.steps.find((s) => s.id === test)!.results!), 'utf8'));
    // Read now: the folder goes with `out`.
    const cache = new Map<string, any>();
    for (const s of r.summary.steps) if (s.results) cache.set(s.id, results(s.id));
    return { r, results: (t) => cache.get(t) };
  } finally {
    await twin.stop();
    rmSync(out, { recursive: true, force: true });
  }
}

/** "target/achieved" users per period, for the test's diagnostics. */
function perPeriod(results: any): string {
  return results.intermediate
    .filter((p: any) => p.summaries?.['plugins.hmp.users.target'])
    .map((p: any) => `${Math.round(p.summaries['plugins.hmp.users.target'].max)}/${Math.round(p.summaries['plugins.hmp.users.active'].max)}`)
    .join(' ');
}

/** Largest |achieved - target| per period after the first (the start-up is the healthy phase runs' to check). */
function offTarget(results: any): number[] {
  return results.intermediate
    .filter((p: any) => p.summaries?.['plugins.hmp.users.deviation'])
    .slice(1)
    .map((p: any) => p.summaries['plugins.hmp.users.deviation'].max);
}

describe('a v1.0 twin that blocks on conversions, as HMP does', { concurrency: 2, timeout: 300_000 }, () => {
  test('smoke: the defect and the blocking in words, every endpoint tried, users on target', async (t) => {
    const { r, results } = await against('v10-smoke', ['--only', 'smoke', '--smoke-time-scale', '0.2']);
    assert.ok(['passed', 'aborted'].includes(statuses(r).smoke), why(r));
    assert.match(r.stderr, /warning: GET \/credentials\/public-key answered 401 \(known HMP defect\); conversions use HMP_SERVER_PUBLIC_KEY/);
    assert.match(r.stderr, /\[1\/9 setup\] conversions can run: API v1\.0 with the server key from HMP_SERVER_PUBLIC_KEY/);
    const smoke = r.summary.steps.find((s) => s.id === 'smoke')!;
    const stallNote = (smoke.notes ?? []).find((n) => /server-wide stall/.test(n));
    assert.ok(stallNote, `the stalls are named: ${JSON.stringify(smoke.notes)}`);
    // Its cause: with 5 users all converting in every session, a conversion is in flight much of the
    // time anyway, and the attribution's rule (in flight at 3 in 4 stall starts, and at most half as
    // often otherwise) does not always single it out (a CI run: "no one kind of request explains
    // them"); the breakpoint below, with the plan's mix, must.
    assert.match(stallNote!, /server-wide stalls? \(nothing answered for 2 s or more while requests waited/);
    const c = results('smoke').aggregate.counters as Record<string, number>;
    const tried = Object.keys(c).some((k) => /^plugins\.metrics-by-endpoint\.audit_list\.(codes|errors)\./.test(k)) || (c['plugins.hmp.errors.audit_list'] ?? 0) > 0;
    assert.ok(tried, 'GET /audit/ was tried');
    const step = (id: string) => r.summary.steps.find((s) => s.id === id)!;
    t.diagnostic(`smoke target/achieved per period: ${perPeriod(results('smoke'))}; ${stallNote}; after the load: ${step('smoke').figures}`);
    for (const d of offTarget(results('smoke'))) assert.ok(d <= 1, `achieved users off target by ${d}`);
  });

  test('breakpoint: capacity below the plan\'s peak FLAGged, the conversion named as the stalls\' cause, recommended accordingly', async (t) => {
    // The capacity is judged within the SLOs, in req/s at this think time (2-6 s, not the journeys' 5-15 s):
    // a list as slow as HMP's (p99 over its 700 ms SLO from the first level, where 10 users send less than
    // the plan's peak needs) leaves it short of the plan's peak whatever the conversions did in a 9 s hold.
    const { r, results } = await against('v10-breakpoint', ['--only', 'breakpoint', '--time-scale', '0.05', '--think', '40-120'], `${CONVERSION},project_list=800`);
    assert.equal(r.code, 3, why(r));
    assert.equal(statuses(r).breakpoint, 'flagged');
    const flag = r.summary.flags.find((f) => f.step === 'breakpoint')!;
    assert.equal(flag.title, "System does not support the plan's peak usage");
    const stall = flag.evidence.find((e) => e.kind === 'stall');
    assert.ok(stall, JSON.stringify(flag.evidence));
    t.diagnostic(`breakpoint stalls: ${stall!.citation}`);
    assert.equal(stall!.endpoint, 'pdf_execute');
    assert.match(stall!.citation, /\d+ of \d+ began while POST \/pdf-to-audio\/execute was in flight/);
    // The diagnosis: the conversion as the cause of the stalls' incident(s), and only what addresses it (at most three).
    const d = r.state.steps.breakpoint.diagnosis!;
    assert.ok(d.incidents.some((i) => i.cause.id === 'blocked-by-kind' && i.cause.kind === 'pdf_execute'), JSON.stringify(d.incidents.map((i) => [i.startS, i.endS, i.cause.id, i.cause.kind])));
    const ids = r.summary.recommendations.map((x) => x.id);
    assert.ok(ids.includes('async-convert') && ids.includes('convert-workers'), ids.join(', '));
    assert.ok(ids.length <= 3, ids.join(', '));
    const asyncConvert = r.summary.recommendations.find((x) => x.id === 'async-convert')!;
    assert.ok(asyncConvert.because.some((b) => /POST \/pdf-to-audio\/execute was in flight/.test(b)), JSON.stringify(asyncConvert.because));
    assert.ok(asyncConvert.addresses.some((a) => /^the server was blocked by POST \/pdf-to-audio\/execute: nothing was answered while one ran: incident/.test(a)), JSON.stringify(asyncConvert.addresses));
    // Both capacities, in users and in req/s, and the plan's goals judged at the journeys' think time.
    const bpStep = r.summary.steps.find((s) => s.id === 'breakpoint')!;
    assert.match(bpStep.reason!, /max users within the SLOs: \d+ .*max users before failure: \d+/);
    assert.match(bpStep.reason!, /the plan's peak of 60 users at 5-15 s needs about [\d.]+ req\/s/);
    const bp = r.summary.steps.find((s) => s.id === 'breakpoint')!;
    t.diagnostic(`breakpoint target/achieved per period: ${perPeriod(results('breakpoint'))}; ${stall!.citation}; ${bp.figures}; teardown: ${r.summary.steps.find((s) => s.id === 'teardown')!.reason}`);
    for (const d of offTarget(results('breakpoint'))) assert.ok(d <= 1, `achieved users off target by ${d}`);
    assert.equal(statuses(r).teardown, 'passed', 'teardown waited for the blocked twin, then verified');
  });
});
