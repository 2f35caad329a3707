// Runs one phase file with the real Artillery CLI (I/O):
//   artillery run phases/<test>.yml --target URL -o <step>/results.json
// with processors/index.js as the processor (loaded as it is, no bundle), the
// child's output kept in <step>/artillery.log, and its "hmp: ..." lines
// handed to the caller. The child gets its own process group: Ctrl-C reaches
// the suite, which forwards it once (the plugin then writes the results).
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './paths.ts';

export const ARTILLERY = join(ROOT, 'node_modules', 'artillery', 'bin', 'run');
/** The processor entry Node loads as it is (see processors/index.js). */
export const PROCESSOR = join(ROOT, 'processors', 'index.js');

export interface ArtilleryRun {
  test: string;
  target: string;
  /** The step's folder: results.json, artillery.log, uploads.jsonl. */
  dir: string;
  env: Record<string, string>;
  /** The suite's --overrides (checked: overrides.ts), if any. */
  overrides?: Record<string, unknown>;
  /** Each "hmp: ..." line and Artillery's phase lines, as they come. */
  onLine?: (line: string) => void;
}

export interface ArtilleryOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  resultsPath: string;
  logPath: string;
}

/** The env every step's Artillery child gets on top of the suite's own. */
export function stepEnv(o: {
  dataFile: string;
  timeScale: number;
  dir: string;
  adminCredentials: string;
  password: string;
  think?: [number, number];
  conversions?: boolean;
  /** The step serves its own live page (the suite links it from its own). */
  live?: boolean;
  /** --pushgateway: the step publishes its metrics there (HMP_PUSHGATEWAY). */
  pushgateway?: string;
}): Record<string, string> {
  const env: Record<string, string> = {
    ARTILLERY_DISABLE_TELEMETRY: '1',
    HMP_TEST_DATA: o.dataFile,
    HMP_TIME_SCALE: String(o.timeScale),
    HMP_REPORTS_DIR: o.dir,
    // The suite writes the step's report itself, once the system metrics are merged.
    HMP_NO_REPORT: '1',
    HMP_UPLOADS_LOG: join(o.dir, 'uploads.jsonl'),
    HMP_ERRORS_LOG: join(o.dir, 'errors.jsonl'),
    HMP_ADMIN_CREDENTIALS: o.adminCredentials,
    HMP_PASSWORD: o.password,
    // The suite checked the target and every test's length before any load (its own preflight).
    HMP_PREFLIGHT: 'off',
    HMP_ALLOW_SHORT: '1',
  };
  if (o.conversions === false) env.HMP_CONVERSIONS = 'off';
  if (o.pushgateway) env.HMP_PUSHGATEWAY = o.pushgateway;
  env.HMP_LIVE = o.live ? 'on' : 'off';
  if (o.live) env.HMP_LIVE_PORT = '0';
  if (o.think) {
    env.HMP_THINK_MIN = String(o.think[0]);
    env.HMP_THINK_MAX = String(o.think[1]);
  }
  return env;
}

/** A step's --overrides: the suite's own (if any) with the processor added; Artillery takes one. */
export function stepOverrides(overrides: Record<string, unknown> = {}): string {
  const config = (overrides.config ?? {}) as Record<string, unknown>;
  return JSON.stringify({ ...overrides, config: { ...config, processor: PROCESSOR } });
}

export class ArtilleryProcess {
  #child: ChildProcess | undefined;
  #done: Promise<ArtilleryOutcome>;

  constructor(run: ArtilleryRun) {
    mkdirSync(run.dir, { recursive: true });
    const resultsPath = join(run.dir, 'results.json');
    const logPath = join(run.dir, 'artillery.log');
    const log = createWriteStream(logPath);
    const args = [ARTILLERY, 'run', join('phases', `${run.test}.yml`), '--target', run.target, '-o', resultsPath, '--overrides', stepOverrides(run.overrides)];
    const env: Record<string, string | undefined> = { ...process.env, ...run.env, ARTILLERY_DISABLE_TELEMETRY: '1' };
    delete env.HMP_TARGET; // --target decides
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.#child = child;
    let buffered = '';
    const onData = (d: Buffer) => {
      log.write(d);
      buffered += d.toString();
      let i: number;
      while ((i = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, i).replace(/\r$/, '');
        buffered = buffered.slice(i + 1);
        // The lines worth showing: the plugin's and Artillery's phase changes.
        if (/^hmp: |^\s+(PASS|FAIL) |^Phase (started|completed): /.test(line)) run.onLine?.(line);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    this.#done = new Promise((resolve) => {
      child.once('error', (err) => {
        log.end(`\nsuite: could not start Artillery: ${err.message}\n`);
        resolve({ code: null, signal: null, resultsPath, logPath });
      });
      child.once('close', (code, signal) => {
        this.#child = undefined;
        log.end(() => resolve({ code, signal, resultsPath, logPath }));
      });
    });
  }

  /** Forwards a signal to Artillery (its whole process group). */
  signal(sig: NodeJS.Signals): void {
    const child = this.#child;
    if (!child?.pid) return;
    try {
      process.kill(-child.pid, sig);
    } catch {
      child.kill(sig);
    }
  }

  wait(): Promise<ArtilleryOutcome> {
    return this.#done;
  }
}
