// `npm test`: node's test runner, longest file first. Most of the time is a
// few files of real Artillery and suite runs; `node --test` starts files in
// alphabetical order, so a long one named late finished minutes after the
// rest. As pytest-split and Jest's sequencer do, files run in the order of
// their measured durations (test/durations.json, committed; a file it does
// not know goes first, as if it were long), HMP_TEST_CONCURRENCY at a time
// (default 3: most of a run is think time, not CPU, on CI's 2 cores).
//   npm test                          every test/**/*.test.ts
//   npm test -- test/a.test.ts ...    only these files
//   HMP_TEST_DURATIONS=update npm test   rewrites test/durations.json from this run
import { globSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { run } from 'node:test';
import { spec } from 'node:test/reporters';

const ROOT = join(import.meta.dirname, '..');
const DURATIONS = join(ROOT, 'test', 'durations.json');

function readDurations(): Record<string, number> {
  try {
    return JSON.parse(readFileSync(DURATIONS, 'utf8')) as Record<string, number>;
  } catch {
    return {};
  }
}

const concurrency = Number(process.env.HMP_TEST_CONCURRENCY ?? 3);
if (!Number.isInteger(concurrency) || concurrency < 1) {
  console.error(`HMP_TEST_CONCURRENCY must be a whole number of 1 or more (got "${process.env.HMP_TEST_CONCURRENCY}").`);
  process.exit(2);
}
const args = process.argv.slice(2);
const files = (args.length ? args.map((f) => resolve(f)) : globSync('test/**/*.test.ts', { cwd: ROOT }).map((f) => join(ROOT, f))).map((f) => relative(ROOT, f));
const known = readDurations();
const ordered = [...files].sort((a, b) => (known[b] ?? Infinity) - (known[a] ?? Infinity) || a.localeCompare(b));

const measured: Record<string, number> = {};
const stream = run({ files: ordered.map((f) => join(ROOT, f)), concurrency, timeout: 600_000 });
stream.on('test:fail', (data) => {
  if (data.nesting === 0) process.exitCode = 1;
});
stream.on('test:pass', (data) => {
  if (data.nesting === 0 && data.file) {
    const f = relative(ROOT, data.file);
    measured[f] = (measured[f] ?? 0) + data.details.duration_ms / 1000;
  }
});
stream.on('end', () => {
  if (process.env.HMP_TEST_DURATIONS !== 'update' || process.exitCode) return;
  const all = Object.fromEntries(Object.entries({ ...known, ...measured }).sort(([a], [b]) => a.localeCompare(b)).map(([f, s]) => [f, Math.round(s * 10) / 10]));
  writeFileSync(`${DURATIONS}.tmp`, `${JSON.stringify(all, null, 2)}\n`);
  renameSync(`${DURATIONS}.tmp`, DURATIONS);
});
stream.compose(spec).pipe(process.stdout);
