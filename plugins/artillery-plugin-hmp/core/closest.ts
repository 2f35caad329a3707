// The known name a misspelt one most likely meant (pure): a setting's
// "did you mean", without a dependency for it.

/** Edits (insert, delete, change, swap of two neighbours) from a to b, case ignored. */
export function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  const d: number[][] = Array.from({ length: x.length + 1 }, (_, i) => Array.from({ length: y.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= x.length; i++) {
    for (let j = 1; j <= y.length; j++) {
      const change = x[i - 1] === y[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + change);
      // "auht" for "auth" is one slip of the fingers, not two.
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[x.length]![y.length]!;
}

/**
 * The candidate nearest to `name`, when near enough to be a slip (a third
 * of its letters at most, one at least); undefined when none is.
 */
export function closest(name: string, candidates: readonly string[]): string | undefined {
  const limit = Math.max(1, Math.floor(name.length / 3));
  let best: { name: string; d: number } | undefined;
  for (const c of candidates) {
    const d = editDistance(name, c);
    if (d <= limit && (!best || d < best.d)) best = { name: c, d };
  }
  return best?.name;
}
