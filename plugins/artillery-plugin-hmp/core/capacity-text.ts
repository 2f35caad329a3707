// The breakpoint's capacities in words (pure), one wording for the console,
// the results' summary, the capacity verdict's note and the report.
import type { CapacityMeasured, Ranges } from './capacity-record.ts';

/** "700 ms", "2.95 s", "2 s". */
export function fmtSloMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${Number((ms / 1000).toFixed(2))} s`;
}

/** A rate as the notes give it: "7", "10", "1.8", "0.35". */
export function fmtRate(x: number): string {
  if (x >= 10) return String(Math.round(x));
  return String(Number(x.toFixed(x >= 1 ? 1 : 2)));
}

const seconds = (x: number) => String(Number(x.toPrecision(3)));

/** "0.5-1.5 s", or per profile when they differ: "student 2-8 s, instructor 5-15 s". */
export function thinkText(r: Ranges): string {
  const one = ([a, b]: readonly [number, number]) => (a === b ? `${seconds(a)} s` : `${seconds(a)}-${seconds(b)} s`);
  const texts = Object.entries(r).map(([name, range]) => [name, one(range)] as const);
  if (texts.length === 0) return 'an unknown think time';
  return new Set(texts.map(([, t]) => t)).size === 1 ? texts[0]![1] : texts.map(([n, t]) => `${n} ${t}`).join(', ');
}

/** "stall", "errors, latency": what the failing level broke. */
export function failureKinds(c: Pick<CapacityMeasured, 'problems'>): string {
  const kinds = [...new Set((c.problems ?? []).map((p) => p.kind).filter(Boolean))];
  return kinds.length ? kinds.join(', ') : 'failed';
}

/** "max users within the SLOs: 0 (10 users missed list p99 2.95 s > 700 ms)". */
export function withinSlosText(c: CapacityMeasured): string {
  const n = c.maxUsersWithinSlos ?? 0;
  const why = c.firstMiss ? c.firstMiss.text : n > 0 && n === c.topUsers ? 'the top level' : n > 0 ? 'the highest level measured' : 'no level measured';
  return `max users within the SLOs: ${n} (${why})`;
}

/** "max users before failure: 10 (failed at 20: stall)". */
export function beforeFailureText(c: CapacityMeasured): string {
  const why = c.found
    ? `failed at ${c.failingUsers ?? '?'}: ${failureKinds(c)}`
    : c.topUsers !== undefined && c.maxSustainableUsers < c.topUsers
      ? `stopped before the top level, ${c.topUsers} not reached`
      : c.topUsers !== undefined
        ? `no breakpoint below ${c.topUsers} users`
        : 'no failure up to the top level';
  return `max users before failure: ${c.maxSustainableUsers} (${why})`;
}

/** Both capacities in users: the end-of-breakpoint line. */
export function capacityLine(c: CapacityMeasured): string {
  return `${withinSlosText(c)}; ${beforeFailureText(c)}`;
}

/** "10.9 req/s at 10 users" / "none". */
function rateAt(rate: number | null | undefined, users: number): string {
  return rate === null || rate === undefined || users === 0 ? 'none' : `${rate} req/s at ${users} users`;
}

/**
 * Both capacities in req/s and what the plan's goals need at the journeys'
 * think time: "in req/s: within the SLOs 10.9 req/s at 10 users, before
 * failure ...; thinking 0.5-1.5 s; the plan's peak of 60 users at 5-15 s
 * needs about 7 req/s, its average of 15 users about 1.8 req/s".
 */
export function rateLine(c: CapacityMeasured): string {
  const held = `in req/s: within the SLOs ${rateAt(c.withinSlosReqPerS, c.maxUsersWithinSlos ?? 0)}, before failure ${rateAt(c.beforeFailureReqPerS, c.maxSustainableUsers)}`;
  const thinking = c.think ? `, thinking ${thinkText(c.think.run)}` : '';
  const p = c.planRate;
  const need = p
    ? `the plan's peak of ${p.peakUsers} users at ${thinkText(c.think?.journeys ?? {})} needs about ${fmtRate(p.peakReqPerS)} req/s, its average of ${p.averageUsers} users about ${fmtRate(p.averageReqPerS)} req/s (${fmtRate(p.requestsPerSession)} requests a session at the latencies of ${p.latencyUsers} users)`
    : `what the plan's goals need is not estimated: ${c.planRateWhy ?? 'no estimate recorded'}`;
  return `${held}${thinking}; ${need}`;
}
