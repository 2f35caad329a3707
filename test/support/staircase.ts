// A small breakpoint staircase for the breakpoint tests: levels 10, 20, 40,
// each a 20 s ramp and a 30 s hold (periods are 10 s), then down.
import { buildShape } from '../../plugins/artillery-plugin-hmp/shape.ts';

export const STAIRCASE = buildShape([
  { name: 'r10', duration: 20, users: 10 },
  { name: 'h10', duration: 30, users: 10 },
  { name: 'r20', duration: 20, users: 20 },
  { name: 'h20', duration: 30, users: 20 },
  { name: 'r40', duration: 20, users: 40 },
  { name: 'h40', duration: 30, users: 40 },
  { name: 'down', duration: 10, users: 0 },
]);
