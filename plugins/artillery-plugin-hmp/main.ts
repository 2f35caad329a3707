// Main-thread side: settings, target, the closed-model phases, SLO gates,
// per-period progress. Runs in the plugin's constructor, before any load.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildShape, describeShape, readUserPhases, type Shape } from './shape.ts';
import { arrivalPhases } from './arrivals.ts';
import { BreakpointDetector, levelsOf, type BreakpointResult } from './breakpoint.ts';
import { formatLevelTable, LevelTable } from './level-table.ts';
import { breakpointRecord } from './capacity.ts';
import { loadRunJourneys, type RunJourneysOrWhy } from './journeys-of-run.ts';
import { loadPerUserOf } from './load-per-user.ts';
import { rateLine } from './core/capacity-text.ts';
import { viewOf } from './period-view.ts';
import { aggregate, plainPeriod } from './core/aggregate.ts';
import { derivedCounters, ensureConditions, measuredOf } from './ensure-conditions.ts';
import { formatVerdict, LOAD_VERDICT, outcomeOf, verdictsOf, type Measured, type Verdict } from './core/criteria.ts';
import { driftMeasured, driftOfResults } from './core/drift.ts';
import { parseRequestLog, stallsOf, type StallAnalysis } from './core/stalls.ts';
import { timelineOf, type RequestTimeline } from './core/request-timeline.ts';
import type { RawPeriod, Results } from './core/results.ts';
import { probeTarget, startLocalTwin, type LocalTwin } from './local-twin.ts';
import { preflightOff, runPreflight } from './preflight-run.ts';
import { lengthNeeds, shortAllowed, tooShort } from './core/run-length.ts';
import { resolveSettings, type HmpSettings } from './settings.ts';
import { ARTILLERY, endpointErrors, metric } from './core/metric-names.ts';
import { consoleMetricsOn, holdBackPeriodDumps } from './console-filter.ts';
import type { GatePayload } from './worker.ts';
import { LivePage } from './live-page.ts';
import { liveSettings, LiveSettingsError } from './live-settings.ts';
import { GONE_WATCHED, goneWords, type GoneFinding } from './server-gone.ts';
import { ServerGoneProbe } from './server-gone-probe.ts';
import { Publisher } from './publish.ts';

interface ArtilleryGlobal {
  testInfo: { flags: Record<string, any>; metadata: { testConfig: Record<string, any> } };
  ext(e: { ext: string; method: (...args: any[]) => Promise<void> }): void;
  log(...args: unknown[]): void;
  shutdown?: (opts: { earlyStop?: boolean; exitCode?: number }) => Promise<void>;
}

interface Events {
  on(event: string, fn: (...args: any[]) => void): void;
}

function toolOf(dir: string): { version: string | null; commit: string | null } {
  let version: string | null = null;
  try {
    version = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version ?? null;
  } catch {}
  const git = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: dir, encoding: 'utf8', timeout: 5000 });
  return { version, commit: git.status === 0 ? git.stdout.trim() || null : null };
}

/** The first sample per endpoint and reason (each worker writes its own first). */
function readErrorSamples(path: string | undefined): unknown[] {
  if (!path || !existsSync(path)) return [];
  const first = new Map<string, unknown>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    try {
      const s = JSON.parse(line) as { endpoint: string; reason: string };
      const key = `${s.endpoint}\u0000${s.reason}`;
      if (!first.has(key)) first.set(key, s);
    } catch {} // a blank or torn line
  }
  return [...first.values()];
}

/** The results file, written atomically: a reader never sees half of it. */
function writeJsonAtomic(path: string, data: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(data, null, 2));
  renameSync(tmp, path);
}

/** The stall analysis and the per-second timeline of the run's request log (written by the workers, request-log.ts). */
function stallsOfLog(path: string | undefined): { stalls: StallAnalysis; timeline: RequestTimeline | undefined } | undefined {
  if (!path || !existsSync(path)) return undefined;
  try {
    const spans = parseRequestLog(readFileSync(path, 'utf8'));
    return { stalls: stallsOf(spans), timeline: timelineOf(spans) };
  } catch {
    return undefined;
  }
}

