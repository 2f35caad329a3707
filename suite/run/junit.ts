// The suite's junit.xml (pure): one <testsuite> per step of the plan's
// algorithm (setup, the tests, teardown). Its first test case is the step's
// verdict as the suite gave it (PASS and RECORDED pass, FLAG and ABORT fail,
// SKIP and NOT RUN are skipped, FAILED and INTERRUPTED are errors: the step
// could not do its job); a test that ran adds one case per criterion, as a
// plain run's junit.xml (report/junit.ts). So a flagged step fails twice:
// once as the step, once per missed criterion.
import { junitXml, runSuite, type JunitCase, type JunitSuite } from '../../report/junit.ts';
import type { Summary } from '../../report/types.ts';
import type { StepStatus } from './state.ts';
import type { SuiteSummary, SummaryStep } from './summary.ts';

const RESULT: Record<StepStatus, JunitCase['result']> = {
  passed: 'pass',
  recorded: 'pass',
  flagged: 'failure',
  aborted: 'failure',
  skipped: 'skipped',
  pending: 'skipped',
  failed: 'error',
  interrupted: 'error',
  running: 'error',
};

/** The step's own verdict as a test case, in the suite console's words ("FLAG: ..."). */
export function stepCase(step: SummaryStep): JunitCase {
  const result = RESULT[step.status];
  const words = `${step.verdict}${step.reason ? `: ${step.reason}` : ''}`;
  const more = [step.figures, ...step.notes].filter(Boolean).join('\n');
  const base = { name: `${step.n}/${step.of} ${step.title}`, classname: `hmp.suite.${step.id}`, result };
  if (result === 'pass') return { ...base, detail: [words, more].filter(Boolean).join('\n') };
  return { ...base, message: words, type: step.status, ...(more ? { detail: more } : {}) };
}

/** `reports`: each test step's summary.json (absent: the step wrote none). */
export function suiteJunit(summary: SuiteSummary, reports: Partial<Record<string, Summary>>): string {
  const suites = summary.steps
    // The report step is the one writing this file.
    .filter((step) => step.id !== 'report')
    .map((step): JunitSuite => {
      const own = stepCase(step);
      const run = Object.hasOwn(reports, step.id) ? reports[step.id] : undefined;
      const suite = { name: step.id, startedAt: step.startedAt, durationS: step.durationS, properties: { verdict: step.verdict, report: step.report }, cases: [own] };
      if (!run) return suite;
      const r = runSuite(run, step.id);
      return { ...suite, properties: { ...suite.properties, ...r.properties }, cases: [own, ...r.cases.map((c) => ({ ...c, classname: own.classname }))] };
    });
  return junitXml(`hmp-load suite ${summary.id}`, suites);
}
