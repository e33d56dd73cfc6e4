import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { attackIntervals, isProtected, suppressCells, type Relation } from './disclosure.js';
import { AppError } from './errors.js';

const T = 5; // the threshold: 1–4 are small cells

/** A one-level table: a total over parts with these counts (ids `N`, `A`, `B`, …). */
function oneLevel(parts: number[]): { cells: Map<string, number>; relations: Relation[] } {
  const ids = parts.map((_, i) => String.fromCharCode(65 + i));
  const cells = new Map<string, number>([['N', parts.reduce((s, n) => s + n, 0)], ...ids.map((id, i) => [id, parts[i]!] as [string, number])]);
  return { cells, relations: [{ total: 'N', parts: ids }] };
}

/** A two-way table: inner cells `x{i}{j}`, row totals `r{i}`, column totals `c{j}`, grand total `T` (= Σ rows = Σ columns). */
function twoWay(inner: number[][]): { cells: Map<string, number>; relations: Relation[] } {
  const cells = new Map<string, number>();
  const relations: Relation[] = [];
  const cols = inner[0]!.length;
  inner.forEach((row, i) => {
    row.forEach((n, j) => cells.set(`x${i}${j}`, n));
    cells.set(`r${i}`, row.reduce((s, n) => s + n, 0));
    relations.push({ total: `r${i}`, parts: row.map((_, j) => `x${i}${j}`) });
  });
  for (let j = 0; j < cols; j++) {
    cells.set(`c${j}`, inner.reduce((s, row) => s + row[j]!, 0));
    relations.push({ total: `c${j}`, parts: inner.map((_, i) => `x${i}${j}`) });
  }
  cells.set('T', [...cells].filter(([k]) => k.startsWith('r')).reduce((s, [, n]) => s + n, 0));
  relations.push({ total: 'T', parts: inner.map((_, i) => `r${i}`) }, { total: 'T', parts: Array.from({ length: cols }, (_, j) => `c${j}`) });
  return { cells, relations };
}

const sorted = (s: Iterable<string>): string[] => [...s].sort();

