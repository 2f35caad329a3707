// The plan's pass/fail criteria, written once (pure). Every threshold comes
// from phases/common.yml (resolved into `Criteria` by settings.ts and recorded
// in the results), and every consumer judges a run with `verdictsOf`: the
// plugin's console lines and ensure gates (so Artillery's exit code),
// report.html and summary.json, and the suite, which reads the step's
// summary instead of judging again. Which criteria GATE a test is the plan's
// section 6 (each test's own "Success criteria"); the others are measured
// and reported, never silently dropped.

import type { CapacityMeasured } from './capacity-record.ts';
import { capacityVerdict } from './capacity-verdict.ts';

export const TEST_TYPES = ['smoke', 'average', 'stress', 'spike', 'breakpoint', 'soak'] as const;
export type TestType = (typeof TEST_TYPES)[number];

/** Criterion ids; p99 is one per endpoint group (`p99.<group>`). */
export const CRITERIA = ['errors', 'unanswered', 'error_rate', 'p99', 'cpu', 'ram', 'crash', 'recovery', 'data_loss', 'memory_growth', 'degradation', 'capacity'] as const;
export type CriterionId = (typeof CRITERIA)[number];

export interface BreakpointRules {
  maxErrorRate: number;
  sloFactor: number;
  maxTimeoutRate: number;
  stallFactor: number;
}

export interface Criteria {
  /** p99 SLO in ms per endpoint group. */
  slo: Record<string, number>;
  /** Request names per endpoint group. */
  groups: Record<string, string[]>;
  /** Highest error rate (%) that passes, per test type. */
  maxErrorRate: Partial<Record<TestType, number>>;
  /** Endpoints the smoke test must see answered. */
  smokeEndpoints: string[];
  /** Which criteria gate each test (the rest are reported). */
  gates: Record<TestType, CriterionId[]>;
  /** Sustained server CPU and RAM limits (%), sustained = highest mean over sustainedS. */
  system: { cpuPct: number; ramPct: number; sustainedS: number };
  /** Spike: recovered within limitS (plan seconds, scaled with the run). */
  recovery: { limitS: number };
  /** Soak: last vs first window of the hold. */
  drift: { windowS: number; memoryGrowthPct: number; degradationPct: number; minLatencyChangeMs: number; minWindowPeriods: number };
  breakpoint: BreakpointRules;
  /** The plan's goals (section 1): concurrent users on average and at peak. */
  goals: { averageUsers: number; peakUsers: number };
  /** Every test: the share of its shape's peak users a run must reach to have tested it. */
  load: { minPeakShare: number };
  /** Between two runs (npm run compare, the runs index's trends): what counts as a regression. */
  regression: { p99Pct: number; errorRatePoints: number; minRequests: number; minDeltaMs: number };
}

export class CriteriaError extends Error {}

const isObject = (x: unknown): x is Record<string, any> => typeof x === 'object' && x !== null && !Array.isArray(x);

function need(where: string, x: unknown, path: string): number {
  const n = Number(x);
  if (x === undefined || x === null || x === '' || !Number.isFinite(n)) throw new CriteriaError(`${path} must be a number in ${where}, got "${x}".`);
  return n;
}

