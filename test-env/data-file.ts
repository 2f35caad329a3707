// The data file (data/test_data.json): what `up` created on the server, for
// the scenarios to log in with and for `down` to remove. It holds private
// keys, so it is written atomically with mode 0600 and never printed.
import { readFile } from 'node:fs/promises';
import { writeAtomic } from '../lib/atomic-file.ts';
import { parseTestData, type TestData } from '../lib/test-data.ts';

export function serializeTestData(data: TestData): string {
  return `${JSON.stringify(data, null, 2)}\n`;
}

/** Atomic, flushed and 0600 whatever the old file's mode: a crash leaves the old file or none. */
export async function writeTestData(path: string, data: TestData): Promise<void> {
  writeAtomic(path, serializeTestData(data), { mode: 0o600, fsync: true });
}

/** Reads the data file; undefined when it does not exist. */
export async function readTestData(path: string): Promise<TestData | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return parseTestData(text);
}
