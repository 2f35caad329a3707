// The server's own words for each kind of error, for the report: the first
// message per endpoint and reason, one JSON line each in HMP_ERRORS_LOG (set
// by the suite's plugin for every run). Counts come from the metrics.
import { appendFileSync } from 'node:fs';

const seen = new Set<string>();

export function logErrorSample(endpoint: string, reason: string, message: string): void {
  const path = process.env.HMP_ERRORS_LOG;
  if (!path) return;
  const key = `${endpoint}\u0000${reason}`;
  if (seen.has(key)) return;
  seen.add(key);
  const status = /^status_(\d{3})$/.exec(reason)?.[1];
  const line = { endpoint, reason, ...(status ? { status: Number(status) } : {}), message: message.slice(0, 500), at: Date.now() };
  try {
    appendFileSync(path, `${JSON.stringify(line)}\n`);
  } catch {
    // A sample is a nicety: never fail a request over it.
  }
}
