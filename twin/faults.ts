// Injected faults: added latency, degradation with uptime, random 500s,
// connections reset unanswered, a leak.
import type { TwinConfig } from './config.ts';

export class InjectedFault extends Error {}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Faults {
  #config: TwinConfig;
  #rand: () => number;
  #startedAt = Date.now();
  /** Retained on purpose: the leak knob's memory. */
  #leaked: Buffer[] = [];
  /** Connections reset by --reset-rate. */
  resets = 0;

  constructor(config: TwinConfig, rand: () => number) {
    this.#config = config;
    this.#rand = rand;
  }

  /** Applied to every request before its handler runs. */
  async apply(action: string): Promise<void> {
    const { latencyMs, degradeMsPerMin } = this.#config;
    if (this.#config.leakKbPerRequest > 0) {
      // fill() touches the pages so the memory is resident, not just reserved.
      this.#leaked.push(Buffer.alloc(this.#config.leakKbPerRequest * 1024, 1));
    }
    // The action's own latency, plus degradation with uptime.
    const delay = (latencyMs[action] ?? latencyMs['*'] ?? 0) + (degradeMsPerMin * (Date.now() - this.#startedAt)) / 60_000;
    if (delay > 0) await sleep(delay);
    if (this.#config.errorRate > 0 && this.#rand() < this.#config.errorRate) {
      throw new InjectedFault(`Injected fault (--error-rate ${this.#config.errorRate})`);
    }
  }

  /** Whether to reset this request's connection instead of answering it (--reset-rate). */
  resetThisRequest(): boolean {
    const reset = this.#config.resetRate > 0 && this.#rand() < this.#config.resetRate;
    if (reset) this.resets++;
    return reset;
  }

  dropThisUpload(): boolean {
    return this.#config.dropUploads > 0 && this.#rand() < this.#config.dropUploads;
  }
}
