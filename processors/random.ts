// This worker's source of randomness: Math.random, or with HMP_SEED a seeded
// PRNG (one stream per worker, so workers do not repeat each other).
import { mulberry32 } from '../plugins/artillery-plugin-hmp/prng.ts';
import type { Rand } from './pick.ts';
import { settings } from './settings.ts';

let rand: Rand | undefined;

export function workerRand(): Rand {
  if (!rand) {
    const seed = settings().seed;
    const worker = Number(process.env.LOCAL_WORKER_ID ?? 0) || 0;
    rand = seed === undefined ? Math.random : mulberry32((seed ^ Math.imul(worker + 1, 0x9e3779b1)) >>> 0);
  }
  return rand;
}
