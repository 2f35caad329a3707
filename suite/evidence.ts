// Measurements that failed a criterion, as Evidence for the recommendations
// (pure): from a results file (p99 per endpoint vs its group's SLO, error
// rate vs the test's limit, 5xx and timeouts per endpoint, smoke endpoints
// never answered), from the system verdicts, the soak drift, the spike
// recovery and the data-loss check.
import type { Verdict } from '../plugins/artillery-plugin-hmp/gates.ts';
import type { Drift } from './drift.ts';
import type { IntegrityReport } from './integrity.ts';
import type { Evidence, FlagId } from './recommendations.ts';
import type { Recovery } from './recovery.ts';
import { counter, errorRateOf, errorsOf, hmpSection, LATENCY_PREFIX, num, stat, type Results } from './results.ts';
import { round } from './stats.ts';

/** Which of the plan's flags a test raises (section 6, execution algorithm). */
export const FLAG_OF_TEST: Record<string, FlagId> = {
  smoke: 'functional',
  average: 'baseline',
  stress: 'unstable',
  spike: 'burst',
  soak: 'stability',
};

const TIMEOUT_REASONS = ['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'timeout'];

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** The criteria the run recorded (aggregate.hmp.criteria), or the given ones. */
function criteriaOf(results: Results): { slo: Record<string, number>; groups: Record<string, string[]>; maxErrorRate: number | undefined; smokeEndpoints: string[] } {
  const c = isObject(hmpSection(results).criteria) ? (hmpSection(results).criteria as Record<string, unknown>) : {};
  const slo: Record<string, number> = {};
  for (const [k, v] of Object.entries(isObject(c.slo) ? c.slo : {})) if (num(v) !== undefined) slo[k] = v as number;
  const groups: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(isObject(c.groups) ? c.groups : {})) if (Array.isArray(v)) groups[k] = v.filter((x): x is string => typeof x === 'string');
  const smoke = Array.isArray(c.smokeEndpoints) ? c.smokeEndpoints.filter((x): x is string => typeof x === 'string') : [];
  return { slo, groups, maxErrorRate: num(c.maxErrorRate), smokeEndpoints: smoke };
}

/** Everything in a results file that missed the plan's criteria recorded with it. */
export function evidenceOfResults(test: string, results: Results): Evidence[] {
  const a = results.aggregate;
  const { slo, groups, maxErrorRate, smokeEndpoints } = criteriaOf(results);
  const out: Evidence[] = [];
  for (const [group, endpoints] of Object.entries(groups)) {
    const limit = slo[group];
    if (limit === undefined) continue;
    for (const endpoint of endpoints) {
      const p99 = stat(a, LATENCY_PREFIX + endpoint, 'p99');
      if (p99 !== undefined && p99 > limit) out.push({ kind: 'p99', test, endpoint, group, measured: p99, limit, unit: 'ms' });
    }
  }
  const rate = errorRateOf(a);
  const errors = errorsOf(a);
  const rateFailed = test === 'smoke' ? errors > 0 : rate !== null && maxErrorRate !== undefined && rate >= maxErrorRate;
  if (rateFailed && rate !== null) out.push({ kind: 'error_rate', test, measured: round(rate, 2), limit: test === 'smoke' ? undefined : maxErrorRate, unit: '%' });
  if (rateFailed) {
    // What the errors were: 5xx per endpoint and timeouts per endpoint.
    for (const [k, v] of Object.entries(a.counters ?? {})) {
      const m = /^plugins\.metrics-by-endpoint\.(.+)\.codes\.(5\d\d)$/.exec(k);
      if (m && v > 0) out.push({ kind: 'status', test, endpoint: m[1]!, status: Number(m[2]), measured: v });
    }
    const timeouts = new Map<string, number>();
    for (const [k, v] of Object.entries(a.counters ?? {})) {
      const m = /^hmp\.errors\.([^.]+)\.(.+)$/.exec(k);
      if (m && TIMEOUT_REASONS.includes(m[2]!)) timeouts.set(m[1]!, (timeouts.get(m[1]!) ?? 0) + v);
    }
    for (const [endpoint, n] of timeouts) if (n > 0) out.push({ kind: 'timeouts', test, endpoint, measured: n });
  }
  if (test === 'smoke') {
    for (const e of smokeEndpoints) {
      const answered = Object.keys(a.counters ?? {}).some((k) => k.startsWith(`plugins.metrics-by-endpoint.${e}.codes.`)) || counter(a, `hmp.ok.${e}`) > 0;
      if (!answered) out.push({ kind: 'unanswered', test, endpoint: e, measured: 0 });
    }
  }
  return out;
}

/** Failed CPU/RAM verdicts (systemVerdicts) as evidence. */
export function evidenceOfSystem(test: string, verdicts: Verdict[]): Evidence[] {
  return verdicts
    .filter((v) => !v.pass)
    .map((v) => ({ kind: /^CPU/.test(v.criterion) ? ('cpu' as const) : ('ram' as const), test, measured: v.measured, limit: v.limit, unit: '%' as const }));
}

export function evidenceOfDrift(drift: Drift, test = 'soak'): Evidence[] {
  const out: Evidence[] = [];
  for (const r of drift.reasons) {
    if (r.startsWith('memory')) out.push({ kind: 'memory_growth', test, measured: drift.memoryGrowthPct ?? 0, limit: 10, unit: '%', text: `${r} in ${test}` });
    else {
      const metric = r.startsWith('p99') ? 'p99' : 'p95';
      out.push({ kind: 'degradation', test, metric, measured: (metric === 'p99' ? drift.p99ChangePct : drift.p95ChangePct) ?? 0, limit: 15, unit: '%', text: `${r} in ${test}` });
    }
  }
  return out;
}

export function evidenceOfRecovery(r: Recovery, test = 'spike'): Evidence[] {
  if (r.status === 'recovered') return [];
  return [{ kind: 'recovery', test, measured: Infinity, limit: r.limitS, unit: 's', text: `${r.text.replace(/\.$/, '')} in ${test}` }];
}

export function evidenceOfIntegrity(r: IntegrityReport, test = 'spike'): Evidence[] {
  const lost = r.missing + r.corrupted;
  if (lost === 0) return [];
  return [{ kind: 'data_loss', test, measured: lost, text: `${r.missing} missing and ${r.corrupted} corrupted of ${r.acknowledged} acknowledged uploads in ${test}` }];
}
