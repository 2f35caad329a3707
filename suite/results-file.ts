// Finding and reading a run's results: a report folder (reports/<test>-<time>/
// with results.json) or a results JSON file.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { asResults, ResultsError, type Results } from '../plugins/artillery-plugin-hmp/core/results.ts';

export interface LoadedRun {
  /** The results JSON that was read. */
  path: string;
  /** The report folder (the file's folder when a file was given). */
  dir: string;
  /** A short name for tables: the folder's name, or the file's. */
  label: string;
  results: Results;
}

function parse(path: string): Results {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ResultsError(`cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ResultsError(`${path} is not JSON; give a report folder or the results file written by "artillery run -o".`);
  }
  return asResults(value, path);
}

/** A report folder (its results.json, else its only results-shaped *.json) or a results file. Throws ResultsError. */
export function loadRun(arg: string): LoadedRun {
  const path = resolve(arg);
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    throw new ResultsError(`${arg} does not exist; give a report folder (reports/<test>-<time>/) or a results JSON file.`);
  }
  if (!isDir) return { path, dir: dirname(path), label: basename(path).replace(/\.json$/, ''), results: parse(path) };
  const direct = join(path, 'results.json');
  try {
    if (statSync(direct).isFile()) return { path: direct, dir: path, label: basename(path), results: parse(direct) };
  } catch {
    // no results.json: look for the plugin's <test>-<time>.json
  }
  const candidates = readdirSync(path)
    .filter((f) => f.endsWith('.json'))
    .flatMap((f) => {
      try {
        return [{ f, results: parse(join(path, f)) }];
      } catch {
        return [];
      }
    });
  if (candidates.length === 1) return { path: join(path, candidates[0]!.f), dir: path, label: basename(path), results: candidates[0]!.results };
  throw new ResultsError(
    candidates.length === 0
      ? `${arg} holds no results.json (nor any Artillery results JSON); give a report folder or a results file.`
      : `${arg} holds ${candidates.length} results files and no results.json; name the file to compare.`,
  );
}
