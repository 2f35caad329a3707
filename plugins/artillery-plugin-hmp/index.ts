// artillery-plugin-hmp: see README.md. Artillery loads `Plugin` (v2 plugin API).
export { HmpPlugin as Plugin } from './plugin.ts';
/** Receive Artillery 2's metrics format (counters, summaries), not the legacy report. */
export const LEGACY_METRICS_FORMAT = false;
