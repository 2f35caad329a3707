// The plugin's console filter (pure): Artillery's metric dumps (per period
// and at the end), its phase lines and ensure's checks of the plugin's own
// criteria are held back; everything else is printed; HMP_CONSOLE_METRICS=on
// switches it off.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { consoleMetricsOn, holdBackPeriodDumps } from '../plugins/artillery-plugin-hmp/console-filter.ts';

test('per-period dumps and phase lines are held back; other lines are printed', () => {
  const printed: unknown[][] = [];
  const artillery = { log: (...args: unknown[]) => void printed.push(args) };
  const undo = holdBackPeriodDumps(artillery);
  artillery.log('Phase started: spares (index: 1, duration: 2s) 10:00:00(+0000)\n');
  artillery.log('--------------------------------------\nMetrics for period to: 10:00:10(+0000) (width: 9.5s)\n--------------------------------------\n');
  artillery.log('http.requests: ...... 40\nhttp.responses: ...... 40');
  artillery.log();
  artillery.log();
  artillery.log('hmp-like line from someone else');
  artillery.log('-------------------\nMetrics for period to: 10:00:20(+0000) (width: 10s)\n-------------------\n');
  artillery.log('No measurements recorded during this period');
  artillery.log();
  artillery.log();
  assert.deepEqual(printed, [['hmp-like line from someone else']]);
  undo();
  artillery.log('Phase started: x');
  assert.equal(printed.length, 2, 'undone: everything prints again');
});

test("the end-of-run summary and ensure's checks of the plugin's criteria are held back; a check of one's own and an error are printed", () => {
  const printed: unknown[][] = [];
  const artillery = { log: (...args: unknown[]) => void printed.push(args) };
  holdBackPeriodDumps(artillery);
  artillery.log('All VUs finished. Total time: 15 seconds\n');
  artillery.log('--------------------------------\nSummary report @ 03:52:45(+0000)\n--------------------------------\n');
  artillery.log('http.codes.200: ........................ 559');
  artillery.log('http.response_time:');
  artillery.log('  min: ................................. 0');
  artillery.log('  p99: ................................. 12.1');
  artillery.log('vusers.session_length:\n  min: ..... 114.2\n  max: ..... 12753.1');
  artillery.log();
  artillery.log('Error: something Artillery had to say');
  artillery.log('\nChecks:');
  artillery.log('\u001b[32mok\u001b[39m: (plugins.hmp.criteria.errors or 0) == 0');
  artillery.log('fail: (plugins.hmp.criteria.load_shortfall or 0) == 0');
  assert.deepEqual(printed, [['All VUs finished. Total time: 15 seconds\n'], ['Error: something Artillery had to say']], 'only the plugin checks: no header either');
  artillery.log('fail: http.response_time.p95 < 100');
  assert.deepEqual(printed.slice(2), [['\nChecks:'], ['fail: http.response_time.p95 < 100']]);
});

test('HMP_CONSOLE_METRICS=on brings the dumps back', () => {
  assert.equal(consoleMetricsOn({}), false);
  assert.equal(consoleMetricsOn({ HMP_CONSOLE_METRICS: 'on' }), true);
  assert.equal(consoleMetricsOn({ HMP_CONSOLE_METRICS: 'off' }), false);
});
