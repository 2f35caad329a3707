// The `local` source: a process on this machine (the twin started by the
// suite, or --pid N), read from /proc every few seconds (Linux only).
// CPU % is of ONE core by default (100 = one core busy, as `top` shows it;
// a Node server is mostly one thread, so it saturates near 100), or of all
// cores with cpuBasis 'all'. Memory: resident set (VmRSS) in MB, and in % of
// the machine's RAM or of a given limit (memLimitMb, e.g. the instance size).
import { readFileSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import { SystemMetricsError, type Sample, type SystemSampler } from './types.ts';

export type CpuBasis = 'core' | 'all';

export interface LocalOptions {
  pid: number;
  /** Sampling interval (default 2000 ms). */
  intervalMs?: number;
  /** 'core' (default): % of one core; 'all': % of all cores. */
  cpuBasis?: CpuBasis;
  /** Memory the server may use, in MB; default: the machine's RAM. */
  memLimitMb?: number;
  /** Kernel clock ticks per second of /proc times (USER_HZ, 100 on Linux). */
  clockTicks?: number;
  /** Cores for cpuBasis 'all' (default: os.availableParallelism()). */
  cores?: number;
  /** Where proc is mounted (tests). */
  procRoot?: string;
}

/** utime + stime (fields 14 and 15) of /proc/<pid>/stat; the name in parentheses may hold spaces. */
export function parseProcStat(text: string): number {
  const close = text.lastIndexOf(')');
  const fields = text.slice(close + 2).trim().split(/\s+/);
  // fields[0] is field 3 (state), so field N is fields[N - 3].
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (close < 0 || !Number.isFinite(utime) || !Number.isFinite(stime)) throw new SystemMetricsError('unexpected /proc/<pid>/stat format');
  return utime + stime;
}

/** VmRSS of /proc/<pid>/status in kB (undefined for a zombie or kernel thread). */
export function parseVmRssKb(text: string): number | undefined {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(text);
  return m ? Number(m[1]) : undefined;
}

/** CPU % over an interval: ticks used / ticks available (of one core, times `cores`). */
export function cpuPercent(ticksUsed: number, elapsedMs: number, clockTicks: number, cores = 1): number {
  if (elapsedMs <= 0) return 0;
  const seconds = ticksUsed / clockTicks;
  return Math.round((1000 * (100 * seconds)) / (elapsedMs / 1000) / cores) / 1000;
}

export class LocalSampler implements SystemSampler {
  readonly source = 'local' as const;
  readonly pid: number;
  readonly intervalMs: number;
  readonly cpuBasis: CpuBasis;
  readonly memLimitMb: number;
  /** Why sampling stopped early (the process ended), if it did. */
  ended: string | undefined;
  #clockTicks: number;
  #cores: number;
  #procRoot: string;
  #timer: NodeJS.Timeout | undefined;
  #prev: { at: number; ticks: number } | undefined;
  #samples: Sample[] = [];

  constructor(options: LocalOptions) {
    if (!Number.isInteger(options.pid) || options.pid <= 0) throw new SystemMetricsError(`--pid must be a process id (a whole number above 0), got "${options.pid}".`);
    this.pid = options.pid;
    this.intervalMs = options.intervalMs ?? 2000;
    this.cpuBasis = options.cpuBasis ?? 'core';
    this.memLimitMb = options.memLimitMb ?? totalmem() / 2 ** 20;
    this.#clockTicks = options.clockTicks ?? 100;
    this.#cores = this.cpuBasis === 'all' ? (options.cores ?? availableParallelism()) : 1;
    this.#procRoot = options.procRoot ?? '/proc';
  }

  /** One reading of the process now (utime + stime in clock ticks, VmRSS); throws SystemMetricsError when it cannot be read. */
  read(): { cpuTicks: number; rssKb: number | undefined } {
    try {
      const stat = readFileSync(`${this.#procRoot}/${this.pid}/stat`, 'utf8');
      // A zombie (exited, not yet reaped) has no memory left to measure.
      if (/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2))) throw Object.assign(new Error('zombie'), { code: 'ESRCH' });
      const status = readFileSync(`${this.#procRoot}/${this.pid}/status`, 'utf8');
      return { cpuTicks: parseProcStat(stat), rssKb: parseVmRssKb(status) };
    } catch (err) {
      if (err instanceof SystemMetricsError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      throw new SystemMetricsError(
        code === 'ENOENT' || code === 'ESRCH'
          ? `process ${this.pid} is not running (no ${this.#procRoot}/${this.pid}); give the pid of the server under test.`
          : `cannot read ${this.#procRoot}/${this.pid} (${code ?? (err as Error).message}); the local source needs Linux /proc.`,
      );
    }
  }

  start(): void {
    if (this.#timer || this.#prev) return;
    this.#prev = { at: Date.now(), ticks: this.read().cpuTicks };
    this.#timer = setInterval(() => this.#tick(), this.intervalMs);
    this.#timer.unref();
  }

  #tick(): void {
    if (!this.#prev || this.ended) return;
    let r: ReturnType<LocalSampler['read']>;
    const at = Date.now();
    try {
      r = this.read();
    } catch (err) {
      this.ended = (err as Error).message;
      clearInterval(this.#timer);
      return;
    }
    const sample: Sample = { t: at, cpuPct: cpuPercent(r.cpuTicks - this.#prev.ticks, at - this.#prev.at, this.#clockTicks, this.#cores) };
    if (r.rssKb !== undefined) {
      sample.rssMb = Math.round((r.rssKb / 1024) * 10) / 10;
      sample.memPct = Math.round((1000 * sample.rssMb) / this.memLimitMb) / 10;
    }
    this.#samples.push(sample);
    this.#prev = { at, ticks: r.cpuTicks };
  }

  async stop(): Promise<Sample[]> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    // The last partial interval counts when it is at least half an interval long.
    if (this.#prev && !this.ended && Date.now() - this.#prev.at >= this.intervalMs / 2) this.#tick();
    this.#prev = undefined;
    return [...this.#samples];
  }
}
