// Load shapes in CONCURRENT USERS, as the HMP plan defines them (pure).
//
// A phase file lists Artillery phases that also carry `users`: the number of
// concurrent users at the END of the phase, reached linearly from the level
// the previous phase ended at. `jitter: 0.1` on a phase moves its target by a
// random +-10% every 30-60 s (the plan's spike "micro-bursts").
import { mulberry32 } from './prng.ts';
import { peakShareOf, shareOf, type WorkerShare } from './core/worker-share.ts';

export interface UserPhase {
  name: string;
  /** Seconds, unscaled. */
  duration: number;
  /** Concurrent users at the end of the phase. */
  users: number;
  /** Share (0..1) by which the target moves up and down during this phase. */
  jitter?: number;
}

export interface Segment extends UserPhase {
  /** Seconds from the start of the run, scaled. */
  start: number;
  end: number;
  from: number;
}

export interface JitterStep {
  /** Seconds from the start of the run, scaled. */
  at: number;
  /** Multiplier applied to the segment's level from `at` on. */
  factor: number;
}

export interface Shape {
  segments: Segment[];
  /** Seconds, scaled. */
  total: number;
  timeScale: number;
  seed: number;
  jitter: JitterStep[];
  /** Highest target at any moment, jitter included (this generator's share of it in a distributed run). */
  peak: number;
  /** In a distributed run: this generator's share of the plan's users (core/worker-share.ts); targetAt gives the share. */
  share?: WorkerShare;
  /** The plan's highest target, all generators together (= peak without a share). */
  planPeak?: number;
}

export class ShapeError extends Error {}

/** Jitter interval bounds in unscaled seconds (plan 5.2: "every 30-60s"). */
export const JITTER_INTERVAL = { min: 30, max: 60 } as const;

/** Reads the `users` phases of a phase file; throws ShapeError with one clear sentence. */
export function readUserPhases(phases: unknown): UserPhase[] {
  if (!Array.isArray(phases) || phases.length === 0) {
    throw new ShapeError('config.phases must list at least one phase with a `users` level.');
  }
  return phases.map((raw, i) => {
    const p = raw as Record<string, unknown>;
    const name = typeof p.name === 'string' && p.name ? p.name : `phase ${i + 1}`;
    const duration = Number(p.duration ?? p.pause);
    if (!Number.isFinite(duration) || duration <= 0) {
      throw new ShapeError(`Phase "${name}" needs a positive duration (or pause) in seconds.`);
    }
    const users = Number(p.users);
    if (p.users === undefined || !Number.isInteger(users) || users < 0) {
      throw new ShapeError(`Phase "${name}" needs \`users\`: the whole number of concurrent users at its end.`);
    }
    const out: UserPhase = { name, duration, users };
    if (p.jitter !== undefined) {
      const jitter = Number(p.jitter);
      if (!Number.isFinite(jitter) || jitter < 0 || jitter >= 1) {
        throw new ShapeError(`Phase "${name}": jitter must be a share between 0 and 1 (e.g. 0.1 for +-10%).`);
      }
      out.jitter = jitter;
    }
    return out;
  });
}

/**
 * Jitter steps for one segment: every 30-60 s (scaled) the level moves by a
 * random 2-10% share of the jitter, alternating up and down so both directions
 * occur. The same seed gives the same steps everywhere (main thread, workers).
 */
function jitterSteps(seg: Segment, scale: number, rand: () => number): JitterStep[] {
  const steps: JitterStep[] = [];
  const amplitude = seg.jitter ?? 0;
  if (amplitude <= 0) return steps;
  let direction = rand() < 0.5 ? -1 : 1;
  let at = seg.start;
  for (;;) {
    at += (JITTER_INTERVAL.min + rand() * (JITTER_INTERVAL.max - JITTER_INTERVAL.min)) * scale;
    if (at >= seg.end) break;
    const size = amplitude * (0.2 + 0.8 * rand());
    steps.push({ at, factor: 1 + direction * size });
    direction = -direction;
  }
  return steps;
}

/** The shape of `phases`; with `share`, this generator's part of it (the segments and jitter stay the plan's). */
export function buildShape(phases: UserPhase[], timeScale = 1, seed = 1, share?: WorkerShare): Shape {
  if (!(timeScale > 0)) throw new ShapeError(`The time scale must be a number above 0, got ${timeScale}.`);
  const segments: Segment[] = [];
  let start = 0;
  let from = 0;
  for (const p of phases) {
    const end = start + p.duration * timeScale;
    segments.push({ ...p, start, end, from });
    start = end;
    from = p.users;
  }
  const rand = mulberry32(seed);
  const jitter = segments.flatMap((s) => jitterSteps(s, timeScale, rand));
  const shape: Shape = { segments, total: start, timeScale, seed, jitter, peak: 0 };
  shape.peak = Math.max(0, ...segments.flatMap((s) => [s.from, s.users]), ...jitter.map((j) => targetAt(shape, j.at)));
  shape.planPeak = shape.peak;
  if (share) {
    shape.share = share;
    shape.peak = peakShareOf(shape.planPeak, share);
  }
  return shape;
}

/** Target concurrent users at t (seconds from the start, scaled): the line, rounded, moved by jitter, then this generator's share of it. 0 after the end. */
export function targetAt(shape: Shape, t: number): number {
  const seg = shape.segments.find((s) => t >= s.start && t < s.end);
  if (!seg) return 0;
  const level = seg.from + ((seg.users - seg.from) * (t - seg.start)) / (seg.end - seg.start);
  let factor = 1;
  for (const j of shape.jitter) {
    if (j.at > t) break;
    if (j.at >= seg.start) factor = j.factor;
  }
  return shareOf(Math.max(0, Math.round(level * factor)), shape.share);
}

/** One line a person can read: "0->10 users 120s, hold 10 users 540s, ...". */
export function describeShape(shape: Shape): string {
  const parts = shape.segments.map((s) => {
    const what = s.users === s.from ? `hold ${s.users}` : `${s.from}->${s.users}`;
    return `${what} users ${Math.round(s.duration)}s${s.jitter ? ` +-${Math.round(s.jitter * 100)}%` : ''}`;
  });
  // A staircase of many steps in one line would fill the screen: its first and last steps say its shape.
  if (parts.length > MAX_PARTS) return `${parts.slice(0, 2).join(', ')}, ... ${parts.length - 4} more steps ..., ${parts.slice(-2).join(', ')}`;
  return parts.join(', ');
}

const MAX_PARTS = 6;
