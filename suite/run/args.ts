// `npm run suite` command line (pure, but for --overrides: checked against
// phases/common.yml): argv -> what to run, 'help', or a UsageError.
import { SOURCES, type SamplerOptions, type SourceName } from '../system-metrics/index.ts';
import { SMOKE_MIN_TIME_SCALE, SPIKE_MIN_TIME_SCALE, TESTS, type TestId } from './steps.ts';
import { DIGITALOCEAN_LOGS } from '../server-log/source.ts';
import { normalizeTarget, parseCommandLine, PASSWORD_REFUSED, UsageError, wholeNumber } from '../../lib/cli-args.ts';
import { checkOverrides } from './overrides.ts';

/** --system-metrics and its options (undefined: not given). */
export type SystemMetricsOptions = Partial<Pick<SamplerOptions, 'source' | 'pid' | 'label' | 'others' | 'memLimitMb' | 'cpuBasis' | 'appId' | 'component'>>;

/** Everything a run needs besides the password; saved in suite-state.json for --resume. */
export interface SuiteOptions {
  /** undefined: start the HMP twin in its own process. */
  target: string | undefined;
  credentialsPath: string | undefined;
  timeScale: number;
  /** The smoke's time scale (undefined: max(timeScale, SMOKE_MIN_TIME_SCALE)). */
  smokeTimeScale: number | undefined;
  /** The tests to run, in the plan's order. */
  tests: TestId[];
  /** --only / --skip as given (for the report). */
  only: TestId[] | undefined;
  skip: TestId[];
  /** Think range in the plan's seconds for every step but the smoke. */
  think: [number, number] | undefined;
  /** Historical submissions test-env up seeds (undefined: its default). */
  submissions: number | undefined;
  /** false: --no-conversions, no session converts (reported as not tested). Older state files lack it: on. */
  conversions?: boolean;
  /** --teardown-wait S: how long teardown retries while the server does not answer (undefined: test-env's 10 min). */
  teardownWaitS?: number;
  /** --allow-short: run tests too short to judge (core/run-length.ts), for the mechanics. */
  allowShort?: boolean;
  /** --confirm: when the breakpoint names a kind of request as the cause, run it again without that kind and report both capacities. */
  confirm?: boolean;
  systemMetrics: SystemMetricsOptions;
  /** --overrides JSON: passed to every step's Artillery (its processor added); checked before any step. */
  overrides?: Record<string, unknown>;
  /** The server's log file, followed during every test (undefined: none; the suite's own twin writes one). */
  serverLog?: string;
  /** --pushgateway URL: every step publishes its metrics there (HMP_PUSHGATEWAY; README.md, "Metrics out"). */
  pushgateway?: string;
  twinArgs: string[];
  /** Parent folder of the suite folder. */
  out: string | undefined;
  /** Plain progress lines even on a terminal. */
  plain: boolean;
}

/** --no-live / --live-port of this invocation (HMP_LIVE / HMP_LIVE_PORT otherwise). */
export interface LiveFlags {
  off?: boolean;
  port?: number;
}

export type Parsed = { kind: 'help' } | { kind: 'run'; options: SuiteOptions; live: LiveFlags } | { kind: 'resume'; dir: string; plain: boolean; live: LiveFlags };

export const EXIT = {
  ok: 0,
  /** The tool itself failed: setup, a step that crashed, teardown not verified. */
  failed: 1,
  usage: 2,
  flagged: 3,
  aborted: 4,
  interrupted: 130,
} as const;

