// Every request the scenarios make, by its stable `name` (the per-endpoint
// metric name): whether it carries the session's token, whether its body is
// binary, which client timeout applies, and how its response is checked.
import { onChallenge, onLogin } from './auth.ts';
import { onAudio, onExecute, onServerKey, onStatus, onUploadKey } from './convert.ts';
import { onProjectDetail, onProjectList, onSubmissionContent, onSubmissionHash, onSubmissionList } from './reads.ts';
import { onAuditList } from './smoke.ts';
import type { Ee, VuContext } from './types.ts';
import { onInstructorKey, onSubmissionCreate } from './upload.ts';
import type { Outcome, Reply } from './validate.ts';

export interface Endpoint {
  /** "METHOD /path" as the server's access log names it, ids as {id}: the server log is compared per endpoint with it. */
  route: string;
  /** Sends the session's token; a 401 means it expired: log in again and retry once. */
  auth: boolean;
  /** A 401 here is the endpoint's own answer, not an expired token: no re-login. */
  own401?: boolean;
  /** The body is binary: collect the raw bytes from the engine (binary-body.ts). */
  raw?: boolean;
  /** The client timeout: HMP_CONVERT_TIMEOUT instead of HMP_HTTP_TIMEOUT. */
  convertTimeout?: boolean;
  check(reply: Reply, context: VuContext, ee: Ee): Outcome | Promise<Outcome>;
}

export const ENDPOINTS: Readonly<Record<string, Endpoint>> = {
  auth_challenge: { route: 'POST /auth/challenge', auth: false, check: onChallenge },
  auth_login: { route: 'POST /auth/login', auth: false, check: onLogin },
  project_list: { route: 'GET /project/', auth: true, check: onProjectList },
  project_detail: { route: 'GET /project/{id}', auth: true, check: onProjectDetail },
  submission_instructor_key: { route: 'GET /submission/instructor_key', auth: true, check: onInstructorKey },
  submission_create: { route: 'POST /submission/', auth: true, check: onSubmissionCreate },
  submission_list: { route: 'GET /submission/', auth: true, check: onSubmissionList },
  submission_hash: { route: 'GET /submission/{id}/hash', auth: true, check: onSubmissionHash },
  // Binary, fetched outside the engine (download.ts).
  submission_content: { route: 'GET /submission/{id}/content', auth: true, check: onSubmissionContent },
  // Current HMP answers 401 to everyone here (HMP-API.md): a warning, not an error (convert.ts).
  credentials_public_key: { route: 'GET /credentials/public-key', auth: true, own401: true, check: onServerKey },
  pdf_upload_key: { route: 'GET /pdf-to-audio/upload-key', auth: true, check: onUploadKey },
  // v1.0 converts inside this request and answers CBOR; v1.1 answers JSON.
  pdf_execute: { route: 'POST /pdf-to-audio/execute', auth: true, raw: true, convertTimeout: true, check: onExecute },
  pdf_status: { route: 'GET /pdf-to-audio/conversion-status/{id}', auth: true, check: onStatus },
  pdf_audio: { route: 'GET /pdf-to-audio/converted-audio/{id}', auth: true, check: onAudio },
  audit_list: { route: 'GET /audit/', auth: true, check: onAuditList },
};

export function endpointOf(name: string | undefined): Endpoint | undefined {
  return name === undefined ? undefined : ENDPOINTS[name];
}
