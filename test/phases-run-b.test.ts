// Phase files run as is under time scale (part 2 of 2): the two heaviest (60 and 200 users) in one
// file, one after the other, so they never share the machine's 2 cores with each other.
import { phaseRuns } from './support/phase-cases.ts';

phaseRuns(['spike', 'breakpoint']);