export const USAGE = `Usage: npm run suite -- [options]

Runs the HMP load-testing plan's algorithm (section 6): setup, smoke, average,
stress, spike, breakpoint, soak, teardown, report. Writes one folder:
  <out>/suite-<UTC start>/  suite-report.html  suite-summary.md  suite-summary.json
                            suite-state.json   <test>/ (results, report folder, logs)

  --target URL            the HMP server (default: start the HMP twin in its own process)
  --credentials PATH      the admin's credentials file (.bin); needed with --target.
                          Its password comes from HMP_PASSWORD or a hidden prompt, never argv
  --time-scale F          multiply every duration and think time by F (e.g. 0.01; default 1); the
                          spike never below ${SPIKE_MIN_TIME_SCALE}: its 60 users must arrive in its 1-minute ramp
  --smoke-time-scale F    the smoke's own time scale (default: F, but at least ${SMOKE_MIN_TIME_SCALE}: its
                          session, every endpoint once, must fit in its 2-minute hold)
  --allow-short           run tests the time scale leaves too short to judge (a hold shorter than
                          the 10 s periods its criteria need), to check the mechanics only;
                          without it such a scale is refused before any load (HMP_ALLOW_SHORT=1)
  --only LIST             run only these tests, e.g. smoke,average (setup, teardown and
                          the report always run)
  --skip LIST             leave these tests out, e.g. soak
  --think MIN-MAX         think time in the plan's seconds for every test but the smoke
                          (default: the journeys' own; the breakpoint keeps 0.5-1.5 s real
                          think time below time scale 0.1)
  --submissions N         historical submissions test-env up seeds (default 300)
  --no-conversions        no PDF-to-audio conversions (e.g. a v1.0 server without its key:
                          see HMP_SERVER_PUBLIC_KEY); reported as not tested
  --teardown-wait S       how long teardown keeps retrying while the server does not answer,
                          in seconds (default 600); the data file is kept when it runs out
  --confirm               when the breakpoint finds the server blocked by conversions, wait
                          for it to recover (at most 10 min), run the breakpoint again with
                          conversions off, and report the capacity with and without them
  --system-metrics SRC    CPU and memory of the server: local, digitalocean or none
                          (default: local for the suite's own twin, none for a --target)
  --pid N[,N...]          local: the server's process id (with --target), then others shown
                          beside it, e.g. the database; each may be named: server=N,db=N
  --mem-limit-mb N        local: memory the server may use (default: the machine's RAM)
  --cpu-basis core|all    local: CPU % of one core (default) or of all cores
  --do-app-id ID          digitalocean: the App Platform app (token: DIGITALOCEAN_TOKEN)
  --do-component NAME     digitalocean: the component (default: all)
  --server-log PATH       the file the server writes its log to (uvicorn's format or any other),
                          read during every test: statuses, tracebacks, pool errors in the
                          report beside the client's errors (default: the suite's own twin's log);
                          "digitalocean": the App Platform app's run logs (--do-app-id,
                          --do-component; token: DIGITALOCEAN_TOKEN), fetched after each test
  --twin-args "ARGS"      options for the suite's own twin, e.g. "--latency project_list=900"
                          (not with --target; see npm run twin -- --help)
  --overrides JSON        Artillery's --overrides for every test, e.g. the plan's settings:
                          '{"config":{"plugins":{"hmp":{"slo":{"auth":300}}}}}' (README.md,
                          "Settings"); checked before any test (not config.target or processor)
  --pushgateway URL       publish every test's metrics to this Prometheus Pushgateway, e.g.
                          http://127.0.0.1:9091 (as HMP_PUSHGATEWAY does; README.md, "Metrics out")
  --out DIR               parent folder of the suite folder (default $HMP_REPORTS_DIR or reports)
  --resume DIR            continue the interrupted suite in DIR from its first unfinished
                          test, reusing the results already written (options come from
                          DIR/suite-state.json)
  --plain                 plain progress lines even on a terminal
  --no-live               no live page (default on a terminal: the suite's page on loopback,
                          its address printed at the start; HMP_LIVE=off does the same)
  --live-port N           the live page's port (default: any free port; HMP_LIVE_PORT)
  --help                  this text

Exit status: 0 nothing flagged; 3 flagged (a test raised one of the plan's flags);
4 aborted (the smoke test found functional issues); 1 the suite itself failed
(setup, a test that could not run, or teardown not verified); 2 wrong usage;
130 interrupted (Ctrl-C; continue with --resume). Teardown always runs.`;

const OPTIONS = {
  help: { type: 'boolean' },
  target: { type: 'string' },
  credentials: { type: 'string' },
  'time-scale': { type: 'string' },
  'smoke-time-scale': { type: 'string' },
  only: { type: 'string' },
  skip: { type: 'string' },
  think: { type: 'string' },
  submissions: { type: 'string' },
  'no-conversions': { type: 'boolean' },
  'allow-short': { type: 'boolean' },
  confirm: { type: 'boolean' },
  'teardown-wait': { type: 'string' },
  'system-metrics': { type: 'string' },
  pid: { type: 'string' },
  'mem-limit-mb': { type: 'string' },
  'cpu-basis': { type: 'string' },
  'do-app-id': { type: 'string' },
  'do-component': { type: 'string' },
  'twin-args': { type: 'string' },
  'server-log': { type: 'string' },
  overrides: { type: 'string' },
  pushgateway: { type: 'string' },
  out: { type: 'string' },
  resume: { type: 'string' },
  plain: { type: 'boolean' },
  'no-live': { type: 'boolean' },
  'live-port': { type: 'string' },
  // Declared only to refuse it with a sentence that says why.
  password: { type: 'string' },
} as const;

