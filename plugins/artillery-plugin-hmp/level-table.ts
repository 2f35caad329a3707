// Per-level figures of a breakpoint run: users, req/s, error %, p50/p95/p99.
// Percentiles come from Artillery's mergeable sketches of each period, so a
// level's p99 is the p99 of all its requests, not an average of periods.
import type { DDSketch } from '@artilleryio/sketches-js';
import type { Level } from './breakpoint.ts';
import { mergeSketch } from './core/aggregate.ts';
import { round as round1 } from './core/stats.ts';
import { PERIOD_S, type PeriodView } from './period-view.ts';

interface Acc {
  periods: number;
  responses: number;
  requests: number;
  errors: number;
  sketch: DDSketch | undefined;
}

export class LevelTable {
  #levels: Level[];
  #acc = new Map<number, Acc>();

  constructor(levels: Level[]) {
    this.#levels = levels;
  }

  /** Adds a period to the level whose hold contains its middle. */
  add(view: PeriodView, responseTimes: { toProto(): Uint8Array } | undefined): void {
    const mid = view.t - PERIOD_S / 2;
    const level = this.#levels.find((l) => mid >= l.start && mid < l.end);
    if (!level) return;
    const acc = this.#acc.get(level.users) ?? { periods: 0, responses: 0, requests: 0, errors: 0, sketch: undefined };
    acc.periods++;
    acc.responses += view.responses;
    acc.requests += view.requests;
    acc.errors += view.errors;
    if (responseTimes) acc.sketch = mergeSketch(acc.sketch, responseTimes);
    this.#acc.set(level.users, acc);
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
      };
    });
  }
}

export function formatLevelTable(rows: ReturnType<LevelTable['rows']>): string {
  const head = 'users  status       req/s  error%   p50 ms   p95 ms   p99 ms';
  const fmt = (x: number | null) => (x === null ? '-' : String(x)).padStart(8);
  return [
    head,
    ...rows.map((r) => `${String(r.users).padStart(5)}  ${r.status.padEnd(11)} ${String(r.reqPerS).padStart(6)} ${String(r.errorPct).padStart(7)} ${fmt(r.p50)} ${fmt(r.p95)} ${fmt(r.p99)}`),
  ].join('\n');
}
