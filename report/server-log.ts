// "What the server logged" (pure): the server's own log of the test as the
// suite read it (suite/server-log/, recorded as aggregate.hmp.serverLog):
// responses by status, internal errors grouped with one traceback each, the
// database pool's overload, slow requests, lines of no known format, and
// where the log and the client's counts disagree. Every string in it is the
// server's (untrusted): escaped here.
import { escapeHtml as e, escapeMarkdown as m } from './escape.ts';
import { fmtCodes, fmtInt, fmtUtc } from './format.ts';

export interface ServerLogView {
  source: string;
  lines: number;
  requests: number;
  statuses: Record<string, number>;
  errors: Array<{ kind: string; type: string; message: string; count: number; first: string; last: string; sample: string }>;
  pool: { count: number; first: string | null; sample: string | null };
  slow: { count: number; slowest: Array<{ request: string; ms: number }> } | null;
  other: Array<{ text: string; count: number }>;
  otherLines: number;
  disagreements: string[];
  /** Per period start (ms): 5xx logged, tracebacks, pool messages. */
  periods: Array<{ period: number; status5xx: number; exceptions: number; pool: number }>;
  problem: string | null;
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const num = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : 0);
const str = (x: unknown) => (typeof x === 'string' ? x : '');
const iso = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? new Date(x).toISOString() : '');
const list = (x: unknown) => (Array.isArray(x) ? x.filter(isObj) : []);
const counts = (x: unknown) => (isObj(x) ? Object.fromEntries(Object.entries(x).map(([k, v]) => [k, num(v)])) : {});
const fivexx = (statuses: Record<string, number>) => Object.entries(statuses).filter(([s]) => s.startsWith('5')).reduce((a, [, n]) => a + n, 0);

/** The recorded log summary, read defensively (results files are untrusted); null when the run read no log. */
export function serverLogOf(raw: unknown): ServerLogView | null {
  if (!isObj(raw)) return null;
  const pool = isObj(raw.pool) ? raw.pool : {};
  const slow = isObj(raw.slow) ? raw.slow : null;
  return {
    source: str(raw.source),
    lines: num(raw.lines),
    requests: num(raw.requests),
    statuses: counts(raw.statuses),
    errors: list(raw.errors).map((g) => ({ kind: str(g.kind), type: str(g.type), message: str(g.message), count: num(g.count), first: iso(g.firstAt), last: iso(g.lastAt), sample: str(g.sample) })),
    pool: { count: num(pool.count), first: iso(pool.firstAt) || null, sample: str(pool.sample) || null },
    slow: slow ? { count: num(slow.count), slowest: list(slow.slowest).map((x) => ({ request: str(x.request), ms: num(x.ms) })) } : null,
    other: list(raw.other).map((g) => ({ text: str(g.text), count: num(g.count) })),
    otherLines: num(raw.otherLines),
    disagreements: Array.isArray(raw.disagreements) ? raw.disagreements.filter((x): x is string => typeof x === 'string') : [],
    periods: list(raw.periods).map((p) => ({ period: num(p.period), status5xx: fivexx(counts(p.statuses)), exceptions: num(p.exceptions), pool: num(p.pool) })),
    problem: str(raw.problem) || null,
  };
}

export function serverLogHtml(v: ServerLogView | null): string {
  if (!v) return '';
  const parts: string[] = [];
  parts.push(`<p>From <code>${e(v.source)}</code>: ${fmtInt(v.lines)} lines, ${fmtInt(v.requests)} requests logged${v.requests ? ` (${e(fmtCodes(v.statuses))})` : ''}.${v.problem ? ` ${e(v.problem)}` : ''}</p>`);
  if (v.pool.count) parts.push(`<p id="server-pool"><b>Database connection pool exhausted ${fmtInt(v.pool.count)} times</b>, first at ${e(fmtUtc(v.pool.first))}: ${e(v.pool.sample)}</p>`);
  if (v.disagreements.length) parts.push(`<ul id="server-disagree">${v.disagreements.map((d) => `<li>${e(d)}</li>`).join('')}</ul>`);
  if (v.errors.length) {
    const rows = v.errors
      .map((g) => `<tr><td>${e(g.type)}</td><td>${e(g.message)}</td><td class="n">${fmtInt(g.count)}</td><td>${e(fmtUtc(g.first))}</td><td>${e(fmtUtc(g.last))}</td><td><details><summary>traceback</summary><pre>${e(g.sample)}</pre></details></td></tr>`)
      .join('\n');
    parts.push(`<table id="server-errors"><thead><tr><th>Exception</th><th>Message</th><th class="n">Count</th><th>First</th><th>Last</th><th>Sample</th></tr></thead><tbody>\n${rows}\n</tbody></table>`);
  }
  if (v.slow?.count) parts.push(`<p>${fmtInt(v.slow.count)} requests the server logged as slower than 1 s; slowest: ${v.slow.slowest.slice(0, 5).map((x) => `${e(x.request)} ${fmtInt(Math.round(x.ms))} ms`).join(', ')}.</p>`);
  if (v.otherLines) {
    const rows = v.other.slice(0, 10).map((g) => `<tr><td><code>${e(g.text)}</code></td><td class="n">${fmtInt(g.count)}</td></tr>`).join('\n');
    parts.push(`<table id="server-other"><thead><tr><th>Other lines (${fmtInt(v.otherLines)}, most common first)</th><th class="n">Count</th></tr></thead><tbody>\n${rows}\n</tbody></table>`);
  }
  return `<section id="server-log"><h2>What the server logged</h2>\n${parts.join('\n')}\n</section>`;
}

export function serverLogMarkdown(v: ServerLogView | null): string[] {
  if (!v) return [];
  const out = ['## What the server logged', '', `${fmtInt(v.lines)} lines, ${fmtInt(v.requests)} requests logged${v.requests ? ` (${m(fmtCodes(v.statuses))})` : ''}.${v.problem ? ` ${m(v.problem)}` : ''}`, ''];
  if (v.pool.count) out.push(`**Database connection pool exhausted ${fmtInt(v.pool.count)} times:** ${m(v.pool.sample)}`, '');
  for (const d of v.disagreements) out.push(`- ${m(d)}`);
  if (v.disagreements.length) out.push('');
  for (const g of v.errors.slice(0, 10)) out.push(`- ${fmtInt(g.count)} x ${m(g.type)}${g.message ? `: ${m(g.message)}` : ''}`);
  if (v.errors.length) out.push('');
  return out;
}

export interface ServerLogSeries {
  clientErrors: Array<number | null>;
  server5xx: Array<number | null>;
  exceptions: Array<number | null>;
  pool: Array<number | null>;
}

/** The log's periods on the run's periods (both start on the epoch's 10 s), beside the client's errors. */
export function serverLogSeries(v: ServerLogView, periodStarts: number[], clientErrors: number[]): ServerLogSeries {
  const by = new Map(v.periods.map((p) => [p.period, p]));
  const at = (f: (p: ServerLogView['periods'][number]) => number) => periodStarts.map((t) => f(by.get(t) ?? { period: t, status5xx: 0, exceptions: 0, pool: 0 }));
  return { clientErrors, server5xx: at((p) => p.status5xx), exceptions: at((p) => p.exceptions), pool: at((p) => p.pool) };
}
