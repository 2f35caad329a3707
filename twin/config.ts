// The twin's settings: defaults, and parsing of CLI flags and env (pure).
// Every knob exists so that the suite's analyses have a known ground truth.
import { parseArgs } from 'node:util';
import { FaultSpecError, parseFaults, type ClockMode, type FaultSpec } from './fault-schedule.ts';

export const DEFAULT_ADMIN_PASSWORD = 'hmp-twin-admin';

/** The password of the admin credentials file the twin writes: HMP_TWIN_ADMIN_PASSWORD, else the public default. */
export function adminPasswordOf(env: Record<string, string | undefined>): string {
  return env.HMP_TWIN_ADMIN_PASSWORD || DEFAULT_ADMIN_PASSWORD;
}

/** The settings' defaults; their types are TwinConfig's. */
export function defaultConfig() {
  return {
    host: '127.0.0.1',
    port: 8000,
    /** SQLite file, or ':memory:'. */
    db: ':memory:',
    apiVersion: '1.1' as '1.0' | '1.1',
    /** JWT lifetime in seconds; an expired token answers 401. */
    jwtLifetimeS: 1800,
    /** HS256 secret; random per start unless fixed (tests). */
    jwtSecret: undefined as string | undefined,
    adminCredentialsPath: 'data/twin-admin.bin',
    adminPassword: DEFAULT_ADMIN_PASSWORD,
    /** Where to write the server's log as uvicorn writes HMP's (appended); none by default. */
    logFile: undefined as string | undefined,
    // --- quirks of the real server (HMP-API.md), on by default ---
    /** Upload of bad CBOR answers 200 with an error list for a map cut short or a missing key, else 500 (real), instead of 400. */
    quirkCborUpload200: true,
    /** Upload to an unassigned project answers 500 (real) instead of 403. */
    quirkUnassigned500: true,
    /** GET /credentials/public-key answers 401 to everyone (current upstream). */
    quirkPublicKey401: true,
    /** API 1.0: a conversion blocks every other request until it ends (HMP runs it on its only event loop), or runs beside them. */
    v10Conversions: 'blocking' as 'blocking' | 'concurrent',
    /** An idle keep-alive connection is closed after this many seconds (uvicorn's timeout_keep_alive). */
    keepAliveTimeoutS: 5,
    // --- capacity and overload ---
    /** Max requests in flight (queue mode) or DB pool size (stall mode); 0 = unlimited. */
    capacity: 0,
    overloadMode: 'queue' as 'queue' | 'stall',
    /** Status of a request that waited longer than queueTimeoutMs: 500 like the DB pool, 504 like the gateway. */
    overloadStatus: 500 as 500 | 504,
    queueTimeoutMs: 30_000,
    // --- injected faults ---
    /** Added latency per action name ('*' = every action), in ms. */
    latencyMs: {} as Record<string, number>,
    /** Share of requests (0..1) that fail with 500. */
    errorRate: 0,
    /** Share of requests (0..1) whose connection is reset (TCP RST) before any answer; /health excepted. */
    resetRate: 0,
    /** Memory retained forever per request (a leak), in KiB. */
    leakKbPerRequest: 0,
    /** Latency added per minute of uptime (degradation), in ms. */
    degradeMsPerMin: 0,
    /** Share of uploads (0..1) acknowledged with an id but not stored (data loss). */
    dropUploads: 0,
    // --- faults on a schedule (fault-schedule.ts) ---
    /** db-down, crash, freeze at known times; pool-leak. */
    faults: [] as FaultSpec[],
    /** When the fault clock starts: the first login of a user who is not the admin, or the twin's start. */
    faultClock: 'login' as ClockMode,
    /** Where the faults' ground truth goes (JSON lines; never the server log); faults.jsonl beside the admin credentials unless set. */
    faultRecordPath: undefined as string | undefined,
    /** A file holding the pid of the process now serving (a crash fault's successor rewrites it). */
    pidFile: undefined as string | undefined,
    // --- conversion ---
    /** v1.1: conversions that may run at once; more answer is_success:false. */
    converterSlots: 2,
    /** Conversion time per MiB of PDF, in ms, on top of the real work. */
    convertMsPerMb: 200,
    /** Seed for the twin's own random choices (student assignments, faults). */
    seed: undefined as number | undefined,
  };
}

export type TwinConfig = ReturnType<typeof defaultConfig>;

export class ConfigError extends Error {}

