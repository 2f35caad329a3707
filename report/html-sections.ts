// The report page's sections as HTML strings (pure). Every value passes
// through escapeHtml (`e`): results are untrusted input.
import { escapeHtml as e } from './escape.ts';
import { fmtClock, fmtCodes, fmtPct, fmtDuration, fmtInt, fmtLimit, fmtNum as n, fmtResult, fmtTimeOfDay, fmtUtc, fmtValue } from './format.ts';
import type { Summary } from './types.ts';

/** What each test is for (the HMP test plan, section 6), for a reader who did not run it. */
export const PURPOSE: Record<string, string> = {
  smoke: 'Smoke test: every endpoint works under minimal load (5 users). Passes with 0 errors and every endpoint answering.',
  average: 'Average-load test: baseline performance under typical load (10 then 15 users). Passes with an error rate below 1%, every p99 within its SLO, CPU below 70% and RAM below 80%.',
  stress: 'Stress test: prolonged higher-than-average load (30 users). Passes with an error rate below 2% and graceful degradation.',
  spike: 'Spike test: a deadline burst (60 users within a minute, with ±10% jitter). Passes with an error rate below 3% and a graceful recovery.',
  breakpoint: "Breakpoint test: load rises level by level (10 to 200 users) until the server fails. It reports two capacities, in users and in req/s: the most users within the SLOs and the most before failure, and how the server failed. It fails only when the capacity within the SLOs is short of the plan's peak (judged in req/s when the run's think time is not the journeys' own).",
  soak: 'Soak test: 8 users for 3 hours, looking for leaks and drift. Passes with an error rate below 1% and stable performance and memory.',
};

export function headerHtml(s: Summary): string {
  const r = s.run;
  const slo = Object.entries(s.criteria.slo)
    .map(([g, ms]) => `${g} ≤ ${fmtInt(ms)} ms`)
    .join(' · ');
  const errLimit = s.test === 'smoke' ? '0 errors' : s.criteria.maxErrorRate !== null ? `error rate < ${s.criteria.maxErrorRate}%` : 'no error-rate gate';
  const tool = [s.tool.version ? `hmp-load ${s.tool.version}` : 'hmp-load', s.tool.commit ? `commit ${s.tool.commit}` : 'commit unknown']
    .concat(s.tool.source === 'report-build' ? ['(of the report build: the results do not record the run\'s)'] : [])
    .join(' ');
  const rows: Array<[string, string]> = [
    ['Test', e(s.test)],
    ['Target', r.target ? `<code>${e(r.target)}</code>` : 'not recorded'],
    ['Started', e(fmtUtc(r.startedAt))],
    ['Ended', e(fmtUtc(r.endedAt))],
    ['Duration', `${e(fmtDuration(r.durationS))} (${fmtInt(r.periods)} periods of ${n(r.periodS)} s)`],
    ['Time scale', `${e(n(r.timeScale, 4))}${r.timeScale !== 1 ? ' (durations and think times compressed)' : ''}`],
    ...(r.loadPerUser ? [['Load per user', e(r.loadPerUser.text)] as [string, string]] : []),
    ['Users shape', r.shapeText ? e(r.shapeText) : 'not recorded'],
    ['Jitter seed', r.jitterSeed !== null ? `${e(r.jitterSeed)} (${fmtInt(r.jitterSteps)} steps; replay with <code>HMP_JITTER_SEED=${e(r.jitterSeed)}</code>)` : 'none'],
    ['SLOs (p99)', slo ? e(slo) : 'not recorded'],
    ['Error limit', e(errLimit)],
    ['Tool', e(tool)],
    ['Stopped early', !r.earlyStop ? 'no' : s.breakpoint?.found ? 'yes: at the breakpoint, as planned' : 'yes: figures cover what was measured'],
  ];
  const badgeClass = s.outcome.replaceAll(' ', '-');
  return `<header class="top">
<div>
<h1>HMP load test: ${e(s.test)}</h1>
${Object.hasOwn(PURPOSE, s.test) ? `<p class="purpose">${e(PURPOSE[s.test])}</p>` : ''}
<dl class="run">${rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>
</div>
<div class="badge ${badgeClass}" id="outcome">${e(s.outcome)}</div>
</header>`;
}

