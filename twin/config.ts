// The twin's settings: defaults, and parsing of CLI flags and env (pure).
// Every knob exists so that the suite's analyses have a known ground truth.
import { parseArgs } from 'node:util';

export type ApiVersion = '1.0' | '1.1';
export type OverloadMode = 'queue' | 'stall';
export type V10Conversions = 'blocking' | 'concurrent';

export interface TwinConfig {
  host: string;
  port: number;
  /** SQLite file, or ':memory:'. */
  db: string;
  apiVersion: ApiVersion;
  /** JWT lifetime in seconds; an expired token answers 401. */
  jwtLifetimeS: number;
  /** HS256 secret; random per start unless fixed (tests). */
  jwtSecret: string | undefined;
  adminCredentialsPath: string;
  adminPassword: string;
  // --- quirks of the real server (HMP-API.md), on by default ---
  /** Upload of bad CBOR answers 200 with an error list for a map cut short or a missing key, else 500 (real), instead of 400. */
  quirkCborUpload200: boolean;
  /** Upload to an unassigned project answers 500 (real) instead of 403. */
  quirkUnassigned500: boolean;
  /** GET /credentials/public-key answers 401 to everyone (current upstream). */
  quirkPublicKey401: boolean;
  /** API 1.0: a conversion blocks every other request until it ends (HMP runs it on its only event loop), or runs beside them. */
  v10Conversions: V10Conversions;
  /** An idle keep-alive connection is closed after this many seconds (uvicorn's timeout_keep_alive). */
  keepAliveTimeoutS: number;
  // --- capacity and overload ---
  /** Max requests in flight (queue mode) or DB pool size (stall mode); 0 = unlimited. */
  capacity: number;
  overloadMode: OverloadMode;
  /** Status of a request that waited longer than queueTimeoutMs: 500 like the DB pool, 504 like the gateway. */
  overloadStatus: 500 | 504;
  queueTimeoutMs: number;
  // --- injected faults ---
  /** Added latency per action name ('*' = every action), in ms. */
  latencyMs: Record<string, number>;
  /** Share of requests (0..1) that fail with 500. */
  errorRate: number;
  /** Share of requests (0..1) whose connection is reset (TCP RST) before any answer; /health excepted. */
  resetRate: number;
  /** Memory retained forever per request (a leak), in KiB. */
  leakKbPerRequest: number;
  /** Latency added per minute of uptime (degradation), in ms. */
  degradeMsPerMin: number;
  /** Share of uploads (0..1) acknowledged with an id but not stored (data loss). */
  dropUploads: number;
  // --- conversion ---
  /** v1.1: conversions that may run at once; more answer is_success:false. */
  converterSlots: number;
  /** Conversion time per MiB of PDF, in ms, on top of the real work. */
  convertMsPerMb: number;
  /** Seed for the twin's own random choices (student assignments, faults). */
  seed: number | undefined;
}

export const DEFAULT_ADMIN_PASSWORD = 'hmp-twin-admin';

/** The password of the admin credentials file the twin writes: HMP_TWIN_ADMIN_PASSWORD, else the public default. */
export function adminPasswordOf(env: Record<string, string | undefined>): string {
  return env.HMP_TWIN_ADMIN_PASSWORD || DEFAULT_ADMIN_PASSWORD;
}

export function defaultConfig(): TwinConfig {
  return {
    host: '127.0.0.1',
    port: 8000,
    db: ':memory:',
    apiVersion: '1.1',
    jwtLifetimeS: 1800,
    jwtSecret: undefined,
    adminCredentialsPath: 'data/twin-admin.bin',
    adminPassword: DEFAULT_ADMIN_PASSWORD,
    quirkCborUpload200: true,
    quirkUnassigned500: true,
    quirkPublicKey401: true,
    v10Conversions: 'blocking',
    keepAliveTimeoutS: 5,
    capacity: 0,
    overloadMode: 'queue',
    overloadStatus: 500,
    queueTimeoutMs: 30_000,
    latencyMs: {},
    errorRate: 0,
    resetRate: 0,
    leakKbPerRequest: 0,
    degradeMsPerMin: 0,
    dropUploads: 0,
    converterSlots: 2,
    convertMsPerMb: 200,
    seed: undefined,
  };
}

export class ConfigError extends Error {}

export const USAGE = `Usage: npm run twin -- [options]

Starts the HMP twin: a local HMP-compatible server for trying and testing the suite.

  --host H                 listen address (default 127.0.0.1; loopback only)
  --port N                 port (default 8000; 0 = any free port)
  --db PATH                SQLite file (default :memory:)
  --api-version 1.0|1.1    conversion API: 1.0 synchronous, 1.1 asynchronous (default 1.1)
  --jwt-lifetime S         token lifetime in seconds (default 1800)
  --admin-credentials P    where to write the admin's credentials file (default data/twin-admin.bin)
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
  --help                   this text

Env: HMP_TWIN_ADMIN_PASSWORD (admin credentials password), HMP_TWIN_JWT_SECRET (fix the JWT secret).`;

function int(name: string, raw: string, min: number, max: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`--${name} must be a whole number from ${min} to ${max}, got "${raw}".`);
  }
  return n;
}

function share(name: string, raw: string): number {
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
    out[name.trim()] = int('latency', ms.trim(), 0, 600_000);
  }
  return out;
}

