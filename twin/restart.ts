// A crash fault (crash@T+R) as a supervisor sees a server die and restarts
// it. The dying twin starts its successor with the same command line, then
// kills itself (SIGKILL: no goodbye, the kernel resets what is left); the
// successor waits out R from the death, then listens on the same port with
// the same data. What it needs and the command line must not show (JWT
// secret, admin key) goes through its environment. It stays in its
// predecessor's process group, so a Ctrl-C or a group kill that would have
// reached the predecessor reaches it; the launcher finds it by the pid file
// (--pid-file), which the dying twin rewrites before it dies.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { writeAtomic } from '../lib/atomic-file.ts';
import type { TwinConfig } from './config.ts';
import { appendFaultRecord } from './fault-record.ts';
import { faultLabel } from './fault-schedule.ts';
import type { Death } from './server.ts';

const TWIN_MAIN = join(import.meta.dirname, 'main.ts');

/** The env variable that makes main.ts a successor (removed from its env once read). */
export const RESTART_ENV = 'HMP_TWIN_RESTART';

export interface Restart {
  port: number;
  db: string;
  /** The private folder of a database that was :memory:, removed by the last process. */
  dbDir?: string;
  origin: number;
  diedAt: number;
  delayMs: number;
  /** hex */
  adminKey: string;
  /** base64 */
  serverPublicKey: string;
}

/**
 * A crash that restarts must keep the data: with --db :memory:, the database
 * goes to a file in a private folder instead, made beside the pid file when
 * there is one (startTwinProcess's own temp folder, which its stop() removes
 * even if a process is killed before it can), else in the OS temp folder.
 * Returns that folder.
 */
export function crashDatabaseDir(config: Pick<TwinConfig, 'db' | 'faults' | 'pidFile'>): string | undefined {
  if (config.db !== ':memory:' || !config.faults.some((f) => f.kind === 'crash' && f.restartS !== undefined)) return undefined;
  const parent = config.pidFile ? dirname(config.pidFile) : tmpdir();
  mkdirSync(parent, { recursive: true });
  return mkdtempSync(join(parent, 'hmp-twin-db-'));
}

export function crashDatabasePath(dir: string): string {
  return join(dir, 'twin.sqlite');
}

/** A successor's inheritance, taken out of the env (so that its own successor gets a fresh one). */
export function takeRestart(env: Record<string, string | undefined>): Restart | undefined {
  const raw = env[RESTART_ENV];
  if (!raw) return undefined;
  delete env[RESTART_ENV];
  return JSON.parse(raw) as Restart;
}

export interface Lineage {
  /** The twin's own arguments, given again to its successor. */
  argv: string[];
  pidFile: string | undefined;
  recordPath: string;
  dbDir: string | undefined;
}

/** The crash: starts the successor if the fault restarts, then dies. */
export function die(death: Death, lineage: Lineage): void {
  let successor: number | undefined;
  const restartS = death.fault.restartS;
  if (restartS !== undefined) {
    const restart: Restart = {
      port: death.port,
      db: death.db,
      ...(lineage.dbDir ? { dbDir: lineage.dbDir } : {}),
      origin: death.origin,
      diedAt: death.diedAt,
      delayMs: restartS * 1000,
      adminKey: Buffer.from(death.adminKey).toString('hex'),
      serverPublicKey: Buffer.from(death.serverPublicKey).toString('base64'),
    };
    try {
      const child = spawn(process.execPath, [...process.execArgv, TWIN_MAIN, ...lineage.argv], {
        stdio: ['ignore', 'inherit', 'inherit'],
        env: { ...process.env, HMP_TWIN_JWT_SECRET: death.jwtSecret, [RESTART_ENV]: JSON.stringify(restart) },
      });
      child.on('error', () => {});
      child.unref();
      successor = child.pid;
    } catch {} // no successor: recorded as a crash with no restart
  }
  if (successor !== undefined && lineage.pidFile) writeAtomic(lineage.pidFile, `${successor}\n`);
  if (successor === undefined) appendFaultRecord(lineage.recordPath, { fault: 'crash', start: death.diedAt });
  const next = successor === undefined ? 'no process replaces it' : `process ${successor} listens in ${restartS} s`;
  try {
    writeSync(1, `twin: ${faultLabel(death.fault)}: process ${process.pid} dies; ${next}\n`);
  } catch {} // nobody reads stdout any more
  process.kill(process.pid, 'SIGKILL');
}

/** A successor waits until R after its predecessor's death (main.ts handles a stop meanwhile). */
export async function waitOutRestart(restart: Restart): Promise<void> {
  const ms = restart.diedAt + restart.delayMs - Date.now();
  if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
}

/** A successor that never served: its predecessor's crash has no end, and nobody will use the database folder again. */
export function giveUp(restart: Restart, recordPath: string): void {
  try {
    appendFaultRecord(recordPath, { fault: 'crash', start: restart.diedAt });
  } catch {} // its folder is gone already
  if (restart.dbDir) rmSync(restart.dbDir, { recursive: true, force: true });
}
