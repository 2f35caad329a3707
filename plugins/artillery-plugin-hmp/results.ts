// The run's results in Artillery's `-o` format ({aggregate, intermediate}),
// written by the plugin when Artillery writes none (early stop, Ctrl-C): the
// file I/O, atomically. The aggregate itself is core/aggregate.ts (pure).
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export function writeJsonAtomic(path: string, data: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(data, null, 2));
  renameSync(tmp, path);
}
