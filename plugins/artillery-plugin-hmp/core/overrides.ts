// Artillery's --overrides as the plugin and the suite read it (pure): one
// JSON object that Artillery merges into the phase file. The plugin names it
// as the source of the settings it sets; the suite checks it before any step,
// since Artillery parses it before any plugin loads and answers broken JSON
// with its parser's bare message and exit 1.
import { closest } from './closest.ts';

export const OVERRIDES_EXAMPLE = `'{"config":{"plugins":{"hmp":{"slo":{"auth":300}}}}}'`;

/** The sections of an Artillery script: what --overrides may hold at its top. */
const SCRIPT_SECTIONS = ['config', 'scenarios', 'before', 'after'];

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const show = (v: unknown) => (JSON.stringify(v) ?? String(v)).slice(0, 60);

/** The parsed --overrides, or one sentence on what is wrong with it. */
export function parseOverrides(raw: string): { overrides: Record<string, unknown> } | { problem: string } {
  let o: unknown;
  try {
    o = JSON.parse(raw);
  } catch (err) {
    return { problem: `--overrides is not valid JSON (${(err as Error).message}); give one JSON object in single quotes, e.g. --overrides ${OVERRIDES_EXAMPLE}.` };
  }
  if (!isObject(o)) return { problem: `--overrides must be a JSON object, e.g. ${OVERRIDES_EXAMPLE}, got ${show(o)}.` };
  for (const k of Object.keys(o)) {
    if (SCRIPT_SECTIONS.includes(k)) continue;
    const near = closest(k, SCRIPT_SECTIONS);
    return { problem: `unknown key "${k}" in --overrides; ${near ? `did you mean "${near}"?` : `an Artillery script has ${SCRIPT_SECTIONS.join(', ')} (the plugin's settings go in config.plugins.hmp).`}` };
  }
  const { config } = o;
  if (config !== undefined && !isObject(config)) return { problem: `config in --overrides must be an object, e.g. ${OVERRIDES_EXAMPLE}, got ${show(config)}.` };
  const plugins = config?.plugins;
  if (plugins !== undefined && !isObject(plugins)) return { problem: `config.plugins in --overrides must be an object of plugins, e.g. ${OVERRIDES_EXAMPLE}, got ${show(plugins)}.` };
  for (const name of Object.keys(plugins ?? {})) {
    // Artillery would look for a plugin of that name, warn, and run without the settings.
    if (name !== 'hmp' && closest(name, ['hmp'])) return { problem: `unknown plugin "${name}" in --overrides (config.plugins); did you mean "hmp"?` };
  }
  if (plugins?.hmp !== undefined && !isObject(plugins.hmp)) return { problem: `config.plugins.hmp in --overrides must be an object of settings, e.g. ${OVERRIDES_EXAMPLE}, got ${show(plugins.hmp)}.` };
  return { overrides: o };
}

/** The plugin's settings an --overrides sets (its config.plugins.hmp; {} when none). */
export function hmpOf(overrides: Record<string, unknown>): Record<string, unknown> {
  const hmp = (overrides.config as { plugins?: { hmp?: unknown } } | undefined)?.plugins?.hmp;
  return isObject(hmp) ? hmp : {};
}