/** The criteria of a merged phases/common.yml (+ overrides); throws CriteriaError with one sentence. */
export function criteriaFrom(merged: Record<string, any>, where = 'phases/common.yml'): Criteria {
  const gates = {} as Record<TestType, CriterionId[]>;
  for (const t of TEST_TYPES) {
    const list = merged.gates?.[t];
    if (!Array.isArray(list)) throw new CriteriaError(`gates.${t} must list the criteria that gate the ${t} test in ${where} (e.g. [error_rate]).`);
    for (const id of list) if (!CRITERIA.includes(id)) throw new CriteriaError(`gates.${t} names "${id}", which is not a criterion (one of ${CRITERIA.join(', ')}) in ${where}.`);
    gates[t] = list;
  }
  const numbers = (o: unknown, path: string): Record<string, number> =>
    Object.fromEntries(Object.entries(isObject(o) ? o : {}).map(([k, v]) => [k, need(where, v, `${path}.${k}`)]));
  // The named numbers of one section (system.cpuPct ...), each required.
  const fields = <K extends string>(path: string, keys: readonly K[]) =>
    Object.fromEntries(keys.map((k) => [k, need(where, merged[path]?.[k], `${path}.${k}`)])) as Record<K, number>;
  return {
    slo: numbers(merged.slo, 'slo'),
    groups: isObject(merged.groups) ? merged.groups : {},
    maxErrorRate: numbers(merged.maxErrorRate, 'maxErrorRate'),
    smokeEndpoints: Array.isArray(merged.smokeEndpoints) ? merged.smokeEndpoints : [],
    gates,
    system: fields('system', ['cpuPct', 'ramPct', 'sustainedS']),
    recovery: fields('recovery', ['limitS']),
    drift: fields('drift', ['windowS', 'memoryGrowthPct', 'degradationPct', 'minLatencyChangeMs', 'minWindowPeriods']),
    goals: fields('goals', ['averageUsers', 'peakUsers']),
    load: fields('load', ['minPeakShare']),
    regression: fields('regression', ['p99Pct', 'errorRatePoints', 'minRequests', 'minDeltaMs']),
    breakpoint: fields('breakpoint', ['maxErrorRate', 'sloFactor', 'maxTimeoutRate', 'stallFactor']),
  };
}

/** Whether a criterion gates this test type (p99.<group> -> p99). */
export function gates(criteria: Pick<Criteria, 'gates'>, test: string, id: string): boolean {
  const list = Object.hasOwn(criteria.gates, test) ? criteria.gates[test as TestType] : [];
  return list.includes((id.startsWith('p99.') ? 'p99' : id) as CriterionId);
}

/** HMP_CONVERSIONS=off: the run converts nothing, and its critical endpoints leave the conversion out (not tested). */
export function conversionsOff(env: Record<string, string | undefined>): boolean {
  return ['0', 'off', 'false', 'no'].includes(String(env.HMP_CONVERSIONS ?? 'on').toLowerCase());
}

/** Endpoints a run without conversions does not test. */
export const CONVERSION_ENDPOINTS = ['credentials_public_key', 'pdf_upload_key', 'pdf_execute', 'pdf_status', 'pdf_audio'];

/** What one run measured; undefined = not measured by whoever judges (e.g. the plugin has no CPU samples). */
export interface Measured {
  requests: number;
  errors: number;
  errorRatePct: number;
  /** group -> worst endpoint p99 (undefined: no requests in the group) */
  groupP99: Record<string, { value: number; endpoint: string } | undefined>;
  /** Smoke endpoints that never answered. */
  unanswered: string[];
  /** Why each of them did not (core/coverage.ts), when known. */
  unansweredWhy?: Record<string, string>;
  cpu?: { sustained: number } | null;
  memory?: { sustained: number; unit: '%' | 'MB' } | null;
  /** Stress: did the server stop answering (the suite's health probes)? */
  crash?: { crashed: boolean; text: string };
  /** Recovery (the suite's probes), limit already scaled: the spike's after its hold (gated), every other test's after its load (reported). */
  recovery?: { status: 'recovered' | 'not-recovered' | 'not-observed'; seconds: number | null; limitS: number; text: string };
  /** Spike: acknowledged uploads missing or corrupted (the suite's integrity check). */
  dataLoss?: { lost: number; acknowledged: number; text: string };
  /** Soak: last vs first window (%, null: not measured). */
  drift?: { memoryGrowthPct: number | null; degradationPct: number | null; text: string };
  /** Breakpoint: its capacities as the plugin recorded them (core/capacity-record.ts; older results: maxSustainableUsers and found only). */
  capacity?: CapacityMeasured;
  /** The most concurrent users the shape asked for and the most the run had (undefined: not recorded). */
  load?: { targetPeak: number; activePeak: number };
  /** Stress, spike, soak: the run was stopped because nothing answered for stopWhenGone.limitMin (the plugin's server-gone.ts; recorded in aggregate.hmp.checks). */
  serverGone?: { silentS: number; limitMin: number; text: string };
}