describe('suppressCells: examples', () => {
  it.each([
    // [what, parts under one total, hidden, interval of the first primary cell]
    ['nothing small', [12, 5, 20], [], null],
    ['zeros are published', [0, 0, 12], [], null],
    ['one small cell: the cheapest sibling joins it', [3, 12, 5], ['A', 'C'], { lower: 1, upper: 7 }],
    // The attacker knows A + B = 8 and each ≥ 1 (zeros are shown): A ∈ [1, 7], width 6 ≥ 5 — protected, nothing more hidden.
    ['4 and 4 beside a shown 12 under 20', [4, 4, 12], ['A', 'B'], { lower: 1, upper: 7 }],
    // Two hidden ones summing to 2 are each 1: a third cell must open the range (A + B + C = 8 → A ∈ [1, 6]).
    ['1 and 1 beside 6 and 20', [1, 1, 6, 20], ['A', 'B', 'C'], { lower: 1, upper: 6 }],
    ['all ones under a larger total', [1, 1, 1, 10], ['A', 'B', 'C', 'D'], { lower: 1, upper: 10 }],
    // The total (3) is itself small: everything is hidden and nothing bounds the cells from above.
    ['all ones', [1, 1, 1], ['A', 'B', 'C', 'N'], { lower: 1, upper: Infinity }],
    ['a small total with one part', [3], ['A', 'N'], { lower: 1, upper: Infinity }],
  ] as const)('%s: %j hides %j', (_what, parts, expected, interval) => {
    const { cells, relations } = oneLevel([...parts]);
    const hidden = suppressCells(cells, relations, { threshold: T });
    expect(sorted(hidden)).toEqual([...expected].sort());
    const iv = attackIntervals(cells, relations, hidden);
    if (interval) expect(iv.get(expected[0]!)).toEqual(interval);
    for (const [id, n] of cells) if (n >= 1 && n < T) expect(isProtected(iv.get(id)!, T)).toBe(true);
  });

  it('hides a rectangle in a two-way table with row, column and grand totals', () => {
    const { cells, relations } = twoWay([
      [3, 10, 12],
      [8, 9, 11],
      [15, 7, 6],
    ]);
    const hidden = suppressCells(cells, relations);
    // x00 alone is the row total minus the row; so is any cell alone in its row or column: the cheapest rectangle opens it.
    expect(sorted(hidden)).toEqual(['x00', 'x01', 'x10', 'x11']);
    // x00 + x01 = 13, x00 + x10 = 11, x10 + x11 = 17 → x00 ∈ [1, 10]
    expect(attackIntervals(cells, relations, hidden).get('x00')).toEqual({ lower: 1, upper: 10 });
  });

  it('protects across two tables that share their total', () => {
    // The same 32 cases by region (N = R1 + R2) and by age group (N = A1 + A2).
    const cells = new Map([['N', 32], ['R1', 2], ['R2', 30], ['A1', 16], ['A2', 16]]);
    const byRegion: Relation = { total: 'N', parts: ['R1', 'R2'] };
    const byAge: Relation = { total: 'N', parts: ['A1', 'A2'] };
    // Hiding the total would protect R1 within the region table alone, but the age table gives the total back.
    expect(attackIntervals(cells, [byRegion], new Set(['R1', 'N'])).get('R1')).toEqual({ lower: 1, upper: Infinity });
    expect(attackIntervals(cells, [byRegion, byAge], new Set(['R1', 'N'])).get('R1')).toEqual({ lower: 2, upper: 2 });
    const hidden = suppressCells(cells, [byRegion, byAge]);
    expect(sorted(hidden)).toEqual(['R1', 'R2']);
    expect(attackIntervals(cells, [byRegion, byAge], hidden).get('R1')).toEqual({ lower: 1, upper: 31 });
  });

  it('protects a small region under the nation and its units under the region (two levels)', () => {
    const cells = new Map([['N', 40], ['R1', 4], ['R2', 36], ['U1', 1], ['U2', 3], ['U3', 30], ['U4', 6]]);
    const relations: Relation[] = [
      { total: 'N', parts: ['R1', 'R2'] },
      { total: 'R1', parts: ['U1', 'U2'] },
      { total: 'R2', parts: ['U3', 'U4'] },
    ];
    const hidden = suppressCells(cells, relations);
    // Hiding R2 (36) would not help: U3 + U4 give it back. The nation's total (40) is the cheapest cell that opens R1.
    expect(sorted(hidden)).toEqual(['N', 'R1', 'U1', 'U2']);
    const iv = attackIntervals(cells, relations, hidden);
    for (const id of ['R1', 'U1', 'U2']) expect(isProtected(iv.get(id)!, T)).toBe(true);
    expect(iv.get('R1')).toEqual({ lower: 2, upper: Infinity });
  });

  it('is deterministic whatever the order of the input', () => {
    const { cells, relations } = twoWay([
      [3, 6, 6, 2],
      [6, 9, 3, 11],
      [15, 6, 6, 6],
    ]);
    const reversed = new Map([...cells].reverse());
    const shuffled = relations.map((r) => ({ total: r.total, parts: [...r.parts].reverse() })).reverse();
    expect([...suppressCells(reversed, shuffled)].sort()).toEqual([...suppressCells(cells, relations)].sort());
  });

  it('follows the threshold option', () => {
    const { cells, relations } = oneLevel([3, 12, 5]);
    expect(sorted(suppressCells(cells, relations, { threshold: 3 }))).toEqual([]);
    // 5 is now small too; A + C = 8 leaves each in [1, 7], width 6 ≥ 6
    expect(sorted(suppressCells(cells, relations, { threshold: 6 }))).toEqual(['A', 'C']);
  });

  it('rejects relations that do not add up, unknown cells and negative counts', () => {
    expect(() => suppressCells(new Map([['N', 5], ['A', 3]]), [{ total: 'N', parts: ['A'] }])).toThrow(AppError);
    expect(() => suppressCells(new Map([['N', 5]]), [{ total: 'N', parts: ['A'] }])).toThrow(/unknown cell A/);
    expect(() => suppressCells(new Map([['N', -1]]), [])).toThrow(/non-negative/);
  });
});

