// summary.md: the verdict and key figures for a pull-request comment or a
// chat message (pure). Untrusted text goes through escapeMarkdown (`m`).
import { escapeMarkdown as m, markdownName as code } from './escape.ts';
import { fmtCodes, fmtDuration, fmtPct, fmtInt, fmtLimit, fmtNum, fmtResult, fmtUtc, fmtValue } from './format.ts';
import type { Summary } from './types.ts';
import { failuresMarkdown } from './failures.ts';
import { breakpointMarkdown } from './breakpoint-markdown.ts';
import { serverLogMarkdown } from './server-log.ts';
import { diagnosisMarkdown } from './diagnosis.ts';

const MAX_ERROR_ROWS = 8;
const MARK: Record<string, string> = { PASS: '✅', FAIL: '❌', reported: 'ℹ️' };

export function renderMarkdown(s: Summary): string {
  const r = s.run;
  const out: string[] = [];
  const icon = s.outcome === 'PASS' ? '✅' : s.outcome === 'FAIL' || s.outcome === 'NOT TESTED' ? '❌' : 'ℹ️';
  out.push(`### ${icon} HMP ${m(s.test)} test: ${s.outcome}`, '', m(s.headline), '');
  const meta = [
    r.target ? `target ${code(r.target)}` : 'target not recorded',
    fmtUtc(r.startedAt),
    fmtDuration(r.durationS),
    `time scale ${fmtNum(r.timeScale, 4)}`,
    r.jitterSeed !== null ? `jitter seed ${r.jitterSeed}` : '',
    `hmp-load ${m(s.tool.version ?? '?')}${s.tool.commit ? ` (${m(s.tool.commit)})` : ''}`,
    r.earlyStop ? '**stopped early**' : '',
  ].filter(Boolean);
  out.push(meta.join(' · '), '');
  if (r.loadPerUser && Math.abs(Math.log(r.loadPerUser.factor)) > Math.log(1.5)) out.push(`**Load per user:** ${m(r.loadPerUser.text)}.`, '');
  if (s.verdicts.length) {
    out.push('| Criterion | Measured | Limit | Result |', '|---|---:|---:|---|');
    for (const v of s.verdicts) {
      const res = fmtResult(v.pass);
      // measured and limit are numbers we format: only the name can carry text from the results
      out.push(`| ${m(v.name)} | ${fmtValue(v.measured, v.unit)} | ${fmtLimit(v)} | ${MARK[res]} ${res} |`);
    }
    out.push('');
  }
  const t = s.totals;
  out.push(
    `**Key figures:** ${fmtInt(t.requests)} requests · ${fmtNum(t.reqPerS, 2)} req/s · ${fmtInt(t.errors)} errors (${fmtPct(t.errorRatePct)}) · ${fmtInt(t.timeouts)} timeouts · p95 ${fmtNum(t.p95)} ms · p99 ${fmtNum(t.p99)} ms · peak users ${fmtNum(s.users.targetPeak, 0)} target / ${fmtNum(s.users.activePeak, 0)} active (most ${fmtNum(s.users.maxDeviation, 0)} off target, ${fmtInt(s.users.lost)} lost) · sessions ended by an error ${fmtInt(s.users.sessionsFailed)} of ${fmtInt(s.users.sessionsFailed + s.users.sessionsCompleted)}`,
    '',
  );
  out.push(...breakpointMarkdown(s.breakpoint));
  if (s.spike) out.push(`**Spike recovery:** ${m(s.spike.text)}`, '');
  if (s.soak) {
    const k = s.soak;
    const pct = (x: number | null) => (x === null ? 'n/a' : `${x > 0 ? '+' : ''}${fmtNum(x)}%`);
    out.push(`**Soak drift** (first vs last ${fmtDuration(k.windowS)} of the hold): p95 ${pct(k.change.p95)}, req/s ${pct(k.change.reqPerS)}, memory ${pct(k.change.memory)}. ${k.flags.length ? `Flags: ${k.flags.map(m).join('; ')}.` : 'No drift flagged.'}`, '');
  }
  out.push(...diagnosisMarkdown(s.diagnosis));
  out.push(...failuresMarkdown(s.failures));
  out.push(...serverLogMarkdown(s.serverLog));
  if (s.errors.length) {
    out.push(`**Errors** (top ${Math.min(MAX_ERROR_ROWS, s.errors.length)} of ${s.errors.length}):`, '', '| endpoint | status | reason | count |', '|---|---:|---|---:|');
    for (const e of s.errors.slice(0, MAX_ERROR_ROWS)) {
      out.push(`| ${code(e.endpoint)} | ${e.status ?? (e.noAnswer ? 'no answer' : '-')} | ${code(e.reason)} | ${fmtInt(e.count)} |`);
    }
    out.push('');
  }
  const worst = [...s.endpoints].filter((e) => e.p99 !== null).sort((a, b) => (b.p99 ?? 0) - (a.p99 ?? 0)).slice(0, 5);
  if (worst.length) out.push(`**Slowest endpoints (p99):** ${worst.map((e) => `${code(e.name)} ${fmtNum(e.p99)} ms`).join(' · ')}`, '');
  out.push(`Status codes: ${m(fmtCodes(t.codes))}. Full report: \`report.html\` (charts, every endpoint and error).`, '');
  return out.join('\n');
}
