// The console of a run is for a person: the plugin prints progress and
// verdicts in words, so Artillery's own per-period metric dumps (~40 lines
// every 10 s) and its phase lines (the closed model's internal arrival
// phases, not the plan's) are held back. The final summary report stays.
// HMP_CONSOLE_METRICS=on brings the dumps back. Artillery's console
// reporter prints through global.artillery.log at call time, so a filter
// there is enough; it is the only hook Artillery offers (its own
// `suppressOutput` hides plugins.<name>.* metrics only).

type Log = (...args: unknown[]) => void;

const PERIOD_HEADER = /Metrics for period to: /;
const PHASE_LINE = /^Phase (started|completed): /;

export function consoleMetricsOn(env: Record<string, string | undefined>): boolean {
  return ['1', 'on', 'true', 'yes'].includes(String(env.HMP_CONSOLE_METRICS ?? '').toLowerCase());
}

/** Wraps artillery.log so per-period dumps are not printed; returns the undo. */
export function holdBackPeriodDumps(artillery: { log: Log }): () => void {
  const original = artillery.log;
  let skip = 0; // lines left of the dump being held back
  artillery.log = (...args: unknown[]) => {
    const first = typeof args[0] === 'string' ? args[0] : '';
    if (PERIOD_HEADER.test(first)) skip = 4; // the header, the metrics, then two empty lines
    if (skip > 0) skip--;
    else if (!PHASE_LINE.test(first)) original(...args);
  };
  return () => {
    artillery.log = original;
  };
}
