// The sequence (plan section 6, "Execution Algorithm"), I/O glue only:
//   1 setup -> 2 smoke -> 3 average -> 4 stress -> 5 spike -> 6 breakpoint
//   -> 7 soak (only if every earlier test passed) -> 8 teardown (ALWAYS,
//   verified) -> 9 the suite report.
// The state is written after every step, so the report can always be built
// and --resume continues from the first unfinished test. Ctrl-C: the running
// Artillery gets SIGINT (its plugin writes the results), then teardown and
// the report run with what exists.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { serverLogProblem } from '../server-log/source.ts';
import { startTwinProcess, type TwinProcess } from '../../twin/launch.ts';
import type { ArtilleryProcess } from './artillery.ts';
import { EnvironmentError, setUp, tearDown, type Admin, type TeardownResult } from './environment.ts';
import { loadShapes, timeScaleFor } from './plan.ts';
import { healthCheck } from './probe-loop.ts';
import { closingLines, formatStatus, notRunLine, openingLine, parseUsers, ProgressView, remainingS, stepTag, type Out, type Users } from './progress.ts';
import { targetAt } from '../../plugins/artillery-plugin-hmp/shape.ts';
import { writeAtomic } from '../../lib/atomic-file.ts';
import { renderSuiteHtml, renderSuiteMarkdown } from './render.ts';
import { writeRunsIndex } from '../../report/runs-index-file.ts';
import { abortedBy, isFinished, soakBlockedBy, testsToRun, writeState, type StepRecord, type SuiteState } from './state.ts';
import { FLAG_TITLE, STEP_TITLE, TESTS, type StepId, type TestId } from './steps.ts';
import { planCriteria } from '../../lib/plan-criteria.ts';
import { buildSummary, FILES, VERDICT } from './summary.ts';
import { baselineFrom, runTest, twinExited, type TestContext, type TestOutcome } from './tests.ts';
import { confirmCause } from './confirm.ts';
import { checkConversions, type ConversionReadiness } from '../../lib/preflight/conversions.ts';
import { checkIdentity } from '../../lib/preflight/identity.ts';
import { parseTestData } from '../../lib/test-data.ts';
import { defaultSource } from '../system-metrics/index.ts';
import type { LiveSettings } from '../../plugins/artillery-plugin-hmp/live-settings.ts';
import { SuiteLive } from './live.ts';
import { readTimeline } from './timeline-data.ts';
import { writeSuiteCiFiles } from './ci-files.ts';

export interface SuiteIo {
  /** Progress (stderr). */
  err: Out;
  /** The final result lines (stdout). */
  out: (line: string) => void;
  tty: boolean;
  env: Record<string, string | undefined>;
  /** The live page (off when absent). */
  live?: LiveSettings;
}

const iso = (ms: number) => new Date(ms).toISOString();

export class Orchestrator {
  readonly dir: string;
  readonly state: SuiteState;
  #io: SuiteIo;
  #view: ProgressView;
  #resumed: boolean;
  #password: string | undefined;
  #twin: TwinProcess | undefined;
  #admin: Admin | undefined;
  #current: ArtilleryProcess | undefined;
  #interrupts = 0;
  #inTeardown = false;
  #startedAt = Date.now();
  #step: StepId = 'setup';
  #stepStartedAt = Date.now();
  #loadStartedAt: number | undefined;
  #users: Users | undefined;
  #shapes: ReturnType<typeof loadShapes>;
  #live: SuiteLive | undefined;
  /** The last status line, for the live page. */
  #status = '';

  constructor(dir: string, state: SuiteState, io: SuiteIo, opts: { resumed: boolean; password?: string }) {
    this.dir = dir;
    this.state = state;
    this.#io = io;
    this.#view = new ProgressView(io.err, io.tty);
    this.#resumed = opts.resumed;
    this.#password = opts.password;
    this.#shapes = loadShapes((t) => timeScaleFor(t, state.options.timeScale, state.options.smokeTimeScale));
  }

