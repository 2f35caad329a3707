// A distributed run's merged results as the plan's run, for its report.
// run-fargate's launcher writes the workers' metrics merged period by period
// (-o) but not the plugin's section: it does not load the plugin. The phase
// file the workers ran gives the section back, read as a worker reads it
// (phases/common.yml, the phase file, the same environment: HMP_TIME_SCALE,
// HMP_JITTER_SEED, HMP_CONVERSIONS), with the jitter seed the workers drew
// from the run's test id; and the users are added up over the workers
// (core/merged-users.ts). Errors are one sentence with what to give instead.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { buildShape, readUserPhases, ShapeError } from './shape.ts';
import { resolveSettings, SettingsError } from './settings.ts';
import { seedOfRunId } from './core/worker-share.ts';
import { summedUsers, workersOf } from './core/merged-users.ts';
import { metric } from './core/metric-names.ts';
import { hmpSection, isObject, periodSeconds, periodsOf, stat, str, type HmpSection, type Results } from './core/results.ts';

export class MergedRunError extends Error {}

export interface MergedRunInput {
  /** The phase file the workers ran (phases/<test>.yml). */
  phaseFile: string;
  /** The run's settings, as the workers had them (HMP_TIME_SCALE ...). */
  env: Record<string, string | undefined>;
  /** The run's test id (the launcher's -o: testId): the workers' jitter seed. */
  testId?: string;
  /** The results file's name, for the messages. */
  where?: string;
}

/** The test id a results file records (run-fargate's -o: top-level testId), or undefined. */
export function testIdOf(raw: unknown): string | undefined {
  return isObject(raw) ? str(raw.testId) : undefined;
}

/** The plugin's section of a distributed run, as its workers had it; throws MergedRunError. */
export function planSectionOf(results: Results, input: MergedRunInput): HmpSection {
  const where = input.where ?? 'the results';
  const file = resolve(input.phaseFile);
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new MergedRunError(`cannot read the phase file ${input.phaseFile} (${(err as Error).message.split('\n')[0]}); give the phase file the workers ran, e.g. --phase phases/stress.yml.`);
  }
  const config = isObject(doc) && isObject(doc.config) ? doc.config : {};
  const plugins = isObject(config.plugins) ? config.plugins : {};
  if (!isObject(plugins.hmp)) throw new MergedRunError(`${input.phaseFile} has no plugins.hmp: give the phase file the workers ran, e.g. --phase phases/stress.yml.`);
  // The report is not a worker: what says which worker this is does not apply; the seed is the workers' own.
  const { HMP_WORKERS: _w, HMP_WORKER_INDEX: _i, WORKER_ID: _id, IS_LEADER: _l, ...env } = input.env;
  const seedGiven = env.HMP_JITTER_SEED !== undefined && env.HMP_JITTER_SEED !== '';
  if (!seedGiven && input.testId) env.HMP_JITTER_SEED = String(seedOfRunId(input.testId));
  try {
    const s = resolveSettings(plugins.hmp, dirname(file), {}, env, Math.random, { phaseFile: input.phaseFile });
    const shape = buildShape(readUserPhases(config.phases).map((p) => (s.jitter ? p : { ...p, jitter: undefined })), s.timeScale, s.seed);
    if (shape.jitter.length && !seedGiven && !input.testId) {
      throw new MergedRunError(`${where} records no test id, and the ${s.test} test's jitter comes from it: give the workers' HMP_JITTER_SEED.`);
    }
    // A report built without the run's time scale would draw a shape the run never had.
    const periods = periodsOf(results);
    const spanS = periods.length ? (periods.at(-1)!.at - periods[0]!.at) / 1000 + periodSeconds(periods) : 0;
    if (s.test !== 'breakpoint' && periods.length >= 2 && (spanS < 0.25 * shape.total || spanS > 2 * shape.total + 60)) {
      throw new MergedRunError(
        `${where} covers ${Math.round(spanS)} s but ${input.phaseFile} at time scale ${s.timeScale} lasts ${Math.round(shape.total)} s: build the report with the run's own settings (HMP_TIME_SCALE=... as the workers had it).`,
      );
    }
    return {
      test: s.test,
      timeScale: s.timeScale,
      jitterSeed: shape.jitter.length ? s.seed : undefined,
      jitter: shape.jitter,
      shape: shape.segments,
      startedAt: stat(results.aggregate, metric.shapeStartedAt, 'min'),
      criteria: s.criteria as unknown as Record<string, unknown>,
      workers: workersOf(results.aggregate),
      ...(s.conversions ? {} : { notTested: ['conversions (HMP_CONVERSIONS=off)'] }),
    };
  } catch (err) {
    if (err instanceof SettingsError || err instanceof ShapeError) throw new MergedRunError(`${input.phaseFile}: ${err.message}`);
    throw err;
  }
}

/** The merged results with the plan's section and the users added up over the workers; throws MergedRunError. */
export function mergedRun(results: Results, input: MergedRunInput): Results {
  if (str(hmpSection(results).test)) {
    throw new MergedRunError(`${input.where ?? 'the results'} already records its plan (the plugin's section): build its report without --phase.`);
  }
  const hmp = planSectionOf(results, input);
  const users = summedUsers(results);
  return { ...users, aggregate: { ...users.aggregate, hmp } };
}

/** Whether results need --phase: merged worker shares without the plugin's section. */
export function needsPhaseFile(results: Results): number | undefined {
  const n = workersOf(results.aggregate);
  return n > 1 && !str(hmpSection(results).test) ? n : undefined;
}
