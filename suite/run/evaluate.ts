// Each test's verdict under the plan's algorithm (pure): the IF conditions
// of section 6 on the test's measurements, the flag with the evidence that
// raised it, the key numbers, and notes for criteria missed below a flag's
// threshold (they raise nothing: the algorithm decides).
import type { Verdict as GateVerdict, Verdict as SystemVerdict } from '../../plugins/artillery-plugin-hmp/gates.ts';
import type { Summary } from '../../report/types.ts';
import type { Drift } from '../drift.ts';
import { evidenceOfDrift, evidenceOfIntegrity, evidenceOfResults, evidenceOfSystem } from '../evidence.ts';
import type { IntegrityReport } from '../integrity.ts';
import type { Evidence, FlagId } from '../recommendations.ts';
import { baselineOf, type Recovery } from '../recovery.ts';
import { hmpSection, type Results } from '../results.ts';
import { fmtS, round } from '../stats.ts';
import type { Bottleneck } from './bottleneck.ts';
import type { Unanswered } from './probe.ts';
import type { StepStatus } from './state.ts';
import { ALGORITHM, FLAG_TITLE, type TestId } from './steps.ts';

export interface Evaluation {
  status: StepStatus;
  reason: string;
  flag?: FlagId;
  evidence: Evidence[];
  numbers: Record<string, number | string | boolean | null>;
  notes: string[];
  details: Record<string, unknown>;
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** The plugin's verdicts (aggregate.hmp.verdicts): the test's own success criteria. */
export function gateVerdicts(results: Results): GateVerdict[] {
  const v = hmpSection(results).verdicts;
  return Array.isArray(v) ? (v.filter(isObject) as unknown as GateVerdict[]) : [];
}

export function fmtVerdict(v: Pick<GateVerdict, 'criterion' | 'measured' | 'limit' | 'unit' | 'op'>): string {
  return `${v.criterion} ${v.measured}${v.unit} (limit ${v.op} ${v.limit}${v.unit})`;
}

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
    durationS: s.run.durationS,
  };
}

/** Criteria the test missed that the algorithm does not flag on: notes. */
function missedNotes(results: Results, test: string, except: (v: GateVerdict) => boolean = () => false): string[] {
  return gateVerdicts(results)
    .filter((v) => !v.pass && !except(v))
    .map((v) => `${test} missed its success criterion: ${fmtVerdict(v)}; not one of the algorithm's conditions for a flag.`);
}

function systemNotes(test: string, verdicts: SystemVerdict[]): string[] {
  return verdicts.filter((v) => !v.pass).map((v) => `${test}: ${fmtVerdict(v)} missed (sustained, highest 1-minute mean).`);
}

function flagged(flag: FlagId, because: string[], evidence: Evidence[], numbers: Evaluation['numbers'], notes: string[], details: Record<string, unknown> = {}): Evaluation {
  return { status: 'flagged', flag, reason: `"${FLAG_TITLE[flag]}": ${because.join('; ')}.`, evidence, numbers, notes, details };
}

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

// --- step 2 ---------------------------------------------------------------

export function evaluateSmoke(results: Results, s: Summary): Evaluation {
  const numbers = keyNumbers(s);
  const unanswered = gateVerdicts(results).find((v) => /not answered/.test(v.criterion))?.measured ?? 0;
  numbers.unansweredEndpoints = unanswered;
  const errors = s.totals.errors;
  if (errors > 0 || unanswered > 0) {
    const because: string[] = [];
    if (errors > 0) because.push(`${errors} errors in ${s.totals.requests} requests (the smoke allows none)`);
    if (unanswered > 0) because.push(`${unanswered} critical endpoints never answered`);
    return {
      status: 'aborted',
      flag: 'functional',
      reason: `"${FLAG_TITLE.functional}": ${because.join('; ')}.`,
      evidence: [...evidenceOfResults('smoke', results), ...failuresOf(s, 'smoke')],
      numbers,
      notes: [],
      details: {},
    };
  }
  return { status: 'passed', reason: `0 errors in ${s.totals.requests} requests; every critical endpoint answered.`, evidence: [], numbers, notes: missedNotes(results, 'smoke'), details: {} };
}

// --- step 3 ---------------------------------------------------------------

