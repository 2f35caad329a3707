// The breakpoint's two capacities as every reader gets them (pure). The plugin
// computes them once (capacity.ts) and records them in aggregate.hmp.breakpoint;
// the report and the suite read that record here instead of judging again.
// A record is untrusted (older runs have none of the new fields: then only
// maxSustainableUsers is there, and the verdict judges on it as it used to).
import type { BreakpointIn } from './hmp-section.ts';
import { isObject, num, str } from './results.ts';

export type Ranges = Record<string, readonly [number, number]>;

export interface FirstMiss {
  users: number;
  status: string;
  reqPerS: number;
  text: string;
}

export interface PlanRate {
  requestsPerSession: number;
  thinksPerSession: number;
  latencyUsers: number;
  meanLatencyMs: number;
  perUserReqPerS: number;
  peakUsers: number;
  peakReqPerS: number;
  averageUsers: number;
  averageReqPerS: number;
}

/** What the capacity verdict (core/criteria.ts) judges; the fields after `problems` are absent in an older record. */
export interface CapacityMeasured {
  found: boolean;
  /** The highest level held before the first failure (the top level when none failed). */
  maxSustainableUsers: number;
  failingUsers?: number;
  problems?: ReadonlyArray<{ kind: string }>;
  maxUsersWithinSlos?: number;
  withinSlosReqPerS?: number | null;
  beforeFailureReqPerS?: number | null;
  topUsers?: number;
  firstMiss?: FirstMiss | null;
  think?: { run: Ranges; journeys: Ranges; same: boolean } | null;
  planRate?: PlanRate | null;
  planRateWhy?: string;
}

function ranges(x: unknown): Ranges | undefined {
  if (!isObject(x)) return undefined;
  const out: Record<string, [number, number]> = {};
  for (const [k, v] of Object.entries(x)) {
    if (!Array.isArray(v) || v.length !== 2) return undefined;
    const [a, b] = [num(v[0]), num(v[1])];
    if (a === undefined || b === undefined) return undefined;
    out[k] = [a, b];
  }
  return out;
}

function planRateOf(x: unknown): PlanRate | null {
  if (!isObject(x)) return null;
  const keys = ['requestsPerSession', 'thinksPerSession', 'latencyUsers', 'meanLatencyMs', 'perUserReqPerS', 'peakUsers', 'peakReqPerS', 'averageUsers', 'averageReqPerS'] as const;
  const out = {} as PlanRate;
  for (const k of keys) {
    const v = num(x[k]);
    if (v === undefined) return null;
    out[k] = v;
  }
  return out;
}

function firstMissOf(x: unknown): FirstMiss | null {
  if (!isObject(x)) return null;
  const users = num(x.users);
  const text = str(x.text);
  return users === undefined || text === undefined ? null : { users, status: str(x.status) ?? '', reqPerS: num(x.reqPerS) ?? 0, text };
}

const numOrNull = (x: unknown) => num(x) ?? null;

/** The capacities of a recorded breakpoint (aggregate.hmp.breakpoint); undefined without even maxSustainableUsers. */
export function capacityOfRecord(b: BreakpointIn | Record<string, unknown> | undefined): CapacityMeasured | undefined {
  if (!isObject(b)) return undefined;
  const maxSustainableUsers = num(b.maxSustainableUsers) ?? num(b.maxUsersBeforeFailure);
  if (maxSustainableUsers === undefined) return undefined;
  const out: CapacityMeasured = {
    found: b.found === true,
    maxSustainableUsers,
    problems: (Array.isArray(b.problems) ? b.problems.filter(isObject) : []).map((p) => ({ kind: str(p.kind) ?? '' })),
  };
  const failing = num(b.failingUsers);
  if (failing !== undefined) out.failingUsers = failing;
  const within = num(b.maxUsersWithinSlos);
  if (within === undefined) return out;
  out.maxUsersWithinSlos = within;
  out.withinSlosReqPerS = numOrNull(b.withinSlosReqPerS);
  out.beforeFailureReqPerS = numOrNull(b.beforeFailureReqPerS);
  const top = num(b.topUsers);
  if (top !== undefined) out.topUsers = top;
  out.firstMiss = firstMissOf(b.firstMiss);
  const t = isObject(b.think) ? b.think : undefined;
  const run = ranges(t?.run);
  const journeys = ranges(t?.journeys);
  out.think = t && run && journeys ? { run, journeys, same: t.same === true } : null;
  out.planRate = planRateOf(b.planRate);
  const why = str(b.planRateWhy);
  if (why !== undefined) out.planRateWhy = why;
  return out;
}
