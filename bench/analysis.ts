// The bench's figures from Artillery's 10 s periods and CPU samples (pure).
import type { Period } from './artillery.ts';
import { pct } from './loop-delay.ts';
import { cpuBetween, type CpuSample } from './proc.ts';
import { ARTILLERY, endpointCounters, metric } from '../plugins/artillery-plugin-hmp/core/metric-names.ts';
import { PERIOD_MS } from '../plugins/artillery-plugin-hmp/core/results.ts';

export function periodStart(p: Pick<Period, 'period'>): number {
  return Number(p.period);
}

export interface Window {
  from: number;
  to: number;
  periods: number;
  /** Responses completed in the window (http.responses). */
  requests: number;
}

/**
 * The longest run of consecutive whole periods (never the first or last,
 * which are partial) that `keep` accepts.
 */
export function steadyWindow(intermediate: readonly Period[], keep: (p: Period) => boolean): Window | undefined {
  const sorted = [...intermediate].sort((a, b) => periodStart(a) - periodStart(b));
  let best: Period[] = [];
  let run: Period[] = [];
  for (let i = 1; i < sorted.length - 1; i++) {
    const p = sorted[i]!;
    const contiguous = run.length === 0 || periodStart(p) - periodStart(run.at(-1)!) === PERIOD_MS;
    if (keep(p) && contiguous) run.push(p);
    else run = keep(p) ? [p] : [];
    if (run.length > best.length) best = [...run];
  }
  if (best.length === 0) return undefined;
  return {
    from: periodStart(best[0]!),
    to: periodStart(best.at(-1)!) + PERIOD_MS,
    periods: best.length,
    requests: best.reduce((a, p) => a + (p.counters[ARTILLERY.responses] ?? 0), 0),
  };
}

/**
 * The last `n` whole periods of steadyWindow's run: the run's first periods
 * at a level still carry the generator's warm-up (its JIT: the suite's CPU
 * per period settles ~30 s into a run at 60 users, 25-30% lower).
 */
export function lastPeriods(intermediate: readonly Period[], keep: (p: Period) => boolean, n: number): Window | undefined {
  const w = steadyWindow(intermediate, keep);
  if (!w) return undefined;
  const from = Math.max(w.from, w.to - n * PERIOD_MS);
  const inside = intermediate.filter((p) => periodStart(p) >= from && periodStart(p) < w.to);
  return { from, to: w.to, periods: inside.length, requests: inside.reduce((a, p) => a + (p.counters[ARTILLERY.responses] ?? 0), 0) };
}

/**
 * Periods of a plain Artillery run (no closed model) in which `users` VUs
 * were active the whole time: none arrived or left in it, and as many had
 * arrived as had not left, counted from the run's start.
 */
export function vusersHeldAt(intermediate: readonly Period[], users: number): (p: Period) => boolean {
  const held = new Set<number>();
  let active = 0;
  for (const p of [...intermediate].sort((a, b) => periodStart(a) - periodStart(b))) {
    const created = p.counters[ARTILLERY.vusersCreated] ?? 0;
    const left = (p.counters[ARTILLERY.vusersCompleted] ?? 0) + (p.counters[ARTILLERY.vusersFailed] ?? 0);
    active += created - left;
    if (created === 0 && left === 0 && active === users) held.add(periodStart(p));
  }
  return (p) => held.has(periodStart(p));
}

export interface Cost {
  requests: number;
  seconds: number;
  cpuS: number;
  /** Requests per second in the window. */
  rate: number;
  /** CPU milliseconds per request. */
  cpuMsPerRequest: number;
  /** CPU use in the window, % of one core. */
  cpuPct: number;
  /** Time its threads were runnable but waited for a CPU, % of the window (the machine's contention). */
  waitPct?: number;
}

export function costOf(requests: number, seconds: number, cpuS: number): Cost {
  return { requests, seconds, cpuS, rate: requests / seconds, cpuMsPerRequest: (cpuS * 1000) / Math.max(1, requests), cpuPct: (100 * cpuS) / seconds };
}

export function windowCost(samples: readonly CpuSample[], w: Window): Cost | undefined {
  const cpuS = cpuBetween(samples, w.from, w.to);
  if (cpuS === undefined) return undefined;
  const cost = costOf(w.requests, (w.to - w.from) / 1000, cpuS);
  const { waitPct } = usageIn(samples, w.from, w.to);
  return waitPct === undefined ? cost : { ...cost, waitPct };
}

