// CPU time of a process and its descendants, from /proc (Linux): utime +
// stime of every thread (Artillery's workers are threads of one process;
// esbuild's service is a child). Sampled over time so that a benchmark can
// take the CPU of a steady-state window and leave start-up out.
import { readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

export interface ProcStat {
  pid: number;
  ppid: number;
  /** utime + stime in clock ticks. */
  ticks: number;
}

/** One line of /proc/<pid>/stat (the command name may hold spaces and parentheses). */
export function parseStat(line: string): ProcStat {
  const close = line.lastIndexOf(')');
  const pid = Number(line.slice(0, line.indexOf(' ')));
  const rest = line.slice(close + 2).split(' ');
  // rest[0] = state (field 3), ppid = field 4, utime = field 14, stime = field 15.
  return { pid, ppid: Number(rest[1]), ticks: Number(rest[11]) + Number(rest[12]) };
}

function readStat(pid: number): ProcStat | undefined {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined; // gone
  }
}

/** Sum of utime+stime (clock ticks) of `root` and every live descendant. */
export function treeTicks(root: number): number {
  const all = readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map((name) => readStat(Number(name))).filter((s) => s !== undefined);
  const children = new Map<number, ProcStat[]>();
  for (const s of all) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s]);
  let ticks = 0;
  const stack = all.filter((s) => s.pid === root);
  while (stack.length) {
    const s = stack.pop()!;
    ticks += s.ticks;
    stack.push(...(children.get(s.pid) ?? []));
  }
  return ticks;
}

/**
 * Seconds the threads of `pid` spent runnable but waiting for a CPU
 * (/proc/<pid>/task/<tid>/schedstat, second field): how much a process was
 * starved by others on the machine, as opposed to slow by itself.
 */
export function runQueueWaitS(pid: number): number {
  let ns = 0;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[1]) || 0;
      } catch {
        // thread gone
      }
    }
  } catch {
    // process gone
  }
  return ns / 1e9;
}

let clkTck: number | undefined;

/** Clock ticks per second (getconf CLK_TCK; 100 on Linux). */
export function ticksPerSecond(): number {
  try {
    clkTck ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    clkTck = 100;
  }
  return clkTck;
}

export interface CpuSample {
  /** Epoch ms. */
  at: number;
  /** CPU seconds so far (the whole tree). */
  cpuS: number;
  /** Seconds the root process's threads waited for a CPU so far. */
  waitS: number;
}

/** Samples a process tree's CPU every `everyMs` until stopped. */
export class CpuSampler {
  samples: CpuSample[] = [];
  #timer: NodeJS.Timeout;
  #pid: number;

  constructor(pid: number, everyMs = 500) {
    this.#pid = pid;
    this.sample();
    this.#timer = setInterval(() => this.sample(), everyMs);
    this.#timer.unref();
  }

  sample(): void {
    const ticks = treeTicks(this.#pid);
    const last = this.samples.at(-1);
    // A finished child takes its ticks with it: never let the total go down.
    const cpuS = Math.max(last?.cpuS ?? 0, ticks / ticksPerSecond());
    const waitS = Math.max(last?.waitS ?? 0, runQueueWaitS(this.#pid));
    if (ticks > 0 || !last) this.samples.push({ at: Date.now(), cpuS, waitS });
  }

  stop(): CpuSample[] {
    clearInterval(this.#timer);
    return this.samples;
  }
}

/** A cumulative field at time `at`, interpolated between samples (undefined outside them). */
export function valueAt(samples: readonly CpuSample[], at: number, field: 'cpuS' | 'waitS' = 'cpuS'): number | undefined {
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]!;
    const b = samples[i]!;
    if (at >= a.at && at <= b.at) return b.at === a.at ? b[field] : a[field] + ((b[field] - a[field]) * (at - a.at)) / (b.at - a.at);
  }
  return undefined;
}

/** CPU seconds (or run-queue wait seconds) spent in [from, to]. */
export function cpuBetween(samples: readonly CpuSample[], from: number, to: number, field: 'cpuS' | 'waitS' = 'cpuS'): number | undefined {
  const a = valueAt(samples, from, field);
  const b = valueAt(samples, to, field);
  return a === undefined || b === undefined ? undefined : b - a;
}
