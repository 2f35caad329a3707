// Browsing and instructor reads: what the project and submission lists
// lead to (which details to open, which submissions to read), and the
// checks of each read: /hash must match the list, and the MD5 of the bytes
// of /content must match the hash.
import { TEST_TITLE_PREFIX } from '../lib/test-data.ts';
import { count, metric } from './metrics.ts';
import { pickDistinct, type Rand } from './pick.ts';
import { workerRand } from './random.ts';
import type { Ee, VuContext } from './types.ts';
import {
  validateProjectDetail,
  validateProjectList,
  validateSubmissionContent,
  validateSubmissionHash,
  validateSubmissionList,
  type Outcome,
  type Reply,
  type SubmissionSummary,
} from './validate.ts';
import { instructorOk, vars, type Read } from './vars.ts';

/** n distinct ids: from `preferred` first, then from `fallback`. */
export function choose(preferred: readonly number[], fallback: readonly number[], n: number, rand: Rand): number[] {
  const first = pickDistinct([...new Set(preferred)], n, rand);
  const taken = new Set(first);
  return first.concat(pickDistinct([...new Set(fallback)].filter((id) => !taken.has(id)), n - first.length, rand));
}

export function isTestTitle(title: string): boolean {
  return title.startsWith(TEST_TITLE_PREFIX.trim());
}

export function onProjectList(reply: Reply, context: VuContext): Outcome {
  const v = validateProjectList(reply);
  if (!v.ok) return v;
  const s = vars(context);
  const listed = new Set(v.value.map((p) => p.id));
  // Students open projects they are in, instructors those they teach; then other test projects.
  const own = (s.me?.projectIds ?? []).filter((id) => listed.has(id));
  const tests = v.value.filter((p) => isTestTitle(p.title)).map((p) => p.id);
  s.projectPicks = choose(own, tests.length > 0 ? tests : [...listed], s.plannedDetails, workerRand());
  if (s.plannedDetails > 0 && s.projectPicks.length === 0) {
    return { ok: false, reason: 'no_projects', detail: 'the project list is empty: were the test projects removed (tools/test-env.ts down)?' };
  }
  return { ok: true };
}

export function onProjectDetail(reply: Reply, context: VuContext): Outcome {
  const v = validateProjectDetail(reply, vars(context).project);
  return v.ok ? { ok: true } : v;
}

/** Reads for this session: the smoke test reads its own upload; the mixes read test submissions at random. */
export function planReads(list: readonly SubmissionSummary[], kinds: readonly Read['kind'][], own: { id: number; md5: string } | undefined, rand: Rand): Read[] | { reason: string; detail: string } {
  if (own) {
    const mine = list.find((s) => s.id === own.id);
    if (!mine) return { reason: 'upload_missing', detail: `submission ${own.id}, uploaded in this session, is not in the list` };
    if (mine.contentHash !== own.md5) {
      return { reason: 'hash_mismatch', detail: `submission ${own.id}: the list says ${mine.contentHash}, the upload sent MD5 ${own.md5}` };
    }
    return kinds.map((kind) => ({ id: mine.id, hash: mine.contentHash, kind }));
  }
  // Only test submissions: a load test has no business reading real students' papers.
  const picks = pickDistinct(list.filter((s) => isTestTitle(s.title)), kinds.length, rand);
  return picks.map((s, i) => ({ id: s.id, hash: s.contentHash, kind: kinds[i]! }));
}

export function onSubmissionList(reply: Reply, context: VuContext, ee: Ee): Outcome {
  const v = validateSubmissionList(reply);
  if (!v.ok) return v;
  const s = vars(context);
  const own = s.profile.role === 'smoke' ? s.lastUpload : undefined;
  const reads = planReads(v.value, s.plannedReads, own, workerRand());
  if (!Array.isArray(reads)) return { ok: false, ...reads };
  s.readPicks = reads;
  if (reads.length < s.plannedReads.length) count(ee, metric.session('fewer_submissions'));
  return { ok: true };
}

export function onSubmissionHash(reply: Reply, context: VuContext): Outcome {
  const v = validateSubmissionHash(reply, vars(context).read?.hash);
  return v.ok ? { ok: true } : v;
}

export function onSubmissionContent(reply: Reply, context: VuContext): Outcome {
  const v = validateSubmissionContent(reply, vars(context).read?.hash);
  return v.ok ? { ok: true } : v;
}

/** The guard of a read of `kind` inside the reads loop (instructors only). */
const reading = (kind: Read['kind']) => (v: Record<string, unknown>): boolean => instructorOk(v) && (v.read as Read | undefined)?.kind === kind;
/** The ifTrue of GET /submission/{id}/hash and of the /content step. */
export const readingHash = reading('hash');
export const readingContent = reading('content');
