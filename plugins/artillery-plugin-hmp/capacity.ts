// The breakpoint's two capacities, computed once (pure) from the detector's
// result and the level table, and recorded as aggregate.hmp.breakpoint:
// - max users within the SLOs: the highest level, below the first failure,
//   whose hold had every group's p99 within its SLO and the error rate within
//   the breakpoint's limit, as had every level below it. A level "held" only
//   means it did not fail (the failure rules allow twice the SLO): against a
//   real HMP the "sustainable" 10 users had every p99 3-7x over its SLO.
// - max users before failure: the detector's maxSustainableUsers.
// Both in completed req/s too, and what the plan's goals need in req/s at
// the journeys' own think time (journey-rate.ts), since users thinking
// 0.5-1.5 s are not users thinking 5-15 s.
import type { BreakpointResult } from './breakpoint.ts';
import type { LevelRow } from './level-table.ts';
import { mixSession, perUserRate, sameThink } from './journey-rate.ts';
import type { RunJourneysOrWhy } from './journeys-of-run.ts';
import type { FirstMiss, PlanRate, Ranges } from './core/capacity-record.ts';
import { capacityLine, failureKinds } from './core/capacity-text.ts';

export interface CapacityContext {
  goals: { averageUsers: number; peakUsers: number };
  /** The run's journeys (journeys-of-run.ts); undefined while they load. */
  journeys: RunJourneysOrWhy | undefined;
}

export interface CapacityRecord {
  maxUsersWithinSlos: number;
  withinSlosReqPerS: number | null;
  maxUsersBeforeFailure: number;
  beforeFailureReqPerS: number | null;
  topUsers: number;
  firstMiss: FirstMiss | null;
  think: { run: Ranges; journeys: Ranges; same: boolean } | null;
  planRate: PlanRate | null;
  planRateWhy?: string;
}

const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;

/** The lowest level above the capacity within the SLOs that failed, missed an SLO or was not held to its end. */
function firstMissOf(rows: LevelRow[], result: BreakpointResult, within: number): FirstMiss | null {
  const above = rows.filter((r) => r.users > within).sort((a, b) => a.users - b.users);
  for (const r of above) {
    const text =
      r.status === 'failed'
        ? `${r.users} users failed: ${failureKinds(result)}`
        : r.withinSlos === false
          ? `${r.users} users missed ${r.missedSlos.join(', ')}`
          : r.periods > 0 && r.users > result.maxSustainableUsers
            ? `${r.users} users not held to the end`
            : undefined;
    if (text) return { users: r.users, status: r.status, reqPerS: r.reqPerS, text };
  }
  return null;
}

function planRateOf(ctx: CapacityContext, latencyRow: LevelRow | undefined): { planRate: PlanRate | null; planRateWhy?: string } {
  const j = ctx.journeys;
  if (!j) return { planRate: null, planRateWhy: 'the journeys were not read yet' };
  if ('why' in j) return { planRate: null, planRateWhy: j.why };
  if (!latencyRow || latencyRow.meanMs === null) return { planRate: null, planRateWhy: 'no level measured a latency' };
  const perUser = perUserRate(j.journeys, latencyRow.meanMs / 1000);
  if (perUser === undefined) return { planRate: null, planRateWhy: 'the mix has no session time' };
  const session = mixSession(j.journeys);
  const { averageUsers, peakUsers } = ctx.goals;
  return {
    planRate: {
      requestsPerSession: round(session.requests, 2),
      thinksPerSession: round(session.thinks, 2),
      latencyUsers: latencyRow.users,
      meanLatencyMs: latencyRow.meanMs,
      perUserReqPerS: round(perUser, 4),
      peakUsers,
      peakReqPerS: round(peakUsers * perUser, 2),
      averageUsers,
      averageReqPerS: round(averageUsers * perUser, 2),
    },
  };
}

/** Both capacities, in users and req/s, and what the plan's goals need in req/s. */
export function capacityOf(result: BreakpointResult, rows: LevelRow[], ctx: CapacityContext): CapacityRecord {
  const before = result.maxSustainableUsers;
  // Climbing from the first level, up to the first measured hold that missed: a lucky hold above a miss
  // (short holds of a compressed run see a period or two) would claim more than was true. Holds with
  // no measure of their own (too short at an extreme time scale) neither count nor end the climb.
  let withinRow: LevelRow | undefined;
  for (const r of [...rows].sort((a, b) => a.users - b.users)) {
    if (r.users > before || (result.failingUsers !== undefined && r.users >= result.failingUsers)) break;
    if (r.withinSlos === null) continue;
    if (r.status !== 'held' || !r.withinSlos) break;
    withinRow = r;
  }
  const maxUsersWithinSlos = withinRow?.users ?? 0;
  const beforeRow = rows.find((r) => r.users === before && r.periods > 0);
  const firstMiss = firstMissOf(rows, result, maxUsersWithinSlos);
  // The session time uses the latencies of the level within the SLOs, else of the level that missed first, else the lowest measured.
  const measured = rows.filter((r) => r.periods > 0 && r.meanMs !== null).sort((a, b) => a.users - b.users);
  const latencyRow = withinRow ?? measured.find((r) => r.users === firstMiss?.users) ?? measured[0];
  const j = ctx.journeys;
  const think = j && !('why' in j) ? { run: j.runThinkS, journeys: j.journeyThinkS, same: sameThink(j.runThinkS, j.journeyThinkS) } : null;
  return {
    maxUsersWithinSlos,
    withinSlosReqPerS: withinRow ? withinRow.reqPerS : null,
    maxUsersBeforeFailure: before,
    beforeFailureReqPerS: beforeRow ? beforeRow.reqPerS : null,
    topUsers: Math.max(0, ...rows.map((r) => r.users)),
    firstMiss,
    think,
    ...planRateOf(ctx, latencyRow),
  };
}

/** aggregate.hmp.breakpoint: the detector's result, both capacities, the summary in words and the level table. */
export function breakpointRecord(result: BreakpointResult, rows: LevelRow[], ctx: CapacityContext) {
  const capacity = capacityOf(result, rows, ctx);
  const record = { ...result, ...capacity };
  return { ...record, summary: `breakpoint: ${capacityLine(record)}`, levels: rows };
}
