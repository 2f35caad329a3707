// The suite's --overrides, checked before any step as each step's plugin
// would check it (reads phases/common.yml): Artillery parses --overrides
// before any plugin loads and answers broken JSON with its parser's bare
// message and exit 1, so the suite says what is wrong first, in one
// sentence, exit 2. Each step then passes it on (artillery.ts).
import { join } from 'node:path';
import { UsageError } from '../../lib/cli-args.ts';
import { hmpOf, parseOverrides } from '../../plugins/artillery-plugin-hmp/core/overrides.ts';
import { resolveSettings, SettingsError } from '../../plugins/artillery-plugin-hmp/settings.ts';
import { ROOT } from './paths.ts';

/** What the suite sets for every step itself, so an --overrides may not. */
const THE_SUITES: Array<[string, string]> = [
  ['target', "the steps' target is the suite's (--target, or its own twin)"],
  ['processor', 'the steps load processors/index.js as it is'],
];

/** The parsed --overrides, or a UsageError with one sentence. */
export function checkOverrides(raw: string): Record<string, unknown> {
  const parsed = parseOverrides(raw);
  if ('problem' in parsed) throw new UsageError(parsed.problem);
  const config = (parsed.overrides.config ?? {}) as Record<string, unknown>;
  for (const [key, why] of THE_SUITES) {
    if (Object.hasOwn(config, key)) throw new UsageError(`--overrides cannot set config.${key}: ${why}.`);
  }
  const hmp = hmpOf(parsed.overrides);
  if (Object.hasOwn(hmp, 'test')) throw new UsageError('--overrides cannot set the test type (config.plugins.hmp.test): each step runs its own phase file; choose the tests with --only or --skip.');
  try {
    // The test type does not change what is checked; env is each step's own.
    resolveSettings({ test: 'smoke', ...hmp }, join(ROOT, 'phases'), {}, {}, () => 0, { overrides: raw });
  } catch (err) {
    if (err instanceof SettingsError) throw new UsageError(err.message);
    throw err;
  }
  return parsed.overrides;
}