export function evaluateAverage(results: Results, s: Summary, system: SystemVerdict[]): Evaluation {
  const numbers = keyNumbers(s);
  const rate = s.totals.errorRatePct;
  const p99Missed = gateVerdicts(results).filter((v) => /^p99/.test(v.criterion) && !v.pass);
  const baseline = { ...baselineOf(results), p99ByGroup: Object.fromEntries(s.groups.map((g) => [g.group, g.p99])), reqPerS: s.totals.reqPerS, cpuSustainedPct: s.system.cpu?.sustained ?? null };
  const details = { baseline };
  const because: string[] = [];
  if (rate > ALGORITHM.averageErrorPct) because.push(`error rate ${round(rate, 2)}% > ${ALGORITHM.averageErrorPct}%`);
  for (const v of p99Missed) because.push(`${v.criterion} ${Math.round(v.measured)} ms > SLO ${v.limit} ms`);
  if (because.length) {
    const evidence = [...evidenceOfResults('average', results), ...evidenceOfSystem('average', system)];
    return flagged('baseline', because, evidence, numbers, [], details);
  }
  const notes = [...missedNotes(results, 'average', (v) => /^p99/.test(v.criterion)), ...systemNotes('average', system)];
  return {
    status: 'passed',
    reason: `error rate ${round(rate, 2)}% <= ${ALGORITHM.averageErrorPct}% and every p99 within its SLO; baseline recorded (p95 ${baseline.p95Ms} ms).`,
    evidence: [],
    numbers,
    notes,
    details,
  };
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
  return results.intermediate.filter((p) => (p.counters?.['http.requests'] ?? 0) > 0 && (p.counters?.['http.responses'] ?? 0) === 0).length;
}

export function evaluateStress(results: Results, s: Summary, watch: CrashWatch, system: SystemVerdict[]): Evaluation {
  const numbers = keyNumbers(s);
  const crash = crashEvidence('stress', watch);
  numbers.crashed = crash !== undefined;
  numbers.healthUnansweredS = watch.during?.longestS ?? null;
  const rate = s.totals.errorRatePct;
  const details = { crashWatch: watch };
  const because: string[] = [];
  if (crash) because.push('the system crashed (stopped answering)');
  if (rate > ALGORITHM.stressErrorPct) because.push(`error rate ${round(rate, 2)}% > ${ALGORITHM.stressErrorPct}%`);
  if (because.length) {
    const evidence = [...(crash ? [crash] : []), ...evidenceOfResults('stress', results), ...evidenceOfSystem('stress', system)];
    return flagged('unstable', because, evidence, numbers, [], details);
  }
  return {
    status: 'passed',
    reason: `no crash (the server kept answering) and error rate ${round(rate, 2)}% <= ${ALGORITHM.stressErrorPct}%.`,
    evidence: [],
    numbers,
    notes: [...missedNotes(results, 'stress'), ...systemNotes('stress', system)],
    details,
  };
}

// --- step 5 ---------------------------------------------------------------

export interface SpikeExtras {
  recovery: Recovery | undefined;
  /** The run's time scale: the 5-minute limit is scaled by it. */
  timeScale: number;
  integrity: IntegrityReport | { error: string };
  crash?: CrashWatch;
}

export function recoveryEvidence(r: Recovery, timeScale: number): Evidence {
  const plan = timeScale === 1 ? '' : ` (the plan's 5 min at time scale ${timeScale})`;
  return {
    kind: 'recovery',
    test: 'spike',
    measured: Infinity,
    limit: ALGORITHM.recoveryLimitS,
    unit: 's',
    text: `not recovered within ${fmtS(r.limitS)} after the hold${plan} in spike: ${r.curve.filter((c) => !c.within).slice(0, 1).map((c) => c.why).join('') || r.text}`,
  };
}

