// The test data file's format (pure): what tools/test-env.ts `up` writes to
// data/test_data.json and the processors log in with. Shared by both, so
// neither imports the other. Reading and writing the file live with each
// user of it (test-env/data-file.ts, processors/test-data.ts).

/** Title prefix that marks test projects and submissions; /admin/load-test/down and `down` match on it. */
export const TEST_TITLE_PREFIX = '$TEST$ ';

/** How `up` seeded the server: POST /admin/load-test/up, or the regular API as an admin. */
export type Via = 'load-test' | 'api';

export interface AccountRecord {
  id: number;
  email: string;
  /** 64 hex chars (Ed25519 seed). Secret. */
  private_key: string;
  project_ids: number[];
}

export interface ProjectRecord {
  id: number;
  title: string;
  instructor_id: number;
}

export interface SubmissionRecord {
  id: number;
  project_id: number;
  student_id: number;
  /** MD5 hex of the encrypted bytes sent (what GET /submission/{id}/hash answers). */
  md5: string;
}

export interface TestData {
  target: string;
  created_at: string;
  via: Via;
  /** false only when `up` failed and could not undo its work: run `down`. */
  complete: boolean;
  students: AccountRecord[];
  instructors: AccountRecord[];
  projects: ProjectRecord[];
  submissions: SubmissionRecord[];
}

export class DataFileError extends Error {}

function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

function checkAccount(v: unknown, where: string): AccountRecord {
  const a = v as Partial<AccountRecord> | null;
  if (
    !a || typeof a !== 'object' || !isInt(a.id) || typeof a.email !== 'string' ||
    typeof a.private_key !== 'string' || !/^[0-9a-fA-F]{64}$/.test(a.private_key) ||
    !Array.isArray(a.project_ids) || !a.project_ids.every(isInt)
  ) {
    throw new DataFileError(`${where} is not {id, email, private_key (64 hex), project_ids}`);
  }
  return { id: a.id, email: a.email, private_key: a.private_key, project_ids: [...a.project_ids] };
}

function checkProject(v: unknown, where: string): ProjectRecord {
  const p = v as Partial<ProjectRecord> | null;
  if (!p || typeof p !== 'object' || !isInt(p.id) || typeof p.title !== 'string' || !isInt(p.instructor_id)) {
    throw new DataFileError(`${where} is not {id, title, instructor_id}`);
  }
  return { id: p.id, title: p.title, instructor_id: p.instructor_id };
}

function checkSubmission(v: unknown, where: string): SubmissionRecord {
  const s = v as Partial<SubmissionRecord> | null;
  if (
    !s || typeof s !== 'object' || !isInt(s.id) || !isInt(s.project_id) || !isInt(s.student_id) ||
    typeof s.md5 !== 'string' || !/^[0-9a-f]{32}$/.test(s.md5)
  ) {
    throw new DataFileError(`${where} is not {id, project_id, student_id, md5}`);
  }
  return { id: s.id, project_id: s.project_id, student_id: s.student_id, md5: s.md5 };
}

function list<T>(v: unknown, name: string, check: (item: unknown, where: string) => T): T[] {
  if (!Array.isArray(v)) throw new DataFileError(`"${name}" is missing or not a list`);
  return v.map((item, i) => check(item, `${name}[${i}]`));
}

/** Parses and checks the data file's text. Throws DataFileError naming the first problem. */
export function parseTestData(text: string): TestData {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new DataFileError('it is not JSON');
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new DataFileError('it is not a JSON object');
  const o = raw as Record<string, unknown>;
  if (typeof o.target !== 'string' || o.target === '') throw new DataFileError('"target" is missing');
  if (o.via !== 'load-test' && o.via !== 'api') throw new DataFileError('"via" is not load-test or api');
  return {
    target: o.target,
    created_at: typeof o.created_at === 'string' ? o.created_at : '',
    via: o.via,
    complete: o.complete !== false,
    students: list(o.students, 'students', checkAccount),
    instructors: list(o.instructors, 'instructors', checkAccount),
    projects: list(o.projects, 'projects', checkProject),
    submissions: list(o.submissions ?? [], 'submissions', checkSubmission),
  };
}
