// Confirming a suspect by experiment (pure): when the breakpoint's cause is a
// kind of request (the server blocked by conversions), the same breakpoint
// without that kind measures what removing it gains. Here: which cause can be
// confirmed, the command that does it, and the two capacities side by side.
import type { Cause, Diagnosis } from './types.ts';

/** The cause an experiment can confirm: the server blocked by conversions (they can be switched off). */
export function confirmable(d: Diagnosis | undefined): Cause | undefined {
  return d?.incidents.map((i) => i.cause).find((c) => c.id === 'blocked-by-kind' && /^pdf_/.test(c.kind ?? ''));
}

/** The command that runs a test again without conversions (the breakpoint's by default). */
export function confirmCommand(test = 'breakpoint'): string {
  return `npm run suite -- --only ${test} --no-conversions`;
}

/** A breakpoint's two capacities, as its step records them. */
export interface Capacities {
  withinSlosUsers: number | null;
  withinSlosReqPerS: number | null;
  beforeFailureUsers: number | null;
}

function users(c: Capacities): string {
  if (c.withinSlosUsers === null) return `max users before failure ${c.beforeFailureUsers ?? 'not measured'}`;
  if (c.withinSlosUsers === 0) return 'below its first level within the SLOs';
  return `max within the SLOs ${c.withinSlosUsers} users${c.withinSlosReqPerS !== null ? ` (${c.withinSlosReqPerS} req/s)` : ''}`;
}

/** "without conversions: max within the SLOs 40 users (31 req/s); with them: below its first level within the SLOs" and the gain. */
export function comparisonWords(withKind: Capacities, without: Capacities): string {
  const a = withKind.withinSlosUsers ?? withKind.beforeFailureUsers ?? 0;
  const b = without.withinSlosUsers ?? without.beforeFailureUsers ?? 0;
  const verdict = b > a ? 'the conversions were the bottleneck: making them asynchronous (or moving them to workers) is worth that much' : b === a ? 'no gain measured: the conversions did not limit the levels of this run' : 'less without them: the conversions were not the bottleneck';
  return `without conversions: ${users(without)}; with them: ${users(withKind)}; ${verdict}.`;
}
