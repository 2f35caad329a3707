// Synthetic results in Artillery's `-o` format, with the suite's metric
// families and `hmp` section, for the report's tests and benchmark: N
// periods x M endpoints, seeded, so every figure can be checked against sums
// of the counters. Not a model of HMP: plausible numbers only; the shape is
// the phase file's, the criteria phases/common.yml's, the names the core's.
import { metric, ARTILLERY } from '../../plugins/artillery-plugin-hmp/core/metric-names.ts';
import { mulberry32 } from '../../plugins/artillery-plugin-hmp/prng.ts';
import { buildShape, targetAt, type Segment } from '../../plugins/artillery-plugin-hmp/shape.ts';
import { PERIOD_MS } from '../../plugins/artillery-plugin-hmp/core/results.ts';
import { planCriteria } from '../../lib/plan-criteria.ts';
import { ENDPOINTS } from '../../processors/endpoints.ts';
import type { Period, Results, Stat } from '../../report/types.ts';
import { readPhases } from '../../suite/run/plan.ts';
import type { TestId } from '../../suite/run/steps.ts';

// Every request name the scenarios make, in processors/endpoints.ts's order.
const REAL_ENDPOINTS = Object.keys(ENDPOINTS);

export interface SyntheticOptions {
  test?: string;
  /** Periods to generate (default: the shape's length in 10 s periods, plus one). */
  periods?: number;
  /** Endpoint names: the real ones first, then extra_NN. */
  endpoints?: number;
  seed?: number;
  /** ms since the epoch, start of the first period (a multiple of 10 s). */
  startAt?: number;
  timeScale?: number;
  /** Add plugins.hmp.system.cpu_pct / rss_mb; memTotalMb turns RSS into a share. */
  system?: boolean;
  /** Add disk and network I/O, and two processes (server, db). */
  io?: boolean;
  memTotalMb?: number;
  /** Share of requests failing with 500 (default 0.002). */
  errorShare?: number;
  /** Share of requests timing out (default 0.0005). */
  timeoutShare?: number;
  /** Chance per period that submission_content fails validation once (default 0.02). */
  badBodyShare?: number;
  /** Multiplies every latency (1 = comfortably within the SLOs). */
  latencyFactor?: number;
  /** Latency growth per hour of run (0.1 = +10% an hour). */
  driftPerHour?: number;
  /** Memory growth per hour, MB. */
  leakMbPerHour?: number;
  /** A server message for status_500 answers (goes to hmp.errorSamples). */
  errorMessage?: string;
  /** An extra endpoint name (e.g. hostile text) with a few 500s. */
  extraEndpoint?: string;
  earlyStop?: boolean;
  /** Breakpoint test: the level that fails (default 120); the run stops there. */
  breakpointAt?: number;
}

const WEIGHT: Record<string, number> = {
  auth_challenge: 1,
  auth_login: 1,
  project_list: 1,
  project_detail: 1.5,
  submission_list: 0.3,
  submission_hash: 0.4,
  submission_content: 0.3,
  submission_instructor_key: 0.2,
  submission_create: 0.2,
  pdf_execute: 0.12,
};
const BASE_MS: Record<string, number> = { auth_challenge: 25, auth_login: 60, project_list: 140, submission_list: 180, pdf_execute: 450, submission_content: 90 };

/** A summary's fields in Artillery's order, as multiples of its p50 (count apart). */
const FACTORS = { min: 0.35, max: 4.2, count: 0, mean: 1.2, p50: 1, median: 1, p75: 1.4, p90: 1.8, p95: 2.2, p99: 3, p999: 3.8 };
const r1 = (x: number) => Math.round(x * 10) / 10;

function statOf(p50: number, count: number): Stat {
  return Object.fromEntries(Object.entries(FACTORS).map(([f, k]) => [f, f === 'count' ? count : r1(p50 * k)]));
}

