// What CI reads of a suite (I/O), written by its report step: junit.xml in
// the suite folder (from the summary and each test step's summary.json,
// beside its report.html), and suite-summary.md appended to GitHub's job
// summary, once for the whole suite (its steps append nothing).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeAtomic } from '../../lib/atomic-file.ts';
import { FILES as RUN_FILES } from '../../report/build.ts';
import { JUNIT_FILE } from '../../report/junit.ts';
import { appendStepSummary } from '../../report/step-summary.ts';
import type { Summary } from '../../report/types.ts';
import { suiteJunit } from './junit.ts';
import { renderSuiteMarkdown } from './render.ts';
import type { SuiteSummary } from './summary.ts';

/** Each test step's summary.json that can be read; a step without one keeps only its verdict in junit.xml. */
function stepSummaries(dir: string, summary: SuiteSummary): Record<string, Summary> {
  const out: Record<string, Summary> = {};
  for (const step of summary.steps) {
    if (!step.report) continue;
    try {
      out[step.id] = JSON.parse(readFileSync(join(dir, dirname(step.report), RUN_FILES.summaryJson), 'utf8')) as Summary;
    } catch {
      // A report folder removed or never finished: the step's own verdict still says what happened.
    }
  }
  return out;
}

/** Writes junit.xml and appends the job summary; returns what went wrong, one line each (nothing: all done). */
export function writeSuiteCiFiles(dir: string, summary: SuiteSummary, env: Record<string, string | undefined> = process.env): string[] {
  const problems: string[] = [];
  writeAtomic(join(dir, JUNIT_FILE), suiteJunit(summary, stepSummaries(dir, summary)));
  try {
    appendStepSummary(renderSuiteMarkdown(summary), env);
  } catch (err) {
    problems.push((err as Error).message);
  }
  return problems;
}
