// 1. What the load generator costs (`npm run bench -- --only cost`): the
// suite, stock Artillery and a plain undici loop, each climbing the same
// ladder of rates in one process, CPU per request over the last two whole
// 10 s periods of each level (the generator's process tree from /proc; the
// twin is its own process), then per tool a line fitted over the levels:
// fixed ms of CPU per second + marginal ms per request (cost-model.ts), and
// the issue's targets. One process per tool so each level is measured warm
// (a fresh Artillery run costs 25-30% more per request in its first ~30 s)
// and the section stays ~9 minutes. Each tool gets a fresh twin: the twin's
// unpaginated submission list grows with every upload, and a longer list
// costs more, so each tool meets the same list at the same point. With
// --profile, V8 CPU profiles of the two Artillery runs, summarized by owner
// per level (profile-shares.ts); a profiled run is slower, so its figures
// go to results-partial.json.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runArtillery, tail, type ArtilleryRun, type Period } from './artillery.ts';
import { costOf, countsByEndpoint, ladderPhases, lastPeriods, targetHeld, usageIn, vusersHeldAt, windowCost, type Cost, type Window } from './analysis.ts';
import { costVerdicts, fitCost, type CostFit, type CostVerdicts } from './cost-model.ts';
import { writeFixtures } from './fixtures.ts';
import { cycleOf, fetchPlan, floorLadder, floorSchedule, floorScript, prepareFloor, unsupported, writeFetchPlan, writeFloor, type FloorLevel } from './floor.ts';
import { CpuSampler } from './proc.ts';
import type { CpuProfile } from './profile-summary.ts';
import { monotonicOffsetUs, sharesOf, type Shares } from './profile-shares.ts';
import { makeRunDir, ROOT } from './run-dir.ts';
import { startBenchTwin, type BenchTwin } from './twin.ts';
import { warmUpTwin } from './warm-up.ts';
import { ARTILLERY } from '../plugins/artillery-plugin-hmp/core/metric-names.ts';

const execFileP = promisify(execFile);

export const COST = {
  /** The suite's think time at every level (HMP_THINK_MIN/MAX), s. */
  thinkS: [0.5, 1.5] as const,
  rampS: 5,
  /**
   * Concurrent users of each level, climbed in this order: ~78, ~150 and
   * ~490 req/s against the bench's twin (which serves ~500 at ~45% of a
   * core). The first is the plan's point (60 users, think 0.5-1.5 s); its
   * longer hold is the generator's warm-up: after a 50 s hold the suite's
   * CPU per request at 60 users read 0.73-1.14 ms from run to run of the
   * same code, V8 still compiling; measured after 60 s, over 30 s, it moves
   * less (bench/README.md).
   */
  levels: [
    { users: 60, holdS: 90 },
    { users: 120, holdS: 40 },
    { users: 400, holdS: 40 },
  ],
  planUsers: 60,
  /** Whole 10 s periods measured at the end of each level's hold: at 60 users a period holds only ~0.8 s of CPU. */
  windowPeriods: 3,
  /** The fetch loop: seconds at the first rate before its first window (as warm as the others), then before each next. */
  fetchWarmS: 60,
  fetchSettleS: 3,
  /** Stock Artillery or the fetch loop more than this far under the suite's rate: noted. */
  maxRateShortfallPct: 5,
};

export type Tool = 'suite' | 'stock' | 'fetch';
export const TOOLS: readonly Tool[] = ['suite', 'stock', 'fetch'];
export const TOOL_NAMES: Record<Tool, string> = { suite: 'suite', stock: 'stock Artillery', fetch: 'fetch loop (undici)' };

export interface RunCost extends Cost {
  /** The twin's CPU in the same window, % of a core: it must keep up. */
  twinCpuPct?: number;
  /** The rate it was asked for (stock Artillery and the fetch loop: the suite's). */
  targetRate?: number;
  /** The worst period's p99 response time in the window, ms (Artillery's runs). */
  p99Ms?: number;
}

