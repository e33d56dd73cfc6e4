/**
 * Disclosure control (röjandekontroll) for every public count table: primary suppression of small counts and
 * complementary (secondary) suppression (sekundär undertryckning) against an interval attacker.
 * Method, protection rule and limits: docs/methods/disclosure-control.md.
 *
 * Statistics confidentiality (OSL 24 kap 8 §): a count of 1 to threshold − 1 people, episodes or cases is hidden; then more
 * cells are hidden until no hidden small count can be worked out — exactly or to within a range narrower than the
 * protection interval — from the published cells and the additive relations published with them (totals, margins,
 * other tables over the same population sharing cell ids).
 *
 * Pure and deterministic: the same input gives the same hidden set, whatever the order of the maps and arrays.
 */
import { AppError } from './errors.js';

/** One additive relation published with the tables: `total = Σ parts` (a hierarchy level, a row, a column, a margin). */
export interface Relation {
  total: string;
  parts: readonly string[];
}

export interface DisclosureOptions {
  /** Counts 1..threshold − 1 are primary-sensitive; 0 is published. Also the sliding protection level. Default 5. */
  threshold?: number;
  /** Cells that take part in the relations but are never published (e.g. the rest of a total not broken down into
   * published parts): hidden from the start, never primary targets themselves. */
  unpublished?: ReadonlySet<string>;
}

/** The attacker's bounds of one hidden cell; `upper` may be `Infinity` (nothing published bounds it from above). */
export interface Interval {
  lower: number;
  upper: number;
}

export const DEFAULT_THRESHOLD = 5;

/** Rounds of bound propagation at most; any round's bounds are already valid outer bounds, so the cap is only for speed. */
const MAX_ROUNDS = 10_000;

const byId = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function validate(cells: ReadonlyMap<string, number>, relations: readonly Relation[], threshold: number): void {
  if (!Number.isInteger(threshold) || threshold < 1) throw new AppError('validation', `threshold must be a positive integer, got ${threshold}`);
  for (const [id, n] of cells) if (!Number.isInteger(n) || n < 0) throw new AppError('validation', `cell ${id}: count must be a non-negative integer, got ${n}`);
  for (const r of relations) {
    const members = [r.total, ...r.parts];
    for (const id of members) if (!cells.has(id)) throw new AppError('validation', `relation ${r.total}: unknown cell ${id}`);
    if (new Set(members).size !== members.length) throw new AppError('validation', `relation ${r.total}: a cell occurs twice`);
    const sum = r.parts.reduce((s, p) => s + cells.get(p)!, 0);
    if (sum !== cells.get(r.total)) throw new AppError('validation', `relation ${r.total}: total ${cells.get(r.total)} ≠ sum of parts ${sum}`);
  }
}

/**
 * The attacker's outer bounds of every hidden cell: start from what publication tells (a shown cell is its value; a hidden
 * cell is ≥ 1, since zeros are always published — ≥ 0 if the hidden set contains a zero — and unbounded above), then
 * propagate over every relation until nothing changes: the total within [Σ lower of parts, Σ upper of parts], each part
 * within [total.lower − Σ upper of the others, total.upper − Σ lower of the others]. Every step only removes values no
 * solution can take, so the result contains the min and max of each cell over all non-negative integer solutions (for the
 * one-way hierarchies and two-way tables here, the "shuttle" bounds). Does not validate (`suppressCells` does).
 */
export function attackIntervals(cells: ReadonlyMap<string, number>, relations: readonly Relation[], hidden: ReadonlySet<string>): Map<string, Interval> {
  const prior = [...hidden].some((id) => cells.get(id) === 0) ? 0 : 1;
  const lo = new Map<string, number>();
  const hi = new Map<string, number>();
  for (const [id, n] of cells) {
    lo.set(id, hidden.has(id) ? prior : n);
    hi.set(id, hidden.has(id) ? Infinity : n);
  }
  // Only relations with a hidden member can change anything.
  const active = relations.filter((r) => hidden.has(r.total) || r.parts.some((p) => hidden.has(p)));
  for (let changed = true, round = 0; changed && round < MAX_ROUNDS; round++) {
    changed = false;
    const tighten = (id: string, l: number, h: number): void => {
      if (l > lo.get(id)!) {
        lo.set(id, l);
        changed = true;
      }
      if (h < hi.get(id)!) {
        hi.set(id, h);
        changed = true;
      }
    };
    for (const r of active) {
      // Σ lower is finite; Σ upper is kept as its finite part and the number of unbounded parts (no ∞ − ∞).
      let sumLo = 0;
      let sumHi = 0;
      let unbounded = 0;
      for (const p of r.parts) {
        sumLo += lo.get(p)!;
        const h = hi.get(p)!;
        if (h === Infinity) unbounded++;
        else sumHi += h;
      }
      tighten(r.total, sumLo, unbounded > 0 ? Infinity : sumHi);
      const tLo = lo.get(r.total)!;
      const tHi = hi.get(r.total)!;
      for (const p of r.parts) {
        const h = hi.get(p)!;
        const othersUnbounded = unbounded - (h === Infinity ? 1 : 0);
        const othersHi = othersUnbounded > 0 ? Infinity : sumHi - (h === Infinity ? 0 : h);
        tighten(p, tLo - othersHi, tHi - (sumLo - lo.get(p)!));
      }
    }
  }
  return new Map([...hidden].sort(byId).map((id) => [id, { lower: lo.get(id)!, upper: hi.get(id)! }]));
}

