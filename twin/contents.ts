// A submission's bytes as rows of 256 KiB (submission_chunks), written and
// read one row per event-loop turn, the MD5 computed on the way. In one go a
// 5 MB file blocked the twin's only event loop ~17 ms per upload (MD5, then
// INSERT) and ~5 ms per read: every other request in flight waited, and the
// load generator counted that as their latency.
import { createHash } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';

export const CHUNK_BYTES = 256 * 1024;
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Stores `bytes` under a new content id, returned with their MD5 (hex). Until
 * a submission row names it nobody sees it; on failure nothing is left.
 */
export async function writeContent(db: DatabaseSync, bytes: Uint8Array): Promise<{ contentId: number; md5: string }> {
  const contentId = Number(db.prepare('INSERT INTO submission_contents DEFAULT VALUES').run().lastInsertRowid);
  const insert = db.prepare('INSERT INTO submission_chunks (content_id, seq, bytes) VALUES (?, ?, ?)');
  const md5 = createHash('md5');
  try {
    for (let seq = 0, at = 0; at < bytes.length; seq++, at += CHUNK_BYTES) {
      if (seq > 0) await nextTurn();
      const chunk = bytes.subarray(at, at + CHUNK_BYTES);
      md5.update(chunk);
      insert.run(contentId, seq, chunk);
    }
  } catch (err) {
    dropContent(db, contentId);
    throw err;
  }
  return { contentId, md5: md5.digest('hex') };
}

/** Deletes a content no submission names (its chunks go by cascade). */
export function dropContent(db: DatabaseSync, contentId: number): void {
  db.prepare('DELETE FROM submission_contents WHERE id = ?').run(contentId);
}

/**
 * The content's chunks in order. A content deleted meanwhile (with its
 * submission) comes back cut short: the caller checks the submission is still there.
 */
export async function readContent(db: DatabaseSync, contentId: number): Promise<Uint8Array[]> {
  const get = db.prepare('SELECT bytes FROM submission_chunks WHERE content_id = ? AND seq = ?');
  const parts: Uint8Array[] = [];
  for (let seq = 0; ; seq++) {
    if (seq > 0) await nextTurn();
    const row = get.get(contentId, seq) as { bytes: Uint8Array } | undefined;
    if (!row) return parts;
    parts.push(row.bytes);
  }
}
