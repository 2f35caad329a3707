// Step 9's content (pure): suite-summary.json from the suite's state. Every
// step's verdict and key numbers, the flags with the measurements that
// raised them, and the recommendations chosen by what failed.
import { cite, recommend, type Flag, type FlagId } from '../../diagnosis/recommendations.ts';
import { diagnosisLines } from '../../diagnosis/words.ts';
import { fmtMs, fmtS, round } from '../../plugins/artillery-plugin-hmp/core/stats.ts';
import { exitCodeOf, outcomeOf, type Outcome, type StepRecord, type StepStatus, type SuiteState } from './state.ts';
import { FLAG_TITLE, STEP_COUNT, STEP_TITLE, STEPS, TESTS } from './steps.ts';

export const SUMMARY_SCHEMA = 'hmp-load/suite-summary@1' as const;
export const FILES = { json: 'suite-summary.json', md: 'suite-summary.md', html: 'suite-report.html' } as const;

export const VERDICT: Record<StepStatus, string> = {
  pending: 'NOT RUN',
  running: 'RUNNING',
  passed: 'PASS',
  flagged: 'FLAG',
  aborted: 'ABORT',
  recorded: 'RECORDED',
  skipped: 'SKIP',
  failed: 'FAILED',
  interrupted: 'INTERRUPTED',
};

/** suite-summary.json: its shape is what buildSummary writes. */
export type SuiteSummary = ReturnType<typeof buildSummary>;
export type SummaryStep = SuiteSummary['steps'][number];

const n = (x: unknown): number | undefined => (typeof x === 'number' && Number.isFinite(x) ? x : undefined);

/** A step's key numbers in a few words. */
export function figuresOf(r: StepRecord): string {
  const x = r.numbers ?? {};
  const d = r.details ?? {};
  const parts: string[] = [];
  if (r.id === 'setup') {
    const s = d.setup as { students?: number; instructors?: number; projects?: number; submissions?: number; reused?: boolean } | undefined;
    return s ? `${s.students} students, ${s.instructors} instructors, ${s.projects} projects, ${s.submissions} submissions${s.reused ? ' (reused)' : ''}` : '';
  }
  if (r.id === 'teardown') {
    const t = d.teardown as { removed?: boolean; users?: number; projects?: number; submissions?: number } | undefined;
    return t?.removed ? `removed and verified ${t.users} users, ${t.projects} projects${t.submissions === undefined ? '' : `, ${t.submissions} seeded submissions`}` : '';
  }
  if (n(x.requests) !== undefined) parts.push(`${x.requests} requests`);
  if (n(x.errorRatePct) !== undefined) parts.push(`errors ${x.errorRatePct}%`);
  if (n(x.p99Ms) !== undefined) parts.push(`p99 ${fmtMs(x.p99Ms as number)}`);
  if (n(x.peakUsers) !== undefined) parts.push(`${x.peakUsers} users`);
  if (n(x.cpuSustainedPct) !== undefined) parts.push(`CPU ${Math.round(x.cpuSustainedPct as number)}%`);
  if (typeof x.processes === 'string') parts.push(`by process: ${x.processes}`);
  if (r.id === 'stress' && x.crashed === true) parts.push(`stopped answering ${fmtS(n(x.healthUnansweredS) ?? 0)}`);
  // Recovery: the spike's after its hold, every other test's after its load (the same probes).
  const after = r.id === 'spike' ? '' : ' after the load';
  if (x.recoveryStatus === 'recovered') parts.push(`recovered in ${fmtS(n(x.recoveryS) ?? 0)}${after}`);
  else if (x.recoveryStatus === 'not-recovered') parts.push(`not recovered in ${n(x.recoveryLimitS) === undefined ? 'its limit' : fmtS(n(x.recoveryLimitS)!)}${after}`);
  if (r.id === 'spike' && n(x.uploadsAcknowledged) !== undefined) parts.push(`${x.uploadsLost} of ${x.uploadsAcknowledged} uploads lost`);
  if (r.id === 'breakpoint' && x.maxSustainableUsers !== undefined) {
    parts.push(`max sustainable ${x.maxSustainableUsers} users${x.found ? `, failed at ${x.failingUsers}` : ''}`);
  }
  if (r.id === 'soak') {
    if (n(x.memoryGrowthPct) !== undefined) parts.push(`memory ${round(x.memoryGrowthPct as number, 1)}%`);
    if (n(x.p95ChangePct) !== undefined) parts.push(`p95 ${round(x.p95ChangePct as number, 1)}%`);
  }
  return parts.join(', ');
}

/** The tests that raised their flag (or the smoke's ABORT). */
function flaggedSteps(state: SuiteState): Array<StepRecord & { flag: FlagId }> {
  return TESTS.map((t) => state.steps[t]).filter((r): r is StepRecord & { flag: FlagId } => (r.status === 'flagged' || r.status === 'aborted') && r.flag !== undefined);
}

