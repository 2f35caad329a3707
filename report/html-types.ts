// The per-type sections of the page (pure): breakpoint level table, spike
// recovery, soak first-hour vs last-hour. Empty when the figures do not exist.
import { escapeHtml as e } from './escape.ts';
import { fmtClock, fmtDuration, fmtInt, fmtNum as n, fmtUtc } from './format.ts';
import type { LevelRow, SoakWindow, Summary } from './types.ts';

export function breakpointHtml(s: Summary): string {
  const b = s.breakpoint;
  if (!b) return '';
  const slos = (l: LevelRow) =>
    l.withinSlos === null ? '<td>-</td>' : l.withinSlos ? '<td>within</td>' : `<td class="bad">missed ${e(l.missedSlos.join(', '))}</td>`;
  const rows = b.levels
    .map(
      (l) =>
        `<tr class="${e(l.status.replace(/[^a-z]+/gi, '-'))}"><td class="n">${fmtInt(l.users)}</td><td>${e(l.status)}</td><td class="n">${fmtInt(l.periods)}</td><td class="n">${n(l.reqPerS)}</td><td class="n${l.errorPct > 0 ? ' bad' : ''}">${n(l.errorPct)}</td><td class="n">${n(l.p50)}</td><td class="n">${n(l.p95)}</td><td class="n">${n(l.p99)}</td>${slos(l)}</tr>`,
    )
    .join('\n');
  const problems = b.problems.length ? `<ul class="flags">${b.problems.map((p) => `<li><b>${e(p.kind)}</b>: ${e(p.text)}</li>`).join('')}</ul>` : '';
  const rate = (x: number | null) => (x === null ? '' : `<div class="k">${n(x)} req/s</div>`);
  // Results written before the capacity within the SLOs have only the level before failure.
  const within =
    b.maxUsersWithinSlos === null
      ? ''
      : `<div class="tile"><div class="v" id="max-within-slos">${fmtInt(b.maxUsersWithinSlos)}</div><div class="k">max users within the SLOs</div>${rate(b.withinSlosReqPerS)}</div>`;
  const need = b.planRate
    ? `<div class="tile"><div class="v" id="plan-peak-rate">${n(b.planRate.peakReqPerS)}</div><div class="k">req/s the plan's peak (${fmtInt(b.planRate.peakUsers)} users) needs</div></div>`
    : '';
  const words = b.capacityText ? `<p id="capacity-text">${e(b.capacityText)}.</p>${b.rateText ? `<p id="capacity-rate">${e(b.rateText)}.</p>` : ''}` : `<p>${e(b.summary)}</p>`;
  return `<section id="breakpoint"><h2>Breakpoint</h2>
<div class="tiles">
${within}
<div class="tile"><div class="v" id="max-sustainable">${fmtInt(b.maxSustainableUsers)}</div><div class="k">max users before failure</div>${rate(b.beforeFailureReqPerS)}</div>
<div class="tile"><div class="v">${b.failingUsers !== null ? fmtInt(b.failingUsers) : '-'}</div><div class="k">failed at (users)</div></div>
${need}
<div class="tile"><div class="v">${b.found ? 'found' : 'not found'}</div><div class="k">breakpoint</div></div>
</div>
${words}
${b.failureMode ? `<p><b>Failure mode:</b> ${e(b.failureMode)}${b.failedAt ? ` (confirmed ${e(fmtUtc(b.failedAt))})` : ''}</p>` : ''}
${problems}
${
  b.levels.length
    ? `<table id="level-table"><thead><tr><th class="n">Users</th><th>Status</th><th class="n">Periods</th><th class="n">req/s</th><th class="n">Error %</th><th class="n">p50 ms</th><th class="n">p95 ms</th><th class="n">p99 ms</th><th>SLOs</th></tr></thead><tbody>
${rows}
</tbody></table>
<p class="note">Per level: the hold's periods; percentiles over all its requests; req/s completed. SLOs: every group's p99 within its SLO and the error rate within the breakpoint's limit over the hold ("held" only means the level did not fail).</p>`
    : ''
}
</section>`;
}

export function spikeHtml(s: Summary): string {
  const p = s.spike;
  if (!p) return '';
  const recovery = !p.recovered ? 'not recovered by the end of the run' : p.recoveryS === null ? '-' : p.recoveryS === 0 ? 'none needed' : fmtDuration(p.recoveryS);
  return `<section id="spike"><h2>Spike recovery</h2>
