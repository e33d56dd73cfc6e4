/**
 * A small seeded pseudo-random generator for synthetic data. Synthetic demo and load-test data must be
 * reproducible from a seed (same seed, same directory), so nothing here ever reads Math.random or the clock.
 * mulberry32: 32-bit state, good enough spread for test data, not for anything secret.
 */
export interface Random {
  /** a number in [0, 1) */
  next(): number;
  /** an integer in [0, n) */
  int(n: number): number;
  /** an integer in [min, max] */
  between(min: number, max: number): number;
  /** true with probability p */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** an index chosen with probability proportional to its weight (weights ≥ 0, at least one > 0) */
  weightedIndex(weights: readonly number[]): number;
  /** a new array in random order (Fisher–Yates) */
  shuffle<T>(items: readonly T[]): T[];
}

export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  return {
    next,
    int,
    between: (min, max) => min + int(max - min + 1),
    chance: (p) => next() < p,
    pick: (items) => {
      if (items.length === 0) throw new Error('pick from an empty list');
      return items[int(items.length)]!;
    },
    weightedIndex: (weights) => {
      const total = weights.reduce((a, w) => a + w, 0);
      if (!(total > 0)) throw new Error('weightedIndex needs a positive weight');
      let r = next() * total;
      for (let i = 0; i < weights.length; i++) {
        r -= weights[i]!;
        if (r < 0) return i;
      }
      // floating-point rest: the last item with weight
      for (let i = weights.length - 1; i >= 0; i--) if (weights[i]! > 0) return i;
      return 0;
    },
    shuffle: (items) => {
      const a = items.slice();
      for (let i = a.length - 1; i > 0; i--) {
        const j = int(i + 1);
        [a[i], a[j]] = [a[j]!, a[i]!];
      }
      return a;
    },
  };
}

/**
 * Derive an independent stream's seed from a seed and a label (FNV-1a over both), so that e.g. each scale layer
 * of the demo directory draws its own numbers and adding a layer does not change the layers before it.
 */
export function deriveSeed(seed: number, label: string): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  h = Math.imul(h, 0x01000193) >>> 0;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}
