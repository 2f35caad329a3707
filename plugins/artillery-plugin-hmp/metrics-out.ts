// Metrics out (pure): where a run's metrics go (HMP_PUSHGATEWAY, HMP_OTEL_ENDPOINT),
// the config of Artillery's bundled publish-metrics that sends them, the last
// push that makes the published run equal to its final report, and the names
// its Prometheus reporter gives them. The sending is publish.ts.
//
// publish-metrics (2.0.34) publishes each 10 s period: counters add up
// (artillery_counters{metric="http_requests"} is the run's total so far),
// rates and summaries are the latest period's (gauges). The final report
// holds two things no period has: the criteria (plugins.hmp.criteria.*, added
// when the run is judged) and the summaries of the whole run (percentiles do
// not merge from periods). The last push adds both: the counters the periods
// did not already bring, and the run's summaries under `run.`
// (artillery_summaries{metric="run_http_response_time_p99"}).
import { SettingsError } from './settings.ts';

export interface MetricsOut {
  /** Prometheus Pushgateway base URL (HMP_PUSHGATEWAY). */
  pushgateway?: string;
  /** OTLP/HTTP metrics endpoint, e.g. http://127.0.0.1:4318/v1/metrics (HMP_OTEL_ENDPOINT). */
  otel?: string;
}

/** Labels of every published series (Prometheus labels, OpenTelemetry attributes). */
export interface RunLabels {
  /** The test type: smoke, average, ... */
  test: string;
  /** Artillery's test run id (printed at the start: "Test run id: ..."; ARTILLERY_TEST_RUN_ID sets it). */
  run: string;
}

/** The prefix of the summaries of the whole run in the last push. */
export const RUN_PREFIX = 'run.';
/** publish-metrics' Prometheus metric names (its default prefix "artillery"). */
export const PROMETHEUS_NAMES = { counters: 'artillery_counters', rates: 'artillery_rates', summaries: 'artillery_summaries' } as const;

const SWITCHES = {
  pushgateway: { env: 'HMP_PUSHGATEWAY', example: 'http://127.0.0.1:9091', what: "the Prometheus Pushgateway's address" },
  otel: { env: 'HMP_OTEL_ENDPOINT', example: 'http://127.0.0.1:4318/v1/metrics', what: 'an OTLP/HTTP metrics endpoint' },
} as const;

function urlOf(key: keyof typeof SWITCHES, env: Record<string, string | undefined>): string | undefined {
  const { env: name, example, what } = SWITCHES[key];
  const raw = env[name]?.trim();
  if (!raw || raw.toLowerCase() === 'off') return undefined;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {}
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new SettingsError(`${name} must be ${what}, e.g. ${example}, got "${raw}"; unset it (or set it to off) to publish nothing. No load was sent.`);
  }
  return raw.replace(/\/+$/, '');
}

/** The switches: HMP_PUSHGATEWAY, HMP_OTEL_ENDPOINT (unset, empty or off: not published). */
export function metricsOutOf(env: Record<string, string | undefined>): MetricsOut {
  const pushgateway = urlOf('pushgateway', env);
  const otel = urlOf('otel', env);
  return { ...(pushgateway ? { pushgateway } : {}), ...(otel ? { otel } : {}) };
}

/** One reporter's config for config.plugins['publish-metrics'] (a list), per destination. */
export function reporterConfigs(out: MetricsOut, labels: RunLabels): { pushgateway?: object; otel?: object } {
  return {
    ...(out.pushgateway ? { pushgateway: { type: 'prometheus', pushgateway: out.pushgateway, tags: [`test:${labels.test}`, `run:${labels.run}`] } } : {}),
    ...(out.otel
      ? { otel: { type: 'open-telemetry', serviceName: 'hmp-load', metrics: { exporter: 'otlp-http', endpoint: out.otel, attributes: { test: labels.test, run: labels.run } } } }
      : {}),
  };
}

interface Stats {
  counters?: Record<string, number>;
  summaries?: Record<string, object>;
  firstMetricAt?: number;
  lastMetricAt?: number;
}

/** What the periods published so far add up to: counters summed. */
export function addCounters(sent: Record<string, number>, counters: Record<string, number> | undefined): void {
  for (const [k, v] of Object.entries(counters ?? {})) if (Number.isFinite(v)) sent[k] = (sent[k] ?? 0) + v;
}

/**
 * The last push, from the final report and what the periods sent: each
 * counter's remainder (the criteria, and any period Artillery dropped), a
 * counter first seen here even at 0; the run's summaries under `run.`.
 * A counter cannot go down: a negative remainder (a soak's latency that
 * improved, degradation_pct < 0) is left out; the report has it.
 */
export function lastPush(report: Stats, sent: Record<string, number>): { counters: Record<string, number>; rates: Record<string, number>; summaries: Record<string, object>; firstMetricAt?: number; lastMetricAt?: number } {
  const counters: Record<string, number> = {};
  for (const [k, v] of Object.entries(report.counters ?? {})) {
    if (!Number.isFinite(v)) continue;
    if (!(k in sent)) {
      if (v >= 0) counters[k] = v;
    } else if (v - sent[k]! > 1e-9) counters[k] = v - sent[k]!;
  }
  const summaries: Record<string, object> = {};
  for (const [k, s] of Object.entries(report.summaries ?? {})) if (s && typeof s === 'object') summaries[RUN_PREFIX + k] = s;
  return { counters, rates: {}, summaries, firstMetricAt: report.firstMetricAt, lastMetricAt: report.lastMetricAt };
}

/** The `metric` label publish-metrics' Prometheus reporter gives an Artillery metric name (its toPrometheusKey). */
export function prometheusKey(name: string): string {
  return name.replace(/\s|\./g, '_').toLowerCase();
}

/** Every `metric` label value a run publishes to Prometheus, by metric name: its periods and its final report. */
export function prometheusSeries(results: { aggregate: Stats & { rates?: Record<string, number> }; intermediate: Array<Stats & { rates?: Record<string, number> }> }): Record<string, Set<string>> {
  const out = { [PROMETHEUS_NAMES.counters]: new Set<string>(), [PROMETHEUS_NAMES.rates]: new Set<string>(), [PROMETHEUS_NAMES.summaries]: new Set<string>() };
  const summaryKeys = (name: string, s: object) => Object.keys(s).map((field) => `${prometheusKey(name)}_${field}`);
  for (const p of [...results.intermediate, results.aggregate]) for (const k of Object.keys(p.counters ?? {})) out[PROMETHEUS_NAMES.counters].add(prometheusKey(k));
  for (const p of results.intermediate) {
    for (const k of Object.keys(p.rates ?? {})) out[PROMETHEUS_NAMES.rates].add(prometheusKey(k));
    for (const [k, s] of Object.entries(p.summaries ?? {})) for (const key of summaryKeys(k, s)) out[PROMETHEUS_NAMES.summaries].add(key);
  }
  for (const [k, s] of Object.entries(results.aggregate.summaries ?? {})) for (const key of summaryKeys(RUN_PREFIX + k, s)) out[PROMETHEUS_NAMES.summaries].add(key);
  return out;
}
