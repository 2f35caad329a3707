// From results to the report's figures (pure): verdicts, totals, tables,
// per-type sections, and the time series the charts draw. `analyze` keeps
// its answer per results object, so summarize and renderHtml share the work.
import { coverageOf } from '../plugins/artillery-plugin-hmp/core/coverage.ts';
import { failuresOf } from './failures.ts';
import { serverLogOf, serverLogSeries, type ServerLogSeries } from './server-log.ts';
import { errorRows } from './errors.ts';
import { fmtLimit, fmtValue } from './format.ts';
import { endpointRows } from './endpoints.ts';
import { asResults, counter, counters, hmpSection, isObject, loadOf, num, numberRecord, own, periodSeconds, periodsOf, stat, str, summaries } from '../plugins/artillery-plugin-hmp/core/results.ts';
import { ARTILLERY, dict, endpointCounters, LATENCY_PREFIX, metric, summariesUnder, type EndpointCounters } from '../plugins/artillery-plugin-hmp/core/metric-names.ts';
import { totalErrors, totalTimeouts, worstOf } from './metrics.ts';
import { seriesOf, type Series } from './series.ts';
import { soakOf } from './soak.ts';
import { spikeOf, type Hold, type PeriodHealth } from './spike.ts';
import { systemFigures, type SystemSeries } from './system.ts';
import type { HmpSection, Results, Summary, ToolInfo } from './types.ts';
import { breakpointOf } from './breakpoint-summary.ts';
import { capacityOfRecord } from '../plugins/artillery-plugin-hmp/core/capacity-record.ts';
import { LOAD_VERDICT, outcomeOf, verdictsOf, type Measured } from '../plugins/artillery-plugin-hmp/core/criteria.ts';
import { criteriaOfRun } from '../lib/plan-criteria.ts';
import { driftMeasured, driftOfResults } from '../plugins/artillery-plugin-hmp/core/drift.ts';
import { holdOf as runHoldOf } from '../plugins/artillery-plugin-hmp/core/run-window.ts';
import { fmtS } from '../plugins/artillery-plugin-hmp/core/stats.ts';
import { diagnose } from '../diagnosis/diagnose.ts';

export interface Analysis {
  summary: Summary;
  series: Series;
  system: SystemSeries;
  /** Per period of the run: the client's errors beside what the server logged (null: no server log). */
  serverLog: ServerLogSeries | null;
  /** ms since the epoch of x = 0 on the charts. */
  t0: number;
}

export interface SummarizeOptions {
  /** Version and commit of the tool when the results do not say (the report build's). */
  tool?: ToolInfo;
}

const cache = new WeakMap<object, { key: string; analysis: Analysis }>();

export function summarize(results: Results, opts: SummarizeOptions = {}): Summary {
  return analyze(results, opts).summary;
}

function shapeOf(hmp: HmpSection): Summary['run']['shape'] {
  if (!Array.isArray(hmp.shape)) return [];
  return hmp.shape.filter(isObject).map((s, i) => ({
    name: str(s.name) ?? `phase ${i + 1}`,
    from: num(s.from) ?? 0,
    users: num(s.users) ?? 0,
    startS: num(s.start) ?? 0,
    endS: num(s.end) ?? 0,
    jitter: num(s.jitter) ?? null,
  }));
}

function describe(shape: Summary['run']['shape']): string {
  // A staircase (breakpoint): one line for its levels when every ramp and every hold lasts the same.
  const holds = shape.filter((s) => s.users === s.from && s.users > 0);
  const ramps = shape.filter((s) => s.users > s.from);
  const same = (xs: typeof shape) => xs.every((x) => Math.abs(x.endS - x.startS - (xs[0]!.endS - xs[0]!.startS)) < 1e-6);
  if (holds.length >= 4 && ramps.length === holds.length && same(holds) && same(ramps)) {
    const last = shape[shape.length - 1]!;
    const down = last.users < last.from ? `, then down to ${last.users} in ${fmtS(last.endS - last.startS)}` : '';
    return `${holds.length} levels: ${holds.map((h) => h.users).join(', ')} users, each a ${fmtS(ramps[0]!.endS - ramps[0]!.startS)} ramp and a ${fmtS(holds[0]!.endS - holds[0]!.startS)} hold${down}`;
  }
  return shape
    .map((s) => {
      const d = fmtS(s.endS - s.startS);
      const jitter = s.jitter ? ` ±${Math.round(s.jitter * 100)}%` : '';
      if (s.users === s.from) return `hold ${s.users} users ${d}${jitter}`;
      return `${s.users > s.from ? 'ramp' : 'down'} ${s.from}→${s.users} users in ${d}${jitter}`;
    })
    .join(', ');
}