export function headlineOf(state: SuiteState, outcome: Outcome): string {
  const steps = STEPS.map((s) => state.steps[s]);
  const flagged = TESTS.map((t) => state.steps[t]).filter((r) => r.status === 'flagged');
  const skipped = TESTS.map((t) => state.steps[t]).filter((r) => r.status === 'skipped' && /Prerequisites/.test(r.reason ?? ''));
  // Tests left out by --only or --skip: the verdict says they were not run, so a pass does not read as all six.
  const o = state.options;
  const unselected = TESTS.filter((t) => !o.tests.includes(t));
  const choice = [o.only ? `--only ${o.only.join(',')}` : '', o.skip.length ? `--skip ${o.skip.join(',')}` : ''].filter(Boolean).join(' ');
  const notRun = unselected.length ? `; ${unselected.join(', ')} not run${choice ? ` (${choice})` : ''}` : '';
  const teardown = state.steps.teardown;
  const td = teardown.status === 'passed' ? 'Teardown verified' : teardown.status === 'failed' ? `TEARDOWN FAILED: ${teardown.reason}` : `Teardown ${VERDICT[teardown.status].toLowerCase()}`;
  switch (outcome) {
    case 'ABORTED': {
      const r = steps.find((s) => s.status === 'aborted')!;
      const why = (r.reason ?? '').replace(/^"[^"]*": /, '').replace(/\.$/, '');
      return `ABORTED: ${FLAG_TITLE.functional} (smoke${why ? `: ${why}` : ''}). ${td}.`;
    }
    case 'FLAGGED':
      return `FLAGGED: ${flagged.map((r) => `${FLAG_TITLE[r.flag!]} (${r.id})`).join('; ')}${skipped.length ? `; ${skipped.map((r) => r.id).join(', ')} skipped (prerequisites not met)` : ''}${notRun}. ${td}.`;
    case 'PASSED': {
      const ran = TESTS.map((t) => state.steps[t]).filter((r) => r.status === 'passed' || r.status === 'recorded');
      return `PASSED: ${ran.length} test${ran.length === 1 ? '' : 's'} ran (${ran.map((r) => r.id).join(', ')}), nothing flagged${notRun}. ${td}.`;
    }
    case 'INTERRUPTED': {
      const r = steps.find((s) => s.status === 'interrupted')!;
      return `INTERRUPTED during the ${r.id} step (continue with --resume). ${td}.`;
    }
    case 'FAILED': {
      const r = steps.find((s) => s.status === 'failed')!;
      return `FAILED at ${STEP_TITLE[r.id].toLowerCase()}: ${r.reason ?? 'see the step'} ${r.id === 'teardown' ? '' : td + '.'}`.trim();
    }
    case 'INCOMPLETE':
      return `INCOMPLETE: the suite stopped before its end. ${td}.`;
  }
}

export function buildSummary(state: SuiteState, now = new Date()) {
  const outcome = outcomeOf(state);
  const flagged = flaggedSteps(state);
  const first = state.invocations[0]?.startedAt ?? state.createdAt;
  const last = state.invocations[state.invocations.length - 1];
  const endedAt = last?.endedAt ?? now.toISOString();
  const steps = STEPS.map((s) => {
    const r = state.steps[s];
    return {
      n: r.n,
      of: STEP_COUNT,
      id: s,
      title: STEP_TITLE[s],
      status: r.status,
      verdict: VERDICT[r.status],
      reason: r.reason ?? null,
      // Key numbers in a few words; the paths are relative to the suite folder.
      figures: figuresOf(r),
      numbers: r.numbers ?? null,
      startedAt: r.startedAt ?? null,
      durationS: r.durationS ?? null,
      timeScale: r.timeScale ?? null,
      report: r.report ?? null,
      results: r.results ?? null,
      log: r.log ?? null,
      flag: r.flag && (r.status === 'flagged' || r.status === 'aborted') ? { id: r.flag, title: FLAG_TITLE[r.flag] } : null,
      evidence: (r.status === 'flagged' || r.status === 'aborted' ? (r.evidence ?? []) : []).map(cite),
      notes: r.notes ?? [],
      // What went wrong and why, in words (diagnosis/): every test, flagged or not.
      incidents: r.diagnosis ? diagnosisLines(r.diagnosis) : [],
    };
  });
  const spike = state.steps.spike.details;
  return {
    schema: SUMMARY_SCHEMA,
    id: state.id,
    outcome,
    exitCode: exitCodeOf(outcome),
    headline: headlineOf(state, outcome),
    run: {
      target: state.invocations[state.invocations.length - 1]?.target ?? state.options.target ?? null,
      ownTwin: state.options.target === undefined,
      twinArgs: state.options.twinArgs,
      timeScale: state.options.timeScale,
      // The time scale the smoke ran at (it has a floor).
      smokeTimeScale: state.steps.smoke.timeScale ?? null,
      tests: state.options.tests,
      only: state.options.only ?? null,
      skip: state.options.skip,
      think: state.options.think ?? null,
      systemMetrics: (state.steps.setup.details?.systemMetrics as string | undefined) ?? null,
      startedAt: first,
      endedAt,
      durationS: round((Date.parse(endedAt) - Date.parse(first)) / 1000, 1),
      invocations: state.invocations.length,
    },
    steps,
    flags: flagged.map((r) => ({ id: r.flag, title: FLAG_TITLE[r.flag], step: r.id, aborted: r.status === 'aborted', evidence: (r.evidence ?? []).map((e) => ({ ...e, citation: cite(e) })) })),
    recommendations: recommend(flagged.map((r): Flag => ({ id: r.flag, evidence: r.evidence ?? [], ...(r.diagnosis ? { diagnosis: r.diagnosis } : {}) }))),
    baseline: state.steps.average.details?.baseline ?? null,
    spike: spike ? { recovery: spike.recovery ?? null, integrity: spike.integrity ?? null } : null,
    breakpoint: state.steps.breakpoint.details ?? null,
    soak: state.steps.soak.details?.drift ?? null,
    teardown: state.steps.teardown.details?.teardown ?? null,
  };
}