export const USAGE = `Usage: npm run twin -- [options]

Starts the HMP twin: a local HMP-compatible server for trying and testing the suite.

  --host H                 listen address (default 127.0.0.1; loopback only)
  --port N                 port (default 8000; 0 = any free port)
  --db PATH                SQLite file (default :memory:)
  --api-version 1.0|1.1    conversion API: 1.0 synchronous, 1.1 asynchronous (default 1.1)
  --jwt-lifetime S         token lifetime in seconds (default 1800)
  --admin-credentials P    where to write the admin's credentials file (default data/twin-admin.bin)
  --log-file PATH          append the server's log to PATH, as uvicorn writes HMP's (access lines, a
                           traceback before each 500, the DB pool's overload message)
  --serve-server-key       serve GET /credentials/public-key (older HMP) instead of the 401 quirk
  --strict-cbor            answer 400 to bad CBOR uploads instead of the quirks (200 with an error list, or 500)
  --unassigned-status 403  answer 403 to uploads to an unassigned project instead of 500
  --v10-conversions M      API 1.0 conversions: blocking (default, as HMP: no other request, /health
                           included, is answered until one ends; --latency pdf_execute=MS lengthens
                           each) or concurrent
  --keep-alive-timeout S   close keep-alive connections idle for S seconds (default 5, uvicorn's); one
                           that went past it during a block, with a request sent meanwhile, is reset
  --capacity N             max requests in flight (queue) or DB pool size (stall); 0 = unlimited
  --overload queue|stall   beyond capacity: wait in a queue, or stall like HMP's DB pool
  --overload-status 500|504  status after the queue timeout (500 DB pool, 504 gateway)
  --queue-timeout MS       how long a request waits for capacity (default 30000)
  --latency NAME=MS,...    added latency per action (e.g. project_list=300 or *=50)
  --error-rate R           share of requests failing with 500 (0..1)
  --reset-rate R           share of requests whose connection is reset, unanswered (0..1; not /health)
  --leak-kb N              KiB retained per request (a memory leak)
  --degrade-ms-per-min N   latency added per minute of uptime
  --drop-uploads R         share of uploads acknowledged but not stored (0..1)
  --converter-slots N      v1.1 conversions at once (default 2)
  --convert-ms-per-mb N    conversion time per MiB (default 200)
  --seed N                 seed for the twin's random choices
  --fault SPEC             a fault on a schedule (repeatable, or comma-separated); times T, D, R in
                           seconds (60 or 60s) on the fault clock:
                             db-down@T+D  the database is unreachable from T for D s, then starting for
                                          2 s: every request but /health answers 500 and logs
                                          psycopg2's OperationalError; it recovers by itself
                             crash@T      the process dies at T (connections reset, no goodbye lines)
                             crash@T+R    ... and a new process (new pid, same port and data, tokens
                                          still valid) listens R s later
                             freeze@T+D   nothing is answered, /health included, from T for D s
                             pool-leak    (needs --capacity N --overload stall) a request that times
                                          out waiting for its second connection never returns its
                                          first; once all leaked, every request fails after the pool
                                          timeout and /health hangs, until the twin stops
  --fault-clock login|start  when the fault clock starts: the first login of a user who is not the
                           admin (default: the load's first session), or the twin's start
  --fault-record PATH      write each fault as it happens ({"fault","start","end"} JSON lines, ms since
                           the epoch) to PATH (default faults.jsonl beside the admin credentials)
  --pid-file PATH          keep the pid of the process now serving in PATH (a crash's successor rewrites it)
  --help                   this text

Env: HMP_TWIN_ADMIN_PASSWORD (admin credentials password), HMP_TWIN_JWT_SECRET (fix the JWT secret).`;

type Read = (raw: string, name: string) => unknown;

const whole = (min: number, max: number) => (raw: string, name: string): number => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`--${name} must be a whole number from ${min} to ${max}, got "${raw}".`);
  }
  return n;
};

const either = (a: string, b: string): Read => (raw, name) => {
  if (raw !== a && raw !== b) throw new ConfigError(`--${name} must be ${a} or ${b}, got "${raw}".`);
  return raw;
};

function share(raw: string, name: string): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) {
    throw new ConfigError(`--${name} must be a share between 0 and 1 (e.g. 0.05), got "${raw}".`);
  }
  return n;
}

export function parseLatency(raw: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of raw.split(',').filter((p) => p.trim() !== '')) {
    const [name, ms] = part.split('=');
    if (!name || ms === undefined || !/^[a-z_*]+$/.test(name.trim())) {
      throw new ConfigError(`--latency takes NAME=MS pairs separated by commas (e.g. project_list=300,*=20), got "${part}".`);
    }
    out[name.trim()] = whole(0, 600_000)(ms.trim(), 'latency');
  }
  return out;
}

