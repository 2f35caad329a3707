// The reference beside the scale run: a separate, nearly idle process on the
// same machine that (1) watches its own event-loop delay and (2) sends
// GET /project/ at a low rate with node:http (keep-alive) and records the
// time to first byte next to the twin's Server-Timing, exactly as the probe
// does for the suite (probe.ts). What the reference sees, the machine and
// the twin cause; what the suite sees beyond it, the generator adds.
// Writes the probe's CSV format to --out until SIGTERM.
//   npx node bench/reference.ts --url http://127.0.0.1:PORT/project/ --token T --rate 20 --out ref.csv
import { appendFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { parseArgs } from 'node:util';
import { serverTimingTotal } from '../processors/outside-engine.ts';
import { watchLoopDelay } from './loop-delay.ts';

const { values } = parseArgs({ options: { url: { type: 'string' }, token: { type: 'string' }, rate: { type: 'string', default: '5' }, out: { type: 'string' } } });
if (!values.url || !values.token || !values.out || !(Number(values.rate) > 0)) {
  console.error('usage: reference.ts --url URL --token TOKEN --rate R --out FILE');
  process.exit(2);
}
const out = values.out;
const agent = new Agent({ keepAlive: true, maxSockets: 4 });
let lines: string[] = [];

watchLoopDelay((ms) => lines.push(`L,${Date.now()},${ms.toFixed(2)}`));

function one(): void {
  let sentAt = performance.now();
  const req = request(values.url!, { agent, headers: { authorization: `Bearer ${values.token}` } }, (res) => {
    const client = performance.now() - sentAt;
    const server = serverTimingTotal(res.headers['server-timing']);
    res.resume();
    if (server !== undefined) lines.push(`R,${Date.now()},${client.toFixed(2)},${server},reference`);
  });
  req.on('finish', () => (sentAt = performance.now())); // as got's firstByte: from the request written to the first byte
  req.on('error', () => undefined);
  req.end();
}

setInterval(one, 1000 / Number(values.rate));
setInterval(() => {
  if (lines.length === 0) return;
  const batch = lines;
  lines = [];
  appendFileSync(out, `${batch.join('\n')}\n`);
}, 1000);
process.once('SIGTERM', () => {
  if (lines.length) appendFileSync(out, `${lines.join('\n')}\n`);
  process.exit(0);
});
