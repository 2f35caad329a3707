// The plan's pass/fail criteria, each as measured value vs limit (pure).
// Same rules as the plugin's ensure gates (plugins/artillery-plugin-hmp/
// gates.ts): smoke needs 0 errors and every smoke endpoint answered; other
// tests an error rate below their limit; every group's p99 within its SLO;
// breakpoint reports and does not gate. CPU < 70% and RAM < 80% (plan,
// section 1: sustained, under average load) are gated where measured for the
// average, stress and soak tests, and reported for the others.
import type { Outcome, SystemFigure, Verdict } from './types.ts';

export const CPU_LIMIT_PCT = 70;
export const RAM_LIMIT_PCT = 80;
export const SYSTEM_GATED_TESTS = ['average', 'stress', 'soak'];

export interface VerdictInput {
  test: string;
  slo: Record<string, number>;
  groups: Record<string, string[]>;
  maxErrorRate: number | undefined;
  requests: number;
  errors: number;
  errorRatePct: number;
  /** group -> worst endpoint p99 (undefined: no requests in the group) */
  groupP99: Record<string, { value: number; endpoint: string } | undefined>;
  /** Smoke endpoints that never answered (smoke only). */
  unanswered: string[];
  cpu: SystemFigure | null;
  memory: SystemFigure | null;
}

const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

export function verdictsOf(v: VerdictInput): Verdict[] {
  const gated = v.test !== 'breakpoint';
  const notGated = 'breakpoint: reported, not gated';
  const out: Verdict[] = [];

  if (v.test === 'smoke') {
    out.push({ id: 'errors', name: 'Errors (user-visible)', measured: v.errors, limit: 0, unit: '', op: '==', pass: v.errors === 0 });
    out.push({
      id: 'unanswered',
      name: 'Smoke endpoints that never answered',
      measured: v.unanswered.length,
      limit: 0,
      unit: '',
      op: '==',
      pass: v.unanswered.length === 0,
      ...(v.unanswered.length ? { note: v.unanswered.join(', ') } : {}),
    });
  } else {
    const limit = v.maxErrorRate ?? null;
    const measured = v.requests > 0 ? round(v.errorRatePct) : null;
    out.push({
      id: 'error_rate',
      name: 'Error rate',
      measured,
      limit,
      unit: '%',
      op: '<',
      pass: !gated || limit === null || measured === null ? null : measured < limit,
      ...(measured === null ? { note: 'no requests' } : !gated ? { note: notGated } : limit === null ? { note: 'no limit set for this test' } : {}),
    });
  }

  for (const [group, ms] of Object.entries(v.slo)) {
    if (!v.groups[group]) continue;
    const worst = v.groupP99[group];
    const measured = worst ? worst.value : null;
    const notes = [worst ? `worst: ${worst.endpoint}` : 'no requests in this group', ...(gated ? [] : [notGated])];
    out.push({
      id: `p99.${group}`,
      name: `p99 latency, ${group}`,
      measured,
      limit: ms,
      unit: 'ms',
      op: '<=',
      pass: gated && measured !== null ? measured <= ms : null,
      note: notes.join('; '),
    });
  }

  const systemGated = SYSTEM_GATED_TESTS.includes(v.test);
  const systemNote = systemGated ? 'highest 1-minute mean' : `highest 1-minute mean; reported, not gated for ${v.test}`;
  if (v.cpu) {
    const measured = round(v.cpu.sustained, 1);
    out.push({ id: 'cpu', name: 'CPU (sustained)', measured, limit: CPU_LIMIT_PCT, unit: '%', op: '<', pass: systemGated ? measured < CPU_LIMIT_PCT : null, note: systemNote });
  }
  if (v.memory) {
    const measured = round(v.memory.sustained, 1);
    if (v.memory.unit === '%') {
      out.push({ id: 'ram', name: 'RAM (sustained)', measured, limit: RAM_LIMIT_PCT, unit: '%', op: '<', pass: systemGated ? measured < RAM_LIMIT_PCT : null, note: systemNote });
    } else {
      out.push({
        id: 'ram',
        name: 'RAM (sustained)',
        measured,
        limit: null,
        unit: 'MB',
        op: '<',
        pass: null,
        note: 'RSS in MB; the share needs the server memory size (hmp.system.memTotalMb)',
      });
    }
  }
  return out;
}

export function outcomeOf(test: string, verdicts: Verdict[], measuredAnything: boolean): Outcome {
  if (!measuredAnything) return 'NO DATA';
  if (verdicts.some((v) => v.pass === false)) return 'FAIL';
  if (test === 'breakpoint' || !verdicts.some((v) => v.pass === true)) return 'REPORT';
  return 'PASS';
}