/** One criterion: measured value vs limit. */
export interface Verdict {
  /** Stable id: load, server_gone, errors, unanswered, error_rate, p99.<group>, cpu, ram, crash, recovery, data_loss, memory_growth, degradation, capacity. */
  id: string;
  name: string;
  /** null: not measured. */
  measured: number | null;
  limit: number | null;
  unit: string;
  /** How measured compares with limit to pass. */
  op: '<' | '<=' | '==' | '>=';
  /** true/false when gated and measured; null: reported, not gated, or not measured. */
  pass: boolean | null;
  /** Whether the plan gates this test on it (a failed gated criterion fails the test). */
  gated: boolean;
  note?: string;
}

const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;
const SUITE = 'not measured in this run (the suite measures it: npm run suite)';

function judge(v: Omit<Verdict, 'pass' | 'gated'>, criteria: Criteria, test: string, notes: string[] = []): Verdict {
  const gated = gates(criteria, test, v.id);
  const ok = v.measured === null || v.limit === null ? null : v.op === '<' ? v.measured < v.limit : v.op === '<=' ? v.measured <= v.limit : v.op === '>=' ? v.measured >= v.limit : v.measured === v.limit;
  const all = [...notes, ...(v.note ? [v.note] : [])];
  if (!gated && ok !== null) all.push(`reported, not gated for ${test}`);
  const note = all.join('; ');
  return { ...v, pass: gated ? ok : null, gated, ...(note ? { note } : {}) };
}

