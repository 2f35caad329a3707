// Regressions between two runs (pure): per endpoint the change in p50, p95,
// p99, error rate and req/s, and a flag where the new run is worse than the
// budget allows (plan, "Process": track performance budgets and regressions).
// Per endpoint, from the aggregate:
//   latency   plugins.metrics-by-endpoint.response_time.<name> (p50/p95/p99)
//   answers   sum of plugins.metrics-by-endpoint.<name>.codes.*
//   errors    plugins.hmp.errors.<name> (without the suite's counters: its 5xx codes)
//   error %   errors / max(answers, errors)   (timeouts have no answer)
//   req/s     answers / the run's duration
import { counter, errorRateOf, errorsOf, stat, type Results } from '../plugins/artillery-plugin-hmp/core/results.ts';
import { durationOf } from '../plugins/artillery-plugin-hmp/core/run-window.ts';
import { ARTILLERY, endpointCounters, hasHmpCounters, LATENCY_PREFIX, metric } from '../plugins/artillery-plugin-hmp/core/metric-names.ts';
import { pctChange, round } from '../plugins/artillery-plugin-hmp/core/stats.ts';
import { planCriteria } from '../lib/plan-criteria.ts';

export interface Figures {
  requests: number;
  errors: number;
  errorRatePct: number;
  reqPerS: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface RunFigures {
  durationS: number;
  total: Figures;
  endpoints: Record<string, Figures>;
}

export interface Budget {
  /** Allowed p99 rise in % (default 15). */
  p99Pct: number;
  /** Allowed p95 rise in %; undefined: not checked. */
  p95Pct?: number;
  /** Allowed error-rate rise in percentage points (default 1). */
  errorRatePoints: number;
  /** Allowed req/s drop in %; undefined: not checked (req/s follows the load shape). */
  reqPerSDropPct?: number;
  /** An endpoint with fewer answers than this in either run is not judged (default 10). */
  minRequests: number;
  /** A latency rise smaller than this many ms is noise, whatever its % (default 5). */
  minDeltaMs: number;
}

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

/** Figures of one run (its aggregate). */
export function figuresOf(results: Results): RunFigures {
  const a = results.aggregate;
  const durationS = durationOf(results);
  const perS = (n: number) => (durationS > 0 ? round(n / durationS, 2) : 0);
  const percentiles = (name: string) => ({ p50: stat(a, name, 'p50') ?? null, p95: stat(a, name, 'p95') ?? null, p99: stat(a, name, 'p99') ?? null });
  const counters = a.counters ?? {};
  const hmp = hasHmpCounters(counters);
  const names = new Set<string>();
  for (const k of Object.keys(a.summaries ?? {})) if (k.startsWith(LATENCY_PREFIX)) names.add(k.slice(LATENCY_PREFIX.length));
  const byEndpoint = endpointCounters(counters);
  for (const name of [...Object.keys(byEndpoint.codes), ...Object.keys(byEndpoint.errors)]) names.add(name);
  const endpoints: Record<string, Figures> = {};
  for (const name of [...names].sort()) {
    let answers = 0;
    let fivexx = 0;
    for (const [status, v] of Object.entries(byEndpoint.codes[name] ?? {})) {
      answers += v;
      if (status.startsWith('5')) fivexx += v;
    }
    const errors = hmp ? counter(a, metric.errors(name)) : fivexx;
    const denominator = Math.max(answers, errors);
    endpoints[name] = {
      requests: answers,
      errors,
      errorRatePct: denominator > 0 ? round((100 * errors) / denominator, 3) : 0,
      reqPerS: perS(answers),
      ...percentiles(LATENCY_PREFIX + name),
    };
  }
  const requests = counter(a, ARTILLERY.requests);
  const total: Figures = {
    requests,
    errors: errorsOf(a),
    errorRatePct: round(errorRateOf(a) ?? 0, 3),
    reqPerS: perS(requests),
    ...percentiles(ARTILLERY.responseTime),
  };
  return { durationS: round(durationS, 1), total, endpoints };
}

export function changeOf(name: string, base: Figures | undefined, next: Figures | undefined, budget: Budget): Change {
  const c: Change = {
    name,
    base,
    next,
    p50Pct: pctChange(base?.p50, next?.p50),
    p95Pct: pctChange(base?.p95, next?.p95),
    p99Pct: pctChange(base?.p99, next?.p99),
    errorRateDelta: base && next ? round(next.errorRatePct - base.errorRatePct, 3) : null,
    reqPerSPct: pctChange(base?.reqPerS, next?.reqPerS),
    regressions: [],
    skipped: '',
  };
  if (!base || !next) {
    c.skipped = base ? 'not in the new run' : 'new in this run';
    return c;
  }
  if (Math.min(base.requests, next.requests) < budget.minRequests) {
    c.skipped = `fewer than ${budget.minRequests} answers`;
    return c;
  }
  const latency = (label: string, pct: number | null, a: number | null, b: number | null, allowed: number | undefined) => {
    if (allowed === undefined || pct === null || a === null || b === null) return;
    if (pct > allowed && b - a >= budget.minDeltaMs) c.regressions.push(`${label} ${a} → ${b} ms (+${pct}%, budget +${allowed}%)`);
  };
  latency('p99', c.p99Pct, base.p99, next.p99, budget.p99Pct);
  latency('p95', c.p95Pct, base.p95, next.p95, budget.p95Pct);
  if (c.errorRateDelta !== null && c.errorRateDelta > budget.errorRatePoints) {
    c.regressions.push(`error rate ${base.errorRatePct}% → ${next.errorRatePct}% (+${c.errorRateDelta} points, budget +${budget.errorRatePoints})`);
  }
  if (budget.reqPerSDropPct !== undefined && c.reqPerSPct !== null && -c.reqPerSPct > budget.reqPerSDropPct) {
    c.regressions.push(`req/s ${base.reqPerS} → ${next.reqPerS} (${c.reqPerSPct}%, budget -${budget.reqPerSDropPct}%)`);
  }
  return c;
}

export function compareRuns(base: Results, next: Results, budget: Partial<Budget> = {}): Comparison {
  const b: Budget = { ...DEFAULT_BUDGET, ...budget };
  const fb = figuresOf(base);
  const fn = figuresOf(next);
  const names = [...new Set([...Object.keys(fb.endpoints), ...Object.keys(fn.endpoints)])].sort();
  const endpoints = names.map((n) => changeOf(n, fb.endpoints[n], fn.endpoints[n], b));
  const total = changeOf('all requests', fb.total, fn.total, b);
  return { budget: b, base: fb, next: fn, total, endpoints, regressed: total.regressions.length > 0 || endpoints.some((e) => e.regressions.length > 0) };
}