/** % of one core used, and % of the time the process's threads waited for a CPU (summed over threads), in [from, to]. */
export function usageIn(samples: readonly CpuSample[], from: number, to: number): { cpuPct: number | undefined; waitPct: number | undefined } {
  const s = (to - from) / 1000;
  const cpu = cpuBetween(samples, from, to);
  const wait = cpuBetween(samples, from, to, 'waitS');
  return { cpuPct: cpu === undefined ? undefined : (100 * cpu) / s, waitPct: wait === undefined ? undefined : (100 * wait) / s };
}

/** Responses per request name, from metrics-by-endpoint's `<name>.codes.<status>` counters (core/metric-names.ts). */
export function countsByEndpoint(counters: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(endpointCounters(counters).codes).map(([name, by]) => [name, Object.values(by).reduce((a, n) => a + n, 0)]));
}

// --- shape fidelity ---

export interface FidelityPeriod {
  maxDeviation: number;
  /** +-1 user or 2% of the target, whichever is larger. */
  bound: number;
}

export function fidelityOf(intermediate: readonly Period[]): FidelityPeriod[] {
  return intermediate
    .filter((p) => p.summaries?.[metric.usersDeviation] && p.summaries[metric.usersTarget])
    .map((p) => ({ maxDeviation: p.summaries[metric.usersDeviation]!.max, bound: Math.max(1, 0.02 * p.summaries[metric.usersTarget]!.max) }));
}

// --- accuracy and scale (one run climbing a ladder of levels) ---

export interface Probe {
  /** [epoch ms, loop delay ms] */
  loop: Array<[number, number]>;
  /** [epoch ms, client ms, server ms] */
  requests: Array<[number, number, number]>;
}

/** The probe's CSV (probe.ts). */
export function parseProbe(text: string): Probe {
  const out: Probe = { loop: [], requests: [] };
  for (const line of text.split('\n')) {
    const f = line.split(',');
    if (f[0] === 'L' && f.length >= 3) out.loop.push([Number(f[1]), Number(f[2])]);
    else if (f[0] === 'R' && f.length >= 4) out.requests.push([Number(f[1]), Number(f[2]), Number(f[3])]);
  }
  return out;
}

export interface Accuracy {
  requests: number;
  clientP99: number | undefined;
  serverP99: number | undefined;
  /** client p99 - server p99, ms. */
  gapMs: number | undefined;
  clientP50: number | undefined;
  serverP50: number | undefined;
  /** Percentiles of client - server per request, ms. */
  diffP50: number | undefined;
  diffP99: number | undefined;
}

export function accuracyIn(probe: Probe, from: number, to: number): Accuracy {
  const rows = probe.requests.filter(([at]) => at >= from && at < to);
  const c99 = pct(rows.map((r) => r[1]), 99);
  const s99 = pct(rows.map((r) => r[2]), 99);
  return {
    requests: rows.length,
    clientP99: c99,
    serverP99: s99,
    gapMs: c99 === undefined || s99 === undefined ? undefined : c99 - s99,
    clientP50: pct(rows.map((r) => r[1]), 50),
    serverP50: pct(rows.map((r) => r[2]), 50),
    diffP50: pct(rows.map((r) => r[1] - r[2]), 50),
    diffP99: pct(rows.map((r) => r[1] - r[2]), 99),
  };
}

/** Loop delay p99 over [from, to), and the worst p99 of its 10 s slices. */
export function loopIn(probe: Probe, from: number, to: number): { p99: number | undefined; worstSliceP99: number | undefined; max: number | undefined } {
  const rows = probe.loop.filter(([at]) => at >= from && at < to);
  const slices: number[] = [];
  for (let t = from; t < to; t += PERIOD_MS) {
    const p = pct(rows.filter(([at]) => at >= t && at < Math.min(to, t + PERIOD_MS)).map((r) => r[1]), 99);
    if (p !== undefined) slices.push(p);
  }
  return {
    p99: pct(rows.map((r) => r[1]), 99),
    worstSliceP99: slices.length ? Math.max(...slices) : undefined,
    max: rows.length ? Math.max(...rows.map((r) => r[1])) : undefined,
  };
}

