// Every setting of the plugin, `config.plugins.hmp` (phases/common.yml, a
// phase file's plugins.hmp, --overrides), with its type, range and what it
// does, and the check of a settings object against them (pure). One list:
// the plugin checks its settings with it before any load, the suite checks
// its --overrides with it, and the README's settings table is its copy
// (test/settings-schema.test.ts compares them). In a key, <test> stands for
// a test type, <group> for an endpoint group named in `groups`, and <name>
// for a new name.
import { closest } from './closest.ts';
import { CRITERIA, TEST_TYPES } from './criteria.ts';

export type Rule =
  | { kind: 'number'; above?: number; min?: number; max?: number; whole?: true; unit?: string }
  | { kind: 'path' }
  | { kind: 'boolean' }
  /** on/off, true/false, 1/0, yes/no. */
  | { kind: 'switch' }
  | { kind: 'one of'; values: readonly string[] }
  /** A list of names; `of`: the names allowed, each `item` ("a criterion"). */
  | { kind: 'list'; what: string; example: string; of?: readonly string[]; item?: string };

export interface Setting {
  /** Dotted key under config.plugins.hmp. */
  key: string;
  rule: Rule;
  /** One line: what it does. */
  doc: string;
  /** The env var and --variables name that win over every file, if any. */
  env?: string;
  variable?: string;
}

const ms = { kind: 'number', above: 0, unit: 'ms' } as const;
const pct = { kind: 'number', min: 0, max: 100, unit: '%' } as const;
const seconds = { kind: 'number', above: 0, unit: 's' } as const;
const atLeast0 = (unit: string) => ({ kind: 'number', min: 0, unit }) as const;
const users = { kind: 'number', min: 1, whole: true, unit: 'users' } as const;

export const SETTINGS: readonly Setting[] = [
  { key: 'test', rule: { kind: 'one of', values: TEST_TYPES }, doc: 'the test type of the phase file (each phase file sets its own)' },
  { key: 'common', rule: { kind: 'path' }, doc: 'the shared settings file, from the phase file\'s folder (default common.yml)' },
  { key: 'suppressOutput', rule: { kind: 'boolean' }, doc: "Artillery's: keep the plugins.hmp.* metrics out of its console dump" },
  { key: 'scenarios', rule: { kind: 'path' }, doc: 'the journeys of every test (or one per test, below)' },
  { key: 'scenarios.<test>', rule: { kind: 'path' }, doc: 'the journeys of this test, from the folder of common.yml' },
  { key: 'slo.<group>', rule: ms, doc: 'p99 latency SLO of an endpoint group (plan, section 1)' },
  { key: 'groups.<name>', rule: { kind: 'list', what: 'request names', example: 'auth_login' }, doc: 'the request names of an endpoint group' },
  { key: 'maxErrorRate.<test>', rule: pct, doc: 'the highest error rate that passes this test (plan, section 6)' },
  { key: 'gates.<test>', rule: { kind: 'list', what: 'the criteria that gate this test', example: 'error_rate', of: CRITERIA, item: 'a criterion' }, doc: 'a missed one fails this test; the others are measured and reported' },
  // % of one core with --cpu-basis core: a server on several cores goes above 100.
  { key: 'system.cpuPct', rule: { kind: 'number', above: 0, unit: '%' }, doc: 'sustained server CPU limit' },
  { key: 'system.ramPct', rule: { kind: 'number', above: 0, max: 100, unit: '%' }, doc: 'sustained server RAM limit' },
  { key: 'system.sustainedS', rule: seconds, doc: 'sustained = the highest mean over this many seconds' },
  { key: 'goals.averageUsers', rule: users, doc: "the plan's average concurrent users" },
  { key: 'goals.peakUsers', rule: users, doc: "the plan's peak concurrent users: the breakpoint's capacity must reach it" },
  // Above 1 no run can reach: every run NOT TESTED (test/gates-run.test.ts forces a shortfall so).
  { key: 'load.minPeakShare', rule: { kind: 'number', above: 0 }, doc: "share of its shape's peak users a run must reach to have tested it (0.9 = 90%)" },
  { key: 'regression.p99Pct', rule: atLeast0('%'), doc: 'a p99 rise above this between two runs is a regression' },
  { key: 'regression.errorRatePoints', rule: { kind: 'number', min: 0, max: 100, unit: 'points' }, doc: 'an error rate up more than this is a regression' },
  { key: 'regression.minRequests', rule: { kind: 'number', min: 0, whole: true }, doc: 'endpoints with fewer answers in either run are not judged' },
  { key: 'regression.minDeltaMs', rule: atLeast0('ms'), doc: 'latency rises under this are noise' },
  { key: 'recovery.limitS', rule: seconds, doc: 'spike: recovered within this (plan seconds, scaled)' },
  { key: 'drift.windowS', rule: seconds, doc: 'soak: the first and the last window of the hold (plan seconds, scaled)' },
  { key: 'drift.memoryGrowthPct', rule: atLeast0('%'), doc: 'soak: memory growth limit, last vs first window' },
  { key: 'drift.degradationPct', rule: atLeast0('%'), doc: 'soak: latency degradation limit, last vs first window' },
  { key: 'drift.minLatencyChangeMs', rule: atLeast0('ms'), doc: 'soak: a latency change must also exceed this' },
  { key: 'drift.minWindowPeriods', rule: { kind: 'number', min: 1, whole: true }, doc: 'soak: latency is judged only with this many 10 s periods per window' },
  { key: 'smokeEndpoints', rule: { kind: 'list', what: 'request names', example: 'auth_login' }, doc: 'the endpoints the smoke test must see answered (plan, section 3)' },
  { key: 'breakpoint.maxErrorRate', rule: pct, doc: 'breakpoint: a level with more errors failed' },
  { key: 'breakpoint.sloFactor', rule: { kind: 'number', above: 0 }, doc: "breakpoint: a level whose critical group's p99 exceeds this many times its SLO failed" },
  { key: 'breakpoint.maxTimeoutRate', rule: pct, doc: 'breakpoint: a level with more timeouts and connection failures failed' },
  { key: 'breakpoint.stallFactor', rule: { kind: 'number', min: 0, max: 1 }, doc: "breakpoint: a level completing less than this share of the previous level's req/s stalled" },
  // Real minutes, never scaled; small for tests (--overrides 0.2). 0: never stops.
  { key: 'stopWhenGone.limitMin', rule: { kind: 'number', min: 0, unit: 'min' }, doc: 'stress, spike, soak: stopped (FAIL) when nothing, the load nor GET /health, answered for this many minutes of real time (not scaled); 0: never' },
  { key: 'report', rule: { kind: 'path' }, doc: 'the report builder every run writes its report folder with' },
  { key: 'processors', rule: { kind: 'path' }, doc: "the processors' folder: the journeys' think times and actions" },
  { key: 'localTarget', rule: { kind: 'path' }, doc: 'the script that starts a local HMP twin when no target is given' },
  { key: 'preflight', rule: { kind: 'path' }, doc: 'the script that checks a given target before any load' },
  { key: 'timeScale', rule: { kind: 'number', above: 0 }, env: 'HMP_TIME_SCALE', variable: 'timeScale', doc: 'multiplies every duration and think time' },
  { key: 'jitter', rule: { kind: 'switch' }, env: 'HMP_JITTER', variable: 'jitter', doc: 'spike jitter on or off (phases with jitter only)' },
];

