// One run, one answer: a borderline average run (sustained server CPU 75%,
// everything else within the plan's limits) gets the same verdict from every
// consumer of the core's criteria: report.html, summary.json/md, the suite's
// step and its report. The plugin, which samples no CPU itself, says "not
// measured", never "PASS".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { outcomeOf, verdictsOf } from '../plugins/artillery-plugin-hmp/core/criteria.ts';
import { metric } from '../plugins/artillery-plugin-hmp/core/metric-names.ts';
import { derivedCounters, ensureConditions, measuredOf } from '../plugins/artillery-plugin-hmp/ensure-conditions.ts';
import { loadOf, type RawPeriod } from '../plugins/artillery-plugin-hmp/core/results.ts';
import { resolveSettings } from '../plugins/artillery-plugin-hmp/settings.ts';
import { syntheticResults } from './support/synthetic-results.ts';
import type { Results } from '../plugins/artillery-plugin-hmp/core/results.ts';
import { evaluateAverage, notTested } from '../suite/run/evaluate.ts';
import { renderSuiteHtml, renderSuiteMarkdown } from '../suite/run/render.ts';
import { parseSuiteArgs, type SuiteOptions } from '../suite/run/args.ts';
import { newState } from '../suite/run/state.ts';
import { buildStepReport, withSamples } from '../suite/run/step-report.ts';
import { buildSummary } from '../suite/run/summary.ts';
import { NoneSampler, type Sample } from '../suite/system-metrics/index.ts';

const PHASES = join(import.meta.dirname, '..', 'phases');

/** An average run within every limit, with the server's CPU sampled every 2 s at `cpuPct` (memory 40%). */
function averageRunAt(cpuPct: number): Results {
  const r = syntheticResults({ test: 'average', seed: 5 }) as unknown as Results;
  const starts = r.intermediate.map((p) => Number(p.period));
  const samples: Sample[] = [];
  for (let t = Math.min(...starts); t < Math.max(...starts) + 10_000; t += 2000) samples.push({ t, cpuPct, memPct: 40 });
  return withSamples(r, samples, new NoneSampler());
}

