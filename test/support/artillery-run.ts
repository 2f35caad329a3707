// Runs the real Artillery CLI on a scenario file against a twin, the way a
// person would (scenarios/common-config.yml + a scenario), with a per-run
// config (target, phases, variables), and processors/index.js as the
// processor (Node loads it as it is: no bundle, so runs can go in parallel).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encode as cborEncode } from 'cbor-x';
import { md5Hex, PublicKeyCipher } from '../../lib/hmp-crypto.ts';
import { makePdf } from '../../lib/pdf-fixture.ts';
import type { TwinHandle } from '../../twin/server.ts';
import { call, login, seed } from './twin-session.ts';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const ARTILLERY = join(ROOT, 'node_modules/artillery/bin/run');
/** The processor entry Node loads without Artillery's bundle (processors/index.js). */
export const PROCESSOR = join(ROOT, 'processors/index.js');

export interface Report {
  counters: Record<string, number>;
  summaries: Record<string, { count: number; min: number; max: number; p50: number; p95: number; p99: number }>;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  aggregate: Report;
  dir: string;
  uploadsLog: string;
}

export interface RunOptions {
  /** A label for the run folder. */
  label: string;
  /** Scenario file, relative to the project. */
  scenario: string;
  target: string;
  phases: object[];
  env?: Record<string, string>;
  variables?: Record<string, unknown>;
  /** Only this scenario of the file (Artillery's --scenario-name). */
  scenarioName?: string;
}

/** A fresh folder under test-artifacts/ (git-ignored). */
export function runDir(label: string): string {
  const dir = join(ROOT, 'test-artifacts', `${label}-${process.pid}-${randomBytes(3).toString('hex')}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * A folder whose processor.ts re-exports processors/index.ts, for a run that
 * takes the phase file's path: Artillery bundles it into <dir>/dist/ (its own,
 * so concurrent runs never share a bundle) and deletes the bundle afterwards.
 */
export function bundledRunDir(label: string): string {
  const dir = runDir(label);
  mkdirSync(join(dir, 'dist'));
  // The bundle is CommonJS in a "type": "module" project.
  writeFileSync(join(dir, 'dist/package.json'), '{ "type": "commonjs" }\n');
  writeFileSync(join(dir, 'processor.ts'), `export * from '${relative(dir, join(ROOT, 'processors/index.ts'))}';\n`);
  return dir;
}

export function runArtillery(opts: RunOptions, dir = runDir(opts.label)): Promise<RunResult> {
  const config: Record<string, unknown> = { config: { target: opts.target, phases: opts.phases, processor: PROCESSOR, variables: opts.variables ?? {} } };
  writeFileSync(join(dir, 'run.yml'), JSON.stringify(config, null, 2));
  const out = join(dir, 'out.json');
  const uploadsLog = join(dir, 'uploads.jsonl');
  const args = [ARTILLERY, 'run', 'scenarios/common-config.yml', opts.scenario, '-c', join(dir, 'run.yml'), '-o', out];
  if (opts.scenarioName) args.push('--scenario-name', opts.scenarioName);
  const env = {
    ...process.env,
    ARTILLERY_DISABLE_TELEMETRY: 'true',
    HMP_UPLOADS_LOG: uploadsLog,
    HMP_FIXTURES_DIR: join(dir, 'no-fixtures'),
    HMP_TIME_SCALE: '0',
    ...opts.env,
  };
  return new Promise((resolvePromise, reject) => {
    execFile(process.execPath, args, { cwd: ROOT, env, maxBuffer: 32 * 1024 * 1024, timeout: 120_000 }, (err, stdout, stderr) => {
      const code = err && typeof (err as NodeJS.ErrnoException).code !== 'number' && !existsSync(out) ? null : ((err as { code?: number } | null)?.code ?? 0);
      if (!existsSync(out)) {
        reject(new Error(`artillery wrote no report (exit ${code}):\n${stdout.slice(-3000)}\n${stderr.slice(-3000)}`));
        return;
      }
      const report = JSON.parse(readFileSync(out, 'utf8')) as { aggregate: Report };
      resolvePromise({ code, stdout, stderr, aggregate: report.aggregate, dir, uploadsLog });
    });
  });
}

export function cleanUp(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Counters whose name starts with `prefix`. */
export function countersOf(report: Report, prefix: string): Record<string, number> {
  return Object.fromEntries(Object.entries(report.counters).filter(([k]) => k.startsWith(prefix)));
}

export interface SeededData {
  path: string;
  submissions: Array<{ id: number; project_id: number; student_id: number; md5: string }>;
}

/**
 * The test data file tools/test-env.ts `up` would write, from the twin's
 * POST /admin/load-test/up, plus `historical` submissions uploaded as students.
 */
export async function writeTestData(twin: TwinHandle, dir: string, historical = 4): Promise<SeededData> {
  const { up } = await seed(twin);
  const cipher = new PublicKeyCipher();
  const pdf = await makePdf({ seed: 7, targetBytes: 8_000 });
  const submissions: SeededData['submissions'] = [];
  for (const student of up.students.filter((s) => s.project_ids.length > 0).slice(0, historical)) {
    const token = await login(twin.url, student.id, student.private_key);
    const projectId = student.project_ids[0]!;
    const key = await call(twin.url, 'GET', `/submission/instructor_key?project_id=${projectId}`, { token });
    const encrypted = await cipher.encrypt(Buffer.from(key.json.public_key, 'base64'), pdf);
    const r = await call(twin.url, 'POST', '/submission/', {
      token,
      raw: { body: Buffer.from(cborEncode({ project_id: projectId, title: `$TEST$ Historical submission ${submissions.length}`, encrypted_content: encrypted })), type: 'application/cbor' },
    });
    if (r.status !== 200 || typeof r.json?.id !== 'number') throw new Error(`seeding a submission: ${r.status} ${r.text}`);
    submissions.push({ id: r.json.id, project_id: projectId, student_id: student.id, md5: md5Hex(encrypted) });
  }
  const data = { target: twin.url, created_at: new Date().toISOString(), via: 'load-test', complete: true, ...up, submissions };
  const path = join(dir, 'test_data.json');
  writeFileSync(path, JSON.stringify(data, null, 2), { mode: 0o600 });
  return { path, submissions };
}