/** The protection rule: a sliding protection level of `threshold` — the attacker's interval is at least that wide. */
export function isProtected(interval: Interval, threshold: number): boolean {
  return interval.upper - interval.lower >= threshold;
}

/**
 * The cells to hide in one publication of `cells` with `relations`. Primary suppression hides counts 1..threshold − 1;
 * complementary suppression then, one cell at a time, while some primary cell's attacker interval (`attackIntervals`) is
 * narrower than `threshold` (the first such cell by id):
 *  1. among the shown non-zero cells near it (sharing a relation with it or with a hidden cell linked to it through
 *     relations), hide the cheapest — smallest count, then smallest id — whose hiding widens its interval;
 *  2. if no single cell widens it (a two-way table needs a rectangle of hidden cells before anything opens), hide the
 *     cheapest shown non-zero cell of a relation of that cell, else of the linked neighbourhood, else of the whole table.
 * Ends because hiding every non-zero cell leaves every interval unbounded above. Zeros are never hidden.
 */
export function suppressCells(cells: ReadonlyMap<string, number>, relations: readonly Relation[], options: DisclosureOptions = {}): Set<string> {
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  validate(cells, relations, threshold);
  const ids = [...cells.keys()].sort(byId);
  const cheaper = (a: string, b: string): number => cells.get(a)! - cells.get(b)! || byId(a, b);
  const unpublished = options.unpublished ?? new Set<string>();
  const primary = ids.filter((id) => cells.get(id)! >= 1 && cells.get(id)! < threshold && !unpublished.has(id));
  const hidden = new Set([...primary, ...[...unpublished].filter((id) => cells.has(id))]);
  const relationsOf = new Map<string, Relation[]>(ids.map((id) => [id, []]));
  for (const r of relations) for (const id of [r.total, ...r.parts]) relationsOf.get(id)!.push(r);
  const membersOf = (r: Relation): string[] => [r.total, ...r.parts];
  const shownNonZero = (id: string): boolean => !hidden.has(id) && cells.get(id)! > 0;
  const width = (iv: Interval): number => iv.upper - iv.lower;

  for (;;) {
    const intervals = attackIntervals(cells, relations, hidden);
    const target = primary.find((id) => !isProtected(intervals.get(id)!, threshold));
    if (target === undefined) return hidden;
    const before = width(intervals.get(target)!);

    // The hidden cells linked to the target through relations, and the shown non-zero cells of their relations.
    const linked = new Set([target]);
    const queue = [target];
    const near = new Set<string>();
    while (queue.length > 0) {
      const id = queue.shift()!;
      for (const r of relationsOf.get(id)!)
        for (const m of membersOf(r)) {
          if (hidden.has(m) && !linked.has(m)) {
            linked.add(m);
            queue.push(m);
          } else if (shownNonZero(m)) near.add(m);
        }
    }
    const candidates = [...near].sort(cheaper);
    let pick = candidates.find((c) => width(attackIntervals(cells, relations, new Set([...hidden, c])).get(target)!) > before);
    pick ??= relationsOf.get(target)!.flatMap(membersOf).filter(shownNonZero).sort(cheaper)[0];
    pick ??= candidates[0];
    pick ??= ids.filter(shownNonZero).sort(cheaper)[0];
    // Unreachable: with every non-zero cell hidden, every interval is unbounded above (see above).
    if (pick === undefined) throw new Error(`disclosure: cannot protect ${target}`);
    hidden.add(pick);
  }
}
