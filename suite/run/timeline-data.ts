// The suite's timeline from the step reports' own results files (I/O; the
// timeline itself is report/timeline.ts). A step without results is left out.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { asResults } from '../../plugins/artillery-plugin-hmp/core/results.ts';
import { timelineOf, type Timeline, type TimelineStep } from '../../report/timeline.ts';
import type { SuiteSummary } from './summary.ts';

export function readTimeline(dir: string, summary: SuiteSummary): Timeline | undefined {
  const steps: TimelineStep[] = [];
  for (const st of summary.steps) {
    if (!st.report) continue;
    // The report folder's results.json: the run's, with the system metrics merged.
    const path = join(dir, dirname(st.report), 'results.json');
    if (!existsSync(path)) continue;
    try {
      steps.push({ id: st.id, verdict: st.verdict, results: asResults(JSON.parse(readFileSync(path, 'utf8'))) });
    } catch {} // a results file that cannot be read: its step's row says what it has
  }
  return timelineOf(steps);
}
