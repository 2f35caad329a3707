// `npm run reports [-- --dir reports]`: the runs index. Finds every test run
// (<dir>/<run>/summary.json) and suite run (<dir>/<suite>/suite-summary.json,
// with its steps' reports inside) in the reports folder, writes
// <dir>/index.html atomically and prints where. Exit 0, or 2 on bad input.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { writeAtomic } from '../lib/atomic-file.ts';
import { FILES } from '../report/build.ts';
import { renderRunsIndex, suiteRun, testRun, trendsOf, type IndexedRun } from '../report/runs-index.ts';

const USAGE = `Usage: npm run reports -- [--dir DIR]

Writes DIR/index.html: every test run and suite run in DIR (default $HMP_REPORTS_DIR or reports),
newest first, and per test type and target the trend of p95, p99, error rate and req/s, with a
regression in the latest run named in words.`;

const read = (path: string): unknown => {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined; // a run being written, or not ours: left out
  }
};

/** Runs under dir, down to the steps of a suite (two levels). */
export function findRuns(dir: string): IndexedRun[] {
  const out: IndexedRun[] = [];
  const href = (p: string) => relative(dir, p).split(sep).join('/');
  const visit = (folder: string, depth: number) => {
    let names: string[];
    try {
      names = readdirSync(folder);
    } catch {
      return;
    }
    for (const name of names) {
      const sub = join(folder, name);
      if (name.startsWith('.') || !statSync(sub, { throwIfNoEntry: false })?.isDirectory()) continue;
      const suite = read(join(sub, 'suite-summary.json'));
      const test = read(join(sub, FILES.summaryJson));
      if (suite && typeof suite === 'object') out.push(suiteRun(href(join(sub, 'suite-report.html')), suite as Parameters<typeof suiteRun>[1]));
      if (test && typeof test === 'object' && typeof (test as { test?: unknown }).test === 'string') out.push(testRun(href(join(sub, FILES.html)), test as Parameters<typeof testRun>[1]));
      else if (depth < 3) visit(sub, depth + 1);
    }
  };
  visit(dir, 0);
  return out;
}

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
  const runs = findRuns(dir);
  const out = join(dir, 'index.html');
  writeAtomic(out, renderRunsIndex(runs));
  const regressions = trendsOf(runs).filter((t) => t.regressions.length);
  console.log(`runs index: ${out} (${runs.length} run${runs.length === 1 ? '' : 's'}${regressions.length ? `; regressions: ${regressions.map((t) => `${t.test} on ${t.target}: ${t.regressions.join('; ')}`).join(' | ')}` : ''})`);
  return 0;
}

if (import.meta.main) process.exitCode = main(process.argv.slice(2));
