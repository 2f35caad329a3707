// How far the load per user exceeded the plan's (plugins/.../load-per-user.ts):
// from the run's periods and the journeys as the processors define them.
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadRunJourneys } from '../plugins/artillery-plugin-hmp/journeys-of-run.ts';
import { loadPerUserOf } from '../plugins/artillery-plugin-hmp/load-per-user.ts';
import { resolveSettings } from '../plugins/artillery-plugin-hmp/settings.ts';
import type { RawPeriod } from '../plugins/artillery-plugin-hmp/core/results.ts';

/** Periods of 10 s with `users` active sending `perUserS` requests a second each, answered in 20 ms. */
function periods(users: number, perUserS: number, n = 6): RawPeriod[] {
  return Array.from({ length: n }, (_, i) => ({
    period: 1_700_000_000_000 + i * 10_000,
    counters: { 'http.requests': users * perUserS * 10 },
    summaries: { 'plugins.hmp.users.active': { min: users, max: users, mean: users, count: 10 }, 'http.response_time': { min: 5, max: 40, mean: 20, count: users * perUserS * 10 } },
  })) as unknown as RawPeriod[];
}

test('a compressed think time: each user sends many times what a user of the plan sends, in words; the journeys\' own: said as the same', async () => {
  const root = join(import.meta.dirname, '..');
  const settings = resolveSettings({ test: 'average' }, join(root, 'phases'), {}, {});
  const at = (timeScale: number) => loadRunJourneys({ processorsDir: settings.processorsDir, scenariosPath: settings.scenarios, env: {}, variables: {}, timeScale });
  const compressed = loadPerUserOf(periods(15, 2), await at(0.02))!;
  assert.equal(compressed.runPerUserReqPerS, 2);
  assert.ok(compressed.planPerUserReqPerS > 0.05 && compressed.planPerUserReqPerS < 0.3, String(compressed.planPerUserReqPerS));
  assert.ok(compressed.factor > 5, String(compressed.factor));
  assert.match(compressed.text, /^each user sent 2 req\/s thinking 0\.1-0\.3 s: about \d+x what a user of the plan sends thinking 5-15 s \(about [\d.]+ req\/s\); its users are not the plan's users$/);
  const plain = loadPerUserOf(periods(15, 0.12), await at(1))!;
  assert.match(plain.text, /^each user sent 0\.12 req\/s, thinking the journeys' own 5-15 s/);
  assert.equal(loadPerUserOf([], await at(1)), undefined);
  assert.equal(loadPerUserOf(periods(15, 2), { why: 'no processors' }), undefined);
});
