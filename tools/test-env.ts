// Test data for the load tests (strategy section 6, steps 1 and 8): `up`
// seeds an HMP server with test users, projects and historical submissions
// and records them in data/test_data.json; `down` removes them, verifies
// they are gone and deletes the file.
//
//   HMP_PASSWORD=... npx node tools/test-env.ts up --target http://127.0.0.1:8000 --credentials admin.bin
//   HMP_PASSWORD=... npx node tools/test-env.ts down --credentials admin.bin
//
// Run with --help for every option. This file is only the command line:
// argv (tools/test-env/args.ts) and how to ask for the password
// (tools/test-env/password.ts) become an options object for the library in
// test-env/, which checks its inputs before it asks; its result line goes to
// stdout, progress to stderr, and any failure to one error line.
import { Failure, testEnvDown, testEnvUp, type Log } from '../test-env/index.ts';
import { UsageError } from '../lib/cli-args.ts';
import { USAGE, parseTestEnvArgs, DEFAULTS, type TestEnvOptions } from './test-env/args.ts';
import { PromptInterrupted, getPassword } from './test-env/password.ts';

function fail(message: string, code: number): number {
  process.stderr.write(`test-env: error: ${message}\n`);
  return code;
}

/** The parsed command line as the library's options (undefined: the library's default). */
function run(opts: TestEnvOptions, password: () => Promise<string>, log: Log): Promise<{ message: string }> {
  const common = {
    credentialsPath: opts.credentialsPath,
    password,
    // The default data file is the project's, wherever we run from: the library's default.
    dataPath: opts.dataPath === DEFAULTS.dataPath ? undefined : opts.dataPath,
    timeoutMs: opts.timeoutMs,
    via: opts.via,
    force: opts.force,
    log,
  };
  if (opts.command === 'down') return testEnvDown({ ...common, target: opts.target, waitMs: opts.waitMs });
  return testEnvUp({
    ...common,
    target: opts.target!, // parseTestEnvArgs requires it for up
    sizes: opts.via === 'api' ? { instructors: opts.instructors, students: opts.students, projects: opts.projects } : undefined,
    submissions: opts.submissions,
    fixturePath: opts.fixturePath,
    seed: opts.seed,
  });
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

  // Asked by the library once the inputs are checked: a missing file is said before any prompt.
  const credentialsPath = opts.credentialsPath;
  const password = async () => {
    const typed = await getPassword(env, credentialsPath);
    if (typed !== undefined) return typed;
    throw new Failure({ what: `no password for ${credentialsPath}: set the env var HMP_PASSWORD, or run on a terminal to be prompted (it is never a command-line argument)` }, 2);
  };

  try {
    const result = await run(opts, password, (line) => process.stderr.write(`test-env: ${line}\n`));
    process.stdout.write(`${result.message}\n`);
    return 0;
  } catch (err) {
    if (err instanceof PromptInterrupted) return fail('interrupted at the password prompt; nothing was changed.', 130);
    if (env.HMP_DEBUG) {
      const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
      process.stderr.write(`${(cause as Error).stack ?? String(cause)}\n`);
    }
    if (err instanceof Failure) return fail(err.message, err.exitCode);
    throw err;
  }
}

if (import.meta.main) process.exitCode = await main(process.argv.slice(2), process.env);
