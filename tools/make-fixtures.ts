// Writes the PDF fixtures of the PDF-to-audio journeys (1-5 MB in the
// load-test plan). Same seed -> byte-identical files.
// Each is a few pages of text plus raster figures making up the rest of the size.
//   npx node tools/make-fixtures.ts [--seed N] [--sizes 1,2,5] [--text-pages N] [--out data/fixtures] [--small]
import { join } from 'node:path';
import { writeAtomic } from '../lib/atomic-file.ts';
import { parseCommandLine, UsageError } from '../lib/cli-args.ts';
import { md5Hex } from '../lib/hmp-crypto.ts';
import { DEFAULT_TEXT_PAGES, makePdf } from '../lib/pdf-fixture.ts';

const MiB = 1024 * 1024;
const MAX_MB = 50;
const SMALL_BYTES = 50 * 1024;
const MAX_TEXT_PAGES = 200;

export const USAGE = `Usage: npx node tools/make-fixtures.ts [options]
Writes <out>/fixture-<size>mb.pdf (1 MB = 1 MiB), each like a paper: pages of
seeded, extractable text, and raster figures that make up the rest of the size.
  --seed N        seed of the text and figures, a non-negative integer (default 1)
  --sizes LIST    sizes in MB, comma-separated, each > 0 and <= ${MAX_MB} (default 1,2,5)
  --text-pages N  pages of text, 1 to ${MAX_TEXT_PAGES} (default ${DEFAULT_TEXT_PAGES}, ~750 words a page);
                  (a size too small for them gets as many as fit)
  --out DIR       output folder (default data/fixtures)
  --small         also write small.pdf (~50 KB) for quick tests
  --help          print this help`;

const SEE_HELP = 'run with --help for usage';

/** Pure: command-line arguments -> what to write (each file's name and target size), 'help', or a UsageError. */
export function parseFixtureArgs(argv: string[]) {
  const { values } = parseCommandLine({
    args: argv,
    strict: true,
    options: {
      seed: { type: 'string', default: '1' },
      sizes: { type: 'string', default: '1,2,5' },
      'text-pages': { type: 'string', default: String(DEFAULT_TEXT_PAGES) },
      out: { type: 'string', default: 'data/fixtures' },
      small: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help' as const;

  if (!/^\d+$/.test(values.seed) || Number(values.seed) > 0xffffffff) {
    throw new UsageError(`--seed must be an integer from 0 to ${0xffffffff}, got "${values.seed}"; ${SEE_HELP}.`);
  }
  const textPages = values['text-pages'];
  if (!/^\d+$/.test(textPages) || Number(textPages) < 1 || Number(textPages) > MAX_TEXT_PAGES) {
    throw new UsageError(`--text-pages must be an integer from 1 to ${MAX_TEXT_PAGES}, got "${textPages}"; ${SEE_HELP}.`);
  }
  const sizes = values.sizes.split(',').map((text) => {
    const mb = text.trim() === '' ? NaN : Number(text);
    if (!Number.isFinite(mb) || mb <= 0 || mb > MAX_MB) {
      throw new UsageError(`--sizes takes megabytes above 0 and at most ${MAX_MB}, like 1,2,5; "${text}" is not one of them.`);
    }
    return mb;
  });
  const files = [...new Set(sizes)].map((mb) => ({ name: `fixture-${mb}mb.pdf`, targetBytes: Math.round(mb * MiB) }));
  if (values.small) files.push({ name: 'small.pdf', targetBytes: SMALL_BYTES });
  return { seed: Number(values.seed), textPages: Number(textPages), out: values.out, files };
}

async function main(argv: string[]): Promise<number> {
  let plan;
  try {
    plan = parseFixtureArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`make-fixtures: ${err.message}`);
    return 2;
  }
  if (plan === 'help') {
    console.log(USAGE);
    return 0;
  }
  for (const { name, targetBytes } of plan.files) {
    const bytes = await makePdf({ seed: plan.seed, targetBytes, textPages: plan.textPages });
    const path = join(plan.out, name);
    writeAtomic(path, bytes); // a reader never sees half a fixture
    console.log(`${path}  ${bytes.length} bytes  md5 ${md5Hex(bytes)}`);
  }
  return 0;
}

if (import.meta.main) {
  main(process.argv.slice(2)).then(
    (code) => { process.exitCode = code; },
    (err: Error) => {
      console.error(`make-fixtures: could not write the fixtures: ${err.message}`);
      process.exitCode = 1;
    },
  );
}