export interface CostLevel {
  users: number;
  suite?: RunCost;
  stock?: RunCost;
  fetch?: RunCost;
  /** suite / stock CPU per request. */
  ratio?: number;
  /**
   * With --profile: the Artillery runs' CPU by owner over this level's
   * window. The profiled threads (main and worker) miss V8's GC helper and
   * compiler threads; their busy time is wall time, waits for a CPU included.
   */
  profile?: { suite?: ProfileShares; stock?: ProfileShares };
}

export interface CostFigures {
  thinkS: readonly [number, number];
  levels: CostLevel[];
  fits: Record<Tool, CostFit | undefined>;
  /** The suite at the plan's point. */
  plan?: RunCost;
  verdicts: CostVerdicts;
  /** The suite's request mix over its run (responses per request name); stock Artillery and the fetch loop send it. */
  mix: Record<string, number>;
  /** Requests stock Artillery and the fetch loop cannot send statically (left out of their mix). */
  floorSkipped: string[];
  burnUs: number;
  profiled: boolean;
  wallS: number;
  notes: string[];
}

export interface CostOptions {
  log: (line: string) => void;
  /** The suite burns this many µs of CPU per response (bench/burn.ts). */
  burnUs: number;
  profile: boolean;
  keep: boolean;
  /** The suite's ladder alone (about 2 min): for trying a change, not for the targets. */
  suiteOnly?: boolean;
}

const PROFILES = join(ROOT, 'bench', 'profiles');
const PROFILE_INTERVAL_US = 4000;

/** A fresh, warmed-up twin, its CPU sampled; stopped after. */
async function withTwin<T>(fn: (twin: BenchTwin, twinCpu: CpuSampler) => Promise<T>): Promise<T> {
  const twin = await startBenchTwin({ submissions: 20 });
  try {
    await warmUpTwin(twin.url, twin.data);
    const twinCpu = new CpuSampler(twin.pid);
    try {
      return await fn(twin, twinCpu);
    } finally {
      twinCpu.stop();
    }
  } finally {
    await twin.stop();
  }
}

function profileArgs(opts: CostOptions, label: string): string[] {
  if (!opts.profile) return [];
  const dir = join(PROFILES, label);
  rmSync(dir, { recursive: true, force: true });
  // Every 4 ms, not V8's 1 ms: at 1 ms the profiler's own threads doubled the generator's CPU at 60 users.
  return ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-interval=${PROFILE_INTERVAL_US}`];
}

/** Every thread's profile of a run (none unless profiled: the folder may hold an older run's). */
function readProfiles(opts: CostOptions, label: string): CpuProfile[] {
  const dir = join(PROFILES, label);
  if (!opts.profile || !existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as CpuProfile);
}

const pct = (x: number | undefined) => (x === undefined ? 'n/a' : `${x.toFixed(0)}%`);

/** A profile's shares, and how much of the process tree's CPU in the window the profiled threads account for. */
export type ProfileShares = Shares & { ofTreeCpuPct?: number };

export function sharesLine(s: ProfileShares): string {
  const of = s.ofTreeCpuPct === undefined ? '' : `, ${s.ofTreeCpuPct.toFixed(0)}% of the process tree's CPU`;
  return `${s.byCategory.map((c) => `${c.category} ${c.pct.toFixed(1)}%`).join(', ')} (busy ${(s.busyMs / 1000).toFixed(1)} s on ${s.threads} threads${of})`;
}

function costLine(tool: Tool, users: number, c: RunCost): string {
  const asked = c.targetRate ? ` (asked ${c.targetRate.toFixed(1)})` : '';
  const p99 = c.p99Ms === undefined ? '' : `, p99 ${c.p99Ms.toFixed(0)} ms`;
  return `cost ${users} users, ${TOOL_NAMES[tool]}: ${c.rate.toFixed(1)} req/s${asked}, ${c.cpuMsPerRequest.toFixed(3)} ms CPU/request over ${c.seconds.toFixed(0)} s (${pct(c.cpuPct)} of a core, waited ${pct(c.waitPct)}; twin ${pct(c.twinCpuPct)})${p99}`;
}

interface LadderRun {
  byLevel: Array<{ cost?: RunCost; meanLatencyMs?: number; shares?: Shares }>;
  run: ArtilleryRun;
}

