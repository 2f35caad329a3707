// Every request of a run placed on a one-second grid (pure), from the
// request log (core/stalls.ts parseRequestLog): how many were sent, answered
// well and failed in each second, and each failure by endpoint and kind.
// Periods of 10 s blur a 30 s database outage into "some errors in four
// periods"; the diagnosis (diagnosis/) names its start and end to the second
// from this. A failure here is what the server did wrong: a 5xx answer or no
// answer (reset, refused, client timeout); 4xx answers are the client's own.
import type { RequestSpan } from './stalls.ts';

export interface RequestTimeline {
  /** Epoch ms of second 0 (the first request's second). */
  t0: number;
  /** Per second from t0: requests sent. */
  sent: number[];
  /** Per second: requests answered below 500. */
  ok: number[];
  /** Per second: requests that failed (5xx, or no answer). */
  failed: number[];
  /** Per second: requests still in flight at its end. */
  inFlight: number[];
  /** [second, endpoint, kind ('500', 'refused', 'reset_reused', 'timeout', ...), count], by second. */
  failures: Array<[number, string, string, number]>;
}

/** What a failed request's failure was: its 5xx status, its connection class, or 'timeout'/'no_answer'; undefined when it did not fail. */
export function failureOf(r: RequestSpan): string | undefined {
  if (r.end === 'a') return r.status !== undefined && r.status >= 500 ? String(r.status) : undefined;
  if (r.end === 't') return 'timeout';
  if (r.end === 'x') return r.cls ?? 'no_answer';
  return undefined;
}

export function timelineOf(spans: RequestSpan[]): RequestTimeline | undefined {
  if (spans.length === 0) return undefined;
  const t0 = Math.floor(Math.min(...spans.map((r) => r.t0)) / 1000) * 1000;
  const last = Math.max(...spans.map((r) => r.t1 ?? r.t0));
  const n = Math.floor((last - t0) / 1000) + 1;
  const zeros = () => new Array<number>(n).fill(0);
  const sent = zeros();
  const ok = zeros();
  const failed = zeros();
  const delta = zeros();
  const byKey = new Map<string, [number, string, string, number]>();
  const sec = (t: number) => Math.min(n - 1, Math.floor((t - t0) / 1000));
  for (const r of spans) {
    sent[sec(r.t0)]!++;
    delta[sec(r.t0)]!++;
    if (r.t1 === null) continue;
    const s = sec(r.t1);
    delta[s]!--;
    const f = failureOf(r);
    if (f === undefined) {
      if (r.end === 'a') ok[s]!++;
      continue;
    }
    failed[s]!++;
    const key = `${s}\u0000${r.name}\u0000${f}`;
    const row = byKey.get(key);
    if (row) row[3]++;
    else byKey.set(key, [s, r.name, f, 1]);
  }
  let open = 0;
  const inFlight = delta.map((d) => (open += d));
  const failures = [...byKey.values()].sort((a, b) => a[0] - b[0] || a[1].localeCompare(b[1]));
  return { t0, sent, ok, failed, inFlight, failures };
}
