// Where a generator thread's CPU goes, from a V8 .cpuprofile (node
// --cpu-prof; `npm run bench -- --only cost --profile` writes them under
// bench/profiles/): each sample is put in the first category its stack
// matches, and the longest busy stretches (event-loop stalls) are listed.
//   npx node bench/profile-summary.ts bench/profiles/cost-suite/<file>.cpuprofile [--skip-s 10]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

type Test = (url: string, fn: string) => boolean;

/** First match wins: the suite's own parts before the libraries they call. */
export const CATEGORIES: Array<[string, Test]> = [
  ['ed25519 signing (@noble/ed25519, pure JS)', (u) => u.includes('@noble')],
  ['PDF generation (pdf-lib)', (u) => u.includes('pdf-lib') || u.includes('pako') || u.includes('pdf-fixture')],
  ['CBOR (cbor-x)', (u) => u.includes('cbor')],
  ['metrics sketches (@artilleryio/sketches-js)', (u) => u.includes('sketches')],
  ['hmp plugin (gate, sampler)', (u) => u.includes('artillery-plugin-hmp')],
  ['metrics-by-endpoint plugin', (u) => u.includes('metrics-by-endpoint')],
  ['ensure plugin', (u) => u.includes('artillery-plugin-ensure')],
  ['suite processors (bundle)', (u) => /processor\.js$/.test(u)],
  ['got (HTTP client)', (u) => /\/(got|agentkeepalive|@szmarczak|cacheable-[a-z]+|http2-wrapper)\//.test(u)],
  ['artillery core', (u) => /\/(artillery|async|lodash)\//.test(u)],
  ['node net/http', (u, fn) => /^node:(net|_http|internal\/stream|stream|internal\/streams)/.test(u) || ['writev', 'writeLatin1String', 'writeUtf8String', 'writeBuffer', 'close'].includes(fn)],
  ['module loading', (u, fn) => u.includes('modules/') || ['compileSourceTextModule', 'internalModuleStat', 'wrapSafe'].includes(fn)],
];

export interface Summary {
  spanS: number;
  busyMs: number;
  byCategory: Array<{ category: string; ms: number; pct: number }>;
  stalls: Array<{ atS: number; ms: number; top: string }>;
}

const label = (cf: CallFrame) => `${cf.functionName || '(anonymous)'} ${cf.url.split('/').pop()}:${cf.lineNumber}`;

export function summarize(profile: CpuProfile, skipS = 0, stallMs = 40): Summary {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stackOf = (id: number): CallFrame[] => {
    const out: CallFrame[] = [];
    for (let x: number | undefined = id; x !== undefined; x = parent.get(x)) out.push(nodes.get(x)!.callFrame);
    return out;
  };
  const categoryCache = new Map<number, string>();
  const categoryOf = (id: number): string => {
    let c = categoryCache.get(id);
    if (c) return c;
    const fn = nodes.get(id)!.callFrame.functionName;
    if (['(idle)', '(garbage collector)', '(program)'].includes(fn)) c = fn;
    else {
      const stack = stackOf(id);
      c = CATEGORIES.find(([, test]) => stack.some((f) => test(f.url, f.functionName)))?.[0] ?? 'other';
    }
    categoryCache.set(id, c);
    return c;
  };
  const totals = new Map<string, number>();
  const stalls: Summary['stalls'] = [];
  let t = profile.startTime;
  let run: Array<{ t: number; id: number; dt: number }> = [];
  const closeRun = () => {
    if (run.length && run.at(-1)!.t - run[0]!.t >= stallMs * 1000) {
      const by = new Map<string, number>();
      for (const r of run) {
        const frame = stackOf(r.id).find((f) => f.url && !f.url.startsWith('node:')) ?? nodes.get(r.id)!.callFrame;
        by.set(label(frame), (by.get(label(frame)) ?? 0) + r.dt);
      }
      const top = [...by].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([k, v]) => `${k} ${(v / 1000).toFixed(0)} ms`).join('; ');
      stalls.push({ atS: (run[0]!.t - profile.startTime) / 1e6, ms: (run.at(-1)!.t - run[0]!.t) / 1000, top });
    }
    run = [];
  };
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i]!;
    t += dt;
    if ((t - profile.startTime) / 1e6 < skipS) continue;
    const id = profile.samples[i]!;
    const c = categoryOf(id);
    totals.set(c, (totals.get(c) ?? 0) + dt);
    if (c === '(idle)') closeRun();
    else run.push({ t, id, dt });
  }
  closeRun();
  const busy = [...totals].filter(([k]) => k !== '(idle)').reduce((a, [, v]) => a + v, 0);
  return {
    spanS: (profile.endTime - profile.startTime) / 1e6 - skipS,
    busyMs: busy / 1000,
    byCategory: [...totals]
      .filter(([k]) => k !== '(idle)')
      .sort((a, b) => b[1] - a[1])
      .map(([category, us]) => ({ category, ms: us / 1000, pct: (100 * us) / Math.max(1, busy) })),
    stalls: stalls.sort((a, b) => b.ms - a.ms),
  };
}

export function formatSummary(s: Summary): string {
  const lines = [`busy ${(s.busyMs / 1000).toFixed(2)} s of ${s.spanS.toFixed(0)} s (${((100 * s.busyMs) / 1000 / s.spanS).toFixed(1)}% of a core)`];
  for (const c of s.byCategory) lines.push(`${c.ms.toFixed(0).padStart(8)} ms ${c.pct.toFixed(1).padStart(5)}%  ${c.category}`);
  if (s.stalls.length) {
    lines.push('longest busy stretches (event-loop stalls):');
    for (const st of s.stalls.slice(0, 8)) lines.push(`  at ${st.atS.toFixed(1)} s: ${st.ms.toFixed(0)} ms  ${st.top}`);
  }
  return lines.join('\n');
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { 'skip-s': { type: 'string', default: '0' } } });
  if (positionals.length === 0) {
    console.error('usage: npx node bench/profile-summary.ts <file.cpuprofile>... [--skip-s S]');
    process.exit(2);
  }
  for (const f of positionals) {
    console.log(`== ${f}`);
    console.log(formatSummary(summarize(JSON.parse(readFileSync(f, 'utf8')) as CpuProfile, Number(values['skip-s']))));
  }
}
