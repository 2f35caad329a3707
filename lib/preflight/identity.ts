// Is the target HMP? What only HMP answers: GET /health -> 200 "I'm good"
// (HMP-API.md), and, when the server publishes its API (FastAPI's
// /openapi.json), paths that include /auth/challenge. A server that is not
// HMP would otherwise get the whole test and report its 404s as errors.
import { answerWords, ask, jsonOf, type Answer } from './answer.ts';

export const HEALTH_BODY = "I'm good";

/** Null when the answers are HMP's; else the sentence naming what was found. Pure. */
export function notHmpWhy(target: string, health: Answer, openapi: Answer): string | null {
  const api = jsonOf(openapi) as { info?: { title?: unknown }; paths?: Record<string, unknown> } | undefined;
  const title = typeof api?.info?.title === 'string' ? ` (its /openapi.json is "${api.info.title}")` : '';
  const healthy = !('error' in health) && health.status === 200 && health.text.includes(HEALTH_BODY);
  const apiSaysOther = api?.paths && typeof api.paths === 'object' && !('/auth/challenge' in api.paths);
  if (healthy && !apiSaysOther) return null;
  if ('error' in health) return `The target ${target} does not answer (GET /health: ${health.error}); start the server, or check --target or HMP_TARGET.`;
  const found = !healthy
    ? `GET /health ${answerWords(health)}, where HMP answers 200 "${HEALTH_BODY}"`
    : `its API has no POST /auth/challenge`;
  return `The target ${target} is not an HMP server: ${found}${title}; check --target or HMP_TARGET.`;
}

export async function checkIdentity(target: string): Promise<string | null> {
  // One question at a time: a server whose pool is small is not asked two things at once before the test.
  const health = await ask(target, '/health');
  const openapi = await ask(target, '/openapi.json');
  return notHmpWhy(target, health, openapi);
}
