// Light probes beside a test (pure part): their samples as periods in
// Artillery's shape (so suite/recovery.ts judges them like a run), and
// whether the target stopped answering.
import type { Period, Summary } from '../../plugins/artillery-plugin-hmp/core/results.ts';
import { round, summarize } from '../../plugins/artillery-plugin-hmp/core/stats.ts';
import { ARTILLERY, metric } from '../../plugins/artillery-plugin-hmp/core/metric-names.ts';

export interface ProbeSample {
  /** When the probe was sent, ms since the epoch. */
  at: number;
  /** Latency in ms when an HTTP answer came, else null. */
  ms: number | null;
  /** HTTP status, null without an answer. */
  status: number | null;
  /** Failed as a user would see it: 5xx, no answer in time, no connection. */
  error: boolean;
  /** Why it failed ('' when fine): 'status_503', 'timeout', 'ECONNREFUSED'. */
  reason: string;
}

/** The metric name the probes' counters use (plugins.hmp.errors.probe, plugins.hmp.ok.probe). */
export const PROBE = 'probe';

/**
 * Samples grouped in periods of periodMs aligned on `anchor` (e.g. the end of
 * the spike's hold, so the first period after it starts exactly there), as
 * Artillery periods: http.requests (sent), http.responses (answered),
 * plugins.hmp.errors.probe, plugins.hmp.ok.probe, http.response_time (answered latencies).
 * Only periods that end by `until` are included (a period still running is not judged).
 */
export function probePeriods(samples: ProbeSample[], periodMs: number, anchor: number, until = Infinity): Period[] {
  const groups = new Map<number, ProbeSample[]>();
  for (const s of samples) {
    const k = anchor + Math.floor((s.at - anchor) / periodMs) * periodMs;
    const g = groups.get(k);
    if (g) g.push(s);
    else groups.set(k, [s]);
  }
  return [...groups.keys()]
    .sort((a, b) => a - b)
    .filter((k) => k + periodMs <= until)
    .map((k) => {
      const g = groups.get(k)!;
      const latencies = g.filter((s) => s.ms !== null).map((s) => s.ms!);
      const errors = g.filter((s) => s.error).length;
      const p: Period = {
        period: k,
        counters: { [ARTILLERY.requests]: g.length, [ARTILLERY.responses]: latencies.length, [metric.errors(PROBE)]: errors, [metric.ok(PROBE)]: g.length - errors },
        summaries: {},
      };
      const s = summarize(latencies);
      if (s) p.summaries = { [ARTILLERY.responseTime]: s as unknown as Summary };
      return p;
    });
}

export interface Unanswered {
  /** Whether any probe got no answer at all within its timeout (or no connection). */
  stopped: boolean;
  /** Probes without an answer. */
  unanswered: number;
  probes: number;
  /** First probe without an answer, ms since the epoch. */
  firstAt: number | null;
  /**
   * Longest time the target gave no answer, s: from a probe that got none to
   * the first answer to a later probe (or that probe's timeout, if none came).
   */
  longestS: number;
  /** Distinct reasons (timeout, ECONNREFUSED, ...). */
  reasons: string[];
}

/** Did the target stop answering? Any HTTP status counts as an answer; a timeout or no connection does not. */
export function unansweredOf(samples: ProbeSample[], timeoutMs: number): Unanswered {
  const sorted = [...samples].sort((a, b) => a.at - b.at);
  const silent = sorted.filter((s) => s.status === null && s.error);
  let longest = 0;
  for (let i = 0; i < sorted.length; i++) {
    const s = sorted[i]!;
    if (s.status !== null || !s.error) continue;
    if (i > 0 && sorted[i - 1]!.status === null && sorted[i - 1]!.error) continue; // inside a run already measured
    const answers = sorted.slice(i + 1).filter((x) => x.status !== null && x.ms !== null).map((x) => x.at + x.ms!);
    const lastSilent = sorted.slice(i).findLast((x) => x.status === null && x.error)!;
    const end = answers.length ? Math.min(...answers) : lastSilent.at + timeoutMs;
    longest = Math.max(longest, end - s.at);
  }
  return {
    stopped: silent.length > 0,
    unanswered: silent.length,
    probes: sorted.length,
    firstAt: silent[0]?.at ?? null,
    longestS: round(longest / 1000, 1),
    reasons: [...new Set(silent.map((s) => s.reason))],
  };
}

/** Periods for recovery: 10 s x time scale, from 250 ms to 10 s; probes 10 per period (1 req/s unscaled). */
export function recoveryCadence(timeScale: number): { periodMs: number; everyMs: number } {
  const periodMs = Math.round(Math.min(10_000, Math.max(250, 10_000 * timeScale)));
  return { periodMs, everyMs: Math.max(20, Math.round(periodMs / 10)) };
}
