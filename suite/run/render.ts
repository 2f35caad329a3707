// suite-summary.md and suite-report.html from the summary (pure). The HTML
// is one self-contained page (no script, no request: a Content-Security-Policy
// allows only its own style); every text from the runs is escaped; each
// step's own report folder is linked relatively.
import { escapeHtml as e, escapeMarkdown as m, jsonForScript } from '../../report/escape.ts';
import { liveBanner, pageHead, type LiveView } from '../../report/html.ts';
import { assets } from '../../report/assets.ts';
import { chartsHtml } from '../../report/html-sections.ts';
import type { Timeline } from '../../report/timeline.ts';
import { COST_HEAD, recommendationsMarkdown, type Recommendation } from '../../diagnosis/recommendations.ts';
import { fmtS } from '../../plugins/artillery-plugin-hmp/core/stats.ts';
import type { SuiteSummary, SummaryStep } from './summary.ts';

const linkable = (p: string | null): p is string => typeof p === 'string' && p !== '' && !/^[a-z]+:/i.test(p) && !p.startsWith('/');

function runLine(s: SuiteSummary): string {
  const r = s.run;
  const target = r.ownTwin ? `the suite's own HMP twin${r.target ? ` (${r.target})` : ''}${r.twinArgs.length ? `, twin options ${r.twinArgs.join(' ')}` : ''}` : (r.target ?? '?');
  const smoke = r.smokeTimeScale !== null && r.smokeTimeScale !== r.timeScale ? ` (smoke ${r.smokeTimeScale})` : '';
  const parts = [`target ${target}`, `time scale ${r.timeScale}${smoke}`, `tests ${r.tests.join(', ')}`];
  if (r.think) parts.push(`think ${r.think[0]}-${r.think[1]} s (plan seconds)`);
  if (r.systemMetrics) parts.push(`system metrics ${r.systemMetrics}`);
  parts.push(`started ${r.startedAt}`);
  if (r.durationS !== null) parts.push(`took ${fmtS(r.durationS)}`);
  if (r.invocations > 1) parts.push(`${r.invocations} invocations (resumed)`);
  return parts.join('; ');
}

function detailsMd(s: SuiteSummary): string[] {
  const out: string[] = [];
  const base = s.baseline as { errorRatePct?: number; p95Ms?: number; p99ByGroup?: Record<string, number | null>; reqPerS?: number } | null;
  if (base) {
    const groups = Object.entries(base.p99ByGroup ?? {}).map(([g, v]) => `${g} ${v ?? 'n/a'} ms`).join(', ');
    out.push('## Baseline (average)', '', `Error rate ${base.errorRatePct}%, p95 of all requests ${base.p95Ms} ms, p99 per group: ${m(groups)}; ${base.reqPerS} req/s.`, '');
  }
  const spike = s.spike as { recovery?: { text?: string; status?: string } | null; integrity?: { summary?: string; error?: string; details?: Array<{ id: number; outcome: string; reason: string }> } | null } | null;
  if (spike && (spike.recovery || spike.integrity)) {
    out.push('## Spike: recovery and data loss', '');
    if (spike.recovery?.text) out.push(`- Recovery: ${m(spike.recovery.text)}`);
    if (spike.integrity?.summary) out.push(`- Data loss check: ${m(spike.integrity.summary)}`);
    if (spike.integrity?.error) out.push(`- Data loss check: not done: ${m(spike.integrity.error)}`);
    for (const d of (spike.integrity?.details ?? []).slice(0, 10)) out.push(`  - upload ${d.id}: ${m(d.outcome)}: ${m(d.reason)}`);
    out.push('');
  }
  const bp = s.breakpoint as { breakpoint?: { summary?: string; failureMode?: string | null } | null; bottleneck?: { text?: string }; confirm?: { text?: string } } | null;
  if (bp) {
    out.push('## Breakpoint', '');
    if (bp.breakpoint?.summary) out.push(`- ${m(bp.breakpoint.summary)}`);
    if (bp.bottleneck?.text) out.push(`- Bottleneck: ${m(bp.bottleneck.text)}`);
    if (bp.confirm?.text) out.push(`- Confirmed by experiment (--confirm): ${m(bp.confirm.text)}`);
    out.push('');
  }
  const soak = s.soak as { reasons?: string[]; memoryGrowthPct?: number | null; p95ChangePct?: number | null; p99ChangePct?: number | null; windowS?: number } | null;
  if (soak) {
    out.push('## Soak drift (last vs first window)', '');
    out.push(`Memory ${soak.memoryGrowthPct ?? 'n/a'}%, p95 ${soak.p95ChangePct ?? 'n/a'}%, p99 ${soak.p99ChangePct ?? 'n/a'}% (windows of ${soak.windowS} s).`);
    for (const r of soak.reasons ?? []) out.push(`- ${m(r)}`);
    out.push('');
  }
  return out;
}

