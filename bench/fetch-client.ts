// Client (a) of the generator-cost benchmark: the least a client can do,
// a plain fetch loop sending GET /project/ at a fixed rate (open model,
// keep-alive), reading each body. Runs in its own process and measures
// its own CPU (process.cpuUsage: all threads) over the window after the
// warm-up; prints one JSON line.
//   npx node bench/fetch-client.ts --url URL --token T --rate 80 --seconds 25 --warm 5
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    token: { type: 'string' },
    rate: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '20' },
    warm: { type: 'string', default: '3' },
  },
});
const rate = Number(values.rate);
const total = Number(values.seconds) * 1000;
const warm = Number(values.warm) * 1000;
if (!values.url || !values.token || !(rate > 0) || !(total > warm)) {
  console.error('usage: fetch-client.ts --url URL --token TOKEN --rate R --seconds S --warm W (S > W)');
  process.exit(2);
}

const headers = { authorization: `Bearer ${values.token}` };
let sent = 0;
let done = 0;
let errors = 0;
let inWindow = 0;
let measuring = false;

async function one(): Promise<void> {
  try {
    const res = await fetch(values.url!, { headers });
    await res.arrayBuffer();
    if (!res.ok) errors++;
  } catch {
    errors++;
  }
  done++;
  if (measuring) inWindow++;
}

const start = performance.now();
let cpu0 = process.cpuUsage();
let t0 = start;

function finish(): void {
  const cpu = process.cpuUsage(cpu0);
  const wallS = (performance.now() - t0) / 1000;
  measuring = false;
  console.log(JSON.stringify({ requests: inWindow, cpuS: (cpu.user + cpu.system) / 1e6, wallS, rate: inWindow / wallS, errors, sent, done }));
  setTimeout(() => process.exit(0), 200);
}

// Open model: at each tick send what is due by now, whatever is still in
// flight, then sleep until the next request is due.
function tick(): void {
  const now = performance.now();
  if (!measuring && now - start >= warm) {
    measuring = true;
    cpu0 = process.cpuUsage();
    t0 = now;
  }
  if (now - start >= total) return finish();
  const due = Math.floor(((now - start) / 1000) * rate);
  while (sent < due) {
    sent++;
    void one();
  }
  setTimeout(tick, Math.max(1, start + ((sent + 1) * 1000) / rate - performance.now()));
}
tick();
