// A comparison as markdown (pure): the verdict, the budget (the one rule's
// words, core/regression.ts), one row per endpoint.
import type { Change, Comparison, Figures } from './compare.ts';
import { budgetText } from '../plugins/artillery-plugin-hmp/core/regression.ts';

/** Text from a results file (endpoint names) must not break the table. */
function cell(s: string): string {
  return s.replace(/[|\\`*<>[\]]/g, (c) => `\\${c}`).replace(/\s+/g, ' ');
}

const ms = (x: number | null | undefined) => (x === null || x === undefined ? '-' : `${x}`);
const pct = (x: number | null) => (x === null ? '-' : `${x > 0 ? '+' : ''}${x}%`);
const pts = (x: number | null) => (x === null ? '-' : `${x > 0 ? '+' : ''}${x}`);

function pair(label: (f: Figures) => string, c: Change): string {
  return `${c.base ? label(c.base) : '-'} → ${c.next ? label(c.next) : '-'}`;
}

function row(c: Change, strong = false): string {
  const name = strong ? `**${cell(c.name)}**` : cell(c.name);
  const verdict = c.regressions.length ? `REGRESSION: ${cell(c.regressions.join('; '))}` : c.skipped ? `not judged (${cell(c.skipped)})` : 'ok';
  return `| ${[
    name,
    ...(['p50', 'p95', 'p99'] as const).map((p) => pair((f) => ms(f[p]), c) + ` (${pct(c[`${p}Pct`])})`),
    pair((f) => `${f.errorRatePct}%`, c) + ` (${pts(c.errorRateDelta)})`,
    pair((f) => `${f.reqPerS}`, c) + ` (${pct(c.reqPerSPct)})`,
    verdict,
  ].join(' | ')} |`;
}

export function renderComparison(c: Comparison, labels: { base: string; next: string }): string {
  const regressions = [c.total, ...c.endpoints].filter((e) => e.regressions.length > 0);
  const lines = [
    `# Comparison: ${cell(labels.next)} vs ${cell(labels.base)}`,
    '',
    regressions.length
      ? `**REGRESSION** in ${regressions.length} row(s): ${regressions.map((r) => cell(r.name)).join(', ')}.`
      : '**No regression** beyond the budget.',
    '',
    `Budget (the runs index judges by the same): ${budgetText(c.budget)}. p50, p95 and req/s are shown, not judged.`,
    `Duration: ${c.base.durationS} s → ${c.next.durationS} s. Latencies in ms (baseline → new, change).`,
    '',
    '| endpoint | p50 | p95 | p99 | error rate | req/s | verdict |',
    '|---|---|---|---|---|---|---|',
    row(c.total, true),
    ...c.endpoints.map((e) => row(e)),
    '',
  ];
  return lines.join('\n');
}
