// summary.json's `breakpoint` (pure): the plugin's record of the breakpoint
// (aggregate.hmp.breakpoint, untrusted) read field by field, with its two
// capacities and their words as the plugin states them (core/capacity-text.ts).
// Results written before the capacity within the SLOs have null there.
import { capacityOfRecord } from '../plugins/artillery-plugin-hmp/core/capacity-record.ts';
import { capacityLine, rateLine } from '../plugins/artillery-plugin-hmp/core/capacity-text.ts';
import { isObject, num, str } from '../plugins/artillery-plugin-hmp/core/results.ts';
import type { BreakpointSummary, HmpSection } from './types.ts';

export function breakpointOf(hmp: HmpSection): BreakpointSummary | null {
  const b = hmp.breakpoint;
  if (!isObject(b)) return null;
  const failedAt = num(b.failedAt);
  const c = capacityOfRecord(b);
  const current = c?.maxUsersWithinSlos !== undefined ? c : undefined;
  return {
    found: b.found === true,
    maxSustainableUsers: num(b.maxSustainableUsers) ?? 0,
    failingUsers: num(b.failingUsers) ?? null,
    failedAt: failedAt === undefined ? null : new Date(failedAt).toISOString(),
    failureMode: str(b.failureMode) ?? null,
    problems: (Array.isArray(b.problems) ? b.problems.filter(isObject) : []).map((p) => ({ kind: str(p.kind) ?? '', text: str(p.text) ?? '' })),
    summary: str(b.summary) ?? '',
    maxUsersWithinSlos: current?.maxUsersWithinSlos ?? null,
    withinSlosReqPerS: current?.withinSlosReqPerS ?? null,
    beforeFailureReqPerS: current?.beforeFailureReqPerS ?? null,
    firstMiss: current?.firstMiss?.text ?? null,
    think: current?.think ?? null,
    planRate: current?.planRate ?? null,
    capacityText: current ? capacityLine(current) : null,
    rateText: current ? rateLine(current) : null,
    levels: (Array.isArray(b.levels) ? b.levels.filter(isObject) : []).map((l) => ({
      users: num(l.users) ?? 0,
      status: str(l.status) ?? '',
      periods: num(l.periods) ?? 0,
      reqPerS: num(l.reqPerS) ?? 0,
      errorPct: num(l.errorPct) ?? 0,
      p50: num(l.p50) ?? null,
      p95: num(l.p95) ?? null,
      p99: num(l.p99) ?? null,
      meanMs: num(l.meanMs) ?? null,
      withinSlos: typeof l.withinSlos === 'boolean' ? l.withinSlos : null,
      missedSlos: Array.isArray(l.missedSlos) ? l.missedSlos.filter((x): x is string => typeof x === 'string') : [],
    })),
  };
}
