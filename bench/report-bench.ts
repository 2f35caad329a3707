// The report's size and speed budget on a synthetic 3-hour soak (1,100
// periods x 20 endpoints, with CPU/RAM): built in under 5 s, report.html at
// most 5 MB, and (when Debian's chromium is installed) drawn in a browser in
// under 2 s. Prints the figures and writes them to bench/results.json
// (git-ignored); exits 1 when over budget. Not part of npm test.
//   npx node bench/report-bench.ts [--keep]
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { CHROMIUM, launch, open } from '../report/browser.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { FILES, parseResultsText, writeReportFolder } from '../report/build.ts';
import { syntheticResults } from './synthetic-results.ts';

const BUDGET = { buildS: 5, htmlMb: 5, openS: 2 };
const MB = 1024 * 1024;

async function main(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'report-bench-'));
  const rawPath = join(dir, 'soak-3h.json');
  const results = syntheticResults({ test: 'soak', periods: 1100, endpoints: 20, system: true, memTotalMb: 512, driftPerHour: 0.05, leakMbPerHour: 6, seed: 3 });
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
    `input: ${results.intermediate.length} periods x 20 endpoints, raw results ${rawMb.toFixed(1)} MB`,
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
  const figures = { at: new Date().toISOString(), periods: results.intermediate.length, endpoints: 20, rawMb, buildS, htmlMb, openS, budget: BUDGET, over };
  writeFileSync(join(import.meta.dirname, 'results.json'), `${JSON.stringify(figures, null, 2)}\n`);
  if (process.argv.includes('--keep')) console.log(`kept: ${folder}`);
  else rmSync(dir, { recursive: true, force: true });
  console.log(over ? 'OVER BUDGET' : 'within budget');
  return over ? 1 : 0;
}

process.exitCode = await main();
