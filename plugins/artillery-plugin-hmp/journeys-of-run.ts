// The journeys of this run, as the processors define them (I/O): the mix the
// scenarios file names, its profiles (think times, per-session actions) and
// the think time the run really uses (HMP_THINK_MIN/MAX or thinkMin/thinkMax
// over the profile's, times the time scale). The processors own these
// numbers (processors/profiles.ts, processors/settings.ts); the plugin reads
// them from the folder `processors` in phases/common.yml names, so the
// breakpoint's capacity in req/s uses the journeys' own think time, never a
// copy of it. A copy of the plugin without the suite's processors has none.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { journeyThink, type JourneyProfile, type Journeys, type ThinkRanges } from './journey-rate.ts';

export interface RunJourneys {
  journeys: Journeys;
  /** The journeys' own think ranges, seconds per profile of the mix. */
  journeyThinkS: ThinkRanges;
  /** The run's think ranges after the time scale, seconds per profile of the mix. */
  runThinkS: ThinkRanges;
}

export type RunJourneysOrWhy = RunJourneys | { why: string };

interface ProcessorsModules {
  profiles: { PROFILES?: Record<string, unknown>; MIXES?: Record<string, Record<string, number>> };
  settings: {
    parseSettings?: (env: Record<string, string | undefined>) => unknown;
    thinkRangeS?: (s: unknown, vars: Record<string, unknown>, profile: readonly [number, number]) => [number, number];
  };
}

const isRange = (x: unknown): x is [number, number] => Array.isArray(x) && x.length === 2 && x.every((n) => typeof n === 'number' && Number.isFinite(n));
const isDeck = (x: unknown): x is number[] => Array.isArray(x) && x.every((n) => typeof n === 'number' && Number.isFinite(n));

function profileOf(x: unknown): JourneyProfile | undefined {
  const p = x as Record<string, unknown> | null;
  if (!p || typeof p !== 'object' || typeof p.role !== 'string' || !isRange(p.thinkS)) return undefined;
  const decks = ['projectDetails', 'uploads', 'submissionReads', 'conversions'] as const;
  if (!decks.every((k) => isDeck(p[k]))) return undefined;
  return p as unknown as JourneyProfile;
}

/** The first scenario's name in the scenarios file: it names the mix (processors/profiles.ts MIXES). */
function mixName(scenariosPath: string): string | undefined {
  const doc = parseYaml(readFileSync(scenariosPath, 'utf8')) as { scenarios?: Array<{ name?: unknown }> } | null;
  const name = doc?.scenarios?.[0]?.name;
  return typeof name === 'string' ? name : undefined;
}

/** The journeys from loaded processors modules (pure). */
export function runJourneysOf(
  mods: ProcessorsModules,
  mix: string | undefined,
  env: Record<string, string | undefined>,
  variables: Record<string, unknown>,
  timeScale: number,
): RunJourneysOrWhy {
  const { PROFILES, MIXES } = mods.profiles;
  const { parseSettings, thinkRangeS } = mods.settings;
  if (!PROFILES || !MIXES || typeof parseSettings !== 'function' || typeof thinkRangeS !== 'function') return { why: "the processors' profiles and think settings were not found" };
  if (mix === undefined || !Object.hasOwn(MIXES, mix)) return { why: `the scenarios name no known mix ("${mix ?? ''}")` };
  const profiles: Record<string, JourneyProfile> = {};
  for (const name of Object.keys(MIXES[mix]!)) {
    const p = Object.hasOwn(PROFILES, name) ? profileOf(PROFILES[name]) : undefined;
    if (!p) return { why: `the mix "${mix}" names a profile "${name}" the processors do not define` };
    profiles[name] = p;
  }
  const journeys: Journeys = { mix: { ...MIXES[mix]! }, profiles };
  let settings: unknown;
  try {
    settings = parseSettings(env);
  } catch (err) {
    return { why: `the think time could not be read (${(err as Error).message})` };
  }
  const runThinkS: ThinkRanges = {};
  for (const [name, p] of Object.entries(profiles)) {
    const [min, max] = thinkRangeS(settings, variables, p.thinkS);
    runThinkS[name] = [min * timeScale, max * timeScale];
  }
  return { journeys, journeyThinkS: journeyThink(journeys), runThinkS };
}

/** Loads the processors' profiles and settings from `processorsDir` and reads this run's journeys. */
export async function loadRunJourneys(o: {
  processorsDir: string | undefined;
  scenariosPath: string;
  env: Record<string, string | undefined>;
  variables: Record<string, unknown>;
  timeScale: number;
}): Promise<RunJourneysOrWhy> {
  if (!o.processorsDir) return { why: 'no processors folder is set (processors in phases/common.yml)' };
  try {
    const load = (file: string) => import(pathToFileURL(join(o.processorsDir!, file)).href);
    const [profiles, settings] = await Promise.all([load('profiles.ts'), load('settings.ts')]);
    return runJourneysOf({ profiles, settings }, mixName(o.scenariosPath), o.env, o.variables, o.timeScale);
  } catch (err) {
    return { why: `the journeys could not be read (${(err as Error).message.split('\n')[0]})` };
  }
}
