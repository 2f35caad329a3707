// The breakpoint's two capacities on synthetic periods (capacity.ts, the level
// table's SLO judgement, journey-rate.ts) and the capacity verdict they feed:
// a level that "held" with its p99 over the SLO is not within the SLOs; a run
// at another think time is judged through req/s; no level within the SLOs.
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DDSketch } from '@artilleryio/sketches-js';
import { STAIRCASE } from './support/staircase.ts';
import { BreakpointDetector, levelAt, levelsOf } from '../plugins/artillery-plugin-hmp/breakpoint.ts';
import { formatLevelTable, LevelTable } from '../plugins/artillery-plugin-hmp/level-table.ts';
import { breakpointRecord } from '../plugins/artillery-plugin-hmp/capacity.ts';
import { journeyThink, mixSession, perUserRate, sameThink, sessionOf, type Journeys } from '../plugins/artillery-plugin-hmp/journey-rate.ts';
import { loadRunJourneys, type RunJourneysOrWhy } from '../plugins/artillery-plugin-hmp/journeys-of-run.ts';
import { resolveSettings } from '../plugins/artillery-plugin-hmp/settings.ts';
import type { PeriodView } from '../plugins/artillery-plugin-hmp/period-view.ts';
import { ARTILLERY, LATENCY_PREFIX } from '../plugins/artillery-plugin-hmp/core/metric-names.ts';
import { capacityOfRecord } from '../plugins/artillery-plugin-hmp/core/capacity-record.ts';
import { rateLine } from '../plugins/artillery-plugin-hmp/core/capacity-text.ts';
import { verdictsOf } from '../plugins/artillery-plugin-hmp/core/criteria.ts';
import { planCriteria } from '../lib/plan-criteria.ts';
import { MIXES, PROFILES } from '../processors/profiles.ts';

// Levels 10, 20, 40: 20 s ramp + 30 s hold each (periods are 10 s).
const shape = STAIRCASE;
const criteria = planCriteria();
const rules = criteria.breakpoint;
const slo = { list: 700 };
const groups = { list: ['project_list'] };
const goals = criteria.goals;
/** The plan's average mix, from the processors (think 5-15 s). */
const journeys: Journeys = { mix: { ...MIXES.average! }, profiles: { student: PROFILES.student!, instructor: PROFILES.instructor! } };
const thinking = (min: number, max: number) => ({ student: [min, max] as const, instructor: [min, max] as const });
const runAt = (min: number, max: number): RunJourneysOrWhy => ({ journeys, journeyThinkS: journeyThink(journeys), runThinkS: thinking(min, max) });

interface Period {
  /** Completed requests in the period. */
  responses?: number;
  /** ms of every project_list request in the period. */
  listMs?: number;
  errors?: number;
}

/** Feeds the detector and the level table as main.ts does; returns aggregate.hmp.breakpoint. */
function simulate(periodAt: (users: number, t: number) => Period, j: RunJourneysOrWhy | undefined) {
  const detector = new BreakpointDetector(shape, rules, slo, groups);
  const table = new LevelTable(levelsOf(shape), { slo, groups, maxErrorRate: rules.maxErrorRate });
  let result;
  for (let t = 10; t <= shape.total && !result; t += 10) {
    const users = levelAt(shape, t - 5);
    const p = periodAt(users, t);
    const responses = p.responses ?? users * 10;
    const listMs = p.listMs ?? 50;
    const all = new DDSketch();
    const list = new DDSketch();
    const lists = Math.min(10, responses);
    if (responses > lists) all.accept(100, responses - lists);
    all.accept(listMs, lists);
    list.accept(listMs, lists);
    const view: PeriodView = {
      at: 1_000_000 + (t - 10) * 1000,
      t,
      target: users,
      active: users,
      requests: responses,
      responses,
      errors: p.errors ?? 0,
      netErrors: 0,
      errorsBy: p.errors ? { project_list: { status_500: p.errors } } : {},
      codesBy: {},
      p99: { project_list: listMs },
      median5xxMs: undefined,
    };
    table.add(view, { [ARTILLERY.responseTime]: all, [LATENCY_PREFIX + 'project_list']: list });
    result = detector.push(view);
  }
  result ??= detector.finish();
  return breakpointRecord(result, table.rows(result.failingUsers), { goals, journeys: j });
}

const capacityVerdict = (record: ReturnType<typeof simulate>) => verdictsOf('breakpoint', criteria, { requests: 1, errors: 0, errorRatePct: 0, groupP99: {}, unanswered: [], capacity: record }).find((v) => v.id === 'capacity')!;

