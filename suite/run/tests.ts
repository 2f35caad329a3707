// One test of the sequence (I/O): Artillery on its phase file, the server's
// CPU and memory meanwhile, the probes the analyses need (stress: is the
// server still answering; spike: recovery after the hold), the data-loss
// check after the spike, the step's report, and its verdict (evaluate.ts).
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseTestData } from '../../lib/test-data.ts';
import { driftOfResults, type Drift } from '../drift.ts';
import { IntegrityError, verifyRun, type IntegrityReport } from '../integrity.ts';
import { ARTILLERY } from '../../plugins/artillery-plugin-hmp/core/metric-names.ts';
import { hmpSection, stat, type Results } from '../../plugins/artillery-plugin-hmp/core/results.ts';
import { holdOf } from '../../plugins/artillery-plugin-hmp/core/run-window.ts';
import { baselineOf, recoveryOf, type Baseline, type Recovery } from '../recovery.ts';
import type { SuiteOptions } from './args.ts';
import { ArtilleryProcess, stepEnv } from './artillery.ts';
import { bottleneckOf } from '../../diagnosis/bottleneck.ts';
import { diagnosisLines } from '../../diagnosis/words.ts';
import { RequestWatch } from './request-watch.ts';
import { buildShape } from '../../plugins/artillery-plugin-hmp/shape.ts';
import {
  evaluateAverage,
  evaluateBreakpoint,
  evaluateSmoke,
  evaluateSoak,
  evaluateSpike,
  evaluateStress,
  checksOf,
  noResults,
  notTested,
  stalledPeriodsOf,
  type CrashWatch,
  type Evaluation,
  type SpikeExtras,
} from './evaluate.ts';
import { rel } from './paths.ts';
import { readPhases, thinkFor, timeScaleFor } from './plan.ts';
import { probePeriods, recoveryCadence, unansweredOf } from './probe.ts';
import { healthCheck, healthProbe, ProbeLoop, projectsProbe } from './probe-loop.ts';
import { buildStepReport, readResults, samplerFor, stopSampler, withChecks, withSamples, withServerLog } from './step-report.ts';
import { serverLogSource } from '../server-log/source.ts';
import { logInWords } from '../server-log/summary.ts';
import type { StepRecord } from './state.ts';
import type { TestId } from './steps.ts';
import { criteriaOfRun } from '../../lib/plan-criteria.ts';
import type { ConversionReadiness } from '../../lib/preflight/conversions.ts';

export interface TestContext {
  suiteDir: string;
  /** The step's folder in the suite folder (default: the test's name; the --confirm run has its own). */
  dirName?: string;
  options: SuiteOptions;
  target: string;
  dataFile: string;
  adminCredentials: string;
  password: string;
  /** The suite's own twin, when it started one. */
  ownTwinPid: number | undefined;
  /** The step serves its own live page. */
  live?: boolean;
  /** The server's log file, followed during the test, or "digitalocean" (none: not read). */
  serverLog?: string;
  /** The pre-check of conversions at set-up, if it ran. */
  conversions?: ConversionReadiness;
  /** Baseline for the spike's recovery (average's results, else smoke's). */
  baseline: () => Baseline | undefined;
  /** The latest finished test whose server did not recover after it, with that finding (the reason a next test cannot start). */
  notRecovered?: () => { test: TestId; text: string } | undefined;
  /** Lines for the progress view. */
  line: (text: string) => void;
  onChildLine: (line: string) => void;
  /** Set by the suite on Ctrl-C. */
  interrupted: () => boolean;
  /** The running Artillery process, so Ctrl-C can reach it. */
  setCurrent: (p: ArtilleryProcess | undefined) => void;
}

export type TestOutcome = Evaluation & Pick<StepRecord, 'report' | 'results' | 'log'> & { timeScale: number; dir: string; artilleryExit: number | null };

const HEALTH_WATCH_EVERY_MS = 500;
const HEALTH_TIMEOUT_MS = 5_000;
const AFTER_HEALTH_TIMEOUT_MS = 10_000;

