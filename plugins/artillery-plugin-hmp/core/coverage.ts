// The smoke test's coverage (pure): which critical endpoints never answered,
// and for each, in words, whether it was tried and failed (why) or never
// tried because something failed before it in its session.
import { answered, endpointCounters } from './metric-names.ts';

export interface Coverage {
  /** Critical endpoints without an answer (any status) or a passed check. */
  unanswered: string[];
  /** endpoint -> "tried and failed: 27 x no_server_key" | "never tried: auth_login failed first (5 planned)" */
  why: Record<string, string>;
}

const byCount = (m: Record<string, number>) => Object.entries(m).sort((a, b) => b[1] - a[1]);

export function coverageOf(counters: Record<string, number> | undefined, endpoints: string[]): Coverage {
  const c = endpointCounters(counters);
  const unanswered = endpoints.filter((e) => !answered(counters, e));
  const why: Record<string, string> = {};
  for (const e of unanswered) {
    const reasons = byCount(c.reasons[e] ?? {});
    const skipped = byCount(c.skipped[e] ?? {});
    if (reasons.length) why[e] = `tried and failed: ${reasons.map(([r, n]) => `${n} x ${r}`).join(', ')}`;
    else if (skipped.length) why[e] = `never tried: ${skipped[0]![0]} failed first (${skipped.reduce((a, [, n]) => a + n, 0)} planned)`;
    else why[e] = 'never tried: no session reached it';
  }
  return { unanswered, why };
}
