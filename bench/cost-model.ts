// What a load generator costs, as a line (pure): its CPU per second of a
// steady run against the requests it completes per second, over runs at
// several rates, fitted by least squares as
//   CPU ms/s = fixed ms/s + marginal ms/request x requests/s.
// The fixed part is what it spends whatever the rate (timers, metric
// flushes, the closed model's ticks, the live page, sampling); the marginal
// part what one more request costs. At one rate the two are mixed: CPU per
// request = marginal + fixed / rate. And the targets (issue 23),
// read from the figures.
import type { Cost } from './analysis.ts';

export const COST_TARGETS = {
  /** The suite's marginal CPU per request (the fit), ms; and below stock Artillery's CPU per request at every rate. */
  maxMarginalMs: 0.9,
  /** The suite's CPU per request over the steady part at the plan's mix, 60 users, think 0.5-1.5 s, ms. */
  maxPlanMs: 0.9,
};

export interface CostFit {
  fixedMsPerS: number;
  marginalMsPerRequest: number;
  /** Runs fitted. */
  points: number;
  /** Share of the CPU/s variance the line explains (1 = every point on it); undefined with two points. */
  r2?: number;
  /** The largest |measured - fitted| CPU, ms/s. */
  maxResidualMsPerS: number;
}

/** CPU ms per second of a run's window. */
export const cpuMsPerS = (c: Pick<Cost, 'cpuS' | 'seconds'>): number => (c.cpuS * 1000) / c.seconds;

/** Least squares of CPU ms/s on requests/s; undefined under two distinct rates. */
export function fitCost(runs: ReadonlyArray<Pick<Cost, 'rate' | 'cpuS' | 'seconds'>>): CostFit | undefined {
  const pts = runs.map((r) => [r.rate, cpuMsPerS(r)] as const);
  const n = pts.length;
  if (n < 2) return undefined;
  const mx = pts.reduce((a, [x]) => a + x, 0) / n;
  const my = pts.reduce((a, [, y]) => a + y, 0) / n;
  const sxx = pts.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  if (sxx < 1e-9 * Math.max(1, mx * mx)) return undefined;
  const sxy = pts.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
  const marginal = sxy / sxx;
  const fixed = my - marginal * mx;
  const residuals = pts.map(([x, y]) => y - (fixed + marginal * x));
  const syy = pts.reduce((a, [, y]) => a + (y - my) ** 2, 0);
  const sse = residuals.reduce((a, r) => a + r * r, 0);
  return {
    fixedMsPerS: fixed,
    marginalMsPerRequest: marginal,
    points: n,
    r2: n > 2 && syy > 0 ? 1 - sse / syy : undefined,
    maxResidualMsPerS: Math.max(...residuals.map(Math.abs)),
  };
}

/** One rate: the suite's and stock Artillery's CPU per request there. */
export interface LevelCosts {
  users: number;
  suite?: Cost;
  stock?: Cost;
}

export interface CostVerdicts {
  marginal: { ms: number | undefined; met: boolean };
  /** Per level: the suite's CPU per request below stock Artillery's at about the same rate. */
  belowStock: Array<{ users: number; suiteMs: number | undefined; stockMs: number | undefined; met: boolean }>;
  plan: { ms: number | undefined; met: boolean };
}

/** The targets, from the figures: a missing figure misses its target. */
export function costVerdicts(levels: readonly LevelCosts[], suiteFit: CostFit | undefined, plan: Cost | undefined): CostVerdicts {
  const m = suiteFit?.marginalMsPerRequest;
  return {
    marginal: { ms: m, met: m !== undefined && m <= COST_TARGETS.maxMarginalMs },
    belowStock: levels.map((l) => {
      const suiteMs = l.suite?.cpuMsPerRequest;
      const stockMs = l.stock?.cpuMsPerRequest;
      return { users: l.users, suiteMs, stockMs, met: suiteMs !== undefined && stockMs !== undefined && suiteMs < stockMs };
    }),
    plan: { ms: plan?.cpuMsPerRequest, met: plan !== undefined && plan.cpuMsPerRequest <= COST_TARGETS.maxPlanMs },
  };
}
