// The `none` source (default for remote targets): nothing is measured.
import type { Sample, SystemSampler } from './types.ts';

export class NoneSampler implements SystemSampler {
  readonly source = 'none' as const;
  start(): void {}
  async stop(): Promise<Sample[]> {
    return [];
  }
}
