// The scheduled faults (--fault) in a running twin, beside the random ones of
// faults.ts: the database going away and coming back (every request but
// /health fails as HMP's did when PostgreSQL went away), the process freezing
// or crashing at its time, and the moment a pool-leak exhausts the pool; each
// written to the fault record as it happens. When things happen is
// fault-schedule.ts's; how a process dies and is replaced is restart.ts's.
import { appendFaultRecord, resetFaultRecord, type FaultRecord } from './fault-record.ts';
import { FaultClock, dbStateAt, dbWindows, pendingEvents, type ClockMode, type CrashFault, type DbWindow, type FaultSpec } from './fault-schedule.ts';

const PG = '(psycopg2.OperationalError) connection to server at "127.0.0.1", port 5432 failed';

/** The database cannot be reached: a plain 500, and psycopg2's error in the log. */
export class DatabaseUnavailable extends Error {
  /** What HMP's stack raises (server-log.ts writes it as the traceback's exception). */
  readonly pythonType = 'sqlalchemy.exc.OperationalError';
}

export interface ScheduledFaultsOptions {
  faults: FaultSpec[];
  clock: ClockMode;
  recordPath: string;
  /** A crash's successor: the fault clock of the process it replaces, and when that one died. */
  inherited?: { origin: number; diedAt: number };
}

/** Called when a crash fault's time comes: the process dies (restart.ts). */
export type CrashHook = (fault: CrashFault, diedAt: number, origin: number) => void;

// Atomics.wait on this blocks the only event loop without using the CPU (a freeze).
const FREEZE = new Int32Array(new SharedArrayBuffer(4));

export class ScheduledFaults {
  #faults: FaultSpec[];
  #clock: FaultClock;
  #recordPath: string;
  #inherited: ScheduledFaultsOptions['inherited'];
  #windows: DbWindow[] = [];
  #timers = new Set<NodeJS.Timeout>();
  #adminUserId: number | undefined;
  #crash: CrashHook | undefined;
  #armed = false;
  #closed = false;

  constructor(o: ScheduledFaultsOptions) {
    this.#faults = o.faults;
    this.#clock = new FaultClock(o.clock, o.inherited?.origin);
    this.#recordPath = o.recordPath;
    this.#inherited = o.inherited;
    if (o.faults.length > 0 && !o.inherited) resetFaultRecord(o.recordPath);
  }

  /** When the fault clock started (ms since the epoch), if it did. */
  get origin(): number | undefined {
    return this.#clock.origin;
  }

  /** Once the twin listens: a 'start' clock starts, a successor records its predecessor's crash as over and takes up its schedule. */
  arm(adminUserId: number, crash: CrashHook | undefined): void {
    this.#adminUserId = adminUserId;
    this.#crash = crash;
    this.#armed = true;
    const now = Date.now();
    if (this.#inherited) {
      this.#record({ fault: 'crash', start: this.#inherited.diedAt, end: now });
      this.#schedule(now, this.#inherited.diedAt);
    } else if (this.#clock.mode === 'start' && this.#faults.length > 0 && this.#clock.startAt(now)) this.#schedule(now);
  }

  /** A successful login: the first of a user who is not the admin (the load's first session) starts a 'login' clock. */
  loggedIn(userId: number): void {
    if (!this.#armed || this.#closed || userId === this.#adminUserId || this.#faults.length === 0) return;
    const now = Date.now();
    if (this.#clock.startAt(now)) this.#schedule(now);
  }

  /** The error of a request that touches the database now, if it is down or still starting. */
  dbError(): DatabaseUnavailable | undefined {
    if (this.#windows.length === 0) return undefined;
    const state = dbStateAt(this.#windows, Date.now());
    if (state === 'up') return undefined;
    return new DatabaseUnavailable(state === 'refused' ? `${PG}: Connection refused` : `${PG}: FATAL:  the database system is not yet accepting connections`);
  }

  /** pool-leak: the pool's last connection has just leaked. */
  poolLeaked(): void {
    this.#record({ fault: 'pool-leak', start: Date.now() });
  }

  /** Stops the timers; a database down at this moment is recorded with no end. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    const now = Date.now();
    for (const w of this.#windows) if (w.start <= now && now < w.end) this.#record({ fault: 'db-down', start: w.start });
  }

  /**
   * Everything on the clock from `now`. A successor (its predecessor died at
   * `diedAt`) records the database windows that ended while no process ran,
   * and skips the crashes and freezes that were before its start.
   */
  #schedule(now: number, diedAt?: number): void {
    const origin = this.#clock.origin!;
    this.#windows = dbWindows(this.#faults, origin);
    for (const w of this.#windows) {
      const done: FaultRecord = { fault: 'db-down', start: w.start, end: w.end };
      if (w.end > now) this.#at(w.end, () => this.#record(done));
      else if (diedAt !== undefined && w.end > diedAt) this.#record(done);
    }
    for (const e of pendingEvents(this.#faults, origin, diedAt === undefined ? -Infinity : now)) {
      const f = e.fault;
      if (f.kind === 'crash') this.#at(e.at, () => this.#crash?.(f, Date.now(), origin));
      else this.#at(e.at, () => this.#freeze(e.at + f.forS * 1000));
    }
  }

  #at(at: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      fn();
    }, Math.max(0, at - Date.now()));
    timer.unref();
    this.#timers.add(timer);
  }

  /** Blocks the event loop until `until` (a late timer, e.g. after another freeze, blocks only what is left). */
  #freeze(until: number): void {
    const start = Date.now();
    if (until <= start) return;
    Atomics.wait(FREEZE, 0, 0, until - start);
    this.#record({ fault: 'freeze', start, end: Date.now() });
  }

  #record(r: FaultRecord): void {
    try {
      appendFaultRecord(this.#recordPath, r);
    } catch (err) {
      console.error(`twin: could not write the fault record ${this.#recordPath} (${(err as Error).message})`);
    }
  }
}
