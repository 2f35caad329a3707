// beforeRequest hooks every scenario lists once, at scenario level:
//   withTimeout   the request's client timeout (HMP_HTTP_TIMEOUT, conversions HMP_CONVERT_TIMEOUT)
//   withToken     Authorization: Bearer <the session's token>
//   captureBinary the raw bytes of binary responses (see binary-body.ts)
import { wantRawBody } from './binary-body.ts';
import { endpointOf } from './endpoints.ts';
import { settings, timeoutS } from './settings.ts';
import type { Done, Ee, RequestParams, VuContext } from './types.ts';
import { vars } from './vars.ts';

interface AgentHolder {
  _httpAgent?: { options?: { timeout?: number } };
  _httpsAgent?: { options?: { timeout?: number } };
}

/**
 * The request's client timeout. Artillery's keep-alive agent also drops a
 * socket after `config.http.timeout` (or 8 s when unset) without data, which
 * would cut a 10-160 s synchronous conversion short whatever the request's
 * timeout says: the VU's agents are given at least this request's timeout.
 */
export function withTimeout(req: RequestParams, context: VuContext, _ee: Ee, next: Done): void {
  const ep = endpointOf(req.name);
  req.timeout = timeoutS(settings(), context.vars, ep?.convertTimeout ? 'convert' : 'default');
  const holder = context as VuContext & AgentHolder;
  for (const agent of [holder._httpAgent, holder._httpsAgent]) {
    const options = agent?.options;
    if (options && typeof options.timeout === 'number' && options.timeout < req.timeout * 1000 + 1000) {
      options.timeout = req.timeout * 1000 + 1000;
    }
  }
  next();
}

export function withToken(req: RequestParams, context: VuContext, _ee: Ee, next: Done): void {
  const token = vars(context).token;
  if (endpointOf(req.name)?.auth && token) req.headers = { ...req.headers, authorization: `Bearer ${token}` };
  next();
}

export function captureBinary(req: RequestParams, _context: VuContext, ee: Ee, next: Done): void {
  if (endpointOf(req.name)?.raw) wantRawBody(req, ee);
  next();
}
