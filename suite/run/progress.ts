// The progress view: the step (N/9), elapsed and remaining time, current
// users. On a terminal one status line is redrawn in place under the event
// lines; elsewhere (CI logs) everything is plain lines, the status every 30 s.
// Its clock is real time, and says so: a test's own lines count the plan's
// time, which the time scale compresses. Also the lines that open and close
// the console (tests not run and why; the verdict and the report's path
// last). Formatting and estimates are pure; ProgressView only writes.
import type { Shape } from '../../plugins/artillery-plugin-hmp/shape.ts';
import { STEP_COUNT, STEP_OVERHEAD_S, STEP_TITLE, stepNumber, type StepId, type TestId } from './steps.ts';
import type { SuiteSummary } from './summary.ts';

export function clock(s: number): string {
  const t = Math.max(0, Math.round(s));
  const two = (x: number) => String(x).padStart(2, '0');
  const rest = `${two(Math.floor((t % 3600) / 60))}:${two(t % 60)}`;
  return t >= 3600 ? `${Math.floor(t / 3600)}:${rest}` : rest;
}

export function stepTag(step: StepId): string {
  return `[${stepNumber(step)}/${STEP_COUNT} ${step}]`;
}

export interface Users {
  active: number | undefined;
  target: number | undefined;
}

/** "users 10-15 of 10-15 (max deviation 0)" in a plugin line -> the latest (upper) numbers. */
export function parseUsers(line: string): Users | undefined {
  const m = /users (\d+)(?:-(\d+))? of (\d+)(?:-(\d+))?/.exec(line);
  if (!m) return undefined;
  return { active: Number(m[2] ?? m[1]), target: Number(m[4] ?? m[3]) };
}

/** Seconds left: the rest of the current test's shape, then every test still to run (shape + start-up), then teardown. */
export function remainingS(o: {
  current: TestId | undefined;
  currentElapsedS: number;
  pending: TestId[];
  shapes: Partial<Record<TestId, Shape>>;
  /** Extra observation after a test (the spike's recovery), s. */
  extraS?: Partial<Record<TestId, number>>;
  overheadS?: number;
}): number | undefined {
  const over = o.overheadS ?? STEP_OVERHEAD_S;
  const cost = (t: TestId) => {
    const shape = o.shapes[t];
    return shape === undefined ? undefined : shape.total + over + (o.extraS?.[t] ?? 0);
  };
  let total = 5; // teardown and the report
  if (o.current) {
    const c = cost(o.current);
    if (c === undefined) return undefined;
    total += Math.max(0, c - o.currentElapsedS);
  }
  for (const t of o.pending) {
    const c = cost(t);
    if (c === undefined) return undefined;
    total += c;
  }
  return total;
}

export function formatStatus(s: { step: StepId; elapsedS: number; remainingS: number | undefined; users: Users | undefined }): string {
  const left = s.remainingS === undefined ? 'remaining unknown' : `~${clock(s.remainingS)} left`;
  const parts = [`${stepTag(s.step)} ${STEP_TITLE[s.step]}`, `real ${clock(s.elapsedS)} elapsed, ${left}`];
  if (s.users && (s.users.active !== undefined || s.users.target !== undefined)) {
    parts.push(s.users.active !== undefined && s.users.target !== undefined ? `users ${s.users.active} of ${s.users.target}` : `users ${s.users.active ?? s.users.target}`);
  }
  return parts.join(' | ');
}

/** The first line: what runs, and the time scale once, with what it does to the two clocks. */
export function openingLine(o: { dir: string; resumed: boolean; tests: readonly TestId[]; timeScale: number }): string {
  const scale = o.timeScale === 1 ? 'time scale 1 (real time = plan time)' : `time scale ${o.timeScale} (real time = plan time x ${o.timeScale})`;
  return `${o.resumed ? 'resuming' : 'running'} ${o.dir}: ${o.tests.join(', ')} at ${scale}`;
}

/** A test the suite will not run, said at the start with why and how to run it (`reason`: its step's). */
export function notRunLine(test: TestId, reason: string | undefined): string {
  return `not running the ${STEP_TITLE[test].toLowerCase()}: ${reason ?? 'not selected'}`;
}

/** The last lines: the recommendations, then the verdict and the report's path, so the console ends on them. */
export function closingLines(s: Pick<SuiteSummary, 'headline' | 'recommendations' | 'exitCode'>, reportPath: string, also: string[], shown = 5): string[] {
  const lines = s.recommendations.slice(0, shown).map((rec) => `  recommend (${rec.cost}): ${rec.text}${rec.addresses?.[0] ? ` [addresses ${rec.addresses[0]}]` : ''}`);
  if (s.recommendations.length > shown) lines.push(`  ... ${s.recommendations.length - shown} more in the report`);
  lines.push(s.headline, `suite report: ${reportPath} (also ${also.join(', ')}; exit ${s.exitCode})`);
  return lines;
}

export interface Out {
  write(text: string): void;
}

export class ProgressView {
  readonly tty: boolean;
  #out: Out;
  #status = '';
  #lastPlainStatus = 0;
  #plainEveryMs: number;

  constructor(out: Out, tty: boolean, plainEveryMs = 30_000) {
    this.#out = out;
    this.tty = tty;
    this.#plainEveryMs = plainEveryMs;
  }

  /** An event line (kept in the scroll-back). */
  line(text: string): void {
    if (this.tty && this.#status) this.#out.write(`\r\x1b[K${text}\n${this.#status}`);
    else this.#out.write(`${text}\n`);
  }

  /** The status: redrawn in place on a terminal; a plain line every 30 s (or when forced) elsewhere. */
  status(text: string, force = false, now = Date.now()): void {
    if (this.tty) {
      this.#status = text;
      this.#out.write(`\r\x1b[K${text}`);
      return;
    }
    if (force || now - this.#lastPlainStatus >= this.#plainEveryMs) {
      this.#lastPlainStatus = now;
      this.#out.write(`suite: ${text}\n`);
    }
  }

  /** Removes the status line (before the final output). */
  clear(): void {
    if (this.tty && this.#status) this.#out.write('\r\x1b[K');
    this.#status = '';
  }
}
