// `npm run reports [-- --dir reports]`: the runs index. Finds every test run
// (<dir>/<run>/summary.json) and suite run (<dir>/<suite>/suite-summary.json,
// with its steps' reports inside) in the reports folder, writes
// <dir>/index.html atomically and prints where. Exit 0, or 2 on bad input.
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { trendsOf } from '../report/runs-index.ts';
import { writeRunsIndex } from '../report/runs-index-file.ts';

const USAGE = `Usage: npm run reports -- [--dir DIR]

Writes DIR/index.html: every test run and suite run in DIR (default $HMP_REPORTS_DIR or reports),
newest first, and per test type and target the trend of p95, p99, error rate and req/s, with a
regression in the latest run named in words.`;

function main(argv: string[]): number {
  let values: { dir?: string; help?: boolean };
  try {
    ({ values } = parseArgs({ args: argv, options: { dir: { type: 'string' }, help: { type: 'boolean' } } }));
  } catch (err) {
    console.error(`reports: ${(err as Error).message}; see npm run reports -- --help.`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const dir = resolve(values.dir ?? process.env.HMP_REPORTS_DIR ?? 'reports');
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    console.error(`reports: ${dir} is not a folder; give the reports folder with --dir.`);
    return 2;
  }
  const { path: out, runs } = writeRunsIndex(dir);
  const regressions = trendsOf(runs).filter((t) => t.regressions.length);
  console.log(`runs index: ${out} (${runs.length} run${runs.length === 1 ? '' : 's'}${regressions.length ? `; regressions: ${regressions.map((t) => `${t.test} on ${t.target}: ${t.regressions.join('; ')}`).join(' | ')}` : ''})`);
  return 0;
}

if (import.meta.main) process.exitCode = main(process.argv.slice(2));
