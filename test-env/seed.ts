// `up`'s work on the server: create the test users and projects (through
// /admin/load-test/up or the regular admin API), then upload historical
// submissions as the test students. Everything created is added to `data`
// as soon as it exists, so a failure can be undone exactly.
import { HmpClient, HmpHttpError } from '../lib/hmp-client.ts';
import { PublicKeyCipher, md5Hex, newPrivateKey, publicKeyOf } from '../lib/hmp-crypto.ts';
import type { AccountRecord, TestData } from './data-file.ts';
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
  const publicKey = await publicKeyOf(privateKey);
  const id = await admin.createUser({
    name: user.name,
    surname: user.surname,
    email: user.email,
    confidentiality_level: user.confidentiality_level,
    integrity_levels: user.integrity_levels,
    public_key: Buffer.from(publicKey).toString('base64'),
    expires_at: user.expires_at,
  });
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

  for (const p of plan.projects) {
    const instructor = data.instructors[p.instructorIndex]!;
    const id = await admin.createProject({
      title: p.title,
      syllabus_summary: p.syllabus_summary,
      description: p.description,
      instructor_email: instructor.email,
      deadline: p.deadline,
    });
    data.projects.push({ id, title: p.title, instructor_id: instructor.id });
    instructor.project_ids.push(id);
    await admin.setProjectStudents(id, p.studentIndexes.map((s) => data.students[s]!.email));
    for (const s of p.studentIndexes) data.students[s]!.project_ids.push(id);
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
    let pdf = cache.get(key);
    if (!pdf) {
      pdf = makePdf({ seed: options.seed + key, targetBytes: GENERATED_PDF_BYTES, title: `HMP load test historical submission ${key}` });
      cache.set(key, pdf);
    }
    return pdf;
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
    let session = fresh ? undefined : sessions.get(student.id);
    if (!session) {
      const client = admin.withToken(undefined);
      session = client.login(student.id, Buffer.from(student.private_key, 'hex')).then(() => client);
      sessions.set(student.id, session);
    }
    return session;
  };
  const instructorKey = (projectId: number, client: HmpClient): Promise<Uint8Array> => {
    let key = keys.get(projectId);
    if (!key) {
      key = client.instructorKey(projectId);
      keys.set(projectId, key);
    }
    return key;
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
