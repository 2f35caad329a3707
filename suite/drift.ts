// The soak's drift is the core's (plugins/artillery-plugin-hmp/core/drift.ts);
// here with the plan's limits (phases/common.yml) or the ones the run recorded.
import { driftOf as coreDriftOf, driftOfResults as coreDriftOfResults, type Drift, type DriftInput } from '../plugins/artillery-plugin-hmp/core/drift.ts';
import type { Criteria } from '../plugins/artillery-plugin-hmp/core/criteria.ts';
import { criteriaOfRun, planCriteria } from '../lib/plan-criteria.ts';
import { hmpSection, type Results } from '../plugins/artillery-plugin-hmp/core/results.ts';

export { driftMeasured, type Drift, type DriftWindow } from '../plugins/artillery-plugin-hmp/core/drift.ts';

/** driftOf with the plan's limits; `windowS` (plan seconds) overrides the plan's window. */
export function driftOf(input: Omit<DriftInput, 'limits'> & { windowS?: number; limits?: Partial<Criteria['drift']> }): Drift {
  const plan = planCriteria().drift;
  return coreDriftOf({ ...input, limits: { ...plan, ...input.limits, ...(input.windowS !== undefined ? { windowS: input.windowS } : {}) } });
}

/** The drift of a soak's results, by the criteria it recorded. */
export function driftOfResults(results: Results): Drift {
  return coreDriftOfResults(results, criteriaOfRun(hmpSection(results)).drift);
}
