// Per-level figures of a breakpoint run: users, req/s, error %, p50/p95/p99,
// and whether the hold was within the SLOs (level-slos.ts). Percentiles come
// from Artillery's mergeable sketches of each period, so a level's p99 is the
// p99 of all its requests (per endpoint for the SLOs), not an average of periods.
import type { DDSketch } from '@artilleryio/sketches-js';
import type { Level } from './breakpoint.ts';
import { mergeSketch } from './core/aggregate.ts';
import { ARTILLERY, LATENCY_PREFIX } from './core/metric-names.ts';
import type { Sketch } from './core/results.ts';
import { round as round1 } from './core/stats.ts';
import { missedSlos, type SloJudge } from './level-slos.ts';
import { PERIOD_S, type PeriodView } from './period-view.ts';

interface Acc {
  periods: number;
  responses: number;
  requests: number;
  errors: number;
  sketch: DDSketch | undefined;
  /** endpoint -> its response times over the hold (the endpoints of the SLO groups). */
  endpoints: Map<string, DDSketch>;
}

export type LevelRow = ReturnType<LevelTable['rows']>[number];

export class LevelTable {
  #levels: Level[];
  #judge: SloJudge;
  #acc = new Map<number, Acc>();

  /** `judge`: the SLOs and the breakpoint's error limit each hold is judged by (none: every measured hold is within). */
  constructor(levels: Level[], judge: SloJudge = { slo: {}, groups: {}, maxErrorRate: Infinity }) {
    this.#levels = levels;
    this.#judge = judge;
  }

  /** Adds a period to the level whose hold contains its middle; `histograms`: the period's sketches (all requests' and per endpoint). */
  add(view: PeriodView, histograms: Record<string, Sketch> | undefined): void {
    const mid = view.t - PERIOD_S / 2;
    const level = this.#levels.find((l) => mid >= l.start && mid < l.end);
    if (!level) return;
    const acc = this.#acc.get(level.users) ?? { periods: 0, responses: 0, requests: 0, errors: 0, sketch: undefined, endpoints: new Map() };
    acc.periods++;
    acc.responses += view.responses;
    acc.requests += view.requests;
    acc.errors += view.errors;
    const h = histograms ?? {};
    if (Object.hasOwn(h, ARTILLERY.responseTime)) acc.sketch = mergeSketch(acc.sketch, h[ARTILLERY.responseTime]!);
    for (const endpoint of Object.values(this.#judge.groups).flat()) {
      const key = LATENCY_PREFIX + endpoint;
      if (Object.hasOwn(h, key)) acc.endpoints.set(endpoint, mergeSketch(acc.endpoints.get(endpoint), h[key]!));
    }
    this.#acc.set(level.users, acc);
  }

  /** Whether the hold was within the SLOs and what it missed (null: nothing measured). */
  #slos(a: Acc | undefined): { withinSlos: boolean | null; missedSlos: string[] } {
    if (!a || a.requests === 0) return { withinSlos: null, missedSlos: [] };
    const p99: Record<string, number> = {};
    for (const [endpoint, sketch] of a.endpoints) if (sketch.count > 0) p99[endpoint] = round1(sketch.getValueAtQuantile(0.99));
    const missed = missedSlos(p99, round1((100 * a.errors) / a.requests), this.#judge);
    return { withinSlos: missed.length === 0, missedSlos: missed };
  }

  rows(failingUsers: number | undefined) {
    return this.#levels.map((l) => {
      const a = this.#acc.get(l.users);
      const q = (p: number) => (a?.sketch && a.sketch.count > 0 ? round1(a.sketch.getValueAtQuantile(p)) : null);
      const below = failingUsers === undefined || l.users < failingUsers;
      // A hold shorter than a period (extreme time scales) may get no period of its own though it was passed.
      const unmeasured = below && l.end - l.start < PERIOD_S ? 'too short' : 'not reached';
      const status: 'held' | 'failed' | 'too short' | 'not reached' = failingUsers === l.users ? 'failed' : !a ? unmeasured : below ? 'held' : 'not reached';
      return {
        users: l.users,
        status,
        periods: a?.periods ?? 0,
        reqPerS: a ? round1(a.responses / (a.periods * PERIOD_S)) : 0,
        errorPct: a && a.requests > 0 ? round1((100 * a.errors) / a.requests) : 0,
        p50: q(0.5),
        p95: q(0.95),
        p99: q(0.99),
        meanMs: a?.sketch && a.sketch.count > 0 ? round1(a.sketch.sum / a.sketch.count) : null,
        ...this.#slos(a),
      };
    });
  }
}

/** The console's level table: each level's figures and the SLOs its hold missed. */
export function formatLevelTable(rows: LevelRow[]): string {
  const head = 'users  status       req/s  error%   p50 ms   p95 ms   p99 ms  SLOs';
  const fmt = (x: number | null) => (x === null ? '-' : String(x)).padStart(8);
  const slos = (r: LevelRow) => (r.withinSlos === null ? '-' : r.withinSlos ? 'within' : `missed ${r.missedSlos.join(', ')}`);
  return [
    head,
    ...rows.map((r) => `${String(r.users).padStart(5)}  ${r.status.padEnd(11)} ${String(r.reqPerS).padStart(6)} ${String(r.errorPct).padStart(7)} ${fmt(r.p50)} ${fmt(r.p95)} ${fmt(r.p99)}  ${slos(r)}`),
  ].join('\n');
}