export function renderSuiteMarkdown(s: SuiteSummary): string {
  const lines: string[] = [`# HMP load-test suite: ${s.outcome}`, '', `**${m(s.headline)}**`, '', m(runLine(s)) + '.', ''];
  lines.push('| step | verdict | key numbers | why | report |', '|---|---|---|---|---|');
  for (const st of s.steps) {
    const report = linkable(st.report) ? `[report](${encodeURI(st.report)})` : '';
    lines.push(`| ${st.n}/${st.of} ${m(st.title)} | **${st.verdict}** | ${m(st.figures)} | ${m(st.reason ?? '')} | ${report} |`);
  }
  lines.push('');
  const incidents = s.steps.filter((st) => st.incidents?.length);
  lines.push('## What went wrong', '');
  if (incidents.length === 0) lines.push('No incident in any test: no failures above the noise, no stall, no SLO missed in a window.', '');
  for (const st of incidents) lines.push(`### ${m(st.title)}`, '', ...st.incidents.map((l) => `- ${m(l)}`), '');
  lines.push('## Flags', '');
  if (s.flags.length === 0) lines.push('None.', '');
  for (const f of s.flags) {
    lines.push(`### ${f.aborted ? 'ABORT' : 'FLAG'} "${m(f.title)}" (${f.step})`, '');
    for (const ev of f.evidence) lines.push(`- ${m(ev.citation)}`);
    lines.push('');
  }
  lines.push('## Recommendations', '', recommendationsMarkdown(s.recommendations).trimEnd(), '');
  lines.push(...detailsMd(s));
  const notes = s.steps.flatMap((st) => st.notes);
  if (notes.length) lines.push('## Notes', '', ...notes.map((n) => `- ${m(n)}`), '');
  lines.push(`Exit code ${s.exitCode}. Figures: \`suite-summary.json\`; each step's own report is linked above.`, '');
  return lines.join('\n');
}

// --- HTML ------------------------------------------------------------------

const CSS = `
:root{--fg:#111827;--muted:#4b5563;--line:#e5e7eb;--pass:#166534;--flag:#b45309;--abort:#b91c1c;--skip:#6b7280}
body{font:15px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:var(--fg);margin:0 auto;max-width:1100px;padding:24px}
h1{font-size:24px;margin:0 0 8px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}h3{font-size:16px;margin:16px 0 4px}
.headline{font-size:17px;font-weight:600;padding:10px 14px;border-left:6px solid var(--muted);background:#f9fafb}
.o-PASSED{border-color:var(--pass)}.o-FLAGGED{border-color:var(--flag)}.o-ABORTED,.o-FAILED{border-color:var(--abort)}
.muted{color:var(--muted)}table{border-collapse:collapse;width:100%;margin:8px 0}th,td{border-bottom:1px solid var(--line);padding:6px 8px;text-align:left;vertical-align:top}
th{font-size:13px;color:var(--muted);font-weight:600}.v{font-weight:700;white-space:nowrap}
.v-PASS,.v-RECORDED{color:var(--pass)}.v-FLAG{color:var(--flag)}.v-ABORT,.v-FAILED,.v-INTERRUPTED{color:var(--abort)}.v-SKIP,.v-NOT{color:var(--skip)}
ul{margin:4px 0 8px 20px;padding:0}code{font-size:13px}footer{margin-top:32px;font-size:13px;color:var(--muted)}
.live{margin:0 0 16px;padding:8px 14px;background:#eff6ff;border-left:6px solid #2563eb;color:#1e3a8a}.live.ended{background:#f0fdf4;border-color:#16a34a;color:#14532d}
`;

function recsHtml(list: Recommendation[]): string {
  if (list.length === 0) return '<p>No recommendation: no flag was raised.</p>';
  const out: string[] = [];
  for (const cost of ['fix', 'low', 'high', 'measure'] as const) {
    const rs = list.filter((r) => r.cost === cost);
    if (rs.length === 0) continue;
    out.push(`<h3>${COST_HEAD[cost]}</h3><ul>`);
    for (const r of rs) out.push(`<li><strong>${e(r.text)}</strong> <span class="muted">(${e(r.source)})</span>${r.addresses?.length ? `<br>Addresses: ${e(r.addresses.join('; '))}.` : ''}<br>Because: ${e(r.because.join('; '))}.</li>`);
    out.push('</ul>');
  }
  return out.join('\n');
}

function stepRow(st: SummaryStep): string {
  const report = linkable(st.report) ? `<a href="${e(encodeURI(st.report))}">report</a>` : '';
  const extra = [linkable(st.results) ? `<a href="${e(encodeURI(st.results))}">results</a>` : '', linkable(st.log) ? `<a href="${e(encodeURI(st.log))}">log</a>` : ''].filter(Boolean).join(' · ');
  return `<tr><td>${st.n}/${st.of}</td><td>${e(st.title)}</td><td class="v v-${e(st.verdict.split(' ')[0])}">${e(st.verdict)}</td><td>${e(st.figures)}</td><td>${e(st.reason ?? '')}</td><td>${report}${report && extra ? '<br>' : ''}${extra}</td></tr>`;
}

