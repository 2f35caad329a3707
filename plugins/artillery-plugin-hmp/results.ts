// The run's results in Artillery's `-o` format ({aggregate, intermediate}),
// written by the plugin when Artillery writes none (early stop, Ctrl-C).
import { DDSketch } from '@artilleryio/sketches-js';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

interface Sketch {
  toProto(): Uint8Array;
}

export interface RawPeriod {
  period: number | string;
  counters?: Record<string, number>;
  rates?: Record<string, number>;
  histograms?: Record<string, Sketch>;
  summaries?: Record<string, Record<string, number>>;
  [k: string]: unknown;
}

const r1 = (x: number) => Math.round(x * 10) / 10;

/** Same numbers as Artillery's own summaries. */
export function summarize(h: DDSketch): Record<string, number> {
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

/** Sums counters and merges the sketches of all periods (percentiles stay exact to 1%). */
export function aggregate(periods: RawPeriod[]): Record<string, unknown> {
  const counters: Record<string, number> = {};
  const merged: Record<string, DDSketch> = {};
  for (const p of periods) {
    for (const [k, v] of Object.entries(p.counters ?? {})) counters[k] = (counters[k] ?? 0) + v;
    for (const [k, h] of Object.entries(p.histograms ?? {})) {
      const copy = DDSketch.fromProto(h.toProto());
      if (merged[k]) merged[k].merge(copy);
      else merged[k] = copy;
    }
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
export function plainPeriod(p: RawPeriod): Record<string, unknown> {
  const { histograms: _h, ...rest } = p;
  return { ...rest, histograms: p.summaries ?? {} };
}

export function writeJsonAtomic(path: string, data: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(data, null, 2));
  renameSync(tmp, path);
}