/** Seconds as "mm:ss" (hours as minutes: 180:00). */
const mmss = (x: number) => `${String(Math.floor(x / 60)).padStart(2, '0')}:${String(Math.floor(x % 60)).padStart(2, '0')}`;

/** The phase files' default target: start the twin unless HMP_TARGET names a server. */
export const LOCAL_TWIN = 'local-twin';

export class MainSide {
  settings: HmpSettings;
  shape: Shape;
  twin: LocalTwin | undefined;
  #artillery: ArtilleryGlobal;
  /** Epoch ms of the shape's t = 0: the first phase until the gate's clock is reported. */
  #t0: number | undefined;
  #gateClock = false;
  #periods: RawPeriod[] = [];
  #breakpoint: { detector: BreakpointDetector; table: LevelTable } | undefined;
  /** The run's journeys (think times, per-session actions), read from the processors for the breakpoint's capacity in req/s. */
  #journeys: RunJourneysOrWhy | undefined;
  /** aggregate.hmp.breakpoint, computed once: when a level fails, else at the end. */
  #breakpointRecord: ReturnType<typeof breakpointRecord> | undefined;
  /** Whether the capacities and the level table are on the console (once per run). */
  #breakpointPrinted = false;

  constructor(pluginConfig: Record<string, any>, events: Events) {
    // Artillery sends anonymous telemetry to the internet by default; never from this suite.
    process.env.ARTILLERY_DISABLE_TELEMETRY ??= '1';
    this.#artillery = (globalThis as any).artillery as ArtilleryGlobal;
    // Progress and verdicts in words; Artillery's per-period dumps only on request.
    if (!consoleMetricsOn(process.env)) holdBackPeriodDumps(this.#artillery);
    const testConfig = this.#artillery.testInfo.metadata.testConfig;
    const flags = this.#artillery.testInfo.flags;
    const scriptDir = dirname(resolve(testConfig.scriptPath ?? flags.script ?? '.'));
    const variables = flags.variables ? (JSON.parse(flags.variables) as Record<string, unknown>) : {};

    // The sources named when a setting is wrong: what --overrides set is said to come from it.
    this.settings = resolveSettings(pluginConfig, scriptDir, variables, process.env, Math.random, { overrides: flags.overrides, phaseFile: testConfig.scriptPath ?? flags.script });
    const s = this.settings;
    const userPhases = readUserPhases(testConfig.phases).map((p) => (s.jitter ? p : { ...p, jitter: undefined }));
    this.shape = buildShape(userPhases, s.timeScale, s.seed, s.share);
    // Distributed: every worker must draw the same jitter, so the seed cannot be each one's own.
    if (s.share && this.shape.jitter.length && s.seedSource === 'random') this.#fail(`the ${s.test} test's jitter must move all ${s.share.workers} workers alike: give every worker the same HMP_JITTER_SEED (any whole number) or ARTILLERY_TEST_RUN_ID. No load was sent.`);
    this.#checkLength(userPhases);

    // Metrics out (HMP_PUSHGATEWAY, HMP_OTEL_ENDPOINT): every period, then the final report (publish.ts).
    this.#publish = Publisher.start(events, s.test, process.env, (l) => this.#log(l));
    this.#resolveTarget(testConfig);
    this.#startLivePage();
    // Workers write the server's error messages here (first per endpoint and reason).
    if (!process.env.HMP_ERRORS_LOG) {
      this.#ownLogDir = mkdtempSync(join(tmpdir(), 'hmp-errors-'));
      process.env.HMP_ERRORS_LOG = join(this.#ownLogDir, 'errors.jsonl');
    }
    // ... and every request's start and end beside it, for the stall analysis.
    process.env.HMP_REQUESTS_LOG ??= join(dirname(process.env.HMP_ERRORS_LOG), 'requests.log');
    // ... and the acknowledged uploads: per run, so no shared file grows run after run, mixing servers.
    process.env.HMP_UPLOADS_LOG ??= join(dirname(process.env.HMP_ERRORS_LOG), 'uploads.jsonl');
    try {
      writeFileSync(process.env.HMP_REQUESTS_LOG, '');
    } catch {}

    // The workers receive these phases: the gate in the worker draws the shape.
    const payload: GatePayload = { userPhases, timeScale: s.timeScale, seed: s.seed, scenarios: s.scenarios, share: s.share };
    testConfig.phases.splice(0, testConfig.phases.length, ...arrivalPhases(this.shape, payload));

    // SLO gates: ensure reads its config after this plugin is constructed (same object).
    const plugins = testConfig.plugins as Record<string, any>;
    // Not on a cloud worker: its ensure runs on the launcher, over merged metrics that lack the
    // plugins.hmp.criteria.* this worker adds to its own final report only (they would read as 0 there).
    if (s.share?.cloud) this.#log("ensure: the plan's criteria are judged on the launcher's merged results (npm run report -- <results> --phase <phase file>), not here");
    else if (plugins.ensure) plugins.ensure.conditions = [...(plugins.ensure.conditions ?? []), ...ensureConditions(s)];
    else this.#log(`note: add "ensure: {}" after "hmp" in config.plugins to gate on the SLOs`);

    if (!s.conversions) this.#log('conversions are off (HMP_CONVERSIONS=off): not tested in this run');
    // One clock on the console: the plan's; real time only where the time scale makes them differ.
    const planLength = mmss(this.shape.total / s.timeScale);
    this.#log(`${s.test} test (plan times): ${describeShape(this.shape)} (${planLength}${s.timeScale !== 1 ? `, ${Math.round(this.shape.total)} s of real time at time scale ${s.timeScale}` : ''})`);
    if (this.shape.jitter.length > 0) {
      this.#log(`spike jitter seed ${s.seed} (${s.seedSource}); replay with HMP_JITTER_SEED=${s.seed}`);
    }

    if (s.test === 'breakpoint') {
      this.#breakpoint = {
        detector: new BreakpointDetector(this.shape, s.criteria.breakpoint, s.slo, s.criteria.groups),
        table: new LevelTable(levelsOf(this.shape), { slo: s.slo, groups: s.criteria.groups, maxErrorRate: s.criteria.breakpoint.maxErrorRate }),
      };
    }
    // The journeys (think times, per-session actions): the breakpoint's capacity in req/s, and every test's load per user.
    const vars = { ...(testConfig.variables ?? {}), ...variables } as Record<string, unknown>;
    void loadRunJourneys({ processorsDir: s.processorsDir, scenariosPath: s.scenarios, env: process.env, variables: vars, timeScale: s.timeScale }).then((j) => {
      this.#journeys = j;
    });
    events.on('phaseStarted', () => {
      this.#t0 ??= Date.now();
    });
    events.on('stats', (stats: RawPeriod) => this.#onPeriod(stats));
    // Stress, spike, soak: stopped when the server is gone (server-gone.ts); from the first users on, until the run is done.
    events.on('phaseStarted', () => this.#watchGone());
    events.on('done', () => this.#goneProbe?.stop());
    // The same object becomes the final report (-o JSON) that ensure checks in beforeExit.
    events.on('done', (stats: RawPeriod) => {
      const measured = this.#measured(stats);
      const verdicts = verdictsOf(s.test, s.criteria, measured);
      stats.counters = { ...stats.counters, ...derivedCounters(verdicts) };
      const results = this.#hmpResults();
      results.verdicts = verdicts;
      (stats as unknown as Record<string, unknown>).hmp = results;
      // Said last, after Artillery's end of run (beforeExit below).
      this.#verdictWords = () => {
        // Its users are not the plan's users when they think less: say how far the load per user exceeded the plan's.
        const perUser = results.loadPerUser as { factor: number; text: string } | undefined;
        if (perUser && Math.abs(Math.log(perUser.factor)) > Math.log(1.5)) this.#log(`load per user: ${perUser.text}`);
        this.#printVerdicts(verdicts, measured);
      };
    });
    // Artillery writes no results on an early stop or Ctrl-C: write what was
    // measured. Then the report folder, for every run.
    this.#artillery.ext({
      ext: 'beforeExit',
      method: async (event: { earlyStop?: boolean; report?: Record<string, unknown> }) => {
        const aggregate = event?.earlyStop || !event?.report?.hmp ? this.#writeOwnResults() : event.report;
        const published = this.#publish?.end(aggregate as { counters?: Record<string, number> });
        const report = await this.#writeReport(aggregate);
        await this.#live?.end(aggregate, report?.page);
        await published;
        // The console ends on the verdict and the report's path.
        for (const line of report?.incidents ?? []) this.#log(line);
        this.#verdictWords?.();
        if (report?.index) this.#log(`runs index: ${report.index}`);
        if (report) this.#log(`report: ${report.page}`);
      },
    });
    this.#artillery.ext({ ext: 'onShutdown', method: async () => this.#cleanup() });
  }

  #live: LivePage | undefined;
  #publish: Publisher | undefined;
  /** Prints the run's verdict (set when Artillery's run is done, said at the very end). */
  #verdictWords: (() => void) | undefined;
  /** The folder of the workers' error and request logs, when this run made it (removed at shutdown). */
  #ownLogDir: string | undefined;

  /** The live page (live-page.ts), when on (HMP_LIVE; a terminal by default) and the report builder is there. */
  #startLivePage(): void {
    let live;
    try {
      live = liveSettings(process.env, Boolean(process.stdout.isTTY));
    } catch (err) {
      if (err instanceof LiveSettingsError) this.#fail(err.message);
      throw err;
    }
    const builder = this.settings.reportBuilder;
    if (!live.on || !builder) return;
    const run = { periods: this.#periods, hmp: () => this.#hmpResults(false), progress: () => this.#progress() };
    LivePage.start(builder, live.port, run).then(
      ({ page, url }) => {
        this.#live = page;
        this.#log(`live page: ${url} (this run only; HMP_LIVE=off switches it off)`);
      },
      (err: NodeJS.ErrnoException) =>
        this.#log(err.code === 'EADDRINUSE' ? `no live page: port ${live.port} is in use; choose another with HMP_LIVE_PORT (0: any free port)` : `no live page (${err.message.split('\n')[0]})`),
    );
  }

  /** Before any load: a time scale that leaves a level shorter than its criteria's periods is refused (core/run-length.ts). */
  #checkLength(phases: Array<{ duration: number; users: number }>): void {
    const s = this.settings;
    const short = tooShort(s.test, lengthNeeds(s.test, phases, s.criteria.drift), s.timeScale);
    if (!short) return;
    const what = `the ${s.test} test at time scale ${s.timeScale} is too short to judge: ${short.why}`;
    if (!shortAllowed(process.env)) this.#fail(`${what}; run it at HMP_TIME_SCALE=${short.minScale} or more (or set HMP_ALLOW_SHORT=1 to run it anyway, to check the mechanics only). No load was sent.`);
    this.#tooShort = `${what} (the smallest scale that judges it is ${short.minScale})`;
    this.#log(`${what}; running anyway (HMP_ALLOW_SHORT): the verdict checks the mechanics, not the server`);
  }