/** Only these may accompany --resume (the rest comes from the saved state). */
const RESUME_COMPATIBLE = new Set(['resume', 'plain', 'no-live', 'live-port']);

export function parseTestList(name: string, raw: string): TestId[] {
  const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new UsageError(`--${name} needs a comma-separated list of tests (${TESTS.join(', ')}).`);
  const other = items.find((item) => !(TESTS as readonly string[]).includes(item));
  if (other !== undefined) throw new UsageError(`--${name}: "${other}" is not a test; the tests are ${TESTS.join(', ')} (setup, teardown and the report always run).`);
  return TESTS.filter((t) => items.includes(t));
}

/** --pid N[,N...], each optionally named (server=N,db=N). */
export function parsePids(raw: string): Array<{ pid: number; label?: string }> {
  return raw.split(',').map((part) => {
    const m = /^\s*(?:([a-z][a-z0-9_]*)=)?(\d+)\s*$/i.exec(part);
    const pid = m ? wholeNumber('pid', m[2], 1, 2 ** 31 - 1) : undefined;
    if (!m || pid === undefined) throw new UsageError(`--pid takes process ids separated by commas, each optionally named (e.g. 1234 or server=1234,db=5678), got "${raw}".`);
    return { pid, ...(m[1] ? { label: m[1].toLowerCase() } : {}) };
  });
}

function positiveNumber(name: string, raw: string, max: number): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n <= 0 || n > max) throw new UsageError(`--${name} must be a number above 0 and at most ${max}, got "${raw}".`);
  return n;
}

export function parseThink(raw: string): [number, number] {
  const m = /^\s*(\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)\s*$/.exec(raw);
  if (!m) throw new UsageError(`--think takes MIN-MAX in the plan's seconds (e.g. 5-15), got "${raw}".`);
  const min = Number(m[1]);
  const max = Number(m[2]);
  if (max < min) throw new UsageError(`--think: MAX (${max}) must not be below MIN (${min}).`);
  return [min, max];
}

/** Splits --twin-args on whitespace; quotes group words ("a b" or 'a b'). */
export function splitArgs(raw: string): string[] {
  return [...raw.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

/** `--twin-args "--latency x=1"`: its value starts with a dash, which parseArgs refuses; join it as --twin-args=VALUE. */
export function joinTwinArgs(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--twin-args' && i + 1 < argv.length) out.push(`--twin-args=${argv[++i]}`);
    else out.push(argv[i]!);
  }
  return out;
}

/** --pushgateway URL: the Pushgateway's base URL. */
function pushgatewayUrl(raw: string): string {
  let url: URL | undefined;
  try {
    url = new URL(raw.trim());
  } catch {}
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) throw new UsageError(`--pushgateway must be the Prometheus Pushgateway's address, e.g. http://127.0.0.1:9091, got "${raw}".`);
  return raw.trim().replace(/\/+$/, '');
}

