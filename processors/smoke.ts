// The smoke test's cast: one session plays a student, then an instructor,
// then the admin (for GET /audit/, CONFIDENTIAL). Each `actAs*` step
// switches who the next login is for. The three parts are independent: a
// failure ends its part, not the session, so every critical endpoint is
// tried in every session whatever failed before it (the session still
// counts as failed). The admin comes from the credentials file the HMP
// client saves (HMP_ADMIN_CREDENTIALS) and its password (HMP_PASSWORD, as
// tools/test-env.ts takes it), decoded once per worker.
import { readFile } from 'node:fs/promises';
import { decodeCredentialsFile } from '../lib/hmp-crypto.ts';
import { recordFailure } from './metrics.ts';
import { NOT_FAILED } from '../plugins/artillery-plugin-hmp/skipped.ts';
import { settings } from './settings.ts';
import type { Ee, VuContext } from './types.ts';
import { validateAuditList, type Outcome, type Reply } from './validate.ts';
import { sessionOk, vars, type Identity } from './vars.ts';

let admin: Promise<Identity | string> | undefined;

async function loadAdmin(): Promise<Identity | string> {
  const { adminCredentialsPath: path, adminPassword: password } = settings();
  if (!path) return 'no_admin_credentials: set HMP_ADMIN_CREDENTIALS (the admin .bin file) and HMP_PASSWORD to check GET /audit/';
  if (!password) return `no_admin_credentials: HMP_PASSWORD is not set, so ${path} cannot be opened`;
  try {
    const creds = await decodeCredentialsFile(await readFile(path), password);
    return { id: creds.userId, privateKeyHex: Buffer.from(creds.privateKey).toString('hex'), role: 'admin', projectIds: [] };
  } catch (err) {
    return `admin_credentials: ${path}: ${(err as Error).message}`;
  }
}

/** The admin's identity, or why it cannot be had ("<reason>: <detail>"). */
export function adminIdentity(): Promise<Identity | string> {
  admin ??= loadAdmin();
  return admin;
}

/** The audit window asked for: around this session, wide enough for a client clock a few minutes off. */
export const AUDIT_MARGIN_MS = 10 * 60_000;

/** A new part: what failed in the one before is recorded (counted, sampled); this part starts clean. */
function nextPart(context: VuContext): boolean {
  const v = vars(context);
  if (!v.cast || v.sessionLeft || context.vars.$hmpYielded === true) return false;
  if (!sessionOk(context.vars)) {
    v.partFailed = true;
    Object.assign(context.vars, NOT_FAILED);
  }
  return true;
}

function actAs(context: VuContext, who: Identity): void {
  const v = vars(context);
  v.me = who;
  v.token = undefined;
  v.challenge = undefined;
}

export function actAsStudent(context: VuContext, _ee: Ee, next: () => void): void {
  if (sessionOk(context.vars) && vars(context).cast) actAs(context, vars(context).cast!.student);
  next();
}

export function actAsInstructor(context: VuContext, _ee: Ee, next: () => void): void {
  if (nextPart(context)) actAs(context, vars(context).cast!.instructor);
  next();
}

export function actAsAdmin(context: VuContext, ee: Ee, next: () => void): void {
  const v = vars(context);
  if (nextPart(context) && v.cast) {
    const admin = v.cast.admin;
    if (typeof admin === 'string') {
      const [reason, ...detail] = admin.split(': ');
      recordFailure(ee, context, 'audit_list', reason!, detail.join(': '));
    } else {
      actAs(context, admin);
      v.auditWindow = {
        start: new Date(v.sessionStartedAt - AUDIT_MARGIN_MS).toISOString(),
        end: new Date(Date.now() + AUDIT_MARGIN_MS).toISOString(),
      };
    }
  }
  next();
}

export function onAuditList(reply: Reply): Outcome {
  const v = validateAuditList(reply);
  if (!v.ok) return v;
  if (v.value === 0) return { ok: false, reason: 'empty_audit', detail: 'no audit rows for this session, which made requests: is the audit log written?' };
  return { ok: true };
}
