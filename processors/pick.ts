// Random choices (pure): shuffle bags for the per-session action weights,
// distinct picks, ranges. `rand` is Math.random or a seeded PRNG.
export type Rand = () => number;

/** Fisher-Yates, in place. */
export function shuffle<T>(items: T[], rand: Rand): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/**
 * A shuffle bag: draws every card once in a random order, then reshuffles.
 * A weight written as a deck (e.g. "upload in 20% of sessions" = [1, 0, 0,
 * 0, 0]) holds exactly over every full deck, so after n draws a share is off
 * by less than one deck's worth of cards: over 200 sessions a 20% weight is
 * within +-0.5 points, where independent draws would be off by more than 5
 * points in about 1 run in 14.
 */
export class Deck<T> {
  readonly #cards: readonly T[];
  readonly #rand: Rand;
  #bag: T[] = [];

  constructor(cards: readonly T[], rand: Rand) {
    if (cards.length === 0) throw new RangeError('a deck needs at least one card');
    this.#cards = cards;
    this.#rand = rand;
  }

  draw(): T {
    if (this.#bag.length === 0) this.#bag = shuffle([...this.#cards], this.#rand);
    return this.#bag.pop()!;
  }
}

/** n distinct items in random order (all of them, shuffled, when there are fewer). */
export function pickDistinct<T>(items: readonly T[], n: number, rand: Rand): T[] {
  return shuffle([...items], rand).slice(0, Math.max(0, n));
}

export function pickOne<T>(items: readonly T[], rand: Rand): T | undefined {
  return items.length === 0 ? undefined : items[Math.floor(rand() * items.length)];
}

/** Uniform in [min, max]. */
export function uniform(min: number, max: number, rand: Rand): number {
  return min + (max - min) * rand();
}
