// Each test's step in the plan's algorithm (pure): the test's verdicts are
// the step report's summary (core/criteria.ts, one rule set for the console,
// report.html, summary.json and this suite); a failed gated criterion raises
// the test's flag, with the evidence behind it and the key numbers. The
// suite's own measurements (crash watch, recovery, data loss, drift) reach
// the verdicts through `checksOf`, recorded with the results before the
// report is built.
import { GONE_VERDICT, LOAD_VERDICT, type Measured, type Verdict } from '../../plugins/artillery-plugin-hmp/core/criteria.ts';
import type { Summary } from '../../report/types.ts';
import { driftMeasured, type Drift } from '../drift.ts';
import { evidenceOfDrift, evidenceOfIntegrity, evidenceOfRecovery, evidenceOfResults, evidenceOfServerLog, evidenceOfStalls, evidenceOfSystem } from '../../diagnosis/evidence.ts';
import type { IntegrityReport } from '../integrity.ts';
import type { Evidence, FlagId } from '../../diagnosis/recommendations.ts';
import { baselineOf, type Recovery } from '../recovery.ts';
import type { Results } from '../../plugins/artillery-plugin-hmp/core/results.ts';
import { fmtS, round } from '../../plugins/artillery-plugin-hmp/core/stats.ts';
import type { Bottleneck } from '../../diagnosis/bottleneck.ts';
import type { Unanswered } from './probe.ts';
import type { StepRecord } from './state.ts';
import { FLAG_TITLE, type TestId } from './steps.ts';
import { ARTILLERY, REASONS } from '../../plugins/artillery-plugin-hmp/core/metric-names.ts';
import type { ConversionReadiness } from '../../lib/preflight/conversions.ts';
import { CERTAINTY_WORDS } from '../../diagnosis/types.ts';
import { clock } from '../../diagnosis/incidents.ts';

/** A test's verdict: the fields of its step record that the evaluation fills in. */
export type Evaluation = Pick<StepRecord, 'flag' | 'diagnosis'> & Required<Pick<StepRecord, 'status' | 'reason' | 'evidence' | 'numbers' | 'notes' | 'details'>>;

/** The numbers every test's row shows, from the report's summary. */
export function keyNumbers(s: Summary): Evaluation['numbers'] {
  return {
    requests: s.totals.requests,
    errors: s.totals.errors,
    errorRatePct: round(s.totals.errorRatePct, 2),
    timeouts: s.totals.timeouts,
    reqPerS: s.totals.reqPerS,
    p95Ms: s.totals.p95,
    p99Ms: s.totals.p99,
    peakUsers: s.users.activePeak ?? s.users.targetPeak,
    cpuSustainedPct: s.system.cpu ? round(s.system.cpu.sustained, 1) : null,
    memorySustained: s.system.memory ? `${round(s.system.memory.sustained, 1)}${s.system.memory.unit === '%' ? '%' : ' MB'}` : null,
    // Each process sampled beside the server (--pid server=N,db=N): sustained CPU and peak memory, in words.
    processes: (s.system.processes ?? []).length > 1 ? s.system.processes.map((p) => `${p.label} CPU ${p.cpu ? Math.round(p.cpu.sustained) : 'n/a'}%, ${p.rssMb ? Math.round(p.rssMb.max) : 'n/a'} MB`).join('; ') : null,
    durationS: s.run.durationS,
  };
}

const failedOf = (s: Summary) => s.verdicts.filter((v) => v.pass === false);
const failed = (s: Summary, id: string) => s.verdicts.some((v) => v.pass === false && (v.id === id || (id === 'p99' && v.id.startsWith('p99.'))));

/** The commonest errors, e.g. "3 x timeout on audit_list, 1 x reset_reused on project_list". */
function errorsInWords(s: Summary, most = 3): string {
  const rows = [...s.errors].sort((a, b) => b.count - a.count);
  const words = rows.slice(0, most).map((e) => `${e.count} x ${e.reason} on ${e.endpoint}`);
  if (rows.length > most) words.push(`${rows.length - most} more kinds`);
  return words.join(', ') || 'none itemised';
}

