// `down`'s work on the server: remove the test data, then check that it is
// really gone (every test user's challenge refused, no $TEST$ project, none
// of the recorded submissions listed).
import { HmpClient, HmpHttpError } from '../lib/hmp-client.ts';
import { TEST_TITLE_PREFIX, type AccountRecord, type TestData } from '../lib/test-data.ts';
import { overloadReason } from './patience.ts';
import { mapLimit } from './plan.ts';
import { SEED_CONCURRENCY, type Log } from './seed.ts';

/** An `expires_at` in the past: HMP then answers 400 to the user's challenge. */
export const EXPIRED = '2000-01-01T00:00:00.000Z';

const without = <T extends { id: number }>(items: T[], id: number): T[] => items.filter((x) => x.id !== id);

const unsupported = (err: unknown) => err instanceof HmpHttpError && (err.status === 404 || err.status === 405);

/**
 * The server removes every test user and $TEST$ project with all their
 * submissions: its count takes in what the tests uploaded, not only what up
 * seeded (the data file's record, which down verifies), so the line says so.
 */
export async function teardownViaLoadTest(admin: HmpClient, log: Log): Promise<void> {
  log('POST /admin/load-test/down ...');
  const out = await admin.loadTestDown();
  log(`server: ${out.message ?? out.status} (all load-test data: the seeded submissions and those the tests uploaded)`);
}

/**
 * Removes through the regular API what it allows: submissions (DELETE, as
 * the student who uploaded them: the admin's level may not write
 * RESTRICTED objects), then projects and users when the server has DELETE
 * for them; otherwise projects are emptied and users expired, and what
 * remains is reported.
 *
 * `left` (a copy of the record) is pruned first of what the server no
 * longer lists (removed by an earlier run, or whose answer was lost in a
 * stall), then of each item as its removal is answered: after a failure it
 * lists what may still be there, and a later attempt deletes nothing twice.
 * Returns what could not be removed, in words, for the final message.
 */
