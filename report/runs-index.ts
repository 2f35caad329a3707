// The runs index (pure): every test run and suite run found in a reports
// folder, newest first, and per test type and target the trend of its key
// numbers over the runs. The latest run against the one before is judged by
// the one regression rule (core/regression.ts), on the figures npm run
// compare judges (report/run-figures.ts), so both name the same regressions.
import { assets } from './assets.ts';
import { COLORS, type ChartSpec } from './charts.ts';
import { escapeHtml as e, jsonForScript } from './escape.ts';
import { pageHead } from './html.ts';
import type { Summary } from './types.ts';
import { planCriteria } from '../lib/plan-criteria.ts';
import { budgetText, judgeRuns, p99Allowed, regressionWords } from '../plugins/artillery-plugin-hmp/core/regression.ts';
import { runFiguresOf, type RunFigures, type SummaryIn } from './run-figures.ts';

/** One run as the index shows it: from its summary.json (a test) or suite-summary.json (a suite). */
export interface IndexedRun {
  kind: 'test' | 'suite';
  /** The report to open, relative to the index. */
  href: string;
  test: string;
  target: string | null;
  startedAt: string | null;
  toolVersion: string | null;
  outcome: string;
  headline: string;
  requests: number | null;
  errorRatePct: number | null;
  reqPerS: number | null;
  p95: number | null;
  p99: number | null;
  maxSustainableUsers: number | null;
  /** What the regression rule judges, per endpoint and for all requests (null: a suite). */
  figures: RunFigures | null;
}

/** The budget a trend is judged on: the compare command's (phases/common.yml, `regression`). */
const TREND_BUDGET = planCriteria().regression;

/** Regressions named per trend; the rest are counted (compare's table lists every row), so the page stays short. */
const NAMED = 3;

const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);
const str = (x: unknown): string | null => (typeof x === 'string' && x !== '' ? x : null);

/** A test run's row from its summary.json. */
export function testRun(href: string, s: Summary): IndexedRun {
  return {
    kind: 'test',
    href,
    test: s.test,
    target: str(s.run?.target),
    startedAt: str(s.run?.startedAt),
    toolVersion: str(s.tool?.version),
    outcome: s.outcome,
    headline: s.headline,
    requests: num(s.totals?.requests),
    errorRatePct: num(s.totals?.errorRatePct),
    reqPerS: num(s.totals?.reqPerS),
    p95: num(s.totals?.p95),
    p99: num(s.totals?.p99),
    maxSustainableUsers: num(s.breakpoint?.maxSustainableUsers),
    figures: runFiguresOf(s as SummaryIn),
  };
}

/** A suite run's row from its suite-summary.json. */
export function suiteRun(href: string, s: { outcome?: unknown; headline?: unknown; run?: { target?: unknown; startedAt?: unknown }; tool?: { version?: unknown } }): IndexedRun {
  return {
    kind: 'suite',
    href,
    test: 'suite',
    target: str(s.run?.target),
    startedAt: str(s.run?.startedAt),
    toolVersion: str(s.tool?.version),
    outcome: str(s.outcome) ?? '?',
    headline: str(s.headline) ?? '',
    requests: null,
    errorRatePct: null,
    reqPerS: null,
    p95: null,
    p99: null,
    maxSustainableUsers: null,
    figures: null,
  };
}

export interface Trend {
  test: string;
  target: string | null;
  /** Oldest first: the points of the trend. */
  runs: IndexedRun[];
  /** The latest run against the one before, in words, where it breaks the budget (the rule npm run compare judges by). */
  regressions: string[];
  /** What changed that the budget does not judge (a breakpoint's capacity), in words. */
  changes: string[];
}

