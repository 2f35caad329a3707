// Metric names of results files written before the suite's metrics moved
// under `plugins.hmp.` (pure): the reader renames them, so old report
// folders still read. hmp.gate.* were the criteria ensure checks.
import { dict, HMP } from './metric-names.ts';

/** Prefixes of the suite's metrics before they moved under plugins.hmp (hmp.gate.* are now the criteria). */
const LEGACY: ReadonlyArray<readonly [string, string]> = [
  ['hmp.gate.', `${HMP}.criteria.`],
  ['hmp.', `${HMP}.`],
];

/** A metric name as it is named now: hmp.x -> plugins.hmp.x; other names unchanged. */
export function currentName(name: string): string {
  for (const [old, now] of LEGACY) if (name.startsWith(old)) return now + name.slice(old.length);
  return name;
}

/**
 * The record with older metric names renamed, in the same order; the record
 * itself when no name is older. A name already current wins over its older twin.
 */
export function renamed<T>(record: Record<string, T>): Record<string, T> {
  const keys = Object.keys(record);
  if (!keys.some((k) => currentName(k) !== k)) return record;
  const out = dict<T>();
  for (const k of keys) {
    const name = currentName(k);
    if (name === k || !Object.hasOwn(record, name)) out[name] = record[k]!;
  }
  return out;
}
