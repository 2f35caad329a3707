// `up`'s work on the server: create the test users and projects (through
// /admin/load-test/up or the regular admin API), then upload historical
// submissions as the test students. Everything created is added to `data`
// as soon as it exists, so a failure can be undone exactly.
import { HmpClient, HmpHttpError } from '../lib/hmp-client.ts';
import { PublicKeyCipher, md5Hex, newPrivateKey, publicKeyOf } from '../lib/hmp-crypto.ts';
import type { AccountRecord, TestData } from '../lib/test-data.ts';
import { mapLimit, planApiSeed, planSubmissions, type ApiSeedSizes, type PlannedUser } from './plan.ts';

/** Requests in flight while seeding: well below HMP's ~15-connection stall point (HMP-API.md, "Capacity"). */
export const SEED_CONCURRENCY = 4;
/** Distinct generated PDFs (encryption makes every upload distinct anyway). */
export const PDF_POOL = 8;
/** Size of a generated historical PDF: list endpoints never return content, so small is enough. */
export const GENERATED_PDF_BYTES = 24 * 1024;

export type Log = (line: string) => void;

function progress(log: Log, label: string, total: number): (done: number) => void {
  const step = Math.max(1, Math.ceil(total / 5));
  return (done) => {
    if (done === total || done % step === 0) log(`${label}: ${done}/${total}`);
  };
}

export async function seedViaLoadTest(admin: HmpClient, data: TestData, log: Log): Promise<void> {
  log('POST /admin/load-test/up ...');
  const fixture = await admin.loadTestUp();
  data.students.push(...fixture.students);
  data.instructors.push(...fixture.instructors);
  data.projects.push(...fixture.projects);
  log(`created ${fixture.students.length} students, ${fixture.instructors.length} instructors, ${fixture.projects.length} projects`);
}

async function createAccount(admin: HmpClient, user: PlannedUser): Promise<AccountRecord> {
  const privateKey = newPrivateKey();
  const id = await admin.createUser({ ...user, public_key: Buffer.from(await publicKeyOf(privateKey)).toString('base64') });
  return { id, email: user.email, private_key: Buffer.from(privateKey).toString('hex'), project_ids: [] };
}

export async function seedViaApi(admin: HmpClient, data: TestData, sizes: ApiSeedSizes, seed: number, log: Log): Promise<void> {
  // One read first: a non-admin gets its 403 here, before anything is created.
  await admin.listUsers();
  const plan = planApiSeed(sizes, seed, new Date());

  // Sequential: each POST is a DB write and the admin API is not a load target.
  for (const user of plan.instructors) data.instructors.push(await createAccount(admin, user));
  const tick = progress(log, 'students created', plan.students.length);
  for (const user of plan.students) {
    data.students.push(await createAccount(admin, user));
    tick(data.students.length);
  }
  log(`created ${data.instructors.length} instructors`);

  for (const { instructorIndex, studentIndexes, ...project } of plan.projects) {
    const instructor = data.instructors[instructorIndex]!;
    const id = await admin.createProject({ ...project, instructor_email: instructor.email });
    data.projects.push({ id, title: project.title, instructor_id: instructor.id });
    instructor.project_ids.push(id);
    await admin.setProjectStudents(id, studentIndexes.map((s) => data.students[s]!.email));
    for (const s of studentIndexes) data.students[s]!.project_ids.push(id);
  }
  log(`created ${data.projects.length} projects and assigned each student to ${Math.min(3, sizes.projects)}-${Math.min(5, sizes.projects)} of them`);
}

export interface SubmissionSeedOptions {
  count: number;
  seed: number;
  /** A PDF to upload every time; undefined = generated PDFs (lib/pdf-fixture.ts). */
  fixture: Uint8Array | undefined;
}

async function pdfSource(options: SubmissionSeedOptions): Promise<(pdfSeed: number) => Promise<Uint8Array>> {
  const fixture = options.fixture;
  if (fixture) return async () => fixture;
  const { makePdf } = await import('../lib/pdf-fixture.ts');
  const cache = new Map<number, Promise<Uint8Array>>();
  return (pdfSeed) => {
    const key = pdfSeed % PDF_POOL;
    const title = `HMP load test historical submission ${key}`;
    if (!cache.has(key)) cache.set(key, makePdf({ seed: options.seed + key, targetBytes: GENERATED_PDF_BYTES, title }));
    return cache.get(key)!;
  };
}

/**
 * Uploads historical submissions as the test students: challenge -> sign ->
 * login once per student, the project's instructor key once per project,
 * the HMP public-key scheme with derivations cached, bounded concurrency.
 * Each upload is recorded (id, project, student, MD5 of the bytes sent).
 */
export async function seedSubmissions(admin: HmpClient, data: TestData, options: SubmissionSeedOptions, log: Log): Promise<void> {
  if (options.count === 0) return;
  const plan = planSubmissions(data.students, options.count, options.seed);
  const pdfFor = await pdfSource(options);
  const cipher = new PublicKeyCipher();
  const sessions = new Map<number, Promise<HmpClient>>();
  const keys = new Map<number, Promise<Uint8Array>>();

  const login = (student: AccountRecord, fresh = false): Promise<HmpClient> => {
    if (fresh || !sessions.has(student.id)) {
      const client = admin.withToken(undefined);
      sessions.set(student.id, client.login(student.id, Buffer.from(student.private_key, 'hex')).then(() => client));
    }
    return sessions.get(student.id)!;
  };
  const instructorKey = (projectId: number, client: HmpClient): Promise<Uint8Array> => {
    if (!keys.has(projectId)) keys.set(projectId, client.instructorKey(projectId));
    return keys.get(projectId)!;
  };

  const tick = progress(log, 'submissions uploaded', plan.length);
  let done = 0;
  await mapLimit(plan, SEED_CONCURRENCY, async (p) => {
    const student = data.students[p.studentIndex]!;
    let client = await login(student);
    const encrypted = await cipher.encrypt(await instructorKey(p.projectId, client), await pdfFor(p.pdfSeed));
    let id: number;
    try {
      id = await client.uploadSubmission(p.projectId, p.title, encrypted);
    } catch (err) {
      // A token can expire mid-seed (lifetime is a server setting): log in again, retry once.
      if (!(err instanceof HmpHttpError && err.status === 401)) throw err;
      client = await login(student, true);
      id = await client.uploadSubmission(p.projectId, p.title, encrypted);
    }
    data.submissions.push({ id, project_id: p.projectId, student_id: student.id, md5: md5Hex(encrypted) });
    tick(++done);
  });
  data.submissions.sort((a, b) => a.id - b.id);
}
