// The server's log, line by line, as uvicorn/FastAPI write it (pure): access
// lines (`INFO:     127.0.0.1:5000 - "GET /project/ HTTP/1.1" 200 OK`),
// tracebacks with their final exception line, the database pool's overload
// message, and every other line kept as it is. Lines have no time of their
// own in uvicorn's default format, so each comes with the time it was read;
// a leading timestamp (a logging config's, gunicorn's) wins when there is one.
import { maskSecrets } from './mask.ts';

export type LogEventKind = 'access' | 'exception' | 'pool' | 'start' | 'stop' | 'other';

export interface LogEvent {
  /** ms since the epoch: the line's own timestamp, or when it was read. */
  at: number;
  kind: LogEventKind;
  /** access: the request as logged. */
  method?: string;
  path?: string;
  status?: number;
  /** access: how long it took, when the format logs it. */
  durationMs?: number;
  /** exception: its type (e.g. sqlalchemy.exc.TimeoutError) and message. */
  type?: string;
  message?: string;
  /** exception: the whole block, masked (at most TRACEBACK_LINES lines). */
  traceback?: string;
  /** start/stop: the server process's pid, when the line gives it. */
  pid?: number;
  /** The line (first line of a block), masked. */
  line: string;
}

/** uvicorn's lines when a server process starts and when it ends cleanly (a killed one writes nothing). */
const STARTED = /Started server process \[(\d+)\]/;
const FINISHED = /Finished server process \[(\d+)\]/;

/** A process start or stop line as an event, if it is one. */
function lifecycle(line: string, at: number): LogEvent | undefined {
  const m = STARTED.exec(line) ?? FINISHED.exec(line);
  if (!m) return undefined;
  return { at, kind: STARTED.test(line) ? 'start' : 'stop', pid: Number(m[1]), line };
}

export const TRACEBACK_LINES = 40;

const STAMP = /^\[?(\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:[.,]\d{1,6})?(?: ?(?:Z|[+-]\d\d:?\d\d))?)\]?/;
const ACCESS = /"([A-Z]+) (\S+) HTTP\/[\d.]+" (\d{3})\b(.*)$/;
const DURATION = /\b(?:in )?(\d+(?:\.\d+)?) ?(ms|s)\b/;
const EXCEPTION_LINE = /^((?:[A-Za-z_][\w.]*)?(?:Error|Exception|Exit|Interrupt|Timeout|Group|Warning)|[a-z_]\w*(?:\.\w+)+)(?:: (.*))?$/;
const CHAIN = /^(During handling of the above exception|The above exception was the direct cause)/;
/** Overload messages of the database's connection pool (SQLAlchemy, asyncpg, PostgreSQL). */
const POOL = /QueuePool limit of size \d+ overflow \d+ reached|too many (?:clients|connections)|remaining connection slots are reserved|pool (?:is )?exhausted/i;

/** The time of a line's leading timestamp, if it has one (local time when the stamp has no zone). */
export function stampOf(line: string): number | undefined {
  const m = STAMP.exec(line);
  if (!m) return undefined;
  const t = Date.parse(m[1]!.replace(',', '.').replace(' ', 'T').replace(/ (?=[Z+-])/, ''));
  return Number.isFinite(t) ? t : undefined;
}

function access(line: string, at: number): LogEvent | undefined {
  const m = ACCESS.exec(line);
  if (!m) return undefined;
  const d = DURATION.exec(m[4]!);
  const durationMs = d ? Number(d[1]) * (d[2] === 's' ? 1000 : 1) : undefined;
  return { at, kind: 'access', method: m[1]!, path: m[2]!.split('?')[0]!, status: Number(m[3]), ...(durationMs !== undefined ? { durationMs } : {}), line };
}

/**
 * A parser fed line by line: `push` returns the events finished by that line
 * (a traceback ends at the first line that is not part of it); `end` the last.
 */
export class LogParser {
  private block: { at: number; header?: string; lines: string[]; type?: string; message?: string } | undefined;
  private header: { at: number; line: string } | undefined;

  push(raw: string, readAt: number): LogEvent[] {
    const line = maskSecrets(raw.replace(/\r$/, ''));
    const at = stampOf(line) ?? readAt;
    const out: LogEvent[] = [];
    if (this.block) {
      if (this.continues(line)) return out;
      out.push(this.finish());
    }
    if (/Traceback \(most recent call last\):\s*$/.test(line)) {
      this.block = { at: this.header?.at ?? at, header: this.header?.line, lines: [line] };
      this.header = undefined;
      return out;
    }
    if (this.header) out.push({ at: this.header.at, kind: POOL.test(this.header.line) ? 'pool' : 'other', line: this.header.line });
    this.header = undefined;
    if (!line.trim()) return out;
    const a = access(line, at) ?? lifecycle(line, at);
    if (a) out.push(a);
    else if (/Exception in ASGI application|Exception in callback|Error in|^ERROR/i.test(line) && !POOL.test(line)) this.header = { at, line };
    else out.push({ at, kind: POOL.test(line) ? 'pool' : 'other', line });
    return out;
  }

  end(): LogEvent[] {
    const out: LogEvent[] = [];
    if (this.block) out.push(this.finish());
    if (this.header) out.push({ at: this.header.at, kind: POOL.test(this.header.line) ? 'pool' : 'other', line: this.header.line });
    this.header = undefined;
    return out;
  }

  /** Whether a line belongs to the open traceback (frames, code, the exception line, a chained traceback). */
  private continues(line: string): boolean {
    const b = this.block!;
    const ended = b.type !== undefined;
    if (!ended && (/^\s/.test(line) || line === '')) return this.add(line);
    if (/Traceback \(most recent call last\):\s*$/.test(line) || CHAIN.test(line) || (ended && line === '')) {
      b.type = undefined;
      b.message = undefined;
      return this.add(line);
    }
    const m = !ended && !stampOf(line) ? EXCEPTION_LINE.exec(line) : null;
    if (m) {
      b.type = m[1]!;
      b.message = m[2] ?? '';
      return this.add(line);
    }
    return false;
  }

  private add(line: string): true {
    if (this.block!.lines.length < TRACEBACK_LINES) this.block!.lines.push(line);
    return true;
  }

  private finish(): LogEvent {
    const b = this.block!;
    this.block = undefined;
    const lastException = [...b.lines].reverse().map((l) => EXCEPTION_LINE.exec(l)).find((m) => m);
    const type = b.type ?? lastException?.[1] ?? 'unknown';
    const message = b.message ?? lastException?.[2] ?? '';
    const text = [b.header, ...b.lines].filter((l) => l !== undefined).join('\n').replace(/\n+$/, '');
    return { at: b.at, kind: POOL.test(message) || POOL.test(type) ? 'pool' : 'exception', type, message, traceback: text, line: b.header ?? b.lines[0]! };
  }
}

/** Every event of a whole log text, each line read at `readAt`. */
export function parseLog(text: string, readAt = 0): LogEvent[] {
  const p = new LogParser();
  const out = text.split('\n').flatMap((l) => p.push(l, readAt));
  return [...out, ...p.end()];
}
