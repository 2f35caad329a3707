// "What the server did", in words (pure): server-wide stalls and what was in
// flight when they began (the plugin's core/stalls.ts analysis, recorded with
// the results), requests without an answer by connection class (each class
// explained in one sentence), planned requests a failed session did not
// send, per endpoint, and what the run did not test on purpose.
import { CONNECTION_CLASS_TEXT, CONNECTION_CLASSES } from '../plugins/artillery-plugin-hmp/core/connection-errors.ts';
import { endpointCounters, metric } from '../plugins/artillery-plugin-hmp/core/metric-names.ts';
import type { HmpSection } from '../plugins/artillery-plugin-hmp/core/hmp-section.ts';
import { escapeHtml as e, escapeMarkdown as m, markdownName as code } from './escape.ts';
import { fmtInt, fmtUtc } from './format.ts';

export interface Failures {
  /** The stall analysis's sentence; null when the run logged no requests. */
  stalls: { text: string; count: number; list: Array<{ at: number; s: number; inFlight: string }> } | null;
  connections: Array<{ class: string; count: number; text: string }>;
  skipped: Array<{ endpoint: string; count: number; after: string }>;
  notTested: string[];
}

export function failuresOf(counters: Record<string, number>, hmp: HmpSection): Failures {
  const st = hmp.stalls;
  const stalls = st && typeof st.text === 'string'
    ? {
        text: st.text,
        count: st.stalls?.length ?? 0,
        list: (st.stalls ?? []).slice(0, 20).map((x) => ({
          at: Number(x.at),
          s: Number(x.s),
          inFlight: Object.entries(x.inFlight ?? {}).map(([label, n]) => `${n} x ${label}`).join(', '),
        })),
      }
    : null;
  const connections = CONNECTION_CLASSES.map((c) => ({ class: c, count: counters[metric.connection(c)] ?? 0, text: CONNECTION_CLASS_TEXT[c] })).filter((c) => c.count > 0);
  const skipped = Object.entries(endpointCounters(counters).skipped)
    .map(([endpoint, by]) => {
      const after = Object.entries(by).sort((a, b) => b[1] - a[1]);
      return { endpoint, count: after.reduce((a, [, n]) => a + n, 0), after: after.map(([x, n]) => `${x} (${fmtInt(n)})`).join(', ') };
    })
    .sort((a, b) => b.count - a.count);
  const notTested = Array.isArray(hmp.notTested) ? hmp.notTested.filter((x): x is string => typeof x === 'string') : [];
  return { stalls, connections, skipped, notTested };
}

export function failuresHtml(f: Failures): string {
  const parts: string[] = [];
  if (f.notTested.length) parts.push(`<p><b>Not tested in this run:</b> ${e(f.notTested.join('; '))}.</p>`);
  if (f.stalls) {
    const rows = f.stalls.list.map((x) => `<tr><td>${e(fmtUtc(new Date(x.at).toISOString()))}</td><td class="n">${e(x.s)} s</td><td>${e(x.inFlight)}</td></tr>`).join('\n');
    parts.push(`<p id="stalls">${e(f.stalls.text)}</p>${rows ? `<table><thead><tr><th>Stall began</th><th class="n">Nothing answered for</th><th>In flight when it began</th></tr></thead><tbody>\n${rows}\n</tbody></table>` : ''}`);
  }
  if (f.connections.length) {
    parts.push(`<table id="connections"><thead><tr><th>Requests without an answer</th><th class="n">Count</th></tr></thead><tbody>\n${f.connections.map((c) => `<tr><td>${e(c.text)}</td><td class="n">${fmtInt(c.count)}</td></tr>`).join('\n')}\n</tbody></table>`);
  }
  if (f.skipped.length) {
    parts.push(`<table id="skipped"><thead><tr><th>Endpoint</th><th class="n">Planned requests not sent</th><th>Because the session had failed first at</th></tr></thead><tbody>\n${f.skipped.map((x) => `<tr><td>${e(x.endpoint)}</td><td class="n">${fmtInt(x.count)}</td><td>${e(x.after)}</td></tr>`).join('\n')}\n</tbody></table>`);
  }
  if (!parts.length) return '';
  return `<section id="failures"><h2>What the server did</h2>\n${parts.join('\n')}\n</section>`;
}

export function failuresMarkdown(f: Failures): string[] {
  const out: string[] = [];
  if (f.notTested.length) out.push(`**Not tested:** ${m(f.notTested.join('; '))}`, '');
  if (f.stalls && f.stalls.count > 0) out.push(`**Stalls:** ${m(f.stalls.text)}`, '');
  for (const c of f.connections) out.push(`- ${fmtInt(c.count)} x ${m(c.text)}`);
  if (f.connections.length) out.push('');
  if (f.skipped.length) out.push(`**Not sent (the session had failed first):** ${f.skipped.map((x) => `${code(x.endpoint)} ${fmtInt(x.count)}`).join(', ')}`, '');
  return out;
}
