// Turns a shape in concurrent users into the Artillery arrivals that feed the
// closed model (pure). Every VU arrives early and parks in the gate, which
// admits it when the target rises: the shape is drawn by the gate, not by the
// timing of arrivals. A trickle of spare VUs through the run replaces users
// lost to request errors (Artillery ends a VU on a timeout or a refused
// connection). Only arrivalCount phases: Artillery gives all of them to one
// worker, so one gate sees every user.
import type { Shape } from './shape.ts';

export interface ArrivalPhase {
  name: string;
  /** "<ms>ms": Artillery rejects fractional seconds but takes ms strings. */
  duration: string;
  arrivalCount?: number;
  pause?: number;
  /** The shape's parameters, for the worker's gate (first phase only). */
  hmp?: unknown;
}

/** Seconds (scaled) during which the whole pool arrives. */
const ARRIVE_WINDOW = 2;

const ms = (seconds: number) => `${Math.max(1, Math.round(seconds * 1000))}ms`;

export function arrivalPhases(shape: Shape, payload: unknown): ArrivalPhase[] {
  const pool = shape.peak + Math.max(2, Math.ceil(shape.peak * 0.1)); // 10% spares, at least 2
  const first = Math.min(ARRIVE_WINDOW, (shape.segments[0]!.end - shape.segments[0]!.start) / 2);
  const phases: ArrivalPhase[] = [{ name: 'users arrive and park (closed model)', duration: ms(first), arrivalCount: pool, hmp: payload }];
  let consumed = first;
  for (const seg of shape.segments) {
    const duration = seg.end - Math.max(seg.start, consumed);
    if (duration <= 0) continue;
    consumed = seg.end;
    // About one spare per minute of the shape (unscaled), at least one per phase.
    const spares = Math.max(1, Math.round(seg.duration / 60));
    phases.push({ name: seg.name, duration: ms(duration), arrivalCount: spares });
  }
  return phases;
}
