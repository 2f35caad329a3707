// Shared by the suite-*.test.ts files: synthetic results, a seeded twin,
// and a short bounded load loop with per-period latencies.
import { readFileSync } from 'node:fs';
import { HmpClient, type LoadTestFixture } from '../lib/hmp-client.ts';
import { decodeCredentialsFile } from '../lib/hmp-crypto.ts';
import type { Period, Results, Summary } from '../plugins/artillery-plugin-hmp/core/results.ts';
import { summarize } from '../plugins/artillery-plugin-hmp/core/stats.ts';

/** A summary with every field Artillery writes, from a few numbers. */
export function sum(p50: number, p95: number, p99: number, count = 100): Summary {
  return { min: 0, max: p99 * 1.2, mean: p50, count, p50, median: p50, p75: p50, p90: p95, p95, p99, p999: p99 };
}

export interface PeriodSpec {
  at: number;
  requests?: number;
  /** Default: every request answered. */
  responses?: number;
  errors?: number;
  p95?: number;
  p99?: number;
  rssMb?: number;
  memPct?: number;
}

/** An intermediate period as Artillery writes it (period as a string, summaries and histograms). */
export function period(s: PeriodSpec): Period {
  const requests = s.requests ?? 100;
  const counters: Record<string, number> = { 'http.requests': requests, 'http.responses': s.responses ?? requests, 'plugins.hmp.errors.project_list': s.errors ?? 0 };
  const summaries: Record<string, Summary> = {};
  if (s.p95 !== undefined) summaries['http.response_time'] = sum(s.p95 / 2, s.p95, s.p99 ?? s.p95 * 1.3);
  if (s.rssMb !== undefined) summaries['plugins.hmp.system.rss_mb'] = sum(s.rssMb, s.rssMb, s.rssMb, 5);
  if (s.memPct !== undefined) summaries['plugins.hmp.system.mem_pct'] = sum(s.memPct, s.memPct, s.memPct, 5);
  return { period: String(s.at), counters, rates: {}, summaries, histograms: summaries };
}

/** Requests per endpoint: [name, answers, p50, p95, p99, errors, codes 5xx]. */
export type EndpointSpec = [string, number, number, number, number, number?, number?];

/** A results file with an aggregate over the given endpoints (duration 100 s). */
export function results(endpoints: EndpointSpec[], extra: Partial<Period> = {}): Results {
  const counters: Record<string, number> = {};
  const summaries: Record<string, Summary> = {};
  let requests = 0;
  for (const [name, n, p50, p95, p99, errors = 0, fivexx = 0] of endpoints) {
    counters[`plugins.metrics-by-endpoint.${name}.codes.200`] = n - fivexx;
    if (fivexx) counters[`plugins.metrics-by-endpoint.${name}.codes.500`] = fivexx;
    counters[`plugins.hmp.ok.${name}`] = n - errors;
    if (errors) counters[`plugins.hmp.errors.${name}`] = errors;
    summaries[`plugins.metrics-by-endpoint.response_time.${name}`] = sum(p50, p95, p99, n);
    requests += n;
  }
  counters['http.requests'] = requests;
  counters['http.responses'] = requests;
  summaries['http.response_time'] = sum(2, 20, 50, requests);
  const t0 = 1_800_000_000_000;
  return {
    aggregate: { counters, summaries, histograms: summaries, firstMetricAt: t0, lastMetricAt: t0 + 100_000, period: t0 + 100_000, ...extra },
    intermediate: [],
  };
}

/** Logs in as the twin's admin and seeds it (POST /admin/load-test/up). */
export async function seedTwin(url: string, credentialsPath: string, password: string): Promise<LoadTestFixture> {
  const creds = await decodeCredentialsFile(readFileSync(credentialsPath), password);
  const admin = new HmpClient(url);
  await admin.login(creds.userId, creds.privateKey);
  return admin.loadTestUp();
}

/**
 * GET `path` from `workers` loops for `durationMs` (bounded), each request
 * timed; returns per-period (periodMs) summaries of the latencies in the
 * results format, with counters http.requests / http.responses.
 */
export async function driveLoad(url: string, opts: { durationMs: number; workers?: number; periodMs?: number; path?: string; pauseMs?: number }): Promise<Period[]> {
  const periodMs = opts.periodMs ?? 1000;
  const byPeriod = new Map<number, number[]>();
  const end = Date.now() + opts.durationMs;
  const worker = async () => {
    while (Date.now() < end) {
      const t0 = Date.now();
      const r = await fetch(url + (opts.path ?? '/health'));
      await r.arrayBuffer();
      const at = Math.floor(t0 / periodMs) * periodMs;
      const list = byPeriod.get(at) ?? [];
      list.push(Date.now() - t0);
      byPeriod.set(at, list);
      if (opts.pauseMs) await new Promise((res) => setTimeout(res, opts.pauseMs));
    }
  };
  await Promise.all(Array.from({ length: opts.workers ?? 2 }, worker));
  return [...byPeriod.keys()]
    .sort((a, b) => a - b)
    .map((at) => {
      const s = summarize(byPeriod.get(at)!)!;
      return { period: at, counters: { 'http.requests': s.count, 'http.responses': s.count }, summaries: { 'http.response_time': { ...s } } };
    });
}
