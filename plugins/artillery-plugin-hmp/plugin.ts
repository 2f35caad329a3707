// The plugin's entry: Artillery constructs it once in the main thread and
// once in every worker (LOCAL_WORKER_ID set); each side has its own job.
import createDebug from 'debug';
import { MainSide } from './main.ts';
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
      this.main = new MainSide(script.config?.plugins?.hmp ?? {}, events);
    } catch (err) {
      if (!(err instanceof SettingsError || err instanceof ShapeError)) throw err;
      console.error(`hmp: ${err.message}`);
      process.exit(2);
    }
  }
}