/** The run's main hold (core/run-window.ts, as the suite sees it) on the chart axis: seconds from t0. */
function holdOnAxis(results: Results, t0: number): Hold | undefined {
  const h = runHoldOf(results);
  return h ? { users: h.users, start: (h.start - t0) / 1000, end: (h.end - t0) / 1000 } : undefined;
}

function headlineOf(s: Omit<Summary, 'headline'>): string {
  const stopped = s.run.earlyStop && !(s.breakpoint?.found ?? false) ? ' Stopped early: the figures cover what was measured.' : '';
  if (s.outcome === 'NO DATA') return `NO DATA: the ${s.test} run measured no period and no request.${stopped}`;
  if (s.outcome === 'NOT TESTED') return `NOT TESTED: ${s.verdicts.find((v) => v.id === LOAD_VERDICT)?.note}.${stopped}`;
  if (s.test === 'breakpoint') return `REPORT: ${s.breakpoint?.summary || 'breakpoint test without a breakpoint result'}.${stopped}`;
  const gated = s.verdicts.filter((v) => v.pass !== null);
  const failed = gated.filter((v) => v.pass === false);
  if (s.outcome === 'FAIL') {
    const what = failed.map((v) => `${v.name} ${fmtValue(v.measured, v.unit)} (limit ${fmtLimit(v)})`);
    return `FAIL: ${failed.length} of ${gated.length} criteria missed: ${what.join('; ')}.${stopped}`;
  }
  if (s.outcome === 'REPORT') return `REPORT: no criterion could be checked (no limits in the results).${stopped}`;
  return `PASS: the ${s.test} test met ${gated.length === 1 ? 'its only criterion' : `all ${gated.length} criteria`}.${stopped}`;
}

/** The load per user as recorded (untrusted), or null. */
function loadPerUserOf(x: unknown): Summary['run']['loadPerUser'] {
  if (!isObject(x)) return null;
  const factor = num(x.factor);
  const text = str(x.text);
  return factor !== undefined && text ? { factor, text } : null;
}