export function verdictHtml(s: Summary): string {
  const rows = s.verdicts
    .map((v) => {
      const result = fmtResult(v.pass);
      return `<tr data-id="${e(v.id)}"><td>${e(v.name)}</td><td class="n">${e(fmtValue(v.measured, v.unit))}</td><td class="n">${e(fmtLimit(v))}</td><td class="${result}">${e(result)}</td><td>${e(v.note ?? '')}</td></tr>`;
    })
    .join('\n');
  const body = s.verdicts.length
    ? `<table id="verdicts"><thead><tr><th>Criterion</th><th class="n">Measured</th><th class="n">Limit</th><th>Result</th><th>Note</th></tr></thead><tbody>
${rows}
</tbody></table>`
    : '<p class="note">The results hold no criteria (no <code>hmp</code> section): nothing to check.</p>';
  return `<section id="verdict"><h2>Verdict</h2>
<p class="headline" id="headline">${e(s.headline)}</p>
${body}
</section>`;
}

export function figuresHtml(s: Summary): string {
  const t = s.totals;
  const tiles: Array<[string, string]> = [
    ['requests', fmtInt(t.requests)],
    ['req/s', n(t.reqPerS, 2)],
    ['errors', fmtInt(t.errors)],
    ['error rate', fmtPct(t.errorRatePct)],
    ['timeouts', fmtInt(t.timeouts)],
    ['p95 (all)', t.p95 === null ? '-' : `${n(t.p95)} ms`],
    ['p99 (all)', t.p99 === null ? '-' : `${n(t.p99)} ms`],
    ['peak users (target / active)', `${n(s.users.targetPeak, 0)} / ${n(s.users.activePeak, 0)}`],
    ['most users off target', s.users.maxDeviation === null ? '-' : n(s.users.maxDeviation, 0)],
    ['users lost (replaced by spares)', fmtInt(s.users.lost)],
    ['sessions ended by an error / completed', `${fmtInt(s.users.sessionsFailed)} / ${fmtInt(s.users.sessionsCompleted)}`],
    ['re-logins', fmtInt(t.relogins)],
  ];
  if (s.system.cpu) tiles.push(['CPU sustained', `${n(s.system.cpu.sustained)}%`]);
  if (s.system.memory) tiles.push(['RAM sustained', s.system.memory.unit === '%' ? `${n(s.system.memory.sustained)}%` : `${n(s.system.memory.sustained, 0)} MB`]);
  return `<section id="figures"><h2>Key figures</h2>
<div class="tiles">${tiles.map(([k, v]) => `<div class="tile"><div class="v">${e(v)}</div><div class="k">${e(k)}</div></div>`).join('')}</div>
<p class="note">Status codes: ${e(fmtCodes(t.codes))}${Object.keys(t.requestErrors).length ? ` · request errors (Artillery): ${e(fmtCodes(t.requestErrors))}` : ''}</p>
</section>`;
}

export function chartsHtml(charts: Array<{ id: string; title: string }>, periods: number): string {
  if (charts.length === 0) {
    return `<section id="charts"><h2>Over time</h2><p class="note">${periods === 0 ? 'No period was measured: nothing to draw.' : 'The periods hold none of the metrics the charts draw.'}</p></section>`;
  }
  return `<section id="charts"><h2>Over time</h2>
<p class="note">One point per period; time from the start of the first period. Latency per group: the group's worst endpoint in each period (as the SLO gates count it). Each y axis fits its data; a limit more than twice as high (an SLO far above a healthy run) is named at the chart's top instead of drawn. Drag to zoom, double-click to reset.</p>
<div class="charts">${charts.map((c) => `<div class="chart"><h3>${e(c.title)}</h3><div class="plot" id="chart-${e(c.id)}"></div></div>`).join('\n')}</div>
</section>`;
}