/** A level's cost in an Artillery run: its window, the twin beside it, the latency, the profile's shares. */
function levelCost(run: ArtilleryRun, w: Window | undefined, twinCpu: CpuSampler, profiles: CpuProfile[]): LadderRun['byLevel'][number] {
  const c = w && windowCost(run.cpu, w);
  if (!w || !c) return {};
  const inWindow = (run.results?.intermediate ?? []).filter((p: Period) => Number(p.period) >= w.from && Number(p.period) < w.to);
  const rt = inWindow.map((p) => p.summaries[ARTILLERY.responseTime]).filter((s) => s !== undefined);
  const count = rt.reduce((a, s) => a + s.count, 0);
  return {
    cost: { ...c, twinCpuPct: usageIn(twinCpu.samples, w.from, w.to).cpuPct, ...(rt.length ? { p99Ms: Math.max(...rt.map((s) => s.p99)) } : {}) },
    meanLatencyMs: count ? rt.reduce((a, s) => a + s.mean * s.count, 0) / count : undefined,
    shares: profiles.length ? sharesOf(profiles, { fromMs: w.from, toMs: w.to, offsetUs: monotonicOffsetUs() }) : undefined,
  };
}

const ladderS = () => COST.levels.reduce((a, l) => a + COST.rampS + l.holdS, 0);

/** The suite's average test climbing COST.levels, think COST.thinkS. */
async function suiteLadder(opts: CostOptions): Promise<LadderRun & { mix: Record<string, number> }> {
  return withTwin(async (twin, twinCpu) => {
    const burn = opts.burnUs > 0;
    const entry = burn ? { all: ['processors/index.ts'], named: [{ from: 'bench/burn.ts', names: ['checkResponse'] }] } : { all: ['processors/index.ts'] };
    const dir = makeRunDir('cost-suite', entry);
    const fixtures = await writeFixtures(join(dir, 'fixtures'));
    const holdOf = new Map(COST.levels.map((l) => [l.users, l.holdS]));
    const run = await runArtillery({
      nodeArgs: profileArgs(opts, 'cost-suite'),
      script: 'phases/average.yml',
      dir,
      // The ladder without its ramp down: the run ends at the top.
      overrides: { config: { processor: join(dir, 'processor.ts'), phases: ladderPhases([...holdOf.keys()], COST.rampS, (u) => holdOf.get(u)!).slice(0, -1) } },
      env: {
        HMP_TARGET: twin.url,
        HMP_TEST_DATA: twin.dataPath,
        HMP_TIME_SCALE: '1',
        HMP_THINK_MIN: String(COST.thinkS[0]),
        HMP_THINK_MAX: String(COST.thinkS[1]),
        HMP_FIXTURES_DIR: fixtures,
        ...(burn ? { BENCH_BURN_US: String(opts.burnUs) } : {}),
      },
      timeoutMs: (ladderS() + 120) * 1000,
    });
    if (!opts.keep) rmSync(dir, { recursive: true, force: true });
    if (!run.results) throw new Error(`cost: the suite's run wrote no results (exit ${run.code}); its last lines:\n${tail(run)}`);
    const profiles = readProfiles(opts, 'cost-suite');
    const periods = run.results.intermediate;
    const byLevel = COST.levels.map((l) => levelCost(run, lastPeriods(periods, (p) => targetHeld(p, l.users), COST.windowPeriods), twinCpu, profiles));
    return { byLevel, run, mix: countsByEndpoint(run.results.aggregate.counters) };
  });
}