/** Parses CLI flags over env over defaults. Throws ConfigError with one clear sentence. */
export function parseTwinArgs(argv: string[], env: Record<string, string | undefined>): TwinConfig | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean' },
        host: { type: 'string' },
        port: { type: 'string' },
        db: { type: 'string' },
        'api-version': { type: 'string' },
        'jwt-lifetime': { type: 'string' },
        'admin-credentials': { type: 'string' },
        'serve-server-key': { type: 'boolean' },
        'strict-cbor': { type: 'boolean' },
        'unassigned-status': { type: 'string' },
        'v10-conversions': { type: 'string' },
        'keep-alive-timeout': { type: 'string' },
        capacity: { type: 'string' },
        overload: { type: 'string' },
        'overload-status': { type: 'string' },
        'queue-timeout': { type: 'string' },
        latency: { type: 'string' },
        'error-rate': { type: 'string' },
        'reset-rate': { type: 'string' },
        'leak-kb': { type: 'string' },
        'degrade-ms-per-min': { type: 'string' },
        'drop-uploads': { type: 'string' },
        'converter-slots': { type: 'string' },
        'convert-ms-per-mb': { type: 'string' },
        seed: { type: 'string' },
      },
    }));
  } catch (err) {
    const msg = (err as Error).message;
    const ambiguous = /Option '(--[\w-]+)[^']*' argument is ambiguous/.exec(msg);
    if (ambiguous) throw new ConfigError(`${ambiguous[1]} needs a value; for a value starting with a dash write ${ambiguous[1]}=VALUE.`);
    throw new ConfigError(`${msg.split('\n')[0]} Run with --help to see the options.`);
  }
  if (values.help) return 'help';
  const c = defaultConfig();
  const s = (k: string) => values[k] as string | undefined;
  if (s('host') !== undefined) {
    const host = s('host')!;
    if (!['127.0.0.1', 'localhost', '::1'].includes(host) && !host.startsWith('127.')) {
      throw new ConfigError(`--host must be a loopback address (127.0.0.1, localhost or ::1), got "${host}".`);
    }
    c.host = host;
  }
  if (s('port') !== undefined) c.port = int('port', s('port')!, 0, 65535);
  if (s('db') !== undefined) c.db = s('db')!;
  if (s('api-version') !== undefined) {
    const v = s('api-version')!;
    if (v !== '1.0' && v !== '1.1') throw new ConfigError(`--api-version must be 1.0 or 1.1, got "${v}".`);
    c.apiVersion = v;
  }
  if (s('jwt-lifetime') !== undefined) c.jwtLifetimeS = int('jwt-lifetime', s('jwt-lifetime')!, 1, 31_536_000);
  if (s('admin-credentials') !== undefined) c.adminCredentialsPath = s('admin-credentials')!;
  if (values['serve-server-key']) c.quirkPublicKey401 = false;
  if (values['strict-cbor']) c.quirkCborUpload200 = false;
  if (s('unassigned-status') !== undefined) {
    const v = s('unassigned-status')!;
    if (v !== '403' && v !== '500') throw new ConfigError(`--unassigned-status must be 403 or 500, got "${v}".`);
    c.quirkUnassigned500 = v === '500';
  }
  if (s('v10-conversions') !== undefined) {
    const v = s('v10-conversions')!;
    if (v !== 'blocking' && v !== 'concurrent') throw new ConfigError(`--v10-conversions must be blocking or concurrent, got "${v}".`);
    c.v10Conversions = v;
  }
  if (s('keep-alive-timeout') !== undefined) c.keepAliveTimeoutS = int('keep-alive-timeout', s('keep-alive-timeout')!, 1, 3600);
  if (s('capacity') !== undefined) c.capacity = int('capacity', s('capacity')!, 0, 100_000);
  if (s('overload') !== undefined) {
    const v = s('overload')!;
    if (v !== 'queue' && v !== 'stall') throw new ConfigError(`--overload must be queue or stall, got "${v}".`);
    c.overloadMode = v;
  }
  if (s('overload-status') !== undefined) {
    const v = s('overload-status')!;
    if (v !== '500' && v !== '504') throw new ConfigError(`--overload-status must be 500 or 504, got "${v}".`);
    c.overloadStatus = v === '500' ? 500 : 504;
  }
  if (s('queue-timeout') !== undefined) c.queueTimeoutMs = int('queue-timeout', s('queue-timeout')!, 1, 3_600_000);
  if (s('latency') !== undefined) c.latencyMs = parseLatency(s('latency')!);
  if (s('error-rate') !== undefined) c.errorRate = share('error-rate', s('error-rate')!);
  if (s('reset-rate') !== undefined) c.resetRate = share('reset-rate', s('reset-rate')!);
  if (s('leak-kb') !== undefined) c.leakKbPerRequest = int('leak-kb', s('leak-kb')!, 0, 1_048_576);
  if (s('degrade-ms-per-min') !== undefined) c.degradeMsPerMin = int('degrade-ms-per-min', s('degrade-ms-per-min')!, 0, 600_000);
  if (s('drop-uploads') !== undefined) c.dropUploads = share('drop-uploads', s('drop-uploads')!);
  if (s('converter-slots') !== undefined) c.converterSlots = int('converter-slots', s('converter-slots')!, 1, 1000);
  if (s('convert-ms-per-mb') !== undefined) c.convertMsPerMb = int('convert-ms-per-mb', s('convert-ms-per-mb')!, 0, 600_000);
  if (s('seed') !== undefined) c.seed = int('seed', s('seed')!, 0, 2 ** 32 - 1);
  c.adminPassword = adminPasswordOf(env);
  if (env.HMP_TWIN_JWT_SECRET) c.jwtSecret = env.HMP_TWIN_JWT_SECRET;
  return c;
}