// 10 users "hold": every other period's list p99 is 2.95 s (never two bad periods in a row, so the detector
// sees no failure), but over the hold the p99 of all list requests is 2.95 s, over its 700 ms SLO. 20 users stall.
const heldOverSlo = (users: number, t: number): Period => (users === 10 ? (t % 20 === 0 ? { listMs: 2950 } : {}) : users >= 20 && t >= 80 ? { responses: 3 } : {});

test('a level that held with its p99 over the SLO is not within the SLOs: 0 users within, 10 before failure', () => {
  const b = simulate(heldOverSlo, runAt(5, 15));
  assert.equal(b.found, true);
  assert.equal(b.maxSustainableUsers, 10, 'the level before failure, kept for older readers');
  assert.equal(b.maxUsersBeforeFailure, 10);
  assert.equal(b.maxUsersWithinSlos, 0);
  assert.equal(b.withinSlosReqPerS, null);
  assert.equal(b.beforeFailureReqPerS, 10);
  const ten = b.levels.find((l) => l.users === 10)!;
  assert.equal(ten.status, 'held');
  assert.equal(ten.withinSlos, false);
  assert.deepEqual(ten.missedSlos.map((x) => x.replace(/2\.9\d s/, '2.9x s')), ['list p99 2.9x s > 700 ms']);
  assert.match(b.firstMiss!.text, /^10 users missed list p99 2\.9\d s > 700 ms$/);
  assert.match(b.summary, /^breakpoint: max users within the SLOs: 0 \(10 users missed list p99 2\.9\d s > 700 ms\); max users before failure: 10 \(failed at 20: stall\)$/);
  assert.match(formatLevelTable(b.levels), /\n\s+10  held\s+10\s+0\s+.*missed list p99 2\.9\d s > 700 ms\n\s+20  failed/);
  // At the journeys' own think time the verdict judges users within the SLOs: 0 of the plan's 60.
  const v = capacityVerdict(b);
  assert.equal(b.think!.same, true);
  assert.deepEqual([v.name, v.measured, v.limit, v.unit, v.pass], ["Max users within the SLOs (the plan's peak)", 0, 60, 'users', false]);
  assert.match(v.note!, /^below even the plan's average usage \(15 users\); max users within the SLOs: 0 \(10 users missed list p99 2\.9\d s > 700 ms\); max users before failure: 10 \(failed at 20: stall\)$/);
});

test('a level above one that missed does not count: the capacity within the SLOs is where they stopped holding', () => {
  // 10 users miss list (every other period 2.95 s), 20 users are within, 40 stall.
  const b = simulate((users, t) => (users === 10 ? (t % 20 === 0 ? { listMs: 2950 } : {}) : users === 40 && t >= 130 ? { responses: 3 } : {}), runAt(5, 15));
  assert.equal(b.maxUsersBeforeFailure, 20);
  assert.equal(b.levels.find((l) => l.users === 20)!.withinSlos, true);
  assert.equal(b.maxUsersWithinSlos, 0);
  assert.match(b.firstMiss!.text, /^10 users missed list p99/);
});

test('a level is within the SLOs only below the breakpoint\'s error limit too', () => {
  // 20 users: 10% errors in every other period (never two in a row: no failure), 6.7% over the hold.
  const b = simulate((users, t) => (users === 20 ? (t % 20 === 0 ? { errors: 20 } : {}) : users === 40 && t >= 130 ? { responses: 3 } : {}), runAt(5, 15));
  assert.equal(b.maxUsersBeforeFailure, 20);
  assert.equal(b.maxUsersWithinSlos, 10);
  assert.equal(b.firstMiss!.text, '20 users missed error rate 6.7% >= 5%');
  assert.equal(b.withinSlosReqPerS, 10);
});

test('a run at another think time is judged through req/s: what 60 users at 5-15 s need, from the processors\' profiles', () => {
  // 20 users thinking 0.5-1.5 s complete 10.9 req/s within the SLOs; 40 stall.
  const b = simulate((users, t) => (users === 20 ? { responses: 109 } : users === 40 && t >= 130 ? { responses: 3 } : {}), runAt(0.5, 1.5));
  assert.equal(b.maxUsersWithinSlos, 20);
  assert.equal(b.withinSlosReqPerS, 10.9);
  assert.equal(b.think!.same, false);
  const p = b.planRate!;
  // Per session (plan 5.1, 4 students : 1 instructor): students 4.9 requests and 3.7 thinks, instructors 8.1 and 6.7.
  assert.deepEqual([p.requestsPerSession, p.thinksPerSession], [5.54, 4.3]);
  assert.equal(p.latencyUsers, 20);
  // The level's mean latency: 99 requests of 100 ms and 10 of 50 ms a period.
  assert.ok(Math.abs(p.meanLatencyMs - 95.4) < 1, String(p.meanLatencyMs));
  assert.ok(p.peakReqPerS > 7 && p.peakReqPerS < 8, String(p.peakReqPerS));
  assert.ok(Math.abs(p.averageReqPerS - p.peakReqPerS / 4) < 0.02);
  const v = capacityVerdict(b);
  assert.deepEqual([v.name, v.measured, v.unit, v.op, v.pass], ["Req/s within the SLOs (the plan's peak at its think time)", 10.9, 'req/s', '>=', true]);
  assert.equal(v.limit, Math.round(p.peakReqPerS * 10) / 10);
  assert.match(v.note!, /^held 10\.9 req\/s within the SLOs at 20 users thinking 0\.5-1\.5 s; the plan's peak of 60 users at 5-15 s needs about 7\.\d req\/s: met; its average of 15 users about 1\.\d req\/s: met; max users before failure: 20 \(failed at 40: stall\) at 10\.9 req\/s; judged in req\/s: the run thought 0\.5-1\.5 s, the journeys 5-15 s$/);
  assert.match(rateLine(b), /^in req\/s: within the SLOs 10\.9 req\/s at 20 users, before failure 10\.9 req\/s at 20 users, thinking 0\.5-1\.5 s; the plan's peak of 60 users at 5-15 s needs about 7\.\d req\/s, its average of 15 users about 1\.\d req\/s/);
  // The same levels at the journeys' own think time: 20 users of the plan's 60, short.
  const same = capacityVerdict(simulate((users, t) => (users === 20 ? { responses: 109 } : users === 40 && t >= 130 ? { responses: 3 } : {}), runAt(5, 15)));
  assert.deepEqual([same.measured, same.unit, same.pass], [20, 'users', false]);
  // And a rate short of the need fails in req/s.
  const slow = capacityVerdict(simulate((users, t) => (users === 40 && t >= 130 ? { responses: 3 } : { responses: users * 2.5 }), runAt(0.5, 1.5)));
  assert.deepEqual([slow.measured, slow.pass], [5, false]);
  assert.match(slow.note!, /needs about 7\.\d req\/s: not met/);
});

test('no level within the SLOs, in req/s: a miss at no more than the need fails; a miss above it is not judged, and says why', () => {
  // 10 users thinking 0.5-1.5 s miss list at 5 req/s (less than the ~7.6 req/s the plan's peak needs): not met.
  const low = simulate((users, t) => (users === 10 ? { responses: 50, ...(t % 20 === 0 ? { listMs: 2950 } : {}) } : users >= 20 && t >= 80 ? { responses: 3 } : {}), runAt(0.5, 1.5));
  assert.equal(low.maxUsersWithinSlos, 0);
  assert.equal(low.planRate!.latencyUsers, 10, 'the session time uses the latencies of the level that missed');
  const v = capacityVerdict(low);
  assert.deepEqual([v.measured, v.pass], [0, false]);
  assert.match(v.note!, /^no level within the SLOs: 10 users missed list p99 2\.9\d s > 700 ms at 5 req\/s thinking 0\.5-1\.5 s; the plan's peak of 60 users at 5-15 s needs about 7\.\d req\/s: not met/);
  // The same miss at 10 req/s, more than the need: a lower rate may be within the SLOs.
  const high = capacityVerdict(simulate(heldOverSlo, runAt(0.5, 1.5)));
  assert.equal(high.measured, null);
  assert.equal(high.pass, null);
  assert.match(high.note!, /^not judged: no level within the SLOs \(10 users missed list p99 2\.9\d s > 700 ms\), but at 10 req\/s thinking 0\.5-1\.5 s, more than the plan's peak of 60 users at 5-15 s needs about 7\.\d req\/s/);
  // Without the journeys nothing can be said in req/s, and the verdict says why.
  const unknown = simulate(heldOverSlo, { why: 'no processors folder is set (processors in phases/common.yml)' });
  assert.equal(unknown.planRate, null);
  assert.equal(unknown.planRateWhy, 'no processors folder is set (processors in phases/common.yml)');
  assert.match(capacityVerdict(unknown).note!, /judged on users, the run's think time being unknown \(no processors folder is set/);
});

test('no failure up to the top: both capacities are the top level when every hold was within the SLOs', () => {
  const b = simulate(() => ({}), runAt(5, 15));
  assert.equal(b.found, false);
  assert.deepEqual([b.maxUsersWithinSlos, b.maxUsersBeforeFailure, b.firstMiss], [40, 40, null]);
  assert.equal(b.summary, 'breakpoint: max users within the SLOs: 40 (the top level); max users before failure: 40 (no breakpoint below 40 users)');
});

test('journey-rate: requests and thinks per session from the profiles, the rate a user makes, the same think', () => {
  assert.deepEqual(sessionOf(PROFILES.student!), { requests: 4.9, thinks: 3.7 });
  const i = sessionOf(PROFILES.instructor!);
  assert.ok(Math.abs(i.requests - 8.1) < 1e-9 && Math.abs(i.thinks - 6.7) < 1e-9, JSON.stringify(i));
  const s = mixSession(journeys);
  assert.ok(Math.abs(s.requests - 5.54) < 1e-9);
  // Thinking alone (no latency): (4 x 4.9/37 + 8.1/67) / 5 req/s per user.
  assert.ok(Math.abs(perUserRate(journeys, 0)! - (4 * (4.9 / 37) + 8.1 / 67) / 5) < 1e-9);
  // Ten times shorter thinks: nearly ten times the rate.
  assert.ok(perUserRate(journeys, 0, thinking(0.5, 1.5))! / perUserRate(journeys, 0)! > 9.99);
  assert.equal(sameThink(thinking(5, 15), journeyThink(journeys)), true);
  assert.equal(sameThink(thinking(0.05, 0.15), journeyThink(journeys)), false);
});

test('an older record (maxSustainableUsers only) is judged as it was; an untrusted one reads safely', () => {
  const old = capacityOfRecord({ found: true, maxSustainableUsers: 40, failingUsers: 60 });
  const v = verdictsOf('breakpoint', criteria, { requests: 1, errors: 0, errorRatePct: 0, groupP99: {}, unanswered: [], capacity: old }).find((x) => x.id === 'capacity')!;
  assert.deepEqual([v.name, v.measured, v.limit, v.pass, v.note], ["Max sustainable users (the plan's peak)", 40, 60, false, "supports the plan's average usage (15 users), not its peak"]);
  const junk = capacityOfRecord({ maxSustainableUsers: 10, maxUsersWithinSlos: 0, think: { run: { student: ['x', 1] } }, planRate: { peakReqPerS: 'many' }, firstMiss: 'nope' });
  assert.deepEqual([junk!.maxUsersWithinSlos, junk!.think, junk!.planRate, junk!.firstMiss], [0, null, null, null]);
  assert.equal(capacityOfRecord({ found: true }), undefined);
});

test("the run's journeys come from the processors: the scenarios' mix, the profiles' think, HMP_THINK_MIN/MAX and the time scale", async () => {
  const root = join(import.meta.dirname, '..');
  const settings = resolveSettings({ test: 'breakpoint' }, join(root, 'phases'), {}, {});
  assert.equal(settings.processorsDir, join(root, 'processors'));
  const at = (env: Record<string, string>, timeScale: number) => loadRunJourneys({ processorsDir: settings.processorsDir, scenariosPath: settings.scenarios, env, variables: {}, timeScale });
  const compressed = await at({ HMP_THINK_MIN: '50', HMP_THINK_MAX: '150' }, 0.01);
  assert.ok(!('why' in compressed), JSON.stringify(compressed));
  assert.deepEqual(Object.keys(compressed.journeys.mix), ['student', 'instructor']);
  assert.deepEqual(compressed.journeyThinkS, { student: [5, 15], instructor: [5, 15] });
  assert.deepEqual(compressed.runThinkS, { student: [0.5, 1.5], instructor: [0.5, 1.5] });
  const own = await at({}, 1);
  assert.ok(!('why' in own) && sameThink(own.runThinkS, own.journeyThinkS));
  const scaled = await at({}, 0.1);
  assert.ok(!('why' in scaled) && !sameThink(scaled.runThinkS, scaled.journeyThinkS), 'the time scale multiplies the think time');
  assert.deepEqual(await at({ HMP_THINK_MIN: '3', HMP_THINK_MAX: '2' }, 1), { why: 'the think time could not be read (HMP_THINK_MAX (2) must not be below HMP_THINK_MIN (3))' });
  assert.deepEqual(await loadRunJourneys({ processorsDir: undefined, scenariosPath: settings.scenarios, env: {}, variables: {}, timeScale: 1 }), { why: 'no processors folder is set (processors in phases/common.yml)' });
});