/** A failed criterion in the words of a step's reason. */
export function because(v: Verdict, s: Summary): string {
  const m = v.measured;
  switch (v.id) {
    case GONE_VERDICT:
      return v.note || `nothing answered for ${v.measured} min (limit ${v.limit} min): the run was stopped`;
    case 'errors':
      return `${s.totals.errors} errors in ${s.totals.requests} requests (the smoke allows none): ${errorsInWords(s)}`;
    case 'unanswered':
      return `${m} critical endpoints never answered`;
    case 'error_rate':
      return `error rate ${round(m ?? 0, 2)}% ${m !== null && v.limit !== null && m > v.limit ? `> ${v.limit}%` : `(limit < ${v.limit}%)`}`;
    case 'crash':
      return 'the system crashed (stopped answering)';
    case 'recovery':
      return `recovery time > ${fmtS(v.limit ?? 0)}`;
    case 'data_loss':
      return `data loss: ${v.note ?? `${m} acknowledged uploads lost`}`;
    case 'memory_growth':
    case 'degradation':
      return v.note ?? `${v.name} ${m}% > ${v.limit}%`;
    default:
      if (v.id.startsWith('p99.')) return `p99 of ${v.id.slice(4)} endpoints ${Math.round(m ?? 0)} ms > SLO ${v.limit} ms`;
      return `${v.name} ${m}${v.unit} (limit ${v.op} ${v.limit}${v.unit})`;
  }
}

/** Criteria measured over their limit that do not gate this test: notes, not flags. */
function reportedNotes(s: Summary, test: string): string[] {
  return s.verdicts
    .filter((v) => !v.gated && v.measured !== null && v.limit !== null && !(v.op === '<' ? v.measured < v.limit : v.op === '<=' ? v.measured <= v.limit : v.measured === v.limit))
    .map((v) => `${test}: ${v.name} ${v.measured === Infinity ? `more than ${v.limit}` : v.measured}${v.unit} is over its limit (${v.op} ${v.limit}${v.unit}); reported, not gated for ${test}.`);
}

/** Gated criteria that were not measured (e.g. no system metrics): notes. */
function unmeasuredNotes(s: Summary, test: string): string[] {
  return s.verdicts.filter((v) => v.gated && v.measured === null && !v.id.startsWith('p99.') && v.id !== 'error_rate').map((v) => `${test}: ${v.name} not judged (${v.note ?? 'not measured'}).`);
}

function flagged(flag: FlagId, s: Summary, evidence: Evidence[], numbers: Evaluation['numbers'], notes: string[], details: Record<string, unknown> = {}): Evaluation {
  return { status: 'flagged', flag, reason: `"${FLAG_TITLE[flag]}": ${failedOf(s).map((v) => because(v, s)).join('; ')}.`, evidence, numbers, notes, details };
}

function passed(reason: string, numbers: Evaluation['numbers'], notes: string[], details: Record<string, unknown> = {}): Evaluation {
  return { status: 'passed', reason, evidence: [], numbers, notes, details };
}

/** "error rate 0.12% < 1%": the run's error rate against the test's limit. */
const errorRateWords = (s: Summary) => `error rate ${round(s.totals.errorRatePct, 2)}% < ${s.verdicts.find((v) => v.id === 'error_rate')?.limit}%`;

/** Errors that are neither 5xx nor timeouts (failed validations: the server answered wrongly), per endpoint and reason. */
export function failuresOf(s: Summary, test: string): Evidence[] {
  return s.errors
    .filter((r) => !(r.status !== null && r.status >= 500) && !(r.noAnswer && /timeout|ETIMEDOUT|ESOCKETTIMEDOUT/i.test(r.reason)))
    .map((r) => ({
      kind: 'error_rate' as const,
      test,
      endpoint: r.endpoint,
      measured: r.count,
      unit: '' as const,
      text: `${r.count} x ${r.endpoint}: ${r.reason}${r.meaning ? ` (${r.meaning})` : ''} in ${test}`,
    }));
}

/** A run the plugin stopped because its server was gone (stopWhenGone): the server stopped answering, said once with why and when. */
function goneEvidence(test: string, s: Summary): Evidence[] {
  const v = s.verdicts.find((x) => x.id === GONE_VERDICT && x.pass === false);
  return v ? [{ kind: 'crash', test, measured: Math.round((v.measured ?? 0) * 60), unit: 's', text: `${v.note || 'the server stopped answering'} in ${test}` }] : [];
}

