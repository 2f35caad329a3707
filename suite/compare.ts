// Two runs side by side (pure): per endpoint and for all requests the change
// in p50, p95, p99, error rate and req/s, each row judged by the one
// regression rule (plugins/artillery-plugin-hmp/core/regression.ts), the
// same as the runs index's. The figures are the report's (summary.json's
// endpoints and totals, read by report/run-figures.ts), so both tools judge
// the same numbers.
import type { Results } from '../plugins/artillery-plugin-hmp/core/results.ts';
import { ALL_REQUESTS, judgeRow, type RegressionBudget } from '../plugins/artillery-plugin-hmp/core/regression.ts';
import { pctChange, round } from '../plugins/artillery-plugin-hmp/core/stats.ts';
import { runFiguresOf, type Figures, type RunFigures } from '../report/run-figures.ts';
import { summarize } from '../report/summarize.ts';
import { planCriteria } from '../lib/plan-criteria.ts';

export type { Figures, RunFigures };
export type Budget = RegressionBudget;

/** The plan's regression budget (phases/common.yml, `regression`). */
export const DEFAULT_BUDGET: Budget = planCriteria().regression;

export interface Change {
  name: string;
  base: Figures | undefined;
  next: Figures | undefined;
  p50Pct: number | null;
  p95Pct: number | null;
  p99Pct: number | null;
  /** Percentage points. */
  errorRateDelta: number | null;
  reqPerSPct: number | null;
  /** Each regression beyond the budget, in words. */
  regressions: string[];
  /** Why it was not judged ('' when judged). */
  skipped: string;
}

export interface Comparison {
  budget: Budget;
  base: RunFigures;
  next: RunFigures;
  total: Change;
  endpoints: Change[];
  regressed: boolean;
}

/** Figures of one run: its report's. */
export function figuresOf(results: Results): RunFigures {
  return runFiguresOf(summarize(results));
}

/** One row: the changes shown, and the rule's verdict. */
export function changeOf(name: string, base: Figures | undefined, next: Figures | undefined, budget: Budget): Change {
  return {
    name,
    base,
    next,
    p50Pct: pctChange(base?.p50, next?.p50),
    p95Pct: pctChange(base?.p95, next?.p95),
    p99Pct: pctChange(base?.p99, next?.p99),
    errorRateDelta: base && next ? round(next.errorRatePct - base.errorRatePct, 3) : null,
    reqPerSPct: pctChange(base?.reqPerS, next?.reqPerS),
    ...judgeRow(base, next, budget),
  };
}

export function compareRuns(base: Results, next: Results, budget: Partial<Budget> = {}): Comparison {
  const b: Budget = { ...DEFAULT_BUDGET, ...budget };
  const fb = figuresOf(base);
  const fn = figuresOf(next);
  const names = [...new Set([...Object.keys(fb.endpoints), ...Object.keys(fn.endpoints)])].sort();
  const endpoints = names.map((n) => changeOf(n, fb.endpoints[n], fn.endpoints[n], b));
  const total = changeOf(ALL_REQUESTS, fb.total, fn.total, b);
  return { budget: b, base: fb, next: fn, total, endpoints, regressed: total.regressions.length > 0 || endpoints.some((e) => e.regressions.length > 0) };
}
