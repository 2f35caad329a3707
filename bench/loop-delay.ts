// Event-loop delay of the process (or worker thread) it runs in: a timer set
// every INTERVAL_MS records how late it fires. A stall of D ms also records
// the ticks it swallowed (D - INTERVAL_MS, D - 2 x INTERVAL_MS, ...), so a
// long stall weighs as much as the time it lasted (HdrHistogram's coordinated
// omission correction). perf_hooks.monitorEventLoopDelay was not used: its
// values include the timer's resolution and a stall right after reset() is
// not recorded (checked on Node 22).
import { performance } from 'node:perf_hooks';
import { percentile as nearestRank } from '../plugins/artillery-plugin-hmp/core/stats.ts';

export const INTERVAL_MS = 20;

/** The delays one late tick stands for (pure). */
export function correctedDelays(lateMs: number, intervalMs = INTERVAL_MS): number[] {
  const out = [Math.max(0, lateMs)];
  for (let missed = lateMs - intervalMs; missed > 0; missed -= intervalMs) out.push(missed);
  return out;
}

/** Calls `record(ms)` for every delay until the returned stop function is called. */
export function watchLoopDelay(record: (ms: number) => void, intervalMs = INTERVAL_MS): () => void {
  let expected = performance.now() + intervalMs;
  let timer: NodeJS.Timeout;
  const tick = () => {
    const now = performance.now();
    for (const d of correctedDelays(now - expected, intervalMs)) record(d);
    expected = now + intervalMs;
    timer = setTimeout(tick, intervalMs);
    timer.unref();
  };
  timer = setTimeout(tick, intervalMs);
  timer.unref();
  return () => clearTimeout(timer);
}

/** p-th percentile (0-100), nearest rank (pure); undefined for no values. */
export function pct(values: readonly number[], p: number): number | undefined {
  return values.length === 0 ? undefined : nearestRank(Array.from(Float64Array.from(values).sort()), p / 100);
}