/** Evidence from the run's own measurements for the criteria that failed; the stalls first: they are the cause, the rest their symptoms. */
function resultEvidence(test: string, results: Results, s: Summary): Evidence[] {
  return [...evidenceOfStalls(test, results), ...evidenceOfServerLog(test, results), ...evidenceOfResults(test, results, s.verdicts), ...evidenceOfSystem(test, s.verdicts)];
}

// --- step 2 ---------------------------------------------------------------

/** The pre-check's finding that conversions cannot run (lib/preflight/conversions.ts): what its failures in the smoke are. */
const NO_SERVER_KEY = REASONS.noServerKey;

/**
 * The smoke's errors in one cause, when one determined cause (diagnosis/)
 * explains most of them: "they follow from one cause: ...", and how to test
 * everything else meanwhile when the cause is a kind of request.
 */
export function smokeCauseWords(s: Summary): string | undefined {
  const d = s.diagnosis;
  if (!d || s.totals.errors === 0) return undefined;
  const byCause = new Map<string, { title: string; how: string; kind?: string; failed: number; windows: string[] }>();
  for (const i of d.incidents) {
    if (i.cause.id === 'undetermined') continue;
    const key = `${i.cause.id}|${i.cause.kind ?? ''}|${i.cause.dependency ?? ''}`;
    const row = byCause.get(key) ?? { title: i.cause.title, how: CERTAINTY_WORDS[i.cause.certainty], kind: i.cause.kind, failed: 0, windows: [] };
    row.failed += i.client.failed;
    row.windows.push(clock(i.startS));
    byCause.set(key, row);
  }
  const top = [...byCause.values()].sort((a, b) => b.failed - a.failed)[0];
  if (!top || 2 * top.failed < s.totals.errors) return undefined;
  const meanwhile = top.kind && /^pdf_/.test(top.kind) ? ' Meanwhile, `npm run suite -- --no-conversions` tests everything else.' : '';
  return `${top.failed} of the ${s.totals.errors} errors follow from one cause: ${top.title} (${top.how}; incident${top.windows.length === 1 ? '' : 's'} at ${top.windows.slice(0, 4).join(', ')}).${meanwhile}`;
}

export function evaluateSmoke(results: Results, s: Summary, conversions?: ConversionReadiness): Evaluation {
  const numbers = keyNumbers(s);
  numbers.unansweredEndpoints = s.verdicts.find((v) => v.id === 'unanswered')?.measured ?? 0;
  if (failedOf(s).length) {
    const evidence = [...evidenceOfResults('smoke', results, s.verdicts), ...failuresOf(s, 'smoke')];
    const f = flagged('functional', s, evidence, numbers, reportedNotes(s, 'smoke'));
    const cause = smokeCauseWords(s);
    if (conversions?.ready !== false) return { ...f, status: 'aborted', reason: cause ? `${f.reason} ${cause}` : f.reason };
    // The defect is the finding, said once; its consequences are not listed again.
    const copies = s.errors.filter((r) => r.reason === NO_SERVER_KEY).reduce((a, r) => a + r.count, 0);
    const others = s.errors.filter((r) => r.reason !== NO_SERVER_KEY);
    const rest = others.length ? ` Other failures: ${others.map((r) => `${r.count} x ${r.endpoint}: ${r.reason}`).join('; ')}.` : '';
    const finding: Evidence = { kind: 'unanswered', test: 'smoke', endpoint: 'pdf_execute', measured: copies, text: `${conversions.text} (${copies} conversions of the smoke failed for it)` };
    const kept = evidence.filter((e) => !(e.endpoint === 'pdf_execute' || e.text?.includes(NO_SERVER_KEY)));
    return { ...f, status: 'aborted', reason: `"${FLAG_TITLE.functional}": ${conversions.text}${rest}`, evidence: [finding, ...kept] };
  }
  return passed(`0 errors in ${s.totals.requests} requests; every critical endpoint answered.`, numbers, reportedNotes(s, 'smoke'));
}

// --- step 3 ---------------------------------------------------------------

