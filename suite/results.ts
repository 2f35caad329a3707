// The suite reads Artillery's `-o` results with the plugin's core reader (one
// reader for the plugin, the report, the suite and the bench); this module
// keeps the suite's names for it and the latency names its analyses use.
import { ARTILLERY } from '../plugins/artillery-plugin-hmp/core/metric-names.ts';

export {
  asResults,
  counter,
  errorRateOf,
  errorsOf,
  hmpSection,
  num,
  PERIOD_MS,
  periodsOf,
  periodStart,
  ResultsError,
  stat,
  summaryOf,
  timeScaleOf,
  type Period,
  type Results,
  type Summary,
} from '../plugins/artillery-plugin-hmp/core/results.ts';
export { durationOf, holdOf, type HoldWindow } from '../plugins/artillery-plugin-hmp/core/run-window.ts';
export { hasHmpCounters as hasHmpErrors, LATENCY_PREFIX } from '../plugins/artillery-plugin-hmp/core/metric-names.ts';

/** Latency of all requests (Artillery's http.response_time). */
export const ALL_LATENCY = ARTILLERY.responseTime;
