// Writing a file so that no reader ever sees half of it (I/O): a temp file
// beside it, then a rename. Shared by the report, the suite, the tools, the
// twin and test-env's data file.
import { randomBytes } from 'node:crypto';
import { closeSync, fchmodSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Writes `data` to `path` (creating its folder) via a temp file in the same folder and a rename.
 * `mode` (e.g. 0o600 for a file holding a key) is set on the temp file even under a stricter umask;
 * `fsync` flushes it before the rename, so a crash leaves the old file or the whole new one.
 */
export function writeAtomic(path: string, data: string | Uint8Array, opts: { mode?: number; fsync?: boolean } = {}): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const fd = openSync(tmp, 'wx', opts.mode);
    try {
      writeFileSync(fd, data);
      if (opts.mode !== undefined) fchmodSync(fd, opts.mode);
      if (opts.fsync) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