const loopback: Read = (host) => {
  if (!['127.0.0.1', 'localhost', '::1'].includes(host) && !host.startsWith('127.')) {
    throw new ConfigError(`--host must be a loopback address (127.0.0.1, localhost or ::1), got "${host}".`);
  }
  return host;
};

/** Each flag that takes a value: the setting it sets and how its value is read, in the order they are checked. */
const VALUE_FLAGS: Record<string, [keyof TwinConfig, Read]> = {
  host: ['host', loopback],
  port: ['port', whole(0, 65535)],
  db: ['db', String],
  'api-version': ['apiVersion', either('1.0', '1.1')],
  'jwt-lifetime': ['jwtLifetimeS', whole(1, 31_536_000)],
  'admin-credentials': ['adminCredentialsPath', String],
  'log-file': ['logFile', String],
  'unassigned-status': ['quirkUnassigned500', (raw, name) => either('403', '500')(raw, name) === '500'],
  'v10-conversions': ['v10Conversions', either('blocking', 'concurrent')],
  'keep-alive-timeout': ['keepAliveTimeoutS', whole(1, 3600)],
  capacity: ['capacity', whole(0, 100_000)],
  overload: ['overloadMode', either('queue', 'stall')],
  'overload-status': ['overloadStatus', (raw, name) => Number(either('500', '504')(raw, name))],
  'queue-timeout': ['queueTimeoutMs', whole(1, 3_600_000)],
  latency: ['latencyMs', parseLatency],
  'error-rate': ['errorRate', share],
  'reset-rate': ['resetRate', share],
  'leak-kb': ['leakKbPerRequest', whole(0, 1_048_576)],
  'degrade-ms-per-min': ['degradeMsPerMin', whole(0, 600_000)],
  'drop-uploads': ['dropUploads', share],
  'converter-slots': ['converterSlots', whole(1, 1000)],
  'convert-ms-per-mb': ['convertMsPerMb', whole(0, 600_000)],
  seed: ['seed', whole(0, 2 ** 32 - 1)],
  'fault-clock': ['faultClock', either('login', 'start')],
  'fault-record': ['faultRecordPath', String],
  'pid-file': ['pidFile', String],
};

function faultsOf(raws: string[]): FaultSpec[] {
  try {
    return raws.flatMap(parseFaults);
  } catch (err) {
    if (err instanceof FaultSpecError) throw new ConfigError(err.message);
    throw err;
  }
}

/** Parses CLI flags over env over defaults. Throws ConfigError with one clear sentence. */
export function parseTwinArgs(argv: string[], env: Record<string, string | undefined>): TwinConfig | 'help' {
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean' },
        'serve-server-key': { type: 'boolean' },
        'strict-cbor': { type: 'boolean' },
        fault: { type: 'string', multiple: true },
        ...Object.fromEntries(Object.keys(VALUE_FLAGS).map((flag) => [flag, { type: 'string' as const }])),
      },
    }));
  } catch (err) {
    const msg = (err as Error).message;
    const ambiguous = /Option '(--[\w-]+)[^']*' argument is ambiguous/.exec(msg);
    if (ambiguous) throw new ConfigError(`${ambiguous[1]} needs a value; for a value starting with a dash write ${ambiguous[1]}=VALUE.`);
    throw new ConfigError(`${msg.split('\n')[0]} Run with --help to see the options.`);
  }
  if (values.help) return 'help';
  const c: Record<string, unknown> = { ...defaultConfig() };
  for (const [flag, [key, read]] of Object.entries(VALUE_FLAGS)) {
    const raw = values[flag];
    if (typeof raw === 'string') c[key] = read(raw, flag);
  }
  if (values['serve-server-key']) c.quirkPublicKey401 = false;
  if (values['strict-cbor']) c.quirkCborUpload200 = false;
  const faults = faultsOf((values.fault as string[] | undefined) ?? []);
  if (faults.some((f) => f.kind === 'pool-leak') && !(Number(c.capacity) > 0 && c.overloadMode === 'stall')) {
    throw new ConfigError('--fault pool-leak needs --capacity N (more than 0) and --overload stall: it leaks the stall mode\'s pool connections.');
  }
  c.faults = faults;
  c.adminPassword = adminPasswordOf(env);
  if (env.HMP_TWIN_JWT_SECRET) c.jwtSecret = env.HMP_TWIN_JWT_SECRET;
  return c as unknown as TwinConfig;
}