export function twinExited(pid: number | undefined): string | null {
  if (pid === undefined) return null;
  try {
    process.kill(pid, 0);
    return null;
  } catch {
    return `process ${pid} is gone`;
  }
}

function studentOf(dataFile: string): { id: number; private_key: string } | undefined {
  try {
    const data = parseTestData(readFileSync(dataFile, 'utf8'));
    return data.students.find((s) => s.project_ids.length > 0) ?? data.students[0];
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Light probes as a test student (GET /project/), at the recovery cadence of the run's time scale. */
function recoveryProbes(target: string, student: { id: number; private_key: string }, timeScale: number, request = projectsProbe(target, student)): ProbeLoop {
  const { everyMs, periodMs } = recoveryCadence(timeScale);
  return new ProbeLoop(request, { everyMs, timeoutMs: Math.max(2 * periodMs, 2000) });
}

/** Keeps the probes going until recovery is judged: recovered, or observed past the (scaled) limit. */
async function observeRecovery(loop: ProbeLoop, holdEnd: number, baseline: Baseline, timeScale: number, planLimitS: number, interrupted: () => boolean, after?: string): Promise<Recovery> {
  const { periodMs } = recoveryCadence(timeScale);
  const limitS = planLimitS * timeScale;
  const judge = (now: number) => recoveryOf({ periods: probePeriods(loop.samples, periodMs, holdEnd, now), holdEnd, baseline, limitS, periodMs, after });
  const deadline = holdEnd + limitS * 1000 + 3 * periodMs;
  let r = judge(Date.now());
  while (r.status === 'not-observed' && Date.now() < deadline && !interrupted()) {
    await sleep(Math.min(periodMs, 1000));
    r = judge(Date.now());
  }
  return r;
}

/** The test's shape in real seconds at its time scale, when its phase file can be read. */
function shapeSecondsOf(test: TestId, timeScale: number): number | undefined {
  try {
    return buildShape(readPhases(test), timeScale).total;
  } catch {
    return undefined;
  }
}

export async function runTest(test: TestId, ctx: TestContext): Promise<TestOutcome> {
  const o = ctx.options;
  const timeScale = timeScaleFor(test, o.timeScale, o.smokeTimeScale);
  const dir = join(ctx.suiteDir, ctx.dirName ?? test);
  if (existsSync(dir)) rmSync(dir, { recursive: true, force: true }); // an unfinished earlier attempt
  const base = { timeScale, dir: rel(ctx.suiteDir, dir), artilleryExit: null };

  const before = await healthCheck(ctx.target, AFTER_HEALTH_TIMEOUT_MS);
  if (before) {
    const after = ctx.notRecovered?.();
    const since = after ? ` ${after.text.replace(/^The server/, `The server (after the ${after.test} test)`)}` : '';
    return { ...base, ...noResults(test, `the target ${ctx.target} did not answer GET /health before the test (${before}).${since}`) };
  }

  const sampling = samplerFor(o.systemMetrics, ctx.ownTwinPid, timeScale, ctx.target);
  const follower = ctx.serverLog === undefined ? undefined : serverLogSource({ serverLog: ctx.serverLog, ...o.systemMetrics }).start();
  let loop: ProbeLoop | undefined;
  if (test === 'stress') loop = new ProbeLoop(healthProbe(ctx.target), { everyMs: HEALTH_WATCH_EVERY_MS, timeoutMs: HEALTH_TIMEOUT_MS });
  let recoveryBaseline: Baseline | undefined;
  if (test === 'spike') {
    recoveryBaseline = ctx.baseline();
    const student = studentOf(ctx.dataFile);
    if (student) loop = recoveryProbes(ctx.target, student, timeScale);
  }
  loop?.start();

  const think = thinkFor(test, o.timeScale, o.think);
  if (think && test === 'breakpoint' && !o.think) ctx.line(`the breakpoint keeps ${think[0]}-${think[1]} s of think time (plan seconds): 0.5-1.5 s real at time scale ${o.timeScale}`);
  const artillery = new ArtilleryProcess({
    test,
    target: ctx.target,
    dir,
    env: stepEnv({ dataFile: ctx.dataFile, timeScale, dir, adminCredentials: ctx.adminCredentials, password: ctx.password, think, conversions: o.conversions, live: ctx.live, pushgateway: o.pushgateway }),
    onLine: ctx.onChildLine,
    overrides: o.overrides,
  });
  ctx.setCurrent(artillery);
  const requests = new RequestWatch(join(dir, 'requests.log'), ctx.line, shapeSecondsOf(test, timeScale), process.env);
  requests.start();
  const exit = await artillery.wait();
  requests.stop();
  ctx.setCurrent(undefined);
  const { samples, problem, restarts } = await stopSampler(sampling);
  const notes: string[] = problem ? [problem] : [];
  // A restart is what the server did, flagged or not: said on the console and in the suite report.
  if (restarts) {
    ctx.line(restarts);
    notes.push(`${test}: ${restarts}.`);
  }
  const interrupted = ctx.interrupted();
  const paths = { log: rel(ctx.suiteDir, exit.logPath) };

  let results: Results | undefined;
  let readProblem = '';
  if (existsSync(exit.resultsPath)) {
    try {
      results = readResults(exit.resultsPath);
    } catch (err) {
      readProblem = (err as Error).message;
    }
  } else {
    readProblem = `Artillery exited with ${exit.code ?? exit.signal} and wrote no results (see ${paths.log})`;
  }

  // The spike: keep observing after the hold until recovery is judged.
  let recovery: Recovery | undefined;
  if (test === 'spike' && loop && results && recoveryBaseline) {
    const hold = holdOf(results);
    if (hold) recovery = await observeRecovery(loop, hold.end, recoveryBaseline, timeScale, criteriaOfRun(hmpSection(results)).recovery.limitS, ctx.interrupted);
  }
  if (test === 'spike' && !recoveryBaseline) notes.push('spike: no baseline to judge recovery against (neither the average nor the smoke test has results).');
  const probes = loop ? await loop.stop() : [];
  // Every other test: how long the server takes to answer normally again once the load stops (the same probes and judging).
  let afterLoad: Recovery | undefined;
  const student = test === 'spike' || !results || interrupted ? undefined : studentOf(ctx.dataFile);
  if (student) {
    const afterBaseline = ctx.baseline() ?? baselineOf(results!);
    // Logged in first (not a sample): the first probe is then a GET /project/ like every other.
    const request = projectsProbe(ctx.target, student);
    await request(AFTER_HEALTH_TIMEOUT_MS).catch(() => undefined);
    const probe = recoveryProbes(ctx.target, student, timeScale, request);
    const loadEnd = Date.now();
    probe.start();
    afterLoad = await observeRecovery(probe, loadEnd, afterBaseline, timeScale, criteriaOfRun(hmpSection(results!)).recovery.limitS, ctx.interrupted, 'the test');
    await probe.stop();
  }
  const afterHealth = test === 'stress' ? await healthCheck(ctx.target, AFTER_HEALTH_TIMEOUT_MS) : null;
  // Read until the server has recovered: what it logs after the load belongs to this test.
  const serverLog = await follower?.stop();
  if (serverLog) for (const l of logInWords(serverLog)) ctx.line(l);
  if (serverLog?.problem) notes.push(`${test}: ${serverLog.problem}`);
  // What the server said about its failures belongs in the suite report too (the step's report has the rest).
  if (serverLog?.pool.count || serverLog?.errors.length) notes.push(...logInWords(serverLog).slice(1, 3).map((l) => `${test}: ${l}`));

  if (!results) return { ...base, ...noResults(test, readProblem), ...paths, status: interrupted ? 'interrupted' : 'failed', artilleryExit: exit.code, notes };

  // The suite's own measurements first, recorded with the results: the step's
  // report then judges every criterion, and its summary is the step's verdict.
  const sampled = withServerLog(withSamples(results, samples, sampling.sampler), serverLog);
  let watch: CrashWatch | undefined;
  let spike: SpikeExtras | undefined;
  let drift: Drift | undefined;
  if (!interrupted && test === 'stress') {
    watch = { during: probes.length ? unansweredOf(probes, HEALTH_TIMEOUT_MS) : null, after: afterHealth, exited: twinExited(ctx.ownTwinPid), stalledPeriods: stalledPeriodsOf(sampled) };
  }
  if (!interrupted && test === 'spike') {
    let integrity: IntegrityReport | { error: string };
    try {
      integrity = await verifyRun({ logPath: join(dir, 'uploads.jsonl'), dataPath: ctx.dataFile, target: ctx.target });
    } catch (err) {
      if (!(err instanceof IntegrityError)) throw err;
      integrity = { error: err.message };
    }
    spike = { recovery, timeScale, integrity };
  }
  if (!interrupted && test === 'soak') drift = driftOfResults(sampled);
  const report = buildStepReport(withChecks(sampled, checksOf({ crash: watch, spike, drift, afterLoad })), dir);
  const merged = report.results;
  const s = report.summary;
  const where = { ...paths, report: rel(ctx.suiteDir, report.report), results: rel(ctx.suiteDir, exit.resultsPath) };
  if (interrupted) {
    const reason = `interrupted (Ctrl-C) after ${Math.round(s.run.durationS)} s of load; its partial results are in its report, and --resume runs it again.`;
    return { ...base, ...where, status: 'interrupted', reason, evidence: [], numbers: {}, notes, details: {}, artilleryExit: exit.code };
  }

  const evaluate: Record<TestId, () => Evaluation> = {
    smoke: () => evaluateSmoke(merged, s, ctx.conversions),
    average: () => evaluateAverage(merged, s),
    stress: () => evaluateStress(merged, s, watch!),
    spike: () => evaluateSpike(merged, s, spike!),
    breakpoint: () => evaluateBreakpoint(merged, s, bottleneckOf(merged)),
    soak: () => evaluateSoak(merged, s, drift!),
  };
  // A run that never reached its shape's users did not test the server (core/criteria.ts): no verdict of its own.
  const ev = s.outcome === 'NOT TESTED' ? notTested(test, s) : evaluate[test]();
  if (test === 'spike' && recovery) ev.details.recoveryProbe = { probes: probes.length, baseline: recoveryBaseline, periodMs: recoveryCadence(timeScale).periodMs };
  if (afterLoad) {
    ev.numbers.recoveryStatus = afterLoad.status;
    ev.numbers.recoveryS = afterLoad.recoveredAfterS;
    ev.numbers.recoveryLimitS = afterLoad.limitS;
    ev.details.recoveryAfterLoad = afterLoad;
  }
  // A compressed think time multiplies the load per user: the step says by how much.
  const perUser = s.run.loadPerUser;
  if (perUser && Math.abs(Math.log(perUser.factor)) > Math.log(1.5)) ev.notes.push(`${test}: ${perUser.text}.`);
  // What went wrong, when and why (diagnosis/), said as the test ends; recorded with its step.
  for (const l of diagnosisLines(s.diagnosis)) ctx.line(l);
  ev.diagnosis = s.diagnosis;
  // A stall is named in every test's row, flagged or not: it is what the server did, not a verdict.
  const stalls = hmpSection(merged).stalls;
  if (stalls?.stalls?.length && stalls.text) ev.notes.push(`${test}: ${stalls.text}`);
  if (exit.code !== 0 && exit.code !== 1) ev.notes.push(`${test}: Artillery exited with ${exit.code ?? exit.signal} (see ${paths.log}).`);
  return { ...base, ...where, ...ev, notes: [...notes, ...ev.notes], artilleryExit: exit.code };
}

/** Baseline from a finished test's results file, if it has one. */
export function baselineFrom(suiteDir: string, resultsRel: string | undefined): Baseline | undefined {
  if (!resultsRel) return undefined;
  try {
    const r = readResults(join(suiteDir, resultsRel));
    const b = baselineOf(r);
    return stat(r.aggregate, ARTILLERY.responseTime, 'p95') === undefined ? undefined : b;
  } catch {
    return undefined;
  }
}

