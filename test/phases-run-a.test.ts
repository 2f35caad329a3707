// Phase files run as is under time scale (part 1 of 2: two files so the runner can overlap them).
import { phaseRuns } from './support/phase-cases.ts';

phaseRuns(['smoke', 'average', 'stress', 'soak']);
