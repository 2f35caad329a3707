// When a run and its main hold happened, from its results (pure): the shape
// the plugin recorded (aggregate.hmp) and Artillery's metric times.
import { hmpSection, isObject, num, PERIOD_MS, periodsOf, type Results } from './results.ts';

export interface HoldWindow {
  /** ms since the epoch. */
  start: number;
  end: number;
  users: number;
}

/**
 * The main hold of the run's shape (aggregate.hmp.shape: seconds from
 * aggregate.hmp.startedAt): the segment at the highest level that keeps its
 * level (from == users), the longest of them on a tie. undefined without a shape.
 */
export function holdOf(results: Results): HoldWindow | undefined {
  const h = hmpSection(results);
  const t0 = num(h.startedAt);
  const shape = Array.isArray(h.shape) ? h.shape.filter(isObject) : [];
  if (t0 === undefined || shape.length === 0) return undefined;
  let best: HoldWindow | undefined;
  for (const seg of shape) {
    const users = num(seg.users);
    const from = num(seg.from);
    const start = num(seg.start);
    const end = num(seg.end);
    if (users === undefined || from === undefined || start === undefined || end === undefined || users <= 0 || from !== users) continue;
    const w = { start: t0 + start * 1000, end: t0 + end * 1000, users };
    if (!best || users > best.users || (users === best.users && w.end - w.start > best.end - best.start)) best = w;
  }
  return best;
}

/** Run length in seconds: first to last metric, else the span of the periods, else the plugin's start to end. */
export function durationOf(results: Results): number {
  const a = results.aggregate;
  const first = num(a.firstMetricAt);
  const last = num(a.lastMetricAt);
  if (first !== undefined && last !== undefined && last > first) return (last - first) / 1000;
  const periods = periodsOf(results);
  if (periods.length > 0) return (periods[periods.length - 1]!.at + PERIOD_MS - periods[0]!.at) / 1000;
  const h = hmpSection(results);
  const s = num(h.startedAt);
  const e = num(h.endedAt);
  return s !== undefined && e !== undefined && e > s ? (e - s) / 1000 : 0;
}
