// Pluggable system metrics: pick a source by name, sample during a test,
// turn the samples into per-period summaries and the CPU/RAM verdicts.
import { DigitalOceanSampler, DO_NOT_OFFERED, type DigitalOceanOptions } from './digitalocean.ts';
import { LocalSampler, type LocalOptions } from './local.ts';
import type { SystemInfo } from './periods.ts';
import { SystemMetricsError, type Sample, type SystemSampler } from './types.ts';

export { SystemMetricsError, type Sample, type SystemSampler } from './types.ts';
export { LocalSampler } from './local.ts';
export { SYSTEM_METRIC, mergeSystemMetrics, systemPeriods } from './periods.ts';

export const SOURCES = ['local', 'digitalocean', 'none'] as const;
export type SourceName = (typeof SOURCES)[number];

/** The source and its options: those of the local and the digitalocean sampler, all optional here. */
export type SamplerOptions = { source: SourceName } & Partial<Pick<LocalOptions, 'pid' | 'label' | 'others' | 'netInterface' | 'intervalMs' | 'cpuBasis' | 'memLimitMb' | 'port'>> &
  Partial<Pick<DigitalOceanOptions, 'appId' | 'component' | 'baseUrl' | 'env' | 'settleMs'>>;

/** The `none` source (default for remote targets): nothing is measured. */
export class NoneSampler implements SystemSampler {
  readonly source = 'none' as const;
  start(): void {}
  async stop(): Promise<Sample[]> {
    return [];
  }
}

/** The source to use when none is given: local for a twin this suite started, none for a remote target. */
export function defaultSource(localPid: number | undefined): SourceName {
  return localPid !== undefined ? 'local' : 'none';
}

/** Throws SystemMetricsError (one sentence) for a missing option. */
export function createSampler(o: SamplerOptions): SystemSampler {
  switch (o.source) {
    case 'local':
      if (o.pid === undefined) throw new SystemMetricsError('the local source needs the pid of the server (--pid N), or a twin started by the suite.');
      return new LocalSampler({ pid: o.pid, label: o.label, others: o.others, netInterface: o.netInterface, intervalMs: o.intervalMs, cpuBasis: o.cpuBasis, memLimitMb: o.memLimitMb, port: o.port });
    case 'digitalocean':
      return new DigitalOceanSampler({ appId: o.appId ?? '', component: o.component, baseUrl: o.baseUrl, env: o.env, settleMs: o.settleMs });
    case 'none':
      return new NoneSampler();
    default:
      throw new SystemMetricsError(`the system metrics source must be one of ${SOURCES.join(', ')}, got "${String((o as { source: unknown }).source)}".`);
  }
}


/** What to record with the results about a sampler (mergeSystemMetrics's `info`). */
export function describeSampler(s: SystemSampler): SystemInfo {
  if (s instanceof LocalSampler) {
    return { source: 'local', cpuBasis: s.cpuBasis, memTotalMb: Math.round(s.memLimitMb), intervalMs: s.intervalMs, pid: s.pid, processes: s.processes, netInterface: s.netInterface, note: s.ended, ...(s.processEvents.length > 1 ? { processEvents: s.processEvents } : {}) };
  }
  if (s instanceof DigitalOceanSampler) {
    return { source: 'digitalocean', cpuBasis: 'DigitalOcean cpu_percentage', appId: s.appId, component: s.component, notOffered: DO_NOT_OFFERED, note: s.note };
  }
  return { source: s.source };
}
