// The closed model: keeps the number of concurrently active user sessions
// on the shape's target (the plan counts concurrent users, Artillery creates
// arrivals). Lives in the worker that receives the arrivals; VUs call it at
// the start of each session and during think time.
//
// A VU with a slot runs sessions; one without parks. When the target rises,
// parked VUs are admitted; when it falls, thinking VUs give their slot back
// at once and park. A VU that dies on a request error frees its slot (onError).
import { targetAt, type Shape } from './shape.ts';

export interface GateContext {
  vars: Record<string, unknown>;
}

interface Thinking {
  context: GateContext;
  wake: () => void;
}

export class ClosedModelGate {
  #shape: Shape;
  #now: () => number;
  /** Parked VUs, each waiting to be admitted (true) or sent away (false). */
  #parked: Array<(run: boolean) => void> = [];
  #thinking = new Set<Thinking>();
  /** VUs holding a slot, to shed mid-request ones when no thinking VU is left. */
  #holders = new Set<GateContext>();
  #timer: NodeJS.Timeout | undefined;
  #startedAt: number | undefined;
  #firstAt: number | undefined;
  #ready: { users: number; maxWaitMs: number } | undefined;
  active = 0;
  /** VUs that died holding a slot. */
  lost = 0;

  /**
   * now(): milliseconds (injectable for tests). `ready`: the shape's clock
   * starts once this many VUs have parked (its users are there), or maxWaitMs
   * after the first: on a busy load generator the pool can arrive later than
   * a compressed ramp, which would then run ahead of users not there yet.
   */
  constructor(shape: Shape, now: () => number = () => performance.now(), ready?: { users: number; maxWaitMs: number }) {
    this.#shape = shape;
    this.#now = now;
    this.#ready = ready;
  }

  /** Seconds since the first VU arrived (the shape's t = 0). */
  elapsed(): number {
    if (this.#startedAt === undefined) return 0;
    return (this.#now() - this.#startedAt) / 1000;
  }

  target(): number {
    return targetAt(this.#shape, this.elapsed());
  }

  /** Whether the shape's clock runs (its users are there). */
  get started(): boolean {
    return this.#startedAt !== undefined;
  }

  get ended(): boolean {
    return this.#startedAt !== undefined && this.elapsed() >= this.#shape.total;
  }

  /** The rebalancing tick from the first arrival; the clock once the users are there (`ready`), else at once. */
  #start(tickMs: number): void {
    if (this.#firstAt !== undefined) return;
    this.#firstAt = this.#now();
    this.#timer = setInterval(() => this.rebalance(), tickMs);
    this.#timer.unref();
    this.#startClockIfReady();
  }

  #startClockIfReady(): void {
    if (this.#startedAt !== undefined || this.#firstAt === undefined) return;
    const r = this.#ready;
    if (!r || this.#parked.length >= r.users || this.#now() - this.#firstAt >= r.maxWaitMs) this.#startedAt = this.#now();
  }

  /** Resolves true when this VU may run a session now, false when it must leave (the run ended). */
  beginSession(context: GateContext, tickMs = 100): Promise<boolean> {
    this.#start(tickMs);
    if (this.ended) {
      this.#release(context);
      return Promise.resolve(false);
    }
    if (context.vars.$hmpSlot === true) {
      if (this.active <= this.target()) return Promise.resolve(true);
      this.#release(context); // too many: park until the target rises again
    }
    return new Promise((resolve) => {
      const admit = (run: boolean) => {
        if (run) this.#take(context);
        resolve(run);
      };
      // A user who was active before comes back first (after a dip of the
      // target): the mix of users stays the one already dealt.
      if (context.vars.$hmpWasActive === true) this.#parked.unshift(admit);
      else this.#parked.push(admit);
      this.#startClockIfReady();
      this.rebalance();
    });
  }

  /** VUs stay until the shape ends (parked or not). */
  staysOn(): boolean {
    return !this.ended;
  }

  /**
   * Think time that gives the slot back early when the target falls below
   * the active count; then `$hmpYielded` is set and the session ends.
   */
  think(context: GateContext, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry: Thinking = {
        context,
        wake: () => {
          clearTimeout(timer);
          this.#thinking.delete(entry);
          resolve();
        },
      };
      const timer = setTimeout(entry.wake, ms);
      this.#thinking.add(entry);
      this.rebalance();
    });
  }

  /** A VU that dies (request error) gives its slot back. */
  vuFailed(context: GateContext): void {
    if (context.vars.$hmpSlot === true) this.lost++;
    this.#release(context);
  }

  #take(context: GateContext): void {
    context.vars.$hmpSlot = true;
    context.vars.$hmpWasActive = true;
    this.#holders.add(context);
    context.vars.$hmpYielded = false;
    this.active++;
  }

  #release(context: GateContext): void {
    if (context.vars.$hmpSlot !== true) return;
    context.vars.$hmpSlot = false;
    this.#holders.delete(context);
    this.active--;
  }

  /** Admits parked VUs up to the target, sheds thinking VUs above it, lets everyone go at the end. */
  rebalance(): void {
    this.#startClockIfReady();
    if (this.#startedAt === undefined) return; // waiting for the users to arrive: the target is still 0
    if (this.ended) {
      for (const admit of this.#parked.splice(0)) admit(false);
      for (const th of [...this.#thinking]) {
        th.context.vars.$hmpYielded = true;
        this.#release(th.context);
        th.wake();
      }
      this.stop();
      return;
    }
    const target = this.target();
    while (this.active < target && this.#parked.length > 0) this.#parked.shift()!(true);
    // Called at every think: nothing to shed is the common case, and it must cost nothing per user.
    // (Deleting the element being visited is safe while iterating a Set.)
    if (this.active <= target) return;
    for (const th of this.#thinking) {
      if (this.active <= target) break;
      if (th.context.vars.$hmpSlot !== true) continue;
      th.context.vars.$hmpYielded = true;
      this.#release(th.context);
      th.wake();
    }
    // Still too many: users waiting on a request leave now too; the request
    // finishes, the rest of their session is skipped ($hmpYielded).
    for (const context of this.#holders) {
      if (this.active <= target) break;
      context.vars.$hmpYielded = true;
      this.#release(context);
    }
  }

  sample(): { t: number; target: number; active: number; parked: number } {
    return { t: this.elapsed(), target: this.target(), active: this.active, parked: this.#parked.length };
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
  }
}
