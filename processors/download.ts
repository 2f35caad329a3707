// The two binary downloads, GET /submission/{id}/content and
// /pdf-to-audio/converted-audio/{uuid}, are function steps that fetch outside
// Artillery's HTTP engine. The engine decodes every body to a string twice
// (got's text body, then its own `body += chunk`): ~30 ms of CPU per 1 MB
// answer, one stall that delays every other response in flight in the
// worker and so bends their measured latency (bench/README.md, hotspot 3).
// fetch hands over the bytes as they are. The request is reported in the
// engine's metrics (outside-engine.ts) and checked like any other.
import { settleReply } from './check.ts';
import { audioReady } from './convert.ts';
import { ENDPOINTS } from './endpoints.ts';
import { send } from './outside-engine.ts';
import { readingContent } from './reads.ts';
import { countSkipped } from '../plugins/artillery-plugin-hmp/skipped.ts';
import { settings, timeoutS } from './settings.ts';
import type { Ee, RequestParams, VuContext } from './types.ts';
import { vars } from './vars.ts';

/** The function steps of the scenarios that make a request, and the request's name. */
export const DOWNLOAD_STEPS = { readContent: 'submission_content', downloadAudio: 'pdf_audio' } as const;

async function download(name: 'submission_content' | 'pdf_audio', path: string, context: VuContext, ee: Ee): Promise<void> {
  const ep = ENDPOINTS[name]!;
  const token = vars(context).token;
  const req: RequestParams = {
    name,
    method: 'GET',
    url: `${String(context.vars.target).replace(/\/+$/, '')}${path}`, // as the engine joins them
    headers: token ? { authorization: `Bearer ${token}` } : {},
    timeout: timeoutS(settings(), context.vars, 'default'),
    uuid: '',
  };
  const md5 = name === 'submission_content'; // checked against the list's hash
  const reply = await send({ method: req.method, url: req.url, headers: req.headers!, timeoutS: req.timeout, md5 }, name, context, ee);
  if (reply) await settleReply(name, ep, reply, req, context, ee);
}

/** Step of the reads loop: GET /submission/{id}/content when this read is one (its MD5 must match the list's hash). */
export async function readContent(context: VuContext, ee: Ee): Promise<void> {
  if (!readingContent(context.vars)) return countSkipped(ee, context.vars, 'submission_content', readingContent);
  await download('submission_content', `/submission/${vars(context).read!.id}/content`, context, ee);
}

/** Step after a finished v1.1 conversion: GET /pdf-to-audio/converted-audio/{uuid}, decrypted with the caller's key. */
export async function downloadAudio(context: VuContext, ee: Ee): Promise<void> {
  if (!audioReady(context.vars)) return countSkipped(ee, context.vars, 'pdf_audio', audioReady);
  await download('pdf_audio', `/pdf-to-audio/converted-audio/${encodeURIComponent(vars(context).conv.taskUuid!)}`, context, ee);
}
