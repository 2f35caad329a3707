// Follows the server's log file while a test runs (I/O): reads what the
// server appends from the moment the test starts, stamps each line with the
// time it was read (uvicorn's lines carry none), and parses it. A file that
// is missing or unreadable is one sentence and the test goes on without it;
// a file truncated or rotated meanwhile is read again from its start.
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { whyUnreadable } from '../../lib/cli-args.ts';
import { LogParser, type LogEvent } from './parse.ts';
import { summarizeLog, type ServerLogSummary } from './summary.ts';

const POLL_MS = 500;
const CHUNK = 1 << 20;

/** Whether a server log can be followed: undefined if so, else why not (one sentence). */
export function checkServerLog(path: string): string | undefined {
  try {
    if (statSync(path).isDirectory()) return `the server log ${path} is a folder, not a file: give the file the server writes (--server-log PATH).`;
    closeSync(openSync(path, 'r'));
    return undefined;
  } catch (err) {
    return `the server log ${path} cannot be read (${whyUnreadable(err)}): give the file the server writes (--server-log PATH); the run goes on without it.`;
  }
}

export class LogFollower {
  private fd: number | undefined;
  private offset = 0;
  private partial = '';
  private lines = 0;
  private readonly events: LogEvent[] = [];
  private readonly parser = new LogParser();
  private timer: NodeJS.Timeout | undefined;
  private problem: string | undefined;

  readonly path: string;
  private readonly now: () => number;

  constructor(path: string, now: () => number = Date.now) {
    this.path = path;
    this.now = now;
  }

  /** Starts at the file's current end: only what the server writes during the test counts. */
  start(): this {
    this.problem = checkServerLog(this.path);
    if (this.problem) return this;
    try {
      this.fd = openSync(this.path, 'r');
      this.offset = fstatSync(this.fd).size;
    } catch (err) {
      this.problem = `the server log ${this.path} cannot be read (${whyUnreadable(err)}); the run goes on without it.`;
      return this;
    }
    this.timer = setInterval(() => this.poll(), POLL_MS);
    this.timer.unref();
    return this;
  }

  /** Reads what is new; called every POLL_MS and once more at the end. */
  poll(): void {
    if (this.fd === undefined) return;
    try {
      const size = fstatSync(this.fd).size;
      if (size < this.offset) {
        this.offset = 0; // truncated or rotated in place
        this.partial = '';
      }
      const buf = Buffer.alloc(CHUNK);
      let n: number;
      while ((n = readSync(this.fd, buf, 0, CHUNK, this.offset)) > 0) {
        this.offset += n;
        this.feed(buf.subarray(0, n).toString('utf8'));
      }
    } catch (err) {
      this.problem = `reading the server log ${this.path} stopped (${whyUnreadable(err)}).`;
      this.close();
    }
  }

  private feed(text: string): void {
    const at = this.now();
    const parts = (this.partial + text).split('\n');
    this.partial = parts.pop()!;
    for (const line of parts) {
      this.lines++;
      this.events.push(...this.parser.push(line, at));
    }
  }

  private close(): void {
    clearInterval(this.timer);
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  /** Stops following and sums up what was read. */
  stop(): ServerLogSummary {
    this.poll();
    if (this.partial) this.feed('\n');
    this.close();
    this.events.push(...this.parser.end());
    return summarizeLog(this.events, this.path, this.lines, this.problem);
  }
}
