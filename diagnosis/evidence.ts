// Measurements that failed a criterion, as Evidence for the recommendations
// (pure): from a results file (p99 per endpoint vs its group's SLO, error
// rate vs the test's limit, 5xx and timeouts per endpoint, smoke endpoints
// never answered), from the system verdicts, the soak drift, the spike
// recovery and the data-loss check.
import type { Verdict } from '../plugins/artillery-plugin-hmp/core/criteria.ts';
import { criteriaOfRun } from '../lib/plan-criteria.ts';
import type { Drift } from '../plugins/artillery-plugin-hmp/core/drift.ts';
import type { Evidence } from './recommendations.ts';
import { errorRateOf, hmpSection, PERIOD_MS, periodStart, stat, type Results } from '../plugins/artillery-plugin-hmp/core/results.ts';
import { answered, endpointCounters, isTimeout, LATENCY_PREFIX, metric } from '../plugins/artillery-plugin-hmp/core/metric-names.ts';
import { fmtS, round } from '../plugins/artillery-plugin-hmp/core/stats.ts';

/** What overloaded endpoints show in a period's counters: their 5xx answers by status, and their timeouts. */
export function overloadByEndpoint(counters: Record<string, number> | undefined): { fivexx: Array<{ endpoint: string; status: string; n: number }>; timeouts: Map<string, number> } {
  const byEndpoint = endpointCounters(counters);
  const fivexx = Object.entries(byEndpoint.codes).flatMap(([endpoint, codes]) =>
    Object.entries(codes).filter(([status, n]) => status.startsWith('5') && n > 0).map(([status, n]) => ({ endpoint, status, n })),
  );
  const timeouts = new Map<string, number>();
  for (const [endpoint, reasons] of Object.entries(byEndpoint.reasons)) {
    for (const [reason, n] of Object.entries(reasons)) if (isTimeout(reason) && n > 0) timeouts.set(endpoint, (timeouts.get(endpoint) ?? 0) + n);
  }
  return { fivexx, timeouts };
}

/**
 * Everything in a results file that failed a gated criterion, as evidence:
 * which criteria failed is the run's verdicts (the report's summary of these
 * results, core/criteria.ts), never a rule of its own; the evidence names the
 * endpoints behind them (p99 per endpoint, 5xx and timeouts per endpoint,
 * smoke endpoints never answered).
 */
export function evidenceOfResults(test: string, results: Results, verdicts: Verdict[]): Evidence[] {
  const a = results.aggregate;
  const failed = (id: string) => verdicts.some((v) => v.id === id && v.pass === false);
  const criteria = criteriaOfRun(hmpSection(results));
  const out: Evidence[] = [];
  for (const [group, endpoints] of Object.entries(criteria.groups)) {
    const limit = criteria.slo[group];
    if (limit === undefined || !failed(`p99.${group}`)) continue;
    for (const endpoint of endpoints) {
      const p99 = stat(a, LATENCY_PREFIX + endpoint, 'p99');
      if (p99 !== undefined && p99 > limit) out.push({ kind: 'p99', test, endpoint, group, measured: p99, limit, unit: 'ms' });
    }
  }
  const rate = errorRateOf(a);
  const rateFailed = test === 'smoke' ? failed('errors') : failed('error_rate');
  if (rateFailed && rate !== null) out.push({ kind: 'error_rate', test, measured: round(rate, 2), limit: test === 'smoke' ? undefined : verdicts.find((v) => v.id === 'error_rate')?.limit ?? undefined, unit: '%' });
  if (rateFailed) {
    // What the errors were: 5xx per endpoint and timeouts per endpoint.
    const { fivexx, timeouts } = overloadByEndpoint(a.counters);
    for (const f of fivexx) out.push({ kind: 'status', test, endpoint: f.endpoint, status: Number(f.status), measured: f.n });
    for (const [endpoint, n] of timeouts) out.push({ kind: 'timeouts', test, endpoint, measured: n });
  }
  if (test === 'smoke' && failed('unanswered')) {
    for (const e of criteria.smokeEndpoints) {
      if (!answered(a.counters, e)) out.push({ kind: 'unanswered', test, endpoint: e, measured: 0 });
    }
  }
  return out;
}