export function endpointsHtml(s: Summary): string {
  if (s.endpoints.length === 0) return '<section id="endpoints"><h2>Endpoints</h2><p class="note">No endpoint metrics in the results.</p></section>';
  const hasServer = s.endpoints.some((r) => r.serverP99 !== null);
  const rows = s.endpoints
    .map((r) => {
      const over = (v: number | null) => (r.sloMs !== null && v !== null && v > r.sloMs ? ' bad' : '');
      return `<tr data-endpoint="${e(r.name)}"><td><code>${e(r.name)}</code></td><td>${e(r.group ?? '-')}</td><td class="n">${fmtInt(r.requests)}</td><td class="n">${n(r.reqPerS, 2)}</td><td class="n${r.errors > 0 ? ' bad' : ''}">${n(r.errorPct, 2)}%</td><td class="n${r.timeouts > 0 ? ' bad' : ''}">${fmtInt(r.timeouts)}</td><td class="n">${n(r.p50)}</td><td class="n">${n(r.p90)}</td><td class="n">${n(r.p95)}</td><td class="n${over(r.p99)}">${n(r.p99)}</td><td class="n">${n(r.max)}</td>${hasServer ? `<td class="n">${n(r.serverP99)}</td>` : ''}<td class="n">${r.sloMs !== null ? fmtInt(r.sloMs) : '-'}</td><td>${e(fmtCodes(r.codes))}</td></tr>`;
    })
    .join('\n');
  return `<section id="endpoints"><h2>Endpoints</h2>
<div class="scroll"><table id="endpoint-table"><thead><tr><th>Endpoint</th><th>Group</th><th class="n">Requests</th><th class="n">req/s</th><th class="n">Error %</th><th class="n">Timeouts</th><th class="n">p50 ms</th><th class="n">p90 ms</th><th class="n">p95 ms</th><th class="n">p99 ms</th><th class="n">Max ms</th>${hasServer ? '<th class="n">Server p99 ms</th>' : ''}<th class="n">SLO p99 ms</th><th>Status codes</th></tr></thead><tbody>
${rows}
</tbody></table></div>
<p class="note">Latency: time to the first byte of the answer, over the whole run. Errors: what a user would see (5xx, timeouts, connection errors, answers failing validation), not the 4xx the journeys expect.${hasServer ? ' Server p99: the server\'s own time (Server-Timing total).' : ''}</p>
</section>`;
}

export function errorsHtml(s: Summary): string {
  if (s.errors.length === 0) return '<section id="errors"><h2>Errors</h2><p class="note" id="no-errors">No user-visible errors.</p></section>';
  const rows = s.errors
    .map((r) => {
      const first = r.firstS === null ? '-' : `${fmtClock(r.firstS)} <span class="note">(${e(fmtTimeOfDay(r.firstAt))})</span>`;
      const last = r.lastS === null ? '-' : `${fmtClock(r.lastS)} <span class="note">(${e(fmtTimeOfDay(r.lastAt))})</span>`;
      const status = r.status !== null ? String(r.status) : r.noAnswer ? 'no answer' : '-';
      return `<tr><td><code>${e(r.endpoint)}</code></td><td class="n">${e(status)}</td><td><code>${e(r.reason)}</code>${r.meaning ? `<br><span class="note">${e(r.meaning)}</span>` : ''}</td><td class="msg">${r.message !== null ? e(r.message) : '<span class="note">-</span>'}</td><td class="n">${fmtInt(r.count)}</td><td class="n">${first}</td><td class="n">${last}</td></tr>`;
    })
    .join('\n');
  return `<section id="errors"><h2>Errors</h2>
<div class="scroll"><table id="error-table"><thead><tr><th>Endpoint</th><th class="n">Status</th><th>Reason</th><th>Server message</th><th class="n">Count</th><th class="n">First</th><th class="n">Last</th></tr></thead><tbody>
${rows}
</tbody></table></div>
<p class="note">First and last: the period they occurred in, as time into the run (UTC time of day). Server messages are samples the run recorded, shown as text.</p>
</section>`;
}

export function groupsHtml(s: Summary): string {
  if (s.groups.length === 0) return '';
  const rows = s.groups
    .map((g) => `<tr><td>${e(g.group)}</td><td>${g.endpoints.map((x) => `<code>${e(x)}</code>`).join(', ')}</td><td class="n">${g.sloMs !== null ? fmtInt(g.sloMs) : '-'}</td><td class="n${g.sloMs !== null && g.p99 !== null && g.p99 > g.sloMs ? ' bad' : ''}">${n(g.p99)}</td><td>${g.worstEndpoint ? `<code>${e(g.worstEndpoint)}</code>` : '-'}</td></tr>`)
    .join('\n');
  return `<section id="groups"><h2>SLO groups</h2><table id="group-table"><thead><tr><th>Group</th><th>Endpoints</th><th class="n">SLO p99 ms</th><th class="n">p99 ms</th><th>Worst endpoint</th></tr></thead><tbody>
${rows}
</tbody></table></section>`;
}
