// The report's size and speed budget on a 3-hour soak (1,100 periods, with
// CPU/RAM): the periods of a real run (bench/average-run.json: the suite's
// average test against the twin at time scale 0.02, CPU/RAM merged) repeated
// for 3 hours. Built in under 5 s, report.html at most 5 MB, and (when
// Debian's chromium is installed) drawn in a browser in under 2 s. Prints the
// figures and writes them to bench/results.json (git-ignored); exits 1 when
// over budget. Not part of npm test.
//   npx node bench/report-bench.ts [--keep]
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { CHROMIUM, launch, open } from '../report/browser.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { asResults, PERIOD_MS, periodStart, type Period, type Results } from '../plugins/artillery-plugin-hmp/core/results.ts';
import { LATENCY_PREFIX } from '../plugins/artillery-plugin-hmp/core/metric-names.ts';
import { buildShape } from '../plugins/artillery-plugin-hmp/shape.ts';
import { FILES, parseResultsText, writeReportFolder } from '../report/build.ts';
import { readPhases } from '../suite/run/plan.ts';

const BUDGET = { buildS: 5, htmlMb: 5, openS: 2 };
const MB = 1024 * 1024;
const SOAK_PERIODS = 1100;

/** A period moved by `ms`: its key and every first/last timestamp. */
function shifted(p: Period, ms: number): Period {
  const out: Record<string, unknown> = { ...p };
  for (const [k, v] of Object.entries(p)) if ((k === 'period' || k.endsWith('At')) && typeof v === 'number') out[k] = v + ms;
  return out as Period;
}

/** The run's periods repeated to `periods` periods of a soak (the soak's shape at full length); counters summed. */
function soakOf(run: Results, periods: number): Results {
  const src = run.intermediate;
  const t0 = periodStart(src[0]!)!;
  const intermediate = Array.from({ length: periods }, (_, i) => shifted(src[i % src.length]!, t0 + i * PERIOD_MS - periodStart(src[i % src.length]!)!));
  const counters: Record<string, number> = {};
  for (const p of intermediate) for (const [k, v] of Object.entries(p.counters ?? {})) counters[k] = (counters[k] ?? 0) + v;
  const hmp = { ...(run.aggregate.hmp as object), test: 'soak', timeScale: 1, shape: buildShape(readPhases('soak')).segments, jitter: [], startedAt: t0, endedAt: t0 + periods * PERIOD_MS };
  return { aggregate: { ...run.aggregate, counters, hmp }, intermediate };
}

async function main(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'report-bench-'));
  const rawPath = join(dir, 'soak-3h.json');
  const run = join(import.meta.dirname, 'average-run.json');
  const results = soakOf(asResults(JSON.parse(readFileSync(run, 'utf8')), run), SOAK_PERIODS);
  const endpoints = new Set(results.intermediate.flatMap((p) => Object.keys(p.summaries ?? {}).filter((k) => k.startsWith(LATENCY_PREFIX)))).size;
  writeFileSync(rawPath, JSON.stringify(results, null, 2));
  const rawMb = statSync(rawPath).size / MB;

  // As `npm run report` does it: read, parse, summarize, render, write the four files.
  const t0 = performance.now();
  const text = readFileSync(rawPath, 'utf8');
  const folder = writeReportFolder(parseResultsText(text, rawPath), { reportsDir: dir, rawText: text });
  const buildS = (performance.now() - t0) / 1000;
  const htmlPath = join(folder, FILES.html);
  const htmlMb = statSync(htmlPath).size / MB;

  const lines = [
    `input: ${results.intermediate.length} periods x ${endpoints} endpoints (a real run's, repeated), raw results ${rawMb.toFixed(1)} MB`,
    `build: ${buildS.toFixed(2)} s (budget ${BUDGET.buildS} s)`,
    `report.html: ${htmlMb.toFixed(2)} MB (budget ${BUDGET.htmlMb} MB)`,
  ];
  let over = buildS > BUDGET.buildS || htmlMb > BUDGET.htmlMb;
  let openS: number | null = null;
  if (existsSync(CHROMIUM)) {
    const browser = (await launch())!;
    try {
      openS = (await open(browser.context, htmlPath)).ms / 1000;
    } finally {
      await browser.close();
    }
    lines.push(`open in chromium: ${openS.toFixed(2)} s to charts drawn (budget ${BUDGET.openS} s)`);
    over ||= openS > BUDGET.openS;
  } else {
    lines.push(`open in chromium: skipped (${CHROMIUM} not installed)`);
  }
  console.log(lines.join('\n'));
  const figures = { at: new Date().toISOString(), periods: results.intermediate.length, endpoints, rawMb, buildS, htmlMb, openS, budget: BUDGET, over };
  writeFileSync(join(import.meta.dirname, 'results.json'), `${JSON.stringify(figures, null, 2)}\n`);
  if (process.argv.includes('--keep')) console.log(`kept: ${folder}`);
  else rmSync(dir, { recursive: true, force: true });
  console.log(over ? 'OVER BUDGET' : 'within budget');
  return over ? 1 : 0;
}

process.exitCode = await main();