  /** Why this run is too short to judge, when HMP_ALLOW_SHORT let it run. */
  #tooShort: string | undefined;

  #log(line: string): void {
    console.log(`hmp: ${line}`);
  }

  #resolveTarget(testConfig: Record<string, any>): void {
    let target = String(testConfig.target ?? '').trim();
    if (target === LOCAL_TWIN || !target) target = process.env.HMP_TARGET?.trim() ?? '';
    if (!target) {
      const script = this.settings.localTarget;
      if (!script) this.#fail('no target given and no local target to start (localTarget in common.yml); give the server with --target URL or HMP_TARGET=URL.');
      try {
        this.twin = startLocalTwin({ script, log: (l) => this.#log(l) });
      } catch (err) {
        this.#fail(`${(err as Error).message}.`);
      }
      // The workers inherit these: the processors find the twin, its data and its admin.
      process.env.HMP_TARGET = this.twin!.url;
      process.env.HMP_TEST_DATA = this.twin!.dataPath;
      process.env.HMP_ADMIN_CREDENTIALS = this.twin!.credentialsPath;
      process.env.HMP_PASSWORD = this.twin!.password;
      testConfig.target = this.twin!.url;
      return;
    }
    const why = probeTarget(target);
    if (why) this.#fail(`the target ${target} does not answer (${why}); start the server or fix --target / HMP_TARGET. No load was sent.`);
    process.env.HMP_TARGET = target;
    testConfig.target = target;
    const data = resolve(process.env.HMP_TEST_DATA ?? 'data/test_data.json');
    if (!existsSync(data)) {
      this.#fail(`no test data at ${data}; run "npm run test-env -- up --target ${target} --credentials <admin.bin>" first (or set HMP_TEST_DATA).`);
    }
    // Seconds of questions before minutes of load: is it HMP, is the data its own, has the run what the test needs.
    if (this.settings.preflight && !preflightOff(process.env)) {
      const { findings, notes } = runPreflight(this.settings.preflight, { target, test: this.settings.test, dataPath: data, conversions: this.settings.conversions });
      if (!findings.length) for (const n of notes) this.#log(n);
      else {
        // One sentence per finding, each with its fix; all of them, so one run names everything to fix.
        for (const f of findings.slice(0, -1)) console.error(`hmp: ${f}`);
        this.#fail(`${findings.at(-1)} No load was sent.`);
      }
    }
  }

  #fail(sentence: string): never {
    console.error(`hmp: ${sentence}`);
    this.#cleanup();
    process.exit(2);
  }

  #sent = { requests: 0, errors: 0 };

  #onPeriod(stats: RawPeriod): void {
    this.#periods.push(stats);
    this.#goneProbe?.period(stats);
    // One clock: the gate's (its shape starts when the first users are there), once a worker reports it.
    const started = stats.summaries?.[metric.shapeStartedAt]?.min;
    if (started && !this.#gateClock) {
      this.#t0 = Math.round(started);
      this.#gateClock = true;
    }
    if (this.#breakpoint) this.#checkBreakpoint(stats);
    const active = stats.summaries?.[metric.usersActive];
    const target = stats.summaries?.[metric.usersTarget];
    if (active && target) {
      const dev = stats.summaries?.[metric.usersDeviation]?.max ?? 0;
      const range = (s: { min: number; max: number }) => (Math.round(s.min) === Math.round(s.max) ? `${Math.round(s.max)}` : `${Math.round(s.min)}-${Math.round(s.max)}`);
      const c = stats.counters ?? {};
      // Totals so far, so the last line agrees with the verdict's.
      this.#sent.requests += c[ARTILLERY.requests] ?? 0;
      this.#sent.errors += endpointErrors(c);
      this.#log(`${this.#progress()} users ${range(active)} of ${range(target)} (max deviation ${dev}), ${this.#sent.requests} requests and ${this.#sent.errors} errors so far`);
    }
  }

  /** The gated criteria first (PASS/FAIL), then what is reported only; nothing for a test that gates nothing (breakpoint). */
  #printVerdicts(list: Verdict[], measured: Measured): void {
    if (!list.some((v) => v.gated)) return;
    const failed = list.some((v) => v.pass === false);
    const notTested = outcomeOf(this.settings.test, list, true) === 'NOT TESTED';
    const unmeasured = list.filter((v) => v.gated && v.measured === null && v.note?.includes('npm run suite'));
    const verdict = notTested
      ? `NOT TESTED: ${list.find((v) => v.id === LOAD_VERDICT)?.note}`
      : failed
        ? "FAILED the plan's criteria"
        : unmeasured.length
          ? `passed the criteria measured here (${unmeasured.map((v) => v.name).join(', ')}: measured by the suite)`
          : "passed the plan's criteria";
    this.#log(`${this.settings.test} test ${verdict} (${measured.requests} requests, ${measured.errors} errors):`);
    for (const v of list.filter((x) => x.gated)) {
      console.log(`  ${formatVerdict(v)}`);
      if (v.id === 'capacity' && v.note) console.log(`    ${v.note}`);
    }
    const reported = list.filter((x) => !x.gated && x.measured !== null);
    if (reported.length) {
      // "p99 latency, auth" and "p99 latency, list" read as one list: "p99 latency: auth 5 ms, list 4 ms".
      const groups = new Map<string, string[]>();
      for (const v of reported) {
        const [head, tail] = v.name.includes(', ') ? v.name.split(', ', 2) : [v.name, ''];
        groups.set(head!, [...(groups.get(head!) ?? []), `${tail ? `${tail} ` : ''}${v.measured}${v.unit === 'ms' ? ' ms' : v.unit}`]);
      }
      console.log(`  reported, not gated for ${this.settings.test}: ${[...groups].map(([head, items]) => `${head}: ${items.join(', ')}`).join('; ')}`);
    }
    const why = measured.unansweredWhy ?? {};
    if (measured.unanswered.length) console.log(`  not answered: ${measured.unanswered.map((e) => (why[e] ? `${e} (${why[e]})` : e)).join('; ')}`);
  }

  #goneProbe: ServerGoneProbe | undefined;
  /** Why the run was stopped, when its server was gone. */
  #gone: GoneFinding | undefined;

  #watchGone(): void {
    const limitMin = this.settings.stopWhenGoneMin;
    if (this.#goneProbe || this.#gone || !limitMin || !GONE_WATCHED.includes(this.settings.test) || !process.env.HMP_TARGET) return;
    this.#goneProbe = new ServerGoneProbe({ target: process.env.HMP_TARGET, limitMin, onGone: (f) => this.#stopGone(f) });
  }

  /** Nothing answered for the limit: stop as the breakpoint does, exit 1; the results, the report and the verdict follow (beforeExit). */
  #stopGone(found: GoneFinding): void {
    this.#gone = found;
    this.#log(`stopping the run: ${this.#goneWords()}`);
    void this.#artillery.shutdown?.({ earlyStop: true, exitCode: 1 });
  }

  #goneWords(): string {
    const plan = (ms: number) => (this.#t0 === undefined ? undefined : `plan ${mmss(Math.max(0, (ms - this.#t0) / 1000 / this.settings.timeScale))}`);
    return goneWords(this.#gone!, plan);
  }

  /** What the criteria read of the stop (core/criteria.ts Measured.serverGone); recorded in the results' checks with its times. */
  #goneRecord(): (GoneFinding & { text: string }) | undefined {
    return this.#gone && { ...this.#gone, text: this.#goneWords() };
  }

  #checkBreakpoint(stats: RawPeriod): void {
    const { detector, table } = this.#breakpoint!;
    const view = viewOf(stats, this.#t0 ?? Number(stats.period));
    table.add(view, stats.histograms);
    const found = detector.push(view);
    if (!found) return;
    const record = this.#recordOf(found);
    this.#breakpointPrinted = true;
    this.#log(record.summary);
    this.#log(`failure mode at ${found.failingUsers} users: ${found.failureMode}`);
    this.#log(rateLine(record));
    this.#log(`stopping the run: the server failed at ${found.failingUsers} users (${new Date(found.failedAt!).toISOString()})`);
    console.log(formatLevelTable(record.levels));
    // Ensure does not run on an early stop: the capacity verdict (the plan's peak) sets the exit code here.
    const capacity = verdictsOf('breakpoint', this.settings.criteria, { ...measuredOf(this.settings, stats), capacity: record }).find((v) => v.id === 'capacity');
    // The verdict is said last, after the report is written (beforeExit).
    if (capacity) this.#verdictWords = () => this.#log(`${formatVerdict(capacity).replace(/^n\/a /, 'n/a')}${capacity.note ? `: ${capacity.note}` : ''}`);
    void this.#artillery.shutdown?.({ earlyStop: true, exitCode: capacity?.pass === false ? 1 : 0 });
  }

  /** aggregate.hmp.breakpoint for the detector's result, computed once (capacity.ts). */
  #recordOf(result: BreakpointResult): ReturnType<typeof breakpointRecord> {
    const { table } = this.#breakpoint!;
    const goals = this.settings.criteria.goals;
    this.#breakpointRecord ??= breakpointRecord(result, table.rows(result.failingUsers), { goals, journeys: this.#journeys });
    return this.#breakpointRecord;
  }

  /** What this run measured of the criteria; the soak's latency drift too (the same core/drift.ts as the report and the suite). */
  #measured(stats: RawPeriod): Measured {
    const gone = this.#goneRecord();
    const m = { ...measuredOf(this.settings, stats, this.shape.peak), ...(gone ? { serverGone: gone } : {}) };
    if (this.#breakpoint) return { ...m, capacity: this.#recordOf(this.#breakpoint.detector.finish()) };
    if (this.settings.test !== 'soak') return m;
    const run = { aggregate: { hmp: { shape: this.shape.segments, startedAt: this.#t0, timeScale: this.settings.timeScale } }, intermediate: this.#periods };
    const drift = driftMeasured(driftOfResults(run as unknown as Results, this.settings.criteria.drift));
    return { ...m, drift };
  }

  #requestLog: ReturnType<typeof stallsOfLog> | null = null;
  /** The stall analysis and the timeline, once per run (the final results and an early stop's own both need them); said in words when there were stalls. */
  #requestAnalysis(): ReturnType<typeof stallsOfLog> {
    if (this.#requestLog !== null) return this.#requestLog;
    this.#requestLog = stallsOfLog(process.env.HMP_REQUESTS_LOG);
    if (this.#requestLog?.stalls.stalls.length) this.#log(this.#requestLog.stalls.text);
    return this.#requestLog;
  }

  /** What the suite adds to the results: settings, shape, and per type the verdicts. */
  /** The results' hmp section; `final` false: as it stands during the run (the live page), without the end's analysis. */
  #hmpResults(final = true): Record<string, unknown> {
    const s = this.settings;
    const out: Record<string, unknown> = {
      test: s.test,
      timeScale: s.timeScale,
      jitterSeed: this.shape.jitter.length ? s.seed : undefined,
      jitter: this.shape.jitter,
      shape: this.shape.segments,
      target: process.env.HMP_TARGET,
      tool: this.#tool,
      errorSamples: readErrorSamples(process.env.HMP_ERRORS_LOG),
      stalls: final ? this.#requestAnalysis()?.stalls : undefined,
      loadPerUser: final ? loadPerUserOf(this.#periods, this.#journeys) : undefined,
      requestTimeline: final ? this.#requestAnalysis()?.timeline : undefined,
      ...(s.conversions ? {} : { notTested: ['conversions (HMP_CONVERSIONS=off)'] }),
      tooShort: this.#tooShort,
      startedAt: this.#t0,
      endedAt: Date.now(),
      // Stopped because the server was gone (server-gone.ts): read by the criteria wherever the results are judged.
      checks: this.#gone ? { serverGone: this.#goneRecord() } : undefined,
      // The criteria used, so a report of these results stands on its own.
      criteria: s.criteria,
    };
    if (this.#breakpoint && !final) {
      const found = this.#breakpoint.detector.result;
      const sofar = { found: false, maxSustainableUsers: 0, summary: 'climbing: no level has failed so far' };
      out.breakpoint = found ? this.#recordOf(found) : { ...sofar, levels: this.#breakpoint.table.rows(undefined) };
    } else if (this.#breakpoint) {
      const result: BreakpointResult = this.#breakpoint.detector.finish();
      const record = this.#recordOf(result);
      out.breakpoint = record;
      if (!this.#breakpointPrinted) {
        this.#breakpointPrinted = true;
        this.#log(record.summary);
        this.#log(rateLine(record));
        console.log(formatLevelTable(record.levels));
      }
    }
    return out;
  }

  /** The -o path Artillery would have used, else reports/<test>-<time>.json. */
  #resultsPath(): string {
    const output = this.#artillery.testInfo.flags.output as string | undefined;
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    if (output) {
      const isDir = existsSync(output) && statSync(output).isDirectory();
      return isDir ? join(output, `${this.settings.test}-${stamp}.json`) : resolve(output);
    }
    return resolve('reports', `${this.settings.test}-${stamp}.json`);
  }

  #ownAggregate: Record<string, unknown> | undefined;
  /** The suite's version and commit, recorded with the results (null outside a checkout). */
  #tool = toolOf(process.cwd());

  /** Writes the results Artillery did not; returns their aggregate. */
  #writeOwnResults(): Record<string, unknown> {
    if (this.#ownAggregate) return this.#ownAggregate;
    const report = aggregate(this.#periods) as RawPeriod & Record<string, unknown>;
    const measured = this.#measured(report);
    const verdicts = verdictsOf(this.settings.test, this.settings.criteria, measured);
    report.counters = { ...report.counters, ...derivedCounters(verdicts) };
    report.hmp = { ...this.#hmpResults(), earlyStop: true, verdicts };
    // Stopped early (Ctrl-C): the verdict of what was measured is still said last.
    this.#verdictWords ??= () => {
      this.#printVerdicts(verdicts, measured);
      // A server gone: why and when, last.
      if (this.#gone) this.#log(`${this.settings.test} test FAILED: ${this.#goneWords()}`);
    };
    const path = this.#resultsPath();
    writeJsonAtomic(path, { aggregate: report, intermediate: this.#periods.map(plainPeriod) });
    this.#log(`results of the ${this.#periods.length} measured periods written to ${path}`);
    this.#ownAggregate = report;
    return report;
  }

  /**
   * reports/<test>-<time>/ with results, summary.json/md and report.html, by
   * the suite's report builder (`report` in phases/common.yml; a copy of this
   * plugin used without the suite has none and skips it).
   */
  async #writeReport(aggregate: Record<string, unknown>): Promise<{ page: string; incidents: string[]; index?: string } | undefined> {
    const builder = this.settings.reportBuilder;
    if (!builder || this.#periods.length === 0 || process.env.HMP_NO_REPORT) return undefined;
    try {
      const mod = (await import(pathToFileURL(builder).href)) as {
        writeReportFolder: (r: unknown, o: { reportsDir: string }) => string;
        writeRunsIndex?: (dir: string) => { path: string };
        incidentLines?: (r: unknown) => string[];
      };
      const reportsDir = resolve(process.env.HMP_REPORTS_DIR ?? 'reports');
      const results = { aggregate, intermediate: this.#periods };
      // What went wrong and why (the builder's diagnosis: one for every reader).
      const incidents = mod.incidentLines?.(results) ?? [];
      const folder = mod.writeReportFolder(results, { reportsDir });
      const index = mod.writeRunsIndex?.(reportsDir).path;
      return { page: join(folder, 'report.html'), incidents, index };
    } catch (err) {
      console.error(`hmp: the report could not be written (${(err as Error).message.split('\n')[0]}); the results are kept: npm run report -- <results.json> rebuilds it.`);
      return undefined;
    }
  }

  /** "plan 02:30 / 25:00 (10%)" in the plan's minutes (unscaled), so scaled runs read the same. */
  #progress(): string {
    const elapsed = this.#t0 === undefined ? 0 : (Date.now() - this.#t0) / 1000 / this.settings.timeScale;
    const total = this.shape.total / this.settings.timeScale;
    return `plan ${mmss(Math.min(elapsed, total))} / ${mmss(total)} (${Math.min(100, Math.round((100 * elapsed) / total))}%)`;
  }

  #cleanup(): void {
    const twin = this.twin;
    this.twin = undefined;
    twin?.stop();
    this.#goneProbe?.stop();
    this.#live?.close();
    if (this.#ownLogDir) rmSync(this.#ownLogDir, { recursive: true, force: true });
    this.#ownLogDir = undefined;
  }
}
