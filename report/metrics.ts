// The sums the report needs over a period's metrics grouped by endpoint
// (pure; the names and their readers are the core's:
// plugins/artillery-plugin-hmp/core/metric-names.ts).
import { own, num } from '../plugins/artillery-plugin-hmp/core/results.ts';
import type { Stat } from './types.ts';
import { isTimeout, type EndpointCounters } from '../plugins/artillery-plugin-hmp/core/metric-names.ts';

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