<p>${e(p.text)}</p>
<table id="spike-table"><thead><tr><th></th><th class="n">Periods</th><th class="n">Error rate</th><th class="n">Worst p99</th></tr></thead><tbody>
<tr><td>During the hold at ${fmtInt(p.peakUsers)} users (${fmtClock(p.holdStartS)} to ${fmtClock(p.holdEndS)})</td><td class="n">${fmtInt(p.during.periods)}</td><td class="n">${p.during.errorRatePct === null ? '-' : `${n(p.during.errorRatePct, 2)}%`}</td><td class="n">${p.during.worstP99 === null ? '-' : `${n(p.during.worstP99)} ms (${e(p.during.worstGroup)})`}</td></tr>
<tr><td>After the hold</td><td class="n">${fmtInt(p.after.periods)}</td><td class="n">${p.after.errorRatePct === null ? '-' : `${n(p.after.errorRatePct, 2)}%`}</td><td class="n"></td></tr>
</tbody></table>
<p><b>Recovery time:</b> <span id="recovery">${e(recovery)}</span> (plan: flag above ${e(fmtDuration(p.recoveryLimitS))}). A period is within limits when its error rate is below the test's limit and every group's p99 is within its SLO.</p>
</section>`;
}

function windowCells(w: SoakWindow, groups: string[], unit: string | null): string {
  return [
    n(w.reqPerS, 2),
    w.errorRatePct === null ? '-' : `${n(w.errorRatePct, 2)}%`,
    n(w.p95),
    ...groups.map((g) => n(w.p99ByGroup[g] ?? null)),
    w.cpuPct === null ? '-' : `${n(w.cpuPct)}%`,
    w.memory === null ? '-' : `${n(w.memory)} ${unit ?? ''}`,
  ]
    .map((c) => `<td class="n">${e(c)}</td>`)
    .join('');
}

export function soakHtml(s: Summary): string {
  const k = s.soak;
  if (!k) return '';
  const groups = Object.keys(k.first.p99ByGroup);
  const pct = (x: number | null) => (x === null ? '-' : `${x > 0 ? '+' : ''}${n(x)}%`);
  const change = [pct(k.change.reqPerS), '', pct(k.change.p95), ...groups.map((g) => pct(k.change.p99ByGroup[g] ?? null)), pct(k.change.cpuPct), pct(k.change.memory)]
    .map((c) => `<td class="n">${e(c)}</td>`)
    .join('');
  const label = k.windowS >= 3600 ? 'hour' : fmtDuration(k.windowS);
  return `<section id="soak"><h2>Soak: first ${e(label)} vs last ${e(label)} of the hold</h2>
<table id="soak-table"><thead><tr><th></th><th class="n">req/s</th><th class="n">Error rate</th><th class="n">p95 ms</th>${groups.map((g) => `<th class="n">p99 ${e(g)} ms</th>`).join('')}<th class="n">CPU</th><th class="n">Memory</th></tr></thead><tbody>
<tr><td>First (${fmtClock(k.first.fromS)} to ${fmtClock(k.first.toS)}, ${fmtInt(k.first.periods)} periods)</td>${windowCells(k.first, groups, k.memoryUnit)}</tr>
<tr><td>Last (${fmtClock(k.last.fromS)} to ${fmtClock(k.last.toS)}, ${fmtInt(k.last.periods)} periods)</td>${windowCells(k.last, groups, k.memoryUnit)}</tr>
<tr><td>Change</td>${change}</tr>
</tbody></table>
<p class="note">Latency: the median of the window's periods. Plan, step 7: flag a performance degradation above 15% or a memory growth above 10%.</p>
${k.flags.length ? `<ul class="flags" id="soak-flags">${k.flags.map((f) => `<li>${e(f)}</li>`).join('')}</ul>` : '<p id="soak-flags">No drift flagged.</p>'}
</section>`;
}
