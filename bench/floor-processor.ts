// The only processor function of the floor client (b): sets a request's
// body to its pre-built CBOR bytes (YAML cannot carry binary). Read once
// from BENCH_FLOOR_BODIES/<request name>.cbor.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

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
