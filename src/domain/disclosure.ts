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
  const t = new Table(cells, relations);
  const mask = t.mask(hidden);
  const prior = t.prior(mask);
  // Only relations with a hidden member can change anything.
  const active = t.relations.flatMap((r, i) => (r.some((c) => mask[c] === 1) ? [i] : []));
  const { lo, hi } = t.propagate(active, mask, prior);
  return new Map([...hidden].filter((id) => t.index.has(id)).sort(byId).map((id) => [id, { lower: lo[t.index.get(id)!]!, upper: hi[t.index.get(id)!]! }]));
}

/**
 * The cells and relations by number (typed arrays instead of maps of strings: the propagation is the inner loop of
 * suppressCells). A relation is stored as [total, ...parts].
 */
class Table {
  readonly ids: string[];
  readonly index: Map<string, number>;
  readonly value: Float64Array;
  readonly relations: Int32Array[];
  /** the relations of each cell */
  readonly relationsOf: number[][];

  constructor(cells: ReadonlyMap<string, number>, relations: readonly Relation[]) {
    this.ids = [...cells.keys()].sort(byId);
    this.index = new Map(this.ids.map((id, i) => [id, i]));
    this.value = Float64Array.from(this.ids, (id) => cells.get(id)!);
    this.relations = relations.map((r) => Int32Array.from([r.total, ...r.parts], (id) => this.index.get(id)!));
    this.relationsOf = this.ids.map(() => []);
    this.relations.forEach((r, i) => {
      for (const c of r) this.relationsOf[c]!.push(i);
    });
  }

  mask(hidden: Iterable<string>): Uint8Array {
    const m = new Uint8Array(this.ids.length);
    for (const id of hidden) {
      const i = this.index.get(id);
      if (i !== undefined) m[i] = 1;
    }
    return m;
  }

  /** A hidden cell is ≥ 1 (zeros are published), or ≥ 0 when the hidden set holds a zero. */
  prior(mask: Uint8Array): number {
    for (let i = 0; i < mask.length; i++) if (mask[i] === 1 && this.value[i] === 0) return 0;
    return 1;
  }

