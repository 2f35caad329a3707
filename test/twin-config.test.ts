// The twin's CLI: flags, env, and bad input (one clear line, exit code 2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConfigError, defaultConfig, parseTwinArgs } from '../twin/config.ts';
import { listeningUrl } from '../twin/launch.ts';
import { tempDir } from './support/temp-dir.ts';

const MAIN = join(import.meta.dirname, '..', 'twin', 'main.ts');

test("defaults: loopback, in-memory, v1.1, quirks on, no faults; HMP's blocking v1.0 conversions and 5 s keep-alive", () => {
  const c = parseTwinArgs([], {});
  assert.deepEqual(c, defaultConfig());
  assert.ok(c.v10Conversions === 'blocking' && c.keepAliveTimeoutS === 5);
  assert.equal(defaultConfig().host, '127.0.0.1');
});

test('flags and env set the knobs', () => {
  const c = parseTwinArgs(
    ['--port', '0', '--api-version', '1.0', '--capacity', '15', '--overload', 'stall', '--overload-status', '504', '--latency', 'project_list=300,*=5', '--error-rate', '0.05', '--drop-uploads', '0.1', '--serve-server-key', '--strict-cbor', '--unassigned-status', '403', '--jwt-lifetime', '60', '--v10-conversions', 'concurrent', '--keep-alive-timeout', '75'],
    { HMP_TWIN_ADMIN_PASSWORD: 'pw', HMP_TWIN_JWT_SECRET: 'sec' },
  );
  assert.ok(c !== 'help');
  assert.equal(c.apiVersion, '1.0');
  assert.equal(c.capacity, 15);
  assert.equal(c.overloadMode, 'stall');
  assert.equal(c.overloadStatus, 504);
  assert.deepEqual(c.latencyMs, { project_list: 300, '*': 5 });
  assert.equal(c.errorRate, 0.05);
  assert.equal(c.dropUploads, 0.1);
  assert.equal(c.quirkPublicKey401, false);
  assert.equal(c.quirkCborUpload200, false);
  assert.equal(c.quirkUnassigned500, false);
  assert.equal(c.jwtLifetimeS, 60);
  assert.equal(c.v10Conversions, 'concurrent');
  assert.equal(c.keepAliveTimeoutS, 75);
  assert.equal(c.adminPassword, 'pw');
  assert.equal(c.jwtSecret, 'sec');
});

test('bad values are one clear sentence', () => {
  const cases: Array<[string[], RegExp]> = [
    [['--port', 'x'], /--port must be a whole number from 0 to 65535, got "x"/],
    [['--error-rate', '2'], /--error-rate must be a share between 0 and 1/],
    [['--api-version', '2'], /--api-version must be 1.0 or 1.1/],
    [['--latency', 'oops'], /--latency takes NAME=MS pairs/],
    [['--v10-conversions', 'sometimes'], /--v10-conversions must be blocking or concurrent/],
    [['--keep-alive-timeout', '0'], /--keep-alive-timeout must be a whole number from 1 to 3600/],
    [['--host', '10.0.0.1'], /--host must be a loopback address/],
    [['--bogus'], /Unknown option '--bogus'.*--help/],
    [['--capacity', '-1'], /--capacity needs a value; for a value starting with a dash write --capacity=VALUE/],
    [['--capacity=-1'], /--capacity must be a whole number from 0/],
  ];
  for (const [argv, message] of cases) assert.throws(() => parseTwinArgs(argv, {}), (e: Error) => e instanceof ConfigError && message.test(e.message));
});

test('CLI: a bad flag prints one line and exits 2', () => {
  const r = spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', MAIN, '--capacity', 'many'], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  assert.match(r.stderr, /^twin: --capacity must be a whole number/);
});

test('CLI: starts, prints its URL and credentials path, stops on SIGTERM', async () => {
  const creds = join(tempDir('twin-cli-'), 'admin.bin');
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', MAIN, '--port', '0', '--admin-credentials', creds], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      // The line the launcher (twin/launch.ts) reads, with a loopback URL.
      const url = listeningUrl(out);
      if (url && /^http:\/\/127\.0\.0\.1:\d+$/.test(url) && out.includes('server public key')) resolve(url);
    });
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
  assert.match(out, new RegExp(`admin credentials: ${creds}`));
  // The server key a v1.0 user configures (HMP_SERVER_PUBLIC_KEY), printed and written beside the credentials.
  const key = /server public key: (\S+) \(also in (\S+);/.exec(out)!;
  assert.equal(Buffer.from(key[1]!, 'base64').length, 32);
  assert.equal(readFileSync(key[2]!, 'utf8').trim(), key[1]);
  assert.equal(key[2], join(dirname(creds), 'twin-server-public-key.txt'));
  assert.equal((await fetch(`${url}/health`)).status, 200);
  const code = await new Promise((resolve) => {
    child.on('exit', resolve);
    child.kill('SIGTERM');
  });
  assert.equal(code, 0);
});
