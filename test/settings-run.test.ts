// Settings checked like input, end to end: the real `artillery run
// phases/smoke.yml --overrides ...` with a misspelt key or a negative limit
// stops in seconds with one sentence naming --overrides and exit 2, before
// any load (the target counts every request it gets); broken JSON is
// Artillery's to report (exit 1), and `npm run suite -- --overrides` says it
// in one sentence with exit 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROCESSOR, ROOT } from './support/artillery-run.ts';

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

function run(args: string[]): Promise<Exit> {
  const env: Record<string, string | undefined> = { ...process.env, HMP_LIVE: 'off', ARTILLERY_DISABLE_TELEMETRY: '1' };
  delete env.HMP_TARGET;
  const t0 = Date.now();
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: ROOT, env, timeout: 120_000 }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: unknown }).code as number | null) : 0;
      resolve({ code: typeof code === 'number' ? code : null, stdout, stderr, seconds: (Date.now() - t0) / 1000 });
    });
  });
}

/** A target that answers everything and counts what it got: 0 means no load was sent. */
async function countingTarget(): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
  let requests = 0;
  const server = createServer((_req, res) => {
    requests++;
    res.end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests: () => requests, close: () => new Promise((r) => server.close(() => r())) };
}

const ARTILLERY = join(ROOT, 'node_modules/artillery/bin/run');
const hmp = (settings: unknown) => JSON.stringify({ config: { processor: PROCESSOR, plugins: { hmp: settings } } });

const CASES: Array<[string, string, string]> = [
  ['a misspelt key', hmp({ slo: { auht: 300 } }), 'hmp: unknown setting "slo.auht" in --overrides; did you mean "slo.auth"?'],
  ['a negative limit', hmp({ slo: { auth: -5 } }), 'hmp: slo.auth must be a number above 0 (ms) in --overrides, got -5.'],
  ['a wrong type', hmp({ system: { cpuPct: 'high' } }), 'hmp: system.cpuPct must be a number above 0 (%) in --overrides, got "high".'],
];

for (const [what, overrides, sentence] of CASES) {
  test(`artillery run phases/smoke.yml --overrides with ${what}: one sentence naming --overrides, exit 2, no load`, async () => {
    const target = await countingTarget();
    const dir = mkdtempSync(join(tmpdir(), 'hmp-settings-run-'));
    try {
      const out = join(dir, 'out.json');
      const r = await run([ARTILLERY, 'run', 'phases/smoke.yml', '--target', target.url, '-o', out, '--overrides', overrides]);
      assert.equal(r.code, 2, `${r.stdout.slice(-1500)}\n${r.stderr}`);
      assert.equal(r.stderr, `${sentence}\n`, 'one sentence on stderr, nothing else');
      assert.equal(target.requests(), 0, 'no request reached the target');
      assert.ok(!existsSync(out), 'no results written');
      assert.ok(r.seconds < 30, `stopped in ${r.seconds} s`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await target.close();
    }
  });
}

test('broken --overrides JSON: plain Artillery stops before any plugin with its parser\'s message and exit 1; the suite says it in one sentence, exit 2', async () => {
  const target = await countingTarget();
  try {
    // Artillery parses --overrides itself (lib/util.js addOverrides) before loading any plugin: no way in for the project.
    const plain = await run([ARTILLERY, 'run', 'phases/smoke.yml', '--target', target.url, '--overrides', '{"config":']);
    assert.equal(plain.code, 1, plain.stderr);
    assert.match(plain.stderr, /^Error: Unexpected end of JSON input$/m);
    assert.equal(target.requests(), 0);
  } finally {
    await target.close();
  }
  const suite = await run([join(ROOT, 'tools/suite.ts'), '--overrides', '{"config":']);
  assert.equal(suite.code, 2, suite.stderr);
  assert.equal(
    suite.stderr,
    `suite: error: --overrides is not valid JSON (Unexpected end of JSON input); give one JSON object in single quotes, e.g. --overrides '{"config":{"plugins":{"hmp":{"slo":{"auth":300}}}}}'.\n`,
  );
  const misspelt = await run([join(ROOT, 'tools/suite.ts'), '--overrides', JSON.stringify({ config: { plugins: { hmp: { slo: { auht: 300 } } } } })]);
  assert.equal(misspelt.code, 2, misspelt.stderr);
  assert.equal(misspelt.stderr, 'suite: error: unknown setting "slo.auht" in --overrides; did you mean "slo.auth"?\n');
});
