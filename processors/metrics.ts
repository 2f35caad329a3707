// Emitting the suite's metrics from the processors. The names are declared
// once, in the plugin's core (plugins/artillery-plugin-hmp/core/metric-names.ts),
// and read back from there by the plugin, the report and the suite.
import { ENDPOINT_METRICS, metric, requestName, slug } from '../plugins/artillery-plugin-hmp/core/metric-names.ts';
import { logErrorSample } from '../plugins/artillery-plugin-hmp/request-log.ts';
import type { Ee, VuContext } from './types.ts';
import { settings } from './settings.ts';
import { failedAt } from '../plugins/artillery-plugin-hmp/skipped.ts';

export { ENDPOINT_METRICS, metric, requestName, slug };

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
  failedAt(context.vars, name);
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
