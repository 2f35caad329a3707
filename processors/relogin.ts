// A 401 on an authenticated request means the token expired mid-session
// (HMP's tokens live minutes): log in again once, directly (challenge ->
// sign -> login), then retry the request once. Both are visible in the
// metrics: the handshake as `auth_relogin`, the retry as `<name>_retry`
// (response time and codes in the metrics-by-endpoint families).
import { performance } from 'node:perf_hooks';
import { HmpClient, HmpHttpError, HmpTimeoutError } from '../lib/hmp-client.ts';
import { count, metric, recordFailure, recordOk, requestName } from './metrics.ts';
import { recordAnswer, send } from './outside-engine.ts';
import { settings, timeoutS } from './settings.ts';
import type { Ee, RequestParams, VuContext } from './types.ts';
import type { Reply } from './validate.ts';
import { vars } from './vars.ts';
import { ARTILLERY } from '../plugins/artillery-plugin-hmp/core/metric-names.ts';

/**
 * Loads Node's fetch (undici), which the re-login's HmpClient uses, now: it
 * loads on first use, a ~50 ms stall that would land mid-run on the first
 * expired token. Touching `Response` loads the same module.
 */
export function warmUpFetch(): void {
  void globalThis.Response;
}

/** A fresh token for the session's user; undefined (failure recorded) when the login fails. */
export async function relogin(context: VuContext, ee: Ee): Promise<string | undefined> {
  const name = requestName.relogin;
  const v = vars(context);
  count(ee, metric.relogin);
  if (!v.me) {
    recordFailure(ee, context, name, 'no_user', 'a 401 arrived before the session had a user');
    return undefined;
  }
  const client = new HmpClient(String(context.vars.target), { timeoutMs: timeoutS(settings(), context.vars, 'default') * 1000 });
  count(ee, ARTILLERY.requests); // the handshake's two requests are reported as one exchange
  const t0 = performance.now();
  try {
    const token = await client.login(v.me.id, Buffer.from(v.me.privateKeyHex, 'hex'));
    recordAnswer(ee, name, performance.now() - t0, 200, undefined);
    recordOk(ee, name);
    v.token = token;
    return token;
  } catch (err) {
    if (err instanceof HmpHttpError) {
      recordAnswer(ee, name, performance.now() - t0, err.status, undefined);
      recordFailure(ee, context, name, err.status === 200 ? 'bad_body' : `status_${err.status}`, err.message);
    } else {
      const code = err instanceof HmpTimeoutError ? 'ETIMEDOUT' : ((err as { code?: string }).code ?? 'unreachable');
      count(ee, metric.endpointError(name, code));
      recordFailure(ee, context, name, err instanceof HmpTimeoutError ? 'timeout' : code, (err as Error).message);
    }
    return undefined;
  }
}

/** The same request again with another token, reported as `reportAs`. */
export async function replay(req: RequestParams, token: string, reportAs: string, context: VuContext, ee: Ee): Promise<Reply | undefined> {
  const headers: Record<string, string> = {};
  for (const [k, value] of Object.entries(req.headers ?? {})) {
    if (k.toLowerCase() !== 'content-length') headers[k.toLowerCase()] = String(value);
  }
  headers.authorization = `Bearer ${token}`;
  let body: string | Buffer | undefined;
  if (req.json !== undefined) {
    body = JSON.stringify(req.json);
    headers['content-type'] = 'application/json';
  } else if (req.body !== undefined) {
    body = req.body;
  }
  return send({ method: req.method, url: req.url, headers, body, timeoutS: req.timeout }, reportAs, context, ee);
}

/** Re-login, then the retry's reply (undefined when either failed: the failure is recorded). */
export async function reloginAndRetry(name: string, req: RequestParams, context: VuContext, ee: Ee): Promise<Reply | undefined> {
  const token = await relogin(context, ee);
  return token === undefined ? undefined : replay(req, token, requestName.retry(name), context, ee);
}
