// A run's aggregate from the periods the plugin holds in memory (pure), for
// the results file it writes when Artillery writes none (early stop, Ctrl-C):
// counters summed, histograms (DDSketches) merged, summaries as Artillery's.
import { DDSketch } from '@artilleryio/sketches-js';
import type { Period, RawPeriod, Sketch, Summary } from './results.ts';
import { round as r1 } from './stats.ts';

/** Same numbers as Artillery's own summaries. */
export function summarize(h: DDSketch): Summary {
  return {
    min: r1(h.min),
    max: r1(h.max),
    count: h.count,
    mean: r1(h.sum / h.count),
    p50: r1(h.getValueAtQuantile(0.5)),
    median: r1(h.getValueAtQuantile(0.5)),
    p75: r1(h.getValueAtQuantile(0.75)),
    p90: r1(h.getValueAtQuantile(0.9)),
    p95: r1(h.getValueAtQuantile(0.95)),
    p99: r1(h.getValueAtQuantile(0.99)),
    p999: r1(h.getValueAtQuantile(0.999)),
  };
}

/** `into` with a copy of `h` merged in (the copy when there is no `into`): the period's own sketch stays as it was. */
export function mergeSketch(into: DDSketch | undefined, h: Sketch): DDSketch {
  const copy = DDSketch.fromProto(h.toProto());
  if (!into) return copy;
  into.merge(copy);
  return into;
}

/** Sums counters and merges the sketches of all periods (percentiles stay exact to 1%). */
export function aggregate(periods: RawPeriod[]): Record<string, unknown> {
  const counters: Record<string, number> = {};
  const merged: Record<string, DDSketch> = {};
  for (const p of periods) {
    for (const [k, v] of Object.entries(p.counters ?? {})) counters[k] = (counters[k] ?? 0) + v;
    for (const [k, h] of Object.entries(p.histograms ?? {})) merged[k] = mergeSketch(merged[k], h);
  }
  const summaries = Object.fromEntries(Object.entries(merged).map(([k, h]) => [k, summarize(h)]));
  const times = periods.map((p) => Number(p.period));
  return {
    counters,
    rates: {},
    summaries,
    histograms: summaries,
    firstMetricAt: Math.min(...times),
    lastMetricAt: Math.max(...times),
    period: Math.max(...times),
  };
}

/** An intermediate period as Artillery writes it: summaries in place of sketches. */
export function plainPeriod(p: RawPeriod): Period<Summary> {
  const { histograms: _h, ...rest } = p;
  return { ...rest, histograms: p.summaries ?? {} };
}
