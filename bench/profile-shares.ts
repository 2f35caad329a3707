// Where a generator's CPU goes, by the parts the cost is cut by (pure):
// Artillery's engine, the HTTP client, the suite's hooks and processors,
// metrics, the hmp plugin, crypto/CBOR, GC. Each sample of a V8
// .cpuprofile (node --cpu-prof; one file per thread) goes to its innermost
// frame that belongs to one of them: a signature in a processor is
// crypto, the processor's own code around it is the processor's, got
// reading the answer that the processor then checks is the HTTP client's.
// Frames of no owner (JS builtins, Node's timers, events and streams) count
// for their caller. Only the samples inside a window count (the steady part
// of a run), profile time being CLOCK_MONOTONIC microseconds.
// profile-summary.ts is the finer view of one thread (libraries by name,
// event-loop stalls).
import type { CpuProfile } from './profile-summary.ts';

type Test = (url: string) => boolean;

/** Checked frame by frame from the sample's leaf up; in one frame, the first match wins. */
export const OWNERS: Array<[string, Test]> = [
  ['crypto/CBOR', (u) => /\/node_modules\/(@noble|cbor-x|cbor-extract)\//.test(u) || /^node:(crypto|internal\/crypto)/.test(u)],
  // Artillery's own metrics (SSMS, its sketches, the console reporter) and the stock metric plugins.
  ['metrics', (u) => /\/artillery\/dist\/lib\/(core\/ssms|console-reporter)|\/@artilleryio\/sketches-js\/|\/artillery-plugin-(metrics-by-endpoint|ensure|publish-metrics)\//.test(u)],
  ['hmp plugin', (u) => u.includes('/artillery-plugin-hmp/')],
  // Artillery bundles a run's processor entry (the suite's processors, or the floor's one function) into <run>/dist/.
  ['hooks and processors', (u) => /\/dist\/processor[^/]*\.js$/.test(u) || u.includes('/processors/')],
  [
    'HTTP client',
    (u) =>
      /\/node_modules\/(got|agentkeepalive|@szmarczak|cacheable-[a-z-]+|http2-wrapper|tough-cookie|undici|decompress-response|responselike|lowercase-keys|mimic-response|p-cancelable|form-data|quick-lru)\//.test(u) ||
      /^node:(net|http|https|tls|dns|_http_[a-z]+|_tls_[a-z]+|internal\/(http|net|dns|deps\/undici))/.test(u),
  ],
  ["Artillery's engine", (u) => /\/node_modules\/(artillery|@artilleryio|artillery-engine-[a-z]+|async|lodash|driftless|arrivals)\//.test(u)],
  ['module loading', (u) => /^node:internal\/modules\//.test(u)],
];
export const GC = 'GC (garbage collector)';
export const PROGRAM = '(program): V8 and native code outside JS';
export const UNOWNED = 'other (Node core, unowned)';

export interface Shares {
  /** Thread profiles summed. */
  threads: number;
  /** Sampled time in the window, not idle, ms (wall time while busy: it includes time the thread waited for a CPU). */
  busyMs: number;
  idleMs: number;
  byCategory: Array<{ category: string; ms: number; pct: number }>;
}

/** The category of each node id of one profile. */
function ownersOf(profile: CpuProfile): Map<number, string> {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const out = new Map<number, string>();
  const ownerOf = (id: number): string => {
    const known = out.get(id);
    if (known) return known;
    const frame = nodes.get(id)!.callFrame;
    let c: string | undefined;
    if (frame.functionName === '(garbage collector)') c = GC;
    else if (frame.functionName === '(program)') c = PROGRAM;
    else if (frame.functionName === '(idle)') c = '(idle)';
    else {
      c = OWNERS.find(([, test]) => test(frame.url))?.[0];
      const up = parent.get(id);
      c ??= up === undefined ? UNOWNED : ownerOf(up);
    }
    out.set(id, c);
    return c;
  };
  for (const n of profile.nodes) ownerOf(n.id);
  return out;
}

/**
 * Shares of the busy time by owner over the samples in [fromMs, toMs]
 * (epoch ms), summed over the given thread profiles. `offsetUs` maps
 * profile time to the epoch: epoch µs = profile µs + offsetUs.
 */
export function sharesOf(profiles: readonly CpuProfile[], window: { fromMs: number; toMs: number; offsetUs: number }): Shares {
  const totals = new Map<string, number>();
  const from = window.fromMs * 1000 - window.offsetUs;
  const to = window.toMs * 1000 - window.offsetUs;
  for (const p of profiles) {
    const owners = ownersOf(p);
    let t = p.startTime;
    for (let i = 0; i < p.samples.length; i++) {
      const dt = p.timeDeltas[i]!;
      t += dt;
      if (t < from || t > to) continue;
      const c = owners.get(p.samples[i]!) ?? UNOWNED;
      totals.set(c, (totals.get(c) ?? 0) + dt);
    }
  }
  const idle = totals.get('(idle)') ?? 0;
  totals.delete('(idle)');
  const busy = [...totals.values()].reduce((a, v) => a + v, 0);
  return {
    threads: profiles.length,
    busyMs: busy / 1000,
    idleMs: idle / 1000,
    byCategory: [...totals].sort((a, b) => b[1] - a[1]).map(([category, us]) => ({ category, ms: us / 1000, pct: (100 * us) / Math.max(1, busy) })),
  };
}

/** epoch µs - CLOCK_MONOTONIC µs now (V8's profile clock and process.hrtime are both CLOCK_MONOTONIC on Linux). */
export function monotonicOffsetUs(): number {
  return Date.now() * 1000 - Number(process.hrtime.bigint() / 1000n);
}
