// The measuring probe of the accuracy and scale runs: the suite's processor
// with two functions wrapped (the bench's processor entry re-exports
// processors/index.ts, then these two by name, which take precedence):
//   beginSession   on the first call in the worker, starts the event-loop
//                  delay watch (loop-delay.ts)
//   checkResponse  records, per request, what the suite records (time to
//                  first byte, as metrics-by-endpoint does) and the server's
//                  own Server-Timing total
// and observes the requests the suite sends outside the engine (binary
// downloads, retries: processors/outside-engine.ts) the same way.
// then calls the suite's function unchanged. The raw values go to the CSV
// file BENCH_PROBE_FILE (flushed once a second), so the bench computes exact
// percentiles over any window instead of Artillery's per-period ones:
//   L,<epoch ms>,<loop delay ms>
//   R,<epoch ms>,<client ms>,<server ms>,<request name>
import { appendFileSync } from 'node:fs';
import { beginSession as suiteBeginSession } from '../processors/session.ts';
import { checkResponse as suiteCheckResponse } from '../processors/check.ts';
import { observeTimings, serverTimingTotal } from '../processors/outside-engine.ts';
import type { ArtilleryResponse, Ee, RequestParams, VuContext } from '../processors/types.ts';
import { watchLoopDelay } from './loop-delay.ts';

const file = process.env.BENCH_PROBE_FILE;
let lines: string[] = [];
let started = false;

function start(): void {
  started = true;
  if (!file) return;
  watchLoopDelay((ms) => lines.push(`L,${Date.now()},${ms.toFixed(2)}`));
  observeTimings((name, client, server) => {
    if (server !== undefined) lines.push(`R,${Date.now()},${client.toFixed(2)},${server},${name}`);
  });
  setInterval(() => {
    if (lines.length === 0) return;
    const batch = lines;
    lines = [];
    appendFileSync(file, `${batch.join('\n')}\n`);
  }, 1000).unref();
}

// Async functions on purpose: Artillery tells callback-style steps from
// promise-style ones by `fn.constructor.name`, not by what they return.
export async function beginSession(context: VuContext, ee: Ee): Promise<void> {
  if (!started) start();
  await suiteBeginSession(context, ee);
}

type Timed = ArtilleryResponse & { timings?: { phases?: { firstByte?: number } } };

export async function checkResponse(req: RequestParams, res: ArtilleryResponse, context: VuContext, ee: Ee): Promise<void> {
  const client = (res as Timed).timings?.phases?.firstByte;
  const server = serverTimingTotal(res.headers['server-timing']);
  if (file && typeof client === 'number' && server !== undefined) lines.push(`R,${Date.now()},${client},${server},${req.name ?? ''}`);
  await suiteCheckResponse(req, res, context, ee);
}
