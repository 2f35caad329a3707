// periods.csv: the run one row per period (Artillery's 10 s), for a
// spreadsheet or a pipeline's chart (pure). The figures are the report's
// series (series.ts: what report.html draws) beside the period's counts;
// a cell is empty where nothing was measured.
import { counter, counters, periodsOf, stat } from '../plugins/artillery-plugin-hmp/core/results.ts';
import { ARTILLERY, endpointCounters } from '../plugins/artillery-plugin-hmp/core/metric-names.ts';
import { round } from '../plugins/artillery-plugin-hmp/core/stats.ts';
import { totalErrors, totalTimeouts } from './metrics.ts';
import { analyze } from './summarize.ts';
import type { Results } from './types.ts';

export const CSV_FILE = 'periods.csv';

type Cell = string | number | null | undefined;

/**
 * RFC 4180 quoting; a text cell that a spreadsheet would run as a formula
 * (= + - @ first) gets a leading apostrophe. Numbers are written as they are.
 */
export function csvCell(x: Cell): string {
  if (x === null || x === undefined || (typeof x === 'number' && !Number.isFinite(x))) return '';
  if (typeof x === 'number') return String(x);
  const s = /^[=+\-@\t\r]/.test(x) ? `'${x}` : x;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const row = (cells: Cell[]) => cells.map(csvCell).join(',');

/**
 * Columns: the period's start (seconds from the first period's, and UTC),
 * target and active users (means over the period), requests, responses,
 * user-visible errors and timeouts, their rates, p50/p95/p99 of all requests,
 * each endpoint group's p50/p95/p99 (its worst endpoint's, as the SLOs
 * count), and the server's CPU and memory when they were sampled.
 */
export function periodsCsv(results: Results): string {
  const { series, system, t0 } = analyze(results);
  const periods = periodsOf(results);
  const groups = Object.keys(series.groups);
  const memory = system.memoryUnit === 'MB' ? 'memory_mb' : 'memory_pct';
  const header = ['start_s', 'start_utc', 'users_target_mean', 'users_active_mean', 'requests', 'responses', 'errors', 'timeouts', 'req_per_s', 'resp_per_s', 'error_pct', 'timeout_pct', 'p50_ms', 'p95_ms', 'p99_ms'];
  for (const g of groups) header.push(`${g}_p50_ms`, `${g}_p95_ms`, `${g}_p99_ms`);
  header.push('cpu_pct', memory);
  const lines = [row(header)];
  periods.forEach((p, i) => {
    const c = endpointCounters(counters(p));
    const latency = (q: 'p50' | 'p95' | 'p99') => stat(p, ARTILLERY.responseTime, q) ?? (q === 'p50' ? stat(p, ARTILLERY.responseTime, 'median') : undefined);
    const cells: Cell[] = [
      round((p.at - t0) / 1000, 1),
      new Date(p.at).toISOString(),
      series.target[i],
      series.active[i],
      counter(p, ARTILLERY.requests),
      counter(p, ARTILLERY.responses),
      totalErrors(c),
      totalTimeouts(c),
      series.reqPerS[i],
      series.respPerS[i],
      series.errorPct[i],
      series.timeoutPct[i],
      latency('p50'),
      latency('p95'),
      latency('p99'),
    ];
    for (const g of groups) cells.push(series.groups[g]!.p50[i], series.groups[g]!.p95[i], series.groups[g]!.p99[i]);
    cells.push(system.cpu[i], system.memory[i]);
    lines.push(row(cells));
  });
  return `${lines.join('\n')}\n`;
}
