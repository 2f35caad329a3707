// The preflight as a process, for the plugin (which must decide before any
// load, synchronously, and knows this script only by its path: `preflight` in
// phases/common.yml). Input: one JSON argument {target, test, dataPath,
// conversions}; secrets come from the environment, never the command line.
// Output: one JSON line {findings, notes} (lib/preflight).
import { preflight } from '../lib/preflight/index.ts';

const input = JSON.parse(process.argv[2] ?? '{}') as { target: string; test: string; dataPath: string; conversions: boolean };
const result = await preflight({ ...input, offSwitch: 'HMP_CONVERSIONS=off', env: process.env });
process.stdout.write(`${JSON.stringify(result)}\n`);
