// The report reads its input with the plugin's core reader (one reader of
// Artillery's results for the plugin, the report, the suite and the bench);
// this module keeps the report's names for it.
export {
  asResults,
  counter,
  counters,
  hmpSection as hmpOf,
  isObject,
  listRecord,
  num,
  numberRecord,
  own,
  parseResultsText,
  periodSeconds,
  periodsOf,
  periodStart,
  ResultsError as ReportInputError,
  stat,
  str,
  stringList,
  summaries,
} from '../plugins/artillery-plugin-hmp/core/results.ts';
export { dict } from '../plugins/artillery-plugin-hmp/core/metric-names.ts';
