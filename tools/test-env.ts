// Test data for the load tests (strategy section 6, steps 1 and 8): `up`
// seeds an HMP server with test users, projects and historical submissions
// and records them in data/test_data.json; `down` removes them, verifies
// they are gone and deletes the file.
//
//   HMP_PASSWORD=... npx node tools/test-env.ts up --target http://127.0.0.1:8000 --credentials admin.bin
//   HMP_PASSWORD=... npx node tools/test-env.ts down --credentials admin.bin
//
// Run with --help for every option. Pure parts live in tools/test-env/.
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { USAGE, UsageError, parseTestEnvArgs, DEFAULTS, type TestEnvOptions } from './test-env/args.ts';
import { runDown, runUp } from './test-env/commands.ts';
import { Failure, explain, sentence } from './test-env/messages.ts';
import { PromptInterrupted, getPassword } from './test-env/password.ts';

const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function fail(message: string, code: number): number {
  process.stderr.write(`test-env: error: ${message}\n`);
  return code;
}

export async function main(argv: string[], env: Record<string, string | undefined>): Promise<number> {
  let opts: TestEnvOptions | 'help';
  try {
    opts = parseTestEnvArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) return fail(err.message, 2);
    throw err;
  }
  if (opts === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  // The default data file lives in the project's data/ folder wherever we run from.
  const dataPath = opts.dataPath === DEFAULTS.dataPath && !isAbsolute(opts.dataPath) ? resolve(PROJECT_ROOT, opts.dataPath) : resolve(opts.dataPath);
  const run = { ...opts, dataPath };

  let password: string | undefined;
  try {
    password = await getPassword(env, opts.credentialsPath);
  } catch (err) {
    if (err instanceof PromptInterrupted) return fail('interrupted at the password prompt; nothing was changed.', 130);
    throw err;
  }
  if (password === undefined) {
    return fail(
      `no password for ${opts.credentialsPath}: set the env var HMP_PASSWORD, or run on a terminal to be prompted (it is never a command-line argument).`,
      2,
    );
  }

  const io = {
    password,
    log: (line: string) => process.stderr.write(`test-env: ${line}\n`),
    result: (line: string) => process.stdout.write(`${line}\n`),
  };
  try {
    if (run.command === 'up') await runUp(run, io);
    else await runDown(run, io);
    return 0;
  } catch (err) {
    if (env.HMP_DEBUG) process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    if (err instanceof Failure) return fail(err.message, err.exitCode);
    return fail(sentence(explain(err, { target: run.target ?? '(the target)', credentialsPath: run.credentialsPath })), 1);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2), process.env);
}
