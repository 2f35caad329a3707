// Rebuilds a run's report folder from saved results:
//   npm run report -- <results.json> [--out reports/] [--label NAME]
// writes <out>/<test>-<UTC start>/ with results.json, summary.json,
// summary.md and report.html. Bad input: one sentence on stderr, exit 2.
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseCommandLine, UsageError, whyUnreadable } from '../lib/cli-args.ts';
import { FILES, parseResultsText, ReportInputError, writeReportFolder } from '../report/build.ts';

export const USAGE = `Usage: npm run report -- <results.json> [options]
Builds the report folder of a run from its saved results (Artillery's -o JSON,
or the suite's own results file after an early stop):
  <out>/<test>-<UTC start>/  results.json  summary.json  summary.md  report.html
  --out DIR      parent folder of the report folders (default reports)
  --label NAME   appended to the folder name
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
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (parsed.values.help) return 'help';
  if (parsed.positionals.length !== 1) {
    throw new UsageError(`give exactly one results file (got ${parsed.positionals.length}); e.g. npm run report -- reports/average-run.json.`);
  }
  return { file: parsed.positionals[0]!, out: parsed.values.out!, label: parsed.values.label };
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
    const results = parseResultsText(text, args.file);
    const folder = writeReportFolder(results, { reportsDir: args.out, label: args.label, rawText: text });
    const summary = JSON.parse(readFileSync(join(folder, FILES.summaryJson), 'utf8')) as { headline: string };
    const rel = relative(process.cwd(), folder);
    const shown = rel && !rel.startsWith('..') ? rel : folder;
    console.log(summary.headline);
    console.log(`report: ${join(shown, FILES.html)} (also results.json, summary.json, summary.md)`);
    return 0;
  } catch (err) {
    if (err instanceof ReportInputError) {
      console.error(`report: ${err.message}`);
      return 2;
    }
    throw err;
  }
}

if (import.meta.main) process.exitCode = main(process.argv.slice(2));
