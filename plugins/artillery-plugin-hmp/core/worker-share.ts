// Distributed runs: N load generators share the plan's users (pure).
//
// Each of Artillery's cloud workers runs the whole phase file: run-fargate
// launches --count tasks with the same command line and the same
// environment (platform/aws-ecs/legacy/run-cluster.js generateTaskOverrides),
// and tells none of them the count or its place. Its workers get WORKER_ID
// (each its own) and IS_LEADER ("true" for exactly one: launchLeadTask, the
// others "false": ecsRunTask); run-lambda's get WORKER_ID and no leader.
// So: HMP_WORKERS=N, the same on every worker (run-fargate --dotenv), says
// how many share the users; HMP_WORKER_INDEX=i (0..N-1) says which one, for
// workers a person starts; on Fargate, without an index, the leader holds
// the remainder. Every worker draws the plan's target on its own clock and
// holds its share of it: the shares of the N workers add up to the target
// at every moment.

export interface WorkerShare {
  /** How many load generators share the plan's users (2 or more). */
  workers: number;
  /** This one's place, 0..workers-1 (HMP_WORKER_INDEX). */
  index?: number;
  /** Without an index: Artillery's IS_LEADER (one worker of a run-fargate has it). */
  leader?: boolean;
  /** One of Artillery's cloud workers (WORKER_ID set): its ensure runs on the launcher, not here. */
  cloud: boolean;
}

/** The run cannot share the users as it was started; the message is one sentence with what to do. */
export class WorkerShareError extends Error {}

type Env = Record<string, string | undefined>;

const given = (x: string | undefined): x is string => x !== undefined && x.trim() !== '';

/** One of Artillery's cloud workers (run-fargate, run-lambda, run-aci all set WORKER_ID). */
export function isCloudWorker(env: Env): boolean {
  return given(env.WORKER_ID);
}

/** This generator's share of the run, undefined when it runs alone and is no cloud worker; throws WorkerShareError. */
export function workerShareOf(env: Env): WorkerShare | undefined {
  const cloud = isCloudWorker(env);
  if (!given(env.HMP_WORKERS)) {
    if (given(env.HMP_WORKER_INDEX)) throw new WorkerShareError(`HMP_WORKER_INDEX=${env.HMP_WORKER_INDEX} is set but not HMP_WORKERS: give every worker HMP_WORKERS=<how many workers run the test> too. No load was sent.`);
    if (cloud) {
      throw new WorkerShareError(
        "this is one of Artillery's cloud workers (WORKER_ID is set), and each of them runs the whole phase file: give every worker HMP_WORKERS=<the --count> (run-fargate --dotenv FILE, with the line HMP_WORKERS=4 in FILE) so that together they hold the plan's users, not that many times them. No load was sent.",
      );
    }
    return undefined;
  }
  const workers = Number(env.HMP_WORKERS);
  if (!Number.isInteger(workers) || workers < 1) throw new WorkerShareError(`HMP_WORKERS must be a whole number of 1 or more (how many workers share the plan's users), got "${env.HMP_WORKERS}". No load was sent.`);
  if (given(env.HMP_WORKER_INDEX)) {
    const index = Number(env.HMP_WORKER_INDEX);
    if (!Number.isInteger(index) || index < 0 || index >= workers) {
      throw new WorkerShareError(`HMP_WORKER_INDEX must be a whole number from 0 to ${workers - 1} (this worker's place among HMP_WORKERS=${workers}), got "${env.HMP_WORKER_INDEX}". No load was sent.`);
    }
    return workers === 1 && !cloud ? undefined : { workers, index, cloud };
  }
  // One cloud worker holds all the users, but it is still a worker: its launcher makes the report and runs ensure.
  if (workers === 1) return cloud ? { workers, index: 0, cloud } : undefined;
  if (env.IS_LEADER === 'true' || env.IS_LEADER === 'false') return { workers, leader: env.IS_LEADER === 'true', cloud };
  throw new WorkerShareError(
    `HMP_WORKERS=${workers} says this is one of ${workers} workers but not which one: start each with its own HMP_WORKER_INDEX (0 to ${workers - 1}); run-fargate's workers need none (Artillery's IS_LEADER tells them apart), run-lambda's get neither and cannot share the users. No load was sent.`,
  );
}

/** Why this launcher cannot run the suite's plugin (`platform`: Artillery's --platform), or undefined. */
export function launcherRefusal(platform: unknown): string | undefined {
  if (platform === undefined || platform === 'local') return undefined;
  return `artillery ${platform === 'aws:lambda' ? 'run-lambda' : platform === 'az:aci' ? 'run-aci' : `--platform ${String(platform)}`} loads this plugin on the launcher as well as on every worker, and its workers cannot share the plan's users: run a distributed test with run-fargate (README: Distributed). No load was sent.`;
}

/**
 * This generator's share of `total` users. With an index: the first
 * total mod N workers hold one more (30 over 4: 8, 8, 7, 7); with the
 * leader: the others hold total div N, the leader the rest (30 over 4: 9,
 * 7, 7, 7). Either way the N shares add up to `total`.
 */
export function shareOf(total: number, share: WorkerShare | undefined): number {
  if (!share) return total;
  const base = Math.floor(total / share.workers);
  const rest = total - base * share.workers;
  if (share.index !== undefined) return base + (share.index < rest ? 1 : 0);
  return base + (share.leader ? rest : 0);
}

/** The most users this generator holds while the target goes up to `peak` (the leader's share is not monotonic: 3 of 3, then 1 of 4, over 4 workers). */
export function peakShareOf(peak: number, share: WorkerShare | undefined): number {
  if (!share) return peak;
  let most = 0;
  for (let t = 0; t <= Math.ceil(peak); t++) most = Math.max(most, shareOf(t, share));
  return most;
}

/** "worker 2 of 4" / "the leader of 4 workers" / "one of 4 workers (not the leader)". */
export function shareWords(share: WorkerShare): string {
  if (share.workers === 1) return 'the only worker';
  if (share.index !== undefined) return `worker ${share.index + 1} of ${share.workers} (HMP_WORKER_INDEX=${share.index})`;
  return share.leader ? `the leader of ${share.workers} workers` : `one of ${share.workers} workers (not the leader)`;
}

/** A jitter seed every worker of one run derives alike from its test run id (Artillery gives all of them the same ARTILLERY_TEST_RUN_ID); FNV-1a, 31 bits. */
export function seedOfRunId(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h & 0x7fffffff;
}
