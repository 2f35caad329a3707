// A known upstream defect that makes conversions untestable is one finding,
// said before any load with what to do: a v1.0 twin answers 401 on
// GET /credentials/public-key, as current HMP does. Without
// HMP_SERVER_PUBLIC_KEY the suite says so at set-up and the smoke's abort
// names the defect (not one line per failed conversion); with
// --no-conversions the rest is tested and conversions are "not tested".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { readinessOf } from '../lib/preflight/conversions.ts';
import { parseSuiteArgs } from '../suite/run/args.ts';
import { stepEnv } from '../suite/run/artillery.ts';
import { resolveSettings } from '../plugins/artillery-plugin-hmp/settings.ts';
import { CONVERSION_ENDPOINTS } from '../plugins/artillery-plugin-hmp/core/criteria.ts';
import { parseSettings } from '../processors/settings.ts';
import { ROOT } from './support/artillery-run.ts';
import { outDir, statuses, suite, why } from './support/suite-run.ts';

const FAST = ['--time-scale', '0.002', '--smoke-time-scale', '0.05', '--submissions', '10', '--only', 'smoke'];

test('the pre-check decides from the answers: v1.1, v1.0 with a key, v1.0 without one', () => {
  const v11 = readinessOf('http://127.0.0.1:1', { uploadKey: { status: 200, body: { is_success: true, task_uuid: 'x' } }, keyConfigured: false });
  assert.deepEqual([v11.version, v11.ready], ['1.1', true]);
  const configured = readinessOf('http://127.0.0.1:1', { uploadKey: { status: 200, body: { encrypted_aes_key: 'k' } }, keyConfigured: true });
  assert.deepEqual([configured.version, configured.ready], ['1.0', true]);
  const served = readinessOf('http://127.0.0.1:1', { uploadKey: { status: 200, body: { encrypted_aes_key: 'k' } }, publicKey: { status: 200, body: { public_key: 'AAAA' } }, keyConfigured: false });
  assert.equal(served.ready, true);
  const broken = readinessOf('http://127.0.0.1:1', { uploadKey: { status: 200, body: { encrypted_aes_key: 'k' } }, publicKey: { status: 401, body: { detail: 'x' } }, keyConfigured: false });
  assert.equal(broken.ready, false);
  assert.match(broken.text, /^Conversions cannot be tested on http:\/\/127\.0\.0\.1:1: it runs HMP API v1\.0, whose GET \/credentials\/public-key answered 401 to every caller \(a known HMP defect.*\)/);
  assert.match(broken.text, /; set HMP_SERVER_PUBLIC_KEY .* or run with --no-conversions/);
  // No answer to the question itself: not pre-checked, the tests show it.
  assert.equal(readinessOf('http://127.0.0.1:1', { uploadKey: { error: 'ECONNRESET' }, keyConfigured: false }).ready, true);
});

test('a v1.0 server without its key: the set-up says it, the smoke aborts naming the defect once', { timeout: 240_000 }, async () => {
  const out = outDir('conversions-defect');
  try {
    const r = await suite([...FAST, '--twin-args', '--api-version 1.0'], { out, env: { HMP_SERVER_PUBLIC_KEY: '' } });
    assert.equal(r.code, 4, why(r));
    assert.match(r.stderr, /\[1\/9 setup\] finding: Conversions cannot be tested on http:\/\/127\.0\.0\.1:\d+: it runs HMP API v1\.0/);
    assert.equal(statuses(r).smoke, 'aborted');
    const smoke = r.summary.steps.find((s) => s.id === 'smoke')!;
    assert.match(smoke.reason!, /^"Functional issues detected": Conversions cannot be tested on /);
    const flag = r.summary.flags.find((f) => f.step === 'smoke')!;
    const about = flag.evidence.filter((e) => /pdf_execute|no_server_key|public-key/.test(e.citation));
    assert.equal(about.length, 1, `the defect is cited once: ${JSON.stringify(flag.evidence)}`);
    assert.match(about[0]!.citation, /\(\d+ conversions of the smoke failed for it\)$/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('--no-conversions: the steps convert nothing and the smoke does not count conversions as critical', async () => {
  const parsed = parseSuiteArgs(['--no-conversions']);
  assert.equal(parsed.kind === 'run' && parsed.options.conversions, false);
  const env = stepEnv({ dataFile: 'd', timeScale: 1, dir: '/tmp/x', adminCredentials: 'a', password: 'p', conversions: false });
  assert.equal(env.HMP_CONVERSIONS, 'off');
  assert.equal(stepEnv({ dataFile: 'd', timeScale: 1, dir: '/tmp/x', adminCredentials: 'a', password: 'p' }).HMP_CONVERSIONS, undefined);
  // The plugin: no conversion endpoint among the smoke's critical ones, and the run says it did not test them.
  const settings = resolveSettings({ test: 'smoke' }, join(ROOT, 'phases'), {}, { HMP_CONVERSIONS: 'off' });
  assert.equal(settings.conversions, false);
  assert.deepEqual(settings.criteria.smokeEndpoints.filter((e) => CONVERSION_ENDPOINTS.includes(e)), []);
  assert.ok(settings.criteria.smokeEndpoints.includes('audit_list'));
  // The processors: no session plans a conversion.
  assert.equal(parseSettings({ HMP_CONVERSIONS: 'off' }).conversions, false);
  assert.equal(parseSettings({}).conversions, true);
});