export function evaluateSpike(results: Results, s: Summary, x: SpikeExtras): Evaluation {
  const numbers = keyNumbers(s);
  const rate = s.totals.errorRatePct;
  const r = x.recovery;
  numbers.recoveryStatus = r?.status ?? 'not-observed';
  numbers.recoveryS = r?.recoveredAfterS ?? null;
  numbers.recoveryLimitS = r?.limitS ?? round(ALGORITHM.recoveryLimitS * x.timeScale, 3);
  const integrity = 'error' in x.integrity ? undefined : x.integrity;
  numbers.uploadsAcknowledged = integrity?.acknowledged ?? null;
  numbers.uploadsVerified = integrity?.verified ?? null;
  numbers.uploadsLost = integrity ? integrity.missing + integrity.corrupted : null;
  const details: Record<string, unknown> = { recovery: r ?? null, integrity: x.integrity };
  const because: string[] = [];
  const evidence: Evidence[] = [];
  const notes: string[] = [];
  if (rate > ALGORITHM.spikeErrorPct) {
    because.push(`error rate ${round(rate, 2)}% > ${ALGORITHM.spikeErrorPct}%`);
    evidence.push(...evidenceOfResults('spike', results));
  }
  if (r?.status === 'not-recovered') {
    because.push(`recovery time > ${fmtS(r.limitS)}${x.timeScale === 1 ? '' : ` (5 min scaled by ${x.timeScale})`}`);
    evidence.push(recoveryEvidence(r, x.timeScale));
  } else if (!r || r.status === 'not-observed') {
    notes.push(`spike: recovery not judged (${r ? r.text : 'the results record no hold'}).`);
  }
  if (integrity && integrity.missing + integrity.corrupted > 0) {
    because.push(`data loss: ${integrity.summary}`);
    evidence.push(...evidenceOfIntegrity(integrity, 'spike'));
  } else if (integrity && integrity.unchecked > 0) {
    notes.push(`spike: ${integrity.unchecked} acknowledged uploads could not be checked (${integrity.details.find((d) => d.outcome === 'unchecked')?.reason ?? ''}).`);
  }
  if ('error' in x.integrity) notes.push(`spike: the uploads were not verified: ${x.integrity.error}`);
  if (because.length) return flagged('burst', because, evidence, numbers, notes, details);
  const rec = r?.status === 'recovered' ? `recovered ${fmtS(r.recoveredAfterS ?? 0)} after the hold` : 'recovery not judged';
  return {
    status: 'passed',
    reason: `error rate ${round(rate, 2)}% <= ${ALGORITHM.spikeErrorPct}%, ${rec}, ${integrity ? integrity.summary.replace(/\.$/, '') : 'uploads not verified'}.`,
    evidence: [],
    numbers,
    notes: [...missedNotes(results, 'spike'), ...notes],
    details,
  };
}

// --- step 6 ---------------------------------------------------------------

export function evaluateBreakpoint(s: Summary, bottleneck: Bottleneck): Evaluation {
  const numbers = keyNumbers(s);
  const b = s.breakpoint;
  numbers.found = b?.found ?? false;
  numbers.maxSustainableUsers = b?.maxSustainableUsers ?? null;
  numbers.failingUsers = b?.failingUsers ?? null;
  numbers.failureMode = b?.failureMode ?? null;
  const reason = b
    ? b.found
      ? `max sustainable ${b.maxSustainableUsers} users; failed at ${b.failingUsers} users: ${b.failureMode}. ${bottleneck.text}`
      : `${b.summary}. ${bottleneck.text}`
    : `the results record no breakpoint analysis. ${bottleneck.text}`;
  return { status: 'recorded', reason, evidence: [], numbers, notes: [], details: { breakpoint: b, bottleneck } };
}

// --- step 7 ---------------------------------------------------------------

export function evaluateSoak(results: Results, s: Summary, drift: Drift): Evaluation {
  const numbers = keyNumbers(s);
  numbers.memoryGrowthPct = drift.memoryGrowthPct;
  numbers.p95ChangePct = drift.p95ChangePct;
  numbers.p99ChangePct = drift.p99ChangePct;
  const details = { drift };
  const notes = missedNotes(results, 'soak');
  if (drift.memoryUnit === null) notes.push('soak: memory not measured (--system-metrics none): only latency drift was judged.');
  if (drift.flagged) return flagged('stability', drift.reasons, evidenceOfDrift(drift, 'soak'), numbers, notes, details);
  const mem = drift.memoryGrowthPct === null ? 'memory not measured' : `memory ${drift.memoryGrowthPct >= 0 ? '+' : ''}${drift.memoryGrowthPct}%`;
  const lat = drift.p95ChangePct === null ? 'p95 change not measured' : `p95 ${drift.p95ChangePct >= 0 ? '+' : ''}${drift.p95ChangePct}%`;
  return {
    status: 'passed',
    reason: `${mem} (limit ${ALGORITHM.memoryGrowthPct}%), ${lat} (limit ${ALGORITHM.degradationPct}%), last vs first window.`,
    evidence: [],
    numbers,
    notes,
    details,
  };
}

/** A test whose run produced no results: the suite could not do its job there. */
export function noResults(test: TestId, why: string): Evaluation {
  return { status: 'failed', reason: `the ${test} test produced no results: ${why}`, evidence: [], numbers: {}, notes: [], details: {} };
}
