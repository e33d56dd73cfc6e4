/**
 * Statistics over waited days, and small-cell protection.
 * Statistics confidentiality (OSL 24 kap 8 §): published tables hide counts of 1–4 so that no individual can be recognised,
 * and every figure computed from such a count.
 */
export const SMALL_CELL_MAX = 4;

/** Whether a count must be hidden in a public answer (1–4; 0 is shown: nobody can be recognised in an empty cell). */
export function isSmallCell(count: number): boolean {
  return count >= 1 && count <= SMALL_CELL_MAX;
}

/**
 * The p-th percentile (0–100) of sorted values, nearest-rank method (the value at rank ⌈p/100 · n⌉): always an observed
 * value, as waiting-time statistics report whole days. Undefined for no values.
 */
export function percentileSorted(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

/** Median as the 50th percentile, nearest rank (a whole day, an observed value). */
export function median(values: readonly number[]): number | undefined {
  return percentileSorted([...values].sort((a, b) => a - b), 50);
}

export interface ProtectedFigures<T> {
  suppressed: boolean;
  figures: T | null;
}

/**
 * Apply small-cell protection to a row of figures that all depend on `count`: a count of 1–4 hides the count and every figure.
 */
export function protect<T extends Record<string, number | null>>(count: number, figures: T): { suppressed: boolean; count: number | null; figures: { [K in keyof T]: T[K] | null } } {
  if (!isSmallCell(count)) return { suppressed: false, count, figures };
  const hidden = Object.fromEntries(Object.keys(figures).map((k) => [k, null])) as { [K in keyof T]: null };
  return { suppressed: true, count: null, figures: hidden };
}
