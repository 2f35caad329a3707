// Steps 1 and 8 (I/O): test-env up and down, called in-process through the
// test-env library (the code behind `npm run test-env`), and the checks the
// plan asks for: "VERIFY test_data.json created" and "VERIFY test data
// removed" (down itself checks that every test user's challenge is refused,
// no $TEST$ project and none of the recorded submissions is listed, then
// deletes the data file).
import { existsSync, readFileSync } from 'node:fs';
import { parseTestData, type TestData } from '../../lib/test-data.ts';
import { testEnvDown, testEnvUp, type DownResult } from '../../test-env/index.ts';

export interface Admin {
  target: string;
  credentialsPath: string;
  password: string;
}

/** removed: true when removed and verified, false when nothing was recorded to remove; the counts as test-env down's. */
export type TeardownResult = { removed: boolean; message: string } & NonNullable<DownResult['removed']>;

export class EnvironmentError extends Error {}

/** test-env rejects with a Failure, already one sentence. */
function why(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Reads and checks the data file: complete, for this target, with students and instructors. */
export function verifyDataFile(dataFile: string, target: string): TestData {
  let data: TestData;
  try {
    data = parseTestData(readFileSync(dataFile, 'utf8'));
  } catch (err) {
    throw new EnvironmentError(`the data file ${dataFile} was not created or cannot be read (${(err as Error).message}).`);
  }
  if (!data.complete) throw new EnvironmentError(`the data file ${dataFile} records an incomplete set-up (complete: false).`);
  if (data.target !== target) throw new EnvironmentError(`the data file ${dataFile} describes ${data.target}, not ${target}.`);
  if (data.students.length === 0 || data.instructors.length === 0) throw new EnvironmentError(`the data file ${dataFile} lists no students or no instructors.`);
  return data;
}

export type SetupResult = ReturnType<typeof summaryOf>;

/** What set-up left on the target; `reused`: this target's data file was reused (--resume); `userIds` (no keys): what teardown must make unusable. */
function summaryOf(data: TestData, reused: boolean) {
  return {
    students: data.students.length,
    instructors: data.instructors.length,
    projects: data.projects.length,
    submissions: data.submissions.length,
    via: data.via,
    reused,
    userIds: [...data.students, ...data.instructors].map((u) => u.id),
  };
}

/** Step 1: seeds the target (or reuses this suite's data file for the same target) and verifies the file. */
export async function setUp(admin: Admin, dataFile: string, submissions: number | undefined, log: (line: string) => void): Promise<SetupResult> {
  if (existsSync(dataFile)) {
    let existing: TestData | undefined;
    try {
      existing = parseTestData(readFileSync(dataFile, 'utf8'));
    } catch {
      // not test data: refused below
    }
    if (existing && existing.target === admin.target && existing.complete) {
      log(`reusing the test data already on ${admin.target} (${dataFile})`);
      return summaryOf(verifyDataFile(dataFile, admin.target), true);
    }
    throw new EnvironmentError(
      existing
        ? `the data file ${dataFile} describes test data on ${existing.target}${existing.complete ? '' : ' (incomplete)'}; run "npm run test-env -- down --data ${dataFile} --credentials <admin.bin>" first.`
        : `the data file ${dataFile} exists but is not test data; move it away.`,
    );
  }
  try {
    const up = await testEnvUp({ target: admin.target, credentialsPath: admin.credentialsPath, password: admin.password, dataPath: dataFile, submissions, log });
    log(up.message);
  } catch (err) {
    throw new EnvironmentError(why(err));
  }
  return summaryOf(verifyDataFile(dataFile, admin.target), false);
}

/** Step 8: removes what the data file records and verifies it is gone (test-env down). */
export async function tearDown(admin: Admin, dataFile: string, log: (line: string) => void, waitMs?: number): Promise<TeardownResult> {
  if (!existsSync(dataFile)) {
    return { removed: false, users: 0, projects: 0, submissions: 0, message: 'nothing to remove: no test data was recorded (set-up created nothing, or it was removed already).' };
  }
  let down: DownResult;
  try {
    // No target: down takes it from the data file.
    // Its final line is the step's own PASS line: not said twice.
    down = await testEnvDown({ credentialsPath: admin.credentialsPath, password: admin.password, dataPath: dataFile, log, ...(waitMs !== undefined ? { waitMs } : {}) });
  } catch (err) {
    throw new EnvironmentError(why(err));
  }
  if (existsSync(dataFile)) throw new EnvironmentError(`test-env down finished but the data file ${dataFile} is still there.`);
  return {
    removed: true,
    users: down.removed?.users ?? 0,
    projects: down.removed?.projects ?? 0,
    submissions: down.removed?.submissions ?? 0,
    message: down.message.replace(/^down: /, ''),
  };
}
