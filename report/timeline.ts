// The suite's timeline (pure): every step's periods on one time axis, drawn
// by the step reports' own chart specs (charts.ts) and page script, with
// each step's span marked at its start and labelled with its verdict, and
// each period's peak users rather than their mean.
import { chartsOf, type ChartSpec } from './charts.ts';
import { usersSeries } from './series.ts';
import { analyze } from './summarize.ts';
import { asResults, hmpSection, periodsOf, type Results } from '../plugins/artillery-plugin-hmp/core/results.ts';

export interface TimelineStep {
  id: string;
  /** "PASS", "FLAG" ... */
  verdict: string;
  results: Results;
}

export interface Timeline {
  /** Seconds from the first period, one per period. */
  x: number[];
  charts: ChartSpec[];
  periods: number;
  /** Each step's span, seconds on the same axis. */
  spans: Array<{ id: string; verdict: string; fromS: number; toS: number; periods: number }>;
}

export function timelineOf(steps: TimelineStep[]): Timeline | undefined {
  const runs = steps.map((s) => ({ ...s, periods: periodsOf(s.results) })).filter((s) => s.periods.length > 0);
  if (runs.length === 0) return undefined;
  const intermediate = runs.flatMap((s) => s.periods).sort((a, b) => a.at - b.at);
  const first = hmpSection(runs[0]!.results);
  // One run of the steps' periods, judged by nothing (no test): only its series and charts are used.
  const combined = { aggregate: { counters: {}, summaries: {}, hmp: { test: 'suite', criteria: first.criteria, timeScale: first.timeScale } }, intermediate };
  const results = asResults(combined);
  const a = analyze(results);
  // Each period's peak users: a spike's or a step's hold shorter than a period keeps its level.
  const series = { ...a.series, ...usersSeries(periodsOf(results), 'max') };
  const at = (ms: number) => (ms - a.t0) / 1000;
  const spans = runs.map((s) => ({ id: s.id, verdict: s.verdict, fromS: at(s.periods[0]!.at), toS: at(s.periods.at(-1)!.at) + 10, periods: s.periods.length }));
  const markers = spans.map((s) => ({ x: s.fromS, label: `${s.id} ${s.verdict}` }));
  return { x: a.series.x, charts: chartsOf({ ...a, series }).map((c) => ({ ...c, markers })), periods: intermediate.length, spans };
}