  /** Interval propagation over the `active` relations until nothing changes (see attackIntervals). */
  propagate(active: readonly number[], mask: Uint8Array, prior: number): { lo: Float64Array; hi: Float64Array } {
    const n = this.ids.length;
    const lo = new Float64Array(n);
    const hi = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      lo[i] = mask[i] === 1 ? prior : this.value[i]!;
      hi[i] = mask[i] === 1 ? Infinity : this.value[i]!;
    }
    let changed = true;
    const tighten = (c: number, l: number, h: number): void => {
      if (l > lo[c]!) {
        lo[c] = l;
        changed = true;
      }
      if (h < hi[c]!) {
        hi[c] = h;
        changed = true;
      }
    };
    for (let round = 0; changed && round < MAX_ROUNDS; round++) {
      changed = false;
      for (const ri of active) {
        const r = this.relations[ri]!;
        const total = r[0]!;
        // Σ lower is finite; Σ upper is kept as its finite part and the number of unbounded parts (no ∞ − ∞).
        let sumLo = 0;
        let sumHi = 0;
        let unbounded = 0;
        for (let k = 1; k < r.length; k++) {
          const p = r[k]!;
          sumLo += lo[p]!;
          const h = hi[p]!;
          if (h === Infinity) unbounded++;
          else sumHi += h;
        }
        tighten(total, sumLo, unbounded > 0 ? Infinity : sumHi);
        const tLo = lo[total]!;
        const tHi = hi[total]!;
        for (let k = 1; k < r.length; k++) {
          const p = r[k]!;
          const h = hi[p]!;
          const othersUnbounded = unbounded - (h === Infinity ? 1 : 0);
          const othersHi = othersUnbounded > 0 ? Infinity : sumHi - (h === Infinity ? 0 : h);
          tighten(p, tLo - othersHi, tHi - (sumLo - lo[p]!));
        }
      }
    }
    return { lo, hi };
  }

  /**
   * The attacker's interval of one hidden cell computed on its component only: the hidden cells linked to it through
   * relations (a relation joins its hidden members) and the relations touching them. Bounds travel only along relations
   * with hidden members, so nothing outside the component can change the target's bounds: the same interval as over
   * everything, at a fraction of the cost (suppressCells asks this for every candidate).
   */
  componentInterval(mask: Uint8Array, target: number, prior: number): Interval {
    const inComponent = new Uint8Array(this.ids.length);
    const seen = new Uint8Array(this.relations.length);
    const active: number[] = [];
    const queue = [target];
    inComponent[target] = 1;
    while (queue.length > 0) {
      const c = queue.pop()!;
      for (const ri of this.relationsOf[c]!) {
        if (seen[ri] === 1) continue;
        seen[ri] = 1;
        active.push(ri);
        for (const m of this.relations[ri]!)
          if (mask[m] === 1 && inComponent[m] === 0) {
            inComponent[m] = 1;
            queue.push(m);
          }
      }
    }
    const { lo, hi } = this.propagate(active, inComponent, prior);
    return { lower: lo[target]!, upper: hi[target]! };
  }
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
  const t = new Table(cells, relations);
  const n = t.ids.length;
  const value = t.value;
  const unpublished = t.mask(options.unpublished ?? []);
  // cell numbers follow the ids' order, so "smallest count, then smallest id" is (value, number)
  const cheaper = (a: number, b: number): number => value[a]! - value[b]! || a - b;
  const primary: number[] = [];
  for (let i = 0; i < n; i++) if (value[i]! >= 1 && value[i]! < threshold && unpublished[i] === 0) primary.push(i);
  const hidden = new Uint8Array(n);
  for (const i of primary) hidden[i] = 1;
  for (let i = 0; i < n; i++) if (unpublished[i] === 1) hidden[i] = 1;
  const shownNonZero = (c: number): boolean => hidden[c] === 0 && value[c]! > 0;
  const width = (iv: Interval): number => iv.upper - iv.lower;
  const result = (): Set<string> => new Set(t.ids.filter((_, i) => hidden[i] === 1));

  for (;;) {
    const prior = t.prior(hidden);
    const active = t.relations.flatMap((r, i) => (r.some((c) => hidden[c] === 1) ? [i] : []));
    const { lo, hi } = t.propagate(active, hidden, prior);
    const target = primary.find((c) => !isProtected({ lower: lo[c]!, upper: hi[c]! }, threshold));
    if (target === undefined) return result();
    const before = hi[target]! - lo[target]!;

    // The hidden cells linked to the target through relations, and the shown non-zero cells of their relations.
    const linked = new Uint8Array(n);
    linked[target] = 1;
    const queue = [target];
    const near = new Set<number>();
    while (queue.length > 0) {
      const c = queue.shift()!;
      for (const ri of t.relationsOf[c]!)
        for (const m of t.relations[ri]!) {
          if (hidden[m] === 1 && linked[m] === 0) {
            linked[m] = 1;
            queue.push(m);
          } else if (shownNonZero(m)) near.add(m);
        }
    }
    const candidates = [...near].sort(cheaper);
    const widens = (c: number): boolean => {
      const withC = hidden.slice();
      withC[c] = 1;
      return width(t.componentInterval(withC, target, value[c] === 0 ? 0 : prior)) > before;
    };
    let pick = candidates.find(widens);
    pick ??= t.relationsOf[target]!.flatMap((ri) => [...t.relations[ri]!]).filter(shownNonZero).sort(cheaper)[0];
    pick ??= candidates[0];
    pick ??= [...Array(n).keys()].filter(shownNonZero).sort(cheaper)[0];
    // Unreachable: with every non-zero cell hidden, every interval is unbounded above (see above).
    if (pick === undefined) throw new Error(`disclosure: cannot protect ${t.ids[target]}`);
    hidden[pick] = 1;
  }
}
