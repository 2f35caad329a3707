// The settings' schema (plugins/artillery-plugin-hmp/core/settings-schema.ts):
// phases/common.yml and the README's settings table agree with it, and a bad
// setting is one sentence naming its source (pure; the real runs are in
// settings-run.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { closest, editDistance } from '../plugins/artillery-plugin-hmp/core/closest.ts';
import { parseOverrides } from '../plugins/artillery-plugin-hmp/core/overrides.ts';
import { expected, SETTINGS, settingsProblems } from '../plugins/artillery-plugin-hmp/core/settings-schema.ts';
import { resolveSettings, SettingsError } from '../plugins/artillery-plugin-hmp/settings.ts';
import { parseSuiteArgs, type SuiteOptions } from '../suite/run/args.ts';
import { stepOverrides, PROCESSOR } from '../suite/run/artillery.ts';
import { UsageError } from '../lib/cli-args.ts';

const ROOT = join(import.meta.dirname, '..');
const PHASES = join(ROOT, 'phases');
const COMMON = parseYaml(readFileSync(join(PHASES, 'common.yml'), 'utf8')) as Record<string, unknown>;
const sentence = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  assert.fail('no error');
};
const overridesOf = (hmp: unknown) => JSON.stringify({ config: { plugins: { hmp } } });
/** resolveSettings as the plugin calls it after Artillery merged --overrides into the phase file's plugins.hmp. */
const withOverrides = (hmp: Record<string, unknown>, env: Record<string, string> = {}, phase: Record<string, unknown> = {}) =>
  sentence(() => resolveSettings({ test: 'smoke', ...phase, ...hmp }, PHASES, {}, env, () => 0, { overrides: overridesOf(hmp), phaseFile: join(PHASES, 'smoke.yml'), cwd: ROOT }));

test('every key of phases/common.yml is a setting of the schema, and its values pass', () => {
  const leaves = (o: unknown, path: string[]): string[][] =>
    typeof o === 'object' && o !== null && !Array.isArray(o) ? Object.entries(o).flatMap(([k, v]) => leaves(v, [...path, k])) : [path];
  const groups = Object.keys(COMMON.groups as object);
  const open = (key: string, path: string[]) => {
    const segs = key.split('.');
    return segs.length === path.length && segs.every((s, i) => s === path[i] || s === '<name>' || s === '<test>' || (s === '<group>' && groups.includes(path[i]!)));
  };
  for (const path of leaves(COMMON, [])) assert.ok(SETTINGS.some((s) => open(s.key, path)), `${path.join('.')} of phases/common.yml is not in the schema`);
  assert.deepEqual(settingsProblems(COMMON).map((p) => p.say('phases/common.yml')), []);
});

test('a misspelt key names the closest one, an open name (slo.<group>) the groups, a number out of range its range', () => {
  assert.equal(editDistance('auht', 'auth'), 1, 'a swap is one slip');
  assert.equal(closest('cpuPtc', ['cpuPct', 'ramPct']), 'cpuPct');
  assert.equal(closest('foo', ['slo', 'gates']), undefined);
  const say = (hmp: Record<string, unknown>) => settingsProblems({ ...COMMON, ...hmp }).map((p) => p.say('X'));
  assert.deepEqual(say({ slo: { ...(COMMON.slo as object), auht: 300 } }), ['unknown setting "slo.auht" in X; did you mean "slo.auth"?']);
  assert.deepEqual(say({ maxErrorRate: { avrage: 1 } }), ['unknown setting "maxErrorRate.avrage" in X; did you mean "maxErrorRate.average"?']);
  assert.match(say({ slo: { upload: 300 } })[0]!, /^unknown setting "slo\.upload" in X: no endpoint group is named "upload" \(the groups are auth, list, detail, convert; a new one needs its request names in groups\.upload\)\.$/);
  // A new group with its SLO is a setting like the others.
  assert.deepEqual(say({ groups: { ...(COMMON.groups as object), upload: ['submission_create'] }, slo: { upload: 900 } }), []);
  assert.deepEqual(say({ slo: { auth: -5 } }), ['slo.auth must be a number above 0 (ms) in X, got -5.']);
  assert.deepEqual(say({ maxErrorRate: { smoke: 101 } }), ['maxErrorRate.smoke must be a number from 0 to 100 (%) in X, got 101.']);
  assert.deepEqual(say({ breakpoint: { stallFactor: 2 } }), ['breakpoint.stallFactor must be a number from 0 to 1 in X, got 2.']);
  assert.deepEqual(say({ goals: { averageUsers: 1.5, peakUsers: 60 } }), ['goals.averageUsers must be a whole number of 1 or more (users) in X, got 1.5.']);
  assert.deepEqual(say({ system: 70 }), ['system must be a group of settings (cpuPct, ramPct, sustainedS) in X, got 70.']);
  assert.deepEqual(say({ jitter: 'maybe' }), ['jitter must be on or off in X, got "maybe".']);
  assert.match(say({ sloo: 1 })[0]!, /^unknown setting "sloo" in X; did you mean "slo"\?$/);
  assert.match(say({ foo: 1 })[0]!, /^unknown setting "foo" in X; the settings are test, common, .*jitter\.$/);
  assert.equal(expected({ kind: 'number', above: 0, max: 100, unit: '%' }), 'a number above 0 and at most 100 (%)');
});

