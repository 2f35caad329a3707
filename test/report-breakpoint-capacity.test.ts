// The breakpoint's two capacities in the report: summary.json reads them from
// the plugin's record (never judged again), the capacity verdict judges the
// plan's peak on the capacity within the SLOs (in req/s at another think
// time), and report.html and summary.md show both, in users and req/s, with
// the SLOs each level missed, escaped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderHtml, renderMarkdown, summarize } from '../report/build.ts';
import type { Results } from '../report/types.ts';
import type { BreakpointIn } from '../plugins/artillery-plugin-hmp/core/hmp-section.ts';
import { syntheticResults } from './support/synthetic-results.ts';

const PLAN_RATE = { requestsPerSession: 5.54, thinksPerSession: 4.3, latencyUsers: 40, meanLatencyMs: 120, perUserReqPerS: 0.1283, peakUsers: 60, peakReqPerS: 7.7, averageUsers: 15, averageReqPerS: 1.92 };

/** The synthetic breakpoint (failed at 120) with the plugin's capacities: within the SLOs up to 40 users, 60 missed list. */
function withCapacities(think: [number, number], missed = 'list p99 1.2 s > 700 ms'): Results {
  const r = syntheticResults({ test: 'breakpoint', seed: 4 });
  const b = r.aggregate.hmp!.breakpoint as BreakpointIn;
  b.levels = b.levels!.map((l) => ({ ...l, meanMs: 120, withinSlos: l.status === 'held' ? l.users! <= 40 : null, missedSlos: l.status === 'held' && l.users! > 40 ? [missed] : [] }));
  const reqPerS = (users: number) => b.levels!.find((l) => l.users === users)!.reqPerS!;
  Object.assign(b, {
    maxUsersWithinSlos: 40,
    withinSlosReqPerS: reqPerS(40),
    maxUsersBeforeFailure: 100,
    beforeFailureReqPerS: reqPerS(100),
    topUsers: 200,
    firstMiss: { users: 60, status: 'held', reqPerS: reqPerS(60), text: `60 users missed ${missed}` },
    think: { run: { student: think, instructor: think }, journeys: { student: [5, 15], instructor: [5, 15] }, same: think[0] === 5 && think[1] === 15 },
    planRate: PLAN_RATE,
    summary: `breakpoint: max users within the SLOs: 40 (60 users missed ${missed}); max users before failure: 100 (failed at 120: errors, latency)`,
  });
  return r;
}

test('summary.json: both capacities as recorded; at the journeys\' think time the verdict judges users within the SLOs', () => {
  const s = summarize(withCapacities([5, 15]));
  const b = s.breakpoint!;
  assert.deepEqual([b.maxUsersWithinSlos, b.maxSustainableUsers, b.firstMiss], [40, 100, '60 users missed list p99 1.2 s > 700 ms']);
  assert.equal(b.capacityText, 'max users within the SLOs: 40 (60 users missed list p99 1.2 s > 700 ms); max users before failure: 100 (failed at 120: errors, latency)');
  assert.deepEqual(b.planRate, PLAN_RATE);
  assert.equal(b.levels.find((l) => l.users === 60)!.withinSlos, false);
  const v = s.verdicts.find((x) => x.id === 'capacity')!;
  assert.deepEqual([v.name, v.measured, v.limit, v.unit, v.pass], ["Max users within the SLOs (the plan's peak)", 40, 60, 'users', false], 'the level before failure (100) no longer passes the plan\'s peak');
  assert.equal(s.outcome, 'FAIL');
  assert.match(s.headline, /^REPORT: breakpoint: max users within the SLOs: 40 \(60 users missed list p99 1\.2 s > 700 ms\); max users before failure: 100/);
});

test('summary.json: a run thinking 0.5-1.5 s is judged in req/s against what the plan\'s peak needs at 5-15 s', () => {
  const r = withCapacities([0.5, 1.5]);
  const s = summarize(r);
  const v = s.verdicts.find((x) => x.id === 'capacity')!;
  const held = s.breakpoint!.withinSlosReqPerS!;
  assert.deepEqual([v.unit, v.measured, v.limit, v.pass], ['req/s', held, 7.7, held >= 7.7]);
  assert.match(v.note!, new RegExp(`^held ${held} req/s within the SLOs at 40 users thinking 0\\.5-1\\.5 s; the plan's peak of 60 users at 5-15 s needs about 7\\.7 req/s: ${held >= 7.7 ? 'met' : 'not met'}`));
});

test('report.html and summary.md show both capacities, in users and req/s, the plan\'s need and each level\'s missed SLOs, escaped', () => {
  const r = withCapacities([0.5, 1.5], 'list p99 <b>1.2 s</b> > 700 ms');
  const s = summarize(r);
  const html = renderHtml(s, r);
  assert.match(html, /<div class="v" id="max-within-slos">40<\/div><div class="k">max users within the SLOs<\/div><div class="k">[\d.]+ req\/s<\/div>/);
  assert.match(html, /<div class="v" id="max-sustainable">100<\/div><div class="k">max users before failure<\/div>/);
  assert.match(html, /<div class="v" id="plan-peak-rate">7\.7<\/div><div class="k">req\/s the plan's peak \(60 users\) needs<\/div>/);
  assert.match(html, /<p id="capacity-rate">in req\/s: within the SLOs [\d.]+ req\/s at 40 users, before failure [\d.]+ req\/s at 100 users, thinking 0\.5-1\.5 s; the plan&#39;s peak of 60 users at 5-15 s needs about 7\.7 req\/s, its average of 15 users about 1\.9 req\/s/);
  assert.match(html, /<th>SLOs<\/th>/);
  assert.match(html, /<tr class="held"><td class="n">60<\/td>.*<td class="bad">missed list p99 &lt;b&gt;1\.2 s&lt;\/b&gt; &gt; 700 ms<\/td><\/tr>/);
  assert.match(html, /<tr class="held"><td class="n">40<\/td>.*<td>within<\/td><\/tr>/);
  assert.doesNotMatch(html, /<b>1\.2 s<\/b>/);
  const md = renderMarkdown(s);
  assert.match(md, /\*\*Breakpoint:\*\* max users within the SLOs \*\*40\*\* \([\d.]+ req\/s\): 60 users missed list p99 &lt;b&gt;1\.2 s&lt;\/b&gt; &gt; 700 ms; max users before failure \*\*100\*\* \([\d.]+ req\/s\); failed at 120 users\./);
  assert.match(md, /\nin req\/s: within the SLOs [\d.]+ req\/s at 40 users, .* needs about 7\.7 req\/s/);
  assert.match(md, /\| users \| status \| req\/s \| error % \| p50 ms \| p95 ms \| p99 ms \| SLOs \|/);
  assert.match(md, /\| 40 \| held \|[^\n]*\| within \|/);
  assert.match(md, /\| 60 \| held \|[^\n]*\| missed list p99 &lt;b&gt;1\.2 s&lt;\/b&gt; &gt; 700 ms \|/);
});