// ---------------------------------------------------------------------------------------------------------------------
// The adversary: an exact attacker by enumeration, independent of the bound propagation.

/**
 * Whether some assignment of the hidden cells with `target` = v satisfies every relation, with every hidden cell ≥ 1
 * (zeros are published) and every hidden non-total cell ≤ cap. Depth-first: a relation with one unknown cell fixes it; a
 * relation whose total is known prunes when its known parts plus one for each unknown part exceed the total.
 */
function feasible(cells: ReadonlyMap<string, number>, relations: readonly Relation[], hidden: ReadonlySet<string>, target: string, v: number, cap: number): boolean {
  const totals = new Set(relations.map((r) => r.total));
  const order = [...hidden].filter((id) => !totals.has(id) && id !== target).sort();
  const start = new Map<string, number>([...cells].filter(([id]) => !hidden.has(id)));
  start.set(target, v);
  const search = (known: Map<string, number>): boolean => {
    for (let changed = true; changed; ) {
      changed = false;
      for (const r of relations) {
        const members = [r.total, ...r.parts];
        const unknown = members.filter((m) => !known.has(m));
        const partsKnown = r.parts.filter((p) => known.has(p)).reduce((s, p) => s + known.get(p)!, 0);
        if (unknown.length === 0) {
          if (partsKnown !== known.get(r.total)) return false;
        } else if (unknown.length === 1) {
          const u = unknown[0]!;
          const val = u === r.total ? partsKnown : known.get(r.total)! - partsKnown;
          if (val < 1 || (!totals.has(u) && val > cap)) return false;
          known.set(u, val);
          changed = true;
        } else if (known.has(r.total) && partsKnown + unknown.length > known.get(r.total)!) return false;
      }
    }
    const next = order.find((id) => !known.has(id));
    if (next === undefined) return true; // every total is then fixed by its parts
    for (let x = 1; x <= cap; x++) if (search(new Map(known).set(next, x))) return true;
    return false;
  };
  return search(start);
}

/** The exact feasible range of a small cell, searched within [1, x + 2·threshold] (enough to decide the rule). */
function exactRange(cells: ReadonlyMap<string, number>, relations: readonly Relation[], hidden: ReadonlySet<string>, target: string, cap: number): { lower: number; upper: number } {
  const x = cells.get(target)!;
  let lower = x;
  for (let v = 1; v < x; v++)
    if (feasible(cells, relations, hidden, target, v, cap)) {
      lower = v;
      break;
    }
  let upper = x;
  for (let v = x + 2 * T; v > x; v--)
    if (feasible(cells, relations, hidden, target, v, cap)) {
      upper = v;
      break;
    }
  return { lower, upper };
}

/** Hidden non-total cells are searched up to the largest non-total count + 2·threshold. */
const leafCap = (cells: ReadonlyMap<string, number>, relations: readonly Relation[]): number => {
  const totals = new Set(relations.map((r) => r.total));
  return Math.max(0, ...[...cells].filter(([id]) => !totals.has(id)).map(([, n]) => n)) + 2 * T;
};

describe('the exact attacker (test helper)', () => {
  it('agrees with hand computation and sees what a single hidden sibling gives away', () => {
    const { cells, relations } = twoWay([
      [3, 10, 12],
      [8, 9, 11],
      [15, 7, 6],
    ]);
    const cap = leafCap(cells, relations);
    expect(exactRange(cells, relations, new Set(['x00', 'x01', 'x10', 'x11']), 'x00', cap)).toEqual({ lower: 1, upper: 10 });
    expect(exactRange(cells, relations, new Set(['x00', 'x01']), 'x00', cap)).toEqual({ lower: 3, upper: 3 }); // the column gives it back
    const one = oneLevel([4, 4, 12]);
    expect(exactRange(one.cells, one.relations, new Set(['A', 'B']), 'A', leafCap(one.cells, one.relations))).toEqual({ lower: 1, upper: 7 });
  });
});

