// The report builder's entry: writes reports/<test>-<UTC timestamp>/ with
// the raw results, summary.json, summary.md, report.html, and what CI reads
// (junit.xml, periods.csv), each file atomically (lib/atomic-file.ts); then
// appends summary.md to GitHub's job summary when $GITHUB_STEP_SUMMARY is
// set. The pure parts are re-exported here.
import { basename, join, resolve } from 'node:path';
import { writeAtomic } from '../lib/atomic-file.ts';
import { renderHtml, type LiveView } from './html.ts';
import { asResults } from '../plugins/artillery-plugin-hmp/core/results.ts';
import { renderMarkdown } from './markdown.ts';
import { toolInfo } from './provenance.ts';
import { summarize } from './summarize.ts';
import { JUNIT_FILE, runJunit } from './junit.ts';
import { CSV_FILE, periodsCsv } from './csv.ts';
import { appendStepSummary } from './step-summary.ts';
import type { Results, Summary, ToolInfo } from './types.ts';
import { diagnosisLines } from '../diagnosis/words.ts';

export { renderHtml } from './html.ts';
export { renderMarkdown } from './markdown.ts';
export { summarize } from './summarize.ts';
export { parseResultsText, asResults, ResultsError as ReportInputError } from '../plugins/artillery-plugin-hmp/core/results.ts';

export interface WriteOptions {
  /** Parent folder of the run folders (e.g. "reports"). */
  reportsDir: string;
  /** Appended to the folder name: <test>-<stamp>-<label>. */
  label?: string;
  /** Name of the raw results copy in the folder (default results.json). */
  rawFileName?: string;
  /** The raw file's exact text, when the results were read from one (kept byte for byte). */
  rawText?: string;
  /** Version and commit when the results do not record them (default: this checkout's). */
  tool?: ToolInfo;
  /** Append summary.md to $GITHUB_STEP_SUMMARY when it is set (default true; the suite appends its own summary once instead). */
  stepSummary?: boolean;
}

export const FILES = { summaryJson: 'summary.json', summaryMd: 'summary.md', html: 'report.html', raw: 'results.json', junit: JUNIT_FILE, csv: CSV_FILE } as const;

const slug = (s: string) => s.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[-.]+|-+$/g, '').slice(0, 60) || 'run';

/** "20261127T040110Z" */
export function utcStamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

/** The run folder's name: <test>-<UTC start>[-<label>]. */
export function folderName(summary: Summary, label?: string, now = Date.now()): string {
  const started = summary.run.startedAt ? Date.parse(summary.run.startedAt) : now;
  return [slug(summary.test), utcStamp(Number.isFinite(started) ? started : now), ...(label ? [slug(label)] : [])].join('-');
}

/** Sketch objects (an in-memory run's histograms) as their summaries: what Artillery's -o file holds. */
function plainJson(results: Results): string {
  return JSON.stringify(
    results,
    function (this: Record<string, unknown>, key, value) {
      if (key === 'histograms' && value && typeof value === 'object' && Object.values(value).some((h) => h && typeof (h as { toProto?: unknown }).toProto === 'function')) {
        return this.summaries ?? {};
      }
      return value;
    },
    2,
  );
}

/** Writes the six files; returns the folder's path. Throws ResultsError for input that is not results. */
export function writeReportFolder(input: unknown, opts: WriteOptions): string {
  const results = asResults(input);
  const summary = summarize(results, { tool: opts.tool ?? toolInfo() });
  const folder = resolve(opts.reportsDir, folderName(summary, opts.label));
  const rawName = basename(opts.rawFileName ?? FILES.raw) || FILES.raw;
  writeAtomic(join(folder, rawName), opts.rawText ?? plainJson(results));
  writeAtomic(join(folder, FILES.summaryJson), `${JSON.stringify(summary, null, 2)}\n`);
  const markdown = renderMarkdown(summary);
  writeAtomic(join(folder, FILES.summaryMd), markdown);
  writeAtomic(join(folder, FILES.html), renderHtml(summary, results));
  writeAtomic(join(folder, FILES.junit), runJunit(summary));
  writeAtomic(join(folder, FILES.csv), periodsCsv(results));
  if (opts.stepSummary !== false) {
    // The report is written whatever happens to the job summary: its problem is one line, not the report's failure.
    try {
      appendStepSummary(markdown);
    } catch (err) {
      console.error(`hmp: ${(err as Error).message}`);
    }
  }
  return folder;
}

/** The live page of a run under way (or just ended): the report page of the results so far, with the live banner. */
export function renderLive(input: unknown, live: LiveView): string {
  const results = asResults(input);
  return renderHtml(summarize(results, { tool: toolInfo() }), results, live);
}

/** What went wrong in a run and why, one line each (diagnosis/): for the plugin's console after a plain run. */
export function incidentLines(input: unknown): string[] {
  const results = asResults(input);
  return diagnosisLines(summarize(results, { tool: toolInfo() }).diagnosis);
}

/** The reports folder's runs index, rewritten by a plain run after its report (see runs-index-file.ts). */
export { writeRunsIndex } from './runs-index-file.ts';