export function evaluateAverage(results: Results, s: Summary): Evaluation {
  const numbers = keyNumbers(s);
  const baseline = { ...baselineOf(results), p99ByGroup: Object.fromEntries(s.groups.map((g) => [g.group, g.p99])), reqPerS: s.totals.reqPerS, cpuSustainedPct: s.system.cpu?.sustained ?? null };
  const details = { baseline };
  const notes = [...reportedNotes(s, 'average'), ...unmeasuredNotes(s, 'average')];
  if (failedOf(s).length) return flagged('baseline', s, resultEvidence('average', results, s), numbers, notes, details);
  return passed(`${errorRateWords(s)} and every p99 within its SLO; baseline recorded (p95 ${baseline.p95Ms} ms).`, numbers, notes, details);
}

// --- step 4 ---------------------------------------------------------------

export interface CrashWatch {
  /** The health probes during the test (null: not watched). */
  during: Unanswered | null;
  /** GET /health right after the test: null when it answered, else why not. */
  after: string | null;
  /** The suite's own twin exited (its reason), if it did. */
  exited: string | null;
  /** Periods of the run with requests sent and none answered. */
  stalledPeriods: number;
}

export function crashEvidence(test: string, w: CrashWatch): Evidence | undefined {
  const parts: string[] = [];
  if (w.exited) parts.push(`the server process exited (${w.exited})`);
  if (w.during?.stopped) {
    parts.push(`no answer to GET /health for ${w.during.longestS} s (${w.during.unanswered} of ${w.during.probes} probes unanswered: ${w.during.reasons.join(', ')})`);
  }
  if (w.stalledPeriods > 0) parts.push(`${w.stalledPeriods} period(s) of 10 s with requests sent and none answered`);
  if (w.after) parts.push(`GET /health after the test: ${w.after}`);
  if (parts.length === 0) return undefined;
  return { kind: 'crash', test, measured: w.during?.longestS ?? 0, unit: 's', text: `the server stopped answering in ${test}: ${parts.join('; ')}` };
}

export function stalledPeriodsOf(results: Results): number {
  return results.intermediate.filter((p) => (p.counters?.[ARTILLERY.requests] ?? 0) > 0 && (p.counters?.[ARTILLERY.responses] ?? 0) === 0).length;
}

export interface SpikeExtras {
  recovery: Recovery | undefined;
  /** The run's time scale: the 5-minute limit is scaled by it. */
  timeScale: number;
  integrity: IntegrityReport | { error: string };
}

/**
 * The suite's measurements around a run, as the criteria read them
 * (core/criteria.ts Measured); recorded with the results (withChecks) before
 * the step's report is built, so the summary's verdicts include them.
 */
export function checksOf(x: { crash?: CrashWatch; spike?: SpikeExtras; drift?: Drift; afterLoad?: Recovery }): Pick<Measured, 'crash' | 'recovery' | 'dataLoss' | 'drift'> {
  const out: Pick<Measured, 'crash' | 'recovery' | 'dataLoss' | 'drift'> = {};
  if (x.crash) {
    const e = crashEvidence('stress', x.crash);
    out.crash = { crashed: e !== undefined, text: e?.text ?? 'the server kept answering (GET /health probed every 0.5 s)' };
  }
  const measured = (r: Recovery, text = r.text) => ({ status: r.status, seconds: r.recoveredAfterS, limitS: r.limitS, text });
  const r = x.spike?.recovery;
  const scaled = x.spike && x.spike.timeScale !== 1 && r?.status === 'not-recovered' ? ` (5 min scaled by ${x.spike.timeScale})` : '';
  if (r) out.recovery = measured(r, `${r.text}${scaled}`);
  if (x.afterLoad) out.recovery = measured(x.afterLoad);
  const integrity = x.spike && !('error' in x.spike.integrity) ? x.spike.integrity : undefined;
  if (integrity) out.dataLoss = { lost: integrity.missing + integrity.corrupted, acknowledged: integrity.acknowledged, text: integrity.summary };
  if (x.drift) out.drift = driftMeasured(x.drift);
  return out;
}

export function evaluateStress(results: Results, s: Summary, watch: CrashWatch): Evaluation {
  const numbers = keyNumbers(s);
  const crash = crashEvidence('stress', watch);
  numbers.crashed = crash !== undefined;
  numbers.healthUnansweredS = watch.during?.longestS ?? null;
  const details = { crashWatch: watch };
  const notes = [...reportedNotes(s, 'stress'), ...unmeasuredNotes(s, 'stress')];
  if (failedOf(s).length) return flagged('unstable', s, [...goneEvidence('stress', s), ...(crash && failed(s, 'crash') ? [crash] : []), ...resultEvidence('stress', results, s)], numbers, notes, details);
  return passed(`no crash (the server kept answering) and ${errorRateWords(s)}.`, numbers, notes, details);
}

