// What every source of system metrics gives: samples of the server's CPU and
// memory taken during a test, stopped and collected at its end.

export interface Sample {
  /** ms since the epoch. */
  t: number;
  /**
   * CPU use in %. `local`: of ONE core (100 = one core busy, like `top`;
   * a multi-threaded process can exceed 100), or of all cores with
   * `cpuBasis: 'all'`. `digitalocean`: the App Platform component's CPU
   * percentage as DigitalOcean reports it (of its vCPU allotment).
   */
  cpuPct: number;
  /** Memory in % of the machine's RAM or of a given limit (`local`), or of the component's memory (`digitalocean`). */
  memPct?: number;
  /** Resident memory in MB (MiB), `local` only. */
  rssMb?: number;
  /** Bytes per second the server read from and wrote to storage, `local` only. */
  readBps?: number;
  writeBps?: number;
  /** Bytes per second in and out of the network interface the target is reached through (the host's), `local` only. */
  netInBps?: number;
  netOutBps?: number;
  /**
   * Restarts of the App Platform component in the interval ending at t, as
   * DigitalOcean's restart_count reports them (summed over its instances),
   * `digitalocean` only; absent when DigitalOcean gave none (the sampler's note says why).
   */
  restarts?: number;
  /** Each process watched, the server first, when there are several (`local --pid N,N`). */
  procs?: ProcessSample[];
}

export interface ProcessSample {
  /** Its command name or the label given (--pid db=N), [a-z0-9_]. */
  label: string;
  cpuPct: number;
  rssMb?: number;
  readBps?: number;
  writeBps?: number;
}

export interface SystemSampler {
  /** Which source this is, recorded with the results. */
  readonly source: 'local' | 'digitalocean' | 'none';
  /** Starts sampling (idempotent). */
  start(): void;
  /** Stops sampling and returns every sample, oldest first. */
  stop(): Promise<Sample[]>;
}

/** A sampler could not do its job; the message is one sentence for a person. */
export class SystemMetricsError extends Error {}
