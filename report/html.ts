// report.html: one self-contained page (pure apart from reading the inlined
// assets). Tables are rendered here; the charts are drawn in the browser
// from ONE embedded JSON blob. A Content-Security-Policy allows only the
// page's own two scripts (by hash) and no network request at all.
import { createHash } from 'node:crypto';
import { assets } from './assets.ts';
import { chartsOf } from './charts.ts';
import { escapeHtml as e, jsonForScript } from './escape.ts';
import { fmtUtc } from './format.ts';
import { breakpointHtml, soakHtml, spikeHtml } from './html-types.ts';
import { failuresHtml } from './failures.ts';
import { serverLogHtml } from './server-log.ts';
import { chartsHtml, endpointsHtml, errorsHtml, figuresHtml, groupsHtml, headerHtml, verdictHtml } from './html-sections.ts';
import { analyze } from './summarize.ts';
import type { Results, Summary } from './types.ts';

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/**
 * A page up to its </head>. The Content-Security-Policy allows only this inline
 * style and these scripts (by hash; no script-src without any), data: images and
 * no network request. The suite's page uses it too.
 */
export function pageHead(title: string, css: string, scripts: string[] = []): string {
  const csp = [
    "default-src 'none'",
    ...(scripts.length ? [`script-src ${scripts.map(sha256).join(' ')}`] : []),
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
<meta name="referrer" content="no-referrer">
<title>${e(title)}</title>
<style>${css}</style>
</head>`;
}

export function renderHtml(summary: Summary, results: Results): string {
  const a = analyze(results);
  const charts = chartsOf(a);
  const { uplotJs, uplotCss, pageJs, pageCss, uplotVersion } = assets();
  const data = jsonForScript({ x: a.series.x, charts, summary });
  const css = `${uplotCss}\n${pageCss}`;
  const title = `HMP ${summary.test} test: ${summary.outcome} (${fmtUtc(summary.run.startedAt)})`;
  return `${pageHead(title, css, [uplotJs, pageJs])}
<body>
${headerHtml(summary)}
<main>
${verdictHtml(summary)}
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
</body>
</html>
`;
}
