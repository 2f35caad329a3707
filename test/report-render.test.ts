// report.html and summary.md as text: self-contained (no network reference,
// scripts allowed by hash only), holding the input's numbers, and every
// string from the results escaped, however hostile.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { renderHtml, renderMarkdown, summarize } from '../report/build.ts';
import { escapeMarkdown, jsonForScript } from '../report/escape.ts';
import { syntheticResults } from './support/synthetic-results.ts';

const HOSTILE_MESSAGE = '</script><script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">';
// Endpoint names have no dots (metric names are dotted), so this one sets the canary without one.
const HOSTILE_ENDPOINT = '<script>self["__pwned"]=3</script>';

function hostile() {
  const r = syntheticResults({ test: 'average', seed: 7, errorShare: 0.02, errorMessage: HOSTILE_MESSAGE, extraEndpoint: HOSTILE_ENDPOINT });
  r.aggregate.hmp!.target = 'http://127.0.0.1:8000/"><script>window.__pwned=4</script>';
  return r;
}

/** The page's <script> elements: [attributes, body]. */
function scripts(html: string): Array<[string, string]> {
  return [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)].map((m) => [m[1]!, m[2]!]);
}

test('the page is one file: no external script, style, image, font or link; scripts allowed only by hash', () => {
  const r = syntheticResults({ test: 'soak', periods: 200, system: true, seed: 1 });
  const html = renderHtml(summarize(r), r);
  assert.doesNotMatch(html, /<(link|iframe|object|embed|img)\b/i);
  assert.doesNotMatch(html, /\s(src|href)\s*=/i);
  assert.doesNotMatch(html, /@import|url\(\s*['"]?(https?:)?\/\//i);
  const found = scripts(html);
  assert.deepEqual(
    found.map(([attrs]) => attrs.trim()),
    ['type="application/json" id="data"', '', ''],
  );
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)![1]!.replace(/&#39;/g, "'");
  assert.match(csp, /default-src 'none'/);
  for (const [, body] of found.slice(1)) {
    const hash = createHash('sha256').update(body, 'utf8').digest('base64');
    assert.ok(csp.includes(`'sha256-${hash}'`), 'each inline script is allowed by its hash');
  }
});

test('the verdict and tables hold the input\'s numbers', () => {
  const r = syntheticResults({ test: 'average', seed: 11 });
  const s = summarize(r);
  const html = renderHtml(s, r);
  const sum = (name: string) => r.intermediate.reduce((a, p) => a + (p.counters?.[name] ?? 0), 0);
  const requests = sum('http.requests');
  const errors = r.intermediate.reduce((a, p) => a + Object.entries(p.counters ?? {}).filter(([k]) => /^plugins\.hmp\.errors\.[^.]+$/.test(k)).reduce((b, [, v]) => b + v, 0), 0);
  const rate = Math.round((100_000 * errors) / requests) / 1000;
  assert.match(html, new RegExp(`<tr data-id="error_rate"><td>Error rate</td><td class="n">${String(rate).replace('.', '\\.')}%</td><td class="n">&lt; 1%</td><td class="PASS">PASS</td>`));
  const listRequests = sum('plugins.metrics-by-endpoint.project_list.codes.200') + sum('plugins.metrics-by-endpoint.project_list.codes.500') + sum('plugins.metrics-by-endpoint.project_list.errors.ETIMEDOUT');
  assert.match(html, new RegExp(`<tr data-endpoint="project_list"><td><code>project_list</code></td><td>list</td><td class="n">${listRequests.toLocaleString('en-US')}</td>`));
  assert.match(html, /<div class="badge PASS" id="outcome">PASS<\/div>/);
  // The data blob carries the charts and the summary.
  const blob = JSON.parse(scripts(html)[0]![1]) as { x: number[]; charts: Array<{ id: string; title: string }>; summary: { totals: { requests: number } } };
  assert.equal(blob.x.length, r.intermediate.length);
  assert.equal(blob.summary.totals.requests, requests);
  assert.deepEqual(
    blob.charts.map((c) => c.title),
    ['Concurrent users: target vs achieved', 'Throughput', 'Error rate', 'Latency: auth', 'Latency: list', 'Latency: detail', 'Latency: convert'],
  );
  for (const c of blob.charts) assert.match(html, new RegExp(`<div class="plot" id="chart-${c.id}"></div>`));
});

test('a hostile error message, endpoint name and target render as text, never as markup', () => {
  const r = hostile();
  const s = summarize(r);
  const html = renderHtml(s, r);
  assert.doesNotMatch(html, /<script>(window|self)/);
  assert.doesNotMatch(html, /<img src=x/);
  assert.match(html, /&lt;\/script&gt;&lt;script&gt;window\.__pwned=1&lt;\/script&gt;&lt;img src=x onerror=&quot;window\.__pwned=2&quot;&gt;/);
  assert.match(html, /<code>&lt;script&gt;self\[&quot;__pwned&quot;\]=3&lt;\/script&gt;<\/code>/);
  // Exactly the page's own three script elements.
  assert.equal(scripts(html).length, 3);
  assert.equal((html.match(/<script/g) ?? []).length, 3);
  // The blob keeps the text exactly.
  const blob = JSON.parse(scripts(html)[0]![1]) as { summary: { errors: Array<{ endpoint: string; message: string | null }> } };
  assert.ok(blob.summary.errors.some((e) => e.endpoint === HOSTILE_ENDPOINT && e.message === HOSTILE_MESSAGE));

  const md = renderMarkdown(s);
  assert.doesNotMatch(md, /<script|<img/);
  assert.match(md, /&lt;script&gt;self\\\["\\_\\_pwned"\\\]=3&lt;\/script&gt;/);
});

test('JSON for a script element cannot close it, and reads back the same', () => {
  const value = { a: '</script><!-- x -->', b: 'line\u2028sep\u2029end', c: '&amp;' };
  const text = jsonForScript(value);
  assert.doesNotMatch(text, /[<>&\u2028\u2029]/);
  assert.deepEqual(JSON.parse(text), value);
});

test('Markdown: a verdict table and key figures; pipes and newlines in text cannot break a table', () => {
  const r = syntheticResults({ test: 'average', latencyFactor: 5, seed: 2 });
  const s = summarize(r);
  const md = renderMarkdown(s);
  assert.match(md, /^### ❌ HMP average test: FAIL\n/);
  assert.match(md, /\| Criterion \| Measured \| Limit \| Result \|\n\|---\|---:\|---:\|---\|\n\| Users reached \(the shape's peak\) \| 15 users \| ≥ 13 users \| [^|]+ PASS \|\n\| Error rate \| [\d.]+% \| < 1% \| [^|]+ PASS \|/);
  assert.match(md, /\| p99 latency, list \| [\d.,]+ ms \| ≤ 700 ms \| ❌ FAIL \|/);
  assert.match(md, new RegExp(`\\*\\*Key figures:\\*\\* ${s.totals.requests.toLocaleString('en-US')} requests`));
  assert.equal(escapeMarkdown('a|b\nc'), 'a\\|b c');
  assert.equal(escapeMarkdown(`can't "x" <b>`), `can't "x" &lt;b&gt;`);
});

test('breakpoint: the level table, max sustainable users and failure mode are on the page and in the Markdown', () => {
  const r = syntheticResults({ test: 'breakpoint', seed: 4 });
  const s = summarize(r);
  const html = renderHtml(s, r);
  assert.match(html, /<div class="v" id="max-sustainable">100<\/div>/);
  assert.match(html, /<tr class="failed"><td class="n">120<\/td><td>failed<\/td>/);
  assert.match(html, /<b>Failure mode:<\/b> 5xx on submission_create/);
  assert.match(html, /<div class="badge REPORT" id="outcome">REPORT<\/div>/);
  const md = renderMarkdown(s);
  assert.match(md, /\*\*Breakpoint:\*\* max sustainable \*\*100 users\*\*; failed at 120 users\./);
  assert.match(md, /\| 120 \| failed \|/);
});

test('spike and soak sections appear for their tests only', () => {
  const spike = syntheticResults({ test: 'spike', seed: 3 });
  const spikeHtml = renderHtml(summarize(spike), spike);
  assert.match(spikeHtml, /<section id="spike"><h2>Spike recovery<\/h2>/);
  assert.doesNotMatch(spikeHtml, /<section id="soak">/);
  const soak = syntheticResults({ test: 'soak', periods: 1100, system: true, memTotalMb: 512, seed: 3 });
  const soakHtml = renderHtml(summarize(soak), soak);
  assert.match(soakHtml, /<section id="soak"><h2>Soak: first 30 min vs last 30 min of the hold<\/h2>/);
  assert.doesNotMatch(soakHtml, /<section id="spike">/);
  assert.match(soakHtml, /<h3>CPU<\/h3>/);
  assert.match(soakHtml, /<h3>Memory<\/h3>/);
});
