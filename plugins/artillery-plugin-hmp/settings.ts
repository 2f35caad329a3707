// The plugin's settings: phases/common.yml, the phase file's `plugins.hmp`,
// --variables and env, merged in that order (pure apart from reading the file).
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { CONVERSION_ENDPOINTS, conversionsOff, CriteriaError, criteriaFrom, TEST_TYPES, type Criteria, type TestType } from './core/criteria.ts';

export type HmpSettings = ReturnType<typeof resolveSettings>;

export class SettingsError extends Error {}

function deepMerge(base: Record<string, any>, over: Record<string, any>): Record<string, any> {
  const out: Record<string, any> = { ...base };
  for (const [k, v] of Object.entries(over ?? {})) {
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && typeof out[k] === 'object' ? deepMerge(out[k], v) : v;
  }
  return out;
}

function positive(name: string, raw: unknown): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new SettingsError(`${name} must be a number above 0, got "${raw}".`);
  return n;
}

/**
 * pluginConfig: `config.plugins.hmp` of the phase file; scriptDir: its folder;
 * variables: --variables JSON; env: process.env; random: for a fresh seed.
 */
export function resolveSettings(
  pluginConfig: Record<string, any>,
  scriptDir: string,
  variables: Record<string, unknown>,
  env: Record<string, string | undefined>,
  random: () => number = Math.random,
) {
  const commonPath = resolve(scriptDir, pluginConfig.common ?? 'common.yml');
  let common: Record<string, any>;
  try {
    common = parseYaml(readFileSync(commonPath, 'utf8')) ?? {};
  } catch (err) {
    throw new SettingsError(`Cannot read the shared settings ${commonPath} (${(err as Error).message.split('\n')[0]}); set plugins.hmp.common to its path.`);
  }
  const merged = deepMerge(common, pluginConfig);
  const test = merged.test as TestType;
  if (!TEST_TYPES.includes(test)) {
    throw new SettingsError(`plugins.hmp.test must be one of ${TEST_TYPES.join(', ')}, got "${merged.test}".`);
  }
  const scenarios = typeof merged.scenarios === 'string' ? merged.scenarios : merged.scenarios?.[test];
  if (typeof scenarios !== 'string') throw new SettingsError(`No scenarios file is set for the ${test} test (scenarios.${test} in ${commonPath}).`);

  const scaleRaw = env.HMP_TIME_SCALE ?? variables.timeScale ?? merged.timeScale ?? 1;
  const timeScale = positive('HMP_TIME_SCALE (time scale)', scaleRaw);

  const [seed, seedSource]: [number, 'HMP_JITTER_SEED' | 'variables' | 'random'] =
    env.HMP_JITTER_SEED !== undefined && env.HMP_JITTER_SEED !== '' ? [Number(env.HMP_JITTER_SEED), 'HMP_JITTER_SEED']
    : variables.jitterSeed !== undefined ? [Number(variables.jitterSeed), 'variables']
    : [Math.floor(random() * 2 ** 31), 'random'];
  if (!Number.isInteger(seed) || seed < 0) throw new SettingsError(`The jitter seed must be a whole number >= 0, got "${seed}".`);

  const jitterOff = ['0', 'off', 'false', 'no'].includes(String(env.HMP_JITTER ?? variables.jitter ?? merged.jitter ?? 'on').toLowerCase());
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
    jitter: !jitterOff,
    timeScale,
    seed,
    seedSource,
    /** Absolute path of the report builder module (writeReportFolder), if any. */
    reportBuilder: typeof merged.report === 'string' ? resolve(dirname(commonPath), merged.report) : undefined,
    /** Absolute path of the suite's processors folder (the journeys' profiles and think settings: journeys-of-run.ts), if any. */
    processorsDir: typeof merged.processors === 'string' ? resolve(dirname(commonPath), merged.processors) : undefined,
    /** Absolute path of the script that starts a local target when none is given (startLocalTwin), if any. */
    localTarget: typeof merged.localTarget === 'string' ? resolve(dirname(commonPath), merged.localTarget) : undefined,
  };
}
