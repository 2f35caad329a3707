// The plugin's console filter (pure): Artillery's per-period dumps and phase
// lines are held back, everything else (the plugin's words, the final
// summary report) is printed; HMP_CONSOLE_METRICS=on switches it off.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { consoleMetricsOn, holdBackPeriodDumps } from '../plugins/artillery-plugin-hmp/console-filter.ts';

test('per-period dumps and phase lines are held back; the summary report and other lines are printed', () => {
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
  artillery.log('Summary report @ 10:00:31(+0000)');
  artillery.log('http.requests: ...... 80');
  assert.deepEqual(printed, [['hmp-like line from someone else'], ['Summary report @ 10:00:31(+0000)'], ['http.requests: ...... 80']]);
  undo();
  artillery.log('Phase started: x');
  assert.equal(printed.length, 4, 'undone: everything prints again');
});

test('HMP_CONSOLE_METRICS=on brings the dumps back', () => {
  assert.equal(consoleMetricsOn({}), false);
  assert.equal(consoleMetricsOn({ HMP_CONSOLE_METRICS: 'on' }), true);
  assert.equal(consoleMetricsOn({ HMP_CONSOLE_METRICS: 'off' }), false);
});
