// Incidents as they happen (pure): the request log's events fed in time
// order give one line when an incident begins and one when it ends, by the
// same thresholds as the incidents of the finished run (incidents.ts), and,
// once the shape is over, what the run still waits for. The cause comes
// with the finished run's diagnosis (it needs the server's log).
import { STALL_MIN_MS } from '../plugins/artillery-plugin-hmp/core/stalls.ts';
import { fmtS } from '../plugins/artillery-plugin-hmp/core/stats.ts';
import { clock, JOIN_GAP_MS, MIN_FAILED, MIN_FAILED_SHARE } from './incidents.ts';

/** "2 min 10 s", "12 s": a wait in words. */
const dur = (s: number) => (s >= 60 ? `${Math.floor(s / 60)} min${Math.round(s % 60) ? ` ${Math.round(s % 60)} s` : ''}` : fmtS(s));

export type LiveEvent =
  | { t: number; type: 'sent'; id: string; name: string }
  | { t: number; type: 'ended'; id: string; failure?: string };

interface Open {
  t0: number;
  name: string;
}

export class LiveIncidents {
  #t0: number | undefined;
  #open = new Map<string, Open>();
  #lastAct: number | undefined;
  /** Recent sends and failures (for the begin rule), oldest first. */
  #sends: number[] = [];
  #fails: Array<{ t: number; name: string; what: string }> = [];
  /** The incident under way: failures and stalls closer than JOIN_GAP_MS to each other are one, as in the finished run's. */
  #now: { start: number; last: number; failed: number; stalledMs: number; waiting: number; what: Map<string, Set<string>> } | undefined;
  #stall: { start: number } | undefined;

