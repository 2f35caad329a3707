// Preloaded into the twin's process by the bench (node --import
// ./bench/twin-probe.ts twin/main.ts): the twin's own event-loop delay,
// one JSON line per second to BENCH_TWIN_PROBE ({at, p99, max} in ms).
// When the client's latency runs ahead of the Server-Timing, this says
// whether the requests waited in the server's event loop (before the
// handler's clock starts) rather than in the generator.
import { appendFileSync } from 'node:fs';
import { pct, watchLoopDelay } from './loop-delay.ts';

const path = process.env.BENCH_TWIN_PROBE;
if (path) {
  let window: number[] = [];
  watchLoopDelay((ms) => window.push(ms));
  setInterval(() => {
    const w = window;
    window = [];
    if (w.length === 0) return;
    appendFileSync(path, `${JSON.stringify({ at: Date.now(), p99: pct(w, 99), max: Math.max(...w) })}\n`);
  }, 1000).unref();
}
