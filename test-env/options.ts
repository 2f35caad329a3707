// What a caller of test-env gives and gets back (types), the defaults
// (written only here), and the options with those defaults filled in. The
// command line (tools/test-env.ts) and the suite (suite/run/environment.ts)
// both pass these plain objects; the password comes from the caller (given,
// or asked for once the inputs are checked), never from argv. Option names
// follow the CLI's flags, so messages can name them.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError, normalizeTarget } from '../lib/cli-args.ts';
import type { Via } from '../lib/test-data.ts';
import { Failure } from './messages.ts';
import type { ApiSeedSizes } from './plan.ts';
import type { Log } from './seed.ts';

export const TEST_ENV_DEFAULTS = {
  /** How `up` seeds when no `via` is given. */
  via: 'load-test',
  /** Sizes for via 'api' (strategy section 2: 1-2 instructors, 50-100 students, 20-30 projects). */
  sizes: { instructors: 2, students: 80, projects: 25 },
  /** Historical submissions to pre-seed (strategy section 2: 200-400). */
  submissions: 300,
  /** The data file, relative to the project folder (where the processors look for it). */
  dataFile: 'data/test_data.json',
  /** Per-request timeout. */
  timeoutMs: 30_000,
  /** How long `down` waits for a struggling server (HMP-API.md saw recoveries of 90 s to 7 min 40 s). */
  waitMs: 600_000,
} as const;

const PROJECT_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

interface CommonOptions {
  /** The admin's credentials file (.bin, as the HMP client saves it). */
  credentialsPath: string;
  /**
   * Its password, or how to ask for it (HMP_PASSWORD, a prompt): asked once,
   * after the inputs are checked (inputs.ts). It is never logged.
   */
  password: string | (() => Promise<string>);
  /** The data file; relative paths are taken from the current folder. Default: TEST_ENV_DEFAULTS.dataFile in the project folder. */
  dataPath?: string;
  timeoutMs?: number;
  /** Progress lines for people; never gets secrets. Default: silent. */
  log?: Log;
}

export interface UpOptions extends CommonOptions {
  /** The HMP server's base URL. */
  target: string;
  /** Default TEST_ENV_DEFAULTS.via. */
  via?: Via;
  /** Only with via 'api' (POST /admin/load-test/up makes fixed sizes); missing ones take the defaults. */
  sizes?: Partial<ApiSeedSizes>;
  submissions?: number;
  /** The PDF to upload; default: small generated PDFs. */
  fixturePath?: string;
  /** Run down first when the data file exists. */
  force?: boolean;
  /** Seed for assignments and generated PDFs; default: random. */
  seed?: number;
}

export interface DownOptions extends CommonOptions {
  /** Default: the target in the data file (required with force and no data file). */
  target?: string;
  /** Default: the data file's. */
  via?: Via;
  /** Without a data file, still call POST /admin/load-test/down on `target`. */
  force?: boolean;
  /** How long to wait, retrying, while the server times out, resets or answers 5xx. Default TEST_ENV_DEFAULTS.waitMs. */
  waitMs?: number;
}

export interface UpResult {
  target: string;
  via: Via;
  /** The data file written (absolute). */
  dataPath: string;
  students: number;
  instructors: number;
  projects: number;
  submissions: number;
  /** One line saying what was done (the CLI's stdout). */
  message: string;
}

export interface DownResult {
  target: string;
  /** The data file deleted, or looked for (absolute). */
  dataPath: string;
  /** What the data file recorded and is now removed and verified; undefined after force without a data file. */
  removed: { users: number; projects: number; submissions: number } | undefined;
  /** One line saying what was done (the CLI's stdout). */
  message: string;
}

/** Options with every default filled in and paths resolved. */
export type UpSettings = ReturnType<typeof upSettings>;
export type DownSettings = ReturnType<typeof downSettings>;

function dataPathOf(path: string | undefined): string {
  return path === undefined ? resolve(PROJECT_ROOT, TEST_ENV_DEFAULTS.dataFile) : resolve(path);
}

/** A target URL without its trailing slash; a bad one is a Failure with exit code 2 (wrong input). */
function targetOf(raw: string): string {
  try {
    return normalizeTarget(raw);
  } catch (err) {
    if (err instanceof UsageError) throw new Failure({ what: err.message }, 2);
    throw err;
  }
}

const silent: Log = () => {};

export function upSettings(o: UpOptions) {
  const via = o.via ?? TEST_ENV_DEFAULTS.via;
  if (o.sizes !== undefined && via !== 'api') {
    throw new Failure({ what: `sizes only apply with via api, not ${via}`, todo: 'POST /admin/load-test/up makes its own fixed set, so leave sizes out' }, 2);
  }
  return {
    ...o,
    target: targetOf(o.target),
    dataPath: dataPathOf(o.dataPath),
    timeoutMs: o.timeoutMs ?? TEST_ENV_DEFAULTS.timeoutMs,
    log: o.log ?? silent,
    via,
    sizes: {
      instructors: o.sizes?.instructors ?? TEST_ENV_DEFAULTS.sizes.instructors,
      students: o.sizes?.students ?? TEST_ENV_DEFAULTS.sizes.students,
      projects: o.sizes?.projects ?? TEST_ENV_DEFAULTS.sizes.projects,
    },
    submissions: o.submissions ?? TEST_ENV_DEFAULTS.submissions,
    force: o.force ?? false,
  };
}

export function downSettings(o: DownOptions) {
  return {
    ...o,
    target: o.target === undefined ? undefined : targetOf(o.target),
    dataPath: dataPathOf(o.dataPath),
    timeoutMs: o.timeoutMs ?? TEST_ENV_DEFAULTS.timeoutMs,
    log: o.log ?? silent,
    force: o.force ?? false,
    waitMs: o.waitMs ?? TEST_ENV_DEFAULTS.waitMs,
  };
}