test('CPU 75% in an average run: FAIL in report.html, summary.json and summary.md, FLAG from the suite and in its report; the plugin says "not measured"', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hmp-one-answer-'));
  try {
    const results = averageRunAt(75);
    const step = buildStepReport(results, dir);

    // summary.json (what the report and the suite read)
    const summary = JSON.parse(readFileSync(join(step.folder, 'summary.json'), 'utf8'));
    const cpu = summary.verdicts.find((v: { id: string }) => v.id === 'cpu');
    assert.deepEqual([cpu.measured, cpu.limit, cpu.pass, cpu.gated], [75, 70, false, true]);
    assert.equal(summary.outcome, 'FAIL');
    assert.ok(summary.verdicts.filter((v: { id: string }) => v.id !== 'cpu').every((v: { pass: boolean | null }) => v.pass !== false), 'CPU is the only criterion missed');
    assert.match(readFileSync(join(step.folder, 'summary.md'), 'utf8'), /\| CPU \(sustained\) \| 75% \| < 70% \| ❌ FAIL \|/);
    const html = readFileSync(step.report, 'utf8');
    assert.match(html, /FAIL/);
    assert.match(html, /CPU \(sustained\)/);

    // the suite's step: the summary's verdict, not a rule of its own
    const ev = evaluateAverage(step.results, step.summary);
    assert.equal(ev.status, 'flagged');
    assert.match(ev.reason, /^"Baseline performance insufficient": CPU \(sustained\) 75% \(limit < 70%\)\.$/);
    assert.deepEqual(ev.evidence.map((e) => [e.kind, e.measured, e.limit]), [['cpu', 75, 70]]);

    // the suite report
    const p = parseSuiteArgs([]);
    const state = newState('suite-x', { ...(p as { options: SuiteOptions }).options, tests: ['average'], only: ['average'] }, '/tmp/none.json', new Date(0));
    for (const s of ['setup', 'teardown', 'report'] as const) state.steps[s].status = 'passed';
    state.steps.average = { ...state.steps.average, ...ev, report: 'average/report.html' };
    state.invocations.push({ startedAt: new Date(0).toISOString(), endedAt: new Date(60_000).toISOString(), resumed: false });
    const suite = buildSummary(state);
    assert.equal(suite.outcome, 'FLAGGED');
    assert.equal(suite.exitCode, 3);
    assert.match(renderSuiteMarkdown(suite), /\| 3\/9 Load test \(average\) \| \*\*FLAG\*\* \|/);
    assert.match(renderSuiteHtml(suite), /CPU \(sustained\) 75% \(limit &lt; 70%\)/);

    // the plugin on the same run: no CPU samples of its own, so no verdict but "not measured"
    const settings = resolveSettings({ test: 'average' }, PHASES, {}, {});
    const plugin = verdictsOf('average', settings.criteria, measuredOf(settings, results.aggregate as unknown as RawPeriod));
    const pcpu = plugin.find((v) => v.id === 'cpu')!;
    assert.deepEqual([pcpu.measured, pcpu.pass], [null, null]);
    assert.match(pcpu.note!, /npm run suite/);

    // the same run at 65%: PASS everywhere
    const calm = buildStepReport(averageRunAt(65), dir);
    assert.equal(calm.summary.outcome, 'PASS');
    assert.equal(evaluateAverage(calm.results, calm.summary).status, 'passed');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** The run's active users capped at `most` in every period and the aggregate: a load generator that fell short. */
function capActive(r: Results, most: number): Results {
  for (const p of [...r.intermediate, r.aggregate]) {
    const s = p.summaries?.[metric.usersActive];
    if (s) p.summaries![metric.usersActive] = { ...s, min: Math.min(s.min ?? most, most), max: Math.min(s.max ?? most, most), mean: Math.min(s.mean ?? most, most) };
  }
  return r;
}

test('a spike whose load generator reached 1 of its 60+ users: NOT TESTED in summary.json, report.html and summary.md, a failed step in the suite, and ensure fails the run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hmp-one-answer-'));
  try {
    const results = capActive(syntheticResults({ test: 'spike', seed: 3 }) as unknown as Results, 1);
    const step = buildStepReport(results, dir);
    const summary = JSON.parse(readFileSync(join(step.folder, 'summary.json'), 'utf8'));
    const load = summary.verdicts.find((v: { id: string }) => v.id === 'load');
    const peak = summary.users.targetPeak; // the jittered hold's highest target
    assert.ok(peak >= 60 && peak <= 66, `target peak ${peak}`);
    assert.deepEqual([load.measured, load.limit, load.pass, load.gated], [1, Math.floor(0.9 * peak), false, true]);
    assert.equal(summary.outcome, 'NOT TESTED');
    assert.match(summary.headline, new RegExp(`^NOT TESTED: the load generator reached 1 of ${peak} users: the shape was not tested`));
    assert.match(readFileSync(join(step.folder, 'summary.md'), 'utf8'), /❌/);
    assert.match(readFileSync(step.report, 'utf8'), /class="badge NOT-TESTED"/);

    // the suite: not a pass, not a flag on the server; the step could not do its job
    const ev = notTested('spike', step.summary);
    assert.equal(ev.status, 'failed');
    assert.match(ev.reason, new RegExp(`^the spike test was NOT TESTED: the load generator reached 1 of ${peak} users.*larger --time-scale`));

    // the plugin: the same verdict, and ensure reads it
    const settings = resolveSettings({ test: 'spike' }, PHASES, {}, {});
    const measured = measuredOf(settings, results.aggregate as unknown as RawPeriod);
    const plugin = verdictsOf('spike', settings.criteria, measured);
    assert.equal(outcomeOf('spike', plugin, true), 'NOT TESTED');
    assert.equal(derivedCounters(plugin)['plugins.hmp.criteria.load_shortfall'], 1);
    assert.equal(ensureConditions(settings)[0]!.expression, '(plugins.hmp.criteria.load_shortfall or 0) == 0');
    // A server that also failed below the shape: FAIL, it is the server's answer.
    assert.equal(outcomeOf('spike', verdictsOf('spike', settings.criteria, { ...measured, errors: 50, errorRatePct: 10 }), true), 'FAIL');
    // No acknowledged upload: data loss is not judged (nothing shown kept), never a pass.
    const none = verdictsOf('spike', settings.criteria, { ...measured, dataLoss: { lost: 0, acknowledged: 0, text: 'No acknowledged uploads to verify.' } }).find((v) => v.id === 'data_loss')!;
    assert.deepEqual([none.measured, none.pass, none.gated], [null, null, true]);
    assert.match(none.note!, /Not judged: the spike acknowledged no upload/);
    // Nothing sampled (a shape shorter than the load generator's start): the phase file's peak, none reached.
    assert.deepEqual(loadOf({}, 60), { targetPeak: 60, activePeak: 0 });

    // Reached: the load verdict passes and the run is judged on the plan's criteria alone.
    const full = buildStepReport(syntheticResults({ test: 'spike', seed: 3 }) as unknown as Results, dir);
    assert.equal(full.summary.verdicts.find((v) => v.id === 'load')!.pass, true);
    assert.notEqual(full.summary.outcome, 'NOT TESTED');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
