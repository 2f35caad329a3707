// `npm run suite`: the HMP load-testing plan's algorithm (section 6) from
// set-up to the suite report. Run with --help for the options and exit codes.
//
//   npm run suite -- --time-scale 0.01                      (the suite's own twin)
//   HMP_PASSWORD=... npm run suite -- --target http://127.0.0.1:8000 --credentials admin.bin --skip soak
//   npm run suite -- --resume reports/suite-20261127T040110Z
import { resolve } from 'node:path';
import { UsageError } from '../lib/cli-args.ts';
import { EXIT, parseSuiteArgs, USAGE, type Parsed } from '../suite/run/args.ts';
import { createSuite, resumeSuite } from '../suite/run/folder.ts';
import { Orchestrator } from '../suite/run/orchestrator.ts';
import { StateError, type SuiteState } from '../suite/run/state.ts';
import { getPassword, PromptInterrupted } from './test-env/password.ts';
import { Failure, readCredentialsFile } from '../test-env/index.ts';
import { lengthSentence, shortTests } from '../suite/run/length-check.ts';
import { checkIdentity } from '../lib/preflight/identity.ts';
import { readPhases } from '../suite/run/plan.ts';
import { planCriteria } from '../lib/plan-criteria.ts';
import { shortAllowed } from '../plugins/artillery-plugin-hmp/core/run-length.ts';
import { liveSettings, LiveSettingsError, type LiveSettings } from '../plugins/artillery-plugin-hmp/live-settings.ts';

function fail(message: string, code: number): number {
  process.stderr.write(`suite: error: ${message}\n`);
  return code;
}

export async function main(argv: string[], env: Record<string, string | undefined>): Promise<number> {
  let parsed: Parsed;
  try {
    parsed = parseSuiteArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) return fail(err.message, EXIT.usage);
    throw err;
  }
  if (parsed.kind === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.ok;
  }
  let live: LiveSettings;
  try {
    const flags = parsed.live;
    live = liveSettings({ ...env, ...(flags.off ? { HMP_LIVE: 'off' } : {}), ...(flags.port !== undefined ? { HMP_LIVE_PORT: String(flags.port) } : {}) }, Boolean(process.stderr.isTTY));
  } catch (err) {
    if (err instanceof LiveSettingsError) return fail(err.message, EXIT.usage);
    throw err;
  }

  let dir: string;
  let state: SuiteState;
  let plain: boolean;
  if (parsed.kind === 'resume') {
    dir = resolve(parsed.dir);
    try {
      state = resumeSuite(dir);
    } catch (err) {
      if (err instanceof StateError) return fail(err.message, EXIT.usage);
      throw err;
    }
    plain = parsed.plain;
  } else {
    const o = parsed.options;
    // test-env's own check, before the password is asked for: the same sentence and exit 2 as test-env gives.
    if (o.credentialsPath !== undefined) {
      try {
        await readCredentialsFile(o.credentialsPath);
      } catch (err) {
        if (err instanceof Failure) return fail(err.message, EXIT.usage);
        throw err;
      }
    }
    // Before any load or folder: a scale too small to judge a test is refused in one sentence (core/run-length.ts).
    const short = shortTests(o, (t) => readPhases(t), planCriteria().drift);
    if (short.length && !o.allowShort && !shortAllowed(env)) return fail(lengthSentence(o, short), EXIT.usage);
    if (short.length) process.stderr.write(`suite: note: ${lengthSentence(o, short).replace(/, or --allow-short to check the mechanics only\.$/, '')}; running anyway (--allow-short): the verdicts check the mechanics, not the server.\n`);
    // A target that answers but is not HMP: one sentence before any folder, password or seeding (lib/preflight).
    if (o.target !== undefined) {
      const notHmp = await checkIdentity(o.target);
      if (notHmp) return fail(notHmp, EXIT.usage);
    }
    ({ dir, state } = createSuite(o, env));
    plain = o.plain;
  }

  let password: string | undefined;
  if (state.options.target !== undefined) {
    try {
      password = await getPassword(env, state.options.credentialsPath!);
    } catch (err) {
      if (err instanceof PromptInterrupted) return fail('interrupted at the password prompt; nothing was started.', EXIT.interrupted);
      throw err;
    }
    if (password === undefined) {
      return fail(`no password for ${state.options.credentialsPath}: set HMP_PASSWORD, or run on a terminal to be prompted (it is never a command-line argument).`, EXIT.usage);
    }
  }

  const suite = new Orchestrator(dir, state, { err: process.stderr, out: (l) => process.stdout.write(`${l}\n`), tty: Boolean(process.stderr.isTTY) && !plain, env, live }, { resumed: parsed.kind === 'resume', password });
  const onSignal = () => {
    if (suite.interrupt()) {
      process.stderr.write('suite: leaving now; the test data may still be on the server (npm run test-env -- down).\n');
      process.exit(EXIT.interrupted);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await suite.run();
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

if (import.meta.main) process.exitCode = await main(process.argv.slice(2), process.env);
