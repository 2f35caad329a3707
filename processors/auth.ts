// The login handshake (HMP-API.md, "Auth"): POST /auth/challenge ->
// Ed25519 signature of the decoded challenge -> POST /auth/login. The token
// lives in the VU's context for the rest of the session.
import { signChallenge } from '../lib/hmp-crypto.ts';
import { count, metric } from './metrics.ts';
import type { Ee, RequestParams, VuContext } from './types.ts';
import { validateChallenge, validateLogin, type Outcome, type Reply } from './validate.ts';
import { vars, type Identity } from './vars.ts';

function whoAmI(context: VuContext): Identity {
  const me = vars(context).me;
  if (!me) throw new Error('no user for this session: beginSession did not run');
  return me;
}

/** beforeRequest of auth_challenge: {user_id}. */
export async function challengeBody(req: RequestParams, context: VuContext, _ee: Ee): Promise<void> {
  req.json = { user_id: whoAmI(context).id };
}

/** beforeRequest of auth_login: {user_id, challenge, signature}. */
export async function signLogin(req: RequestParams, context: VuContext, _ee: Ee): Promise<void> {
  const v = vars(context);
  const me = whoAmI(context);
  const challenge = v.challenge ?? '';
  req.json = { user_id: me.id, challenge, signature: await signChallenge(challenge, Buffer.from(me.privateKeyHex, 'hex')) };
}

export function onChallenge(reply: Reply, context: VuContext): Outcome {
  const v = validateChallenge(reply);
  if (!v.ok) return v;
  vars(context).challenge = v.value;
  return { ok: true };
}

export function onLogin(reply: Reply, context: VuContext, ee: Ee): Outcome {
  const v = validateLogin(reply);
  if (!v.ok) return v;
  const s = vars(context);
  s.token = v.value;
  s.challenge = undefined;
  if (s.me) count(ee, metric.login(s.me.role));
  return { ok: true };
}
