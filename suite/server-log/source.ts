// Where a test's server log comes from (--server-log): a file the server
// writes, followed while the test runs, or "digitalocean": the App Platform
// app's run logs (--do-app-id, --do-component), fetched when the test ends.
// Either way one summary per test, and a problem is a sentence, not a stop.
import { DigitalOceanLogSource } from './digitalocean-logs.ts';
import { checkServerLog, LogFollower } from './follow.ts';
import type { ServerLogSummary } from './summary.ts';

/** The --server-log value that reads DigitalOcean's run logs instead of a file. */
export const DIGITALOCEAN_LOGS = 'digitalocean';

export interface ServerLogSource {
  start(): this;
  stop(): ServerLogSummary | Promise<ServerLogSummary>;
}

export interface ServerLogSpec {
  /** A file path, or DIGITALOCEAN_LOGS. */
  serverLog: string;
  appId?: string;
  component?: string;
}

export function serverLogSource(spec: ServerLogSpec): ServerLogSource {
  if (spec.serverLog === DIGITALOCEAN_LOGS) return new DigitalOceanLogSource({ appId: spec.appId ?? '', component: spec.component });
  return new LogFollower(spec.serverLog);
}

/** Why the server log cannot be read at all, known before any test (one sentence), else undefined. */
export function serverLogProblem(spec: ServerLogSpec): string | undefined {
  if (spec.serverLog === DIGITALOCEAN_LOGS) return new DigitalOceanLogSource({ appId: spec.appId ?? '', component: spec.component }).problem;
  return checkServerLog(spec.serverLog);
}
