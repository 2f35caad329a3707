// The plugin's entry: Artillery constructs it once in the main thread and
// once in every worker (LOCAL_WORKER_ID set); each side has its own job.
import createDebug from 'debug';
import { MainSide } from './main.ts';
import { shareLine, startDistributed } from './distributed.ts';
import { SettingsError } from './settings.ts';
import { ShapeError } from './shape.ts';
import { setUpWorker } from './worker.ts';

const debug = createDebug('plugin:hmp');

export class HmpPlugin {
  main: MainSide | undefined;

  constructor(script: Record<string, any>, events: { on(event: string, fn: (...args: any[]) => void): void }) {
    if (process.env.ARTILLERY_DISABLE_HMP) {
      debug('disabled by ARTILLERY_DISABLE_HMP');
      return;
    }
    if (process.env.LOCAL_WORKER_ID !== undefined) {
      setUpWorker(script);
      return;
    }
    try {
      // A distributed run's share, refused in one sentence when it cannot be known (distributed.ts).
      const share = startDistributed(script, events, process.env, (globalThis as any).artillery?.testInfo?.flags?.platform);
      this.main = new MainSide(script.config?.plugins?.hmp ?? {}, events);
      if (share) console.log(`hmp: ${shareLine(share, this.main.shape.peak, this.main.shape.planPeak ?? this.main.shape.peak)}`);
    } catch (err) {
      if (!(err instanceof SettingsError || err instanceof ShapeError)) throw err;
      console.error(`hmp: ${err.message}`);
      process.exit(2);
    }
  }
}
