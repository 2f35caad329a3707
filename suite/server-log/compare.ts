// Where the server's log and the client's counts disagree (pure): answers the
// server logged that the client never received, requests the client lost
// that the server never logged, 5xx that came from in front of the server.
// The server also logs the suite's own probes, so small surpluses are noise.
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