  /** Feeds one event; returns the lines it completes. */
  push(e: LiveEvent): string[] {
    this.#t0 ??= e.t;
    const out: string[] = [];
    if (e.type === 'sent') {
      this.#open.set(e.id, { t0: e.t, name: e.name });
      this.#sends.push(e.t);
      return out;
    }
    const open = this.#open.get(e.id);
    if (!open) return out;
    this.#open.delete(e.id);
    if (e.failure !== 'timeout') {
      // An answer, a reset or a refusal: the server did something; a stall under way ends here.
      if (this.#stall && this.#now) {
        this.#now.stalledMs += e.t - this.#stall.start;
        this.#now.last = Math.max(this.#now.last, e.t);
      }
      this.#stall = undefined;
      this.#lastAct = e.t;
    }
    if (e.failure) {
      this.#fails.push({ t: e.t, name: open.name, what: e.failure });
      if (this.#now) {
        this.#now.last = Math.max(this.#now.last, e.t);
        this.#now.failed++;
        add(this.#now.what, e.failure, open.name);
      } else this.#maybeBegin(e.t, out);
    }
    return out;
  }

  #maybeBegin(now: number, out: string[]): void {
    const recent = this.#fails.filter((f) => f.t >= now - JOIN_GAP_MS);
    this.#fails = recent;
    this.#sends = this.#sends.filter((t) => t >= now - JOIN_GAP_MS);
    if (recent.length < MIN_FAILED || recent.length < MIN_FAILED_SHARE * this.#sends.length) return;
    const what = new Map<string, Set<string>>();
    for (const f of recent) add(what, f.what, f.name);
    this.#now = { start: recent[0]!.t, last: now, failed: recent.length, stalledMs: 0, waiting: 0, what };
    out.push(`incident began at ${this.#at(recent[0]!.t)}: ${recent.length} requests failed (${whatWords(what)})`);
  }

  /** Called about once a second: begins a stall, ends an incident gone quiet; `timeoutS` gives a request kind's client timeout. */
  tick(now: number, timeoutS?: (name: string) => number | undefined): string[] {
    const out: string[] = [];
    if (!this.#stall && this.#open.size >= 2) {
      const since = Math.max(this.#lastAct ?? -Infinity, Math.min(...[...this.#open.values()].map((o) => o.t0)));
      if (now - since >= STALL_MIN_MS) {
        this.#stall = { start: since };
        if (!this.#now) {
          this.#now = { start: since, last: now, failed: 0, stalledMs: 0, waiting: this.#open.size, what: new Map() };
          out.push(`incident began at ${this.#at(since)}: nothing answered for ${fmtS((now - since) / 1000)} while ${this.#open.size} requests wait${this.#oldest(now, timeoutS)}`);
        }
      }
    }
    if (this.#now && this.#stall) {
      this.#now.last = now;
      this.#now.waiting = Math.max(this.#now.waiting, this.#open.size);
    }
    if (this.#now && !this.#stall && now - this.#now.last > JOIN_GAP_MS) out.push(this.#ended());
    return out;
  }

  /** Ends what is under way (the run is over): its line, if any. */
  finish(now: number): string[] {
    if (!this.#now) return [];
    if (this.#stall) {
      this.#now.stalledMs += now - this.#stall.start;
      this.#now.last = now;
      this.#stall = undefined;
    }
    return [`${this.#ended()} (still under way when the run ended)`];
  }

  #ended(): string {
    const n = this.#now!;
    this.#now = undefined;
    const parts: string[] = [];
    if (n.failed) parts.push(`${n.failed} requests failed in it (${whatWords(n.what)})`);
    if (n.stalledMs) parts.push(`nothing was answered for ${fmtS(n.stalledMs / 1000)} in all${n.waiting ? ` (up to ${n.waiting} requests waited)` : ''}`);
    return `incident ended at ${this.#at(n.last)}, after ${fmtS((n.last - n.start) / 1000)}: ${parts.join('; ') || 'the server answered again'}`;
  }

  /** "; the oldest: pdf_execute, 12 s of its 5 min timeout" */
  #oldest(now: number, timeoutS?: (name: string) => number | undefined): string {
    const oldest = [...this.#open.values()].sort((a, b) => a.t0 - b.t0)[0];
    if (!oldest) return '';
    const limit = timeoutS?.(oldest.name);
    return `; the oldest: ${oldest.name}, ${dur((now - oldest.t0) / 1000)}${limit ? ` of its ${dur(limit)} timeout` : ''}`;
  }

  /** What the run waits for once its shape is over: "waiting for 1 request in flight: pdf_execute, 2 min 10 s of its 5 min timeout". */
  waiting(now: number, timeoutS?: (name: string) => number | undefined): string | undefined {
    if (this.#open.size === 0) return undefined;
    const list = [...this.#open.values()].sort((a, b) => a.t0 - b.t0);
    const shown = list.slice(0, 3).map((o) => {
      const limit = timeoutS?.(o.name);
      return `${o.name}, ${dur((now - o.t0) / 1000)}${limit ? ` of its ${dur(limit)} timeout` : ''}`;
    });
    return `waiting for ${list.length} request${list.length === 1 ? '' : 's'} in flight: ${shown.join('; ')}${list.length > 3 ? '; ...' : ''}`;
  }

  #at(t: number): string {
    return `${clock((t - (this.#t0 ?? t)) / 1000)} of the test`;
  }
}

function add(what: Map<string, Set<string>>, failure: string, name: string): void {
  (what.get(failure) ?? what.set(failure, new Set()).get(failure)!).add(name);
}

function whatWords(what: Map<string, Set<string>>): string {
  return [...what.entries()].map(([w, names]) => `${w} on ${[...names].slice(0, 3).join(', ')}${names.size > 3 ? ', ...' : ''}`).join('; ');
}

/** One request-log line as a live event (the format of core/stalls.ts), or undefined. */
export function liveEventOf(line: string): LiveEvent | undefined {
  const [kind, id, ms, a, detail] = line.split(' ');
  const t = Number(ms);
  if (!id || !Number.isFinite(t)) return undefined;
  if (kind === 's' && a) return { t, type: 'sent', id, name: a };
  if (kind !== 'e') return undefined;
  const failure = a === 't' ? 'timeout' : a === 'x' ? (detail ?? 'no_answer') : a === 'a' && /^5\d\d$/.test(detail ?? '') ? detail : undefined;
  return { t, type: 'ended', id, ...(failure ? { failure } : {}) };
}
