// The faults' ground truth, for tests only (never the server log): one JSON
// line per fault as it happens, {"fault","start","end"} in ms since the
// epoch. Written with synchronous appends, so that a process that kills
// itself the next instant (a crash fault) loses no line, and several
// processes (a crash's successor) append to one file.
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { TwinConfig } from './config.ts';

export interface FaultRecord {
  fault: 'db-down' | 'crash' | 'freeze' | 'pool-leak';
  start: number;
  /** Absent when the fault had not ended when the twin stopped (or never ends: pool-leak, a crash with no restart). */
  end?: number;
}

/** --fault-record, else faults.jsonl beside the admin credentials. */
export function faultRecordPath(config: Pick<TwinConfig, 'faultRecordPath' | 'adminCredentialsPath'>): string {
  return config.faultRecordPath ?? join(dirname(config.adminCredentialsPath), 'faults.jsonl');
}

export function appendFaultRecord(path: string, record: FaultRecord): void {
  appendFileSync(path, `${JSON.stringify(record)}\n`);
}

/** Starts the record of a new twin empty (a crash's successor appends to its predecessor's). */
export function resetFaultRecord(path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, '');
}

export function readFaultRecords(path: string): FaultRecord[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as FaultRecord);
}
