// The processors' settings: env over `config.variables` over defaults.
// Parsing is pure (parseSettings); `settings()` reads process.env once per worker.
import { conversionsOff } from '../plugins/artillery-plugin-hmp/core/criteria.ts';

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

/** Every VU of a mix plays this role instead of being dealt one (HMP_ROLE): to run one journey alone. */
function role(raw: string | undefined): 'student' | 'instructor' | undefined {
  const v = raw?.trim() ?? '';
  if (v === '') return undefined;
  if (v === 'student' || v === 'instructor') return v;
  throw new SettingsError(`HMP_ROLE must be student or instructor (or unset: roles dealt by the mix), got "${raw}"`);
}

/** The server's public key for v1.0 conversions when /credentials/public-key does not serve it. */
function serverKey(raw: string | undefined): Buffer | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const key = Buffer.from(raw.trim(), 'base64');
  if (key.length !== 32) {
    throw new SettingsError(`HMP_SERVER_PUBLIC_KEY must be the base64 of the server's 32-byte public key, got ${key.length} bytes`);
  }
  return key;
}

export type Settings = ReturnType<typeof parseSettings>;

export function parseSettings(env: Env) {
  const thinkMinS = number(env, 'HMP_THINK_MIN', 0);
  const thinkMaxS = number(env, 'HMP_THINK_MAX', 0);
  if (thinkMinS !== undefined && thinkMaxS !== undefined && thinkMaxS < thinkMinS) {
    throw new SettingsError(`HMP_THINK_MAX (${thinkMaxS}) must not be below HMP_THINK_MIN (${thinkMinS})`);
  }
  const debug = env.DEBUG ?? '';
  return {
    /** Multiplies every think time, pause and backoff (e.g. 0.01 for tests). */
    timeScale: number(env, 'HMP_TIME_SCALE', 0),
    /** Think time override for every profile, seconds. */
    thinkMinS,
    thinkMaxS,
    /** Client timeouts, seconds (v1.0 converts inside the conversion request). */
    httpTimeoutS: number(env, 'HMP_HTTP_TIMEOUT', 0.001),
    convertTimeoutS: number(env, 'HMP_CONVERT_TIMEOUT', 0.001),
    /** Longest wait for a v1.1 conversion to finish, seconds (default: the convert timeout). */
    convertMaxWaitS: number(env, 'HMP_CONVERT_MAX_WAIT', 0),
    /** Sessions a VU runs before it leaves, without the closed-model plugin. */
    sessionsPerVu: number(env, 'HMP_SESSIONS_PER_VU', 1, true) ?? 1,
    testDataPath: env.HMP_TEST_DATA || DEFAULTS.testDataPath,
    uploadsLogPath: env.HMP_UPLOADS_LOG || DEFAULTS.uploadsLogPath,
    fixturesDir: env.HMP_FIXTURES_DIR || DEFAULTS.fixturesDir,
    /** Size of a PDF generated when there are no fixtures. */
    uploadBytes: number(env, 'HMP_UPLOAD_BYTES', 1024, true) ?? DEFAULTS.uploadBytes,
    serverPublicKey: serverKey(env.HMP_SERVER_PUBLIC_KEY),
    /** HMP_CONVERSIONS=off: no session converts (a deployment where conversions cannot run; reported as not tested). */
    conversions: !conversionsOff(env),
    /** The admin's credentials file and its password, for the smoke test's GET /audit/. */
    adminCredentialsPath: env.HMP_ADMIN_CREDENTIALS || undefined,
    adminPassword: env.HMP_PASSWORD || undefined,
    role: role(env.HMP_ROLE),
    /** Seed for the processors' random choices; undefined = Math.random. */
    seed: number(env, 'HMP_SEED', 0, true),
    /** Print a sample of the server's message per failure reason (DEBUG=hmp). */
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
