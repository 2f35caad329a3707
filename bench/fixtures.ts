// The PDFs the suite's runs upload and convert, written before the run: the
// same two 20 KB papers processors/fixtures.ts would generate on the first
// upload (same seeds, size and titles), as files in HMP_FIXTURES_DIR, the way
// `npm run fixtures` prepares a real run. Generating them inside the run
// stalls the worker's event loop for ~100-200 ms at the first upload (see
// bench/README.md, "Hotspots").
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makePdf } from '../lib/pdf-fixture.ts';

export const FIXTURE = { seed: 0x4d50, count: 2, bytes: 20_000 } as const;

export function fixturePdf(i: number): Promise<Uint8Array> {
  return makePdf({ seed: FIXTURE.seed + i, targetBytes: FIXTURE.bytes, title: `HMP load test paper ${i + 1}` });
}

/** Writes the papers to `dir` (created) and returns it. */
export async function writeFixtures(dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < FIXTURE.count; i++) writeFileSync(join(dir, `paper-${i + 1}.pdf`), await fixturePdf(i));
  return dir;
}
