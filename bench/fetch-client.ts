// Client (a) of the generator-cost benchmark, the floor under both others:
// the least a Node client can do to send the same requests and bodies as
// stock Artillery's run (b) (floor.ts: fetchPlan), at fixed rates (open
// model: each request when it is due, whatever is still in flight), one
// rate after another as the ladder of the other two climbs. undici's own
// request API on one keep-alive pool, not WHATWG fetch: fetch's Request,
// Response, Headers and web streams cost ~0.25 ms more per request here (on
// 2026-12-07, 300 req/s of GET /project/: fetch 0.55-0.63 ms, undici.request
// 0.30-0.39 ms). Bodies and headers are built once; each answer's bytes are
// read (not kept). Each step: `settle` seconds at its rate, then a window of
// `window` seconds in which it counts the answers and its own CPU
// (process.cpuUsage: every thread); one JSON line per step.
//   npx node bench/fetch-client.ts --plan fetch-plan.json --steps 78:30:20,150:3:20,490:3:20   (rate:settle:window)
// undici is a devDependency, pinned to the release Artillery already brings
// (artillery -> cheerio -> undici 7.30.2), so the floor does not depend on
// what Artillery's dependencies happen to pull in.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import type { FetchPlan } from './floor.ts';

const { values } = parseArgs({ options: { plan: { type: 'string' }, steps: { type: 'string' } } });
const steps = (values.steps ?? '').split(',').map((x) => {
  const [rate, settleS, windowS] = x.split(':').map(Number);
  return { rate: rate!, settleMs: settleS! * 1000, windowMs: windowS! * 1000 };
});
if (!values.plan || !steps.length || !steps.every((s) => s.rate > 0 && s.settleMs >= 0 && s.windowMs > 0)) {
  console.error('usage: fetch-client.ts --plan FILE --steps RATE:SETTLE_S:WINDOW_S[,...] (the plan is written by floor.ts writeFetchPlan)');
  process.exit(2);
}

const plan = JSON.parse(readFileSync(values.plan, 'utf8')) as FetchPlan;
const dir = dirname(values.plan);
const requests = plan.requests.map((r) => ({
  method: r.method,
  path: r.path,
  headers: r.headers,
  body: r.bodyFile ? readFileSync(join(dir, r.bodyFile)) : r.json,
}));
const pool = new Pool(plan.origin, { connections: 64 });

let sent = 0;
let errors = 0;
let inWindow = 0;
let measuring = false;
const codes: Record<string, number> = {};

async function one(k: number): Promise<void> {
  try {
    const { statusCode, body } = await pool.request(requests[k % requests.length]!);
    for await (const _chunk of body);
    codes[statusCode] = (codes[statusCode] ?? 0) + 1;
    if (measuring) inWindow++;
  } catch {
    errors++;
  }
}

let k = 0;
let stepAt = performance.now();
let nextAt = stepAt;
let cpu0 = process.cpuUsage();
let t0 = stepAt;
let fromMs = Date.now();

function report(): void {
  const cpu = process.cpuUsage(cpu0);
  const wallS = (performance.now() - t0) / 1000;
  measuring = false;
  console.log(JSON.stringify({ step: k, targetRate: steps[k]!.rate, requests: inWindow, cpuS: (cpu.user + cpu.system) / 1e6, wallS, fromMs, toMs: Date.now(), errors, codes }));
}

// Each tick: open or close the step's window, send what is due, sleep until the next request or boundary.
function tick(): void {
  const now = performance.now();
  const step = steps[k]!;
  const from = stepAt + step.settleMs;
  if (!measuring && now >= from && now < from + step.windowMs) {
    measuring = true;
    inWindow = 0;
    cpu0 = process.cpuUsage();
    t0 = now;
    fromMs = Date.now();
  } else if (measuring && now >= from + step.windowMs) {
    report();
    if (++k === steps.length) {
      setTimeout(() => process.exit(0), 200);
      return;
    }
    stepAt = now;
  }
  const rate = steps[k]!.rate;
  while (nextAt <= now) {
    void one(sent++);
    nextAt += 1000 / rate;
  }
  const boundary = measuring ? t0 + steps[k]!.windowMs : stepAt + steps[k]!.settleMs;
  setTimeout(tick, Math.max(1, Math.min(nextAt, boundary) - performance.now()));
}
tick();
