// summary.md's breakpoint part (pure): both capacities, in users and req/s,
// what the plan's goals need, the failure mode, and the level table with the
// SLOs each hold missed. Untrusted text goes through escapeMarkdown (`m`).
import { escapeMarkdown as m } from './escape.ts';
import { fmtInt, fmtNum } from './format.ts';
import type { BreakpointSummary } from './types.ts';

export function breakpointMarkdown(b: BreakpointSummary | null): string[] {
  if (!b) return [];
  const out: string[] = [];
  const failed = b.failingUsers !== null ? `; failed at ${fmtInt(b.failingUsers)} users` : '';
  const mode = b.failureMode ? ` Failure mode: ${m(b.failureMode)}` : '';
  if (b.maxUsersWithinSlos === null) {
    // Results written before the capacity within the SLOs.
    out.push(`**Breakpoint:** max sustainable **${fmtInt(b.maxSustainableUsers)} users**${failed}.${mode}`, '');
  } else {
    const rate = (x: number | null) => (x === null ? '' : ` (${fmtNum(x)} req/s)`);
    out.push(
      `**Breakpoint:** max users within the SLOs **${fmtInt(b.maxUsersWithinSlos)}**${rate(b.withinSlosReqPerS)}${b.firstMiss ? `: ${m(b.firstMiss)}` : ''}; max users before failure **${fmtInt(b.maxSustainableUsers)}**${rate(b.beforeFailureReqPerS)}${failed}.${mode}`,
      '',
    );
    if (b.rateText) out.push(`${m(b.rateText)}.`, '');
  }
  if (b.levels.length) {
    out.push('| users | status | req/s | error % | p50 ms | p95 ms | p99 ms | SLOs |', '|---:|---|---:|---:|---:|---:|---:|---|');
    const slos = (l: BreakpointSummary['levels'][number]) => (l.withinSlos === null ? '-' : l.withinSlos ? 'within' : `missed ${m(l.missedSlos.join(', '))}`);
    for (const l of b.levels) out.push(`| ${fmtInt(l.users)} | ${m(l.status)} | ${fmtNum(l.reqPerS)} | ${fmtNum(l.errorPct)} | ${fmtNum(l.p50)} | ${fmtNum(l.p95)} | ${fmtNum(l.p99)} | ${slos(l)} |`);
    out.push('');
  }
  return out;
}
