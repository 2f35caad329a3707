// GitHub's job summary: GitHub Actions names a file in $GITHUB_STEP_SUMMARY
// for each step, and shows the Markdown appended to it on the run's page.
// A plain run appends its summary.md (build.ts), the suite its
// suite-summary.md once at its end (never each step's). Unset: nothing.
import { appendFileSync } from 'node:fs';

export const STEP_SUMMARY_ENV = 'GITHUB_STEP_SUMMARY';

export class StepSummaryError extends Error {}

/** Appends `markdown` to the job summary; returns the file's path, or undefined when the variable is unset. */
export function appendStepSummary(markdown: string, env: Record<string, string | undefined> = process.env): string | undefined {
  const path = env[STEP_SUMMARY_ENV];
  if (!path) return undefined;
  try {
    // A blank line first: another step's Markdown may end mid-paragraph.
    appendFileSync(path, `\n${markdown.endsWith('\n') ? markdown : `${markdown}\n`}`);
    return path;
  } catch (err) {
    throw new StepSummaryError(`the job summary could not be appended to ${STEP_SUMMARY_ENV} (${path}): ${(err as Error).message}; the report folder has the same Markdown.`);
  }
}
