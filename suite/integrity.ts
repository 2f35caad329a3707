// No data loss (plan, spike test: "no data loss"): every upload the server
// acknowledged (one line each in the uploads log the processors write) must
// be listed by GET /submission/, its stored hash (GET /submission/{id}/hash)
// must equal the MD5 of what was sent, and its content (GET
// /submission/{id}/content) must hash to the same MD5. Checked as an
// instructor (students may not read submissions), with bounded concurrency.
import { readFile } from 'node:fs/promises';
import { HmpClient, HmpHttpError, HmpTimeoutError, HmpUnreachableError } from '../lib/hmp-client.ts';
import { md5Hex } from '../lib/hmp-crypto.ts';
import { DataFileError, parseTestData, type AccountRecord, type TestData } from '../lib/test-data.ts';
import type { UploadRecord } from '../processors/uploads-log.ts';
import { mapLimit } from '../lib/pool.ts';

export type Outcome = 'verified' | 'missing' | 'corrupted' | 'unchecked';

export interface IntegrityDetail {
  id: number;
  /** MD5 of what was sent (the log's). */
  md5: string;
  outcome: Outcome;
  reason: string;
}

export interface IntegrityReport {
  /** Log lines checked (acknowledged uploads). */
  acknowledged: number;
  verified: number;
  /** Acknowledged but not stored: not listed. */
  missing: number;
  /** Stored, but the hash or the content differs from what was sent. */
  corrupted: number;
  /** Could not be checked (the server kept failing the hash or content request). */
  unchecked: number;
  /** Log lines that were not JSON (e.g. cut off by a crash). */
  unreadableLines: number;
  /** No loss and everything checked. Any missing or corrupted upload fails the spike. */
  pass: boolean;
  /** Every upload that is not verified, with the reason. */
  details: IntegrityDetail[];
  summary: string;
}

export class IntegrityError extends Error {}

/** Parses an uploads log, skipping lines that are not an upload record (counted). */
export function parseUploadsLog(text: string): { records: UploadRecord[]; unreadable: number } {
  const records: UploadRecord[] = [];
  let unreadable = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const r = JSON.parse(line) as UploadRecord;
      if (Number.isInteger(r?.id) && typeof r.md5 === 'string' && /^[0-9a-f]{32}$/i.test(r.md5)) records.push({ ...r, md5: r.md5.toLowerCase() });
      else unreadable++;
    } catch {
      unreadable++;
    }
  }
  return { records, unreadable };
}

/** Reads the uploads log; a missing file means no upload was acknowledged. */
export async function readUploadsLog(path: string): Promise<{ records: UploadRecord[]; unreadable: number; exists: boolean }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], unreadable: 0, exists: false };
    throw new IntegrityError(`cannot read the uploads log ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`);
  }
  return { ...parseUploadsLog(text), exists: true };
}

/** The instructor to check as: the first of the test data file. */
export function instructorOf(data: TestData): AccountRecord {
  const i = data.instructors[0];
  if (!i) throw new IntegrityError('the test data file lists no instructor; the integrity check reads submissions as an instructor (run test-env up).');
  return i;
}

export interface Observed {
  /** Whether GET /submission/ lists the id. */
  listed: boolean;
  /** Its content_hash there (undefined if the list does not carry one). */
  listedHash?: string;
  /** GET /submission/{id}/hash, or an Error when it could not be read. */
  storedHash?: string | Error;
  /** MD5 of GET /submission/{id}/content, or an Error. */
  contentMd5?: string | Error;
}

/** The verdict on one acknowledged upload from what the server showed (pure). */
export function judge(sentMd5: string, o: Observed): { outcome: Outcome; reason: string } {
  if (!o.listed) return { outcome: 'missing', reason: 'acknowledged but not listed by GET /submission/' };
  if (typeof o.listedHash === 'string' && o.listedHash.toLowerCase() !== sentMd5) return { outcome: 'corrupted', reason: `listed with hash ${o.listedHash}, sent ${sentMd5}` };
  if (o.storedHash instanceof Error) return { outcome: 'unchecked', reason: `GET /submission/{id}/hash failed: ${o.storedHash.message}` };
  if (o.storedHash !== undefined && o.storedHash.toLowerCase() !== sentMd5) return { outcome: 'corrupted', reason: `stored hash ${o.storedHash}, sent ${sentMd5}` };
  if (o.contentMd5 instanceof Error) return { outcome: 'unchecked', reason: `GET /submission/{id}/content failed: ${o.contentMd5.message}` };
  if (o.contentMd5 !== undefined && o.contentMd5 !== sentMd5) return { outcome: 'corrupted', reason: `content downloads with MD5 ${o.contentMd5}, sent ${sentMd5}` };
  if (o.storedHash === undefined || o.contentMd5 === undefined) return { outcome: 'unchecked', reason: 'hash or content not fetched' };
  return { outcome: 'verified', reason: 'listed, hash and content match' };
}

