// A 401 on an authenticated request means the token expired mid-session
// (HMP's tokens live minutes): log in again once, directly (challenge ->
// sign -> login), then retry the request once. Both are visible in the
// metrics: the handshake as `auth_relogin`, the retry as `<name>_retry`
// (response time and codes in the metrics-by-endpoint families).
import { performance } from 'node:perf_hooks';
import { causeCode, HmpClient, HmpHttpError, HmpTimeoutError } from '../lib/hmp-client.ts';
import { count, ENDPOINT_METRICS, histogram, metric, recordExchange, recordFailure, recordOk } from './metrics.ts';
import { settings, timeoutS } from './settings.ts';
import type { Ee, RequestParams, VuContext } from './types.ts';
import type { Reply } from './validate.ts';
import { vars } from './vars.ts';

function isAbort(err: unknown): boolean {
  return err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
}

/** A fresh token for the session's user; undefined (failure recorded) when the login fails. */
export async function relogin(context: VuContext, ee: Ee): Promise<string | undefined> {
  const name = metric.reloginName;
  const v = vars(context);
  count(ee, metric.relogin);
  if (!v.me) {
    recordFailure(ee, context, name, 'no_user', 'a 401 arrived before the session had a user');
    return undefined;
  }
  const client = new HmpClient(String(context.vars.target), { timeoutMs: timeoutS(settings(), context.vars, 'default') * 1000 });
  const t0 = performance.now();
  try {
    const token = await client.login(v.me.id, Buffer.from(v.me.privateKeyHex, 'hex'));
    recordExchange(ee, name, performance.now() - t0, 200);
    recordOk(ee, name);
    v.token = token;
    return token;
  } catch (err) {
    if (err instanceof HmpHttpError) {
      recordExchange(ee, name, performance.now() - t0, err.status);
      recordFailure(ee, context, name, err.status === 200 ? 'bad_body' : `status_${err.status}`, err.message);
    } else {
      const code = err instanceof HmpTimeoutError ? 'ETIMEDOUT' : ((err as { code?: string }).code ?? 'unreachable');
      count(ee, metric.endpointError(name, code));
      recordFailure(ee, context, name, err instanceof HmpTimeoutError ? 'timeout' : code, (err as Error).message);
    }
    return undefined;
  }
}

function serverTimingTotal(header: string | null): number | undefined {
  const m = header ? /total;dur=([0-9.]+)/i.exec(header) : null;
  return m ? Number(m[1]) : undefined;
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
  const t0 = performance.now();
  try {
    const res = await fetch(req.url, { method: req.method, headers, body, signal: AbortSignal.timeout(req.timeout * 1000) });
    const ms = performance.now() - t0;
    const bytes = Buffer.from(await res.arrayBuffer());
    recordExchange(ee, reportAs, ms, res.status);
    const st = serverTimingTotal(res.headers.get('server-timing'));
    if (st !== undefined) histogram(ee, `${ENDPOINT_METRICS}.server-timing.${reportAs}`, st);
    return { status: res.status, contentType: res.headers.get('content-type') ?? '', bytes };
  } catch (err) {
    const code = isAbort(err) ? 'ETIMEDOUT' : causeCode(err);
    count(ee, metric.endpointError(reportAs, code));
    recordFailure(ee, context, reportAs, code === 'ETIMEDOUT' ? 'timeout' : code, `${req.method} ${req.url}: ${code}`);
    return undefined;
  }
}

/** Re-login, then the retry's reply (undefined when either failed: the failure is recorded). */
export async function reloginAndRetry(name: string, req: RequestParams, context: VuContext, ee: Ee): Promise<Reply | undefined> {
  const token = await relogin(context, ee);
  return token === undefined ? undefined : replay(req, token, metric.retryName(name), context, ee);
}