/** Merges period summaries roughly (count-weighted percentiles): good enough for synthetic data. */
function mergeStats(stats: Stat[]): Stat {
  const count = stats.reduce((a, s) => a + (s.count ?? 0), 0);
  const w = (f: keyof Stat) => Math.round((10 * stats.reduce((a, s) => a + (s[f] ?? 0) * (s.count ?? 0), 0)) / Math.max(1, count)) / 10;
  const merged = (f: keyof Stat) =>
    f === 'min' ? Math.min(...stats.map((s) => s.min ?? Infinity))
    : f === 'max' ? Math.max(...stats.map((s) => s.max ?? 0))
    : f === 'count' ? count
    : w(f === 'median' ? 'p50' : f);
  return Object.fromEntries((Object.keys(FACTORS) as Array<keyof Stat>).map((f) => [f, merged(f)]));
}

function breakpointOf(segs: Segment[], periods: Period[], startedAt: number, failAt: number, failedAtMs: number) {
  const holds = segs.filter((x) => x.users === x.from && x.users > 0);
  const found = Number.isFinite(failedAtMs);
  const levels = holds.map((h) => {
    const inHold = periods.filter((p) => {
      const mid = (Number(p.period) + PERIOD_MS / 2 - startedAt) / 1000;
      return mid >= h.start && mid < h.end;
    });
    const sumOf = (k: string) => inHold.reduce((a, p) => a + (p.counters?.[k] ?? 0), 0);
    const lat = inHold.map((p) => p.summaries?.[ARTILLERY.responseTime]).filter((x): x is Stat => !!x);
    const m = lat.length ? mergeStats(lat) : undefined;
    const requests = sumOf(ARTILLERY.requests);
    const status = h.users === failAt ? 'failed' : inHold.length === 0 || h.users > failAt ? 'not reached' : 'held';
    return {
      users: h.users,
      status,
      periods: inHold.length,
      reqPerS: inHold.length ? Math.round(sumOf(ARTILLERY.responses) / inHold.length) / 10 : 0,
      errorPct: requests ? Math.round((1000 * sumOf(metric.allErrors)) / requests) / 10 : 0,
      p50: m?.p50 ?? null,
      p95: m?.p95 ?? null,
      p99: m?.p99 ?? null,
    };
  });
  const below = holds.filter((h) => h.users < failAt).map((h) => h.users);
  const max = below.length ? Math.max(...below) : 0;
  const problems = [
    { kind: 'errors', text: `5xx on submission_create and project_list from ${failAt} users: 500 (8.0% of requests)` },
    { kind: 'latency', text: `latency: p99 of project_list 2.9 s > 1.4 s at ${failAt} users` },
  ];
  const mode = problems.map((p) => p.text).join('; ');
  return found
    ? {
        found: true,
        maxSustainableUsers: max,
        failingUsers: failAt,
        failedAt: failedAtMs,
        failureMode: mode,
        problems,
        summary: `breakpoint: max sustainable ${max} users; failed at ${failAt} users: ${mode}`,
        levels,
      }
    : { found: false, maxSustainableUsers: Math.max(...holds.map((h) => h.users)), summary: 'no breakpoint below 200 users', levels };
}

