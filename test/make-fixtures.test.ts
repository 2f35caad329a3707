// tools/make-fixtures.ts: argument parsing (pure) and the real CLI in a temp dir
// (separate processes: the fixtures are byte-identical across runs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseFixtureArgs } from '../tools/make-fixtures.ts';
import { UsageError } from '../lib/cli-args.ts';

const CLI = new URL('../tools/make-fixtures.ts', import.meta.url).pathname;
const MiB = 1024 * 1024;

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, ...args]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

test('defaults: seed 1, 6 pages of text, 1/2/5 MB into data/fixtures', () => {
  assert.deepEqual(parseFixtureArgs([]), {
    seed: 1,
    textPages: 6,
    out: 'data/fixtures',
    files: [1, 2, 5].map((mb) => ({ name: `fixture-${mb}mb.pdf`, targetBytes: mb * MiB })),
  });
});

test('--small adds small.pdf; repeated sizes are written once; --text-pages; --help', () => {
  const plan = parseFixtureArgs(['--sizes', '1,1.0,0.5', '--small', '--seed', '9', '--out', 'x', '--text-pages', '12']);
  assert.notEqual(plan, 'help');
  assert.deepEqual(plan, {
    seed: 9,
    textPages: 12,
    out: 'x',
    files: [{ name: 'fixture-1mb.pdf', targetBytes: MiB }, { name: 'fixture-0.5mb.pdf', targetBytes: MiB / 2 },
      { name: 'small.pdf', targetBytes: 50 * 1024 }],
  });
  assert.equal(parseFixtureArgs(['--help']), 'help');
});

test('bad input is a UsageError naming the problem', () => {
  for (const [args, pattern] of [
    [['--bogus'], /Unknown option '--bogus'/],
    [['--sizes', '1,two'], /"two"/],
    [['--sizes', '0'], /"0"/],
    [['--sizes', '51'], /"51"/],
    [['--sizes', ''], /""/],
    [['--seed', 'x'], /--seed must be an integer/],
    [['--text-pages', '0'], /--text-pages must be an integer from 1 to 200, got "0"/],
    [['--text-pages', '2.5'], /"2\.5"/],
    [['--text-pages', '201'], /"201"/],
    [['stray'], /Unexpected argument 'stray'/],
  ] as const) {
    const isIt = (err: unknown) => err instanceof UsageError && pattern.test(err.message);
    assert.throws(() => parseFixtureArgs([...args]), isIt);
  }
});

test('the CLI writes fixtures: deterministic per seed, different for another seed or --text-pages', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'make-fixtures-'));
  try {
    const args = (seed: string, out: string, ...more: string[]) =>
      ['--seed', seed, '--sizes', '0.1', '--small', '--out', join(dir, out), ...more];
    const results = await Promise.all([run(args('1', 'a')), run(args('1', 'b')), run(args('2', 'c')),
      run(args('1', 'd', '--text-pages', '2'))]);
    for (const r of results) assert.equal(r.code, 0, r.stderr);
    assert.match(results[0].stdout, /fixture-0\.1mb\.pdf {2}\d+ bytes {2}md5 [0-9a-f]{32}\n.*small\.pdf {2}\d+ bytes {2}md5 [0-9a-f]{32}\n$/);
    assert.deepEqual((await readdir(join(dir, 'a'))).sort(), ['fixture-0.1mb.pdf', 'small.pdf'], 'no temp files left');
    const read = (out: string, name: string) => readFile(join(dir, out, name));
    const a = await read('a', 'fixture-0.1mb.pdf');
    assert.equal(a.subarray(0, 5).toString(), '%PDF-');
    assert.ok(Math.abs(a.length - 0.1 * MiB) < 0.01 * MiB, `${a.length} bytes`);
    assert.deepEqual(a, await read('b', 'fixture-0.1mb.pdf'));
    assert.notDeepEqual(a, await read('c', 'fixture-0.1mb.pdf'));
    const d = await read('d', 'fixture-0.1mb.pdf');
    assert.notDeepEqual(a, d);
    assert.ok(Math.abs(d.length - 0.1 * MiB) < 0.01 * MiB, `${d.length} bytes`);
    assert.match(a.toString('latin1'), /\/Subtype \/Image/, 'figures make up the size');
    assert.deepEqual(await read('a', 'small.pdf'), await read('b', 'small.pdf'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the CLI rejects bad input with exit code 2 and one sentence on stderr', async () => {
  for (const args of [['--sizes', 'big'], ['--sizes', '-1'], ['--sizes', '60'], ['--nope']]) {
    const { code, stdout, stderr } = await run(args);
    assert.equal(code, 2, args.join(' '));
    assert.equal(stdout, '');
    assert.match(stderr, /^make-fixtures: [^\n]+\.\n$/);
  }
});

test('the CLI prints usage for --help', async () => {
  const { code, stdout } = await run(['--help']);
  assert.equal(code, 0);
  assert.match(stdout, /^Usage: npx node tools\/make-fixtures\.ts/);
});
