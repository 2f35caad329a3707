// The per-endpoint table (pure): requests, req/s, error %, timeouts,
// latency percentiles, the server's own p99 and status codes.
import { counters, num, own, summaries } from '../plugins/artillery-plugin-hmp/core/results.ts';
import { dict, endpointCounters, isNoAnswer, isTimeout, LATENCY_PREFIX, SERVER_TIMING_PREFIX, summariesUnder, type EndpointCounters } from '../plugins/artillery-plugin-hmp/core/metric-names.ts';
import { round } from '../plugins/artillery-plugin-hmp/core/stats.ts';
import { sum } from './metrics.ts';
import type { EndpointRow, Period, Stat } from './types.ts';

/** Requests an endpoint sent: answers plus requests that got none. */
export function requestsOf(c: EndpointCounters, name: string): { requests: number; responses: number } {
  const responses = sum(Object.values(own(c.codes, name) ?? {}));
  const noAnswer = sum(Object.values(own(c.noAnswer, name) ?? {}));
  const noAnswerReasons = sum(Object.entries(own(c.reasons, name) ?? {}).filter(([r]) => isNoAnswer(r)).map(([, v]) => v));
  return { requests: responses + Math.max(noAnswer, noAnswerReasons), responses };
}

export function endpointRows(agg: Period, groups: Record<string, string[]>, slo: Record<string, number>, alsoList: string[], durationS: number): EndpointRow[] {
  const c = endpointCounters(counters(agg));
  const latency = summariesUnder(summaries(agg), LATENCY_PREFIX);
  const server = summariesUnder(summaries(agg), SERVER_TIMING_PREFIX);
  const names = new Set<string>([
    ...alsoList,
    ...Object.keys(c.codes),
    ...Object.keys(c.noAnswer),
    ...Object.keys(c.errors),
    ...Object.keys(c.reasons),
    ...Object.keys(c.ok),
    ...Object.keys(latency),
  ]);
  // endpoint -> its group (the first that lists it); the groups' endpoints first, in their order.
  const groupOf = new Map<string, string>();
  for (const [g, list] of Object.entries(groups)) for (const n of list) if (!groupOf.has(n)) groupOf.set(n, g);
  const order = new Map([...groupOf.keys()].map((n, i) => [n, i]));

  const q = (s: Stat | undefined, f: keyof Stat) => (s ? (num(s[f]) ?? null) : null);
  const rows = [...names].map((name): EndpointRow => {
    const { requests, responses } = requestsOf(c, name);
    const errors = own(c.errors, name) ?? 0;
    const timeouts = sum(Object.entries(own(c.reasons, name) ?? {}).filter(([r]) => isTimeout(r)).map(([, v]) => v));
    const lat = own(latency, name);
    const group = groupOf.get(name) ?? null;
    return {
      name,
      group,
      requests,
      responses,
      reqPerS: durationS > 0 ? round(requests / durationS, 2) : 0,
      errors,
      errorPct: requests > 0 ? round((100 * errors) / requests, 2) : 0,
      timeouts,
      p50: q(lat, 'p50') ?? q(lat, 'median'),
      p90: q(lat, 'p90'),
      p95: q(lat, 'p95'),
      p99: q(lat, 'p99'),
      max: q(lat, 'max'),
      serverP99: q(own(server, name), 'p99'),
      codes: Object.assign(dict<number>(), own(c.codes, name)),
      sloMs: group !== null ? (own(slo, group) ?? null) : null,
    };
  });
  return rows.sort((a, b) => (order.get(a.name) ?? Infinity) - (order.get(b.name) ?? Infinity) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