  get interrupted(): boolean {
    return this.#interrupts > 0;
  }

  /** Ctrl-C. Returns true when the caller should give up waiting (third Ctrl-C). */
  interrupt(): boolean {
    this.#interrupts++;
    if (this.#interrupts === 1) {
      this.#line(`suite: interrupted: stopping ${this.#current ? 'the running test (its results are kept)' : 'after this step'}, then teardown and the report.`);
      const child = this.#current;
      if (child) {
        child.signal('SIGINT');
        const timers = [setTimeout(() => child.signal('SIGTERM'), 30_000).unref(), setTimeout(() => child.signal('SIGKILL'), 45_000).unref()];
        void child.wait().then(() => timers.forEach(clearTimeout));
      }
      return false;
    }
    if (this.#interrupts === 2) {
      this.#line(
        this.#inTeardown
          ? 'suite: teardown is removing the test data; press Ctrl-C once more to leave now (the data then stays: run "npm run test-env -- down").'
          : 'suite: still stopping; press Ctrl-C once more to leave now (teardown would not run).',
      );
      this.#current?.signal('SIGTERM');
      return false;
    }
    return true;
  }

  #line(text: string): void {
    this.#view.line(text);
  }

  #save(): void {
    writeState(this.dir, this.state);
    this.#live?.changed();
  }

  #begin(step: StepId): StepRecord {
    this.#step = step;
    this.#stepStartedAt = Date.now();
    this.#loadStartedAt = undefined;
    this.#users = undefined;
    const r = this.state.steps[step];
    r.status = 'running';
    r.startedAt = iso(this.#stepStartedAt);
    delete r.reason;
    this.#save();
    this.#tick(true);
    return r;
  }

  #end(r: StepRecord): void {
    this.#live?.stepPage(undefined);
    r.endedAt = iso(Date.now());
    r.durationS = Math.round((Date.now() - this.#stepStartedAt) / 100) / 10;
    this.#save();
    const verdict = VERDICT[r.status];
    const where = r.report ? ` (report: ${join(this.dir, r.report)})` : '';
    this.#line(`suite: ${stepTag(r.id)} ${verdict}${r.reason ? `${r.reason.startsWith('"') ? ' ' : ': '}${r.reason}` : ''}${where}`);
  }

  #tick(force = false): void {
    const over = this.interrupted || this.#step === 'teardown' || this.#step === 'report';
    const pending = over ? [] : testsToRun(this.state).filter((t) => t !== this.#step);
    const current = (TESTS as readonly string[]).includes(this.#step) ? (this.#step as TestId) : undefined;
    const extraS = { spike: planCriteria().recovery.limitS * this.state.options.timeScale };
    const remaining = remainingS({ current, currentElapsedS: (Date.now() - this.#stepStartedAt) / 1000, pending, shapes: this.#shapes, extraS });
    let users = this.#users;
    const shape = current && this.#shapes[current];
    if (!users && shape && this.#loadStartedAt !== undefined) users = { active: undefined, target: targetAt(shape, (Date.now() - this.#loadStartedAt) / 1000) };
    this.#status = formatStatus({ step: this.#step, elapsedS: (Date.now() - this.#startedAt) / 1000, remainingS: remaining, users });
    this.#view.status(this.#status, force);
  }

  #onChildLine(line: string): void {
    if (/^Phase started: /.test(line)) {
      this.#loadStartedAt ??= Date.now();
      return;
    }
    if (/^Phase completed: /.test(line)) return;
    const page = /^hmp: live page: (http:\/\/127\.0\.0\.1:\d+\/[0-9a-f]+\/)/.exec(line);
    if (page) this.#live?.stepPage(page[1]);
    const users = parseUsers(line);
    if (users) this.#users = users;
    this.#line(`suite: ${stepTag(this.#step)} ${line.trim()}`);
  }

  /** The environment: the suite's own twin, or the target with its admin. */
  async #environment(): Promise<Admin> {
    const o = this.state.options;
    if (o.target === undefined) {
      // Its own process group: a Ctrl-C reaches the suite, which tears down through the twin and then stops it.
      // Its log, as uvicorn writes HMP's, is the server log every test reads (unless --twin-args names one).
      const logArgs = o.twinArgs.includes('--log-file') ? [] : ['--log-file', this.#twinLog()];
      this.#twin = await startTwinProcess({ args: [...o.twinArgs, ...logArgs], detached: true });
      this.#line(`suite: started the HMP twin at ${this.#twin.url} (pid ${this.#twin.pid})${o.twinArgs.length ? ` with ${o.twinArgs.join(' ')}` : ''}`);
      return { target: this.#twin.url, credentialsPath: this.#twin.adminCredentialsPath, password: this.#twin.adminPassword };
    }
    if (!this.#password) throw new EnvironmentError('no password for the credentials file: set HMP_PASSWORD.');
    return { target: o.target, credentialsPath: o.credentialsPath!, password: this.#password };
  }

  #twinLog(): string {
    return join(this.dir, 'twin-server.log');
  }

  /** The server log the tests read: --server-log, else the suite's own twin's. */
  #serverLog(): string | undefined {
    const o = this.state.options;
    if (o.serverLog !== undefined) return o.serverLog;
    const i = o.twinArgs.indexOf('--log-file');
    return o.target !== undefined ? undefined : i >= 0 ? o.twinArgs[i + 1] : this.#twinLog();
  }

  async #setup(): Promise<boolean> {
    const r = this.#begin('setup');
    const log = (l: string) => this.#line(`suite: ${stepTag('setup')} ${l}`);
    try {
      this.#admin = await this.#environment();
      this.state.invocations[this.state.invocations.length - 1]!.target = this.#admin.target;
      const down = await healthCheck(this.#admin.target, 10_000);
      if (down) throw new EnvironmentError(`the target ${this.#admin.target} does not answer GET /health (${down}); start the server or fix --target.`);
      // Before seeding anything: a server that is not HMP gets no test data and no load.
      const notHmp = await checkIdentity(this.#admin.target);
      if (notHmp) throw new EnvironmentError(notHmp);
      const o = this.state.options;
      const unreadable = o.serverLog === undefined ? undefined : serverLogProblem({ serverLog: o.serverLog, ...o.systemMetrics });
      if (unreadable) log(`warning: ${unreadable}`);
      // A data file left by an earlier run of this suite against its own (now gone) twin describes nothing that exists.
      if (this.#twin && existsSync(this.state.dataFile)) {
        log(`removing the stale data file of this suite's earlier twin (${this.state.dataFile})`);
        rmSync(this.state.dataFile, { force: true });
      }
      const setup = await setUp(this.#admin, this.state.dataFile, this.state.options.submissions, log);
      const source = this.state.options.systemMetrics.source ?? defaultSource(this.#twin?.pid);
      r.status = 'passed';
      r.reason = `${setup.reused ? 'reused' : 'seeded'} ${this.#admin.target} and verified the data file (${setup.students} students, ${setup.instructors} instructors, ${setup.projects} projects, ${setup.submissions} submissions).`;
      const conversions = await this.#conversions(log);
      r.details = { setup, target: this.#admin.target, ownTwin: this.#twin !== undefined, systemMetrics: source, conversions };
      if (conversions && !conversions.ready) r.reason += ` ${conversions.text}`;
      r.numbers = { students: setup.students, instructors: setup.instructors, projects: setup.projects, submissions: setup.submissions };
      this.#end(r);
      return true;
    } catch (err) {
      r.status = 'failed';
      r.reason = err instanceof EnvironmentError ? err.message : `set-up failed: ${(err as Error).message}`;
      this.#end(r);
      return false;
    }
  }

  /** Before any load: can conversions run? (undefined: --no-conversions, or no instructor to ask as.) */
  async #conversions(log: (l: string) => void): Promise<ConversionReadiness | undefined> {
    if (this.state.options.conversions === false) {
      log('conversions are off (--no-conversions): not tested in this run.');
      return undefined;
    }
    const instructor = parseTestData(readFileSync(this.state.dataFile, 'utf8')).instructors[0];
    if (!instructor) return undefined;
    const c = await checkConversions(this.#admin!.target, instructor, Boolean(this.#io.env.HMP_SERVER_PUBLIC_KEY));
    log(c.ready ? c.text : `finding: ${c.text}`);
    return c;
  }

  #notRun(tests: TestId[], reason: string, final: boolean): void {
    for (const t of tests) {
      const r = this.state.steps[t];
      if (isFinished(r) || r.status === 'interrupted' || r.status === 'failed') continue;
      r.status = final ? 'skipped' : 'pending';
      r.reason = reason;
    }
    this.#save();
  }

  async #tests(): Promise<void> {
    for (const test of this.state.options.tests) {
      const r = this.state.steps[test];
      if (isFinished(r)) {
        if (this.#resumed) this.#line(`suite: ${stepTag(test)} already ${VERDICT[r.status]} (kept from the interrupted run)`);
        continue;
      }
      if (this.interrupted) break;
      if (abortedBy(this.state)) break;
      if (test === 'soak') {
        const blocked = soakBlockedBy(this.state);
        if (blocked) {
          this.#begin('soak');
          r.status = 'skipped';
          r.reason = blocked;
          this.#end(r);
          continue;
        }
      }
      this.#begin(test);
      this.#line(`suite: ${stepTag(test)} ${STEP_TITLE[test]}: phases/${test}.yml at time scale ${timeScaleFor(test, this.state.options.timeScale, this.state.options.smokeTimeScale)}`);
      let outcome: TestOutcome;
      try {
        outcome = await runTest(test, this.#testContext(test));
      } catch (err) {
        outcome = { status: 'failed', reason: `the ${test} step crashed: ${(err as Error).message}`, evidence: [], numbers: {}, notes: [], details: {}, timeScale: 0, dir: test, artilleryExit: null };
      }
      delete r.flag; // an earlier attempt's
      Object.assign(r, outcome);
      if (test === 'breakpoint' && this.state.options.confirm && (r.status === 'flagged' || r.status === 'recorded')) await this.#confirm(r);
      this.#end(r);
      if (r.status === 'aborted') {
        this.#notRun(this.state.options.tests, `not run: the suite aborted after the smoke test ("${FLAG_TITLE.functional}").`, true);
        break;
      }
      if (r.status === 'failed' || r.status === 'interrupted') {
        this.#notRun(
          this.state.options.tests,
          r.status === 'interrupted' ? 'not run: the suite was interrupted (Ctrl-C); --resume runs it.' : `not run: the ${test} step could not run; --resume runs it after the cause is fixed.`,
          false,
        );
        break;
      }
    }
  }

  /** --confirm: the breakpoint again without conversions when they are its cause; recorded with the breakpoint's step. */
  async #confirm(r: StepRecord): Promise<void> {
    if (this.state.options.conversions === false) return;
    const line = (l: string) => this.#line(`suite: ${stepTag('breakpoint')} ${l}`);
    const result = await confirmCause(r, {
      line,
      health: () => healthCheck(this.#admin!.target, 5000),
      run: () => runTest('breakpoint', this.#testContext('breakpoint', 'breakpoint-confirm', { ...this.state.options, conversions: false })),
      interrupted: () => this.interrupted,
    });
    if (!result) {
      line('--confirm: the breakpoint named no kind of request as its cause: nothing to confirm by experiment.');
      return;
    }
    r.details = { ...r.details, confirm: result };
    r.notes = [...(r.notes ?? []), `breakpoint, confirmed by experiment: ${result.text}`];
  }

  /** What a test's run needs from the suite. */
  #testContext(test: TestId, dirName?: string, options = this.state.options): TestContext {
    const admin = this.#admin!;
    return {
      ...(dirName ? { dirName } : {}),
      suiteDir: this.dir,
      options,
      target: admin.target,
      dataFile: this.state.dataFile,
      adminCredentials: admin.credentialsPath,
      password: admin.password,
      ownTwinPid: this.#twin?.pid,
      live: this.#live !== undefined,
      serverLog: this.#serverLog(),
      conversions: this.state.steps.setup.details?.conversions as ConversionReadiness | undefined,
      baseline: () => baselineFrom(this.dir, this.state.steps.average.results) ?? baselineFrom(this.dir, this.state.steps.smoke.results),
      notRecovered: () => {
        const last = [...TESTS].reverse().find((t) => t !== test && this.state.steps[t].diagnosis && isFinished(this.state.steps[t]));
        const finding = last ? this.state.steps[last].diagnosis!.findings.find((f) => f.id === 'not-recovered') : undefined;
        return last && finding ? { test: last, text: finding.text } : undefined;
      },
      line: (l) => this.#line(`suite: ${stepTag(test)} ${l}`),
      onChildLine: (l) => this.#onChildLine(l),
      interrupted: () => this.interrupted,
      setCurrent: (p) => {
        this.#current = p;
      },
    };
  }

  async #teardown(): Promise<void> {
    const r = this.#begin('teardown');
    this.#inTeardown = true;
    const log = (l: string) => this.#line(`suite: ${stepTag('teardown')} ${l}`);
    try {
      let t: TeardownResult;
      if (!this.#admin) {
        if (existsSync(this.state.dataFile)) throw new EnvironmentError(`no target to tear down (set-up did not start), but ${this.state.dataFile} records test data: run "npm run test-env -- down --data ${this.state.dataFile} --credentials <admin.bin>".`);
        t = { removed: false, users: 0, projects: 0, submissions: 0, message: 'nothing to remove: set-up created nothing.' };
      } else if (this.#twin && !(await this.#twinAlive())) {
        // Without --db the twin keeps everything in memory: the test data went with its process.
        const inMemory = !this.state.options.twinArgs.includes('--db');
        if (!inMemory) throw new EnvironmentError(`the suite's twin exited before teardown; its database (--db) may still hold the test data (${this.state.dataFile} is kept).`);
        rmSync(this.state.dataFile, { force: true });
        t = { removed: true, users: 0, projects: 0, submissions: 0, message: "the suite's own twin had exited: its in-memory database, and the test data with it, are gone." };
      } else {
        t = await tearDown(this.#admin, this.state.dataFile, log, this.state.options.teardownWaitS === undefined ? undefined : this.state.options.teardownWaitS * 1000);
        r.numbers = { users: t.users, projects: t.projects, submissions: t.submissions };
      }
      r.status = 'passed';
      r.reason = t.message;
      r.details = { teardown: t };
    } catch (err) {
      r.status = 'failed';
      r.reason = err instanceof EnvironmentError ? err.message : `teardown failed: ${(err as Error).message}`;
    }
    this.#inTeardown = false;
    this.#end(r);
  }

  async #twinAlive(): Promise<boolean> {
    const twin = this.#twin;
    return twin !== undefined && twinExited(twin.pid) === null && (await healthCheck(twin.url, 5000)) === null;
  }

  #report(): number {
    const r = this.#begin('report');
    const inv = this.state.invocations[this.state.invocations.length - 1]!;
    r.status = 'passed';
    r.reason = `${FILES.html}, ${FILES.md} and ${FILES.json} in ${this.dir}.`;
    r.endedAt = inv.endedAt = iso(Date.now());
    r.durationS = 0;
    const summary = buildSummary(this.state);
    inv.exitCode = summary.exitCode;
    writeAtomic(join(this.dir, FILES.json), `${JSON.stringify(summary, null, 2)}\n`);
    writeAtomic(join(this.dir, FILES.md), renderSuiteMarkdown(summary));
    writeAtomic(join(this.dir, FILES.html), renderSuiteHtml(summary, undefined, readTimeline(this.dir, summary)));
    // junit.xml, and the job summary once for the whole suite (ci-files.ts).
    for (const problem of writeSuiteCiFiles(this.dir, summary)) this.#line(`suite: ${problem}`);
    this.#save();
    // The runs index of the folder the suite folder is in (--out), this run included.
    try {
      writeRunsIndex(dirname(this.dir));
    } catch (err) {
      this.#line(`suite: the runs index of ${dirname(this.dir)} could not be written (${(err as Error).message}); npm run reports -- --dir ${dirname(this.dir)} writes it.`);
    }
    this.#view.clear();
    this.#line(`suite: ${stepTag('report')} ${VERDICT[r.status]}: ${r.reason}`);
    for (const l of closingLines(summary, join(this.dir, FILES.html), [FILES.md, FILES.json])) this.#io.out(l);
    return summary.exitCode;
  }

  /** The report, then the live page shows it (and closes). */
  async #finalReport(): Promise<number> {
    const code = this.#report();
    await this.#live?.end(join(this.dir, FILES.html));
    return code;
  }

  /** --resume of a suite whose tests are all finished: retry a teardown that failed, then the report. */
  async #finishOnly(): Promise<number> {
    this.#line(`suite: nothing to resume: every test of ${this.dir} is finished.`);
    if (this.state.steps.teardown.status !== 'passed') {
      if (this.state.options.target === undefined) {
        const r = this.#begin('teardown');
        rmSync(this.state.dataFile, { force: true });
        r.status = 'passed';
        r.reason = "the suite's earlier twin has exited: its in-memory database, and the test data with it, are gone.";
        this.#end(r);
      } else {
        try {
          this.#admin = await this.#environment();
        } catch {
          // #teardown records why it cannot run
        }
        await this.#teardown();
      }
    }
    return this.#finalReport();
  }

  async run(): Promise<number> {
    this.state.invocations.push({ startedAt: iso(this.#startedAt), resumed: this.#resumed });
    if (this.#io.live?.on) {
      this.#live = new SuiteLive(this.dir, () => buildSummary(this.state), () => this.#status);
      this.#line(await this.#live.start(this.#io.live));
    }
    this.#save();
    if (this.#resumed && testsToRun(this.state).length === 0) return this.#finishOnly();
    this.#line(`suite: ${openingLine({ dir: this.dir, resumed: this.#resumed, tests: this.state.options.tests, timeScale: this.state.options.timeScale })}`);
    for (const t of TESTS) if (!this.state.options.tests.includes(t)) this.#line(`suite: ${notRunLine(t, this.state.steps[t].reason)}`);
    const ticker = setInterval(() => this.#tick(), 1000).unref();
    try {
      const ready = await this.#setup();
      if (ready) await this.#tests();
      else this.#notRun(this.state.options.tests, 'not run: set-up failed.', false);
      if (this.interrupted) {
        const next = this.state.options.tests.find((t) => !isFinished(this.state.steps[t]));
        const r = next && this.state.steps[next];
        if (r && r.status !== 'interrupted' && r.status !== 'failed') {
          r.status = 'interrupted';
          r.reason = 'interrupted (Ctrl-C) before it started; --resume runs it.';
        }
        this.#notRun(this.state.options.tests, 'not run: the suite was interrupted (Ctrl-C); --resume runs it.', false);
      }
    } catch (err) {
      // Anything unexpected: still tear down and report.
      const r = this.state.steps[this.#step];
      r.status = 'failed';
      r.reason = `${STEP_TITLE[this.#step]} crashed: ${(err as Error).message}`;
      this.#save();
    } finally {
      await this.#teardown();
      if (this.#twin) {
        await this.#twin.stop();
        this.#twin = undefined;
      }
    }
    clearInterval(ticker);
    return this.#finalReport();
  }
}