// --- step 5 ---------------------------------------------------------------

export function evaluateSpike(results: Results, s: Summary, x: SpikeExtras): Evaluation {
  const numbers = keyNumbers(s);
  const r = x.recovery;
  const recoveryVerdict = s.verdicts.find((v) => v.id === 'recovery');
  numbers.recoveryStatus = r?.status ?? 'not-observed';
  numbers.recoveryS = r?.recoveredAfterS ?? null;
  numbers.recoveryLimitS = r?.limitS ?? recoveryVerdict?.limit ?? null;
  const integrity = 'error' in x.integrity ? undefined : x.integrity;
  numbers.uploadsAcknowledged = integrity?.acknowledged ?? null;
  numbers.uploadsVerified = integrity?.verified ?? null;
  numbers.uploadsLost = integrity ? integrity.missing + integrity.corrupted : null;
  const details: Record<string, unknown> = { recovery: r ?? null, integrity: x.integrity };
  const notes: string[] = [...reportedNotes(s, 'spike')];
  if (!r || r.status === 'not-observed') notes.push(`spike: recovery not judged (${r ? r.text : 'the results record no hold'}).`);
  if (integrity && integrity.unchecked > 0) {
    notes.push(`spike: ${integrity.unchecked} acknowledged uploads could not be checked (${integrity.details.find((d) => d.outcome === 'unchecked')?.reason ?? ''}).`);
  }
  if ('error' in x.integrity) notes.push(`spike: the uploads were not verified: ${x.integrity.error}`);
  if (failedOf(s).length) {
    const evidence: Evidence[] = goneEvidence('spike', s);
    if (failed(s, 'error_rate') || failed(s, 'p99')) evidence.push(...resultEvidence('spike', results, s));
    if (r && failed(s, 'recovery')) evidence.push(...evidenceOfRecovery(r, x.timeScale));
    if (integrity && failed(s, 'data_loss')) evidence.push(...evidenceOfIntegrity(integrity, 'spike'));
    const f = flagged('burst', s, evidence, numbers, notes, details);
    return x.timeScale === 1 ? f : { ...f, reason: f.reason.replace(/recovery time > ([^;.]+)/, `recovery time > $1 (5 min scaled by ${x.timeScale})`) };
  }
  const rec = r?.status === 'recovered' ? `recovered ${fmtS(r.recoveredAfterS ?? 0)} after the hold` : 'recovery not judged';
  return passed(`${errorRateWords(s)}, ${rec}, ${integrity ? integrity.summary.replace(/\.$/, '') : 'uploads not verified'}.`, numbers, notes, details);
}

// --- step 6 ---------------------------------------------------------------

/** What failed first at the breakpoint, as evidence for the recommendations (endpoints and resources). */
function bottleneckEvidence(b: Bottleneck): Evidence[] {
  const KIND = { latency: 'p99', '5xx': 'status', timeouts: 'timeouts' } as const;
  return b.first.flatMap((sig): Evidence[] => {
    const text = `${sig.detail} at ${sig.users} users in breakpoint`;
    if (sig.kind === 'stall') return [{ kind: 'crash', test: 'breakpoint', measured: 0, text }];
    if (!(sig.kind in KIND) || !sig.endpoint) return [];
    const kind = KIND[sig.kind as keyof typeof KIND];
    return [{ kind, test: 'breakpoint', endpoint: sig.endpoint, ...(kind === 'status' ? { status: 500 } : {}), measured: 0, text }];
  });
}

