// Breakpoint detection (pure): a level fails when two consecutive periods
// break a rule. Overloaded servers often stall instead of failing (requests
// neither succeed nor fail for tens of seconds), so a throughput collapse
// counts as failure too, not only errors.
import type { Shape } from './shape.ts';
import { PERIOD_S, type PeriodView } from './period-view.ts';
import type { BreakpointRules } from './core/criteria.ts';

export interface Problem {
  kind: 'errors' | 'latency' | 'timeouts' | 'stall';
  /** Words a person can act on. */
  text: string;
}

export interface BreakpointResult {
  found: boolean;
  /** Highest level held to the end without failure (0 if none). */
  maxSustainableUsers: number;
  failingUsers?: number;
  /** Epoch ms of the end of the second failing period. */
  failedAt?: number;
  /** Shape seconds at which the failure was confirmed. */
  failedAtShapeS?: number;
  failureMode?: string;
  problems?: Problem[];
  summary: string;
}

export type Level = ReturnType<typeof levelsOf>[number];

/** The holds of the shape: their users and their shape seconds. */
export function levelsOf(shape: Shape) {
  return shape.segments.filter((s) => s.users === s.from && s.users > 0).map((s) => ({ users: s.users, start: s.start, end: s.end }));
}

/** The level a moment belongs to: the hold it is in, or the one a ramp climbs to. */
export function levelAt(shape: Shape, t: number): number {
  const seg = shape.segments.find((s) => t >= s.start && t < s.end) ?? shape.segments[shape.segments.length - 1]!;
  return Math.max(seg.users, seg.from);
}

function list(xs: string[]): string {
  return xs.length <= 1 ? (xs[0] ?? '') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`;
}

const sec = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);

export class BreakpointDetector {
  #shape: Shape;
  #rules: BreakpointRules;
  #slo: Record<string, number>;
  #groups: Record<string, string[]>;
  /** Shape seconds at the end of the last period fed. */
  #lastT = 0;
  #perUserRates: number[] = [];
  #badStreak: Array<{ view: PeriodView; problems: Problem[] }> = [];
  result: BreakpointResult | undefined;

  constructor(shape: Shape, rules: BreakpointRules, slo: Record<string, number>, groups: Record<string, string[]>) {
    this.#shape = shape;
    this.#rules = rules;
    this.#slo = slo;
    this.#groups = groups;
  }

  /** The rules this period breaks (empty = healthy). */
  problemsOf(v: PeriodView): Problem[] {
    const out: Problem[] = [];
    const r = this.#rules;
    const users = Math.round(v.target);
    if (v.requests > 0 && (100 * v.errors) / v.requests >= r.maxErrorRate) {
      const worst = Object.entries(v.errorsBy)
        .map(([ep, reasons]) => [ep, Object.values(reasons).reduce((a, b) => a + b, 0)] as const)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 3)
        .map(([ep]) => ep);
      const statuses = new Set<string>();
      for (const ep of worst) for (const reason of Object.keys(v.errorsBy[ep] ?? {})) statuses.add(reason.replace(/^status_/, ''));
      const is5xx = [...statuses].some((x) => /^5\d\d$/.test(x));
      const wait = v.median5xxMs !== undefined && v.median5xxMs >= 1000 ? ` after ~${sec(v.median5xxMs)} waits` : '';
      out.push({
        kind: 'errors',
        text: `${is5xx ? '5xx' : 'errors'} on ${list(worst)} from ${users} users: ${[...statuses].join('/')}${wait} (${((100 * v.errors) / v.requests).toFixed(1)}% of requests)`,
      });
    }
    for (const [group, endpoints] of Object.entries(this.#groups)) {
      const limit = (this.#slo[group] ?? Infinity) * r.sloFactor;
      for (const ep of endpoints) {
        const p99 = v.p99[ep];
        if (p99 !== undefined && p99 > limit) out.push({ kind: 'latency', text: `latency: p99 of ${ep} ${sec(p99)} > ${sec(limit)} at ${users} users` });
      }
    }
    if (v.requests > 0 && (100 * v.netErrors) / v.requests > r.maxTimeoutRate) {
      out.push({ kind: 'timeouts', text: `timeouts/connection errors: ${v.netErrors} of ${v.requests} requests at ${users} users` });
    }
    const rate = v.responses / PERIOD_S;
    const perUser = this.#expectedPerUser();
    if (perUser !== undefined && v.active >= 1) {
      const expected = perUser * v.active;
      if (expected * PERIOD_S >= 5 && rate < r.stallFactor * expected) {
        out.push({ kind: 'stall', text: `stall: ${rate.toFixed(1)} req/s completed vs ${expected.toFixed(1)} req/s expected from ${Math.round(v.active)} users` });
      }
    }
    return out;
  }

  #expectedPerUser(): number | undefined {
    if (this.#perUserRates.length < 2) return undefined;
    const sorted = [...this.#perUserRates].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
  }

  /** Feeds one period; returns the result when this period confirms a failure. */
  push(v: PeriodView): BreakpointResult | undefined {
    if (this.result) return undefined;
    this.#lastT = v.t;
    const problems = this.problemsOf(v);
    if (problems.length === 0) {
      this.#badStreak = [];
      if (v.active >= 1) this.#perUserRates.push(v.responses / PERIOD_S / v.active);
      return undefined;
    }
    this.#badStreak.push({ view: v, problems });
    if (this.#badStreak.length < 2) return undefined;
    const first = this.#badStreak[0]!.view;
    const failingUsers = levelAt(this.#shape, first.t - PERIOD_S / 2);
    // Periods do not line up with phases: a hold counts as held when it ended
    // before the middle of the first failing period (which then mostly
    // measured the next ramp).
    const held = levelsOf(this.#shape).filter((l) => l.end <= first.t - PERIOD_S / 2 && l.users < failingUsers);
    const maxSustainableUsers = Math.max(0, ...held.map((l) => l.users));
    const seen = new Map<string, Problem>();
    for (const b of this.#badStreak) for (const p of b.problems) if (!seen.has(p.kind)) seen.set(p.kind, p);
    const problemsAll = [...seen.values()];
    const failureMode = problemsAll.map((p) => p.text).join('; ');
    this.result = {
      found: true,
      maxSustainableUsers,
      failingUsers,
      failedAt: v.at + PERIOD_S * 1000,
      failedAtShapeS: v.t,
      failureMode,
      problems: problemsAll,
      summary: `breakpoint: max sustainable ${maxSustainableUsers} users; failed at ${failingUsers} users: ${failureMode}`,
    };
    return this.result;
  }

  /** The run ended (or was stopped) without a confirmed failure. */
  finish(): BreakpointResult {
    if (this.result) return this.result;
    const levels = levelsOf(this.#shape);
    const top = Math.max(0, ...levels.map((l) => l.users));
    const held = Math.max(0, ...levels.filter((l) => l.end <= this.#lastT + 1).map((l) => l.users));
    this.result =
      held >= top
        ? { found: false, maxSustainableUsers: top, summary: `no breakpoint below ${top} users` }
        : { found: false, maxSustainableUsers: held, summary: `stopped before the top level: held ${held} users without failure, ${top} not reached` };
    return this.result;
  }
}
