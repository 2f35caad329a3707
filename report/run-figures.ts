// A run's figures for all requests and per endpoint, read from its summary
// (pure): what `npm run compare` shows and what the regression rule
// (plugins/artillery-plugin-hmp/core/regression.ts) judges. Compare
// summarizes the results, the runs index reads summary.json: the same
// numbers either way, so the two cannot judge one pair of runs differently.
import type { RowFigures } from '../plugins/artillery-plugin-hmp/core/regression.ts';
import type { Summary } from './types.ts';

export interface Figures extends RowFigures {
  errors: number;
  reqPerS: number;
  p50: number | null;
  p95: number | null;
}

export interface RunFigures {
  durationS: number;
  total: Figures;
  endpoints: Record<string, Figures>;
}

/** A summary as read from a file: any field may be missing or of the wrong type. */
export type SummaryIn = { run?: Partial<Summary['run']>; totals?: Partial<Summary['totals']>; endpoints?: unknown };

const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);

function figures(answers: unknown, errors: unknown, errorRatePct: unknown, reqPerS: unknown, p: { p50?: unknown; p95?: unknown; p99?: unknown }): Figures {
  return { answers: num(answers) ?? 0, errors: num(errors) ?? 0, errorRatePct: num(errorRatePct) ?? 0, reqPerS: num(reqPerS) ?? 0, p50: num(p.p50), p95: num(p.p95), p99: num(p.p99) };
}

/** The figures of a summary; endpoints named but never tried (a group's, listed for the SLO table) are left out. */
export function runFiguresOf(s: SummaryIn): RunFigures {
  const t = s.totals ?? {};
  const endpoints: Record<string, Figures> = {};
  const rows = Array.isArray(s.endpoints) ? (s.endpoints as Array<Partial<Summary['endpoints'][number]> | null>) : [];
  for (const r of rows) {
    if (!r || typeof r.name !== 'string') continue;
    const f = figures(r.responses, r.errors, r.errorPct, r.reqPerS, r);
    if (f.answers === 0 && f.errors === 0 && f.p99 === null && !num(r.requests)) continue;
    endpoints[r.name] = f;
  }
  return { durationS: num(s.run?.durationS) ?? 0, total: figures(t.responses, t.errors, t.errorRatePct, t.reqPerS, t), endpoints };
}