export function analyze(input: Results, opts: SummarizeOptions = {}): Analysis {
  const key = JSON.stringify(opts.tool ?? null);
  const hit = cache.get(input);
  // Without a tool to record, any earlier analysis of the same object will do (renderHtml after summarize).
  if (hit && (opts.tool === undefined || hit.key === key)) return hit.analysis;
  const results = asResults(input);
  const agg = results.aggregate;
  const hmp = hmpSection(results);
  const test = str(hmp.test) ?? 'unknown';
  const recorded = isObject(hmp.criteria);
  const criteria = criteriaOfRun(hmp);
  // A results file without the suite's section records no criteria: nothing to judge it by.
  const slo = recorded ? criteria.slo : {};
  const groups = recorded ? criteria.groups : {};
  const maxErrorRate = recorded ? own(criteria.maxErrorRate as Record<string, number>, test) : undefined;
  const smokeEndpoints = recorded ? criteria.smokeEndpoints : [];
  const timeScale = num(hmp.timeScale) ?? 1;

  const periods = periodsOf(results);
  const periodS = periodSeconds(periods);
  const firstAt = periods[0]?.at;
  const lastAt = periods.at(-1)?.at;
  const startedMs = num(hmp.startedAt) ?? num(agg.firstMetricAt) ?? firstAt;
  const endedMs = num(hmp.endedAt) ?? num(agg.lastMetricAt) ?? (lastAt !== undefined ? lastAt + periodS * 1000 : undefined);
  const t0 = firstAt ?? startedMs ?? 0;
  const durationS = startedMs !== undefined && endedMs !== undefined && endedMs > startedMs ? (endedMs - startedMs) / 1000 : periods.length * periodS;

  const aggC = endpointCounters(counters(agg));
  const perPeriod: EndpointCounters[] = periods.map((p) => endpointCounters(counters(p)));
  const requests = counter(agg, ARTILLERY.requests);
  const errors = totalErrors(aggC);
  const errorRatePct = requests > 0 ? (100 * errors) / requests : 0;

  const latency = summariesUnder(summaries(agg), LATENCY_PREFIX);
  const groupP99 = dict<{ value: number; endpoint: string } | undefined>();
  const groupRows: Summary['groups'] = [];
  for (const [g, names] of Object.entries(groups)) {
    const worst = worstOf(latency, names, 'p99');
    groupP99[g] = worst;
    groupRows.push({ group: g, endpoints: names, sloMs: own(slo, g) ?? null, p99: worst?.value ?? null, worstEndpoint: worst?.endpoint ?? null });
  }
  const coverage = coverageOf(counters(agg), test === 'smoke' ? smokeEndpoints : []);

  const memTotalMb = isObject(hmp.system) ? num(hmp.system.memTotalMb) : undefined;
  const system = systemFigures(periods, agg, memTotalMb, periodS, criteria.system.sustainedS);
  // What the suite measured around the run (probes, integrity check, drift), recorded with the results.
  const checks = { ...(isObject(hmp.checks) ? hmp.checks : {}) } as Pick<Measured, 'crash' | 'recovery' | 'dataLoss' | 'drift'>;
  // The soak's drift: the one definition (core/drift.ts) on these results, as the plugin and the suite compute it.
  const drift = test === 'soak' ? driftOfResults(results, criteria.drift) : undefined;
  if (drift) checks.drift ??= driftMeasured(drift);
  // The breakpoint's capacity, as the plugin recorded it.
  const capacity = test === 'breakpoint' ? capacityOfRecord(hmp.breakpoint) : undefined;
  const judged = recorded ? criteria : { ...criteria, slo, groups, maxErrorRate: {}, smokeEndpoints };
  const shape = shapeOf(hmp);
  const load = loadOf(agg, shape.length ? Math.max(...shape.map((s) => s.users)) : undefined);
  const verdicts = verdictsOf(test, judged, { requests, errors, errorRatePct, groupP99, unanswered: coverage.unanswered, unansweredWhy: coverage.why, cpu: system.cpu, memory: system.memory, capacity, load, ...checks });

  const series = seriesOf(periods, perPeriod, groups, t0, periodS);
  const health: PeriodHealth = { requests: periods.map((p) => counter(p, ARTILLERY.requests)), errors: perPeriod.map(totalErrors) };
  const spike =
    test === 'spike'
      ? spikeOf(holdOnAxis(results, t0), series, health, slo, maxErrorRate ?? criteria.maxErrorRate.spike ?? 0, periodS, timeScale, criteria.recovery.limitS)
      : null;
  const soak =
    test === 'soak'
      ? soakOf(holdOnAxis(results, t0), {
          series,
          health,
          responses: periods.map((p) => counter(p, ARTILLERY.responses)),
          p95: periods.map((p) => stat(p, ARTILLERY.responseTime, 'p95') ?? null),
          ...system.series,
          periodS,
          windowS: drift!.windowS,
          flags: drift!.reasons,
        })
      : null;

  const alsoList = [...Object.values(groups).flat(), ...smokeEndpoints];
  const codes = dict<number>();
  const requestErrors = dict<number>();
  for (const [k, v] of Object.entries(numberRecord(counters(agg)))) {
    if (k.startsWith(ARTILLERY.codePrefix)) codes[k.slice(ARTILLERY.codePrefix.length)] = v;
    else if (k.startsWith(ARTILLERY.errorPrefix)) requestErrors[k.slice(ARTILLERY.errorPrefix.length)] = v;
  }

  // The tool the results record, else the report build's, else unknown.
  const recordedTool = isObject(hmp.tool) ? { version: str(hmp.tool.version), commit: str(hmp.tool.commit) } : undefined;
  const { version, commit } = recordedTool ?? opts.tool ?? {};
  const tool: Summary['tool'] = { name: 'hmp-load', version: version ?? null, commit: commit ?? null, source: recordedTool ? 'results' : opts.tool ? 'report-build' : 'unknown' };

  const jitterSteps = Array.isArray(hmp.jitter) ? hmp.jitter.length : 0;
  const measuredAnything = requests > 0 || periods.length > 0;
  const partial: Omit<Summary, 'headline'> = {
    schema: 'hmp-load/summary@1',
    test,
    outcome: outcomeOf(test, verdicts, measuredAnything),
    run: {
      target: str(hmp.target) ?? null,
      startedAt: startedMs !== undefined ? new Date(startedMs).toISOString() : null,
      endedAt: endedMs !== undefined ? new Date(endedMs).toISOString() : null,
      durationS: Math.round(durationS * 10) / 10,
      timeScale,
      loadPerUser: loadPerUserOf(hmp.loadPerUser),
      jitterSeed: num(hmp.jitterSeed) ?? null,
      jitterSteps,
      shape,
      shapeText: describe(shape),
      earlyStop: hmp.earlyStop === true,
      periods: periods.length,
      periodS,
    },
    tool,
    criteria: { slo, groups, maxErrorRate: maxErrorRate ?? null, system: { cpuPct: criteria.system.cpuPct, ramPct: criteria.system.ramPct } },
    verdicts,
    totals: {
      requests,
      responses: counter(agg, ARTILLERY.responses),
      errors,
      errorRatePct: Math.round(errorRatePct * 1000) / 1000,
      timeouts: totalTimeouts(aggC),
      reqPerS: durationS > 0 ? Math.round((100 * requests) / durationS) / 100 : 0,
      p50: stat(agg, ARTILLERY.responseTime, 'p50') ?? stat(agg, ARTILLERY.responseTime, 'median') ?? null,
      p95: stat(agg, ARTILLERY.responseTime, 'p95') ?? null,
      p99: stat(agg, ARTILLERY.responseTime, 'p99') ?? null,
      max: stat(agg, ARTILLERY.responseTime, 'max') ?? null,
      codes,
      relogins: counter(agg, metric.relogin),
      requestErrors,
    },
    users: {
      targetPeak: stat(agg, metric.usersTarget, 'max') ?? null,
      activePeak: stat(agg, metric.usersActive, 'max') ?? null,
      maxDeviation: stat(agg, metric.usersDeviation, 'max') ?? null,
      lost: counter(agg, metric.usersLost),
      sessionsFailed: counter(agg, metric.session('failed')),
      sessionsCompleted: counter(agg, metric.session('completed')),
    },
    groups: groupRows,
    endpoints: endpointRows(agg, groups, slo, alsoList, durationS),
    errors: errorRows(aggC, periods.map((p, i) => ({ at: p.at, c: perPeriod[i]! })), periodS, t0, hmp.errorSamples),
    failures: failuresOf(counters(agg), hmp),
    serverLog: serverLogOf(hmp.serverLog),
    system: { cpu: system.cpu, memory: system.memory, processes: system.processes },
    breakpoint: breakpointOf(hmp),
    spike,
    soak,
    diagnosis: diagnose(results, { verdicts }),
  };
  const summary: Summary = { ...partial, headline: headlineOf(partial) };
  const logSeries = summary.serverLog && serverLogSeries(summary.serverLog, periods.map((p) => p.at), health.errors);
  const analysis: Analysis = { summary, series, system: system.series, serverLog: logSeries, t0 };
  cache.set(input, { key, analysis });
  return analysis;
}
