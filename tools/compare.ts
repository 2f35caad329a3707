// `npm run compare -- <baseline> <new> [--budget-p99 15]`: per endpoint the
// change in p50/p95/p99, error rate and req/s between two runs, and the
// regressions beyond the budget (the one rule, as the runs index judges).
// Prints the table and writes it as compare.md next to the new run.
// Exit 0: no regression, 1: regression, 2: bad input.
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { compareRuns, DEFAULT_BUDGET, type Budget } from '../suite/compare.ts';
import { renderComparison } from '../suite/compare-markdown.ts';
import { loadRun } from '../suite/results-file.ts';
import { writeAtomic } from '../lib/atomic-file.ts';
import { UsageError } from '../lib/cli-args.ts';
import { ResultsError } from '../plugins/artillery-plugin-hmp/core/results.ts';

const USAGE = `Usage: npm run compare -- <baseline> <new> [options]

<baseline>, <new>: report folders (reports/<test>-<time>/, holding results.json) or results JSON files.

  --budget-p99 PCT          allowed p99 rise per endpoint (default ${DEFAULT_BUDGET.p99Pct})
  --budget-error-rate PTS   allowed error-rate rise in percentage points (default ${DEFAULT_BUDGET.errorRatePoints})
  --min-requests N          do not judge endpoints with fewer answers in either run (default ${DEFAULT_BUDGET.minRequests})
  --min-delta-ms MS         latency rises below this are noise (default ${DEFAULT_BUDGET.minDeltaMs})
  --out FILE                where to write the markdown (default: compare.md next to <new>)
  --help                    this text

The defaults are phases/common.yml's \`regression\`, which the runs index (npm run reports) judges by.
p50, p95 and req/s are shown as changes, not judged: the budget names none of them (req/s follows the load shape).

Exit code: 0 no regression, 1 regression beyond the budget, 2 bad input.`;

/** Options of earlier versions that judged what the budget does not name. */
const GONE = ['budget-p95', 'budget-rps'];

/** The options that set the budget, and the field each sets. */
const BUDGET_OPTIONS: Array<[string, keyof Budget]> = [
  ['budget-p99', 'p99Pct'],
  ['budget-error-rate', 'errorRatePoints'],
  ['min-requests', 'minRequests'],
  ['min-delta-ms', 'minDeltaMs'],
];

function number(name: string, raw: string | undefined, min = 0): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n < min) throw new UsageError(`--${name} must be a number >= ${min}, got "${raw}".`);
  return n;
}

function main(argv: string[]): number {
  const gone = GONE.find((name) => argv.some((a) => a === `--${name}` || a.startsWith(`--${name}=`)));
  if (gone) {
    console.error(`compare: --${gone} is no longer an option: a regression is what phases/common.yml's \`regression\` names (p99, error rate), as in the runs index; p95 and req/s are shown as changes.`);
    return 2;
  }
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        help: { type: 'boolean' },
        ...Object.fromEntries(BUDGET_OPTIONS.map(([option]) => [option, { type: 'string' as const }])),
        out: { type: 'string' },
      },
    }));
  } catch (err) {
    console.error(`compare: ${(err as Error).message.split('\n')[0]} Run with --help to see the options.`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  try {
    if (positionals.length !== 2) throw new UsageError(`give two runs, the baseline and the new one (got ${positionals.length}); run with --help.`);
    const budget: Partial<Budget> = {};
    for (const [option, key] of BUDGET_OPTIONS) {
      const n = number(option, values[option] as string | undefined);
      if (n !== undefined) budget[key] = n;
    }
    const base = loadRun(positionals[0]!);
    const next = loadRun(positionals[1]!);
    const comparison = compareRuns(base.results, next.results, budget);
    const md = renderComparison(comparison, { base: base.label, next: next.label });
    const out = (values.out as string | undefined) ?? join(next.dir, 'compare.md');
    try {
      writeAtomic(out, md);
    } catch (err) {
      throw new UsageError(`cannot write ${out} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); pass --out FILE.`);
    }
    console.log(md);
    console.log(`written to ${out}`);
    return comparison.regressed ? 1 : 0;
  } catch (err) {
    if (err instanceof UsageError || err instanceof ResultsError) {
      console.error(`compare: ${err.message}`);
      return 2;
    }
    // Never let a failure look like a regression (exit 1); the stack only when asked.
    console.error(`compare: internal error: ${(err as Error).message}; please report it${process.env.DEBUG ? `\n${(err as Error).stack}` : ' (DEBUG=1 shows the stack)'}.`);
    return 2;
  }
}

process.exitCode = main(process.argv.slice(2));
