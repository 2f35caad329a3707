// A test's measurements after its run (I/O): the server's CPU and memory
// sampled during the test and the suite's own checks (probes, integrity,
// drift) are merged into its results BEFORE its report is written (the
// plugin's own report is switched off with HMP_NO_REPORT), so the step's
// report.html charts and judges them; then the report folder
// <step>/<test>-<UTC start>/ (results.json, summary.json/md, report.html,
// junit.xml, periods.csv).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeReportFolder } from '../../report/build.ts';
import { summarize } from '../../report/summarize.ts';
import type { Summary } from '../../report/types.ts';
import { asResults, hmpSection, type Results } from '../../plugins/artillery-plugin-hmp/core/results.ts';
import { createSampler, defaultSource, describeSampler, mergeSystemMetrics, NoneSampler, type Sample, type SystemSampler } from '../system-metrics/index.ts';
import type { SystemMetricsOptions } from './args.ts';
import { CONNECTION_CLASSES } from '../../plugins/artillery-plugin-hmp/core/connection-errors.ts';
import { ARTILLERY, endpointCounters, metric } from '../../plugins/artillery-plugin-hmp/core/metric-names.ts';
import { disagreements, endpointDisagreements } from '../server-log/compare.ts';
import { ENDPOINTS } from '../../processors/endpoints.ts';
import { interfaceFor } from '../system-metrics/proc-io.ts';
import { restartsDuring } from '../system-metrics/digitalocean.ts';
import type { ServerLogSummary } from '../server-log/summary.ts';

export interface StepSampler {
  sampler: SystemSampler;
  /** Why sampling is off or failed, if it is. */
  problem: string | undefined;
}

/** The sampler for one test: local for the suite's twin (or --pid), DigitalOcean, or none. */
/** The target's port when it is on this machine (a restarted server is found listening there), else undefined. */
function localPortOf(target: string | undefined): number | undefined {
  try {
    const u = new URL(target ?? '');
    if (!/^(127\.|localhost$|\[::1\]$)/.test(u.hostname)) return undefined;
    return Number(u.port || (u.protocol === 'https:' ? 443 : 80));
  } catch {
    return undefined;
  }
}

export function samplerFor(o: SystemMetricsOptions, ownTwinPid: number | undefined, timeScale: number, target?: string): StepSampler {
  const source = o.source ?? defaultSource(ownTwinPid);
  try {
    // Short tests under a time scale get more samples.
    const sampler = createSampler({ ...o, source, pid: o.pid ?? ownTwinPid, netInterface: interfaceFor(target), port: localPortOf(target), intervalMs: timeScale < 1 ? 1000 : 2000 });
    sampler.start();
    return { sampler, problem: undefined };
  } catch (err) {
    return { sampler: new NoneSampler(), problem: `system metrics (${source}) are off for this test: ${(err as Error).message}` };
  }
}

export async function stopSampler(s: StepSampler): Promise<{ samples: Sample[]; problem: string | undefined; restarts?: string }> {
  try {
    const samples = await s.sampler.stop();
    const n = restartsDuring(samples);
    const restarts = n ? `the server's instances restarted ${n} time${n === 1 ? '' : 's'} during the test (DigitalOcean restart_count)` : undefined;
    return { samples, problem: s.problem, ...(restarts ? { restarts } : {}) };
  } catch (err) {
    return { samples: [], problem: `system metrics could not be collected: ${(err as Error).message}` };
  }
}

export function readResults(path: string): Results {
  return asResults(JSON.parse(readFileSync(path, 'utf8')), path);
}

/** The results with the samples of the server's CPU and memory merged in (unchanged without samples). */
export function withSamples(results: Results, samples: Sample[], sampler: SystemSampler): Results {
  return samples.length > 0 ? mergeSystemMetrics(results, samples, describeSampler(sampler)).results : results;
}

/** The server's log of the test recorded with the results (aggregate.hmp.serverLog), with where it and the client's counts disagree. */
export function withServerLog(results: Results, log: ServerLogSummary | undefined): Results {
  if (!log) return results;
  const c = results.aggregate.counters ?? {};
  const noAnswer = Object.fromEntries(CONNECTION_CLASSES.map((k) => [k, c[metric.connection(k)] ?? 0]));
  const status5xx = Object.entries(c).reduce((n, [k, v]) => (k.startsWith(`${ARTILLERY.codePrefix}5`) ? n + v : n), 0);
  const routes = Object.fromEntries(Object.entries(ENDPOINTS).map(([name, e]) => [name, e.route]));
  const perEndpoint = endpointDisagreements(log, endpointCounters(c), routes);
  const serverLog = { ...log, disagreements: [...disagreements(log, { answered: c[ARTILLERY.responses] ?? 0, noAnswer, status5xx }), ...perEndpoint] };
  return { ...results, aggregate: { ...results.aggregate, hmp: { ...hmpSection(results), serverLog } } };
}

/**
 * What the suite measured around the run (core/criteria.ts Measured: crash,
 * recovery, dataLoss, drift) recorded in the results, so the report judges
 * them with the run's own criteria and the summary carries every verdict.
 */
export function withChecks(results: Results, checks: Record<string, unknown>): Results {
  const hmp = hmpSection(results);
  return { ...results, aggregate: { ...results.aggregate, hmp: { ...hmp, checks: { ...(hmp.checks as object | undefined), ...checks } } } };
}

/**
 * Writes the report folder (and its report.html) and summarizes (the verdicts
 * are the summary's). GitHub's job summary gets the suite's summary once at
 * its end (ci-files.ts), not each step's.
 */
export function buildStepReport(results: Results, reportsDir: string): { results: Results; summary: Summary; folder: string; report: string } {
  const folder = writeReportFolder(results, { reportsDir, stepSummary: false });
  return { results, summary: summarize(results), folder, report: join(folder, 'report.html') };
}
