// diagnose(results): the incidents of a run with their causes, and the
// findings of the run as a whole (pure). Written once; report/ records it in
// summary.json (and draws it), the suite's flags and recommendations read it
// from there, and the console says its lines.
import { criteriaOfRun } from '../lib/plan-criteria.ts';
import { hmpSection, num, periodsOf, type Results } from '../plugins/artillery-plugin-hmp/core/results.ts';
import { LOAD_VERDICT, type Verdict } from '../plugins/artillery-plugin-hmp/core/criteria.ts';
import { causeOf, type RunContext } from './causes.ts';
import { incidentsOf } from './incidents.ts';
import type { Diagnosis, Finding } from './types.ts';

export interface DiagnoseOptions {
  /** The run's verdicts (the report's summary): which SLO groups failed, whether the load was reached. */
  verdicts: Verdict[];
}

function findingsOf(results: Results, verdicts: Verdict[]): Finding[] {
  const out: Finding[] = [];
  const checks = hmpSection(results).checks as { recovery?: { status?: string; text?: string }; crash?: { text?: string } } | undefined;
  const test = hmpSection(results).test;
  // The probe after the load, or the health check right after it (stress), saw no normal answer.
  const healthAfter = /GET \/health after the test: ([^;]+)/.exec(checks?.crash?.text ?? '')?.[1];
  // A server slower than its baseline has recovered; one that answers nothing, or errors, has not.
  const dead = checks?.recovery?.status === 'not-recovered' && /no answers|errors/.test(checks.recovery.text ?? '');
  if (dead || healthAfter) {
    const why = [dead ? checks!.recovery!.text : undefined, healthAfter ? `GET /health after the test: ${healthAfter}` : undefined].filter(Boolean).join('; ');
    out.push({ id: 'not-recovered', text: `The server did not recover after the ${test === 'spike' ? 'spike' : 'load'}: ${why}.`.replace(/\.\.$/, '.') });
  }
  const load = verdicts.find((v) => v.id === LOAD_VERDICT);
  if (load?.pass === false) out.push({ id: 'generator-short', text: `The load generator fell short of the shape (${load.note}): the server was not tested at this load.` });
  return out;
}

export function diagnose(results: Results, o: DiagnoseOptions): Diagnosis {
  const h = hmpSection(results);
  const criteria = criteriaOfRun(h);
  const periods = periodsOf(results);
  const t0 = num(h.startedAt) ?? periods[0]?.at ?? 0;
  const slowGroups = o.verdicts.filter((v) => v.id.startsWith('p99.') && v.pass === false).map((v) => v.id.slice(4));
  const sources = { serverLog: h.serverLog !== undefined && !(h.serverLog as { problem?: string; lines?: number }).problem, system: periods.some((p) => p.summaries && Object.keys(p.summaries).some((k) => k.startsWith('plugins.hmp.system.cpu'))) };
  const ctx: RunContext = { h, criteria, sources };
  const incidents = incidentsOf({ results, criteria, slowGroups, t0 }).map((raw, i) => ({ n: i + 1, ...raw, cause: causeOf(raw, ctx) }));
  const failedTotal = (h.requestTimeline?.failed ?? []).reduce((a, b) => a + b, 0);
  const inside = incidents.reduce((a, i) => a + i.client.failed, 0);
  return { t0, incidents, findings: findingsOf(results, o.verdicts), failedOutside: Math.max(0, failedTotal - inside), failedTotal, sources };
}
