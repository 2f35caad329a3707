// HMP's tables and relations in SQLite (node:sqlite: no native addon to build).
import { DatabaseSync } from 'node:sqlite';

const SCHEMA = `
PRAGMA foreign_keys = ON;
CREATE TABLE IF NOT EXISTS users (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  surname TEXT NOT NULL,
  email TEXT NOT NULL UNIQUE,
  confidentiality_level INTEGER NOT NULL,
  integrity_levels TEXT NOT NULL,           -- JSON array of levels
  public_key BLOB NOT NULL,
  expires_at TEXT,
  created_at TEXT NOT NULL,
  UNIQUE (name, surname)
);
CREATE TABLE IF NOT EXISTS projects (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  title TEXT NOT NULL,
  syllabus_summary TEXT NOT NULL DEFAULT '',
  description TEXT NOT NULL DEFAULT '',
  instructor_id INTEGER NOT NULL REFERENCES users(id),
  deadline TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS project_students (
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  student_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  PRIMARY KEY (project_id, student_id)
);
-- A submission's bytes: in submission_chunks (see contents.ts), or for rows
-- written before chunks existed (content_id NULL) in content.
CREATE TABLE IF NOT EXISTS submission_contents (id INTEGER PRIMARY KEY AUTOINCREMENT);
CREATE TABLE IF NOT EXISTS submission_chunks (
  content_id INTEGER NOT NULL REFERENCES submission_contents(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  bytes BLOB NOT NULL,
  PRIMARY KEY (content_id, seq)
);
CREATE TABLE IF NOT EXISTS submissions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  project_id INTEGER NOT NULL REFERENCES projects(id),
  student_id INTEGER NOT NULL REFERENCES users(id),
  title TEXT NOT NULL,
  content BLOB NOT NULL,
  content_id INTEGER REFERENCES submission_contents(id),
  content_hash TEXT NOT NULL,
  submitted_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit_logs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  timestamp TEXT NOT NULL,
  action TEXT NOT NULL,
  is_success INTEGER NOT NULL,
  reason TEXT,
  user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
  ip_address TEXT
);
`;

export interface UserRow {
  id: number;
  name: string;
  surname: string;
  email: string;
  confidentiality_level: number;
  integrity_levels: string;
  public_key: Uint8Array;
  expires_at: string | null;
}

// After SCHEMA: a database file of an older twin gets content_id first.
const CONTENTS = `
-- Every way a submission goes (DELETE, the drop knob, load-test/down) takes its chunks along.
CREATE TRIGGER IF NOT EXISTS submission_content_gone AFTER DELETE ON submissions
BEGIN DELETE FROM submission_contents WHERE id = OLD.content_id; END;
-- Contents of uploads cut short by a stop of the twin.
DELETE FROM submission_contents WHERE id NOT IN (SELECT content_id FROM submissions WHERE content_id IS NOT NULL);
`;

/**
 * `crashSafe` (a crash fault's database, shared by the processes that
 * replace each other): WAL with synchronous NORMAL, so that a killed process
 * loses no committed row and an audit row costs no fsync (0.6 ms each).
 */
export function openDatabase(path: string, opts: { crashSafe?: boolean } = {}): DatabaseSync {
  const db = new DatabaseSync(path);
  if (opts.crashSafe) db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;');
  db.exec(SCHEMA);
  const columns = db.prepare("SELECT name FROM pragma_table_info('submissions')").all() as Array<{ name: string }>;
  if (!columns.some((c) => c.name === 'content_id')) db.exec('ALTER TABLE submissions ADD COLUMN content_id INTEGER REFERENCES submission_contents(id)');
  db.exec(CONTENTS);
  return db;
}

export function transaction<T>(db: DatabaseSync, fn: () => T): T {
  db.exec('BEGIN');
  try {
    const out = fn();
    db.exec('COMMIT');
    return out;
  } catch (err) {
    db.exec('ROLLBACK');
    throw err;
  }
}

export function getUser(db: DatabaseSync, id: number): UserRow | undefined {
  return db.prepare('SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined;
}
