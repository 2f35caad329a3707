// Stop when the server is gone (pure): a stress, spike or soak whose server
// has answered nothing, neither the load nor GET /health, for
// `stopWhenGone.limitMin` minutes of real time (never scaled: a compressed
// run waits the same minutes as the plan) is stopped, so a 3-hour soak
// against a server that died in its first minutes does not run to its end.
// An answer is any HTTP status, as the suite's probes count one
// (suite/run/probe.ts); a timeout or no connection is none. The load's
// answers are known per reported 10 s period (Artillery's, a few seconds
// after it ends), /health's per probe: the silence must be shown by both
// over the whole limit, so the stop comes within a period or so after it.
import { ARTILLERY, endpointCounters } from './core/metric-names.ts';
import { PERIOD_S } from './core/run-length.ts';
import type { RawPeriod } from './core/results.ts';
import type { TestType } from './core/criteria.ts';

/** The tests that stop when the server is gone (the breakpoint stops itself; smoke and average are short). */
export const GONE_WATCHED: readonly TestType[] = ['stress', 'spike', 'soak'];

/** What made the run stop: recorded with the results (aggregate.hmp.checks.serverGone, core/criteria.ts Measured). */
export interface GoneFinding {
  /** ms since the epoch: the last answer (the load's period end or /health's), or the watch's start when none came. */
  since: number;
  /** ms since the epoch: when the stop was decided. */
  stoppedAt: number;
  /** Seconds without any answer when the stop was decided (real time). */
  silentS: number;
  limitMin: number;
  /** Requests the load sent in its periods since its last answer, none answered. */
  unansweredRequests: number;
  /** Why the latest GET /health got no answer (ECONNREFUSED, timeout ...). */
  healthReason: string;
}

/** Answers in one period: any HTTP status, to the engine's requests or the processors' own. */
export function answersOf(stats: Pick<RawPeriod, 'counters'>): number {
  const c = stats.counters ?? {};
  const codes = Object.values(endpointCounters(c).codes).flatMap((byStatus) => Object.values(byStatus));
  return (c[ARTILLERY.responses] ?? 0) + codes.reduce((a, b) => a + b, 0);
}

export class ServerGoneWatch {
  readonly limitMs: number;
  readonly limitMin: number;
  /** The latest answer (or the watch's start). */
  #since: number;
  /** The end of the latest reported period: the load's silence is known up to here. */
  #reportedUntil: number;
  /** The latest GET /health sent that got no answer, and why. */
  #healthFailedAt = -Infinity;
  #healthReason = '';
  #unanswered = 0;

  constructor(limitMin: number, startedAt: number) {
    this.limitMin = limitMin;
    this.limitMs = limitMin * 60_000;
    this.#since = startedAt;
    this.#reportedUntil = startedAt;
  }

  /** A period of the load as Artillery reported it. */
  period(stats: Pick<RawPeriod, 'period' | 'counters'>): void {
    const end = Number(stats.period) + PERIOD_S * 1000;
    if (!Number.isFinite(end)) return;
    this.#reportedUntil = Math.max(this.#reportedUntil, end);
    if (answersOf(stats) > 0) {
      this.#since = Math.max(this.#since, end);
      this.#unanswered = 0;
    } else this.#unanswered += stats.counters?.[ARTILLERY.requests] ?? 0;
  }

  /** One GET /health: sent at `sentAt`; answered at `at` (any status), or not (reason). */
  health(sentAt: number, outcome: { answeredAt: number } | { reason: string }): void {
    if ('answeredAt' in outcome) this.#since = Math.max(this.#since, outcome.answeredAt);
    else if (sentAt >= this.#healthFailedAt) {
      this.#healthFailedAt = sentAt;
      this.#healthReason = outcome.reason;
    }
  }

  /**
   * The finding when nothing has answered for the limit: the load's reported
   * periods and a GET /health sent after it both show the silence; else undefined.
   */
  check(now: number): GoneFinding | undefined {
    const since = this.#since;
    const shown = Math.min(this.#reportedUntil, this.#healthFailedAt, now);
    if (shown - since < this.limitMs) return undefined;
    return { since, stoppedAt: now, silentS: Math.round((now - since) / 100) / 10, limitMin: this.limitMin, unansweredRequests: this.#unanswered, healthReason: this.#healthReason };
  }
}

/** How often GET /health is sent (and how long each waits): a tenth of the limit, from 1 to 5 s. */
export function probeEveryMs(limitMin: number): number {
  return Math.round(Math.min(5000, Math.max(1000, (limitMin * 60_000) / 10)));
}

/** Seconds in words: "12 s", "3 min 5 s". */
const duration = (s: number) => (s < 120 ? `${Math.round(s)} s` : `${Math.floor(s / 60)} min${Math.round(s % 60) ? ` ${Math.round(s % 60)} s` : ''}`);
const utc = (ms: number) => `${new Date(ms).toISOString().slice(11, 19)} UTC`;

/**
 * The finding in one sentence, why and when; `plan(ms)` gives a moment on the
 * plan's clock ("plan 00:41"), when the run has one.
 */
export function goneWords(f: GoneFinding, plan?: (ms: number) => string | undefined): string {
  const at = (ms: number) => `${utc(ms)}${plan?.(ms) ? ` (${plan(ms)})` : ''}`;
  const load = f.unansweredRequests > 0 ? `the load (${f.unansweredRequests} requests sent since, none answered)` : 'the load';
  return (
    `the server is gone: nothing answered, neither ${load} nor GET /health (${f.healthReason || 'no answer'}), ` +
    `from ${at(f.since)} for ${duration(f.silentS)} (stopWhenGone.limitMin: ${f.limitMin} min of real time); the run was stopped at ${at(f.stoppedAt)}`
  );
}
