// Every acknowledged upload, one JSON line each, appended to HMP_UPLOADS_LOG
// (default data/uploads.jsonl), for the integrity check after a run: each id
// must exist with the MD5 of what was sent (suite/integrity.ts reads it).
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { settings } from './settings.ts';

export interface UploadRecord {
  id: number;
  /** MD5 hex of the encrypted bytes sent. */
  md5: string;
  project_id: number;
  student_id: number;
  /** ISO time of the acknowledgement. */
  at: string;
}

let path: string | undefined;

export function recordUpload(record: UploadRecord): void {
  if (!path) {
    path = resolve(settings().uploadsLogPath);
    mkdirSync(dirname(path), { recursive: true });
  }
  appendFileSync(path, `${JSON.stringify(record)}\n`);
}