const count = fc.oneof(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 30 }));

/** nation → 1–3 regions → 1–4 units; optionally the nation also by 2–3 age groups (a second table sharing the total). */
const hierarchy = fc
  .record({ regions: fc.array(fc.array(count, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 3 }), ages: fc.option(fc.array(count, { minLength: 1, maxLength: 2 })) })
  .map(({ regions, ages }) => {
    const cells = new Map<string, number>();
    const relations: Relation[] = [];
    regions.forEach((units, i) => {
      units.forEach((n, j) => cells.set(`U${i}.${j}`, n));
      cells.set(`R${i}`, units.reduce((s, n) => s + n, 0));
      relations.push({ total: `R${i}`, parts: units.map((_, j) => `U${i}.${j}`) });
    });
    const n = regions.flat().reduce((s, x) => s + x, 0);
    cells.set('N', n);
    relations.push({ total: 'N', parts: regions.map((_, i) => `R${i}`) });
    if (ages) {
      // the age groups given, the last one taking the rest (skipped when the rest would be negative)
      const given = ages.reduce((s, x) => s + x, 0);
      if (given <= n) {
        ages.forEach((a, k) => cells.set(`A${k}`, a));
        cells.set(`A${ages.length}`, n - given);
        relations.push({ total: 'N', parts: [...ages.map((_, k) => `A${k}`), `A${ages.length}`] });
      }
    }
    return { cells, relations };
  });

const twoWayTable = fc.integer({ min: 2, max: 3 }).chain((cols) => fc.array(fc.array(count, { minLength: cols, maxLength: cols }), { minLength: 2, maxLength: 3 })).map(twoWay);

describe('suppressCells: against an exact attacker', () => {
  const stats = { tables: 0, enumerated: 0 };

  it('never lets a small cell be pinned or narrowed below the threshold; the interval attacker always holds the truth', () => {
    fc.assert(
      fc.property(fc.oneof(hierarchy, twoWayTable), ({ cells, relations }) => {
        const hidden = suppressCells(cells, relations, { threshold: T });
        stats.tables++;
        for (const [id, n] of cells) {
          if (n >= 1 && n < T) expect(hidden.has(id)).toBe(true);
          if (n === 0) expect(hidden.has(id)).toBe(false);
        }
        const iv = attackIntervals(cells, relations, hidden);
        for (const id of hidden) {
          const b = iv.get(id)!;
          expect(b.lower <= cells.get(id)! && cells.get(id)! <= b.upper).toBe(true);
        }
        if (hidden.size > 6) return;
        stats.enumerated++;
        const cap = leafCap(cells, relations);
        for (const id of hidden) {
          const n = cells.get(id)!;
          if (n >= T) continue;
          const exact = exactRange(cells, relations, hidden, id, cap);
          expect(exact.lower).toBeGreaterThanOrEqual(iv.get(id)!.lower); // the interval attacker's bounds are outer bounds
          expect(exact.upper).toBeLessThanOrEqual(iv.get(id)!.upper);
          expect(exact.upper - exact.lower, `${id}=${n} in ${JSON.stringify([...cells])} hidden ${[...hidden]}`).toBeGreaterThanOrEqual(T);
        }
      }),
      { numRuns: 1000, seed: 20261126 },
    );
    expect(stats.enumerated).toBeGreaterThan(300);
  });

  it('still protects with random seeds', () => {
    fc.assert(
      fc.property(fc.oneof(hierarchy, twoWayTable), ({ cells, relations }) => {
        const hidden = suppressCells(cells, relations);
        if (hidden.size > 6) return;
        const cap = leafCap(cells, relations);
        for (const id of hidden) {
          if (cells.get(id)! >= T) continue;
          const exact = exactRange(cells, relations, hidden, id, cap);
          expect(exact.upper - exact.lower).toBeGreaterThanOrEqual(T);
        }
      }),
      { numRuns: Number(process.env.DISCLOSURE_RUNS ?? 500) },
    );
  });
});
