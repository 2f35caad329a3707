// The plan's system headroom criteria (section 1; test 2 "CPU < 70%, RAM <
// 80%") as verdicts (pure). The plan asks for SUSTAINED use under average
// load ("brief spikes allowed under stress/spike"), so the measured value is
// the highest mean over any 1-minute window of the samples (the whole run's
// mean when it is shorter), the same rule as the report's.
import type { Verdict } from '../../plugins/artillery-plugin-hmp/gates.ts';
import { round } from '../stats.ts';
import type { Sample } from './types.ts';

export const CPU_LIMIT_PCT = 70;
export const RAM_LIMIT_PCT = 80;
export const SUSTAINED_MS = 60_000;

export interface CriteriaOptions {
  cpuLimitPct?: number;
  memLimitPct?: number;
  /** Length of the window a sustained value is the mean of (default 60 s). */
  windowMs?: number;
}

/** Highest mean of `value` over any complete window of windowMs; the overall mean when the samples span less. */
export function sustained(samples: Sample[], value: (s: Sample) => number | undefined, windowMs = SUSTAINED_MS): number | undefined {
  const pts = samples
    .map((s) => ({ t: s.t, v: value(s) }))
    .filter((p): p is { t: number; v: number } => typeof p.v === 'number' && Number.isFinite(p.v))
    .sort((a, b) => a.t - b.t);
  if (pts.length === 0) return undefined;
  const gaps = pts.slice(1).map((p, i) => p.t - pts[i]!.t).sort((a, b) => a - b);
  const step = gaps.length ? gaps[Math.floor(gaps.length / 2)]! : 0;
  const lastT = pts[pts.length - 1]!.t;
  let best: number | undefined;
  let j = 0;
  let sum = 0;
  for (let i = 0; i < pts.length; i++) {
    if (pts[i]!.t + windowMs > lastT + step) break; // the window would run past the data
    if (j < i) {
      j = i;
      sum = 0;
    }
    while (j < pts.length && pts[j]!.t < pts[i]!.t + windowMs) sum += pts[j++]!.v;
    const m = sum / (j - i);
    if (best === undefined || m > best) best = m;
    sum -= pts[i]!.v;
  }
  return best ?? pts.reduce((a, p) => a + p.v, 0) / pts.length;
}

/** CPU < 70% and RAM < 80% (sustained). A criterion without data gives no verdict. */
export function systemVerdicts(samples: Sample[], options: CriteriaOptions = {}): Verdict[] {
  const cpuLimit = options.cpuLimitPct ?? CPU_LIMIT_PCT;
  const memLimit = options.memLimitPct ?? RAM_LIMIT_PCT;
  const windowMs = options.windowMs ?? SUSTAINED_MS;
  const out: Verdict[] = [];
  const cpu = sustained(samples, (s) => s.cpuPct, windowMs);
  if (cpu !== undefined) {
    const measured = round(cpu, 1);
    out.push({ criterion: 'CPU (sustained)', measured, limit: cpuLimit, unit: '%', op: '<', pass: measured < cpuLimit });
  }
  const mem = sustained(samples, (s) => s.memPct, windowMs);
  if (mem !== undefined) {
    const measured = round(mem, 1);
    out.push({ criterion: 'RAM (sustained)', measured, limit: memLimit, unit: '%', op: '<', pass: measured < memLimit });
  }
  return out;
}
