// Phase files run as is under time scale (part 2 of 2).
import { phaseRuns } from './support/phase-cases.ts';

phaseRuns(['average', 'spike', 'breakpoint']);
