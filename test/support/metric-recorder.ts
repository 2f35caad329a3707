// An Artillery event emitter stand-in for processor tests: sums the counters
// and keeps the histogram values the processors emit.
import { EventEmitter } from 'node:events';

export class MetricRecorder extends EventEmitter {
  counters = new Map<string, number>();
  histograms = new Map<string, number[]>();
  constructor() {
    super();
    this.on('counter', (n: string, v: number) => this.counters.set(n, (this.counters.get(n) ?? 0) + v));
    this.on('histogram', (n: string, v: number) => this.histograms.set(n, [...(this.histograms.get(n) ?? []), v]));
  }

  /** A counter's total (0 when never emitted). */
  c(name: string): number {
    return this.counters.get(name) ?? 0;
  }

  /** The counters whose names start with `prefix`. */
  named(prefix: string): Record<string, number> {
    return Object.fromEntries([...this.counters].filter(([k]) => k.startsWith(prefix)));
  }
}
