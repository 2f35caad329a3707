// The processors' settings: env over `config.variables` over defaults.
// Parsing is pure (parseSettings); `settings()` reads process.env once per worker.
import { conversionsOff } from '../plugins/artillery-plugin-hmp/core/criteria.ts';

export interface Settings {
  /** Multiplies every think time, pause and backoff (HMP_TIME_SCALE; e.g. 0.01 for tests). */
  timeScale: number | undefined;
  /** Think time override for every profile, seconds (HMP_THINK_MIN / HMP_THINK_MAX). */
  thinkMinS: number | undefined;
  thinkMaxS: number | undefined;
  /** Client timeout of a request, seconds (HMP_HTTP_TIMEOUT). */
  httpTimeoutS: number | undefined;
  /** Client timeout of a conversion request, seconds (HMP_CONVERT_TIMEOUT; v1.0 converts inside the request). */
  convertTimeoutS: number | undefined;
  /** Longest wait for a v1.1 conversion to finish, seconds (HMP_CONVERT_MAX_WAIT; default: the convert timeout). */
  convertMaxWaitS: number | undefined;
  /** Sessions a VU runs before it leaves, without the closed-model plugin (HMP_SESSIONS_PER_VU). */
  sessionsPerVu: number;
  testDataPath: string;
  uploadsLogPath: string;
  fixturesDir: string;
  /** Size of a PDF generated when there are no fixtures (HMP_UPLOAD_BYTES). */
  uploadBytes: number;
  /** The server's public key for v1.0 conversions when /credentials/public-key does not serve it. */
  serverPublicKey: Buffer | undefined;
  /** HMP_CONVERSIONS=off: no session converts (a deployment where conversions cannot run; reported as not tested). */
  conversions: boolean;
  /** The admin's credentials file and its password, for the smoke test's GET /audit/. */
  adminCredentialsPath: string | undefined;
  adminPassword: string | undefined;
  /** Every VU of a mix plays this role instead of being dealt one (HMP_ROLE): to run one journey alone. */
  role: 'student' | 'instructor' | undefined;
  /** Seed for the processors' random choices (HMP_SEED); undefined = Math.random. */
  seed: number | undefined;
  /** Print a sample of the server's message per failure reason (DEBUG=hmp). */
  debug: boolean;
}

export const DEFAULTS = {
  httpTimeoutS: 30,
  // The HMP team saw synchronous conversions of 10-160 s on their deployment.
  convertTimeoutS: 300,
  testDataPath: 'data/test_data.json',
  uploadsLogPath: 'data/uploads.jsonl',
  fixturesDir: 'data/fixtures',
  uploadBytes: 20_000,
} as const;

export class SettingsError extends Error {}

type Env = Record<string, string | undefined>;

function number(env: Env, name: string, min: number, integer = false): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
    throw new SettingsError(`${name} must be ${integer ? 'a whole number' : 'a number'} >= ${min}, got "${raw}"`);
  }
  return n;
}

function role(raw: string | undefined): Settings['role'] {
  const v = raw?.trim() ?? '';
  if (v === '') return undefined;
  if (v === 'student' || v === 'instructor') return v;
  throw new SettingsError(`HMP_ROLE must be student or instructor (or unset: roles dealt by the mix), got "${raw}"`);
}

function serverKey(raw: string | undefined): Buffer | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const key = Buffer.from(raw.trim(), 'base64');
  if (key.length !== 32) {
    throw new SettingsError(`HMP_SERVER_PUBLIC_KEY must be the base64 of the server's 32-byte public key, got ${key.length} bytes`);
  }
  return key;
}

export function parseSettings(env: Env): Settings {
  const thinkMinS = number(env, 'HMP_THINK_MIN', 0);
  const thinkMaxS = number(env, 'HMP_THINK_MAX', 0);
  if (thinkMinS !== undefined && thinkMaxS !== undefined && thinkMaxS < thinkMinS) {
    throw new SettingsError(`HMP_THINK_MAX (${thinkMaxS}) must not be below HMP_THINK_MIN (${thinkMinS})`);
  }
  const debug = env.DEBUG ?? '';
  return {
    timeScale: number(env, 'HMP_TIME_SCALE', 0),
    thinkMinS,
    thinkMaxS,
    httpTimeoutS: number(env, 'HMP_HTTP_TIMEOUT', 0.001),
    convertTimeoutS: number(env, 'HMP_CONVERT_TIMEOUT', 0.001),
    convertMaxWaitS: number(env, 'HMP_CONVERT_MAX_WAIT', 0),
    sessionsPerVu: number(env, 'HMP_SESSIONS_PER_VU', 1, true) ?? 1,
    testDataPath: env.HMP_TEST_DATA || DEFAULTS.testDataPath,
    uploadsLogPath: env.HMP_UPLOADS_LOG || DEFAULTS.uploadsLogPath,
    fixturesDir: env.HMP_FIXTURES_DIR || DEFAULTS.fixturesDir,
    uploadBytes: number(env, 'HMP_UPLOAD_BYTES', 1024, true) ?? DEFAULTS.uploadBytes,
    serverPublicKey: serverKey(env.HMP_SERVER_PUBLIC_KEY),
    conversions: !conversionsOff(env),
    adminCredentialsPath: env.HMP_ADMIN_CREDENTIALS || undefined,
    adminPassword: env.HMP_PASSWORD || undefined,
    role: role(env.HMP_ROLE),
    seed: number(env, 'HMP_SEED', 0, true),
    debug: debug === '*' || /(^|[,\s])hmp($|[:*,\s])/.test(debug),
  };
}

let cached: Settings | undefined;

/** This worker's settings (env is read once). */
export function settings(): Settings {
  cached ??= parseSettings(process.env);
  return cached;
}

/** A number from `config.variables` (the VU's vars), if set. */
export function varNumber(vars: Record<string, unknown>, name: string): number | undefined {
  const v = vars[name];
  if (v === undefined || v === null || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** HMP_TIME_SCALE over config.variables timeScale over 1 (the plugin, when loaded, has already decided). */
export function timeScaleOf(s: Settings, vars: Record<string, unknown>, fromPlugin: number | undefined): number {
  return fromPlugin ?? s.timeScale ?? varNumber(vars, 'timeScale') ?? 1;
}

/** Think range in seconds: env over config.variables (thinkMin/thinkMax) over the profile's. */
export function thinkRangeS(s: Settings, vars: Record<string, unknown>, profile: readonly [number, number]): [number, number] {
  const min = s.thinkMinS ?? varNumber(vars, 'thinkMin') ?? profile[0];
  const max = s.thinkMaxS ?? varNumber(vars, 'thinkMax') ?? Math.max(min, profile[1]);
  return [min, Math.max(min, max)];
}

/** Client timeout of a request, seconds: env over config.variables over the default. */
export function timeoutS(s: Settings, vars: Record<string, unknown>, kind: 'default' | 'convert'): number {
  if (kind === 'convert') return s.convertTimeoutS ?? varNumber(vars, 'convertTimeout') ?? DEFAULTS.convertTimeoutS;
  return s.httpTimeoutS ?? varNumber(vars, 'httpTimeout') ?? DEFAULTS.httpTimeoutS;
}
