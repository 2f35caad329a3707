// The users of a distributed run, all its generators together (pure).
//
// Each worker samples its own share of the target and its own active users
// every second (plugins.hmp.users.target|active) and the number of workers
// (plugins.hmp.users.workers). The launcher merges the workers' histograms
// of a period into one (run-fargate: its SQS reporter, SSMS.mergeBuckets):
// a mixture of shares, whose max is one worker's. Its mean is exact, though:
// the sum of all samples over their count, every worker sampling each
// second. So a period's total is N x the merged mean, known as a mean only:
// the period's users become that one number (min = mean = max), and the
// aggregate's are taken over the periods' totals.
import { metric } from './metric-names.ts';
import { isObject, num, periodStart, type Period, type Results, type Stat } from './results.ts';

const USERS = [metric.usersTarget, metric.usersActive] as const;

/** How many generators shared the users in this period or run (1: not a distributed run). */
export function workersOf(p: Period | undefined): number {
  const s = isObject(p?.summaries) ? (p.summaries as Record<string, Stat>)[metric.usersWorkers] : undefined;
  const n = num(s?.max);
  return n !== undefined && n >= 1 ? Math.round(n) : 1;
}

/** Whether these results hold a distributed run's users, each worker's share not yet added up. */
export function hasWorkerShares(results: Results): boolean {
  return workersOf(results.aggregate) > 1 || results.intermediate.some((p) => workersOf(p) > 1);
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/** One number as a summary: what a period's total is known as. */
function single(value: number, count: number): Stat {
  const v = round2(value);
  return { min: v, max: v, count, mean: v, p50: v, median: v, p75: v, p90: v, p95: v, p99: v, p999: v };
}

/** A summary of the periods' totals (weighted by their samples for the mean). */
function overPeriods(values: Array<{ v: number; count: number }>): Stat | undefined {
  if (!values.length) return undefined;
  const sorted = values.map((x) => x.v).sort((a, b) => a - b);
  const at = (q: number) => round2(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!);
  const count = values.reduce((a, x) => a + x.count, 0);
  const mean = count > 0 ? values.reduce((a, x) => a + x.v * x.count, 0) / count : sorted.reduce((a, v) => a + v, 0) / sorted.length;
  return { min: round2(sorted[0]!), max: round2(sorted.at(-1)!), count, mean: round2(mean), p50: at(0.5), median: at(0.5), p75: at(0.75), p90: at(0.9), p95: at(0.95), p99: at(0.99), p999: at(0.999) };
}

/** A period with its summaries (and the histograms a results file holds as summaries) replaced by `users`. */
function withUsers(p: Period, users: Record<string, Stat>): Period {
  const summaries = { ...(isObject(p.summaries) ? (p.summaries as Record<string, Stat>) : {}), ...users };
  return { ...p, summaries, histograms: { ...(isObject(p.histograms) ? p.histograms : {}), ...users } };
}

/**
 * The results with every period's and the aggregate's users (target,
 * active, deviation) added up over the workers; results of one generator
 * come back as they are.
 */
export function summedUsers(results: Results): Results {
  if (!hasWorkerShares(results)) return results;
  const totals: Record<string, Array<{ v: number; count: number }>> = { [metric.usersTarget]: [], [metric.usersActive]: [], [metric.usersDeviation]: [] };
  const intermediate = results.intermediate.map((p) => {
    const n = workersOf(p);
    const s = isObject(p.summaries) ? (p.summaries as Record<string, Stat>) : {};
    const mean = (name: string) => num(s[name]?.mean);
    const [target, active] = USERS.map((name) => mean(name));
    if (target === undefined || active === undefined) return p;
    const count = Math.round((num(s[metric.usersTarget]?.count) ?? 0) / n);
    const users: Record<string, Stat> = {
      [metric.usersTarget]: single(n * target, count),
      [metric.usersActive]: single(n * active, count),
      [metric.usersDeviation]: single(Math.abs(n * active - n * target), count),
    };
    if (periodStart(p) !== undefined) for (const [name, stat] of Object.entries(users)) totals[name]!.push({ v: stat.mean!, count });
    return withUsers(p, users);
  });
  const agg: Record<string, Stat> = {};
  for (const [name, values] of Object.entries(totals)) {
    const stat = overPeriods(values);
    if (stat) agg[name] = stat;
  }
  return { ...results, aggregate: withUsers(results.aggregate, agg) as Results['aggregate'], intermediate };
}
