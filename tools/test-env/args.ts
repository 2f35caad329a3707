// Command-line parsing and validation for tools/test-env.ts (pure: no I/O).
// The defaults are test-env's own (test-env/options.ts), shown in the help.
import type { Via } from '../../lib/test-data.ts';
import { normalizeTarget, parseCommandLine, PASSWORD_REFUSED, UsageError, wholeNumber } from '../../lib/cli-args.ts';
import { TEST_ENV_DEFAULTS } from '../../test-env/options.ts';

/** The parsed command line; `target` and `via` undefined = the default (for `down`, the data file's). */
export type TestEnvOptions = Exclude<ReturnType<typeof parseTestEnvArgs>, 'help'>;

/** test-env's defaults in the command line's units. */
export const DEFAULTS = {
  ...TEST_ENV_DEFAULTS.sizes,
  submissions: TEST_ENV_DEFAULTS.submissions,
  dataPath: TEST_ENV_DEFAULTS.dataFile,
  timeoutS: TEST_ENV_DEFAULTS.timeoutMs / 1000,
  waitMin: TEST_ENV_DEFAULTS.waitMs / 60_000,
} as const;

export const USAGE = `Usage: npx node tools/test-env.ts up|down --target URL --credentials admin.bin [options]

Creates (up) or removes (down) the load-test data on an HMP server and records it
in a data file for the scenarios (strategy sections 2 and 6, steps 1 and 8).

  up                  seed test users, projects and historical submissions; write the data file
  down                remove them, verify they are gone, then delete the data file

  --target URL        the HMP server (down: defaults to the target in the data file)
  --credentials PATH  the admin's credentials file (.bin, as the HMP client saves it)
  --via load-test|api how to seed: POST /admin/load-test/up (default), or the regular
                      admin API for servers without it (down: defaults to the data file's)
  --force             up: run down first when a data file exists;
                      down: without a data file, still call /admin/load-test/down
  --instructors N     --via api only: instructors to create (default ${DEFAULTS.instructors})
  --students N        --via api only: students to create (default ${DEFAULTS.students})
  --projects N        --via api only: projects to create (default ${DEFAULTS.projects})
  --submissions N     historical submissions to upload as students (default ${DEFAULTS.submissions})
  --fixture PATH      the PDF to upload (default: small generated PDFs)
  --data PATH         the data file (default ${DEFAULTS.dataPath}, in the project folder)
  --timeout S         per-request timeout in seconds (default ${DEFAULTS.timeoutS})
  --seed N            seed for assignments and generated PDFs (default: random)
  --wait DURATION     down: while the server times out, resets or answers 5xx, retry with
                      backoff for this long before giving up (default ${DEFAULTS.waitMin}m;
                      e.g. 90, 90s, 10m, 1h; 0 = do not wait)
  --help              this text

The password of the credentials file comes from the env var HMP_PASSWORD or, on a
terminal, from a prompt that does not echo. It is never a command-line argument.
It is asked for only after the command line and the files it names are checked.

Exit status, as the suite's:
  0    done
  2    wrong input, found before the server is contacted: an option, a file it names
       (missing, unreadable, not a PDF, a data file in the way or not there), or no
       way to get the password (no HMP_PASSWORD and no terminal); nothing was changed
  1    the work failed: the password does not open the credentials file, the server
       refused or did not answer, or the removal was not verified; the error says
       what is left on the server (nothing half-written)
  130  interrupted at the password prompt`;

const UNIT_MS = { s: 1000, m: 60_000, min: 60_000, h: 3_600_000 } as const;

/** "90" or "90s" (seconds), "10m", "1h" -> ms. */
function duration(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const m = /^(\d+)(s|m|min|h)?$/.exec(raw.trim());
  const ms = m ? Number(m[1]) * UNIT_MS[(m[2] ?? 's') as keyof typeof UNIT_MS] : NaN;
  if (!(ms <= 86_400_000)) throw new UsageError(`--${name} must be a duration such as 90, 90s, 10m or 1h (at most 24h), got "${raw}".`);
  return ms;
}

