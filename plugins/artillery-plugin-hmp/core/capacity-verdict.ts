// The breakpoint's `capacity` verdict (pure; core/criteria.ts adds it): the
// plan's peak goal judged on the capacity WITHIN THE SLOs, not on the level
// before failure (a level can "hold" with every p99 several times its SLO).
// Users compare only at the journeys' own think time: when the run thought
// otherwise (a compressed run, --think), the goal is judged through the
// request rate the plan's peak needs at the journeys' think time.
import type { CapacityMeasured } from './capacity-record.ts';
import { beforeFailureText, capacityLine, fmtRate, thinkText } from './capacity-text.ts';

export interface CapacityVerdictParts {
  name: string;
  measured: number | null;
  limit: number | null;
  unit: string;
  op: '>=';
  note: string;
}

const round1 = (x: number) => Math.round(x * 10) / 10;

function usersGoal(n: number, goals: { averageUsers: number; peakUsers: number }, met: string): string {
  return n < goals.averageUsers
    ? `below even the plan's average usage (${goals.averageUsers} users)`
    : n < goals.peakUsers
      ? `supports the plan's average usage (${goals.averageUsers} users), not its peak`
      : met;
}

/** Results written before the capacity within the SLOs: judged on the users before failure, as they were. */
function older(c: CapacityMeasured, goals: { averageUsers: number; peakUsers: number }): CapacityVerdictParts {
  const note = usersGoal(c.maxSustainableUsers, goals, c.found ? "the plan's peak is sustained" : 'no breakpoint below the top level');
  return { name: "Max sustainable users (the plan's peak)", measured: c.maxSustainableUsers, limit: goals.peakUsers, unit: 'users', op: '>=', note };
}

function inUsers(c: CapacityMeasured, goals: { averageUsers: number; peakUsers: number }): CapacityVerdictParts {
  const n = c.maxUsersWithinSlos ?? 0;
  const unknown = c.think ? '' : `; judged on users, the run's think time being unknown (${c.planRateWhy ?? 'not recorded'})`;
  const note = `${usersGoal(n, goals, "the plan's peak is met within the SLOs")}; ${capacityLine(c)}${unknown}`;
  return { name: "Max users within the SLOs (the plan's peak)", measured: n, limit: goals.peakUsers, unit: 'users', op: '>=', note };
}

function inRate(c: CapacityMeasured & { think: NonNullable<CapacityMeasured['think']> }): CapacityVerdictParts {
  const name = "Req/s within the SLOs (the plan's peak at its think time)";
  const run = thinkText(c.think.run);
  const journeys = thinkText(c.think.journeys);
  const n = c.maxUsersWithinSlos ?? 0;
  const why = `judged in req/s: the run thought ${run}, the journeys ${journeys}`;
  const before = c.beforeFailureReqPerS === null || c.beforeFailureReqPerS === undefined ? beforeFailureText(c) : `${beforeFailureText(c)} at ${c.beforeFailureReqPerS} req/s`;
  const p = c.planRate;
  if (!p) {
    const measured = n > 0 ? (c.withinSlosReqPerS ?? null) : null;
    return { name, measured, limit: null, unit: 'req/s', op: '>=', note: `not judged: what the plan's peak needs at ${journeys} is not estimated (${c.planRateWhy ?? 'not recorded'}); the run thought ${run}, so its users do not compare with the plan's; ${capacityLine(c)}` };
  }
  const need = round1(p.peakReqPerS);
  const peak = `the plan's peak of ${p.peakUsers} users at ${journeys} needs about ${fmtRate(p.peakReqPerS)} req/s`;
  if (n > 0) {
    const held = c.withinSlosReqPerS ?? 0;
    const average = `its average of ${p.averageUsers} users about ${fmtRate(p.averageReqPerS)} req/s: ${held >= p.averageReqPerS ? 'met' : 'not met'}`;
    const note = `held ${held} req/s within the SLOs at ${n} users thinking ${run}; ${peak}: ${held >= need ? 'met' : 'not met'}; ${average}; ${before}; ${why}`;
    return { name, measured: held, limit: need, unit: 'req/s', op: '>=', note };
  }
  // No level within the SLOs: a miss at no more than the rate needed settles it; a miss above it does not.
  const miss = c.firstMiss;
  if (miss && miss.reqPerS > 0 && miss.reqPerS <= need) {
    const note = `no level within the SLOs: ${miss.text} at ${miss.reqPerS} req/s thinking ${run}; ${peak}: not met; ${before}; ${why}`;
    return { name, measured: 0, limit: need, unit: 'req/s', op: '>=', note };
  }
  const note = miss
    ? `not judged: no level within the SLOs (${miss.text}), but at ${miss.reqPerS} req/s thinking ${run}, more than ${peak}; a lower rate may still be within the SLOs (a run whose think time after the time scale is the journeys' ${journeys} would tell); ${before}`
    : `not judged: no level within the SLOs, and no level measured; ${before}`;
  return { name, measured: null, limit: need, unit: 'req/s', op: '>=', note };
}

/** The capacity verdict's measured value, limit and note (judge() in core/criteria.ts decides pass and gating). */
export function capacityVerdict(c: CapacityMeasured | undefined, goals: { averageUsers: number; peakUsers: number }): CapacityVerdictParts {
  if (!c) return { name: "Max users within the SLOs (the plan's peak)", measured: null, limit: goals.peakUsers, unit: 'users', op: '>=', note: 'no breakpoint analysis in these results' };
  if (c.maxUsersWithinSlos === undefined) return older(c, goals);
  if (c.think && !c.think.same) return inRate({ ...c, think: c.think });
  return inUsers(c, goals);
}
