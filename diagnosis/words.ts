// The diagnosis in words (pure): one line per incident, as the console, the
// suite report and summary.md say it, e.g.
//   "1:11-1:41 (12:01:11-12:01:41 UTC): 412 x 500 on 6 endpoints; the server
//    logged 413 x sqlalchemy.exc.OperationalError: ... Connection refused.
//    Cause: the database was unreachable (the server's log names it)."
import { fmtS } from '../plugins/artillery-plugin-hmp/core/stats.ts';
import { clock } from './incidents.ts';
import { CERTAINTY_WORDS, type Cause, type Diagnosis, type Incident } from './types.ts';

const utc = (ms: number) => new Date(ms).toISOString().slice(11, 19);

/** At most n characters, cut at a word, with "..." when cut. */
export function short(text: string, n: number): string {
  if (text.length <= n) return text;
  const cut = text.slice(0, n);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), n / 2))}...`;
}

/** "1:11-1:41 (12:01:11-12:01:41 UTC)": test time, then the wall clock. */
export function windowWords(i: Pick<Incident, 'startS' | 'endS' | 'start' | 'end' | 'ongoing'>): string {
  return `${clock(i.startS)}-${i.ongoing ? 'the end' : clock(i.endS)} of the test (${utc(i.start)}-${utc(i.end)} UTC)`;
}

function names(endpoints: string[]): string {
  const unique = [...new Set(endpoints)];
  return unique.length <= 3 ? unique.join(', ') : `${unique.length} endpoints (${unique.slice(0, 3).join(', ')}, ...)`;
}

/** What the client saw: failures by kind, the stall, the slow endpoints. */
export function clientWords(i: Incident): string {
  const parts: string[] = [];
  const byWhat = new Map<string, { n: number; endpoints: string[] }>();
  for (const f of i.client.failures) {
    const row = byWhat.get(f.what) ?? { n: 0, endpoints: [] };
    row.n += f.n;
    row.endpoints.push(f.endpoint);
    byWhat.set(f.what, row);
  }
  const fails = [...byWhat.entries()].sort((a, b) => b[1].n - a[1].n).slice(0, 3).map(([what, r]) => `${r.n} x ${what} on ${names(r.endpoints)}`);
  if (fails.length) parts.push(`${fails.join(', ')} (${i.client.failed} of ${i.client.sent} requests sent in it failed)`);
  if (i.kinds.includes('stall')) parts.push(`nothing was answered for ${fmtS((i.end - i.start) / 1000)}${i.client.waiting ? ` while up to ${i.client.waiting} requests waited` : ''}`);
  if (i.client.slow.length) parts.push(`over the SLO: ${i.client.slow.slice(0, 3).join('; ')}${i.client.slow.length > 3 ? '; ...' : ''}`);
  return parts.join('; ') || 'no failure seen by the client';
}

/** The cause in words; `logSaid`: the line already quotes the server's log, so its lines are not repeated. */
export function causeWords(c: Cause, logSaid = false): string {
  const how = CERTAINTY_WORDS[c.certainty];
  if (c.id === 'undetermined') return `Cause not determined (${c.evidence[0]}); to decide: ${c.toDecide}.`;
  const evidence = logSaid ? c.evidence.filter((x) => !x.startsWith('the server logged')) : c.evidence;
  return `Cause: ${c.title} (${how}${evidence.length ? `: ${evidence.join('; ')}` : ''})${c.toDecide ? `; to be sure: ${c.toDecide}` : ''}.`;
}

/** One incident in one line. */
export function incidentLine(i: Incident): string {
  const log = i.log === null ? '' : i.log.length ? `; the server logged ${i.log.slice(0, 2).map((l) => `${l.n} x ${l.type}${l.message ? `: ${short(l.message, 140)}` : ''}`).join(', ')}` : '; the server logged no error';
  return `incident ${i.n}, ${windowWords(i)}: ${clientWords(i)}${log}. ${causeWords(i.cause, (i.log?.length ?? 0) > 0)}`;
}

/** The diagnosis in lines: every incident, what failed outside them, the findings; nothing for a clean run. */
export function diagnosisLines(d: Diagnosis): string[] {
  const out = d.incidents.map(incidentLine);
  if (d.incidents.length && d.failedTotal > 0) {
    out.push(d.failedOutside === 0 ? 'Nothing failed outside the incidents.' : `${d.failedOutside} of ${d.failedTotal} failed requests fell outside the incidents (scattered, below the noise threshold).`);
  }
  for (const f of d.findings) out.push(f.text);
  return out;
}
