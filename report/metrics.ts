// Metric names of one period, grouped by endpoint (pure): the readers of the
// plugin's core (plugins/artillery-plugin-hmp/core/metric-names.ts), where
// every name is declared, and the sums the report needs.
import { own, num } from '../plugins/artillery-plugin-hmp/core/results.ts';
import type { Stat } from './types.ts';
import { endpointCounters, isNoAnswer, isTimeout, LATENCY_PREFIX, SERVER_TIMING_PREFIX, summariesUnder, type EndpointCounters } from '../plugins/artillery-plugin-hmp/core/metric-names.ts';

export { endpointCounters, isNoAnswer, isTimeout, summariesUnder, type EndpointCounters };
export const LATENCY = LATENCY_PREFIX;
export const SERVER_TIMING = SERVER_TIMING_PREFIX;

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

/** User-visible errors: the sum of plugins.hmp.errors.<name> (as the plugin's gates count them). */
export function totalErrors(c: EndpointCounters): number {
  return sum(Object.values(c.errors));
}

export function totalTimeouts(c: EndpointCounters): number {
  let n = 0;
  for (const reasons of Object.values(c.reasons)) for (const [r, v] of Object.entries(reasons)) if (isTimeout(r)) n += v;
  return n;
}
