// The PDFs that sessions upload and convert: every *.pdf in HMP_FIXTURES_DIR
// (default data/fixtures; `npm run fixtures` makes them), read once per
// worker; without any, small generated ones (HMP_UPLOAD_BYTES, default 20 KB).
// Loaded at the worker's first session (preloadPdfs), before the load rises:
// made on the first upload instead, they stalled the worker mid-run (~180 ms).
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { makePdf } from '../lib/pdf-fixture.ts';
import { pickOne, type Rand } from './pick.ts';
import { settings } from './settings.ts';

const GENERATED = 2;
const SEED = 0x4d50;

let pdfs: Promise<Uint8Array[]> | undefined;

/** The *.pdf files of `dir`, sorted by name; [] when the folder does not exist. */
export function readFixtureDir(dir: string): Uint8Array[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.toLowerCase().endsWith('.pdf')).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return names.map((n) => readFileSync(join(dir, n)));
}

async function load(): Promise<Uint8Array[]> {
  const { fixturesDir, uploadBytes } = settings();
  const found = readFixtureDir(resolve(fixturesDir));
  if (found.length > 0) return found;
  return Promise.all(
    Array.from({ length: GENERATED }, (_, i) =>
      makePdf({ seed: SEED + i, targetBytes: uploadBytes, title: `HMP load test paper ${i + 1}` })),
  );
}

/** Starts reading (or making) the PDFs; a failure surfaces at the first pickPdf. */
export function preloadPdfs(): void {
  if (pdfs) return;
  pdfs = load();
  pdfs.catch(() => {});
}

export async function pickPdf(rand: Rand): Promise<Uint8Array> {
  preloadPdfs();
  return pickOne(await pdfs!, rand)!;
}
