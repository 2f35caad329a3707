// The `local` source: processes on this machine (the twin started by the
// suite, or --pid N[,N...]: the server first, e.g. the database next), read
// from /proc every few seconds (Linux only), each with the processes below
// it (a server's workers, a database's backends).
// CPU % is of ONE core by default (100 = one core busy, as `top` shows it;
// a Node server is mostly one thread, so it saturates near 100), or of all
// cores with cpuBasis 'all'. Memory: resident set (VmRSS) in MB, and in % of
// the machine's RAM or of a given limit (memLimitMb, e.g. the instance size).
// Disk: bytes read and written to storage per second (/proc/<pid>/io); the
// network: bytes in and out per second of the interface the target is
// reached through (the host's, not a process's).
import { readFileSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import { listenerOf, parseIo, parseNetDev, processTree } from './proc-io.ts';
import { SystemMetricsError, type ProcessSample, type Sample, type SystemSampler } from './types.ts';

export type CpuBasis = 'core' | 'all';

export interface LocalOptions {
  /** The server: its CPU and RAM are judged (the plan's headroom). */
  pid: number;
  /** Other processes shown beside it (e.g. the database), each with its own label. */
  others?: Array<{ pid: number; label?: string }>;
  /** The server's label (default: its command name). */
  label?: string;
  /** The network interface the target is reached through (default lo). */
  netInterface?: string;
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
  /**
   * The server's TCP port on this machine: when its process ends, the one
   * that listens on the port next (a supervisor's restart) is sampled instead,
   * and both moments are recorded (processEvents).
   */
  port?: number;
}

/** The server process as seen over time: its pid from `at` on, or null while none was seen (ended, nothing listening yet). */
export interface ProcessEvent {
  at: number;
  pid: number | null;
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

/** The command name in /proc/<pid>/stat, as a metric-name label ([a-z0-9_]). */
function commandOf(stat: string): string {
  const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '') || 'process';
}

interface Reading {
  cpuTicks: number;
  rssKb: number | undefined;
  io: { read: number; write: number } | undefined;
}

interface Watched {
  pid: number;
  label: string;
}

export class LocalSampler implements SystemSampler {
  readonly source = 'local' as const;
  /** The server's pid now (another after a restart, when the port is known). */
  pid: number;
  readonly port: number | undefined;
  /** The server's pid at the start, and each change: its end, and a new process listening on the port. */
  readonly processEvents: ProcessEvent[] = [];
  readonly intervalMs: number;
  readonly cpuBasis: CpuBasis;
  readonly memLimitMb: number;
  readonly netInterface: string | undefined;
  /** Every process watched, the server first. */
  readonly processes: Watched[];
  /** Why sampling stopped early (the server ended), if it did. */
  ended: string | undefined;
  #clockTicks: number;
  #cores: number;
  #procRoot: string;
  #timer: NodeJS.Timeout | undefined;
  #prev: { at: number; readings: Array<Reading | undefined>; net: { rx: number; tx: number } | undefined } | undefined;
  #samples: Sample[] = [];

  constructor(options: LocalOptions) {
    for (const p of [options.pid, ...(options.others ?? []).map((o) => o.pid)]) {
      if (!Number.isInteger(p) || p <= 0) throw new SystemMetricsError(`--pid must be a process id (a whole number above 0), got "${p}".`);
    }
    this.pid = options.pid;
    this.port = options.port;
    this.intervalMs = options.intervalMs ?? 2000;
    this.cpuBasis = options.cpuBasis ?? 'core';
    this.memLimitMb = options.memLimitMb ?? totalmem() / 2 ** 20;
    this.netInterface = options.netInterface ?? 'lo';
    this.#clockTicks = options.clockTicks ?? 100;
    this.#cores = this.cpuBasis === 'all' ? (options.cores ?? availableParallelism()) : 1;
    this.#procRoot = options.procRoot ?? '/proc';
    const labels = new Set<string>();
    this.processes = [{ pid: options.pid, label: options.label }, ...(options.others ?? [])].map((p) => {
      let label = p.label ?? this.#command(p.pid);
      if (labels.has(label)) label = `${label}_${p.pid}`;
      labels.add(label);
      return { pid: p.pid, label };
    });
  }

  #command(pid: number): string {
    try {
      return commandOf(readFileSync(`${this.#procRoot}/${pid}/stat`, 'utf8'));
    } catch {
      return `pid_${pid}`;
    }
  }

  /** One process now (utime + stime in clock ticks, VmRSS, storage bytes); throws SystemMetricsError when it cannot be read. */
  read(pid = this.pid): Reading {
    try {
      const stat = readFileSync(`${this.#procRoot}/${pid}/stat`, 'utf8');
      // A zombie (exited, not yet reaped) has no memory left to measure.
      if (/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2))) throw Object.assign(new Error('zombie'), { code: 'ESRCH' });
      const status = readFileSync(`${this.#procRoot}/${pid}/status`, 'utf8');
      return { cpuTicks: parseProcStat(stat), rssKb: parseVmRssKb(status), io: this.#io(pid) };
    } catch (err) {
      if (err instanceof SystemMetricsError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      throw new SystemMetricsError(
        code === 'ENOENT' || code === 'ESRCH'
          ? `process ${pid} is not running (no ${this.#procRoot}/${pid}); give the pid of the server under test.`
          : `cannot read ${this.#procRoot}/${pid} (${code ?? (err as Error).message}); the local source needs Linux /proc.`,
      );
    }
  }

  #io(pid: number): Reading['io'] {
    try {
      return parseIo(readFileSync(`${this.#procRoot}/${pid}/io`, 'utf8'));
    } catch {
      return undefined;
    }
  }

  /** A process and those below it, summed; undefined once it is gone (others only: the server's end stops sampling). */
  #readTree(pid: number): Reading | undefined {
    const top = this.read(pid);
    let tree: number[] = [];
    try {
      tree = processTree(pid, this.#procRoot).slice(1);
    } catch {
      // no process list: the process alone
    }
    for (const child of tree) {
      try {
        const r = this.read(child);
        top.cpuTicks += r.cpuTicks;
        top.rssKb = (top.rssKb ?? 0) + (r.rssKb ?? 0);
        if (top.io && r.io) top.io = { read: top.io.read + r.io.read, write: top.io.write + r.io.write };
      } catch {
        // ended meanwhile
      }
    }
    return top;
  }

  #readAll(): Array<Reading | undefined> {
    return this.processes.map((p, i) => {
      if (i === 0) return this.#readTree(p.pid);
      try {
        return this.#readTree(p.pid);
      } catch {
        return undefined;
      }
    });
  }

  #net(): { rx: number; tx: number } | undefined {
    if (!this.netInterface) return undefined;
    try {
      return parseNetDev(readFileSync(`${this.#procRoot}/net/dev`, 'utf8'), this.netInterface);
    } catch {
      return undefined;
    }
  }

  start(): void {
    if (this.#timer || this.#prev) return;
    this.#prev = { at: Date.now(), readings: this.#readAll(), net: this.#net() };
    this.processEvents.push({ at: this.#prev.at, pid: this.pid });
    this.#timer = setInterval(() => this.#tick(), this.intervalMs);
    this.#timer.unref();
  }

  #tick(): void {
    if (!this.#prev || this.ended) return;
    let readings: Array<Reading | undefined>;
    const at = Date.now();
    try {
      readings = this.#readAll();
    } catch (err) {
      if (this.port !== undefined) return this.#follow(at);
      this.ended = (err as Error).message;
      clearInterval(this.#timer);
      return;
    }
    const prev = this.#prev;
    const s = (at - prev.at) / 1000;
    const perS = (now: number, before: number) => Math.max(0, Math.round((now - before) / s));
    const procs: ProcessSample[] = [];
    readings.forEach((r, i) => {
      const before = prev.readings[i];
      if (!r || !before) return;
      const p: ProcessSample = { label: this.processes[i]!.label, cpuPct: cpuPercent(Math.max(0, r.cpuTicks - before.cpuTicks), at - prev.at, this.#clockTicks, this.#cores) };
      if (r.rssKb !== undefined) p.rssMb = Math.round((r.rssKb / 1024) * 10) / 10;
      if (r.io && before.io) {
        p.readBps = perS(r.io.read, before.io.read);
        p.writeBps = perS(r.io.write, before.io.write);
      }
      procs.push(p);
    });
    const server = procs[0]!;
    const sample: Sample = { t: at, cpuPct: server.cpuPct };
    if (server.rssMb !== undefined) {
      sample.rssMb = server.rssMb;
      sample.memPct = Math.round((1000 * server.rssMb) / this.memLimitMb) / 10;
    }
    if (server.readBps !== undefined) Object.assign(sample, { readBps: server.readBps, writeBps: server.writeBps });
    const net = this.#net();
    if (net && prev.net) Object.assign(sample, { netInBps: perS(net.rx, prev.net.rx), netOutBps: perS(net.tx, prev.net.tx) });
    if (this.processes.length > 1) sample.procs = procs;
    this.#samples.push(sample);
    this.#prev = { at, readings, net };
  }

  /** The server's process is gone: note it once, and sample the next process listening on its port when there is one. */
  #follow(at: number): void {
    if (this.processEvents.at(-1)?.pid !== null) this.processEvents.push({ at, pid: null });
    const next = listenerOf(this.port!, this.#procRoot);
    if (next === undefined || next === this.pid) return;
    this.pid = next;
    this.processes[0]!.pid = next;
    this.processEvents.push({ at, pid: next });
    try {
      this.#prev = { at, readings: this.#readAll(), net: this.#net() };
    } catch {
      // gone again at once: the next tick looks again
    }
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
