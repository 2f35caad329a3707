// The console of a run is for a person: the plugin prints progress and
// verdicts in words, so Artillery's own metric dumps (~40 lines every 10 s,
// and ~45 more at the end) and its phase lines (the closed model's internal
// arrival phases, not the plan's) are held back, as are ensure's checks of
// the plugin's own criteria (the verdict says them in words, and ensure
// still sets the exit code). Anything else, a check of one's own included,
// is printed. HMP_CONSOLE_METRICS=on brings everything back. Artillery's
// console reporter prints through global.artillery.log at call time, so a
// filter there is enough; it is the only hook Artillery offers (its own
// `suppressOutput` hides plugins.<name>.* metrics only).

type Log = (...args: unknown[]) => void;

const PERIOD_HEADER = /Metrics for period to: /;
const SUMMARY_HEADER = /Summary report @ /;
const PHASE_LINE = /^Phase (started|completed): /;
const CHECKS_HEADER = /^\s*Checks:\s*$/;
const CHECK_LINE = /^(ok|fail): /;
const OWN_CHECK = /plugins\.hmp\./;
/** A line of a metrics dump: "name: ..... value", "name:", "  p99: .... 12", or empty. */
const METRIC_LINE = /^\s*([^\s:][^:]*:(\s\.+\s.*)?)?\s*$/;
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

export function consoleMetricsOn(env: Record<string, string | undefined>): boolean {
  return ['1', 'on', 'true', 'yes'].includes(String(env.HMP_CONSOLE_METRICS ?? '').toLowerCase());
}

const textOf = (args: unknown[]) => (args.length === 0 ? '' : typeof args[0] === 'string' ? args[0].replace(ANSI, '') : null);

/** Wraps artillery.log so the dumps and the plugin's own checks are not printed; returns the undo. */
export function holdBackPeriodDumps(artillery: { log: Log }): () => void {
  const original = artillery.log;
  let skip = 0; // lines left of the period dump being held back
  let mode: 'run' | 'summary' | 'checks' = 'run';
  let checksHeader: unknown[] | undefined; // printed before the first check that is not the plugin's
  artillery.log = (...args: unknown[]) => {
    const text = textOf(args);
    if (mode === 'run') {
      if (text !== null && PERIOD_HEADER.test(text)) skip = 4; // the header, the metrics, then two empty lines
      if (skip > 0) return void skip--;
      if (text !== null && SUMMARY_HEADER.test(text)) return void (mode = 'summary');
      if (text !== null && PHASE_LINE.test(text)) return;
      return original(...args);
    }
    if (text !== null && CHECKS_HEADER.test(text)) {
      mode = 'checks';
      checksHeader = args;
      return;
    }
    if (mode === 'summary' && text !== null && text.split('\n').every((l) => METRIC_LINE.test(l))) return;
    if (mode === 'checks' && text !== null && CHECK_LINE.test(text.trim()) && OWN_CHECK.test(text)) return;
    if (mode === 'checks' && checksHeader) {
      original(...checksHeader);
      checksHeader = undefined;
    }
    original(...args);
  };
  return () => {
    artillery.log = original;
  };
}