export const ON_WORDS = ['on', '1', 'true', 'yes'];
export const OFF_WORDS = ['off', '0', 'false', 'no'];

/** A switch's value: true (on), false (off), undefined (neither). */
export function switchValue(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  const word = String(v).trim().toLowerCase();
  return ON_WORDS.includes(word) ? true : OFF_WORDS.includes(word) ? false : undefined;
}

export function settingOf(key: string): Setting {
  const s = SETTINGS.find((x) => x.key === key);
  if (!s) throw new Error(`no setting ${key}`);
  return s;
}

/** A problem's sentence, given the setting's name and where its value came from (none: the name says it, e.g. an env var). */
export type Say = (name: string, where?: string) => string;

const show = (v: unknown) => {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
};
const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** "a number above 0 (ms)", "a whole number of 1 or more (users)", "a number from 0 to 100 (%)". */
export function expected(rule: Rule): string {
  switch (rule.kind) {
    case 'number': {
      const range =
        rule.above !== undefined ? `above ${rule.above}${rule.max !== undefined ? ` and at most ${rule.max}` : ''}`
        : rule.min !== undefined ? (rule.max !== undefined ? `from ${rule.min} to ${rule.max}` : `of ${rule.min} or more`)
        : rule.max !== undefined ? `of at most ${rule.max}` : '';
      return `${rule.whole ? 'a whole number' : 'a number'}${range ? ` ${range}` : ''}${rule.unit ? ` (${rule.unit})` : ''}`;
    }
    case 'path': return 'a path';
    case 'boolean': return 'true or false';
    case 'switch': return 'on or off';
    case 'one of': return `one of ${rule.values.join(', ')}`;
    case 'list': return `a list of ${rule.what}${rule.of ? ` (${rule.of.join(', ')})` : ''}`;
  }
}

