// Where the server's log and the client's counts disagree (pure): answers the
// server logged that the client never received, requests the client lost
// that the server never logged, 5xx that came from in front of the server.
// The server also logs the suite's own probes, so small surpluses are noise.
// The same per endpoint, where the log's routes name one.
import type { EndpointCounters } from '../../plugins/artillery-plugin-hmp/core/metric-names.ts';
import type { ServerLogSummary } from './summary.ts';

export interface ClientCounts {
  /** Requests answered as the client saw them (http.responses). */
  answered: number;
  /** Requests without an answer by class (plugins.hmp.connection.<class>). */
  noAnswer: Record<string, number>;
  /** Answers with a 5xx status as the client saw them. */
  status5xx: number;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function disagreements(log: ServerLogSummary, client: ClientCounts): string[] {
  if (log.lines === 0) return [];
  const out: string[] = [];
  const lost = Object.values(client.noAnswer).reduce((a, b) => a + b, 0);
  const surplus = log.requests - client.answered;
  if (lost > 0) {
    const classes = Object.entries(client.noAnswer)
      .filter(([, n]) => n > 0)
      .map(([c, n]) => `${n} ${c.replace(/_/g, ' ')}`)
      .join(', ');
    if (surplus >= lost / 2) {
      out.push(
        `The server logged ${plural(surplus, 'answer')} more than the client received, while the client got no answer to ${plural(lost, 'request')} (${classes}): the server answered requests the client never saw (after the client gave up, or on a connection closed before the answer arrived).`,
      );
    } else {
      out.push(
        `The client got no answer to ${plural(lost, 'request')} (${classes}) that the server never logged: they did not reach the application, or it never finished them.`,
      );
    }
  }
  const server5xx = Object.entries(log.statuses)
    .filter(([s]) => s.startsWith('5'))
    .reduce((a, [, n]) => a + n, 0);
  if (client.status5xx > server5xx) {
    out.push(`The client saw ${plural(client.status5xx, 'answer')} 5xx, the server logged ${server5xx}: the others came from in front of it (a gateway or proxy).`);
  } else if (server5xx > client.status5xx) {
    out.push(`The server logged ${plural(server5xx, 'answer')} 5xx, the client saw ${client.status5xx}: the others went to requests the client had given up on, or to the suite's own probes.`);
  }
  return out;
}

/** Per endpoint at most this many sentences, the largest gaps first. */
const MAX_ENDPOINTS = 5;

const sum = (m: Record<string, number> | undefined) => Object.values(m ?? {}).reduce((a, b) => a + b, 0);
const fivexx = (m: Record<string, number> | undefined) => Object.entries(m ?? {}).reduce((a, [s, n]) => (s.startsWith('5') ? a + n : a), 0);
const bare = (route: string) => route.replace(/\/+$/, '');

/**
 * Where the log and the client disagree on one endpoint: requests the client got no
 * answer to, and 5xx counts that differ. routes: endpoint -> "METHOD /path/{id}".
 */
export function endpointDisagreements(log: ServerLogSummary, client: Pick<EndpointCounters, 'codes' | 'noAnswer'>, routes: Record<string, string>): string[] {
  if (log.lines === 0) return [];
  const logged = new Map<string, Record<string, number>>();
  for (const [route, statuses] of Object.entries(log.byPath ?? {})) logged.set(bare(route), statuses);
  const found: Array<{ gap: number; text: string }> = [];
  for (const [endpoint, route] of Object.entries(routes)) {
    const server = logged.get(bare(route));
    const answered = sum(client.codes[endpoint]);
    const lost = sum(client.noAnswer[endpoint]);
    if (!server && answered === 0 && lost === 0) continue;
    const serverTotal = sum(server);
    const statuses = Object.entries(server ?? {})
      .sort((a, b) => b[1] - a[1])
      .map(([s, n]) => `${n} x ${s}`)
      .join(', ');
    const said = `the server logged ${plural(serverTotal, 'answer')}${statuses ? ` (${statuses})` : ''}, the client received ${answered}`;
    const parts: string[] = [];
    if (lost > 0) {
      const codes = Object.entries(client.noAnswer[endpoint] ?? {})
        .map(([c, n]) => `${n} ${c}`)
        .join(', ');
      parts.push(
        serverTotal - answered >= lost / 2
          ? `${said} and got no answer to ${lost} (${codes}): the server answered requests the client never saw`
          : `the client got no answer to ${plural(lost, 'request')} (${codes}) the server never logged (${said})`,
      );
    }
    const c5 = fivexx(client.codes[endpoint]);
    const s5 = fivexx(server);
    if (c5 !== s5 && (c5 > 0 || s5 > 0)) parts.push(`the client saw ${c5} x 5xx, the server logged ${s5}`);
    if (parts.length) found.push({ gap: Math.max(lost, Math.abs(c5 - s5)), text: `${endpoint} (${route}): ${parts.join('; ')}.` });
  }
  return found
    .sort((a, b) => b.gap - a.gap)
    .slice(0, MAX_ENDPOINTS)
    .map((f) => f.text);
}
