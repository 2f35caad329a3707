// The plugin's settings: phases/common.yml, the phase file's `plugins.hmp`,
// --overrides (which Artillery has merged into it), --variables and env, in
// that order; each checked against the settings' schema before any load, a
// problem said in one sentence that names the source of the value (pure
// apart from reading the file).
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { CONVERSION_ENDPOINTS, conversionsOff, CriteriaError, criteriaFrom, TEST_TYPES, type Criteria, type TestType } from './core/criteria.ts';
import { hmpOf, parseOverrides } from './core/overrides.ts';
import { fromText, settingOf, settingsProblems, switchValue, valueProblem } from './core/settings-schema.ts';
import { seedOfRunId, workerShareOf, WorkerShareError, type WorkerShare } from './core/worker-share.ts';

export type HmpSettings = ReturnType<typeof resolveSettings>;

export class SettingsError extends Error {}

/** Where the settings came from, to name the source of a bad value. */
export interface SettingSources {
  /** Artillery's --overrides as given (its flags.overrides). */
  overrides?: string;
  /** The phase file, whose plugins.hmp (merged with --overrides) is pluginConfig. */
  phaseFile?: string;
  /** Files are named relative to this folder (default: the working directory). */
  cwd?: string;
}

const isObject = (x: unknown): x is Record<string, any> => typeof x === 'object' && x !== null && !Array.isArray(x);

function deepMerge(base: Record<string, any>, over: Record<string, any>): Record<string, any> {
  const out: Record<string, any> = { ...base };
  for (const [k, v] of Object.entries(over ?? {})) {
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && typeof out[k] === 'object' ? deepMerge(out[k], v) : v;
  }
  return out;
}

function has(obj: unknown, path: string[]): boolean {
  let at = obj;
  for (const seg of path) {
    if (!isObject(at) || !Object.hasOwn(at, seg)) return false;
    at = at[seg];
  }
  return true;
}

/** What env and --variables set on top of the files, with the name a person gave it ("HMP_TIME_SCALE (time scale)"). */
function fromEnvOrVariables(key: string, label: string, env: Record<string, string | undefined>, variables: Record<string, unknown>): { value: unknown; name: string } | undefined {
  const s = settingOf(key);
  const fromEnv = s.env && env[s.env] !== undefined && env[s.env] !== '' ? { raw: env[s.env], name: s.env } : undefined;
  const given = fromEnv ?? (s.variable && variables[s.variable] !== undefined ? { raw: variables[s.variable], name: `--variables ${s.variable}` } : undefined);
  if (!given) return undefined;
  const value = fromText(s.rule, given.raw);
  const problem = valueProblem(s.rule, value);
  if (problem) throw new SettingsError(problem(`${given.name} (${label})`));
  return { value, name: given.name };
}

/**
 * pluginConfig: `config.plugins.hmp` of the phase file (with --overrides);
 * scriptDir: its folder; variables: --variables JSON; env: process.env;
 * random: for a fresh seed; sources: to name where a bad value came from.
 */
