// Planned requests a failed session did not send (worker side). The first
// failure of a session is recorded in `$hmpFailedBy` (its request name): by
// the processors for a failed check, by request-errors.ts for a request that
// got no answer. A step met after it, whose guard would have let it run had
// the session not failed, counts as plugins.hmp.skipped.<name>.<failedBy>:
// the report's "never tried because X failed first" and per-endpoint skips.
import { metric } from './core/metric-names.ts';

type Vars = Record<string, unknown>;
interface Emitter {
  emit(event: string, ...args: unknown[]): unknown;
}

/** The session's failure flags (the processors' sessionFailed, this plugin's $hmpRequestFailed and $hmpFailedBy) cleared. */
export const NOT_FAILED = { sessionFailed: false, $hmpRequestFailed: false, $hmpFailedBy: undefined } as const;

/** Records the session's first failure. */
export function failedAt(vars: Vars, name: string): void {
  if (typeof vars.$hmpFailedBy !== 'string') vars.$hmpFailedBy = name;
}

/** Counts `name` as skipped when the session has failed and `wouldRun` says it would have run otherwise. */
export function countSkipped(ee: Emitter, vars: Vars, name: string, wouldRun: (v: Vars) => unknown): void {
  const by = vars.$hmpFailedBy;
  if (typeof by !== 'string') return;
  let would = false;
  try {
    would = Boolean(wouldRun({ ...vars, ...NOT_FAILED }));
  } catch {}
  if (would) ee.emit('counter', metric.skipped(name, by), 1);
}
