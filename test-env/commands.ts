// `up` and `down`: the order of the steps, the data file's life cycle and
// what happens on failure (undo, or record what could not be undone). The
// two exported functions are test-env's API: whatever goes wrong, they
// reject with a Failure, one sentence saying what happened and what to do.
// Their inputs are checked first (inputs.ts), and only then is the password
// asked for, when the caller gives a way to ask instead of the password.
import { randomInt } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { TestData, Via } from '../lib/test-data.ts';
import { writeTestData } from './data-file.ts';
import { downInputs, upInputs, type DownInputs, type UpInputs } from './inputs.ts';
import { Failure, downCommand, explain, type ExplainContext, type Explained } from './messages.ts';
import {
  downSettings,
  upSettings,
  type DownOptions,
  type DownResult,
  type DownSettings,
  type UpOptions,
  type UpResult,
  type UpSettings,
} from './options.ts';
import { fmtWait, healthProbe, patiently, ServerStalled } from './patience.ts';
import { adminLogin, openCredentials, type AdminSession } from './session.ts';
import { seedSubmissions, seedViaApi, seedViaLoadTest, type Log } from './seed.ts';
import { removalProblems, teardownViaApi, teardownViaLoadTest } from './teardown.ts';

/** Seeds the target and writes the data file (strategy section 6, step 1). */
export async function testEnvUp(options: UpOptions): Promise<UpResult> {
  const s = upSettings(options);
  const inputs = await upInputs(s);
  const password = await passwordOf(s);
  return asFailure(() => runUp(s, inputs, password), { target: s.target, credentialsPath: s.credentialsPath });
}

/** Removes what the data file records, verifies it is gone and deletes the file (step 8). */
export async function testEnvDown(options: DownOptions): Promise<DownResult> {
  const s = downSettings(options);
  const inputs = await downInputs(s);
  const password = await passwordOf(s);
  return asFailure(() => runDown(s, inputs, password), { target: inputs.target, credentialsPath: s.credentialsPath });
}

/** The password given, or asked for now (its errors, such as an interrupted prompt, reach the caller as they are). */
function passwordOf(s: { password: string | (() => Promise<string>) }): Promise<string> {
  return typeof s.password === 'string' ? Promise.resolve(s.password) : s.password();
}

/** Any error that is not yet a Failure is put into words here, so callers get one kind. */
async function asFailure<T>(run: () => Promise<T>, ctx: ExplainContext): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof Failure) throw err;
    throw new Failure(explain(err, ctx), 1, err);
  }
}

function context(session: AdminSession | undefined, target: string, opts: { credentialsPath: string }): ExplainContext {
  return { target, credentialsPath: opts.credentialsPath, userId: session?.userId };
}

/**
 * Removes what `data` records, verifies it is gone; throws a Failure otherwise.
 * `left` (via api) is pruned as items are removed; see teardownViaApi.
 */
async function removeAndVerify(session: AdminSession, data: TestData, via: Via, log: Log, left = structuredClone(data)): Promise<void> {
  const remaining = via === 'load-test' ? (await teardownViaLoadTest(session.client, log), []) : await teardownViaApi(session.client, left, log);
  log('verifying that the test data is gone ...');
  const problems = await removalProblems(session.client, data);
  if (problems.length > 0) {
    const hint =
      via === 'api' && remaining.length > 0
        ? `what the regular API cannot remove stays (${remaining.join(', ')}): if the server has /admin/load-test/down run "down --via load-test", otherwise remove it in the database`
        : 'look at the server, then run down again';
    throw new Failure({ what: `verification failed on ${session.target}: ${problems.join('; ')}`, todo: hint });
  }
}

const count = (d: TestData) => d.students.length + d.instructors.length + d.projects.length + d.submissions.length;

