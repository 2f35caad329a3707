// test-env as a library: seed an HMP server with load-test data and record
// it in the data file (up), or remove it and verify it is gone (down). The
// CLI (tools/test-env.ts) and the suite (suite/run/environment.ts) call it.
// This file only re-exports.
export { testEnvDown, testEnvUp } from './commands.ts';
export { Failure } from './messages.ts';
export { readCredentialsFile } from './session.ts';
export { TEST_ENV_DEFAULTS, type DownOptions, type DownResult, type UpOptions, type UpResult } from './options.ts';
export type { Log } from './seed.ts';
