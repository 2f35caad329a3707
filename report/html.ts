// report.html: one self-contained page (pure apart from reading the inlined
// assets). Tables are rendered here; the charts are drawn in the browser
// from ONE embedded JSON blob. A Content-Security-Policy allows only the
// page's own two scripts (by hash) and no network request at all.
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { assets } from './assets.ts';
import { chartsOf } from './charts.ts';
import { escapeHtml as e, jsonForScript } from './escape.ts';
import { fmtUtc } from './format.ts';
import { breakpointHtml, soakHtml, spikeHtml } from './html-types.ts';
import { failuresHtml } from './failures.ts';
import { serverLogHtml } from './server-log.ts';
import { diagnosisHtml } from './diagnosis.ts';
import { chartsHtml, endpointsHtml, errorsHtml, figuresHtml, groupsHtml, headerHtml, verdictHtml } from './html-sections.ts';
import { analyze } from './summarize.ts';
import type { Results, Summary } from './types.ts';

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/**
 * A page up to its </head>. The Content-Security-Policy allows only this inline
 * style and these scripts (by hash; no script-src without any), data: images and
 * no network request. The suite's page uses it too.
 */
export function pageHead(title: string, css: string, scripts: string[] = [], live = false): string {
  const csp = [
    "default-src 'none'",
    ...(scripts.length ? [`script-src ${scripts.map(sha256).join(' ')}`] : []),
    // The live page polls its own server, nothing else.
    ...(live ? ["connect-src 'self'"] : []),
    `style-src ${sha256(css)}`,
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${e(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">${live ? '\n<link rel="icon" href="data:,">' : ''}
<title>${e(title)}</title>
<style>${css}</style>
</head>`;
}

/** The page as the live server shows it during a run: the same page, a banner, and a poll for the next period. */
export interface LiveView {
  /** Changes with every period (and at the end). */
  version: string;
  /** "02:30 / 25:00 (10%)" */
  progress: string;
  /** The final report once written (the run has ended). */
  reportPath?: string;
}

/** The live banner (report/page/live.js polls from it); `more`: HTML the caller escaped, e.g. the suite's link to its step's page. */
export function liveBanner(live: LiveView, what = 'This page shows each period as it ends; the verdicts are on what was measured so far.', more = ''): string {
  if (live.reportPath) {
    const name = basename(live.reportPath);
    return `<p id="live" class="live ended" role="status" data-version="${e(live.version)}" data-ended="true">The run has ended. Its report: <a href="report.html">${e(name)}</a>, saved as <code>${e(live.reportPath)}</code>.</p>`;
  }
  return `<p id="live" class="live" role="status" data-version="${e(live.version)}" data-ended="false">Live: ${e(live.progress)}. ${e(what)}${more} <span id="live-gone" hidden>The live server has closed: the run has ended; its report is in the run's folder.</span></p>`;
}

export function renderHtml(summary: Summary, results: Results, live?: LiveView): string {
  const a = analyze(results);
  const charts = chartsOf(a);
  const { uplotJs, uplotCss, pageJs, pageCss, liveJs, uplotVersion } = assets();
  const data = jsonForScript({ x: a.series.x, charts, summary });
  const css = `${uplotCss}\n${pageCss}`;
  // A live page polls until the run has ended; the ended one (and report.html) does not.
  const polls = live !== undefined && !live.reportPath;
  const title = `HMP ${summary.test} test: ${polls ? 'RUNNING' : summary.outcome} (${fmtUtc(summary.run.startedAt)})`;
  const scripts = polls ? [uplotJs, pageJs, liveJs] : [uplotJs, pageJs];
  return `${pageHead(title, css, scripts, live !== undefined)}
<body>
${live ? liveBanner(live) : ''}
${headerHtml(summary)}
<main>
${verdictHtml(summary)}
${diagnosisHtml(summary.diagnosis)}
${breakpointHtml(summary)}
${spikeHtml(summary)}
${soakHtml(summary)}
${figuresHtml(summary)}
${chartsHtml(charts, summary.run.periods)}
${endpointsHtml(summary)}
${groupsHtml(summary)}
${failuresHtml(summary.failures)}
${serverLogHtml(summary.serverLog)}
${errorsHtml(summary)}
</main>
<footer>Built by hmp-load's report builder (charts: uPlot ${e(uplotVersion)}, MIT). Rebuild from the saved results: <code>npm run report -- results.json</code>. Figures: <code>summary.json</code> beside this file.</footer>
<script type="application/json" id="data">${data}</script>
<script>${uplotJs}</script>
<script>${pageJs}</script>
${polls ? `<script>${liveJs}</script>` : ''}
</body>
</html>
`;
}