function detailsHtml(s: SuiteSummary): string {
  // The Markdown sections, as HTML paragraphs and lists (same facts, escaped).
  const unescape = (x: string) => x.replace(/\\([\\`*_{}[\]#+!|~-])/g, '$1');
  const out: string[] = [];
  let inList = false;
  const list = (open: boolean) => {
    if (open !== inList) out.push(open ? '<ul>' : '</ul>');
    inList = open;
  };
  for (const line of detailsMd(s)) {
    const item = /^\s*- /.test(line);
    if (line.trim()) list(item);
    if (line.startsWith('## ')) out.push(`<h2>${line.slice(3)}</h2>`);
    else if (item) out.push(`<li>${unescape(line.replace(/^\s*- /, ''))}</li>`);
    else if (line.trim()) out.push(`<p>${unescape(line)}</p>`);
  }
  list(false);
  return out.join('\n');
}

/** The suite's page as its live server shows it: the current step's own live page linked, when it has one. */
export interface SuiteLiveView extends LiveView {
  stepPage?: string;
}

/** The timeline: the step reports' charts over every step's periods, each step's start marked with its verdict. */
function timelineHtml(t: Timeline, s: SuiteSummary): string {
  const link = (id: string) => s.steps.find((x) => x.id === id)?.report;
  const spans = t.spans.map((x) => {
    const report = link(x.id);
    const name = linkable(report ?? null) ? `<a href="${e(encodeURI(report!))}">${e(x.id)}</a>` : e(x.id);
    return `<li data-step="${e(x.id)}">${name}: ${e(x.verdict)}, ${x.periods} periods from ${Math.round(x.fromS)} s</li>`;
  });
  return `<h2>Timeline</h2>
<p class="muted">Every test on one time axis (seconds from the first test's first period), drawn as each step's own report draws it, but with each period's peak users (a spike's 60, not the period's mean); a marked line is where a step began, with its verdict.</p>
${chartsHtml(t.charts, t.periods)}
<ul id="timeline-steps">${spans.join('')}</ul>`;
}

export function renderSuiteHtml(s: SuiteSummary, live?: SuiteLiveView, timeline?: Timeline): string {
  const polls = live !== undefined && !live.reportPath;
  const { uplotJs, uplotCss, pageJs, pageCss, liveJs } = assets();
  const scripts = [...(timeline ? [uplotJs, pageJs] : []), ...(polls ? [liveJs] : [])];
  // The report page's style first: the suite's own rules win where both speak.
  const css = timeline ? `${uplotCss}\n${pageCss}\n${CSS}` : CSS;
  const stepPage = live?.stepPage ? ` The running step's own live page: <a href="${e(live.stepPage)}">${e(live.stepPage)}</a>.` : '';
  const flags = s.flags.length
    ? s.flags.map((f) => `<h3>${f.aborted ? 'ABORT' : 'FLAG'} “${e(f.title)}” (${e(f.step)})</h3><ul>${f.evidence.map((ev) => `<li>${e(ev.citation)}</li>`).join('')}</ul>`).join('\n')
    : '<p>None.</p>';
  const notes = s.steps.flatMap((st) => st.notes);
  const withIncidents = s.steps.filter((st) => st.incidents?.length);
  const incidents = withIncidents.length
    ? withIncidents.map((st) => `<h3>${e(st.title)}</h3><ol>${st.incidents.map((l) => `<li>${e(l)}</li>`).join('')}</ol>`).join('\n')
    : '<p>No incident in any test: no failures above the noise, no stall, no SLO missed in a window.</p>';
  return `${pageHead(`HMP load-test suite: ${polls ? 'RUNNING' : s.outcome}`, css, scripts, live !== undefined)}
<body>
${live ? liveBanner(live, 'The step table, flags and verdicts so far; this page follows each step as it ends.', stepPage) : ''}
<h1>HMP load-test suite: ${e(s.outcome)}</h1>
<p class="headline o-${e(s.outcome)}">${e(s.headline)}</p>
<p class="muted">${e(runLine(s))}.</p>
<h2>Steps</h2>
<table><thead><tr><th>#</th><th>step</th><th>verdict</th><th>key numbers</th><th>why</th><th>own report</th></tr></thead>
<tbody>
${s.steps.map(stepRow).join('\n')}
</tbody></table>
<h2>What went wrong</h2>
${incidents}
<h2>Flags</h2>
${flags}
<h2>Recommendations</h2>
${recsHtml(s.recommendations)}
${timeline ? timelineHtml(timeline, s) : ''}
${detailsHtml(s)}
${notes.length ? `<h2>Notes</h2><ul>${notes.map((n) => `<li>${e(n)}</li>`).join('')}</ul>` : ''}
<footer>Exit code ${s.exitCode}. Built by hmp-load's suite (npm run suite). Figures: <code>suite-summary.json</code> beside this file; each step's own report is linked in the table.</footer>
${timeline ? `<script type="application/json" id="data">${jsonForScript({ x: timeline.x, charts: timeline.charts })}</script>\n<script>${uplotJs}</script>\n<script>${pageJs}</script>` : ''}
${polls ? `<script>${liveJs}</script>` : ''}
</body>
</html>
`;
}