test('the source is named: --overrides, the phase file, phases/common.yml, an env var, --variables', () => {
  assert.equal(withOverrides({ slo: { auht: 300 } }), 'unknown setting "slo.auht" in --overrides; did you mean "slo.auth"?');
  assert.equal(withOverrides({ slo: { auth: -5 } }), 'slo.auth must be a number above 0 (ms) in --overrides, got -5.');
  // A wrong type is blamed on --overrides, not on phases/common.yml.
  assert.equal(withOverrides({ system: { cpuPct: 'high' } }), 'system.cpuPct must be a number above 0 (%) in --overrides, got "high".');
  assert.equal(withOverrides({}, {}, { slo: { auth: 0 } }), 'slo.auth must be a number above 0 (ms) in phases/smoke.yml, got 0.');
  // A file that names another shared settings file: its problems are that file's.
  const fixture = join(ROOT, 'test', 'fixtures', 'bad-common.yml');
  assert.match(sentence(() => resolveSettings({ test: 'smoke', common: fixture }, PHASES, {}, {}, () => 0, { cwd: ROOT })), /^load\.minPeakShare must be a number above 0 in test\/fixtures\/bad-common\.yml, got -0\.5\.$/);
  assert.equal(withOverrides({}, { HMP_TIME_SCALE: '-1' }), 'HMP_TIME_SCALE (time scale) must be a number above 0, got -1.');
  assert.equal(withOverrides({}, { HMP_JITTER: 'sometimes' }), 'HMP_JITTER (spike jitter) must be on or off, got "sometimes".');
  assert.equal(sentence(() => resolveSettings({ test: 'smoke' }, PHASES, { timeScale: 'fast' }, {})), '--variables timeScale (time scale) must be a number above 0, got "fast".');
  assert.equal(sentence(() => resolveSettings({ test: 'smoke' }, PHASES, { jitterSeed: -1 }, {})), '--variables jitterSeed (the jitter seed) must be a whole number of 0 or more, got -1.');
  // Good values still pass, from every source.
  const s = resolveSettings({ test: 'spike', slo: { auth: 300 }, jitter: 'off' }, PHASES, { timeScale: '0.5' }, {}, () => 0, { overrides: overridesOf({ slo: { auth: 300 } }) });
  assert.equal(s.slo.auth, 300);
  assert.equal(s.timeScale, 0.5);
  assert.equal(s.jitter, false);
  assert.throws(() => resolveSettings({ test: 'smoke', slo: { auth: -5 } }, PHASES, {}, {}), SettingsError);
});

