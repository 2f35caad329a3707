// Metrics out (I/O, main thread): sends every metric of a run through
// Artillery's bundled artillery-plugin-publish-metrics to a Prometheus
// Pushgateway and/or an OTLP/HTTP endpoint; what is sent, where and under
// which names: metrics-out.ts.
//
// Why this plugin constructs publish-metrics itself instead of adding
// config.plugins['publish-metrics']: Artillery loads every plugin module
// before it constructs the first (load-plugins.js, launch-platform.js), so an
// entry added by this plugin's constructor is never loaded; and
// publish-metrics hears only the periods, never the final report with the
// criteria and the run's summaries. So each destination gets its own
// publish-metrics instance on its own emitter: every period as Artillery
// emits it, then the last push when the run is judged (end()).
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import createDebug from 'debug';
import { addCounters, lastPush, metricsOutOf, reporterConfigs, type MetricsOut } from './metrics-out.ts';

const debug = createDebug('plugin:hmp:publish');

interface PublishMetrics {
  cleanup(done: () => void): void;
}
type PublishMetricsClass = new (script: object, events: EventEmitter) => PublishMetrics;

/** publish-metrics as Artillery finds it: an installed copy first, else the one artillery bundles. */
function loadPublishMetrics(): PublishMetricsClass {
  const require = createRequire(import.meta.url);
  const name = 'artillery-plugin-publish-metrics';
  let path: string;
  try {
    path = require.resolve(name);
  } catch {
    path = require.resolve(join(dirname(require.resolve('artillery/package.json')), 'dist/builtin-packages', name));
  }
  debug('publish-metrics from %s', path);
  return (require(path) as { Plugin: PublishMetricsClass }).Plugin;
}

/** One destination: a publish-metrics instance with one reporter, fed on its own emitter once the destination answered. */
class Destination {
  readonly events = new EventEmitter();
  readonly plugin: PublishMetrics;
  /** Whether the destination answered (once checked). */
  readonly ready: Promise<boolean>;
  /** Periods that came before the answer. */
  #held: object[] = [];
  /** undefined: not checked yet (periods wait); false: did not answer (nothing is sent). */
  #ok: boolean | undefined;

  constructor(PublishMetrics: PublishMetricsClass, config: object, check: () => Promise<string | undefined>, refused: (why: string) => void) {
    this.plugin = new PublishMetrics({ config: { plugins: { 'publish-metrics': [config] } }, scenarios: [] }, this.events);
    this.ready = check().then(
      (why) => {
        this.#ok = why === undefined;
        if (why !== undefined) refused(why);
        for (const stats of this.#held.splice(0)) this.send(stats);
        return this.#ok;
      },
      (err: Error) => {
        this.#ok = false;
        refused(err.message);
        return false;
      },
    );
  }

  send(stats: object): void {
    if (this.#ok === undefined) this.#held.push(stats);
    else if (this.#ok) this.events.emit('stats', stats);
  }

  /** Resolves when the pushes sent so far are done (for OpenTelemetry: shuts its reader down). */
  settle(): Promise<void> {
    return new Promise((resolve) => this.plugin.cleanup(() => resolve()));
  }
}

/** Why a URL does not answer (undefined: it does), in a few words. */
async function answers(url: string, init: RequestInit = {}): Promise<string | undefined> {
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(5000) });
    await res.arrayBuffer();
    return res.ok ? undefined : `${init.method ?? 'GET'} ${new URL(url).pathname} answered ${res.status}`;
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause;
    return cause?.code ?? (err as Error).message;
  }
}

export class Publisher {
  #pushgateway: Destination | undefined;
  #otel: Destination | undefined;
  /** Counters the periods published so far, summed. */
  #sent: Record<string, number> = {};
  #ended: Promise<void> | undefined;

  /** Publishes the run when HMP_PUSHGATEWAY or HMP_OTEL_ENDPOINT is set (else undefined); throws SettingsError on a bad value. */
  static start(events: { on(event: string, fn: (...args: any[]) => void): void }, test: string, env: Record<string, string | undefined>, log: (line: string) => void): Publisher | undefined {
    const out = metricsOutOf(env);
    if (!out.pushgateway && !out.otel) return undefined;
    const run = String((globalThis as { artillery?: { testRunId?: string } }).artillery?.testRunId ?? 'unknown');
    return new Publisher(events, out, { test, run }, log);
  }

  constructor(events: { on(event: string, fn: (...args: any[]) => void): void }, out: MetricsOut, labels: { test: string; run: string }, log: (line: string) => void) {
    const PublishMetrics = loadPublishMetrics();
    const configs = reporterConfigs(out, labels);
    const labelText = `test="${labels.test}", run="${labels.run}"`;
    if (out.pushgateway && configs.pushgateway) {
      const url = out.pushgateway;
      this.#pushgateway = new Destination(PublishMetrics, configs.pushgateway, () => answers(`${url}/-/ready`), (why) =>
        log(`metrics out: the Pushgateway at ${url} does not answer (${why}); this run publishes nothing there. Start it or fix HMP_PUSHGATEWAY.`),
      );
      log(`metrics out: every period and the final report to the Pushgateway at ${url} (${labelText})`);
    }
    if (out.otel && configs.otel) {
      const url = out.otel;
      // An empty export: any OTLP/HTTP receiver accepts it.
      const probe = () => answers(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"resourceMetrics":[]}' });
      this.#otel = new Destination(PublishMetrics, configs.otel, probe, (why) =>
        log(`metrics out: the OTLP endpoint ${url} does not answer (${why}); this run publishes nothing there. Start it or fix HMP_OTEL_ENDPOINT.`),
      );
      log(`metrics out: every period and the final report as OpenTelemetry metrics to ${url} (${labelText})`);
    }
    events.on('stats', (stats: { counters?: Record<string, number> }) => {
      addCounters(this.#sent, stats.counters);
      this.#pushgateway?.send(stats);
      this.#otel?.send(stats);
    });
  }

  /** The last push (metrics-out.ts), once the run is judged; waits for the sends, at most 20 s. Once. */
  end(report: { counters?: Record<string, number>; summaries?: Record<string, object> }): Promise<void> {
    this.#ended ??= this.#end(report);
    return this.#ended;
  }

  async #end(report: { counters?: Record<string, number>; summaries?: Record<string, object> }): Promise<void> {
    const last = lastPush(report, this.#sent);
    const finish = async (d: Destination | undefined, settleFirst: boolean) => {
      if (!d || !(await d.ready)) return;
      // The Pushgateway keeps the push that arrives last: the periods' first.
      if (settleFirst) await d.settle();
      d.send(last);
      await d.settle();
    };
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, 20_000);
      timer.unref();
    });
    await Promise.race([Promise.all([finish(this.#pushgateway, true), finish(this.#otel, false)]), limit]);
    clearTimeout(timer);
    debug('last push sent');
  }
}
