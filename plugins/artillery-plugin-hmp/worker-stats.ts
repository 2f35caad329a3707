// What a cloud worker sends its launcher, written to a file instead
// (HMP_WORKER_STATS=FILE): every 10 s period's metrics serialized as
// Artillery's SQS reporter serializes them (global.artillery.__SSMS), one
// JSON line each, after a first line naming the test run. Workers started
// by hand on several machines are then merged as run-fargate's launcher
// merges its workers: tools/merge-results.ts.
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

interface Events {
  on(event: string, fn: (...args: any[]) => void): void;
}

interface Ssms {
  serializeMetrics(stats: unknown): string;
}

/** The first line of a worker's stats file: which run and which worker. */
export interface WorkerStatsHeader {
  event: 'worker';
  testRunId: string | undefined;
  workerId: string | undefined;
}

/** Appends every period Artillery reports in this (main) thread to `path`, as `{event: 'workerStats', stats}` lines. */
export function recordWorkerStats(events: Events, path: string, env: Record<string, string | undefined>): void {
  const artillery = (globalThis as { artillery?: { __SSMS?: Ssms; testRunId?: string } }).artillery;
  const ssms = artillery?.__SSMS;
  if (!ssms) return;
  const file = resolve(path);
  mkdirSync(dirname(file), { recursive: true });
  const header: WorkerStatsHeader = { event: 'worker', testRunId: artillery?.testRunId ?? env.ARTILLERY_TEST_RUN_ID, workerId: env.WORKER_ID ?? env.HMP_WORKER_INDEX };
  writeFileSync(file, `${JSON.stringify(header)}\n`);
  events.on('stats', (stats: unknown) => appendFileSync(file, `${JSON.stringify({ event: 'workerStats', stats: ssms.serializeMetrics(stats) })}\n`));
}
