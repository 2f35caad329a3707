// Runs `npm run suite` (tools/suite.ts) as a user would, for the suite's end-to-end tests.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SuiteState } from '../../suite/run/state.ts';
import type { SuiteSummary } from '../../suite/run/summary.ts';
import type { TwinProcess } from '../../twin/launch.ts';
import { ROOT } from './artillery-run.ts';

export interface SuiteRun {
  code: number | null;
  stdout: string;
  stderr: string;
  dir: string;
  summary: SuiteSummary;
  state: SuiteState;
}

/** Runs tools/suite.ts (as `npm run suite` does) with plain progress lines; `onLine` sees stderr lines as they come. */
export function suite(args: string[], opts: { env?: Record<string, string>; out: string; onLine?: (line: string, kill: (sig: NodeJS.Signals) => void) => void; resume?: string }): Promise<SuiteRun> {
  const argv = opts.resume ? ['--resume', opts.resume, '--plain'] : [...args, '--plain', '--out', opts.out];
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', join(ROOT, 'tools', 'suite.ts'), ...argv], {
    cwd: ROOT,
    env: { ...process.env, ARTILLERY_DISABLE_TELEMETRY: '1', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let partial = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    partial += d.toString();
    let i: number;
    while ((i = partial.indexOf('\n')) >= 0) {
      const line = partial.slice(0, i);
      partial = partial.slice(i + 1);
      opts.onLine?.(line, (sig) => child.kill(sig));
    }
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
  return new Promise((resolve, reject) => {
    child.once('close', (code) => {
      clearTimeout(timer);
      const m = /suite report: (\S+)\/suite-report\.html/.exec(stdout);
      if (!m) {
        reject(new Error(`no suite report (exit ${code}):\n${stdout.slice(-2000)}\n${stderr.slice(-4000)}`));
        return;
      }
      const dir = m[1]!;
      resolve({
        code,
        stdout,
        stderr,
        dir,
        summary: JSON.parse(readFileSync(join(dir, 'suite-summary.json'), 'utf8')) as SuiteSummary,
        state: JSON.parse(readFileSync(join(dir, 'suite-state.json'), 'utf8')) as SuiteState,
      });
    });
  });
}

export function outDir(label: string): string {
  const dir = join(ROOT, 'test-artifacts', `suite-run-${label}-${process.pid}-${randomBytes(3).toString('hex')}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

export const why = (r: SuiteRun) => `exit ${r.code}\n${r.stdout}\n${r.stderr.slice(-6000)}`;
export const statuses = (r: SuiteRun) => Object.fromEntries(r.summary.steps.map((s) => [s.id, s.status]));

/** The report files exist, every test that ran links its own report, teardown removed and verified the test data; the console ends on the verdict and the report's path. */
export function assertReportAndTeardown(r: SuiteRun): void {
  const last = r.stdout.trimEnd().split('\n').slice(-2);
  assert.equal(last[0], r.summary.headline, `the verdict is the last line but one:\n${r.stdout}`);
  assert.match(last[1]!, /^suite report: \S+\/suite-report\.html \(also suite-summary\.md, suite-summary\.json; exit \d+\)$/);
  assert.match(r.stderr.trimEnd().split('\n').at(-1)!, /^suite: \[9\/9 report\] /, 'nothing is said on stderr after the report step');
  for (const f of ['suite-report.html', 'suite-summary.md', 'suite-summary.json']) assert.ok(existsSync(join(r.dir, f)), `${f} written`);
  for (const s of r.summary.steps) {
    if (['smoke', 'average', 'stress', 'spike', 'breakpoint', 'soak'].includes(s.id) && ['passed', 'flagged', 'aborted', 'recorded'].includes(s.status)) {
      assert.ok(s.report && existsSync(join(r.dir, s.report)), `${s.id}: its own report ${s.report} exists`);
      assert.match(readFileSync(join(r.dir, 'suite-report.html'), 'utf8'), new RegExp(`href="${s.report!.replace(/[.]/g, '\\.')}"`), `${s.id}: linked from the suite report`);
    }
  }
  assert.equal(r.summary.steps.find((s) => s.id === 'teardown')!.status, 'passed', `teardown verified: ${r.summary.steps.find((s) => s.id === 'teardown')!.reason}`);
  assert.match(r.summary.steps.find((s) => s.id === 'teardown')!.reason!, /removed and verified \d+ test users/);
  assert.ok(!existsSync(r.state.dataFile), 'the data file is gone');
}

/** After teardown no test user can get a login challenge (404 deleted / 400 expired). */
export async function assertUsersGone(twin: TwinProcess, r: SuiteRun): Promise<void> {
  const ids = (r.state.steps.setup.details!.setup as { userIds: number[] }).userIds;
  assert.ok(ids.length >= 100, `${ids.length} test users were seeded`);
  for (const id of ids) {
    const res = await fetch(`${twin.url}/auth/challenge`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user_id: id }) });
    await res.arrayBuffer();
    assert.ok(res.status === 404 || res.status === 400, `user ${id}: challenge answered ${res.status}`);
  }
}

// The smoke at 0.1 (12 s of hold): its sessions must reach every endpoint even on a busy machine (at 0.05, 6 s, two of five did not, beside two CPU hogs).
export const FAST = ['--time-scale', '0.002', '--smoke-time-scale', '0.1', '--submissions', '20'];