/** The run's verdicts, one per criterion of its test type, in the order a person reads them. */
export function verdictsOf(test: string, criteria: Criteria, m: Measured): Verdict[] {
  const out: Verdict[] = [];
  const add = (v: Omit<Verdict, 'pass' | 'gated'>, notes?: string[]) => out.push(judge(v, criteria, test, notes));

  // First: whether the run loaded the server as its shape says; every test, always gated.
  if (m.load && m.load.targetPeak > 0) {
    const { targetPeak, activePeak } = m.load;
    const limit = Math.max(1, Math.floor(criteria.load.minPeakShare * targetPeak));
    const reached = activePeak >= limit;
    const note = `the load generator reached ${Math.round(activePeak)} of ${Math.round(targetPeak)} users${reached ? '' : `: the shape was not tested (a time scale too small for this machine, or a load generator short of CPU)`}`;
    out.push({ id: LOAD_VERDICT, name: "Users reached (the shape's peak)", measured: Math.round(activePeak), limit, unit: 'users', op: '>=', pass: reached, gated: true, note });
  }
  // A run stopped because its server was gone failed, whatever else it measured; always gated, like the load.
  const gone = m.serverGone;
  if (gone && Number.isFinite(gone.silentS) && Number.isFinite(gone.limitMin)) {
    out.push({ id: GONE_VERDICT, name: 'Time without any answer (the load nor GET /health)', measured: round(gone.silentS / 60, 2), limit: gone.limitMin, unit: 'min', op: '<', pass: false, gated: true, note: String(gone.text ?? '') });
  }

  if (test === 'smoke') {
    add({ id: 'errors', name: 'Errors (user-visible)', measured: m.errors, limit: 0, unit: '', op: '==' });
    add({ id: 'unanswered', name: 'Smoke endpoints that never answered', measured: m.unanswered.length, limit: 0, unit: '', op: '==', ...(m.unanswered.length ? { note: m.unanswered.map((e) => (m.unansweredWhy?.[e] ? `${e} (${m.unansweredWhy[e]})` : e)).join('; ') } : {}) });
  } else {
    const limit = (Object.hasOwn(criteria.maxErrorRate, test) ? criteria.maxErrorRate[test as TestType] : undefined) ?? null;
    const measured = m.requests > 0 ? round(m.errorRatePct) : null;
    add({ id: 'error_rate', name: 'Error rate', measured, limit, unit: '%', op: '<', ...(measured === null ? { note: 'no requests' } : limit === null ? { note: 'no limit set for this test' } : {}) });
  }

  for (const [group, ms] of Object.entries(criteria.slo)) {
    if (!Object.hasOwn(criteria.groups, group)) continue;
    const worst = Object.hasOwn(m.groupP99, group) ? m.groupP99[group] : undefined;
    add({ id: `p99.${group}`, name: `p99 latency, ${group}`, measured: worst ? worst.value : null, limit: ms, unit: 'ms', op: '<=', note: worst ? `worst: ${worst.endpoint}` : 'no requests in this group' });
  }

  // CPU and RAM: shown when measured, and when they gate this test but were not measured (never a silent pass).
  const sustained = `highest ${criteria.system.sustainedS} s mean`;
  const unmeasured = `${SUITE} with --system-metrics local or digitalocean`;
  if (m.cpu) add({ id: 'cpu', name: 'CPU (sustained)', measured: round(m.cpu.sustained, 1), limit: criteria.system.cpuPct, unit: '%', op: '<', note: sustained });
  else if (gates(criteria, test, 'cpu')) add({ id: 'cpu', name: 'CPU (sustained)', measured: null, limit: criteria.system.cpuPct, unit: '%', op: '<', note: unmeasured });
  if (m.memory) {
    if (m.memory.unit === '%') add({ id: 'ram', name: 'RAM (sustained)', measured: round(m.memory.sustained, 1), limit: criteria.system.ramPct, unit: '%', op: '<', note: sustained });
    else add({ id: 'ram', name: 'RAM (sustained)', measured: round(m.memory.sustained, 1), limit: null, unit: 'MB', op: '<', note: 'RSS in MB; the share needs the server memory size (aggregate.hmp.system.memTotalMb)' });
  } else if (gates(criteria, test, 'ram')) add({ id: 'ram', name: 'RAM (sustained)', measured: null, limit: criteria.system.ramPct, unit: '%', op: '<', note: unmeasured });

  if (test === 'stress') {
    add({ id: 'crash', name: 'Server kept answering (no crash)', measured: m.crash ? (m.crash.crashed ? 1 : 0) : null, limit: 0, unit: '', op: '==', note: m.crash ? m.crash.text : SUITE });
  }
  if (test === 'spike' || m.recovery) {
    const r = m.recovery;
    const seconds = !r ? null : r.status === 'recovered' ? r.seconds : r.status === 'not-recovered' ? Infinity : null;
    add({ id: 'recovery', name: test === 'spike' ? 'Recovery after the spike' : 'Recovery after the test', measured: seconds, limit: r ? r.limitS : null, unit: 's', op: '<=', note: r ? r.text : SUITE });
  }
  if (test === 'spike') {
    const d = m.dataLoss;
    // Nothing acknowledged: nothing to lose, and nothing shown kept either: not judged, never a pass.
    const judged = d !== undefined && d.acknowledged > 0;
    add({ id: 'data_loss', name: 'Acknowledged uploads lost', measured: judged ? d.lost : null, limit: 0, unit: '', op: '==', note: !d ? SUITE : judged ? d.text : `${d.text} Not judged: the spike acknowledged no upload` });
  }
  if (test === 'soak') {
    const d = m.drift;
    const memory = d?.memoryGrowthPct ?? null;
    add({ id: 'memory_growth', name: 'Memory growth (last vs first window)', measured: memory, limit: criteria.drift.memoryGrowthPct, unit: '%', op: '<=', note: d && memory !== null ? d.text : `${SUITE} with --system-metrics local or digitalocean` });
    add({ id: 'degradation', name: 'Latency degradation (last vs first window)', measured: d?.degradationPct ?? null, limit: criteria.drift.degradationPct, unit: '%', op: '<=', note: d ? d.text : SUITE });
  }
  if (test === 'breakpoint') {
    // The plan's peak, judged on the capacity within the SLOs (in req/s when the run's think time is not the journeys'): core/capacity-verdict.ts.
    add({ id: 'capacity', ...capacityVerdict(m.capacity, criteria.goals) });
  }
  return out;
}

export type Outcome = 'PASS' | 'FAIL' | 'REPORT' | 'NO DATA' | 'NOT TESTED';