/** Stock Artillery climbing the same ladder, sending the suite's mix statically at the suite's per-user rate of each level. */
async function stockLadder(suite: LadderRun, mix: Record<string, number>, opts: CostOptions): Promise<LadderRun & { skipped: string[] }> {
  return withTwin(async (twin, twinCpu) => {
    const material = await prepareFloor(twin.url, twin.data);
    const levels: FloorLevel[] = COST.levels.map((l, i) => {
      const s = suite.byLevel[i];
      const perVuRate = (s?.cost?.rate ?? l.users) / l.users;
      return { users: l.users, rampS: COST.rampS, holdS: l.holdS, thinkMs: 1000 / perVuRate - (s?.meanLatencyMs ?? 5) };
    });
    const schedule = floorSchedule(levels);
    // Enough requests for the first VUs to stay to the end, at the fastest level's pace.
    const fastest = Math.max(...levels.map((l) => 1000 / (l.thinkMs + 5)));
    const dir = makeRunDir('cost-stock', { named: [{ from: 'bench/floor-processor.ts', names: ['staticBody', 'floorStart', 'floorLive'] }] });
    const known = Object.fromEntries(Object.entries(mix).filter(([n]) => material.requests[n]));
    const base = floorScript(
      { target: twin.url, users: levels[0]!.users, rampS: COST.rampS, thinkMs: levels[0]!.thinkMs, cycle: cycleOf(known, 100), requestsPerVu: Math.ceil(schedule.endS * fastest * 1.3) + 5, rotations: 10 },
      material,
    );
    const run = await runArtillery({
      script: writeFloor(dir, floorLadder(base, levels), material),
      dir,
      env: { BENCH_FLOOR_BODIES: dir, BENCH_FLOOR_SCHEDULE: JSON.stringify(schedule) },
      timeoutMs: (ladderS() + 120) * 1000,
      nodeArgs: profileArgs(opts, 'cost-stock'),
    });
    if (!opts.keep) rmSync(dir, { recursive: true, force: true });
    const periods = run.results?.intermediate ?? [];
    const profiles = readProfiles(opts, 'cost-stock');
    const byLevel = COST.levels.map((l) => levelCost(run, lastPeriods(periods, vusersHeldAt(periods, l.users), COST.windowPeriods), twinCpu, profiles));
    return { byLevel, run, skipped: unsupported(mix, material) };
  });
}