/** Counts and summary from the per-upload verdicts (pure). */
export function tally(details: IntegrityDetail[], unreadableLines = 0): IntegrityReport {
  const count = (o: Outcome) => details.filter((d) => d.outcome === o).length;
  const [verified, missing, corrupted, unchecked] = (['verified', 'missing', 'corrupted', 'unchecked'] as const).map(count);
  const pass = missing === 0 && corrupted === 0 && unchecked === 0;
  const n = details.length;
  let summary: string;
  if (n === 0) summary = 'No acknowledged uploads to verify.';
  else if (pass) summary = `All ${n} acknowledged uploads verified: listed, hash and content match.`;
  else {
    const parts = [`${missing} missing`, `${corrupted} corrupted`];
    if (unchecked) parts.push(`${unchecked} could not be checked`);
    summary = `Data loss check failed: ${parts.join(', ')} of ${n} acknowledged uploads (${verified} verified).`;
  }
  if (unreadableLines) summary += ` ${unreadableLines} line(s) of the uploads log were unreadable.`;
  return { acknowledged: n, verified, missing, corrupted, unchecked, unreadableLines, pass, details: details.filter((d) => d.outcome !== 'verified'), summary };
}

export interface VerifyOptions {
  records: UploadRecord[];
  target: string;
  /** An instructor of the test data file (instructorOf). */
  account: Pick<AccountRecord, 'id' | 'private_key'>;
  /** Requests in flight at most (default 4). */
  concurrency?: number;
  /** Per-request timeout (default 30 s). */
  timeoutMs?: number;
  /** Extra attempts for a 5xx, a timeout or no connection (default 2). */
  retries?: number;
  /** Pause before retry n is n times this (default 500 ms). */
  backoffMs?: number;
  unreadableLines?: number;
}

const transient = (err: unknown) =>
  err instanceof HmpTimeoutError || err instanceof HmpUnreachableError || (err instanceof HmpHttpError && err.status >= 500);

/** Checks every acknowledged upload against the target. Throws IntegrityError when it cannot log in or list. */
export async function verifyUploads(o: VerifyOptions): Promise<IntegrityReport> {
  const client = new HmpClient(o.target, { timeoutMs: o.timeoutMs ?? 30_000 });
  const key = Buffer.from(o.account.private_key, 'hex');
  const retries = o.retries ?? 2;
  const backoff = o.backoffMs ?? 500;

  // Re-login on 401 (short token lifetimes), retry transient failures.
  const attempt = async <T>(fn: () => Promise<T>): Promise<T> => {
    let relogged = false;
    for (let n = 0; ; ) {
      try {
        return await fn();
      } catch (err) {
        if (err instanceof HmpHttpError && err.status === 401 && !relogged) {
          relogged = true;
          await client.login(o.account.id, key);
          continue;
        }
        if (!transient(err) || n >= retries) throw err;
        n++;
        await new Promise((r) => setTimeout(r, backoff * n));
      }
    }
  };

  try {
    await attempt(() => client.login(o.account.id, key));
  } catch (err) {
    throw new IntegrityError(`cannot log in to ${o.target} as instructor ${o.account.id} to verify uploads (${(err as Error).message}).`);
  }
  let listed: Map<number, string | undefined>;
  try {
    const list = await attempt(() => client.listSubmissions());
    listed = new Map(list.map((s) => [s.id, typeof s.content_hash === 'string' ? s.content_hash : undefined]));
  } catch (err) {
    throw new IntegrityError(`cannot list the submissions of ${o.target} (${(err as Error).message}); the uploads were not verified.`);
  }

  // Each id is fetched once; every log line naming it is judged against it.
  const ids = [...new Set(o.records.map((r) => r.id))].filter((id) => listed.has(id));
  const fetched = new Map<number, Pick<Observed, 'storedHash' | 'contentMd5'>>();
  await mapLimit(ids, o.concurrency ?? 4, async (id) => {
    const storedHash = await attempt(() => client.submissionHash(id)).catch((e: Error) => e);
    const contentMd5 = await attempt(() => client.submissionContent(id)).then(md5Hex, (e: Error) => e);
    fetched.set(id, { storedHash, contentMd5 });
  });

  const details = o.records.map((r) => {
    const verdict = judge(r.md5, { listed: listed.has(r.id), listedHash: listed.get(r.id), ...fetched.get(r.id) });
    return { id: r.id, md5: r.md5, ...verdict };
  });
  return tally(details, o.unreadableLines ?? 0);
}

/**
 * The whole check from files: the uploads log and the test data file (its
 * first instructor; its target unless one is given). Throws IntegrityError.
 */
export async function verifyRun(o: { logPath: string; dataPath: string; target?: string } & Omit<VerifyOptions, 'records' | 'target' | 'account' | 'unreadableLines'>): Promise<IntegrityReport> {
  let data: TestData;
  try {
    data = parseTestData(await readFile(o.dataPath, 'utf8'));
  } catch (err) {
    const why = err instanceof DataFileError ? err.message : ((err as NodeJS.ErrnoException).code ?? (err as Error).message);
    throw new IntegrityError(`cannot use the test data file ${o.dataPath} (${why}); run "npm run test-env -- up" first.`);
  }
  const log = await readUploadsLog(o.logPath);
  const { logPath: _l, dataPath: _d, target, ...rest } = o;
  return verifyUploads({ ...rest, records: log.records, unreadableLines: log.unreadable, target: target ?? data.target, account: instructorOf(data) });
}
