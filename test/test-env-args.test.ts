// tools/test-env/args.ts: parsing and validation, without I/O.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError, normalizeTarget } from '../lib/cli-args.ts';
import { DEFAULTS, parseTestEnvArgs, type TestEnvOptions } from '../tools/test-env/args.ts';

const base = ['--target', 'http://127.0.0.1:8000/', '--credentials', 'admin.bin'];

function parsed(argv: string[]): TestEnvOptions {
  const out = parseTestEnvArgs(argv);
  assert.notEqual(out, 'help');
  return out as TestEnvOptions;
}

function usageError(argv: string[], pattern: RegExp): void {
  assert.throws(() => parseTestEnvArgs(argv), (err: unknown) => {
    assert.ok(err instanceof UsageError, `expected UsageError, got ${String(err)}`);
    assert.match(err.message, pattern);
    assert.doesNotMatch(err.message, /\n/, 'one line');
    return true;
  });
}

test('up with only the required options takes the documented defaults', () => {
  const o = parsed(['up', ...base]);
  assert.equal(o.command, 'up');
  assert.equal(o.target, 'http://127.0.0.1:8000');
  assert.equal(o.credentialsPath, 'admin.bin');
  assert.equal(o.via, undefined);
  assert.equal(o.force, false);
  assert.deepEqual([o.instructors, o.students, o.projects, o.submissions], [2, 80, 25, 300]);
  assert.equal(o.dataPath, DEFAULTS.dataPath);
  assert.equal(o.fixturePath, undefined);
  assert.equal(o.timeoutMs, 30_000);
  assert.equal(o.seed, undefined);
});

test('--via api takes sizes, submissions, fixture, data, timeout and seed', () => {
  const o = parsed([
    'up', ...base, '--via', 'api', '--instructors', '1', '--students', '5', '--projects', '3',
    '--submissions', '0', '--fixture', 'a.pdf', '--data', '/tmp/x.json', '--timeout', '5', '--seed', '42', '--force',
  ]);
  assert.equal(o.via, 'api');
  assert.deepEqual([o.instructors, o.students, o.projects, o.submissions], [1, 5, 3, 0]);
  assert.equal(o.fixturePath, 'a.pdf');
  assert.equal(o.dataPath, '/tmp/x.json');
  assert.equal(o.timeoutMs, 5000);
  assert.equal(o.seed, 42);
  assert.equal(o.force, true);
});

test('down takes its target from the data file unless given', () => {
  const o = parsed(['down', '--credentials', 'admin.bin']);
  assert.equal(o.command, 'down');
  assert.equal(o.target, undefined);
  assert.equal(parsed(['down', ...base]).target, 'http://127.0.0.1:8000');
});

test('--help wins over everything else', () => {
  assert.equal(parseTestEnvArgs(['--help']), 'help');
  assert.equal(parseTestEnvArgs(['up', '--help']), 'help');
});

test('the password is refused on the command line, with the reason', () => {
  usageError(['up', ...base, '--password', 'secret'], /never taken from the command line.*HMP_PASSWORD/);
});

test('command, target and credentials are required', () => {
  usageError(base, /exactly one command, up or down \(got nothing\)/);
  usageError(['sideways', ...base], /got "sideways"/);
  usageError(['up', 'down', ...base], /got "up down"/);
  usageError(['up', '--credentials', 'a.bin'], /up needs --target/);
  usageError(['up', '--target', 'http://127.0.0.1:8000'], /needs --credentials/);
});

test('unknown options and missing values say so briefly', () => {
  usageError(['up', ...base, '--bogus'], /^unknown option --bogus; run with --help/);
  usageError(['up', ...base, '--data'], /^option --data needs a value/);
});

test('values are validated', () => {
  usageError(['up', ...base, '--via', 'ssh'], /--via must be load-test or api, got "ssh"/);
  usageError(['up', ...base, '--submissions=-1'], /--submissions must be a whole number from 0/);
  usageError(['up', ...base, '--submissions', '2.5'], /--submissions must be a whole number/);
  usageError(['up', ...base, '--via', 'api', '--students', '0'], /--students must be a whole number from 1/);
  usageError(['up', ...base, '--via', 'api', '--students', ''], /--students must be a whole number/);
  usageError(['up', ...base, '--timeout', '0'], /--timeout must be a whole number from 1/);
  usageError(['up', '--target', 'ftp://x', '--credentials', 'a.bin'], /http:\/\/ or https:\/\//);
  usageError(['up', '--target', 'not a url', '--credentials', 'a.bin'], /must be a URL/);
});

test('sizes only apply to up --via api; submissions and fixture only to up', () => {
  usageError(['up', ...base, '--students', '5'], /--students only apply with --via api.*80 students/);
  usageError(['up', ...base, '--via', 'load-test', '--projects', '5'], /--projects only apply with --via api/);
  usageError(['down', ...base, '--via', 'api', '--students', '5'], /only apply to up/);
  usageError(['down', ...base, '--submissions', '5'], /only apply to up/);
});

test('--wait takes seconds or a unit, only for down; default: the library\'s', () => {
  assert.equal(parsed(['down', ...base]).waitMs, undefined);
  assert.equal(parsed(['down', ...base, '--wait', '10m']).waitMs, 600_000);
  assert.equal(parsed(['down', ...base, '--wait', '90']).waitMs, 90_000);
  assert.equal(parsed(['down', ...base, '--wait', '90s']).waitMs, 90_000);
  assert.equal(parsed(['down', ...base, '--wait', '1h']).waitMs, 3_600_000);
  assert.equal(parsed(['down', ...base, '--wait', '0']).waitMs, 0);
  for (const bad of ['soon', '10 minutes', '-5', '1.5m', '25h']) usageError(['down', ...base, `--wait=${bad}`], /--wait must be a duration such as 90, 90s, 10m/);
  usageError(['up', ...base, '--wait', '10m'], /--wait only applies to down/);
});

test('normalizeTarget keeps a base path and drops trailing slashes', () => {
  assert.equal(normalizeTarget('http://localhost:8000'), 'http://localhost:8000');
  assert.equal(normalizeTarget('https://hmp.example/api/'), 'https://hmp.example/api');
  assert.throws(() => normalizeTarget('http://x/?a=1'), /without a query/);
});