export function resolveSettings(
  pluginConfig: Record<string, any>,
  scriptDir: string,
  variables: Record<string, unknown>,
  env: Record<string, string | undefined>,
  random: () => number = Math.random,
  sources: SettingSources = {},
) {
  const cwd = sources.cwd ?? process.cwd();
  const named = (path: string) => (relative(cwd, path).startsWith('..') || isAbsolute(relative(cwd, path)) ? path : relative(cwd, path));
  let fromOverrides: Record<string, unknown> = {};
  if (sources.overrides) {
    const parsed = parseOverrides(sources.overrides);
    if ('problem' in parsed) throw new SettingsError(parsed.problem);
    fromOverrides = hmpOf(parsed.overrides);
  }
  const phaseFile = sources.phaseFile ? named(resolve(cwd, sources.phaseFile)) : "the phase file's plugins.hmp";
  if (!isObject(pluginConfig)) throw new SettingsError(`config.plugins.hmp must be a group of settings (e.g. { test: smoke }) in ${phaseFile}, got ${JSON.stringify(pluginConfig)}.`);
  if (pluginConfig.common !== undefined && typeof pluginConfig.common !== 'string') {
    throw new SettingsError(`common must be a path in ${has(fromOverrides, ['common']) ? '--overrides' : phaseFile}, got ${JSON.stringify(pluginConfig.common)}.`);
  }
  const commonPath = resolve(scriptDir, pluginConfig.common ?? 'common.yml');
  // Where a setting's value came from: the last source that set it.
  const sourceOf = (path: string[]) => (has(fromOverrides, path) ? '--overrides' : has(pluginConfig, path) ? phaseFile : named(commonPath));
  let common: unknown;
  try {
    common = parseYaml(readFileSync(commonPath, 'utf8')) ?? {};
  } catch (err) {
    throw new SettingsError(`Cannot read the shared settings ${commonPath} (${(err as Error).message.split('\n')[0]}); set plugins.hmp.common to its path.`);
  }
  if (!isObject(common)) throw new SettingsError(`The shared settings ${named(commonPath)} must be a mapping of settings (key: value), got ${JSON.stringify(common).slice(0, 60)}.`);
  const merged = deepMerge(common, pluginConfig);
  // The one the person just typed first.
  const problems = settingsProblems(merged);
  const problem = problems.find((p) => sourceOf(p.path) === '--overrides') ?? problems[0];
  if (problem) throw new SettingsError(problem.say(sourceOf(problem.path)));

  const test = merged.test as TestType;
  if (!TEST_TYPES.includes(test)) {
    throw new SettingsError(`plugins.hmp.test must be one of ${TEST_TYPES.join(', ')}, got "${merged.test}".`);
  }
  const scenarios = typeof merged.scenarios === 'string' ? merged.scenarios : merged.scenarios?.[test];
  if (typeof scenarios !== 'string') throw new SettingsError(`No scenarios file is set for the ${test} test (scenarios.${test} in ${commonPath}).`);

  // Env wins over --variables, which wins over the files (checked above).
  const timeScale = Number(fromEnvOrVariables('timeScale', 'time scale', env, variables)?.value ?? merged.timeScale ?? 1);
  const jitter = switchValue(fromEnvOrVariables('jitter', 'spike jitter', env, variables)?.value ?? merged.jitter ?? 'on') !== false;

  // A distributed run (HMP_WORKERS): this generator's share of the users; its workers draw the same jitter
  // from the test run id Artillery gives all of them (ARTILLERY_TEST_RUN_ID).
  const share = checkedShare(env);
  const runId = share && env.ARTILLERY_TEST_RUN_ID ? env.ARTILLERY_TEST_RUN_ID : undefined;
  const [seedRaw, seedSource]: [unknown, 'HMP_JITTER_SEED' | 'variables' | 'test run id' | 'random'] =
    env.HMP_JITTER_SEED !== undefined && env.HMP_JITTER_SEED !== '' ? [env.HMP_JITTER_SEED, 'HMP_JITTER_SEED']
    : variables.jitterSeed !== undefined ? [variables.jitterSeed, 'variables']
    : runId ? [seedOfRunId(runId), 'test run id']
    : [Math.floor(random() * 2 ** 31), 'random'];
  const seed = Number(seedRaw);
  if (seedRaw === '' || !Number.isInteger(seed) || seed < 0) {
    throw new SettingsError(`${seedSource === 'variables' ? '--variables jitterSeed' : seedSource} (the jitter seed) must be a whole number of 0 or more, got ${JSON.stringify(seedRaw)}.`);
  }

  let criteria: Criteria;
  try {
    criteria = criteriaFrom(merged, commonPath);
  } catch (err) {
    if (err instanceof CriteriaError) throw new SettingsError(err.message);
    throw err;
  }
  const conversions = !conversionsOff(env);
  if (!conversions) criteria = { ...criteria, smokeEndpoints: criteria.smokeEndpoints.filter((e) => !CONVERSION_ENDPOINTS.includes(e)) };
  return {
    test,
    /** Absolute path of the scenarios YAML for this test. */
    scenarios: resolve(dirname(commonPath), scenarios),
    /** Every threshold of the plan (core/criteria.ts); slo and maxErrorRate are this test's share of it. */
    criteria,
    slo: criteria.slo,
    maxErrorRate: criteria.maxErrorRate[test],
    /** HMP_CONVERSIONS=off: conversions are not tested (nor counted as critical endpoints of the smoke). */
    conversions,
    /** Spike jitter on/off (phases with `jitter` only). */
    jitter,
    timeScale,
    seed,
    seedSource,
    /** A distributed run: this generator's share of the plan's users (HMP_WORKERS; core/worker-share.ts), else undefined. */
    share,
    /** Absolute path of the report builder module (writeReportFolder), if any. */
    reportBuilder: typeof merged.report === 'string' ? resolve(dirname(commonPath), merged.report) : undefined,
    /** Absolute path of the suite's processors folder (the journeys' profiles and think settings: journeys-of-run.ts), if any. */
    processorsDir: typeof merged.processors === 'string' ? resolve(dirname(commonPath), merged.processors) : undefined,
    /** Absolute path of the script that starts a local target when none is given (startLocalTwin), if any. */
    localTarget: typeof merged.localTarget === 'string' ? resolve(dirname(commonPath), merged.localTarget) : undefined,
    /** Absolute path of the script that checks a given target before any load (preflight), if any. */
    preflight: typeof merged.preflight === 'string' ? resolve(dirname(commonPath), merged.preflight) : undefined,
    /** Minutes of real time without any answer (the load nor GET /health) that stop a stress, spike or soak; undefined or 0: never. */
    stopWhenGoneMin: typeof merged.stopWhenGone?.limitMin === 'number' && merged.stopWhenGone.limitMin > 0 ? (merged.stopWhenGone.limitMin as number) : undefined,
  };
}

/** This generator's share of a distributed run's users (core/worker-share.ts); a bad one is a SettingsError. */
export function checkedShare(env: Record<string, string | undefined>): WorkerShare | undefined {
  try {
    return workerShareOf(env);
  } catch (err) {
    if (err instanceof WorkerShareError) throw new SettingsError(err.message);
    throw err;
  }
}
