// Submission upload (HMP-API.md, "Submissions"): the project instructor's
// public key, the PDF encrypted with HMP's public-key scheme (derivation
// cached per key), a CBOR body; success is 200 AND {id: int}. Each
// acknowledged upload is recorded with the MD5 of the bytes sent.
import { aesGcmEncryptSliced, PublicKeyCipher } from '../lib/hmp-crypto.ts';
import { TEST_TITLE_PREFIX } from '../lib/test-data.ts';
import { cborMapWithBytes } from './cbor-framing.ts';
import { pickPdf } from './fixtures.ts';
import { workerRand } from './random.ts';
import type { Ee, RequestParams, VuContext } from './types.ts';
import { recordUpload } from './uploads-log.ts';
import { validatePublicKey, validateUpload, type Outcome, type Reply } from './validate.ts';
import { vars } from './vars.ts';

/** One per worker: a derivation costs ~15 ms and there are only a few instructor keys. */
export const cipher = new PublicKeyCipher();

let uploads = 0;

export function onInstructorKey(reply: Reply, context: VuContext): Outcome {
  const v = validatePublicKey(reply);
  if (!v.ok) return v;
  vars(context).instructorKey = v.value;
  return { ok: true };
}

/** beforeRequest of submission_create: {project_id, title, encrypted_content}. */
export async function encodeSubmission(req: RequestParams, context: VuContext, _ee: Ee): Promise<void> {
  const s = vars(context);
  const projectId = s.upload?.projectId;
  if (projectId === undefined || !s.instructorKey) throw new Error('encodeSubmission needs the upload loop element and the instructor key');
  // In slices, with the MD5 on the way and the CBOR framed around the parts:
  // a 5 MB file in one go stalled the worker ~19 ms (AES, MD5, cbor-x's copy).
  const { parts, md5 } = await aesGcmEncryptSliced(await cipher.key(s.instructorKey), await pickPdf(workerRand()));
  s.pendingUpload = { md5, projectId };
  const worker = process.env.LOCAL_WORKER_ID ?? '0';
  const title = `${TEST_TITLE_PREFIX}Load test upload ${worker}-${process.pid}-${++uploads}`;
  delete req.json;
  req.body = cborMapWithBytes({ project_id: projectId, title }, 'encrypted_content', parts);
  req.headers = { ...req.headers, 'content-type': 'application/cbor' };
}

export function onSubmissionCreate(reply: Reply, context: VuContext): Outcome {
  const v = validateUpload(reply);
  if (!v.ok) return v;
  const s = vars(context);
  const sent = s.pendingUpload!;
  s.lastUpload = { id: v.value, md5: sent.md5 };
  recordUpload({ id: v.value, md5: sent.md5, project_id: sent.projectId, student_id: s.me!.id, at: new Date().toISOString() });
  return { ok: true };
}