export function syntheticResults(o: SyntheticOptions = {}): Results {
  const test = o.test ?? 'soak';
  const scale = o.timeScale ?? 1;
  const rand = mulberry32(o.seed ?? 1);
  const shape = buildShape(readPhases(test as TestId), scale, o.seed ?? 1);
  const segs = shape.segments;
  const total = shape.total;
  const periods = o.periods ?? Math.ceil(total / 10) + 1;
  const startAt = o.startAt ?? Date.UTC(2026, 10, 27, 9, 0, 0);
  const startedAt = startAt + 3_000;
  const names = [...REAL_ENDPOINTS];
  for (let i = names.length; i < (o.endpoints ?? REAL_ENDPOINTS.length); i++) names.push(`extra_${String(i).padStart(2, '0')}`);
  names.length = Math.min(names.length, o.endpoints ?? names.length);
  if (o.extraEndpoint) names.push(o.extraEndpoint);
  const baseErrorShare = o.errorShare ?? 0.002;
  const timeoutShare = o.timeoutShare ?? 0.0005;
  const failAt = test === 'breakpoint' ? (o.breakpointAt ?? 120) : Infinity;
  const failHold = segs.find((x) => x.users === failAt && x.from === failAt);
  const failedAtMs = failHold ? startedAt + (failHold.start + 30 * scale) * 1000 : Infinity;

  const intermediate: Period[] = [];
  for (let i = 0; i < periods; i++) {
    const at = startAt + i * PERIOD_MS;
    if (at >= failedAtMs) break;
    const t = (at + PERIOD_MS / 2 - startedAt) / 1000;
    const target = targetAt(shape, t);
    const counters: Record<string, number> = {};
    const summaries: Record<string, Stat> = {};
    const inc = (k: string, v: number) => {
      if (v) counters[k] = (counters[k] ?? 0) + v;
    };
    const hours = Math.max(0, t) / 3600 / scale;
    const load = test === 'breakpoint' ? 1 + (target / (failAt * 0.8)) ** 4 : 1 + target / 100;
    const errorShare = target >= failAt * 0.95 ? 0.08 : baseErrorShare;
    const drift = 1 + (o.driftPerHour ?? 0) * hours;
    let requests = 0;
    const all: Stat[] = [];
    for (const name of names) {
      const weight = WEIGHT[name] ?? 0.1;
      const n = Math.round(target * weight * (0.9 + 0.2 * rand()));
      if (n === 0) continue;
      const err500 = rand() < n * errorShare * 3 ? Math.max(1, Math.round(n * errorShare)) : 0;
      const timeouts = rand() < n * timeoutShare * 3 ? 1 : 0;
      const bad = name === 'submission_content' && rand() < (o.badBodyShare ?? 0.02) ? 1 : 0;
      const forced = name === o.extraEndpoint ? 1 : 0;
      const fails500 = Math.min(n, err500 + forced);
      const answered = n - timeouts;
      inc(metric.code(name, 200), answered - fails500);
      inc(metric.code(name, 500), fails500);
      inc(`${ARTILLERY.codePrefix}200`, answered - fails500);
      inc(`${ARTILLERY.codePrefix}500`, fails500);
      if (timeouts) {
        inc(metric.endpointError(name, 'ETIMEDOUT'), timeouts);
        inc(`${ARTILLERY.errorPrefix}ETIMEDOUT`, timeouts);
        inc(metric.error(name, 'ETIMEDOUT'), timeouts);
      }
      if (fails500) inc(metric.error(name, 'status_500'), fails500);
      if (bad) inc(metric.error(name, 'bad_body'), bad);
      const errs = fails500 + timeouts + bad;
      inc(metric.errors(name), errs);
      inc(metric.allErrors, errs);
      inc(metric.ok(name), n - errs);
      requests += n;
      inc(ARTILLERY.requests, n);
      inc(ARTILLERY.responses, answered);
      inc(ARTILLERY.downloadedBytes, answered * 1800);
      if (answered > 0) {
        const p50 = (BASE_MS[name] ?? 70) * load * drift * (o.latencyFactor ?? 1) * (0.9 + 0.2 * rand());
        const s = statOf(p50, answered);
        summaries[metric.responseTime(name)] = s;
        summaries[metric.serverTiming(name)] = statOf(p50 * 0.7, answered);
        all.push(s);
      }
    }
    if (all.length) {
      summaries[ARTILLERY.responseTime] = mergeStats(all);
      summaries[`${ARTILLERY.responseTime}.2xx`] = mergeStats(all);
    }
    if (target > 0 || i === 0) {
      const tr = Math.round(target);
      summaries[metric.usersTarget] = { min: tr, max: tr, count: 10, mean: tr, p50: tr, median: tr, p75: tr, p90: tr, p95: tr, p99: tr, p999: tr };
      const active = Math.max(0, tr - (rand() < 0.1 ? 1 : 0));
      summaries[metric.usersActive] = { min: active, max: tr, count: 10, mean: active, p50: active, median: active, p75: tr, p90: tr, p95: tr, p99: tr, p999: tr };
      summaries[metric.usersDeviation] = { min: 0, max: tr - active, count: 10, mean: tr - active, p50: 0, median: 0, p75: 0, p90: 0, p95: 0, p99: 0, p999: 0 };
      inc(ARTILLERY.vusersCreated, Math.round(target / 5));
      inc(ARTILLERY.vusersCompleted, Math.round(target / 5));
    }
    if (o.system) {
      const cpu = Math.min(100, 8 + target * 2.2 + 6 * rand());
      summaries[metric.systemCpuPct] = { min: cpu * 0.7, max: cpu * 1.3, count: 10, mean: Math.round(cpu * 10) / 10, p50: cpu, p90: cpu * 1.2, p95: cpu * 1.25, p99: cpu * 1.3 };
      const rss = 140 + target * 1.5 + (o.leakMbPerHour ?? 0) * hours + 2 * rand();
      summaries[metric.systemRssMb] = { min: rss - 1, max: rss + 1, count: 10, mean: Math.round(rss * 10) / 10, p50: rss, p90: rss, p95: rss, p99: rss };
    }
    if (o.io) {
      const flat = (v: number): Stat => ({ min: v, max: v, count: 10, mean: v, p50: v, p90: v, p95: v, p99: v });
      summaries[metric.systemDiskReadBps] = flat(Math.round(2000 * rand()));
      summaries[metric.systemDiskWriteBps] = flat(Math.round(40_000 + 3000 * target * rand()));
      summaries[metric.systemNetInBps] = flat(Math.round(9000 * target * (0.9 + 0.2 * rand())));
      summaries[metric.systemNetOutBps] = flat(Math.round(30_000 * target * (0.9 + 0.2 * rand())));
      for (const [label, share] of [['server', 1], ['db', 0.4]] as const) {
        summaries[metric.systemProcess(label, 'cpu_pct')] = flat(Math.round(share * (8 + target * 2.2) * 10) / 10);
        summaries[metric.systemProcess(label, 'rss_mb')] = flat(Math.round(share * 200 + target));
        summaries[metric.systemProcess(label, 'disk_write_bps')] = flat(Math.round(share * 60_000 * (0.5 + rand())));
      }
    }
    intermediate.push({
      counters,
      rates: { [ARTILLERY.requestRate]: Math.round(requests / 10) },
      [ARTILLERY.requestRate]: null,
      firstCounterAt: at + 12,
      firstHistogramAt: at + 15,
      lastCounterAt: at + 9_990,
      lastHistogramAt: at + 9_991,
      firstMetricAt: at + 12,
      lastMetricAt: at + 9_991,
      period: at,
      summaries,
      histograms: summaries,
    });
  }

  const counters: Record<string, number> = {};
  const byName: Record<string, Stat[]> = {};
  for (const p of intermediate) {
    for (const [k, v] of Object.entries(p.counters ?? {})) counters[k] = (counters[k] ?? 0) + v;
    for (const [k, s] of Object.entries(p.summaries ?? {})) (byName[k] ??= []).push(s);
  }
  const summaries = Object.fromEntries(Object.entries(byName).map(([k, list]) => [k, mergeStats(list)]));
  const endedAt = Number.isFinite(failedAtMs) ? failedAtMs + 2_000 : startedAt + total * 1000;
  const breakpoint = test === 'breakpoint' ? breakpointOf(segs, intermediate, startedAt, failAt, failedAtMs) : undefined;
  const hmp = {
    test,
    timeScale: scale,
    ...(test === 'spike' ? { jitterSeed: o.seed ?? 1 } : {}),
    jitter: shape.jitter,
    shape: segs,
    target: 'http://127.0.0.1:8000',
    startedAt,
    endedAt,
    ...(o.earlyStop || breakpoint?.found ? { earlyStop: true } : {}),
    ...(breakpoint ? { breakpoint } : {}),
    criteria: { ...planCriteria(), ...(test === 'smoke' ? { smokeEndpoints: REAL_ENDPOINTS.slice(0, 12) } : {}) },
    ...(o.memTotalMb ? { system: { memTotalMb: o.memTotalMb } } : {}),
    ...(o.errorMessage ? { errorSamples: names.map((endpoint) => ({ endpoint, reason: 'status_500', status: 500, message: o.errorMessage })) } : {}),
  };
  return {
    aggregate: {
      counters,
      rates: { [ARTILLERY.requestRate]: 0 },
      firstCounterAt: startAt,
      firstHistogramAt: startAt,
      lastCounterAt: startAt + periods * PERIOD_MS,
      lastHistogramAt: startAt + periods * PERIOD_MS,
      firstMetricAt: startAt,
      lastMetricAt: startAt + periods * PERIOD_MS,
      period: startAt + (periods - 1) * PERIOD_MS,
      summaries,
      histograms: summaries,
      hmp,
    },
    intermediate,
  };
}
