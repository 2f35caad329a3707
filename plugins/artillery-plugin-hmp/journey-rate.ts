// The request rate a number of users makes (pure). Users are not comparable
// across think times: 10 users thinking 0.5-1.5 s send about as much as 60
// thinking 5-15 s. The breakpoint's capacity in req/s is compared with what
// the plan's goals need at the journeys' own think time, estimated here from
// the journeys' profiles (processors/profiles.ts, read by journeys-of-run.ts):
//   requests per user per second = requests per session / (the session's
//   thinks x the mean think + its requests x the measured mean latency),
// per profile, averaged over the mix (each user keeps one profile).

/** The part of a session profile (processors/profiles.ts Profile) the rate needs. */
export interface JourneyProfile {
  role: string;
  thinkS: readonly [number, number];
  projectDetails: readonly number[];
  uploads: readonly number[];
  submissionReads: readonly number[];
  conversions: readonly number[];
}

export interface Journeys {
  /** Profile name -> cards in the mix's shuffle bag (processors/profiles.ts MIXES). */
  mix: Record<string, number>;
  profiles: Record<string, JourneyProfile>;
}

/** Seconds [min, max] per profile of the mix. */
export type ThinkRanges = Record<string, readonly [number, number]>;

const mean = (deck: readonly number[]) => (deck.length ? deck.reduce((a, b) => a + b, 0) / deck.length : 0);

// A conversion as the journeys send it: v1.1 asks for an upload key, executes
// and fetches the audio (and polls between); v1.0 executes (and fetches the
// server's key once). Three is the usual; it is 4% of the sessions' requests.
const CONVERSION_REQUESTS = 3;

/**
 * Requests and think pauses of one session of a profile, on average, as
 * scenarios/average-mix.yml runs it: a think between sessions; login
 * (challenge + login), a think, the project list; a think and a request per
 * project detail; a think and two requests (instructor key, create) per
 * upload; instructors: a think and the submission list, a think and a
 * request per read, a think and a conversion per conversion.
 */
export function sessionOf(p: JourneyProfile): { requests: number; thinks: number } {
  const details = mean(p.projectDetails);
  const uploads = mean(p.uploads);
  const instructor = p.role === 'instructor';
  const reads = instructor ? mean(p.submissionReads) : 0;
  const conversions = instructor ? mean(p.conversions) : 0;
  return {
    requests: 3 + details + 2 * uploads + (instructor ? 1 + reads + CONVERSION_REQUESTS * conversions : 0),
    thinks: 2 + details + uploads + (instructor ? 1 + reads + conversions : 0),
  };
}

function weights(j: Journeys): Array<[JourneyProfile, number, string]> {
  return Object.entries(j.mix)
    .filter(([name, w]) => w > 0 && Object.hasOwn(j.profiles, name))
    .map(([name, w]) => [j.profiles[name]!, w, name]);
}

/** Requests and thinks of a session averaged over the mix's users. */
export function mixSession(j: Journeys): { requests: number; thinks: number } {
  const ws = weights(j);
  const total = ws.reduce((a, [, w]) => a + w, 0);
  if (total === 0) return { requests: 0, thinks: 0 };
  let requests = 0;
  let thinks = 0;
  for (const [p, w] of ws) {
    const s = sessionOf(p);
    requests += (w * s.requests) / total;
    thinks += (w * s.thinks) / total;
  }
  return { requests, thinks };
}

/**
 * Requests per second one user of the mix makes when each profile thinks
 * `think` (seconds, per profile name; the profile's own when absent) and a
 * request takes `latencyS` on average; undefined when the mix is empty.
 */
export function perUserRate(j: Journeys, latencyS: number, think: ThinkRanges = {}): number | undefined {
  const ws = weights(j);
  const total = ws.reduce((a, [, w]) => a + w, 0);
  if (total === 0) return undefined;
  let rate = 0;
  for (const [p, w, name] of ws) {
    const s = sessionOf(p);
    const [min, max] = Object.hasOwn(think, name) ? think[name]! : p.thinkS;
    const sessionS = s.thinks * ((min + max) / 2) + s.requests * Math.max(0, latencyS);
    // A session with neither think nor latency has no rate to speak of.
    if (!(sessionS > 0)) return undefined;
    rate += (w * s.requests) / sessionS / total;
  }
  return rate;
}

/** The journeys' own think ranges (seconds) per profile of the mix. */
export function journeyThink(j: Journeys): ThinkRanges {
  return Object.fromEntries(weights(j).map(([p, , name]) => [name, p.thinkS]));
}

/** Whether two think ranges agree for every profile of the mix (to 1%: a time scale of 1 leaves them as they are). */
export function sameThink(a: ThinkRanges, b: ThinkRanges): boolean {
  const close = (x: number, y: number) => Math.abs(x - y) <= 0.01 * Math.max(Math.abs(x), Math.abs(y), 1e-9);
  const names = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const n of names) {
    const x = Object.hasOwn(a, n) ? a[n] : undefined;
    const y = Object.hasOwn(b, n) ? b[n] : undefined;
    if (!x || !y || !close(x[0], y[0]) || !close(x[1], y[1])) return false;
  }
  return true;
}
