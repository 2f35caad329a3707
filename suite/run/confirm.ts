// `--confirm`: the breakpoint again without conversions, once the server has
// recovered from the first (a bounded wait, said plainly when it runs out),
// so the report states what the recommended fix gains: the capacity with and
// without them. The decision and the words are diagnosis/confirm.ts's.
import { comparisonWords, confirmable, type Capacities } from '../../diagnosis/confirm.ts';
import type { StepRecord } from './state.ts';
import type { TestOutcome } from './tests.ts';
import { fmtS } from '../../plugins/artillery-plugin-hmp/core/stats.ts';

/** How long the experiment waits for the server to answer again after the breakpoint. */
export const CONFIRM_WAIT_MS = 10 * 60_000;
const POLL_MS = 5000;

export interface ConfirmResult {
  ran: boolean;
  text: string;
  with?: Capacities;
  without?: Capacities;
  report?: string;
}

export interface ConfirmDeps {
  line: (text: string) => void;
  /** GET /health: null when it answered, else why not. */
  health: () => Promise<string | null>;
  /** The breakpoint again, conversions off, in its own folder. */
  run: () => Promise<TestOutcome>;
  interrupted: () => boolean;
  waitMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const capacitiesOf = (n: StepRecord['numbers']): Capacities => ({
  withinSlosUsers: typeof n?.maxUsersWithinSlos === 'number' ? n.maxUsersWithinSlos : null,
  withinSlosReqPerS: typeof n?.withinSlosReqPerS === 'number' ? n.withinSlosReqPerS : null,
  beforeFailureUsers: typeof n?.maxSustainableUsers === 'number' ? n.maxSustainableUsers : null,
});

/** Runs the experiment for a finished breakpoint step; undefined when its diagnosis has nothing to confirm. */
export async function confirmCause(breakpoint: StepRecord, deps: ConfirmDeps): Promise<ConfirmResult | undefined> {
  const cause = confirmable(breakpoint.diagnosis);
  if (!cause) return undefined;
  const sleep = deps.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const waitMs = deps.waitMs ?? CONFIRM_WAIT_MS;
  deps.line(`confirming the cause (${cause.title}): the breakpoint again without conversions, once the server answers again (waiting at most ${fmtS(waitMs / 1000)})`);
  const deadline = Date.now() + waitMs;
  let down = await deps.health();
  while (down && Date.now() < deadline && !deps.interrupted()) {
    await sleep(POLL_MS);
    down = await deps.health();
  }
  if (down) {
    const text = `the experiment was not run: the server did not answer GET /health within ${fmtS(waitMs / 1000)} after the breakpoint (${down}).`;
    deps.line(text);
    return { ran: false, text };
  }
  const outcome = await deps.run();
  if (!outcome.numbers || outcome.status === 'failed' || outcome.status === 'interrupted') {
    const text = `the experiment did not finish: ${outcome.reason ?? outcome.status}`;
    deps.line(text);
    return { ran: false, text, ...(outcome.report ? { report: outcome.report } : {}) };
  }
  const withKind = capacitiesOf(breakpoint.numbers);
  const without = capacitiesOf(outcome.numbers);
  const text = comparisonWords(withKind, without);
  deps.line(text);
  return { ran: true, text, with: withKind, without, ...(outcome.report ? { report: outcome.report } : {}) };
}
