// What the plugin itself measures of the plan's criteria, and the gated ones
// as conditions for Artillery's ensure plugin (pure). The verdicts come from
// core/criteria.ts like everywhere else; here they become derived metrics in
// the final report, so `artillery run` exits 1 exactly when a gated criterion
// the run measured failed.
import type { HmpSettings } from './settings.ts';
import { loadOf, type RawPeriod } from './core/results.ts';
import { ARTILLERY, endpointErrors, LATENCY_PREFIX, metric } from './core/metric-names.ts';
import { coverageOf } from './core/coverage.ts';
import { gates, LOAD_VERDICT, type Measured, type Verdict } from './core/criteria.ts';

/**
 * The criteria a run measures from its counters and summaries (the soak's
 * drift: main.ts; no CPU, probes or integrity check: the suite adds those);
 * `plannedPeak`: the shape's, for a run too short to sample its users.
 */
export function measuredOf(settings: HmpSettings, stats: RawPeriod, plannedPeak?: number): Measured {
  const counters = stats.counters ?? {};
  const requests = counters[ARTILLERY.requests] ?? 0;
  const errors = endpointErrors(counters);
  const groupP99: Measured['groupP99'] = {};
  for (const [group, endpoints] of Object.entries(settings.criteria.groups)) {
    let worst: { value: number; endpoint: string } | undefined;
    for (const e of endpoints) {
      const s = stats.summaries?.[LATENCY_PREFIX + e];
      if (!s || !(s.count > 0) || !Number.isFinite(s.p99)) continue;
      if (!worst || s.p99 > worst.value) worst = { value: s.p99, endpoint: e };
    }
    groupP99[group] = worst;
  }
  const coverage = coverageOf(counters, settings.test === 'smoke' ? settings.criteria.smokeEndpoints : []);
  const load = loadOf(stats, plannedPeak);
  return { requests, errors, errorRatePct: requests > 0 ? (100 * errors) / requests : 0, groupP99, unanswered: coverage.unanswered, unansweredWhy: coverage.why, ...(load ? { load } : {}) };
}

/** Derived metric per criterion the plugin measures (verdict id -> metric name). */
function metricOf(id: string): string | undefined {
  if (id === 'errors') return metric.criteria('errors');
  if (id === 'unanswered') return metric.criteria('unanswered_endpoints');
  if (id === 'error_rate') return metric.criteria('error_rate_pct');
  if (id === 'degradation') return metric.criteria('degradation_pct');
  if (id.startsWith('p99.')) return metric.criteria(id);
  return undefined;
}

/** Whether the run fell short of its shape's users: the load verdict's own answer (its limit is known only at the end). */
const LOAD_SHORTFALL = metric.criteria('load_shortfall');

/** Whether the breakpoint's capacity fell short of the plan's peak: the verdict's own answer (in users or in req/s, its limit known only at the end). */
const CAPACITY_SHORTFALL = metric.criteria('capacity_shortfall');

/** The verdicts' measured values as counters of the final report (a criterion not measured has none). */
export function derivedCounters(verdicts: Verdict[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of verdicts) {
    if (v.id === LOAD_VERDICT) {
      out[LOAD_SHORTFALL] = v.pass === false ? 1 : 0;
      continue;
    }
    if (v.id === 'capacity') {
      out[CAPACITY_SHORTFALL] = v.pass === false ? 1 : 0;
      continue;
    }
    const name = metricOf(v.id);
    if (name && v.measured !== null && Number.isFinite(v.measured)) out[name] = v.measured;
  }
  return out;
}

export interface Condition {
  expression: string;
  strict: boolean;
}

/**
 * The gated criteria of this test type that the plugin measures, as ensure
 * conditions. `(x or 0)`: a criterion not measured in this run (no requests
 * in a group) has no metric, and ensure fails an undefined one.
 */
export function ensureConditions(settings: HmpSettings): Condition[] {
  const c = settings.criteria;
  // Every test: a run that never reached its shape's users did not test it (core/criteria.ts).
  const out: Condition[] = [{ expression: `(${LOAD_SHORTFALL} or 0) == 0`, strict: true }];
  const add = (id: string, op: string, limit: number) => {
    if (gates(c, settings.test, id)) out.push({ expression: `(${metricOf(id)} or 0) ${op} ${limit}`, strict: true });
  };
  for (const [group, ms] of Object.entries(c.slo)) if (c.groups[group]) add(`p99.${group}`, '<=', ms);
  if (settings.test === 'smoke') {
    add('errors', '==', 0);
    add('unanswered', '==', 0);
  } else if (settings.maxErrorRate !== undefined) {
    add('error_rate', '<', settings.maxErrorRate);
  }
  if (settings.test === 'soak') add('degradation', '<=', c.drift.degradationPct);
  if (settings.test === 'breakpoint' && gates(c, settings.test, 'capacity')) out.push({ expression: `(${CAPACITY_SHORTFALL} or 0) == 0`, strict: true });
  return out;
}
