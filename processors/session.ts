// One session = one pass through a scenario's `loop` (the session loop
// contract with the closed-model plugin): `beginSession` starts it,
// `endSession` closes it, `userStaysOn` (the loop's whileTrue) decides
// whether the VU runs another one.
//
// With the plugin loaded, globalThis.hmpLoad.gate decides: beginSession
// awaits gate.beginSession(context) (false = leave now), userStaysOn asks
// gate.staysOn(), and think times go through gate.think (which may end the
// session early: $hmpYielded). Without it, a VU runs
// HMP_SESSIONS_PER_VU sessions (default 1) and leaves: Artillery's plain
// open model.
//
// A VU's role (its profile) is dealt at its first session (roles.ts); the
// scenario's name says from which mix.
import { preloadPdfs } from './fixtures.ts';
import { warmUpFetch } from './relogin.ts';
import { count, histogram, metric } from './metrics.ts';
import { Deck, pickOne, type Rand } from './pick.ts';
import { NOT_FAILED } from '../plugins/artillery-plugin-hmp/skipped.ts';
import { mixNamed, profileNamed, type Profile } from './profiles.ts';
import { workerRand } from './random.ts';
import { RoleDealer } from './roles.ts';
import { settings } from './settings.ts';
import { adminIdentity } from './smoke.ts';
import type { AccountRecord } from '../lib/test-data.ts';
import { readTestData, usersOf, type Users } from './test-data.ts';
import { hmpLoad, pause } from './think.ts';
import type { Ee, VuContext } from './types.ts';
import { newConversion, vars, type Identity } from './vars.ts';

// --- rolling the per-session weights (pure apart from the decks' state) ---

/** The profile's weights drawn per session, each a deck. */
const DECKED = ['projectDetails', 'uploads', 'submissionReads', 'readKinds', 'conversions'] as const;
export type SessionDecks = { [K in (typeof DECKED)[number]]: Deck<Profile[K][number]> };

export function decksFor(profile: Profile, rand: Rand): SessionDecks {
  return Object.fromEntries(DECKED.map((k) => [k, new Deck<unknown>(profile[k], rand)])) as SessionDecks;
}

/** What this session does. The smoke profile reads its kinds in order (hash, then content). */
export function rollSession(profile: Profile, decks: SessionDecks) {
  const reads = decks.submissionReads.draw();
  return {
    projectDetails: decks.projectDetails.draw(),
    uploads: decks.uploads.draw(),
    reads: profile.role === 'smoke'
      ? profile.readKinds.slice(0, reads)
      : Array.from({ length: reads }, () => decks.readKinds.draw()),
    conversions: decks.conversions.draw(),
  };
}

// --- per worker ---

const decks = new Map<string, SessionDecks>();
let dealer: RoleDealer | undefined;
let users: Users | undefined;
let warnedTarget = false;
let warnedData = false;

function workerUsers(target: unknown): Users {
  try {
    users ??= usersOf(readTestData(settings().testDataPath), workerRand());
  } catch (err) {
    if (!warnedData) console.error(`hmp: ${(err as Error).message}`);
    warnedData = true;
    throw err;
  }
  if (!warnedTarget && typeof target === 'string' && users.data.target.replace(/\/+$/, '') !== target.replace(/\/+$/, '')) {
    warnedTarget = true;
    console.warn(`hmp: the test data was made for ${users.data.target} but this run targets ${target}: logins will fail unless both are the same server`);
  }
  return users;
}

function identity(account: AccountRecord, role: Identity['role']): Identity {
  return { id: account.id, privateKeyHex: account.private_key, role, projectIds: [...account.project_ids] };
}

// --- the steps ---

