// The report folder (writeReportFolder) and the CLI (npm run report): the
// six files, written atomically, rebuilt from saved results; bad input is
// one sentence on stderr and exit 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FILES, folderName, summarize, writeReportFolder } from '../report/build.ts';
import { syntheticResults } from './support/synthetic-results.ts';

const ROOT = join(import.meta.dirname, '..');

function tmp(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'report-build-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function cli(args: string[], cwd = ROOT): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--disable-warning=ExperimentalWarning', join(ROOT, 'tools/report.ts'), ...args], { cwd, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

test('writeReportFolder writes reports/<test>-<UTC start>/ with the six files and nothing else', (t) => {
  const dir = tmp(t);
  const r = syntheticResults({ test: 'average', seed: 1, startAt: Date.UTC(2026, 10, 27, 9, 0, 0) });
  const folder = writeReportFolder(r, { reportsDir: join(dir, 'reports') });
  assert.equal(folder, join(dir, 'reports', 'average-20261127T090003Z'));
  assert.deepEqual(readdirSync(folder).sort(), [FILES.html, FILES.raw, FILES.summaryJson, FILES.summaryMd, FILES.junit, FILES.csv].sort());
  assert.deepEqual(JSON.parse(readFileSync(join(folder, FILES.raw), 'utf8')), JSON.parse(JSON.stringify(r)));
  const summary = JSON.parse(readFileSync(join(folder, FILES.summaryJson), 'utf8'));
  assert.equal(summary.schema, 'hmp-load/summary@1');
  assert.equal(summary.outcome, 'PASS');
  assert.equal(summary.tool.source, 'report-build');
  assert.match(summary.tool.version, /^\d+\.\d+\.\d+/);
  assert.match(readFileSync(join(folder, FILES.summaryMd), 'utf8'), /^### ✅ HMP average test: PASS/);
  assert.match(readFileSync(join(folder, FILES.html), 'utf8'), /^<!doctype html>/);

  // Rebuilt from the same results: the same folder, files replaced.
  assert.equal(writeReportFolder(r, { reportsDir: join(dir, 'reports') }), folder);
  assert.equal(readdirSync(folder).length, 6);
});

test('label, raw file name and raw text are kept; the run\'s own tool version wins', (t) => {
  const dir = tmp(t);
  const r = syntheticResults({ test: 'spike', seed: 2 });
  r.aggregate.hmp!.tool = { version: '9.9.9', commit: 'abc1234' };
  const raw = JSON.stringify(r); // compact: must be kept byte for byte
  const folder = writeReportFolder(r, { reportsDir: dir, label: 'night run/2', rawFileName: '../out.json', rawText: raw });
  assert.match(folder, /spike-\d{8}T\d{6}Z-night-run-2$/);
  assert.equal(readFileSync(join(folder, 'out.json'), 'utf8'), raw);
  const summary = JSON.parse(readFileSync(join(folder, FILES.summaryJson), 'utf8'));
  assert.deepEqual(summary.tool, { name: 'hmp-load', version: '9.9.9', commit: 'abc1234', source: 'results' });
});

test('an in-memory run\'s sketches are saved as their summaries, as Artillery\'s -o file holds them', (t) => {
  const dir = tmp(t);
  const r = syntheticResults({ test: 'average', periods: 3, seed: 3 });
  const p = r.intermediate[1]!;
  p.histograms = { 'http.response_time': { toProto: () => new Uint8Array(), bins: [1, 2, 3] } };
  const folder = writeReportFolder(r, { reportsDir: dir });
  const saved = JSON.parse(readFileSync(join(folder, FILES.raw), 'utf8'));
  assert.deepEqual(saved.intermediate[1].histograms, JSON.parse(JSON.stringify(p.summaries)));
});

test('the folder name comes from the run\'s start; without one, from now', () => {
  const s = summarize(syntheticResults({ test: 'soak', periods: 2, startAt: Date.UTC(2026, 0, 2, 3, 4, 0) }));
  assert.equal(folderName(s), 'soak-20260102T030403Z');
  const none = summarize({ aggregate: { counters: {} }, intermediate: [] });
  assert.equal(folderName(none, undefined, Date.UTC(2026, 5, 1)), 'unknown-20260601T000000Z');
});

test('CLI: npm run report -- <results.json> rebuilds the folder under --out', async (t) => {
  const dir = tmp(t);
  const file = join(dir, 'run.json');
  writeFileSync(file, JSON.stringify(syntheticResults({ test: 'average', latencyFactor: 5, seed: 2 })));
  const r = await cli([file, '--out', join(dir, 'out')]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^FAIL: \d+ of \d+ criteria missed/);
  assert.match(r.stdout, /report: .*average-\d{8}T\d{6}Z\/report\.html \(also results\.json, summary\.json, summary\.md\)/);
  const [folder] = readdirSync(join(dir, 'out'));
  assert.deepEqual(readdirSync(join(dir, 'out', folder!)).sort(), ['junit.xml', 'periods.csv', 'report.html', 'results.json', 'summary.json', 'summary.md']);
  assert.equal(readFileSync(join(dir, 'out', folder!, 'results.json'), 'utf8'), readFileSync(file, 'utf8'));
});

test('CLI: a missing file, a file that is not JSON, or JSON that is not results: one sentence, exit 2', async (t) => {
  const dir = tmp(t);
  writeFileSync(join(dir, 'notjson.json'), 'hello');
  writeFileSync(join(dir, 'other.json'), '{"name": "package"}');
  const cases: Array<[string[], RegExp]> = [
    [[join(dir, 'missing.json')], /^report: cannot read .*missing\.json \(no such file\); give the path of a results JSON written by "artillery run -o" or by the suite\.\n$/],
    [[join(dir, 'notjson.json')], /^report: .*notjson\.json is not JSON \(.*\); give the results file written by "artillery run -o" or by the suite\.\n$/],
    [[join(dir, 'other.json')], /^report: .*other\.json is not an Artillery results file \(expected a JSON object with "aggregate" and "intermediate", as "artillery run -o" writes\)\.\n$/],
    [[], /^report: give exactly one results file \(got 0\); e\.g\. npm run report -- reports\/average-run\.json\.\n$/],
    [['--bogus', 'x'], /^report: Unknown option '--bogus'.*; run with --help for usage\.\n$/],
  ];
  for (const [args, message] of cases) {
    const r = await cli(args, dir);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stdout, '');
  }
  assert.deepEqual(readdirSync(dir).sort(), ['notjson.json', 'other.json']); // nothing written
  const help = await cli(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: npm run report -- <results\.json> \[options\]/);
});

test('the plugin\'s own results on an early stop (its aggregate of sketches) give a report', async (t) => {
  const dir = tmp(t);
  const { DDSketch } = await import('@artilleryio/sketches-js');
  const { aggregate, plainPeriod } = await import('../plugins/artillery-plugin-hmp/core/aggregate.ts');
  const at = Date.UTC(2026, 10, 27, 10, 0, 0);
  const periods = [0, 1].map((i) => {
    const h = new DDSketch({ relativeAccuracy: 0.01 });
    for (const ms of [100, 120, 140, 900]) h.accept(ms + i);
    const histograms = { 'plugins.metrics-by-endpoint.response_time.project_list': h };
    return {
      period: at + i * 10_000,
      counters: { 'http.requests': 4, 'http.responses': 4, 'plugins.metrics-by-endpoint.project_list.codes.200': 3, 'plugins.metrics-by-endpoint.project_list.codes.500': 1, 'plugins.hmp.errors.project_list': 1, 'plugins.hmp.errors.project_list.status_500': 1 },
      histograms,
      summaries: {},
    };
  });
  // As the plugin's #writeOwnResults builds them, while the run is still in memory (sketches in the aggregate).
  const report = aggregate(periods) as Record<string, unknown>;
  report.hmp = { test: 'stress', earlyStop: true, startedAt: at + 1000, endedAt: at + 20_000, criteria: { slo: { list: 700 }, groups: { list: ['project_list'] }, maxErrorRate: 2 } };
  report.histograms = { x: new DDSketch({ relativeAccuracy: 0.01 }) };
  const folder = writeReportFolder({ aggregate: report, intermediate: periods.map(plainPeriod) }, { reportsDir: dir });
  const summary = JSON.parse(readFileSync(join(folder, FILES.summaryJson), 'utf8'));
  assert.equal(summary.outcome, 'FAIL'); // 25% errors > 2%
  assert.equal(summary.run.earlyStop, true);
  assert.match(summary.headline, /Stopped early: the figures cover what was measured\.$/);
  assert.equal(summary.endpoints[0].requests, 8);
  assert.equal(summary.verdicts.find((v: { id: string }) => v.id === 'p99.list').measured, (report.summaries as Record<string, { p99: number }>)['plugins.metrics-by-endpoint.response_time.project_list']!.p99);
  const raw = JSON.parse(readFileSync(join(folder, FILES.raw), 'utf8'));
  assert.deepEqual(raw.aggregate.histograms, raw.aggregate.summaries); // sketches saved as summaries
});