export function evaluateBreakpoint(results: Results, s: Summary, bottleneck: Bottleneck): Evaluation {
  const numbers = keyNumbers(s);
  const b = s.breakpoint;
  numbers.found = b?.found ?? false;
  numbers.maxSustainableUsers = b?.maxSustainableUsers ?? null;
  numbers.maxUsersWithinSlos = b?.maxUsersWithinSlos ?? null;
  numbers.withinSlosReqPerS = b?.withinSlosReqPerS ?? null;
  numbers.beforeFailureReqPerS = b?.beforeFailureReqPerS ?? null;
  numbers.failingUsers = b?.failingUsers ?? null;
  numbers.failureMode = b?.failureMode ?? null;
  // Both capacities in words, as the plugin said them (older results: the one it had).
  const capacities = b?.capacityText ?? (b?.found ? `max sustainable ${b.maxSustainableUsers} users; failed at ${b.failingUsers} users: ${b.failureMode}` : b?.summary);
  const reason = b ? `${capacities}${b.rateText ? `; ${b.rateText}` : ''}. ${bottleneck.text}` : `the results record no breakpoint analysis. ${bottleneck.text}`;
  const capacity = s.verdicts.find((v) => v.id === 'capacity');
  if (capacity?.pass === false) {
    const limit = capacity.limit ?? undefined;
    const evidence: Evidence[] = [
      { kind: 'capacity', test: 'breakpoint', measured: capacity.measured ?? 0, limit, unit: '', text: `${capacity.name}: ${capacity.measured ?? 0} ${capacity.unit} where the plan's peak needs ${limit ?? '?'} ${capacity.unit} in breakpoint` },
      ...evidenceOfStalls('breakpoint', results),
      ...evidenceOfServerLog('breakpoint', results),
      ...bottleneckEvidence(bottleneck),
    ];
    const why = `${capacity.name} ${capacity.measured ?? 0} ${capacity.unit} < the plan's peak of ${limit ?? '?'} ${capacity.unit} (${capacity.note})`;
    return { status: 'flagged', flag: 'capacity', reason: `"${FLAG_TITLE.capacity}": ${why}. ${reason}`, evidence, numbers, notes: [], details: { breakpoint: b, bottleneck } };
  }
  if (capacity && capacity.pass === null && capacity.note) return { status: 'recorded', reason: `${capacity.note}. ${bottleneck.text}`, evidence: [], numbers, notes: [], details: { breakpoint: b, bottleneck } };
  return { status: 'recorded', reason, evidence: [], numbers, notes: [], details: { breakpoint: b, bottleneck } };
}

// --- step 7 ---------------------------------------------------------------

export function evaluateSoak(results: Results, s: Summary, drift: Drift): Evaluation {
  const numbers = keyNumbers(s);
  numbers.memoryGrowthPct = drift.memoryGrowthPct;
  numbers.p95ChangePct = drift.p95ChangePct;
  numbers.p99ChangePct = drift.p99ChangePct;
  const details = { drift };
  const notes = reportedNotes(s, 'soak');
  if (drift.memoryUnit === null) notes.push('soak: memory not measured (--system-metrics none): only latency drift was judged.');
  if (!drift.latencyJudged) notes.push(`soak: ${driftMeasured(drift).text}.`);
  if (failedOf(s).length) {
    const evidence = [...goneEvidence('soak', s), ...(failed(s, 'error_rate') ? resultEvidence('soak', results, s) : []), ...evidenceOfDrift(drift, 'soak')];
    return flagged('stability', s, evidence, numbers, notes, details);
  }
  const mem = drift.memoryGrowthPct === null ? 'memory not measured' : `memory ${drift.memoryGrowthPct >= 0 ? '+' : ''}${drift.memoryGrowthPct}%`;
  const lat = drift.p95ChangePct === null ? 'p95 change not measured' : `p95 ${drift.p95ChangePct >= 0 ? '+' : ''}${drift.p95ChangePct}%${drift.latencyJudged ? '' : ' (not judged: windows too short)'}`;
  return passed(`${mem} (limit ${drift.limits.memoryGrowthPct}%), ${lat} (limit ${drift.limits.degradationPct}%), last vs first window.`, numbers, notes, details);
}

/** A test whose run never reached its shape's users: the suite could not do its job there either. */
export function notTested(test: TestId, s: Summary): Evaluation {
  const load = s.verdicts.find((v) => v.id === LOAD_VERDICT);
  return { status: 'failed', reason: `the ${test} test was NOT TESTED: ${load?.note}; run it at a larger --time-scale, or give the load generator more CPU.`, evidence: [], numbers: keyNumbers(s), notes: [], details: {} };
}

/** A test whose run produced no results: the suite could not do its job there. */
export function noResults(test: TestId, why: string): Evaluation {
  return { status: 'failed', reason: `the ${test} test produced no results: ${why}`, evidence: [], numbers: {}, notes: [], details: {} };
}