export async function beginSession(context: VuContext, ee: Ee): Promise<void> {
  const v = vars(context);
  mixNamed(context.scenario?.name); // a scenario without a mix fails at once, saying which names exist
  // At the worker's first session (all VUs arrive and park at the start), not mid-run:
  preloadPdfs();
  warmUpFetch();
  // Between two sessions the user pauses like between two actions, so a
  // failed session is not retried in a tight loop.
  if ((v.hmpSessions ?? 0) > 0) await pause(context);

  const gate = hmpLoad()?.gate;
  if (gate && !(await gate.beginSession(context))) {
    v.sessionLeft = true;
    return;
  }

  const rand = workerRand();
  const all = workerUsers(context.vars.target);
  // Dealt once, after the gate let the VU in: parked VUs that never run take no card.
  if (v.profileName === undefined) {
    dealer ??= new RoleDealer(rand);
    v.profileName = dealer.deal(context.scenario?.name, settings().role);
    count(ee, metric.role(profileNamed(v.profileName).role));
  }
  const profileName = v.profileName;
  const profile = profileNamed(profileName);
  let roll = decks.get(profileName);
  if (!roll) decks.set(profileName, (roll = decksFor(profile, rand)));
  const plan = rollSession(profile, roll);

  Object.assign(v, {
    hmpSessions: (v.hmpSessions ?? 0) + 1,
    ...NOT_FAILED,
    partFailed: false,
    sessionLeft: false,
    sessionStartedAt: Date.now(),
    profile,
    token: undefined,
    challenge: undefined,
    cast: undefined,
    plannedDetails: plan.projectDetails,
    plannedReads: plan.reads,
    projectPicks: [],
    uploadPicks: [],
    readPicks: [],
    conversionPicks: plan.conversions > 0 && settings().conversions ? [1] : [],
    project: undefined,
    upload: undefined,
    read: undefined,
    instructorKey: undefined,
    pendingUpload: undefined,
    lastUpload: undefined,
    conv: newConversion(),
    auditWindow: undefined,
  });

  if (profile.role === 'smoke') {
    const student = identity(all.students.next(), 'student');
    v.cast = { student, instructor: identity(all.instructors.next(), 'instructor'), admin: await adminIdentity() };
    v.me = student;
  } else {
    v.me = identity(profile.role === 'student' ? all.students.next() : all.instructors.next(), profile.role);
  }
  const student = profile.role === 'smoke' ? v.cast!.student : v.me;
  if (plan.uploads > 0 && student.role === 'student') {
    const projectId = pickOne(student.projectIds, rand);
    if (projectId === undefined) count(ee, metric.session('no_project'));
    else v.uploadPicks = [{ projectId }];
  }

  count(ee, metric.session(profile.role));
  count(ee, metric.plan('project_detail'), plan.projectDetails);
  count(ee, metric.plan('upload'), v.uploadPicks.length);
  count(ee, metric.plan('submission_read'), plan.reads.length);
  count(ee, metric.plan('conversion'), plan.conversions);
}

export async function endSession(context: VuContext, ee: Ee): Promise<void> {
  const v = vars(context);
  if (v.sessionLeft) return;
  const failed = v.sessionFailed || v.partFailed || context.vars.$hmpRequestFailed === true;
  const outcome = failed ? 'failed' : context.vars.$hmpYielded === true ? 'yielded' : 'completed';
  count(ee, metric.session(outcome));
  count(ee, metric.session(`${outcome}.${v.profile.role}`));
  histogram(ee, metric.session('duration'), Date.now() - v.sessionStartedAt);
}

/** The session loop's whileTrue (callback style, checked after each session). */
export function userStaysOn(context: VuContext, next: (stay: boolean) => void): void {
  const v = vars(context);
  if (v.sessionLeft) return next(false);
  const gate = hmpLoad()?.gate;
  if (!gate) return next((v.hmpSessions ?? 0) < settings().sessionsPerVu);
  Promise.resolve()
    .then(() => gate.staysOn())
    .then(
      (stay) => next(stay === true),
      (err: unknown) => {
        console.error(`hmp: the session gate failed (${(err as Error).message}); this VU leaves`);
        next(false);
      },
    );
}
