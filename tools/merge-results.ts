// Merges the workers of a distributed run started by hand, as run-fargate's
// launcher merges its workers: each worker wrote what a cloud worker sends
// its launcher (HMP_WORKER_STATS=FILE: every period's metrics, serialized as
// Artillery's SQS reporter does); the periods are merged with Artillery's
// own code (SSMS.mergeBuckets, then SSMS.pack for the aggregate, as its
// platform/aws-ecs/legacy/sqs-reporter.js does) and written as the launcher
// writes its -o file.
//   npx node tools/merge-results.ts <worker-stats>... -o merged.json
// then: npm run report -- merged.json --phase phases/<test>.yml
// Bad input: one sentence on stderr, exit 2.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseCommandLine, UsageError, whyUnreadable } from '../lib/cli-args.ts';

export const USAGE = `Usage: npx node tools/merge-results.ts <worker-stats>... -o <merged.json>
Merges the stats files of a distributed run's workers (each written with
HMP_WORKER_STATS=FILE) as Artillery's run-fargate launcher merges its
workers, into one results file ({aggregate, intermediate, testId}); build its
report with: npm run report -- <merged.json> --phase phases/<test>.yml
  -o, --output FILE   the merged results (required)
  --help              print this help`;

interface Sketch {
  toProto(): Uint8Array;
}
interface PeriodData {
  period: number | string;
  counters?: Record<string, number>;
  histograms?: Record<string, Sketch>;
  summaries?: Record<string, unknown>;
  [k: string]: unknown;
}
interface Ssms {
  deserializeMetrics(s: string): PeriodData;
  mergeBuckets(pds: PeriodData[]): Record<string, PeriodData>;
  pack(pds: PeriodData[]): PeriodData;
  summarizeHistogram(h: Sketch): Record<string, number>;
}

/** Artillery's metrics module (not among its package's exports: read by path, from the installed copy). */
async function ssms(): Promise<Ssms> {
  const root = dirname(createRequire(import.meta.url).resolve('artillery/package.json'));
  return ((await import(pathToFileURL(join(root, 'dist/lib/core/ssms.js')).href)) as { SSMS: Ssms }).SSMS;
}

export class MergeInputError extends Error {}

export interface WorkerStats {
  file: string;
  testRunId: string | undefined;
  /** Serialized periods, as the worker's SQS reporter would send them. */
  periods: string[];
}

/** One worker's stats file; throws MergeInputError. */
export function readWorkerStats(file: string, text: string): WorkerStats {
  let testRunId: string | undefined;
  const periods: string[] = [];
  for (const [i, line] of text.split('\n').entries()) {
    if (!line.trim()) continue;
    let msg: { event?: unknown; stats?: unknown; testRunId?: unknown };
    try {
      msg = JSON.parse(line);
    } catch {
      throw new MergeInputError(`${file} line ${i + 1} is not JSON: give the files the workers wrote with HMP_WORKER_STATS.`);
    }
    if (msg.event === 'worker' && typeof msg.testRunId === 'string') testRunId = msg.testRunId;
    else if (msg.event === 'workerStats' && typeof msg.stats === 'string') periods.push(msg.stats);
  }
  if (!periods.length) throw new MergeInputError(`${file} holds no period of metrics: give the files the workers wrote with HMP_WORKER_STATS (a worker that ran writes one line per 10 s period).`);
  return { file, testRunId, periods };
}

/** Histograms as their summaries: what the launcher writes to its -o file. */
function plain(pd: PeriodData, s: Ssms): PeriodData {
  const summaries = Object.fromEntries(Object.entries(pd.histograms ?? {}).map(([k, h]) => [k, s.summarizeHistogram(h)]));
  return { ...pd, summaries, histograms: summaries as unknown as Record<string, Sketch> };
}

/** The launcher's merge of these workers: periods merged by start, the aggregate packed from them. */
export async function mergeWorkers(workers: WorkerStats[]): Promise<{ aggregate: PeriodData; intermediate: PeriodData[]; testId?: string; metadata: { count: number } }> {
  const ids = new Set(workers.map((w) => w.testRunId).filter((x) => x !== undefined));
  if (ids.size > 1) throw new MergeInputError(`the files come from ${ids.size} different runs (test ids ${[...ids].join(', ')}): merge the workers of one run.`);
  const s = await ssms();
  const byPeriod = new Map<string, PeriodData[]>();
  for (const w of workers) {
    for (const text of w.periods) {
      const pd = s.deserializeMetrics(text);
      const key = String(pd.period);
      byPeriod.set(key, [...(byPeriod.get(key) ?? []), pd]);
    }
  }
  const merged = [...byPeriod.keys()].sort((a, b) => Number(a) - Number(b)).map((key) => s.mergeBuckets(byPeriod.get(key)!)[key]!);
  const aggregate = s.pack(merged.map((pd) => ({ ...pd })));
  return { aggregate: plain(aggregate, s), intermediate: merged.map((pd) => plain(pd, s)), ...(ids.size ? { testId: [...ids][0] } : {}), metadata: { count: workers.length } };
}

export function parseMergeArgs(argv: string[]) {
  const parsed = parseCommandLine({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: { output: { type: 'string', short: 'o' }, help: { type: 'boolean', short: 'h', default: false } },
  });
  if (parsed.values.help) return 'help';
  if (parsed.positionals.length === 0) throw new UsageError('give the stats file of every worker (HMP_WORKER_STATS), e.g. npx node tools/merge-results.ts w0.jsonl w1.jsonl -o merged.json.');
  if (!parsed.values.output) throw new UsageError('give the merged results file with -o, e.g. -o merged.json.');
  return { files: parsed.positionals, output: parsed.values.output };
}

export async function main(argv: string[]): Promise<number> {
  let args: ReturnType<typeof parseMergeArgs>;
  try {
    args = parseMergeArgs(argv);
  } catch (err) {
    console.error(`merge-results: ${(err as Error).message}`);
    return 2;
  }
  if (args === 'help') {
    console.log(USAGE);
    return 0;
  }
  try {
    const workers = args.files.map((file) => {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (err) {
        throw new MergeInputError(`cannot read ${file} (${whyUnreadable(err)}); give the stats file each worker wrote with HMP_WORKER_STATS.`);
      }
      return readWorkerStats(file, text);
    });
    const merged = await mergeWorkers(workers);
    writeFileSync(args.output, JSON.stringify(merged, null, 2));
    console.log(`merged ${workers.length} workers, ${merged.intermediate.length} periods: ${args.output} (report: npm run report -- ${args.output} --phase phases/<test>.yml)`);
    return 0;
  } catch (err) {
    if (err instanceof MergeInputError) {
      console.error(`merge-results: ${err.message}`);
      return 2;
    }
    throw err;
  }
}

if (import.meta.main) process.exitCode = await main(process.argv.slice(2));
