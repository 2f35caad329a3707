// The data file (data/test_data.json): what `up` created on the server, for
// the scenarios to log in with and for `down` to remove. It holds private
// keys, so it is written atomically with mode 0600 and never printed.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parseTestData, type TestData } from '../lib/test-data.ts';

export function serializeTestData(data: TestData): string {
  return `${JSON.stringify(data, null, 2)}\n`;
}

/**
 * Writes the file atomically: a temp file in the same folder (mode 0600,
 * flushed), then rename over the target. A crash leaves the old file or none.
 */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await open(tmp, 'wx', 0o600);
  try {
    try {
      await handle.writeFile(text, 'utf8');
      await handle.chmod(0o600); // in case the umask was stricter than needed or the fs ignores mode
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

export function writeTestData(path: string, data: TestData): Promise<void> {
  return writeFileAtomic(path, serializeTestData(data));
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