/** Failed CPU/RAM verdicts as evidence. */
export function evidenceOfSystem(test: string, verdicts: Verdict[]): Evidence[] {
  return verdicts
    .filter((v) => (v.id === 'cpu' || v.id === 'ram') && v.pass === false && v.measured !== null && v.limit !== null)
    .map((v) => ({ kind: v.id === 'cpu' ? ('cpu' as const) : ('ram' as const), test, measured: v.measured!, limit: v.limit!, unit: '%' as const }));
}

export function evidenceOfDrift(drift: Drift, test = 'soak'): Evidence[] {
  const out: Evidence[] = [];
  for (const r of drift.reasons) {
    if (r.startsWith('memory')) out.push({ kind: 'memory_growth', test, measured: drift.memoryGrowthPct ?? 0, limit: drift.limits.memoryGrowthPct, unit: '%', text: `${r} in ${test}` });
    else {
      const metric = r.startsWith('p99') ? 'p99' : 'p95';
      out.push({ kind: 'degradation', test, metric, measured: (metric === 'p99' ? drift.p99ChangePct : drift.p95ChangePct) ?? 0, limit: drift.limits.degradationPct, unit: '%', text: `${r} in ${test}` });
    }
  }
  return out;
}

/** A spike that did not recover within its (scaled) limit, citing the first period still out of limits. */
/** What the recovery judgement gives (suite/recovery.ts Recovery). */
export interface RecoveryIn {
  status: string;
  limitS: number;
  text: string;
  curve: Array<{ within: boolean; why?: string }>;
}

export function evidenceOfRecovery(r: RecoveryIn, timeScale: number, test = 'spike'): Evidence[] {
  if (r.status !== 'not-recovered') return [];
  const plan = timeScale === 1 ? '' : ` (the plan's ${fmtS(r.limitS / timeScale)} at time scale ${timeScale})`;
  const why = r.curve.find((c) => !c.within)?.why || r.text;
  return [{ kind: 'recovery', test, measured: Infinity, limit: r.limitS, unit: 's', text: `not recovered within ${fmtS(r.limitS)} after the hold${plan} in ${test}: ${why}` }];
}

/** What the data-loss check gives (suite/integrity.ts IntegrityReport). */
export interface IntegrityIn {
  missing: number;
  corrupted: number;
  acknowledged: number;
}

export function evidenceOfIntegrity(r: IntegrityIn, test = 'spike'): Evidence[] {
  const lost = r.missing + r.corrupted;
  if (lost === 0) return [];
  return [{ kind: 'data_loss', test, measured: lost, text: `${r.missing} missing and ${r.corrupted} corrupted of ${r.acknowledged} acknowledged uploads in ${test}` }];
}

/** Server-wide stalls of a run (the plugin's analysis of its request log), with their cause when one kind of request explains them. */
export function evidenceOfStalls(test: string, results: Results): Evidence[] {
  const st = hmpSection(results).stalls;
  const n = st?.stalls?.length ?? 0;
  if (!st || n === 0) return [];
  return [{ kind: 'stall', test, ...(st.cause?.name ? { endpoint: st.cause.name } : {}), measured: n, unit: '', text: `${st.text ?? `${n} server-wide stalls`} in ${test}`.replace(/\. in /, ' in ') }];
}

/** The server's log: its database connection pool exhausted, from how many users on (the target when the first message came). */
export function evidenceOfServerLog(test: string, results: Results): Evidence[] {
  const pool = hmpSection(results).serverLog?.pool;
  if (!pool?.count) return [];
  const at = pool.firstAt ?? undefined;
  const period = at === undefined ? undefined : results.intermediate.find((p) => periodStart(p) === Math.floor(at / PERIOD_MS) * PERIOD_MS);
  const users = period ? stat(period, metric.usersTarget, 'max') : undefined;
  const what = (pool.sample ?? 'database connection pool exhausted').replace(/, connection timed out.*$/, '');
  return [{ kind: 'pool', test, measured: pool.count, unit: '', text: `server log: ${pool.count} x ${what}${users !== undefined ? ` from ${Math.round(users)} users` : ''} in ${test}` }];
}
