// The plan's pass/fail criteria as numbers Artillery's ensure plugin checks
// (pure). Derived metrics are added to the final report first, so every
// condition names a metric that exists even when an endpoint saw no traffic.
import type { HmpSettings } from './settings.ts';
import type { PeriodStats } from './main.ts';

export const LATENCY_PREFIX = 'plugins.metrics-by-endpoint.response_time.';

export interface Derived {
  /** Requests sent (Artillery's count) and user-visible errors. */
  requests: number;
  errors: number;
  errorRate: number;
  /** p99 in ms per SLO group: the worst endpoint of the group; 0 without traffic. */
  p99: Record<string, number>;
  /** Smoke endpoints that never answered. */
  unanswered: string[];
}

/** Errors per endpoint: counters hmp.errors.<name> (validation failures and request errors). */
export function errorsByEndpoint(counters: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(counters)) {
    const m = /^hmp\.errors\.([^.]+)$/.exec(k);
    if (m) out[m[1]!] = v;
  }
  return out;
}

function answered(stats: PeriodStats, endpoint: string): boolean {
  const prefix = `plugins.metrics-by-endpoint.${endpoint}.codes.`;
  return Object.entries(stats.counters ?? {}).some(([k, v]) => k.startsWith(prefix) && v > 0) || (stats.counters?.[`hmp.ok.${endpoint}`] ?? 0) > 0;
}

export function derive(settings: HmpSettings, stats: PeriodStats): Derived {
  const counters = stats.counters ?? {};
  const requests = counters['http.requests'] ?? 0;
  const errors = Object.values(errorsByEndpoint(counters)).reduce((a, b) => a + b, 0);
  const p99: Record<string, number> = {};
  for (const [group, endpoints] of Object.entries(settings.groups)) {
    p99[group] = Math.max(0, ...endpoints.map((e) => stats.summaries?.[LATENCY_PREFIX + e]?.p99 ?? 0));
  }
  const unanswered = settings.test === 'smoke' ? settings.smokeEndpoints.filter((e) => !answered(stats, e)) : [];
  return { requests, errors, errorRate: requests > 0 ? (100 * errors) / requests : 0, p99, unanswered };
}

/** Metric names the conditions use; added to the report's counters at the end of a run. */
export function derivedCounters(d: Derived): Record<string, number> {
  const out: Record<string, number> = {
    'hmp.gate.errors': d.errors,
    'hmp.gate.error_rate_pct': Math.round(d.errorRate * 1000) / 1000,
    'hmp.gate.unanswered_endpoints': d.unanswered.length,
  };
  for (const [group, v] of Object.entries(d.p99)) out[`hmp.gate.p99.${group}`] = v;
  return out;
}

export interface Condition {
  expression: string;
  strict: boolean;
}

/** The plan's criteria for this test type, as ensure conditions. */
export function ensureConditions(settings: HmpSettings): Condition[] {
  if (settings.test === 'breakpoint') return []; // it reports, it does not gate
  const out: Condition[] = Object.entries(settings.slo)
    .filter(([group]) => settings.groups[group])
    .map(([group, ms]) => ({ expression: `hmp.gate.p99.${group} <= ${ms}`, strict: true }));
  if (settings.test === 'smoke') {
    out.push({ expression: 'hmp.gate.errors == 0', strict: true });
    out.push({ expression: 'hmp.gate.unanswered_endpoints == 0', strict: true });
  } else if (settings.maxErrorRate !== undefined) {
    out.push({ expression: `hmp.gate.error_rate_pct < ${settings.maxErrorRate}`, strict: true });
  }
  return out;
}

export interface Verdict {
  criterion: string;
  measured: number;
  limit: number;
  unit: string;
  /** "<", "<=" or "==": how measured must compare to limit. */
  op: '<' | '<=' | '==';
  pass: boolean;
}

/** The plan's criteria in words, with measured value vs limit (the same checks as ensureConditions). */
export function verdicts(settings: HmpSettings, d: Derived): Verdict[] {
  if (settings.test === 'breakpoint') return [];
  const out: Verdict[] = [];
  if (settings.test === 'smoke') {
    out.push({ criterion: 'errors', measured: d.errors, limit: 0, unit: '', op: '==', pass: d.errors === 0 });
    out.push({ criterion: 'critical endpoints not answered', measured: d.unanswered.length, limit: 0, unit: '', op: '==', pass: d.unanswered.length === 0 });
  } else if (settings.maxErrorRate !== undefined) {
    const rate = Math.round(d.errorRate * 1000) / 1000;
    out.push({ criterion: 'error rate', measured: rate, limit: settings.maxErrorRate, unit: '%', op: '<', pass: rate < settings.maxErrorRate });
  }
  for (const [group, ms] of Object.entries(settings.slo)) {
    if (!settings.groups[group]) continue;
    const p99 = d.p99[group] ?? 0;
    out.push({ criterion: `p99 of ${group} endpoints`, measured: p99, limit: ms, unit: 'ms', op: '<=', pass: p99 <= ms });
  }
  return out;
}

export function formatVerdict(v: Verdict): string {
  return `${v.pass ? 'PASS' : 'FAIL'} ${v.criterion}: ${v.measured}${v.unit} (limit ${v.op} ${v.limit}${v.unit})`;
}
