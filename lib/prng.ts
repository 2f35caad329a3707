// Seeded PRNG: the suite's plugin owns it (it must be self-contained to publish).
export { mulberry32, randomInt } from '../plugins/artillery-plugin-hmp/prng.ts';