export async function teardownViaApi(admin: HmpClient, left: TestData, log: Log): Promise<string[]> {
  const remaining: string[] = [];
  const listed = async (have: unknown[], list: () => Promise<Array<{ id: number }>>) =>
    new Set(have.length === 0 ? [] : (await list()).map((x) => x.id));
  const recorded = left.submissions.length;
  const [subs, projects, users] = await Promise.all([
    listed(left.submissions, () => admin.listSubmissions()),
    listed(left.projects, () => admin.listProjects()),
    listed([...left.students, ...left.instructors], () => admin.listUsers()),
  ]);
  left.submissions = left.submissions.filter((s) => subs.has(s.id));
  left.projects = left.projects.filter((p) => projects.has(p.id));
  left.students = left.students.filter((u) => users.has(u.id));
  left.instructors = left.instructors.filter((u) => users.has(u.id));

  const present = [...left.submissions];
  if (present.length > 0) {
    const students = new Map<number, AccountRecord>(left.students.map((s) => [s.id, s]));
    const sessions = new Map<number, Promise<HmpClient>>();
    const sessionOf = (studentId: number): Promise<HmpClient> => {
      let session = sessions.get(studentId);
      if (!session) {
        const student = students.get(studentId);
        const client = admin.withToken(undefined);
        // A student missing from the record, or unable to log in: fall back to the admin.
        session = student
          ? client.login(student.id, Buffer.from(student.private_key, 'hex')).then(
              () => client,
              (err: unknown) => (overloadReason(err) === undefined ? admin : Promise.reject(err)), // a stall is waited out, not worked around
            )
          : Promise.resolve(admin);
        sessions.set(studentId, session);
      }
      return session;
    };
    await mapLimit(present, SEED_CONCURRENCY, async (s) => {
      await (await sessionOf(s.student_id)).deleteSubmission(s.id);
      left.submissions = without(left.submissions, s.id);
    });
    const gone = recorded - present.length; // by an earlier attempt, or by hand
    log(`deleted ${present.length} seeded submissions${gone > 0 ? ` (${gone} more were gone already)` : ''}`);
  }

  let canDeleteProjects = true;
  let emptied = 0;
  const projectsLeft = [...left.projects];
  for (const p of projectsLeft) {
    if (canDeleteProjects) {
      try {
        await admin.deleteProject(p.id);
        left.projects = without(left.projects, p.id);
        continue;
      } catch (err) {
        if (!unsupported(err)) throw err;
        canDeleteProjects = false;
        log(`${(err as HmpHttpError).endpoint} answered ${(err as HmpHttpError).status}: projects cannot be deleted through this API; emptying them instead`);
      }
    }
    await admin.setProjectStudents(p.id, []);
    emptied++;
  }
  if (canDeleteProjects) log(`deleted ${projectsLeft.length} projects`);
  else remaining.push(`${emptied} emptied $TEST$ projects (no DELETE /project/{id})`);

  let canDeleteUsers = true;
  let expired = 0;
  const usersLeft = [...left.students.map((u) => ['students', u] as const), ...left.instructors.map((u) => ['instructors', u] as const)];
  for (const [key, u] of usersLeft) {
    if (canDeleteUsers) {
      try {
        await admin.deleteUser(u.id);
        left[key] = without(left[key], u.id);
        continue;
      } catch (err) {
        if (!unsupported(err)) throw err;
        canDeleteUsers = false;
        log(`${(err as HmpHttpError).endpoint} answered ${(err as HmpHttpError).status}: users cannot be deleted through this API; expiring them instead`);
      }
    }
    const current = await admin.getUser(u.id);
    const { id: _id, ...fields } = current;
    await admin.updateUser(u.id, { ...fields, expires_at: EXPIRED });
    expired++;
  }
  if (canDeleteUsers) log(`deleted ${usersLeft.length} users`);
  else {
    log(`expired ${expired} users (their login is refused)`);
    remaining.push(`${expired} expired test users (no DELETE /auth/users/{id})`);
  }
  return remaining;
}

/**
 * Checks the data is gone: POST /auth/challenge answers 404 (deleted) or 400
 * (expired) for every recorded user, GET /project/ lists no $TEST$ project,
 * GET /submission/ lists none of the recorded submissions. Returns what is
 * not gone, in words; none when all is.
 */
export async function removalProblems(admin: HmpClient, data: Pick<TestData, 'students' | 'instructors' | 'submissions'>): Promise<string[]> {
  const anonymous = admin.withToken(undefined);
  const users = [...data.students, ...data.instructors];
  const active = await mapLimit(users, SEED_CONCURRENCY, async (u) => {
    try {
      await anonymous.challenge(u.id);
      return true;
    } catch (err) {
      if (err instanceof HmpHttpError && (err.status === 404 || err.status === 400)) return false;
      throw err;
    }
  });
  const activeUsers = users.filter((_, i) => active[i]).map((u) => u.id);
  const testProjects = (await admin.listProjects()).filter((p) => p.title.startsWith(TEST_TITLE_PREFIX.trim()));
  const recorded = new Set(data.submissions.map((s) => s.id));
  const listed = recorded.size === 0 ? [] : (await admin.listSubmissions()).filter((s) => recorded.has(s.id)).map((s) => s.id);
  const problems: string[] = [];
  if (activeUsers.length > 0) {
    problems.push(`${activeUsers.length} test users still get a login challenge (e.g. user ${activeUsers[0]})`);
  }
  if (testProjects.length > 0) {
    problems.push(`GET /project/ still lists ${testProjects.length} $TEST$ projects (e.g. ${testProjects[0]!.id} "${testProjects[0]!.title}")`);
  }
  if (listed.length > 0) {
    problems.push(`GET /submission/ still lists ${listed.length} test submissions (e.g. ${listed[0]})`);
  }
  return problems;
}
