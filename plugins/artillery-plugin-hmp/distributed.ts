// The main-thread side of a distributed run (core/worker-share.ts says who
// holds what): refuses what cannot share the plan's users, in one sentence,
// before any load; a worker needs the server's address (a local twin per
// worker would load N twins, not one server) and writes no report of its
// own (the launcher's merged results make the run's: npm run report --
// <results> --phase <phase file>). HMP_WORKER_STATS=FILE writes what a
// cloud worker sends its launcher (worker-stats.ts), for workers started by hand.
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { launcherRefusal, shareWords, type WorkerShare } from './core/worker-share.ts';
import { LOCAL_TWIN } from './main.ts';
import { checkedShare, SettingsError } from './settings.ts';
import { recordWorkerStats } from './worker-stats.ts';

interface Events {
  on(event: string, fn: (...args: any[]) => void): void;
}

/** This run's share, checked; throws SettingsError with one sentence. `env` is changed: no report on a worker. */
export function startDistributed(script: Record<string, any>, events: Events, env: Record<string, string | undefined>, platform: unknown): WorkerShare | undefined {
  const refusal = launcherRefusal(platform);
  if (refusal) throw new SettingsError(refusal);
  const share = checkedShare(env);
  if (share) {
    const target = String(script.config?.target ?? '').trim();
    if ((!target || target === LOCAL_TWIN) && !env.HMP_TARGET?.trim()) {
      throw new SettingsError(`a distributed run needs the server's address on every worker: give it with --target URL (or HMP_TARGET); a local twin per worker would load ${share.workers} twins, not one server. No load was sent.`);
    }
    env.HMP_NO_REPORT ??= '1';
    commonJsBundle((globalThis as { artillery?: { hasTypescriptProcessor?: string } }).artillery?.hasTypescriptProcessor);
  }
  if (env.HMP_WORKER_STATS) recordWorkerStats(events, env.HMP_WORKER_STATS, env);
  return share;
}

/** The line a worker says once, after the plan's shape: what it holds. */
export function shareLine(share: WorkerShare, peak: number, planPeak: number): string {
  if (share.workers === 1) return `${shareWords(share)}: holds all the plan's users (${peak} at the peak); no report here, the launcher's results make the run's`;
  return `${shareWords(share)}: holds its share of the plan's users (${peak} of ${planPeak} at the peak) and judges only its own load; no report here, the merged results of all ${share.workers} make the run's`;
}

/**
 * Artillery bundles a TypeScript processor as CommonJS into <its folder>/dist/<name>.js
 * (util/prepare-test-execution-plan.js); in a "type": "module" project that file loads
 * only with a package.json saying "commonjs" beside it. This repository keeps one
 * (processors/dist/package.json), but the bundle run-fargate ships lacks it (the phase
 * files' includeFiles do not list it), and the worker's threads fail on the processor
 * ("module is not defined in ES module scope"). A worker writes it before they load it.
 */
function commonJsBundle(bundle: string | undefined): void {
  if (!bundle) return;
  const pkg = join(dirname(bundle), 'package.json');
  if (!existsSync(pkg)) writeFileSync(pkg, '{ "type": "commonjs" }\n');
}
