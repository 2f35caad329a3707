// Rebuilds a run's report folder from saved results:
//   npm run report -- <results.json> [--out reports/] [--label NAME]
// writes <out>/<test>-<UTC start>/ with results.json, summary.json,
// summary.md and report.html. A distributed run's merged results (the
// launcher's -o, or tools/merge-results.ts) lack the plugin's section:
// --phase names the phase file the workers ran, which gives it back
// (plugins/artillery-plugin-hmp/merged-run.ts), and the users are added up
// over the workers. Bad input: one sentence on stderr, exit 2.
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseCommandLine, UsageError, whyUnreadable } from '../lib/cli-args.ts';
import { FILES, parseResultsText, ReportInputError, writeReportFolder } from '../report/build.ts';
import { mergedRun, MergedRunError, needsPhaseFile, testIdOf } from '../plugins/artillery-plugin-hmp/merged-run.ts';

export const USAGE = `Usage: npm run report -- <results.json> [options]
Builds the report folder of a run from its saved results (Artillery's -o JSON,
or the suite's own results file after an early stop):
  <out>/<test>-<UTC start>/  results.json  summary.json  summary.md  report.html
  --out DIR      parent folder of the report folders (default reports)
  --label NAME   appended to the folder name
  --phase FILE   the phase file a distributed run's workers ran, for its merged
                 results (run-fargate's -o, or tools/merge-results.ts); give
                 the run's settings as the workers had them (HMP_TIME_SCALE ...)
  --help         print this help`;

/** Pure: command-line arguments -> what to build, 'help', or a UsageError. */
export function parseReportArgs(argv: string[]) {
  const parsed = parseCommandLine({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: {
      out: { type: 'string', default: 'reports' },
      label: { type: 'string' },
      phase: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (parsed.values.help) return 'help';
  if (parsed.positionals.length !== 1) {
    throw new UsageError(`give exactly one results file (got ${parsed.positionals.length}); e.g. npm run report -- reports/average-run.json.`);
  }
  return { file: parsed.positionals[0]!, out: parsed.values.out!, label: parsed.values.label, phase: parsed.values.phase };
}

export function main(argv: string[]): number {
  let args: ReturnType<typeof parseReportArgs>;
  try {
    args = parseReportArgs(argv);
  } catch (err) {
    console.error(`report: ${(err as Error).message}`);
    return 2;
  }
  if (args === 'help') {
    console.log(USAGE);
    return 0;
  }
  let text: string;
  try {
    text = readFileSync(args.file, 'utf8');
  } catch (err) {
    console.error(`report: cannot read ${args.file} (${whyUnreadable(err)}); give the path of a results JSON written by "artillery run -o" or by the suite.`);
    return 2;
  }
  try {
    let results = parseResultsText(text, args.file);
    if (args.phase) results = mergedRun(results, { phaseFile: args.phase, env: process.env, testId: testIdOf(JSON.parse(text)), where: args.file });
    else if (needsPhaseFile(results)) {
      throw new ReportInputError(`${args.file} holds the merged results of ${needsPhaseFile(results)} workers without the plugin's section: give the phase file they ran with --phase phases/<test>.yml (and the run's HMP_TIME_SCALE, as the workers had it).`);
    }
    const folder = writeReportFolder(results, { reportsDir: args.out, label: args.label, rawText: text });
    const summary = JSON.parse(readFileSync(join(folder, FILES.summaryJson), 'utf8')) as { headline: string };
    const rel = relative(process.cwd(), folder);
    const shown = rel && !rel.startsWith('..') ? rel : folder;
    console.log(summary.headline);
    console.log(`report: ${join(shown, FILES.html)} (also results.json, summary.json, summary.md)`);
    return 0;
  } catch (err) {
    if (err instanceof ReportInputError || err instanceof MergedRunError) {
      console.error(`report: ${err.message}`);
      return 2;
    }
    throw err;
  }
}

if (import.meta.main) process.exitCode = main(process.argv.slice(2));