async function runDown(opts: DownSettings, { credentials, data, target }: DownInputs, password: string): Promise<DownResult> {
  const creds = await openCredentials(opts.credentialsPath, credentials, password);
  const via = opts.via ?? data?.via ?? 'load-test';
  // What is still to remove, written back after a failed attempt so the data file lists only that.
  const left = data && structuredClone(data);
  let written = data && count(data);
  let session: AdminSession | undefined;
  const attempt = async () => {
    session = await adminLogin(target, opts.credentialsPath, creds, opts.timeoutMs);
    if (!data) {
      await teardownViaLoadTest(session.client, opts.log);
      const problems = await removalProblems(session.client, { students: [], instructors: [], submissions: [] });
      if (problems.length > 0) throw new Failure({ what: `verification failed on ${target}: ${problems.join('; ')}`, todo: 'look at the server, then run down --force again' });
      return;
    }
    try {
      await removeAndVerify(session, data, via, opts.log, left);
    } catch (err) {
      const now = count(left!);
      if (now !== written) {
        // Best effort: the old, longer record is still safe to run down with (teardownViaApi skips what is gone).
        await writeTestData(opts.dataPath, left!).then(() => (written = now), (e: Error) => opts.log(`cannot update ${opts.dataPath} (${e.message})`));
      }
      throw err;
    }
  };
  try {
    await patiently(attempt, { limitMs: opts.waitMs, log: opts.log, probe: healthProbe(target, opts.timeoutMs) });
  } catch (err) {
    const kept = data ? `the data file ${opts.dataPath} is kept${written === count(data) ? '' : ' and lists what is left'}` : '';
    if (err instanceof ServerStalled) {
      const again = downCommand({ target, credentialsPath: resolve(opts.credentialsPath), dataPath: opts.dataPath, via: opts.via, force: !data });
      const finish = `once it answers again, finish with "${again}"`;
      throw new Failure({ what: `${target} did not recover within ${fmtWait(opts.waitMs)} (${err.reason})`, todo: kept ? `${kept}; ${finish}` : finish });
    }
    const e = explain(err, context(session, target, opts));
    throw new Failure({ what: e.what, todo: `${e.todo ?? 'fix the cause'}${kept && ` (${kept})`}` });
  }
  if (!data) {
    return { target, dataPath: opts.dataPath, removed: undefined, message: `down: removed the load-test data on ${target} (no data file, so test users were not checked one by one)` };
  }
  await rm(opts.dataPath, { force: true });
  const removed = { users: data.students.length + data.instructors.length, projects: data.projects.length, submissions: data.submissions.length };
  // The seeded submissions: the ones the data file records and verification checks (the server's own count, logged above, may be higher).
  const message = `down: removed and verified ${removed.users} test users, ${removed.projects} projects and the ${removed.submissions} seeded submissions on ${data.target}; deleted ${opts.dataPath}`;
  return { target: data.target, dataPath: opts.dataPath, removed, message };
}

async function runUp(opts: UpSettings, { credentials, existing, fixture }: UpInputs, password: string): Promise<UpResult> {
  const target = opts.target;
  const via: Via = opts.via;
  const seed = opts.seed ?? randomInt(2 ** 31);

  const session = await adminLogin(target, opts.credentialsPath, await openCredentials(opts.credentialsPath, credentials, password), opts.timeoutMs);

  if (existing) {
    opts.log(`--force: removing the test data recorded in ${opts.dataPath} first`);
    try {
      await removeAndVerify(session, existing, existing.via, opts.log);
    } catch (err) {
      const e = explain(err, context(session, target, opts));
      throw new Failure({ what: `--force could not remove the earlier test data: ${e.what}`, todo: `${e.todo ?? 'fix the cause'} (the data file ${opts.dataPath} is kept)` });
    }
    await rm(opts.dataPath, { force: true });
  }

  const data: TestData = {
    target,
    created_at: new Date().toISOString(),
    via,
    complete: false,
    students: [],
    instructors: [],
    projects: [],
    submissions: [],
  };
  try {
    if (via === 'load-test') await seedViaLoadTest(session.client, data, opts.log);
    else await seedViaApi(session.client, data, opts.sizes, seed, opts.log);
    await seedSubmissions(session.client, data, { count: opts.submissions, seed, fixture }, opts.log);
  } catch (err) {
    const cause = explain(err, context(session, target, opts));
    if (count(data) === 0) throw new Failure(cause);
    throw await undo(session, data, cause, opts);
  }

  data.complete = true;
  try {
    await writeTestData(opts.dataPath, data);
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw await undo(session, data, { what: `cannot write the data file ${opts.dataPath} (${why})`, todo: 'check the path given to --data' }, opts);
  }
  const counts = { students: data.students.length, instructors: data.instructors.length, projects: data.projects.length, submissions: data.submissions.length };
  const message =
    `up: ${counts.students} students, ${counts.instructors} instructors, ${counts.projects} projects and ` +
    `${counts.submissions} submissions on ${target} (via ${via}); recorded in ${opts.dataPath}`;
  return { target, via, dataPath: opts.dataPath, ...counts, message };
}

/** After a failed `up`: remove what was created; if that fails too, record it so `down` can. */
async function undo(session: AdminSession, data: TestData, cause: Explained, opts: UpSettings): Promise<Failure> {
  opts.log('up failed; removing the test data created so far ...');
  try {
    await removeAndVerify(session, data, data.via, opts.log);
    return new Failure({ what: `${cause.what} (the test data created so far was removed and no data file was written)`, todo: cause.todo });
  } catch (undoErr) {
    const what = `${cause.what}, and removing the partial test data failed too (${explain(undoErr, context(session, data.target, opts)).what})`;
    try {
      await writeTestData(opts.dataPath, data); // complete: false
      return new Failure({ what, todo: `what was created is recorded in ${opts.dataPath}: run down once the cause is fixed` });
    } catch {
      return new Failure({
        what,
        todo: 'remove the test users (@hmp.test) and $TEST$ projects on the server by hand, or with "down --force" if it has /admin/load-test/down',
      });
    }
  }
}
