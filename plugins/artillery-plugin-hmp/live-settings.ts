// Whether a run serves its live page, and on which loopback port (pure).
// On by default when a person watches a terminal; off in CI and pipes.
export class LiveSettingsError extends Error {}

export interface LiveSettings {
  on: boolean;
  /** 0: any free port. */
  port: number;
}

const ON = ['on', '1', 'true', 'yes'];
const OFF = ['off', '0', 'false', 'no'];

/** env: HMP_LIVE (on/off), HMP_LIVE_PORT; tty: whether stdout is a terminal. */
export function liveSettings(env: Record<string, string | undefined>, tty: boolean): LiveSettings {
  const raw = (env.HMP_LIVE ?? '').trim().toLowerCase();
  if (raw && !ON.includes(raw) && !OFF.includes(raw)) throw new LiveSettingsError(`HMP_LIVE must be on or off, got "${env.HMP_LIVE}".`);
  const on = raw ? ON.includes(raw) : tty && !env.CI;
  const portRaw = (env.HMP_LIVE_PORT ?? '').trim();
  const port = portRaw === '' ? 0 : Number(portRaw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new LiveSettingsError(`HMP_LIVE_PORT must be a port number from 0 to 65535 (0: any free port), got "${env.HMP_LIVE_PORT}".`);
  return { on, port };
}
