// HMP runs a v1.0 conversion (text extraction, then espeak-ng) inside the
// request on its only event loop: until it ends no other request is answered,
// /health included (HMP-API.md). The twin keeps its own loop free, so that it
// still shuts down and its timers still run, and closes this gate instead:
// the conversion holds it, every other request waits for it on arrival
// (connections.ts) and before its answer (router.ts).

export class ServerBlock {
  /** Resolves when the block in progress ends; null when none is. */
  #ended: Promise<void> | null = null;

  get active(): boolean {
    return this.#ended !== null;
  }

  /** Resolves once no block is in progress. */
  async passed(): Promise<void> {
    while (this.#ended) await this.#ended;
  }

  /** Blocks the server, after the block in progress if any, until the returned function is called. */
  async hold(): Promise<() => void> {
    // Check and take in one turn: two conversions waiting here run one after the other.
    while (this.#ended) await this.#ended;
    let end!: () => void;
    this.#ended = new Promise<void>((resolve) => (end = resolve));
    return () => {
      this.#ended = null;
      end();
    };
  }
}
