// Whether a breakpoint level's hold was within the plan's SLOs (pure): every
// group's p99 (its worst endpoint's, over all the hold's requests) within the
// group's SLO, and the error rate below the breakpoint's limit. The failure
// rules allow twice the SLO before a level fails; a level can "hold" far
// outside its SLOs, so the capacity within the SLOs asks this instead.
import { fmtSloMs } from './core/capacity-text.ts';

export interface SloJudge {
  /** p99 SLO in ms per group. */
  slo: Record<string, number>;
  /** Request names per group. */
  groups: Record<string, string[]>;
  /** The breakpoint's error-rate limit, %. */
  maxErrorRate: number;
}

/**
 * What the hold missed, in words ("list p99 2.95 s > 700 ms", "error rate
 * 6.2% >= 5%"); `p99`: endpoint -> p99 ms over the hold (absent: no
 * requests); `errorPct`: null when no requests.
 */
export function missedSlos(p99: Record<string, number | undefined>, errorPct: number | null, judge: SloJudge): string[] {
  const out: string[] = [];
  for (const [group, endpoints] of Object.entries(judge.groups)) {
    const limit = Object.hasOwn(judge.slo, group) ? judge.slo[group]! : undefined;
    if (limit === undefined) continue;
    const worst = Math.max(-Infinity, ...endpoints.map((e) => (Object.hasOwn(p99, e) ? (p99[e] ?? -Infinity) : -Infinity)));
    if (worst > limit) out.push(`${group} p99 ${fmtSloMs(worst)} > ${fmtSloMs(limit)}`);
  }
  if (errorPct !== null && errorPct >= judge.maxErrorRate) out.push(`error rate ${errorPct}% >= ${judge.maxErrorRate}%`);
  return out;
}
