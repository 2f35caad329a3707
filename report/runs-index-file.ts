// The runs index on disk (I/O): finds the runs in a reports folder and
// (re)writes its index.html atomically. Used by `npm run reports`, by a plain
// run once its report folder is written, and by the suite at its end.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { writeAtomic } from '../lib/atomic-file.ts';
import { renderRunsIndex, suiteRun, testRun, type IndexedRun } from './runs-index.ts';

const INDEX = 'index.html';

const read = (path: string): unknown => {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined; // no such file, a run being written, or not ours: left out
  }
};

/** Test runs (<run>/summary.json) and suite runs (<suite>/suite-summary.json, their steps inside) under dir. */
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
      const test = read(join(sub, 'summary.json'));
      if (suite && typeof suite === 'object') out.push(suiteRun(href(join(sub, 'suite-report.html')), suite as Parameters<typeof suiteRun>[1]));
      if (test && typeof test === 'object' && typeof (test as { test?: unknown }).test === 'string') out.push(testRun(href(join(sub, 'report.html')), test as Parameters<typeof testRun>[1]));
      else if (depth < 3) visit(sub, depth + 1);
    }
  };
  visit(dir, 0);
  return out;
}

/** Writes dir/index.html from the runs found there; returns its path and the runs. */
export function writeRunsIndex(dir: string): { path: string; runs: IndexedRun[] } {
  const runs = findRuns(dir);
  const path = join(dir, INDEX);
  writeAtomic(path, renderRunsIndex(runs));
  return { path, runs };
}