export function parseSuiteArgs(argv: string[]): Parsed {
  const v = parseCommandLine({ args: joinTwinArgs(argv), strict: true, allowPositionals: false, options: OPTIONS }, true).values;
  if (v.help) return { kind: 'help' };
  if (v.password !== undefined) throw new UsageError(PASSWORD_REFUSED);
  const live: LiveFlags = { ...(v['no-live'] ? { off: true } : {}), ...(v['live-port'] !== undefined ? { port: wholeNumber('live-port', v['live-port'], 0, 65535) } : {}) };
  if (v.resume !== undefined) {
    const extra = Object.keys(v).filter((k) => !RESUME_COMPATIBLE.has(k) && v[k as keyof typeof v] !== undefined);
    if (extra.length) throw new UsageError(`--resume takes the options saved in the suite folder; leave out ${extra.map((k) => `--${k}`).join(', ')}.`);
    if (v.resume.trim() === '') throw new UsageError('--resume needs the suite folder to continue (reports/suite-<time>/).');
    return { kind: 'resume', dir: v.resume, plain: v.plain ?? false, live };
  }

  const target = v.target === undefined ? undefined : normalizeTarget(v.target);
  if (target !== undefined && (v.credentials === undefined || v.credentials === '')) {
    throw new UsageError("--target needs --credentials, the admin's credentials file (.bin) for test-env up and down.");
  }
  if (target === undefined && v.credentials !== undefined) {
    throw new UsageError('--credentials goes with --target; without a target the suite starts its own twin and uses its admin.');
  }
  if (target !== undefined && v['twin-args'] !== undefined) {
    throw new UsageError('--twin-args configures the suite\'s own twin; it cannot change a --target server.');
  }
  const timeScale = v['time-scale'] === undefined ? 1 : positiveNumber('time-scale', v['time-scale'], 10);
  const only = v.only === undefined ? undefined : parseTestList('only', v.only);
  const skip = v.skip === undefined ? [] : parseTestList('skip', v.skip);
  const tests = (only ?? [...TESTS]).filter((t) => !skip.includes(t));
  if (tests.length === 0) throw new UsageError('--only and --skip leave no test to run.');

  let source: SourceName | undefined;
  if (v['system-metrics'] !== undefined) {
    if (!(SOURCES as readonly string[]).includes(v['system-metrics'])) {
      throw new UsageError(`--system-metrics must be one of ${SOURCES.join(', ')}, got "${v['system-metrics']}".`);
    }
    source = v['system-metrics'] as SourceName;
  }
  const pids = v.pid === undefined ? [] : parsePids(v.pid);
  const pid = pids[0]?.pid;
  if (source === 'local' && target !== undefined && pid === undefined) {
    throw new UsageError('--system-metrics local with --target needs --pid, the process id of the server on this machine.');
  }
  if (pid !== undefined && target === undefined) throw new UsageError('--pid goes with --target; the suite samples its own twin by itself.');
  if (source === 'digitalocean' && !v['do-app-id']) throw new UsageError('--system-metrics digitalocean needs --do-app-id (and DIGITALOCEAN_TOKEN in the environment).');
  const cpuBasis = v['cpu-basis'];
  if (cpuBasis !== undefined && cpuBasis !== 'core' && cpuBasis !== 'all') throw new UsageError(`--cpu-basis must be core or all, got "${cpuBasis}".`);

  if (v.out === '') throw new UsageError('--out must be a folder path.');
  if (v['server-log'] === '') throw new UsageError('--server-log needs the path of the file the server writes its log to.');
  if (v['server-log'] === DIGITALOCEAN_LOGS && !v['do-app-id']) throw new UsageError('--server-log digitalocean needs --do-app-id, the App Platform app whose run logs to read (and DIGITALOCEAN_TOKEN in the environment).');
  return {
    kind: 'run',
    live,
    options: {
      target,
      credentialsPath: v.credentials,
      timeScale,
      smokeTimeScale: v['smoke-time-scale'] === undefined ? undefined : positiveNumber('smoke-time-scale', v['smoke-time-scale'], 10),
      tests,
      only,
      skip,
      think: v.think === undefined ? undefined : parseThink(v.think),
      submissions: wholeNumber('submissions', v.submissions, 0, 100_000),
      conversions: v['no-conversions'] !== true,
      ...(v['allow-short'] === true ? { allowShort: true } : {}),
      ...(v.confirm === true ? { confirm: true } : {}),
      ...(v['teardown-wait'] !== undefined ? { teardownWaitS: positiveNumber('teardown-wait', v['teardown-wait'], 86_400) } : {}),
      systemMetrics: {
        source,
        pid,
        ...(pids[0]?.label ? { label: pids[0].label } : {}),
        ...(pids.length > 1 ? { others: pids.slice(1) } : {}),
        memLimitMb: v['mem-limit-mb'] === undefined ? undefined : positiveNumber('mem-limit-mb', v['mem-limit-mb'], 16 * 2 ** 20),
        cpuBasis: cpuBasis as 'core' | 'all' | undefined,
        appId: v['do-app-id'],
        component: v['do-component'],
      },
      ...(v['server-log'] !== undefined ? { serverLog: v['server-log'] } : {}),
      ...(v.pushgateway !== undefined ? { pushgateway: pushgatewayUrl(v.pushgateway) } : {}),
      ...(v.overrides !== undefined ? { overrides: checkOverrides(v.overrides) } : {}),
      twinArgs: v['twin-args'] === undefined ? [] : splitArgs(v['twin-args']),
      out: v.out,
      plain: v.plain ?? false,
    },
  };
}
