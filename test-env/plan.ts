// What to create (pure): the users, projects and assignments of `--via api`,
// mirroring what POST /admin/load-test/up makes (HMP-API.md, "Load-test
// fixtures"), and which student uploads which historical submission.
import { mulberry32, randomInt } from '../plugins/artillery-plugin-hmp/prng.ts';
import type { NewProject, NewUser } from '../lib/hmp-client.ts';
import { TEST_TITLE_PREFIX } from '../lib/test-data.ts';

export const TEST_EMAIL_DOMAIN = 'hmp.test';
/** Far in the future, so test accounts never expire during a run. */
export const FAR_FUTURE = '2099-12-31T23:59:59.000Z';

// Access levels (HMP-API.md, "Access levels"), as the load-test endpoint sets them.
export const STUDENT_LEVELS = { confidentiality_level: 2, integrity_levels: [3] } as const;
export const INSTRUCTOR_LEVELS = { confidentiality_level: 3, integrity_levels: [3] } as const;

/** A test account to create; its key pair is made when it is. */
export type PlannedUser = Omit<NewUser, 'public_key'>;

export interface PlannedProject extends Omit<NewProject, 'instructor_email'> {
  /** Index into the plan's instructors. */
  instructorIndex: number;
  /** Indexes into the plan's students. */
  studentIndexes: number[];
}

export interface ApiSeedSizes {
  instructors: number;
  students: number;
  projects: number;
}

const pad3 = (n: number) => String(n).padStart(3, '0');

/** e.g. student007@hmp.test */
export function testEmail(role: 'student' | 'instructor', index: number): string {
  return `${role}${pad3(index)}@${TEST_EMAIL_DOMAIN}`;
}

function plannedUser(role: 'student' | 'instructor', index: number): PlannedUser {
  const levels = role === 'student' ? STUDENT_LEVELS : INSTRUCTOR_LEVELS;
  return {
    // name + surname must be unique on HMP; the surname carries the number.
    name: 'Test',
    surname: `${role === 'student' ? 'Student' : 'Instructor'} ${pad3(index)}`,
    email: testEmail(role, index),
    confidentiality_level: levels.confidentiality_level,
    integrity_levels: [...levels.integrity_levels],
    expires_at: FAR_FUTURE,
  };
}

/** `count` distinct indexes out of 0..n-1, sorted. */
function sample(rand: () => number, n: number, count: number): number[] {
  const pool = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(rand() * (n - i));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, count).sort((a, b) => a - b);
}

/**
 * Users, projects and assignments for `--via api`: instructors round-robin
 * over projects, each student on 3-5 random projects (all of them when there
 * are fewer), deadlines spread over 30-90 days from `now`.
 */
export function planApiSeed(sizes: ApiSeedSizes, seed: number, now: Date) {
  const rand = mulberry32(seed);
  const instructors = Array.from({ length: sizes.instructors }, (_, i) => plannedUser('instructor', i));
  const students = Array.from({ length: sizes.students }, (_, i) => plannedUser('student', i));
  const projects: PlannedProject[] = Array.from({ length: sizes.projects }, (_, i) => {
    const days = 30 + Math.round((60 * i) / Math.max(1, sizes.projects - 1));
    return {
      title: `${TEST_TITLE_PREFIX}Load Test Project ${pad3(i)}`,
      syllabus_summary: 'Seeded by hmp-load tools/test-env.ts for load testing.',
      description: 'Test data: removed by `test-env down`. Do not use.',
      instructorIndex: i % sizes.instructors,
      deadline: new Date(now.getTime() + days * 86_400_000).toISOString(),
      studentIndexes: [],
    };
  });
  students.forEach((_, s) => {
    const count = Math.min(sizes.projects, randomInt(rand, 3, 5));
    for (const p of sample(rand, sizes.projects, count)) projects[p]!.studentIndexes.push(s);
  });
  return { instructors, students, projects };
}

/**
 * Spreads `count` submissions over the students round-robin; each student
 * cycles through its own projects. Students without projects are skipped.
 */
export function planSubmissions(students: ReadonlyArray<{ project_ids: readonly number[] }>, count: number, seed: number) {
  const eligible = students.map((s, i) => ({ i, projects: s.project_ids })).filter((s) => s.projects.length > 0);
  if (count > 0 && eligible.length === 0) {
    throw new RangeError('no test student is assigned to a project, so no submission can be uploaded');
  }
  return Array.from({ length: count }, (_, n) => {
    const student = eligible[n % eligible.length]!;
    const round = Math.floor(n / eligible.length);
    return {
      studentIndex: student.i, // into `students`
      projectId: student.projects[round % student.projects.length]!,
      title: `${TEST_TITLE_PREFIX}Historical submission ${String(n).padStart(4, '0')}`,
      pdfSeed: (seed + n) >>> 0, // for a generated PDF
    };
  });
}

/**
 * Runs fn over items with at most `limit` in flight. After the first failure
 * no new item starts; the ones in flight finish, then the first error is
 * thrown (so callers know everything that did happen before they undo it).
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let firstError: { err: unknown } | undefined;
  const worker = async () => {
    while (!firstError && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i]!, i);
      } catch (err) {
        firstError ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (firstError) throw firstError.err;
  return results;
}
