// Regressions between two runs (pure): the one rule `npm run compare` and the
// runs index both judge by (plan, "Process": track performance budgets and
// regressions over time). It judges exactly what the budget (`regression` in
// phases/common.yml) names, per endpoint and for all requests:
//   - p99 up more than p99Pct %, unless it rose by less than minDeltaMs ms;
//   - error rate up more than errorRatePoints percentage points;
//   - a row with fewer than minRequests answers in either run is not judged.
// p95, req/s and a breakpoint's capacity are shown as changes beside it, not
// judged: the budget names none of them, and req/s follows the load shape.
import type { Criteria } from './criteria.ts';
import { pctChange, round } from './stats.ts';

export type RegressionBudget = Criteria['regression'];

/** What the rule reads of one row (an endpoint, or all requests) of one run. */
export interface RowFigures {
  /** Requests that got an answer. */
  answers: number;
  errorRatePct: number;
  p99: number | null;
}

export interface RowVerdict {
  /** Each regression beyond the budget, in words. */
  regressions: string[];
  /** Why the row was not judged ('' when judged). */
  skipped: string;
}

/** The row "all requests" is named so in every verdict. */
export const ALL_REQUESTS = 'all requests';

/** The one rule, on one row of two runs. */
export function judgeRow(base: RowFigures | undefined, next: RowFigures | undefined, budget: RegressionBudget): RowVerdict {
  if (!base || !next) return { regressions: [], skipped: base ? 'not in the new run' : 'new in this run' };
  if (Math.min(base.answers, next.answers) < budget.minRequests) return { regressions: [], skipped: `fewer than ${budget.minRequests} answers` };
  const regressions: string[] = [];
  const p99Pct = pctChange(base.p99, next.p99);
  if (p99Pct !== null && p99Pct > budget.p99Pct && next.p99! - base.p99! >= budget.minDeltaMs) {
    regressions.push(`p99 ${base.p99} → ${next.p99} ms (+${p99Pct}%, budget +${budget.p99Pct}%)`);
  }
  const points = round(next.errorRatePct - base.errorRatePct, 3);
  if (points > budget.errorRatePoints) {
    regressions.push(`error rate ${base.errorRatePct}% → ${next.errorRatePct}% (+${points} points, budget +${budget.errorRatePoints})`);
  }
  return { regressions, skipped: '' };
}

/** Two runs' rows: all requests, and per endpoint. */
export interface RunRows {
  total: RowFigures;
  endpoints: Record<string, RowFigures>;
}

/** Every row of the two runs judged: all requests first, then the endpoints by name. */
export function judgeRuns(base: RunRows, next: RunRows, budget: RegressionBudget): Array<RowVerdict & { name: string }> {
  const names = [...new Set([...Object.keys(base.endpoints), ...Object.keys(next.endpoints)])].sort();
  return [
    { name: ALL_REQUESTS, ...judgeRow(base.total, next.total, budget) },
    ...names.map((name) => ({ name, ...judgeRow(base.endpoints[name], next.endpoints[name], budget) })),
  ];
}

/** The regressions of judged rows in words, one per regression: "project_list: p99 600 → 720 ms (+20%, budget +15%)". */
export function regressionWords(rows: Array<RowVerdict & { name: string }>): string[] {
  return rows.flatMap((r) => r.regressions.map((w) => `${r.name}: ${w}`));
}

/** The highest p99 a row can reach without breaking the budget (for a chart's budget line). */
export function p99Allowed(baseP99: number, budget: RegressionBudget): number {
  return Math.max(baseP99 * (1 + budget.p99Pct / 100), baseP99 + budget.minDeltaMs);
}

/** The budget in one sentence, for a page or a table's caption. */
export function budgetText(budget: RegressionBudget): string {
  const points = `${budget.errorRatePoints} point${budget.errorRatePoints === 1 ? '' : 's'}`;
  return `p99 +${budget.p99Pct}% (rises under ${budget.minDeltaMs} ms are noise), error rate +${points}; rows with fewer than ${budget.minRequests} answers in either run are not judged`;
}
