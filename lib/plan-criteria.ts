// The plan's criteria as phases/common.yml states them (I/O: reads the file
// once), and the criteria of a results file: what it recorded, the rest from
// common.yml. Used where a run is judged outside the plugin (report, suite).
import { join } from 'node:path';
import { criteriaOfRecord, type Criteria } from '../plugins/artillery-plugin-hmp/core/criteria.ts';
import { resolveSettings } from '../plugins/artillery-plugin-hmp/settings.ts';

const PHASES = join(import.meta.dirname, '..', 'phases');

let cached: Criteria | undefined;

/** Every threshold of the plan, from phases/common.yml. */
export function planCriteria(): Criteria {
  return (cached ??= resolveSettings({ test: 'average' }, PHASES, {}, {}, () => 0).criteria);
}

/** The criteria recorded with a run (aggregate.hmp.criteria), completed from phases/common.yml. */
export function criteriaOfRun(hmpSection: { test?: unknown; criteria?: unknown } | undefined): Criteria {
  const test = typeof hmpSection?.test === 'string' ? hmpSection.test : 'unknown';
  return criteriaOfRecord(hmpSection?.criteria, test, planCriteria());
}