/** What is wrong with one value, or undefined when nothing is. */
export function valueProblem(rule: Rule, v: unknown): Say | undefined {
  const mustBe: Say = (name, where) => `${name} must be ${expected(rule)}${where ? ` in ${where}` : ''}, got ${show(v)}.`;
  switch (rule.kind) {
    case 'number': {
      const ok = typeof v === 'number' && Number.isFinite(v) && (!rule.whole || Number.isInteger(v))
        && (rule.above === undefined || v > rule.above) && (rule.min === undefined || v >= rule.min) && (rule.max === undefined || v <= rule.max);
      return ok ? undefined : mustBe;
    }
    case 'path': return typeof v === 'string' && v.trim() !== '' ? undefined : mustBe;
    case 'boolean': return typeof v === 'boolean' ? undefined : mustBe;
    case 'switch': return switchValue(v) === undefined ? mustBe : undefined;
    case 'one of': return typeof v === 'string' && rule.values.includes(v) ? undefined : mustBe;
    case 'list': {
      if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
        return (name, where) => `${name} must list ${rule.what} (e.g. [${rule.example}])${where ? ` in ${where}` : ''}, got ${show(v)}.`;
      }
      const other = rule.of ? v.find((x) => !rule.of!.includes(x)) : undefined;
      if (other === undefined) return undefined;
      return (name, where) => `${name} names "${other}", which is not ${rule.item} (one of ${rule.of!.join(', ')})${where ? ` in ${where}` : ''}.`;
    }
  }
}

/** An env var's or --variables' text as the rule reads it: "0.5" is a number. */
export function fromText(rule: Rule, raw: unknown): unknown {
  return rule.kind === 'number' && typeof raw === 'string' && raw.trim() !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
}

export interface Problem {
  /** Where in config.plugins.hmp, e.g. ["slo", "auht"]: the caller names the source that set it. */
  path: string[];
  /** The sentence, given where the value came from ("--overrides", "phases/common.yml"). */
  say(where: string): string;
}

/** The problems of a merged config.plugins.hmp, in the order its keys come. */
export function settingsProblems(hmp: Record<string, unknown>): Problem[] {
  const groups = isObject(hmp.groups) ? Object.keys(hmp.groups) : [];
  const keys = SETTINGS.map((s) => ({ setting: s, segs: s.key.split('.') }));
  const fits = (pattern: string, seg: string) =>
    pattern === seg || pattern === '<name>' || (pattern === '<test>' && (TEST_TYPES as readonly string[]).includes(seg)) || (pattern === '<group>' && groups.includes(seg));
  const under = (path: string[]) => keys.filter((k) => k.segs.length >= path.length && path.every((seg, i) => fits(k.segs[i]!, seg)));
  // The names a level takes, open names spelt out (the test types, the groups).
  const namesAt = (path: string[]) => [...new Set(under(path).flatMap((k) => {
    const p = k.segs[path.length];
    return p === undefined || p === '<name>' ? [] : p === '<test>' ? [...TEST_TYPES] : p === '<group>' ? groups : [p];
  }))];

  const problems: Problem[] = [];
  const walk = (obj: Record<string, unknown>, path: string[]) => {
    for (const [k, v] of Object.entries(obj)) {
      const p = [...path, k];
      const name = p.join('.');
      const found = under(p);
      if (found.length === 0) {
        problems.push({ path: p, say: unknown(path, k, namesAt(path)) });
        continue;
      }
      const leaf = found.find((f) => f.segs.length === p.length);
      const section = found.some((f) => f.segs.length > p.length);
      const problem = leaf ? valueProblem(leaf.setting.rule, v) : undefined;
      if (leaf && !problem) continue;
      if (section && isObject(v)) walk(v, p);
      else if (problem) problems.push({ path: p, say: (where) => problem(name, where) });
      else problems.push({ path: p, say: (where) => `${name} must be a group of settings (${namesAt(p).join(', ')}) in ${where}, got ${show(v)}.` });
    }
  };
  const unknown = (path: string[], k: string, names: string[]) => (where: string) => {
    const name = [...path, k].join('.');
    const near = closest(k, names);
    if (near !== undefined) return `unknown setting "${name}" in ${where}; did you mean "${[...path, near].join('.')}"?`;
    if (path.join('.') === 'slo') return `unknown setting "${name}" in ${where}: no endpoint group is named "${k}" (the groups are ${names.join(', ')}; a new one needs its request names in groups.${k}).`;
    return `unknown setting "${name}" in ${where}; ${path.length ? `${path.join('.')} takes` : 'the settings are'} ${names.join(', ')}.`;
  };
  walk(hmp, []);
  return problems;
}
