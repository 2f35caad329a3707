// Faults on a schedule (--fault, --fault-clock): the known moments a
// diagnosis of the server's log is checked against. Their syntax, and when
// each one is in effect on the fault clock (pure: no timers, no I/O;
// fault-effects.ts acts on them, restart.ts replaces a crashed process).
//
//   db-down@T+D   the database refuses connections from T for D s, then
//                 starts for DB_STARTING_MS more (still failing)
//   crash@T[+R]   the process dies at T; with +R a new one listens R s later
//   freeze@T+D    the process answers nothing from T for D s
//   pool-leak     a stall's timed-out requests never return their connection
//
// Times are seconds (a trailing "s" allowed) on the fault clock, which starts
// at the first login of a user who is not the admin, or at the twin's start.

export type DbDownFault = { kind: 'db-down'; atS: number; forS: number };
export type CrashFault = { kind: 'crash'; atS: number; restartS?: number };
export type FreezeFault = { kind: 'freeze'; atS: number; forS: number };
export type FaultSpec = DbDownFault | CrashFault | FreezeFault | { kind: 'pool-leak' };

/** How long the database answers "not yet accepting connections" after its D seconds down (it is starting). */
export const DB_STARTING_MS = 2000;

const MAX_S = 1_000_000;

/** A spec that does not parse; config.ts turns it into a ConfigError (this module imports nothing). */
export class FaultSpecError extends Error {}

const SYNTAX = 'db-down@T+D, crash@T, crash@T+R, freeze@T+D or pool-leak (seconds on the fault clock, e.g. db-down@60+30 or db-down@60s+30s)';

function seconds(raw: string, part: string, what: string, min: number): number {
  const m = /^(\d+(?:\.\d+)?)s?$/.exec(raw);
  const n = m ? Number(m[1]) : NaN;
  if (!Number.isFinite(n)) throw new FaultSpecError(`--fault takes ${SYNTAX}, got "${part}".`);
  if (n < min || n > MAX_S) {
    throw new FaultSpecError(`--fault ${part}: ${what} must be ${min > 0 ? 'more than 0' : '0 or more'} and at most ${MAX_S} seconds, got ${raw}.`);
  }
  return n;
}

function parseOne(part: string): FaultSpec {
  if (part === 'pool-leak') return { kind: 'pool-leak' };
  const m = /^(db-down|crash|freeze)@([^+]+)(?:\+(.+))?$/.exec(part);
  if (!m) throw new FaultSpecError(`--fault takes ${SYNTAX}, got "${part}".`);
  const kind = m[1] as 'db-down' | 'crash' | 'freeze';
  const atS = seconds(m[2]!, part, 'its start T', 0);
  if (kind === 'crash') return m[3] === undefined ? { kind, atS } : { kind, atS, restartS: seconds(m[3], part, 'its restart delay R', 0) };
  if (m[3] === undefined) throw new FaultSpecError(`--fault ${part} needs a duration: ${kind}@T+D (e.g. ${kind}@60+30).`);
  return { kind, atS, forS: seconds(m[3], part, 'its duration D', Number.MIN_VALUE) };
}

/** The faults of one --fault value (comma-separated specs). Throws FaultSpecError with one sentence. */
export function parseFaults(raw: string): FaultSpec[] {
  const parts = raw.split(',').map((p) => p.trim());
  if (parts.some((p) => p === '')) throw new FaultSpecError(`--fault takes ${SYNTAX}, separated by commas, got "${raw}".`);
  return parts.map(parseOne);
}

/** A fault as its spec is written (for messages and the console). */
export function faultLabel(f: FaultSpec): string {
  if (f.kind === 'pool-leak') return f.kind;
  if (f.kind === 'crash') return `crash@${f.atS}${f.restartS === undefined ? '' : `+${f.restartS}`}`;
  return `${f.kind}@${f.atS}+${f.forS}`;
}

export type ClockMode = 'login' | 'start';

/** The fault clock: unset until it starts, then its origin in ms since the epoch. */
export class FaultClock {
  readonly mode: ClockMode;
  #origin: number | undefined;

  constructor(mode: ClockMode, origin?: number) {
    this.mode = mode;
    this.#origin = origin;
  }

  get origin(): number | undefined {
    return this.#origin;
  }

  /** Starts the clock at `now` unless it runs already; true when this call started it. */
  startAt(now: number): boolean {
    if (this.#origin !== undefined) return false;
    this.#origin = now;
    return true;
  }
}

/** A db-down window in ms since the epoch: refused in [start, refusedUntil), starting in [refusedUntil, end). */
export interface DbWindow {
  fault: DbDownFault;
  start: number;
  refusedUntil: number;
  end: number;
}

export function dbWindows(faults: FaultSpec[], origin: number): DbWindow[] {
  return faults
    .filter((f): f is DbDownFault => f.kind === 'db-down')
    .map((fault) => {
      const start = origin + fault.atS * 1000;
      const refusedUntil = start + fault.forS * 1000;
      return { fault, start, refusedUntil, end: refusedUntil + DB_STARTING_MS };
    });
}

export type DbState = 'up' | 'refused' | 'starting';

/** The database at time `t`: refused wins over starting when windows overlap. */
export function dbStateAt(windows: DbWindow[], t: number): DbState {
  let state: DbState = 'up';
  for (const w of windows) {
    if (t >= w.start && t < w.refusedUntil) return 'refused';
    if (t >= w.refusedUntil && t < w.end) state = 'starting';
  }
  return state;
}

/**
 * The crashes and freezes a process still has to go through, in order: those
 * at or after `since` (a successor passes the time it starts: the crash that
 * ended its predecessor, and whatever fell in the gap, happened without it).
 */
export function pendingEvents(faults: FaultSpec[], origin: number, since: number): Array<{ fault: CrashFault | FreezeFault; at: number }> {
  return faults
    .filter((f): f is CrashFault | FreezeFault => f.kind === 'crash' || f.kind === 'freeze')
    .map((fault) => ({ fault, at: origin + fault.atS * 1000 }))
    .filter((e) => e.at >= since)
    .sort((a, b) => a.at - b.at);
}
