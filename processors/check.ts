// The afterResponse hook every scenario lists once (`checkResponse`): each
// response is checked by its endpoint's rules (endpoints.ts). A passed check
// counts `plugins.hmp.ok.<name>`; a failed one `plugins.hmp.errors.<name>[.<reason>]` and
// ends this session (not the VU); a known server defect
// `plugins.hmp.warnings.<name>[.<reason>]`. A 401 on an authenticated request is an
// expired token: re-login and one retry, checked as `<name>_retry`.
import { takeRawBody } from './binary-body.ts';
import { endpointOf, type Endpoint } from './endpoints.ts';
import { recordFailure, recordOk, recordWarning, requestName } from './metrics.ts';
import { reloginAndRetry } from './relogin.ts';
import type { ArtilleryResponse, Ee, RequestParams, VuContext } from './types.ts';
import { textReply, type Outcome, type Reply } from './validate.ts';

function header(res: ArtilleryResponse, name: string): string {
  const v = res.headers[name];
  return Array.isArray(v) ? v.join(', ') : (v ?? '');
}

/** Applies an endpoint's check to a reply and records the verdict under `name`. */
export async function settle(name: string, ep: Endpoint, reply: Reply, context: VuContext, ee: Ee): Promise<Outcome> {
  let outcome: Outcome;
  try {
    outcome = await ep.check(reply, context, ee);
  } catch (err) {
    outcome = { ok: false, reason: 'check_crashed', detail: (err as Error).stack ?? String(err) };
  }
  if (outcome.ok === true) {
    recordOk(ee, name);
  } else if (outcome.ok === false) {
    const keepGoing = outcome.keepGoing === true && context.vars.sessionFailed !== true;
    const failedBy = context.vars.$hmpFailedBy;
    recordFailure(ee, context, name, outcome.reason, outcome.detail);
    if (keepGoing) Object.assign(context.vars, { sessionFailed: false, $hmpFailedBy: failedBy });
  } else {
    recordWarning(ee, name, outcome.reason, outcome.message);
  }
  return outcome;
}

/** A reply of `name`: an expired token (401) re-logs in and retries once; else its check. */
export async function settleReply(name: string, ep: Endpoint, reply: Reply, req: RequestParams, context: VuContext, ee: Ee): Promise<void> {
  if (reply.status === 401 && ep.auth && !ep.own401) {
    const retried = await reloginAndRetry(name, req, context, ee);
    if (retried) await settle(requestName.retry(name), ep, retried, context, ee);
    return;
  }
  await settle(name, ep, reply, context, ee);
}

export async function checkResponse(req: RequestParams, res: ArtilleryResponse, context: VuContext, ee: Ee): Promise<void> {
  const ep = endpointOf(req.name);
  if (!ep || req.name === undefined) return;
  const contentType = header(res, 'content-type');
  const reply: Reply = ep.raw ? { status: res.statusCode, contentType, bytes: takeRawBody(req, res) } : textReply(res.statusCode, contentType, res.body ?? '');
  await settleReply(req.name, ep, reply, req, context, ee);
}
