// An App Platform app's run logs as the server's log (I/O), for a server on
// DigitalOcean whose log file the suite cannot read. At stop it asks for them:
//   GET /v2/apps/{app_id}/logs?type=RUN[&component_name=NAME]
//   -> {"live_url": "...", "historic_urls": ["https://...", ...]}
// and reads each historic URL: plain text, one line per line,
//   "<component> <RFC3339 time>Z <the app's own line>".
// Lines of the test's window are parsed as LogFollower parses a file, with
// the line's own time. The token goes only into the API call's Authorization
// header: the historic URLs are pre-signed, and a token sent there could leave
// DigitalOcean. Any failure is one sentence in `problem` with an empty
// summary: the run goes on without the server's log.
import { DO_API, refusal, whyNoAnswer, type DigitalOceanOptions } from '../system-metrics/digitalocean.ts';
import { LogParser, type LogEvent } from './parse.ts';
import { summarizeLog, type ServerLogSummary } from './summary.ts';

/** Lines this close outside [start(), stop()] still count: DigitalOcean stamps lines with its own clock. */
export const WINDOW_SLACK_MS = 1000;

/** The sampler's options (app, component, base URL, token env, timeout, settle wait, clock): the same API and account. */
export type DigitalOceanLogOptions = DigitalOceanOptions;

const RUN_LINE = /^(\S+) (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d))(?: (.*))?$/;

/** A run log line's component, time (ms) and the app's own line (its leading spaces kept: traceback frames); undefined for any other shape. */
export function splitRunLine(line: string): { component: string; at: number; text: string } | undefined {
  const m = RUN_LINE.exec(line);
  const at = m ? Date.parse(m[2]!) : NaN;
  return m && Number.isFinite(at) ? { component: m[1]!, at, text: m[3] ?? '' } : undefined;
}

/**
 * The events and line count of the run logs' lines within [fromMs, toMs]
 * (pure). One parser per component, so one component's lines cannot cut
 * another's traceback; lines without the prefix have no time to place them
 * in the window and are left out.
 */
export function parseRunLogs(texts: string[], fromMs: number, toMs: number): { events: LogEvent[]; lines: number } {
  const parsers = new Map<string, LogParser>();
  const events: LogEvent[] = [];
  let lines = 0;
  for (const text of texts) {
    for (const raw of text.split('\n')) {
      const l = splitRunLine(raw.replace(/\r$/, ''));
      if (!l || l.at < fromMs || l.at > toMs) continue;
      lines++;
      let p = parsers.get(l.component);
      if (!p) parsers.set(l.component, (p = new LogParser()));
      events.push(...p.push(l.text, l.at));
    }
  }
  for (const p of parsers.values()) events.push(...p.end());
  return { events: events.sort((a, b) => a.at - b.at), lines };
}

/** The run logs' URL of the app (or one component). */
export function runLogsUrl(baseUrl: string, appId: string, component: string | undefined): string {
  const url = new URL(`${baseUrl.replace(/\/+$/, '')}/v2/apps/${encodeURIComponent(appId)}/logs`);
  url.searchParams.set('type', 'RUN');
  if (component) url.searchParams.set('component_name', component);
  return url.toString();
}

export class DigitalOceanLogSource {
  readonly appId: string;
  readonly component: string | undefined;
  readonly baseUrl: string;
  /** The summary's `source`. */
  readonly label: string;
  /** Why the logs cannot be fetched at all (no token, no app id, a bad base URL), known before any test. */
  readonly problem: string | undefined;
  #token: string;
  #timeoutMs: number;
  #settleMs: number;
  #now: () => number;
  #startedAt: number | undefined;

