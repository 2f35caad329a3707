// Where things go (pure apart from the project root).
import { randomBytes } from 'node:crypto';
import { join, relative, resolve, sep } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..', '..');

export function isInside(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && !/^[a-zA-Z]:/.test(rel));
}

/**
 * The test data file of a suite: in the project's data/ (git-ignored, holds
 * private keys), never in the suite folder; unique even for suites started
 * in the same second from different --out folders.
 */
export function dataFileFor(suiteId: string): string {
  return join(ROOT, 'data', `${suiteId}-${randomBytes(4).toString('hex')}.test_data.json`);
}

/** A path as the suite's files show it: relative to the suite folder, with forward slashes. */
export function rel(suiteDir: string, path: string): string {
  return relative(suiteDir, path).split(sep).join('/');
}
