// A test's measurements after its run (I/O): the server's CPU and memory
// sampled during the test and the suite's own checks (probes, integrity,
// drift) are merged into its results BEFORE its report is written (the
// plugin's own report is switched off with HMP_NO_REPORT), so the step's
// report.html charts and judges them; then the report folder
// <step>/<test>-<UTC start>/ (results.json, summary.json/md, report.html).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeReportFolder } from '../../report/build.ts';
import { summarize } from '../../report/summarize.ts';
import type { Summary } from '../../report/types.ts';
import { asResults, hmpSection, type Results } from '../../plugins/artillery-plugin-hmp/core/results.ts';
import { createSampler, defaultSource, describeSampler, mergeSystemMetrics, NoneSampler, type Sample, type SystemSampler } from '../system-metrics/index.ts';
import type { SystemMetricsOptions } from './args.ts';

export interface StepSampler {
  sampler: SystemSampler;
  /** Why sampling is off or failed, if it is. */
  problem: string | undefined;
}

/** The sampler for one test: local for the suite's twin (or --pid), DigitalOcean, or none. */
export function samplerFor(o: SystemMetricsOptions, ownTwinPid: number | undefined, timeScale: number): StepSampler {
  const source = o.source ?? defaultSource(ownTwinPid);
  try {
    // Short tests under a time scale get more samples.
    const sampler = createSampler({ ...o, source, pid: o.pid ?? ownTwinPid, intervalMs: timeScale < 1 ? 1000 : 2000 });
    sampler.start();
    return { sampler, problem: undefined };
  } catch (err) {
    return { sampler: new NoneSampler(), problem: `system metrics (${source}) are off for this test: ${(err as Error).message}` };
  }
}

export async function stopSampler(s: StepSampler): Promise<{ samples: Sample[]; problem: string | undefined }> {
  try {
    return { samples: await s.sampler.stop(), problem: s.problem };
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

/**
 * What the suite measured around the run (core/criteria.ts Measured: crash,
 * recovery, dataLoss, drift) recorded in the results, so the report judges
 * them with the run's own criteria and the summary carries every verdict.
 */
export function withChecks(results: Results, checks: Record<string, unknown>): Results {
  const hmp = hmpSection(results);
  return { ...results, aggregate: { ...results.aggregate, hmp: { ...hmp, checks: { ...(hmp.checks as object | undefined), ...checks } } } };
}

/** Writes the report folder (and its report.html) and summarizes (the verdicts are the summary's). */
export function buildStepReport(results: Results, reportsDir: string): { results: Results; summary: Summary; folder: string; report: string } {
  const folder = writeReportFolder(results, { reportsDir });
  return { results, summary: summarize(results), folder, report: join(folder, 'report.html') };
}