export interface LevelFigures extends Accuracy {
  users: number;
  /** Whole periods held at this level, and their window. */
  periods: number;
  from: number | undefined;
  to: number | undefined;
  reqPerS: number;
  /** The generator's event-loop delay over the hold. */
  loopP99: number | undefined;
  loopMax: number | undefined;
  /** Largest |active - target| users. */
  maxDeviation: number | undefined;
  errorPct: number;
}

/** Whether the target concurrency stayed at `users` the whole period. */
export function targetHeld(p: Period, users: number): boolean {
  const t = p.summaries?.[metric.usersTarget];
  return t !== undefined && t.min === users && t.max === users;
}

/** Periods whose target concurrency stayed at `users` the whole period. */
export function heldAt(intermediate: readonly Period[], users: number): Period[] {
  return intermediate.filter((p) => targetHeld(p, users)).sort((a, b) => periodStart(a) - periodStart(b));
}

export function levelFigures(periods: readonly Period[], users: number, probe: Probe): LevelFigures {
  const from = periods.length ? periodStart(periods[0]!) : undefined;
  const to = periods.length ? periodStart(periods.at(-1)!) + PERIOD_MS : undefined;
  // Without periods: an empty window, so no figures.
  const acc = accuracyIn(probe, from ?? 0, to ?? 0);
  const loop = loopIn(probe, from ?? 0, to ?? 0);
  const requests = periods.reduce((a, p) => a + (p.counters[ARTILLERY.requests] ?? 0), 0);
  const errors = periods.reduce((a, p) => a + (p.counters[metric.allErrors] ?? 0), 0);
  const deviations = periods.map((p) => p.summaries[metric.usersDeviation]?.max).filter((x): x is number => typeof x === 'number');
  return {
    ...acc,
    users,
    periods: periods.length,
    from,
    to,
    reqPerS: periods.length ? requests / (periods.length * (PERIOD_MS / 1000)) : 0,
    loopP99: loop.p99,
    loopMax: loop.max,
    maxDeviation: deviations.length ? Math.max(...deviations) : undefined,
    errorPct: requests ? (100 * errors) / requests : 0,
  };
}

/**
 * A level holds: loop delay p99 under `loopLimitMs`, accuracy within
 * `gapLimitMs`, users on target, errors < 1%. Accuracy is the generator's
 * share of the gap: the suite's client p99 - server p99 minus the same gap
 * seen at the same time by the reference client (`referenceGapMs`), which
 * is what the machine and the twin's own queueing cause; the suite's gap
 * alone when there is no reference.
 */
export function levelHolds(l: LevelFigures, loopLimitMs: number, gapLimitMs: number, referenceGapMs?: number): boolean {
  const gap = l.gapMs === undefined ? undefined : l.gapMs - Math.max(0, referenceGapMs ?? 0);
  return (
    l.periods > 0 &&
    l.loopP99 !== undefined && l.loopP99 < loopLimitMs &&
    gap !== undefined && gap <= gapLimitMs &&
    (l.maxDeviation ?? Infinity) <= Math.max(1, 0.02 * l.users) &&
    l.errorPct < 1
  );
}

/** The ladder of concurrent users as closed-model phases: ramp then hold per level (`holdS` per level, or one for all). */
export function ladderPhases(levels: readonly number[], rampS: number, holdS: number | ((users: number) => number)): Array<Record<string, unknown>> {
  let prev = 0;
  const climb = levels.flatMap((users) => {
    const phases = [
      { name: `ramp to ${users} users`, duration: rampS, arrivalCount: users - prev, users },
      { name: `hold ${users} users`, pause: typeof holdS === 'number' ? holdS : holdS(users), users },
    ];
    prev = users;
    return phases;
  });
  // A ramp down last: the run's end (every VU stopped at once, a stall of
  // 100+ ms in the worker) then falls in periods whose target is not the top
  // level's, so it is not counted as that level's accuracy.
  return [...climb, { name: 'ramp down', duration: rampS, arrivalCount: 0, users: 0 }];
}

// --- the table ---

export interface Row {
  bench: string;
  measured: string;
  target: string;
  /** true met, false missed, null reported only. */
  met: boolean | null;
}

export function formatTable(rows: readonly Row[]): string {
  const head = ['benchmark', 'measured', 'target', 'met'];
  const cells = rows.map((r) => [r.bench, r.measured, r.target, r.met === null ? 'info' : r.met ? 'yes' : 'NO']);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => `| ${c.map((x, i) => x.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.map(line)].join('\n');
}
