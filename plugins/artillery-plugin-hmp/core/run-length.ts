// Is a run long enough to judge? (pure) Artillery measures in fixed 10 s
// periods, and the plan's criteria are judged on them: each load level a
// test holds needs at least one whole period of its own (two for the
// breakpoint, whose level fails on two periods in a row), and the soak's
// drift windows need minWindowPeriods each. A time scale that shrinks a
// hold below that leaves a verdict with nothing under it, so the run is
// refused before any load (HMP_ALLOW_SHORT runs it anyway, for checking the
// mechanics).

/** Artillery's stats period, seconds (fixed: ARTILLERY-NOTES). */
export const PERIOD_S = 10;

/** What a test needs measured, in plan seconds, and how many periods of it. */
export interface LengthNeed {
  /** "the 540 s hold at 10 users" */
  what: string;
  planS: number;
  periods: number;
}

export interface TooShort {
  test: string;
  timeScale: number;
  /** The need that sets the smallest scale. */
  need: LengthNeed;
  /** Smallest time scale that meets every need (rounded up to two significant digits). */
  minScale: number;
  /** "its 180 s levels would last 0.4 s, under two 10 s periods" */
  why: string;
}

interface PhaseLike {
  duration: number;
  users: number;
}

/** The holds (phases at a level above 0 users, unchanged from the previous phase's). */
function holds(phases: PhaseLike[]): Array<{ users: number; planS: number }> {
  const out: Array<{ users: number; planS: number }> = [];
  let level = 0;
  for (const p of phases) {
    if (p.users > 0 && p.users === level) out.push({ users: p.users, planS: p.duration });
    level = p.users;
  }
  return out;
}

/** What a test's criteria need measured; `drift` only for the soak. */
export function lengthNeeds(test: string, phases: PhaseLike[], drift?: { windowS: number; minWindowPeriods: number }): LengthNeed[] {
  const periods = test === 'breakpoint' ? 2 : 1;
  const needs = holds(phases).map((h) => ({ what: `${test === 'breakpoint' ? 'level' : 'hold'} of ${h.planS} s at ${h.users} users`, planS: h.planS, periods }));
  if (test === 'soak' && drift) needs.push({ what: `drift window of ${drift.windowS} s`, planS: drift.windowS, periods: drift.minWindowPeriods });
  return needs;
}

/** Rounded UP to two significant digits: the scale it names always works. */
export function roundUp2(x: number): number {
  const step = 10 ** (Math.floor(Math.log10(x)) - 1);
  return Number((Math.ceil(x / step - 1e-9) * step).toPrecision(2));
}

const WORDS = ['', 'one', 'two', 'three', 'four', 'five'];
const periodsWords = (n: number) => `${WORDS[n] ?? n} ${PERIOD_S} s period${n === 1 ? '' : 's'}`;

/** Null when every need holds at `timeScale`; else the tightest need and the smallest scale that works. */
export function tooShort(test: string, needs: LengthNeed[], timeScale: number): TooShort | null {
  if (needs.length === 0) return null;
  const scaleOf = (n: LengthNeed) => (n.periods * PERIOD_S) / n.planS;
  const tightest = needs.reduce((a, b) => (scaleOf(b) > scaleOf(a) ? b : a));
  const minScale = roundUp2(scaleOf(tightest));
  if (timeScale >= scaleOf(tightest)) return null;
  const lasts = tightest.planS * timeScale;
  const why = `its ${tightest.what} would last ${lasts < 1 ? lasts.toFixed(2) : lasts.toFixed(1)} s, under ${periodsWords(tightest.periods)}`;
  return { test, timeScale, need: tightest, minScale, why };
}

/** HMP_ALLOW_SHORT=1 (or on/true/yes): run a test too short to judge anyway. */
export function shortAllowed(env: Record<string, string | undefined>): boolean {
  return ['1', 'on', 'true', 'yes'].includes(String(env.HMP_ALLOW_SHORT ?? '').toLowerCase());
}
