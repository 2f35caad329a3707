// Before any load: can conversions run at all? (I/O, with the decision pure.)
// On current HMP (API v1.0) GET /credentials/public-key answers 401 to every
// caller, so a v1.0 conversion needs the server's key from configuration
// (HMP_SERVER_PUBLIC_KEY). Without it every conversion fails the same way;
// that is one finding, said once with what to do, not N copies of its
// consequence in the smoke.
import { HmpClient } from '../hmp-client.ts';

export interface ConversionReadiness {
  /** The API version the upload-key answer shows (null: not known). */
  version: '1.0' | '1.1' | null;
  ready: boolean;
  /** The known defect that makes conversions untestable, when it does. */
  defect?: 'public_key_401';
  text: string;
}

export interface Answers {
  /** GET /pdf-to-audio/upload-key as an instructor. */
  uploadKey: { status: number; body: unknown } | { error: string };
  /** GET /credentials/public-key as that instructor (v1.0 only). */
  publicKey?: { status: number; body: unknown } | { error: string };
  /** HMP_SERVER_PUBLIC_KEY is set. */
  keyConfigured: boolean;
}

/** What to do; `offSwitch` is how this tool switches conversions off (the suite's --no-conversions, a plain run's HMP_CONVERSIONS=off). */
const fix = (offSwitch: string) =>
  `set HMP_SERVER_PUBLIC_KEY to the base64 of the server's 32-byte public key (kept in the deployment's configuration; the suite's twin writes it to twin-server-public-key.txt beside its admin credentials), or run with ${offSwitch} to test everything else (conversions are then reported as not tested).`;

export function readinessOf(target: string, a: Answers, offSwitch = '--no-conversions'): ConversionReadiness {
  if ('error' in a.uploadKey) return { version: null, ready: true, text: `conversions not pre-checked: GET /pdf-to-audio/upload-key got no answer (${a.uploadKey.error}); the tests will show it.` };
  if (a.uploadKey.status !== 200) return { version: null, ready: true, text: `conversions not pre-checked: GET /pdf-to-audio/upload-key answered ${a.uploadKey.status}; the tests will show it.` };
  const body = a.uploadKey.body as Record<string, unknown> | null;
  if (body && typeof body === 'object' && 'is_success' in body) return { version: '1.1', ready: true, text: 'conversions can run: API v1.1 (asynchronous; no server key needed).' };
  if (a.keyConfigured) return { version: '1.0', ready: true, text: 'conversions can run: API v1.0 with the server key from HMP_SERVER_PUBLIC_KEY.' };
  const pk = a.publicKey;
  if (pk && !('error' in pk) && pk.status === 200 && typeof (pk.body as Record<string, unknown> | null)?.public_key === 'string') {
    return { version: '1.0', ready: true, text: 'conversions can run: API v1.0, the server key from GET /credentials/public-key.' };
  }
  const answered = !pk ? 'was not asked' : 'error' in pk ? `got no answer (${pk.error})` : `answered ${pk.status}`;
  return {
    version: '1.0',
    ready: false,
    defect: 'public_key_401',
    text: `Conversions cannot be tested on ${target}: it runs HMP API v1.0, whose GET /credentials/public-key ${answered}${pk && !('error' in pk) && pk.status === 401 ? ' to every caller (a known HMP defect: the handler checks authorization but takes no user)' : ''}, and HMP_SERVER_PUBLIC_KEY is not set, so every conversion would fail before it is sent; ${fix(offSwitch)}`,
  };
}

async function get(target: string, path: string, token: string, timeoutMs: number): Promise<{ status: number; body: unknown } | { error: string }> {
  try {
    const res = await fetch(`${target}${path}`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {}
    return { status: res.status, body };
  } catch (err) {
    return { error: (err as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : (err as Error).message };
  }
}

/** Logs in as `instructor` and asks the two questions (a v1.1 upload-key leaves an unused task behind: HMP expires those). */
export async function checkConversions(target: string, instructor: { id: number; private_key: string }, keyConfigured: boolean, timeoutMs = 10_000, offSwitch = '--no-conversions'): Promise<ConversionReadiness> {
  let token: string;
  try {
    token = await new HmpClient(target, { timeoutMs }).login(instructor.id, Buffer.from(instructor.private_key, 'hex'));
  } catch (err) {
    return { version: null, ready: true, text: `conversions not pre-checked: the instructor's login failed (${(err as Error).message}); the smoke will show it.` };
  }
  const uploadKey = await get(target, '/pdf-to-audio/upload-key', token, timeoutMs);
  const v10 = !('error' in uploadKey) && uploadKey.status === 200 && !(uploadKey.body && typeof uploadKey.body === 'object' && 'is_success' in uploadKey.body);
  const publicKey = v10 && !keyConfigured ? await get(target, '/credentials/public-key', token, timeoutMs) : undefined;
  return readinessOf(target, { uploadKey, publicKey, keyConfigured }, offSwitch);
}