test('--overrides: broken JSON, a misspelt section or plugin name is one sentence', () => {
  const problem = (raw: string) => {
    const p = parseOverrides(raw);
    return 'problem' in p ? p.problem : undefined;
  };
  assert.match(problem('{"config":')!, /^--overrides is not valid JSON \(Unexpected end of JSON input\); give one JSON object in single quotes, e\.g\. --overrides '\{"config":\{"plugins":\{"hmp":\{"slo":\{"auth":300\}\}\}\}\}'\.$/);
  assert.match(problem('[1]')!, /^--overrides must be a JSON object, e\.g\. .*, got \[1\]\.$/);
  assert.equal(problem('{"confg":{}}'), 'unknown key "confg" in --overrides; did you mean "config"?');
  assert.equal(problem('{"config":{"plugins":{"hpm":{}}}}'), 'unknown plugin "hpm" in --overrides (config.plugins); did you mean "hmp"?');
  assert.match(problem('{"config":{"plugins":{"hmp":5}}}')!, /^config\.plugins\.hmp in --overrides must be an object of settings/);
  assert.equal(problem('{"config":{"plugins":{"ensure":{"thresholds":[]},"hmp":{}}}}'), undefined, "another plugin's settings are its own");
});

test('npm run suite -- --overrides: checked before any step (one sentence, exit 2), then passed to every step with the processor', () => {
  const usage = (json: string) => sentence(() => parseSuiteArgs(['--overrides', json]));
  assert.match(usage('{"config":'), /^--overrides is not valid JSON \(Unexpected end of JSON input\); /);
  assert.equal(usage(overridesOf({ slo: { auht: 300 } })), 'unknown setting "slo.auht" in --overrides; did you mean "slo.auth"?');
  assert.equal(usage(overridesOf({ slo: { auth: -5 } })), 'slo.auth must be a number above 0 (ms) in --overrides, got -5.');
  assert.match(usage('{"config":{"target":"http://127.0.0.1:1"}}'), /^--overrides cannot set config\.target: /);
  assert.match(usage(overridesOf({ test: 'soak' })), /^--overrides cannot set the test type/);
  assert.throws(() => parseSuiteArgs(['--overrides', '{']), UsageError);
  const p = parseSuiteArgs(['--overrides', overridesOf({ slo: { auth: 300 } })]) as { options: SuiteOptions };
  assert.deepEqual(p.options.overrides, { config: { plugins: { hmp: { slo: { auth: 300 } } } } });
  assert.deepEqual(JSON.parse(stepOverrides(p.options.overrides)), { config: { plugins: { hmp: { slo: { auth: 300 } } }, processor: PROCESSOR } });
  assert.deepEqual(JSON.parse(stepOverrides()), { config: { processor: PROCESSOR } });
});

/** The README's table as the schema gives it. */
function settingsTable(): string[] {
  const cell = (s: string) => s.replaceAll('|', '\\|');
  return [
    '| setting | value | what it does |',
    '|---|---|---|',
    ...SETTINGS.map((s) => {
      const also = [s.env && `\`${s.env}\``, s.variable && `\`--variables ${s.variable}\``].filter(Boolean).join(', ');
      return `| \`${s.key}\` | ${cell(expected(s.rule))} | ${cell(s.doc)}${also ? `; also ${also}, which win` : ''} |`;
    }),
  ];
}

test("README.md's settings table is the schema's: every setting documented, none the schema lacks", () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n');
  const at = readme.indexOf('### Settings');
  assert.ok(at >= 0, 'README.md has a "### Settings" section');
  const start = readme.findIndex((l, i) => i > at && l.startsWith('|'));
  const end = readme.findIndex((l, i) => i > start && !l.startsWith('|'));
  const table = readme.slice(start, end);
  const keysOf = (rows: string[]) => rows.slice(2).map((r) => /^\| `([^`]+)`/.exec(r)?.[1]);
  const want = settingsTable();
  const documented = keysOf(table);
  for (const k of keysOf(want)) assert.ok(documented.includes(k), `setting ${k} is not in README.md's table`);
  for (const k of documented) assert.ok(keysOf(want).includes(k), `README.md documents ${k}, which the schema lacks`);
  assert.equal(table.join('\n'), want.join('\n'), "README.md's settings table differs from the schema (plugins/artillery-plugin-hmp/core/settings-schema.ts); the expected table is the second");
});
