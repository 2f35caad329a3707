// Metric names of one period, grouped by endpoint (pure). The families are
// those of artillery-plugin-metrics-by-endpoint (useOnlyRequestNames) and
// the suite's processors (processors/metrics.ts):
//   plugins.metrics-by-endpoint.response_time.<name>    summary, ms
//   plugins.metrics-by-endpoint.server-timing.<name>    summary, ms (server's own time)
//   plugins.metrics-by-endpoint.<name>.codes.<status>   counter
//   plugins.metrics-by-endpoint.<name>.errors.<code>    counter (no answer)
//   hmp.ok.<name>, hmp.errors.<name>, hmp.errors.<name>.<reason>
import { dict, num, own } from './input.ts';
import type { Stat } from './types.ts';

export const MBE = 'plugins.metrics-by-endpoint.';
export const LATENCY = `${MBE}response_time.`;
export const SERVER_TIMING = `${MBE}server-timing.`;

const CODE = /^plugins\.metrics-by-endpoint\.(.+)\.codes\.(\d{3})$/;
const NO_ANSWER = /^plugins\.metrics-by-endpoint\.(.+)\.errors\.([^.]+)$/;
const ERRORS = /^hmp\.errors\.([^.]+)$/;
const REASON = /^hmp\.errors\.([^.]+)\.(.+)$/;
const OK = /^hmp\.ok\.(.+)$/;
const TIMEOUT = /^(e(socket)?timedout|timeout)$/i;

/** A reason that means the client gave up waiting (ETIMEDOUT, ESOCKETTIMEDOUT, the processors' "timeout"). */
export function isTimeout(reason: string): boolean {
  return TIMEOUT.test(reason);
}

/** A reason that means no answer came: a timeout or a network error code (ECONNREFUSED, ...). */
export function isNoAnswer(reason: string): boolean {
  return (
    isTimeout(reason) ||
    reason === 'unreachable' ||
    reason === 'request_error' ||
    /^E[A-Z0-9_]+$/.test(reason) ||
    /^e(conn|ai_|pipe|host|net|proto)[a-z0-9_]*$/.test(reason)
  );
}

export interface EndpointCounters {
  /** endpoint -> status -> count */
  codes: Record<string, Record<string, number>>;
  /** endpoint -> error code -> count (requests that got no answer) */
  noAnswer: Record<string, Record<string, number>>;
  /** endpoint -> user-visible errors */
  errors: Record<string, number>;
  /** endpoint -> reason -> count */
  reasons: Record<string, Record<string, number>>;
  /** endpoint -> validated successes */
  ok: Record<string, number>;
}

function add(map: Record<string, Record<string, number>>, a: string, b: string, v: number): void {
  const inner = (map[a] ??= dict<number>());
  inner[b] = (inner[b] ?? 0) + v;
}

export function endpointCounters(counters: Record<string, number>): EndpointCounters {
  const out: EndpointCounters = { codes: dict(), noAnswer: dict(), errors: dict(), reasons: dict(), ok: dict() };
  for (const [k, raw] of Object.entries(counters)) {
    const v = num(raw);
    if (v === undefined) continue;
    if (k.startsWith(MBE)) {
      let m = CODE.exec(k);
      if (m) {
        add(out.codes, m[1]!, m[2]!, v);
        continue;
      }
      m = NO_ANSWER.exec(k);
      if (m) add(out.noAnswer, m[1]!, m[2]!, v);
    } else if (k.startsWith('hmp.errors.')) {
      let m = ERRORS.exec(k);
      if (m) {
        out.errors[m[1]!] = (out.errors[m[1]!] ?? 0) + v;
        continue;
      }
      m = REASON.exec(k);
      if (m) add(out.reasons, m[1]!, m[2]!, v);
    } else if (k.startsWith('hmp.ok.')) {
      const m = OK.exec(k);
      if (m) out.ok[m[1]!] = (out.ok[m[1]!] ?? 0) + v;
    }
  }
  return out;
}

/** Summaries under `prefix`, keyed by the rest of the name. */
export function summariesUnder(summaries: Record<string, Stat>, prefix: string): Record<string, Stat> {
  const out = dict<Stat>();
  for (const [k, v] of Object.entries(summaries)) {
    if (k.startsWith(prefix) && typeof v === 'object' && v !== null) out[k.slice(prefix.length)] = v;
  }
  return out;
}

export const sum = (xs: Iterable<number>): number => {
  let s = 0;
  for (const x of xs) s += x;
  return s;
};

/** The worst (highest) value of `field` among a group's endpoints, with the endpoint; undefined without data. */
export function worstOf(latency: Record<string, Stat>, endpoints: string[], field: keyof Stat): { value: number; endpoint: string } | undefined {
  let best: { value: number; endpoint: string } | undefined;
  for (const e of endpoints) {
    const s = own(latency, e);
    const v = s ? num(s[field]) : undefined;
    if (v === undefined || (s && num(s.count) === 0)) continue;
    if (!best || v > best.value) best = { value: v, endpoint: e };
  }
  return best;
}

/** User-visible errors: the sum of hmp.errors.<name> (as the plugin's gates count them). */
export function totalErrors(c: EndpointCounters): number {
  return sum(Object.values(c.errors));
}

export function totalTimeouts(c: EndpointCounters): number {
  let n = 0;
  for (const reasons of Object.values(c.reasons)) for (const [r, v] of Object.entries(reasons)) if (isTimeout(r)) n += v;
  return n;
}