/** Per test type and target (suites apart), the runs oldest first and the latest one's regressions. */
export function trendsOf(runs: IndexedRun[]): Trend[] {
  const groups = new Map<string, IndexedRun[]>();
  for (const r of runs.filter((x) => x.kind === 'test')) {
    const key = `${r.test}\u0000${r.target ?? ''}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()].map((list) => {
    const sorted = [...list].sort((a, b) => String(a.startedAt).localeCompare(String(b.startedAt)));
    const [prev, last] = sorted.slice(-2);
    const words = prev?.figures && last?.figures ? regressionWords(judgeRuns(prev.figures, last.figures, TREND_BUDGET)) : [];
    const regressions = words.length > NAMED ? [...words.slice(0, NAMED), `${words.length - NAMED} more (npm run compare lists every row)`] : words;
    const changes: string[] = [];
    if (prev && last && prev.maxSustainableUsers !== null && last.maxSustainableUsers !== null && last.maxSustainableUsers !== prev.maxSustainableUsers) {
      changes.push(`max sustainable users ${prev.maxSustainableUsers} → ${last.maxSustainableUsers}`);
    }
    return { test: sorted[0]!.test, target: sorted[0]!.target, runs: sorted, regressions, changes };
  });
}

const CSS = `
body{font:15px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#111827;margin:0 auto;max-width:1200px;padding:24px}
h1{font-size:24px;margin:0 0 8px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #e5e7eb}h3{font-size:16px;margin:16px 0 4px}
table{border-collapse:collapse;width:100%;margin:8px 0}th,td{border-bottom:1px solid #e5e7eb;padding:5px 8px;text-align:left}
th{font-size:13px;color:#4b5563}td.n{text-align:right;font-variant-numeric:tabular-nums}
.PASS,.PASSED{color:#166534;font-weight:700}.FAIL,.FAILED,.NOT-TESTED,.ABORTED{color:#b91c1c;font-weight:700}.FLAGGED{color:#b45309;font-weight:700}
`;

const cell = (x: number | null, unit = '') => (x === null ? '-' : `${Math.round(x * 100) / 100}${unit}`);

const CHART_CSS = `.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(360px,1fr));gap:12px}.chart h4{margin:4px 0;font-size:14px}`;

/**
 * A trend's charts, drawn by the report page's script: one point per run,
 * the budget the latest run is judged on (the run before it, plus the budget) as a dashed line.
 */
export function trendCharts(t: Trend, i: number): ChartSpec[] {
  const x = t.runs.map((_, k) => k);
  const xLabels = t.runs.map((r, k) => `#${k + 1} ${(r.startedAt ?? '?').slice(5, 16).replace('T', ' ')}`);
  const prev = t.runs.length >= 2 ? t.runs[t.runs.length - 2]! : undefined;
  const values = (f: (r: IndexedRun) => number | null) => t.runs.map(f);
  const budget = (label: string, v: number | null | undefined) => (v === null || v === undefined ? [] : [{ label, color: COLORS.red, constant: v, dash: [6, 4], width: 1 }]);
  const spec = (id: string, title: string, unit: string, lines: ChartSpec['lines']): ChartSpec => ({ id: `trend-${i}-${id}`, title, unit, lines, markers: [], x, xLabels, xName: 'run' });
  const charts = [
    spec('latency', 'p95 / p99 per run', 'ms', [
      { label: 'p95', color: COLORS.blue, values: values((r) => r.p95) },
      { label: 'p99', color: COLORS.orange, values: values((r) => r.p99) },
      ...budget(`p99 budget (+${TREND_BUDGET.p99Pct}% of the run before, at least +${TREND_BUDGET.minDeltaMs} ms)`, prev?.p99 === null || prev?.p99 === undefined ? undefined : p99Allowed(prev.p99, TREND_BUDGET)),
    ]),
    spec('errors', 'Error rate per run', '%', [
      { label: 'error rate', color: COLORS.red, values: values((r) => r.errorRatePct) },
      ...budget(`budget (+${TREND_BUDGET.errorRatePoints} point of the run before)`, prev?.errorRatePct === null || prev?.errorRatePct === undefined ? undefined : prev.errorRatePct + TREND_BUDGET.errorRatePoints),
    ]),
    spec('rate', 'Throughput per run', 'req/s', [{ label: 'req/s', color: COLORS.green, values: values((r) => r.reqPerS) }]),
  ];
  if (t.test === 'breakpoint') charts.push(spec('capacity', 'Max sustainable users per run', 'users', [{ label: 'max sustainable', color: COLORS.purple, values: values((r) => r.maxSustainableUsers) }]));
  return charts.filter((c) => c.lines.some((l) => l.values?.some((v) => v !== null)));
}

/** reports/index.html: one self-contained page (the report page's chart script, no request). */
export function renderRunsIndex(runs: IndexedRun[], now = new Date()): string {
  const newest = [...runs].sort((a, b) => String(b.startedAt).localeCompare(String(a.startedAt)));
  const rows = newest.map((r) => `<tr><td>${e(r.startedAt ?? '?')}</td><td>${e(r.test)}</td><td>${e(r.target ?? '?')}</td><td class="${e(r.outcome.replaceAll(' ', '-'))}">${e(r.outcome)}</td><td class="n">${cell(r.requests)}</td><td class="n">${cell(r.errorRatePct, '%')}</td><td class="n">${cell(r.reqPerS)}</td><td class="n">${cell(r.p95, ' ms')}</td><td class="n">${cell(r.p99, ' ms')}</td><td>${e(r.toolVersion ?? '-')}</td><td><a href="${e(encodeURI(r.href))}">report</a></td></tr>`);
  const allCharts: ChartSpec[] = [];
  const trends = trendsOf(runs).map((t, i) => {
    const charts = trendCharts(t, i);
    allCharts.push(...charts);
    const drawn = charts.length ? `<div class="charts">${charts.map((c) => `<div class="chart"><h4>${e(c.title)}</h4><div class="plot" id="chart-${e(c.id)}"></div></div>`).join('')}</div>` : '';
    const points = t.runs.map((r) => `<tr><td>${e(r.startedAt ?? '?')}</td><td class="n">${cell(r.p95, ' ms')}</td><td class="n">${cell(r.p99, ' ms')}</td><td class="n">${cell(r.errorRatePct, '%')}</td><td class="n">${cell(r.reqPerS)}</td>${t.test === 'breakpoint' ? `<td class="n">${cell(r.maxSustainableUsers)}</td>` : ''}</tr>`);
    const verdict = t.regressions.length ? `<p class="FAIL">Regression in the latest run: ${e(t.regressions.join('; '))}.</p>` : t.runs.length > 1 ? '<p>No regression in the latest run.</p>' : '<p>One run: nothing to compare yet.</p>';
    const changed = t.changes.length ? `<p>Changed in the latest run (not judged): ${e(t.changes.join('; '))}.</p>` : '';
    const words = `${verdict}${changed}`;
    return `<h3>${e(t.test)} on ${e(t.target ?? '?')}</h3>${words}${drawn}<table><thead><tr><th>started</th><th>p95</th><th>p99</th><th>errors</th><th>req/s</th>${t.test === 'breakpoint' ? '<th>max users</th>' : ''}</tr></thead><tbody>${points.join('')}</tbody></table>`;
  });
  const { uplotJs, uplotCss, pageJs } = assets();
  const scripts = allCharts.length ? [uplotJs, pageJs] : [];
  return `${pageHead('HMP load-test runs', allCharts.length ? `${uplotCss}\n${CSS}\n${CHART_CSS}` : CSS, scripts)}
<body><main>
<h1>HMP load-test runs</h1>
<p>${runs.length} run${runs.length === 1 ? '' : 's'} in this folder, newest first; written ${e(now.toISOString())}.</p>
<table><thead><tr><th>started</th><th>test</th><th>target</th><th>verdict</th><th>requests</th><th>errors</th><th>req/s</th><th>p95</th><th>p99</th><th>tool</th><th></th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table>
<h2>Trends per test and target</h2>
<p>The latest run of each is judged against the run before it, per endpoint and for all requests, by the budget npm run compare uses: ${e(budgetText(TREND_BUDGET))}. p95, req/s and capacity are shown, not judged.</p>
${trends.join('\n') || '<p>No test runs.</p>'}
</main>
${allCharts.length ? `<script type="application/json" id="data">${jsonForScript({ x: [], charts: allCharts })}</script>\n<script>${uplotJs}</script>\n<script>${pageJs}</script>` : ''}
</body></html>
`;
}
