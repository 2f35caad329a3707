// Metric names, declared once. Per-endpoint families are those of
// artillery-plugin-metrics-by-endpoint with `useOnlyRequestNames: true`, so
// requests made outside Artillery's HTTP engine (binary downloads, re-login,
// retries: outside-engine.ts) land next to the engine's own:
//   plugins.metrics-by-endpoint.response_time.<name>     histogram, ms to first byte
//   plugins.metrics-by-endpoint.<name>.codes.<status>    counter
//   plugins.metrics-by-endpoint.<name>.errors.<code>     counter (no answer)
// The suite's verdicts:
//   hmp.ok.<name>                 a response that passed its validation
//   hmp.errors                    every failed request or check, all endpoints
//   hmp.errors.<name>             a failed request or check (+ .<reason>)
//   hmp.warnings.<name>           a known server defect, reported but not an error (+ .<reason>)
import { logErrorSample } from './error-log.ts';
import type { Ee, VuContext } from './types.ts';
import { settings } from './settings.ts';

export const ENDPOINT_METRICS = 'plugins.metrics-by-endpoint';

export const metric = {
  responseTime: (name: string) => `${ENDPOINT_METRICS}.response_time.${name}`,
  code: (name: string, status: number) => `${ENDPOINT_METRICS}.${name}.codes.${status}`,
  endpointError: (name: string, code: string) => `${ENDPOINT_METRICS}.${name}.errors.${code}`,
  ok: (name: string) => `hmp.ok.${name}`,
  allErrors: 'hmp.errors',
  errors: (name: string) => `hmp.errors.${name}`,
  error: (name: string, reason: string) => `hmp.errors.${name}.${reason}`,
  warnings: (name: string) => `hmp.warnings.${name}`,
  warning: (name: string, reason: string) => `hmp.warnings.${name}.${reason}`,
  relogin: 'hmp.relogin',
  reloginName: 'auth_relogin',
  retryName: (name: string) => `${name}_retry`,
  session: (what: string) => `hmp.session.${what}`,
  role: (role: string) => `hmp.roles.${role}`,
  login: (role: string) => `hmp.login.${role}`,
  plan: (action: string) => `hmp.plan.${action}`,
  convert: (what: string) => `hmp.conversion.${what}`,
} as const;

/** A reason as a metric-name segment: lower case, [a-z0-9_]. */
export function slug(reason: string): string {
  return reason.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '') || 'unknown';
}

export function count(ee: Ee, name: string, value = 1): void {
  ee.emit('counter', name, value);
}

export function histogram(ee: Ee, name: string, value: number): void {
  ee.emit('histogram', name, value);
}

export function recordOk(ee: Ee, name: string): void {
  count(ee, metric.ok(name));
}

const sampled = new Set<string>();

/** One sample of the server's message per endpoint and reason, on stderr with DEBUG=hmp. Never a token or key. */
function sample(name: string, reason: string, detail: string): void {
  if (!settings().debug) return;
  const key = `${name}.${reason}`;
  if (sampled.has(key)) return;
  sampled.add(key);
  console.debug(`hmp: ${key}: ${detail.slice(0, 300)}`);
}

/**
 * A failed request or check: counted under the endpoint's name and reason,
 * and the rest of this session is skipped (`ifTrue: sessionOk`). The VU
 * itself goes on: its next session starts afresh.
 */
export function recordFailure(ee: Ee, context: VuContext, name: string, reason: string, detail: string): void {
  const r = slug(reason);
  count(ee, metric.allErrors);
  count(ee, metric.errors(name));
  count(ee, metric.error(name, r));
  sample(name, r, detail);
  logErrorSample(name, r, detail);
  context.vars.sessionFailed = true;
}

const warned = new Set<string>();

/**
 * A known server defect (HMP-API.md) that does not fail the request: counted
 * under the endpoint's name and reason, `message` printed once per worker.
 * The session goes on.
 */
export function recordWarning(ee: Ee, name: string, reason: string, message: string): void {
  const r = slug(reason);
  count(ee, metric.warnings(name));
  count(ee, metric.warning(name, r));
  const key = `${name}.${r}`;
  if (warned.has(key)) return;
  warned.add(key);
  console.warn(`hmp: warning: ${message}`);
}
