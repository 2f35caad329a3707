// How far the load per user exceeded the plan's (pure). Under a time scale
// below 1 (or --think) each user thinks less, so it sends several times the
// requests a user of the plan's journeys sends; a verdict against a real
// server then speaks of a heavier load than its user count says. Measured:
// requests sent per user-second of the run; the plan's: the journeys' own
// think time at the run's measured latency (journey-rate.ts).
import type { RawPeriod } from './core/results.ts';
import { ARTILLERY, metric } from './core/metric-names.ts';
import { perUserRate, sameThink } from './journey-rate.ts';
import type { RunJourneysOrWhy } from './journeys-of-run.ts';

export interface LoadPerUser {
  /** Requests a user sent per second in this run. */
  runPerUserReqPerS: number;
  /** Requests a user of the plan's journeys sends per second (their think time, this run's latency). */
  planPerUserReqPerS: number;
  /** run / plan. */
  factor: number;
  /** The think ranges, seconds per profile: the run's (after the time scale) and the journeys'. */
  runThinkS: Record<string, readonly [number, number]>;
  journeyThinkS: Record<string, readonly [number, number]>;
  text: string;
}

const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;
const range = (r: Record<string, readonly [number, number]>) => {
  const all = Object.values(r);
  const lo = Math.min(...all.map((x) => x[0]));
  const hi = Math.max(...all.map((x) => x[1]));
  return `${round(lo, 2)}-${round(hi, 2)} s`;
};

export function loadPerUserOf(periods: RawPeriod[], journeys: RunJourneysOrWhy | undefined): LoadPerUser | undefined {
  if (!journeys || 'why' in journeys) return undefined;
  let requests = 0;
  let userSeconds = 0;
  let latencyMs = 0;
  let answered = 0;
  for (const p of periods) {
    const active = p.summaries?.[metric.usersActive];
    const sent = p.counters?.[ARTILLERY.requests] ?? 0;
    if (!active || !(active.mean > 0)) continue;
    requests += sent;
    userSeconds += active.mean * 10;
    const rt = p.summaries?.[ARTILLERY.responseTime];
    if (rt && rt.count > 0) {
      latencyMs += rt.mean * rt.count;
      answered += rt.count;
    }
  }
  if (userSeconds === 0 || requests === 0) return undefined;
  const latencyS = answered ? latencyMs / answered / 1000 : 0;
  const plan = perUserRate(journeys.journeys, latencyS, journeys.journeyThinkS);
  if (!plan) return undefined;
  const run = requests / userSeconds;
  const factor = run / plan;
  const same = sameThink(journeys.runThinkS, journeys.journeyThinkS);
  const text = same
    ? `each user sent ${round(run, 2)} req/s, thinking the journeys' own ${range(journeys.journeyThinkS)} (the plan's users send about ${round(plan, 2)})`
    : `each user sent ${round(run, 2)} req/s thinking ${range(journeys.runThinkS)}: about ${factor >= 10 ? Math.round(factor) : round(factor, 1)}x what a user of the plan sends thinking ${range(journeys.journeyThinkS)} (about ${round(plan, 2)} req/s); its users are not the plan's users`;
  return { runPerUserReqPerS: round(run, 3), planPerUserReqPerS: round(plan, 3), factor: round(factor, 2), runThinkS: journeys.runThinkS, journeyThinkS: journeys.journeyThinkS, text };
}
