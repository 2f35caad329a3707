// Who the users are and what one session does (pure data), from the test
// plan (hmp-load-testing-strategy.md, section 5):
// - MIXES: a scenario's `name` in the YAML selects its mix, the users by role
//   as the cards of a shuffle bag; each VU is dealt one card (a profile) at
//   its first session and keeps it (session.ts).
// - PROFILES: per-session action weights as decks (see Deck in pick.ts) and
//   the think time between actions.

export type Role = 'student' | 'instructor' | 'smoke';
export type ReadKind = 'hash' | 'content';

export interface Profile {
  /** Who the session logs in as; `smoke` logs in as a student, an instructor and the admin. */
  role: Role;
  /** Think time between actions, seconds [min, max] (HMP team's suite: 5-15 s, spike students 2-8 s). */
  thinkS: readonly [number, number];
  /** GET /project/{id} per session. */
  projectDetails: readonly number[];
  /** POST /submission/ per session (0 or 1). */
  uploads: readonly number[];
  /** Submission reads per session (instructors). */
  submissionReads: readonly number[];
  /** What each read fetches. */
  readKinds: readonly ReadKind[];
  /** Conversions per session (0 or 1). */
  conversions: readonly number[];
}

const NONE = [0] as const;
const ONE = [1] as const;

export const PROFILES: Readonly<Record<string, Profile>> = {
  // Plan 5.1, student: login 1x, GET /project/ 1x, GET /project/{id} 1-2x, POST /submission/ 0.2x.
  student: {
    role: 'student',
    thinkS: [5, 15],
    projectDetails: [1, 2],
    uploads: [1, 0, 0, 0, 0],
    submissionReads: NONE,
    readKinds: ['hash'],
    conversions: NONE,
  },
  // Plan 5.1, instructor: login 1x, GET /project/ 1x, GET /project/{id} 1-2x, GET /submission/ 1x,
  // GET /submission/{id}/content or hash 1-3x, POST /pdf-to-audio/execute 0.2x.
  instructor: {
    role: 'instructor',
    thinkS: [5, 15],
    projectDetails: [1, 2],
    uploads: NONE,
    submissionReads: [1, 2, 3],
    readKinds: ['hash', 'content'],
    conversions: [1, 0, 0, 0, 0],
  },
  // Plan 5.2, student: login 1x, GET /project/ 1x, POST /submission/ 1x ("most sessions upload").
  spike_student: {
    role: 'student',
    thinkS: [2, 8],
    projectDetails: NONE,
    uploads: ONE,
    submissionReads: NONE,
    readKinds: ['content'],
    conversions: NONE,
  },
  // Plan 5.2, instructor: login 1x, GET /project/ 1x, GET /submission/ 1x,
  // GET /submission/{id}/content 1-2x, POST /pdf-to-audio/execute 0.5x.
  spike_instructor: {
    role: 'instructor',
    thinkS: [5, 15],
    projectDetails: NONE,
    uploads: NONE,
    submissionReads: [1, 2],
    readKinds: ['content'],
    conversions: [1, 0],
  },
  // Smoke (plan 6.1 and section 3): every critical endpoint once per session, both roles
  // and the admin. Short think times: a session must fit in the plan's 2-minute smoke test.
  smoke: {
    role: 'smoke',
    thinkS: [1, 3],
    projectDetails: ONE,
    uploads: ONE,
    submissionReads: [2],
    readKinds: ['hash', 'content'],
    conversions: ONE,
  },
};

/**
 * The users of a scenario: cards per profile in the per-worker shuffle bag
 * VUs are dealt their role from. The shares hold exactly over every full bag,
 * so 10 VUs of the average mix are 8 students and 2 instructors, where a
 * random pick per VU gives no instructor at all in ~11% of runs.
 */
export type Mix = Readonly<Record<string, number>>;

export const MIXES: Readonly<Record<string, Mix>> = {
  // Plan 5.1: ~80% students, ~20% instructors (the load, stress, soak and breakpoint tests).
  average: { student: 4, instructor: 1 },
  // Plan 5.2: ~95% students, ~5% instructors.
  spike: { spike_student: 19, spike_instructor: 1 },
  // Plan 6.1: one profile that plays a student, an instructor and the admin in every session.
  smoke: { smoke: 1 },
};

export class ProfileError extends Error {}

export function profileNamed(name: string | undefined): Profile {
  const profile = name === undefined || !Object.hasOwn(PROFILES, name) ? undefined : PROFILES[name];
  if (!profile) {
    throw new ProfileError(
      `there is no session profile "${name ?? '(none)'}": known are ${Object.keys(PROFILES).join(', ')} (processors/profiles.ts)`,
    );
  }
  return profile;
}

export function mixNamed(name: string | undefined): Mix {
  const mix = name === undefined || !Object.hasOwn(MIXES, name) ? undefined : MIXES[name];
  if (!mix) {
    throw new ProfileError(
      `scenario "${name ?? '(unnamed)'}" has no role mix: name it one of ${Object.keys(MIXES).join(', ')} (processors/profiles.ts)`,
    );
  }
  return mix;
}

/** The mix as the cards of its shuffle bag: each profile name `count` times. */
export function mixCards(mix: Mix): string[] {
  return Object.entries(mix).flatMap(([profile, count]) => Array.from({ length: count }, () => profile));
}
