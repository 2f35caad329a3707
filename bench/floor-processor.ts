// The processor of the floor client (b), stock Artillery: staticBody sets a
// request's body to its pre-built CBOR bytes (YAML cannot carry binary),
// read once from BENCH_FLOOR_BODIES/<request name>.cbor. In a ladder
// (floor.ts floorLadder) floorStart and floorLive tell each VU how long to
// think at the current level and when to stop, from BENCH_FLOOR_SCHEDULE
// (floor.ts FloorSchedule); the clock starts at the first VU's arrival.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FloorSchedule } from './floor.ts';

const bodies = new Map<string, Buffer>();

function bodyOf(name: string): Buffer {
  let body = bodies.get(name);
  if (!body) bodies.set(name, (body = readFileSync(join(process.env.BENCH_FLOOR_BODIES ?? '.', `${name}.cbor`))));
  return body;
}

export function staticBody(req: { name?: string; body?: Buffer }, _context: unknown, _ee: unknown, next: () => void): void {
  req.body = bodyOf(req.name ?? '');
  next();
}

const schedule: FloorSchedule = process.env.BENCH_FLOOR_SCHEDULE ? JSON.parse(process.env.BENCH_FLOOR_SCHEDULE) : { thinks: [{ fromS: 0, thinkMs: 1000 }], endS: Infinity };
let startedAt: number | undefined;

/** At `s` seconds into the schedule (pure): whether VUs still send, and the think before their next request. */
export function floorAt(sch: FloorSchedule, s: number): { live: boolean; think: string } {
  if (s >= sch.endS) return { live: false, think: '1ms' };
  let ms = sch.thinks[0]!.thinkMs;
  for (const t of sch.thinks) if (s >= t.fromS) ms = t.thinkMs;
  return { live: true, think: `${ms}ms` };
}

type Vars = Record<string, unknown>;

/** beforeScenario: the VU's first think. */
export function floorStart(context: { vars: Vars }, _ee: unknown, next: () => void): void {
  startedAt ??= Date.now();
  context.vars.floorThink = floorAt(schedule, (Date.now() - startedAt) / 1000).think;
  next();
}

/** ifTrue of every request: send it while the schedule runs; sets the think after it (1 ms past the end: the rest of the flow goes by at once). */
export function floorLive(vars: Vars): boolean {
  const at = floorAt(schedule, (Date.now() - (startedAt ?? Date.now())) / 1000);
  vars.floorThink = at.think;
  return at.live;
}