const OPTIONS = {
  help: { type: 'boolean' },
  target: { type: 'string' },
  credentials: { type: 'string' },
  force: { type: 'boolean' },
  via: { type: 'string' },
  instructors: { type: 'string' },
  students: { type: 'string' },
  projects: { type: 'string' },
  submissions: { type: 'string' },
  fixture: { type: 'string' },
  data: { type: 'string' },
  timeout: { type: 'string' },
  seed: { type: 'string' },
  wait: { type: 'string' },
  // Declared only to refuse it with a sentence that says why.
  password: { type: 'string' },
} as const;

/**
 * Parses argv (without node and the script). Returns 'help' for --help.
 * Throws UsageError with one sentence for anything wrong.
 */
export function parseTestEnvArgs(argv: string[]) {
  const { values, positionals } = parseCommandLine({ args: argv, strict: true, allowPositionals: true, options: OPTIONS }, true);
  if (values.help) return 'help';
  if (values.password !== undefined) throw new UsageError(PASSWORD_REFUSED);

  if (positionals.length !== 1 || (positionals[0] !== 'up' && positionals[0] !== 'down')) {
    const got = positionals.length === 0 ? 'nothing' : `"${positionals.join(' ')}"`;
    throw new UsageError(`give exactly one command, up or down (got ${got}); run with --help for the usage.`);
  }
  const command = positionals[0];

  const via = values.via as Via | undefined;
  if (via !== undefined && via !== 'load-test' && via !== 'api') throw new UsageError(`--via must be load-test or api, got "${via}".`);

  if (values.target === undefined && command === 'up') {
    throw new UsageError('up needs --target, the URL of the HMP server (e.g. --target http://127.0.0.1:8000).');
  }
  const target = values.target === undefined ? undefined : normalizeTarget(values.target);

  if (values.credentials === undefined || values.credentials === '') {
    throw new UsageError(`${command} needs --credentials, the path of the admin's credentials file (.bin).`);
  }

  const sizeFlags = (['instructors', 'students', 'projects'] as const).filter((k) => values[k] !== undefined);
  if (sizeFlags.length > 0 && (command === 'down' || via !== 'api')) {
    const which = sizeFlags.map((k) => `--${k}`).join(', ');
    throw new UsageError(
      command === 'down'
        ? `${which} only apply to up.`
        : `${which} only apply with --via api (POST /admin/load-test/up always makes 80 students, 20 instructors and 30 projects).`,
    );
  }
  if (command === 'down' && (values.submissions !== undefined || values.fixture !== undefined)) {
    throw new UsageError('--submissions and --fixture only apply to up.');
  }
  if (command === 'up' && values.wait !== undefined) throw new UsageError('--wait only applies to down.');

  const instructors = wholeNumber('instructors', values.instructors, 1, 100) ?? DEFAULTS.instructors;
  const students = wholeNumber('students', values.students, 1, 1000) ?? DEFAULTS.students;
  const projects = wholeNumber('projects', values.projects, 1, 1000) ?? DEFAULTS.projects;
  const submissions = wholeNumber('submissions', values.submissions, 0, 100_000) ?? DEFAULTS.submissions;
  const timeoutS = wholeNumber('timeout', values.timeout, 1, 3600) ?? DEFAULTS.timeoutS;
  const seed = wholeNumber('seed', values.seed, 0, 2 ** 32 - 1);

  if (values.data === '') throw new UsageError('--data must be a file path.');
  if (values.fixture === '') throw new UsageError('--fixture must be a file path.');

  return {
    command,
    target,
    credentialsPath: values.credentials,
    force: values.force ?? false,
    via,
    instructors,
    students,
    projects,
    submissions,
    fixturePath: values.fixture,
    dataPath: values.data ?? DEFAULTS.dataPath,
    timeoutMs: timeoutS * 1000, // per request
    seed,
    waitMs: duration('wait', values.wait),
  };
}