/** The fetch loop sending stock Artillery's requests (the same mix and bodies) at the suite's rate of each level. */
async function fetchSteps(rates: readonly number[], mix: Record<string, number>): Promise<{ byLevel: Array<RunCost | undefined>; note?: string }> {
  return withTwin(async (twin, twinCpu) => {
    const material = await prepareFloor(twin.url, twin.data);
    const known = Object.fromEntries(Object.entries(mix).filter(([n]) => material.requests[n]));
    const dir = makeRunDir('cost-fetch', {});
    const plan = writeFetchPlan(dir, fetchPlan(twin.url, cycleOf(known, 100), material), material);
    const windowS = (COST.windowPeriods * 10).toFixed(0);
    const steps = rates.map((r, i) => `${r.toFixed(2)}:${i === 0 ? COST.fetchWarmS : COST.fetchSettleS}:${windowS}`).join(',');
    const seconds = COST.fetchWarmS + rates.length * (COST.fetchSettleS + COST.windowPeriods * 10);
    try {
      const { stdout } = await execFileP(process.execPath, [join(ROOT, 'bench/fetch-client.ts'), '--plan', plan, '--steps', steps], { cwd: ROOT, timeout: (seconds + 60) * 1000 });
      twinCpu.sample(); // the last window ends as the loop does
      const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as { step: number; targetRate: number; requests: number; cpuS: number; wallS: number; fromMs: number; toMs: number; errors: number });
      const byLevel = rates.map((_, i) => {
        const o = lines.find((l) => l.step === i);
        return o && { ...costOf(o.requests, o.wallS, o.cpuS), targetRate: o.targetRate, twinCpuPct: usageIn(twinCpu.samples, o.fromMs, o.toMs).cpuPct };
      });
      const errors = lines.at(-1)?.errors ?? 0;
      return { byLevel, note: errors ? `the fetch loop had ${errors} failed requests` : undefined };
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      return { byLevel: [], note: `the fetch loop failed: ${(e.stderr || e.message).trim().split('\n').pop()}` };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

export async function costSection(opts: CostOptions): Promise<CostFigures> {
  const { log } = opts;
  const started = Date.now();
  const notes: string[] = [];
  log(`cost: ${TOOLS.map((t) => TOOL_NAMES[t]).join(', ')}, each climbing ${COST.levels.map((l) => l.users).join(' -> ')} users (think ${COST.thinkS.join('-')} s), about ${Math.round((3 * ladderS()) / 60)} min`);
  const suite = await suiteLadder(opts);
  const levels: CostLevel[] = COST.levels.map((l, i) => ({ users: l.users, suite: suite.byLevel[i]?.cost }));
  levels.forEach((l) => (l.suite ? log(costLine('suite', l.users, l.suite)) : notes.push(`the suite at ${l.users} users gave no steady window (exit ${suite.run.code}): ${tail(suite.run, 3)}`)));
  const stock = opts.suiteOnly ? { byLevel: [], run: suite.run, skipped: [] } : await stockLadder(suite, suite.mix, opts);
  levels.forEach((l, i) => {
    const c = stock.byLevel[i]?.cost;
    if (c) log(costLine('stock', l.users, (l.stock = { ...c, targetRate: l.suite?.rate })));
    else notes.push(`stock Artillery at ${l.users} users gave no steady window (exit ${stock.run.code}): ${tail(stock.run, 3)}`);
  });
  const rates = levels.map((l, i) => l.suite?.rate ?? COST.levels[i]!.users * 1.3);
  const fetch = opts.suiteOnly ? { byLevel: [] } : await fetchSteps(rates, suite.mix);
  if (fetch.note) notes.push(fetch.note);
  levels.forEach((l, i) => {
    const c = fetch.byLevel[i];
    if (c) log(costLine('fetch', l.users, (l.fetch = c)));
  });
  for (const l of levels) {
    if (l.suite && l.stock) l.ratio = l.suite.cpuMsPerRequest / l.stock.cpuMsPerRequest;
    for (const tool of ['stock', 'fetch'] as const) {
      const c = l[tool];
      if (c?.targetRate && (100 * (c.targetRate - c.rate)) / c.targetRate > COST.maxRateShortfallPct) notes.push(`${TOOL_NAMES[tool]} at ${l.users} users fell behind the suite's rate: ${c.rate.toFixed(1)} of ${c.targetRate.toFixed(1)} req/s`);
    }
  }
  if (opts.profile) {
    levels.forEach((l, i) => {
      const withTree = (sh: Shares | undefined, c: RunCost | undefined): ProfileShares | undefined => sh && { ...sh, ...(c ? { ofTreeCpuPct: (100 * sh.busyMs) / (c.cpuS * 1000) } : {}) };
      l.profile = { suite: withTree(suite.byLevel[i]?.shares, l.suite), stock: withTree(stock.byLevel[i]?.shares, l.stock) };
      if (l.profile.suite) log(`profile, suite at ${l.users} users: ${sharesLine(l.profile.suite)}`);
      if (l.profile.stock) log(`profile, stock Artillery at ${l.users} users: ${sharesLine(l.profile.stock)}`);
    });
  }
  const of = (tool: Tool) => levels.map((l) => l[tool]).filter((c): c is RunCost => c !== undefined);
  const fits = { suite: fitCost(of('suite')), stock: fitCost(of('stock')), fetch: fitCost(of('fetch')) };
  for (const tool of TOOLS) {
    const f = fits[tool];
    log(`cost fit, ${TOOL_NAMES[tool]}: ${f ? `fixed ${f.fixedMsPerS.toFixed(1)} ms/s, marginal ${f.marginalMsPerRequest.toFixed(3)} ms/request (${f.points} rates, largest residual ${f.maxResidualMsPerS.toFixed(1)} ms/s)` : 'n/a (under two rates)'}`);
  }
  for (const n of notes) log(`cost: ${n}`);
  const plan = levels.find((l) => l.users === COST.planUsers)?.suite;
  return {
    thinkS: COST.thinkS,
    levels,
    fits,
    plan,
    verdicts: costVerdicts(levels, fits.suite, plan),
    mix: suite.mix,
    floorSkipped: stock.skipped,
    burnUs: opts.burnUs,
    profiled: opts.profile,
    wallS: (Date.now() - started) / 1000,
    notes,
  };
}