/** The verdict on whether the run reached its shape's users (verdictsOf's first). */
export const LOAD_VERDICT = 'load';

/** The verdict of a run stopped because nothing answered (Measured.serverGone). */
export const GONE_VERDICT = 'server_gone';

/**
 * FAIL when a gated criterion failed (the server failed even below the
 * shape); NOT TESTED when only the load fell short; PASS when at least one
 * gated criterion was checked; else REPORT.
 */
export function outcomeOf(test: string, verdicts: Verdict[], measuredAnything: boolean): Outcome {
  if (!measuredAnything) return 'NO DATA';
  if (verdicts.some((v) => v.pass === false && v.id !== LOAD_VERDICT)) return 'FAIL';
  if (verdicts.some((v) => v.pass === false)) return 'NOT TESTED';
  if (test === 'breakpoint' || !verdicts.some((v) => v.pass === true && v.id !== LOAD_VERDICT)) return 'REPORT';
  return 'PASS';
}

/** "912ms", "3%", "10 users": a word unit gets a space. */
const withUnit = (x: number | null, unit: string) => `${x}${/^[a-z]{2,}/i.test(unit) && unit !== 'ms' ? ` ${unit}` : unit}`;
const fmtNumber = (v: Verdict, x: number | null) => (x === null ? 'not measured' : x === Infinity ? `> ${withUnit(v.limit, v.unit)}` : withUnit(x, v.unit));

/** "FAIL p99 latency, list: 912ms (limit <= 700ms)", "report CPU (sustained): 75% (limit < 70%)". */
export function formatVerdict(v: Verdict): string {
  const word = v.pass === true ? 'PASS' : v.pass === false ? 'FAIL' : v.measured === null ? 'n/a ' : 'info';
  const limit = v.limit === null ? '' : ` (limit ${v.op} ${withUnit(v.limit, v.unit)})`;
  return `${word} ${v.name}: ${fmtNumber(v, v.measured)}${limit}`;
}

/**
 * The criteria a results file recorded (aggregate.hmp.criteria) over
 * `fallback`: a results file stands on its own, and one written before every
 * threshold was recorded (slo, groups, this test's maxErrorRate as a number,
 * smokeEndpoints only) keeps what it has and takes the rest from `fallback`.
 */
export function criteriaOfRecord(recorded: unknown, test: string, fallback: Criteria): Criteria {
  if (!isObject(recorded)) return fallback;
  const nums = (o: unknown) => Object.fromEntries(Object.entries(isObject(o) ? o : {}).filter(([, v]) => typeof v === 'number' && Number.isFinite(v))) as Record<string, number>;
  const lists = (o: unknown) =>
    Object.fromEntries(Object.entries(isObject(o) ? o : {}).filter(([, v]) => Array.isArray(v)).map(([k, v]) => [k, (v as unknown[]).filter((x): x is string => typeof x === 'string')]));
  // What the run was judged on is the record's own: an SLO, group or smoke endpoint it does not list was not part of it.
  const out: Criteria = { ...fallback, slo: nums(recorded.slo), groups: lists(recorded.groups), smokeEndpoints: [] };
  if (typeof recorded.maxErrorRate === 'number') out.maxErrorRate = { ...fallback.maxErrorRate, [test]: recorded.maxErrorRate };
  else if (isObject(recorded.maxErrorRate)) out.maxErrorRate = nums(recorded.maxErrorRate);
  else if ('maxErrorRate' in recorded) out.maxErrorRate = { ...fallback.maxErrorRate, [test]: undefined };
  if (Array.isArray(recorded.smokeEndpoints)) out.smokeEndpoints = recorded.smokeEndpoints.filter((x): x is string => typeof x === 'string');
  if (isObject(recorded.gates)) {
    try {
      return { ...criteriaFrom({ ...fallback, ...recorded }), slo: out.slo, groups: out.groups, maxErrorRate: out.maxErrorRate, smokeEndpoints: out.smokeEndpoints };
    } catch {
      return out;
    }
  }
  return out;
}