  constructor(options: DigitalOceanLogOptions) {
    const env = options.env ?? process.env;
    this.#token = env.DIGITALOCEAN_TOKEN?.trim() ?? '';
    this.appId = options.appId?.trim() ?? '';
    this.component = options.component?.trim() || undefined;
    this.baseUrl = (options.baseUrl ?? DO_API).replace(/\/+$/, '');
    this.label = `DigitalOcean app ${this.appId} run logs${this.component ? ` (${this.component})` : ''}`;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#settleMs = options.settleMs ?? 0;
    this.#now = options.now ?? Date.now;
    if (!this.#token) this.problem = "DigitalOcean's run logs need a token: set DIGITALOCEAN_TOKEN (read access to apps); the run goes on without the server's log.";
    else if (!this.appId) this.problem = "DigitalOcean's run logs need the App Platform app id (its UUID); the run goes on without the server's log.";
    else if (!/^https?:\/\/[^/]/.test(this.baseUrl)) this.problem = `the DigitalOcean API base URL must start with http:// or https://, got "${this.baseUrl}"; the run goes on without the server's log.`;
  }

  /** Marks the test's start: only lines from then on count (idempotent). */
  start(): this {
    this.#startedAt ??= this.#now();
    return this;
  }

  /** Fetches the run logs and sums up the test's window; never throws. */
  async stop(): Promise<ServerLogSummary> {
    const start = this.#startedAt;
    this.#startedAt = undefined;
    if (start === undefined || this.problem) return summarizeLog([], this.label, 0, this.problem);
    if (this.#settleMs > 0) await new Promise((r) => setTimeout(r, this.#settleMs));
    const end = this.#now();
    try {
      const texts: string[] = [];
      for (const url of await this.#historicUrls()) texts.push(await this.#historic(url));
      const { events, lines } = parseRunLogs(texts, start - WINDOW_SLACK_MS, end + WINDOW_SLACK_MS);
      return summarizeLog(events, this.label, lines);
    } catch (err) {
      return summarizeLog([], this.label, 0, (err as Error).message);
    }
  }

  async #historicUrls(): Promise<string[]> {
    const what = 'the run logs';
    const res = await this.#fetch(runLogsUrl(this.baseUrl, this.appId, this.component), { authorization: `Bearer ${this.#token}`, accept: 'application/json' }, `${what} from ${this.baseUrl}`);
    let body: { historic_urls?: unknown; message?: unknown } | undefined;
    try {
      body = JSON.parse(res.text);
    } catch {
      body = undefined;
    }
    if (res.status >= 400) throw new Error(refusal(res.status, what, typeof body?.message === 'string' ? body.message.slice(0, 200) : '', 'apps'));
    const urls = body?.historic_urls;
    if (!Array.isArray(urls) || !urls.every((u) => typeof u === 'string')) throw new Error(`DigitalOcean's run logs answer is not {"historic_urls":[...]}; check the base URL.`);
    if (urls.length === 0) throw new Error('DigitalOcean linked no run logs of the app (historic_urls is empty); is a deployment active?');
    return urls;
  }

  /** One pre-signed log file: no token; the URL is never shown (its signature is a credential), only its host. */
  async #historic(url: string): Promise<string> {
    let host: string;
    try {
      host = new URL(url).host;
    } catch {
      throw new Error("DigitalOcean linked a run log that is not a URL; the run goes on without the server's log.");
    }
    const what = `a run log file from ${host}`;
    const res = await this.#fetch(url, {}, what);
    if (res.status >= 400) throw new Error(`DigitalOcean's ${what} answered ${res.status} (its link may have expired); fetch the logs again.`);
    return res.text;
  }

  async #fetch(url: string, headers: Record<string, string>, what: string): Promise<{ status: number; text: string }> {
    try {
      const res = await fetch(url, { headers, signal: AbortSignal.timeout(this.#timeoutMs) });
      return { status: res.status, text: await res.text() };
    } catch (err) {
      throw new Error(`could not fetch ${what} (${whyNoAnswer(err, this.#timeoutMs)}); the run goes on without the server's log.`);
    }
  }
}
