import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { suppressCells, type Relation } from '../../domain/disclosure.js';
import { AppError } from '../../domain/errors.js';
import { STATISTICAL_VIEWS, type StatisticalView } from '../../domain/guarantee.js';
import { INDICATORS, indicatorById, isPeriod, type IndicatorDefinition } from '../../domain/indicators.js';

/**
 * Publishing of the computed statistics (docs/indicators.md, "Small-cell handling" and "Time series and revisions";
 * docs/methods/disclosure-control.md). The computation (compute.service.ts) stores raw values in indicator_values; this
 * module reads the newest revision of every key, applies disclosure control and answers the public statistics API.
 *
 * Disclosure control, per indicator and period, per guarantee kind (unless the indicator has an all-kinds total: then
 * every kind and the total go through one call, related by total = Σ kinds):
 * - ONE suppressCells() call over every cell — national, the regions and every breakdown category — with every additive
 *   relation a reader can use: national = Σ regions (also per breakdown category), region = Σ categories of each
 *   breakdown, national = Σ categories;
 * - a share brings three tables into that call, for both views at once: its numerators n and complements c = d − n per
 *   view and its denominators d, related per cell by d = n + c, so a share is hidden when its numerator, denominator or
 *   complement is hidden (or 1–4, which makes it primary);
 * - a median or percentile is hidden with its basis count;
 * - families: where the denominators or bases are the very cells of a count indicator (waiting_count, completed_count),
 *   count, shares and medians publish those cells with ONE pattern — the count's own suppression, grown (and the
 *   shares re-suppressed) until each share can be protected without showing a basis cell the pattern hides — so that no
 *   table shows a cell another hides as a complement;
 * - participation figures (regions, units, files, systems) are never suppressed.
 * Only then is a table filtered (to a region, a breakdown…).
 *
 * Revisions (open question 8, implemented): every published revision of a period is suppressed as it was published, and a
 * cell hidden in any earlier revision stays hidden in later ones (unless it has become 0). Hiding more cells never
 * narrows an attacker's interval, so the later pattern is still protected.
 *
 * What is published (decided for speed and for protection, 2026-11-26): every indicator nationally and per region;
 * breakdowns (sex, age band, home region, origin, outcome, …) nationally only; brokering indicators per guarantee kind
 * nationally, per region for all kinds together. Region × breakdown and region × kind tables are two- and
 * three-way and sparse: most of their cells would be hidden, and complementary suppression over them took minutes per
 * month on the demo data (about 2.5 s for a whole month without them). They stay computed and stored
 * (indicator_values), for the coordination function's own analyses.
 *
 * Publications are memoised per database, period and the period's data stamp (a recomputation with a change refreshes
 * them; a goal change does not), the rest per statistics_version.
 */

export type { StatisticalView };
export const DEFAULT_VIEW: StatisticalView = 'excluding_pvv_and_mov';
/** The guarantee kinds of the overview (waiting lists and cases have no primary_contact). */
export const OVERVIEW_KINDS = ['primary_assessment', 'specialist_first_visit', 'treatment'] as const;

/** One published figure (api-shapes.md, "Generic published value"). */
export interface PublishedValue {
  indicatorId: string;
  period: string;
  view: string | null;
  guaranteeKind: string | null;
  regionCode: string | null;
  breakdown: string | null;
  breakdownValue: string | null;
  value: number | null;
  valueCount: number | null;
  numeratorCount: number | null;
  denominatorCount: number | null;
  suppressed: boolean;
  revision: number;
  revisedAt: string | null;
  firstPublished: { value: number | null; valueCount: number | null } | null;
}

/** A published value with what the answers need besides the public shape. */
export interface Cell extends PublishedValue {
  dataAsOf: string | null;
  /** participation figures: the units, regions or submissions counted and counted from (not people; not published as counts) */
  numerator: number | null;
  denominator: number | null;
}

interface Stored {
  key: string;
  view: string;
  kind: string;
  region: string;
  breakdown: string;
  bv: string;
  revision: number;
  value: number | null;
  num: number | null;
  den: number | null;
  computedAt: string;
  dataAsOf: string | null;
}

const orNull = (s: string): string | null => (s === '' ? null : s);
export const cellKey = (view: string, kind: string, region: string, breakdown: string, bv: string): string => `${view}|${kind}|${region}|${breakdown}|${bv}`;
const num = (x: unknown): number | null => (x === null || x === undefined ? null : Number(x));

// ---------------------------------------------------------------------------------------------------------------------
// Memo per database and statistics_version

interface PeriodRun {
  period: string;
  revision: number;
  computedAt: string;
  /** the newest computed_at of the period's stored values: what its publication depends on */
  dataStamp: string;
}
interface Memo {
  version: number;
  runs?: Promise<PeriodRun[]>;
  regions?: Promise<{ code: string; name: string }[]>;
}
const memos = new WeakMap<object, Memo>();
/** Published families per database: `family|period` → the period's data stamp and the publication. */
const publications = new WeakMap<object, Map<string, { stamp: string; p: Promise<Map<string, Map<string, Cell>>> }>>();

export async function statisticsVersion(db: Kysely<DB>): Promise<number> {
  const r = await db.selectFrom('statistics_version').select('version').where('id', '=', 1).executeTakeFirst();
  return Number(r?.version ?? 0);
}

async function memoOf(db: Kysely<DB>): Promise<Memo> {
  const version = await statisticsVersion(db);
  let m = memos.get(db);
  if (m === undefined || m.version !== version) {
    m = { version };
    memos.set(db, m);
  }
  return m;
}

/** The computed periods (a finished run), newest first, with the highest stored revision and the newest run's time. */
export async function periods(db: Kysely<DB>): Promise<PeriodRun[]> {
  const m = await memoOf(db);
  m.runs ??= (async () => {
    const r = await sql<{ period: string; finished: Date | string; revision: number | null; stamp: Date | string | null }>`
      SELECT r.period, max(r.finished_at) AS finished,
             (SELECT max(v.revision) FROM indicator_values v WHERE v.period = r.period) AS revision,
             (SELECT max(v.computed_at) FROM indicator_values v WHERE v.period = r.period) AS stamp
        FROM statistics_runs r
       WHERE r.finished_at IS NOT NULL
       GROUP BY r.period
       ORDER BY r.period DESC`.execute(db);
    return r.rows.map((x) => ({ period: x.period, revision: Number(x.revision ?? 1), computedAt: new Date(x.finished).toISOString(), dataStamp: x.stamp === null ? '' : new Date(x.stamp).toISOString() }));
  })();
  return m.runs;
}

export async function latestPeriod(db: Kysely<DB>): Promise<string | null> {
  return (await periods(db))[0]?.period ?? null;
}

export async function regionList(db: Kysely<DB>): Promise<{ code: string; name: string }[]> {
  const m = await memoOf(db);
  m.regions ??= db.selectFrom('regions').select(['code', 'name']).orderBy('code').execute();
  return m.regions;
}

/**
 * Whether the statistics rest on synthetic (demo) data: the directory holds synthetic units or organisations, as the
 * demo seed makes them (src/services/seed). Real regions' data never carry the flag.
 */
export async function isSynthetic(db: Kysely<DB>): Promise<boolean> {
  const r = await sql<{ s: boolean }>`SELECT (EXISTS (SELECT 1 FROM units WHERE synthetic) OR EXISTS (SELECT 1 FROM organizations WHERE synthetic)) AS s`.execute(db);
  return Boolean(r.rows[0]?.s);
}

/** The period asked for (checked to have a finished run), or the newest; 404 problem when none. */
export async function resolvePeriod(db: Kysely<DB>, period: string | undefined): Promise<PeriodRun> {
  const all = await periods(db);
  if (period === undefined) {
    const newest = all[0];
    if (!newest) throw new AppError('not_found', 'No statistics have been computed yet: a month is computed after it has ended (nvf statistics compute).');
    return newest;
  }
  if (!isPeriod(period)) throw new AppError('bad_request', `period must be a month written YYYY-MM, not "${period}".`);
  const found = all.find((p) => p.period === period);
  if (!found) throw new AppError('not_found', `No statistics for ${period} yet: the newest is ${all[0]?.period ?? 'none (nothing has been computed)'}.`);
  return found;
}

// ---------------------------------------------------------------------------------------------------------------------
// Disclosure control of one indicator (or one family of indicators over the same population) and period

/**
 * Families: indicators whose denominators (share) or bases (median) are the very cells of a count indicator. They are
 * published with ONE pattern for those cells (else a cell hidden in one table to protect a small neighbour could be
 * shown in another): the count's own suppression, grown where a share's numerators or complements need more.
 */
const FAMILIES: readonly (readonly string[])[] = [
  ['waiting_count', 'within_guarantee_share', 'median_waited_days', 'p90_waited_days'],
  ['completed_count', 'completed_within_guarantee_share', 'median_completed_wait_days', 'p90_completed_wait_days'],
];
/** Brokering indicators: published per guarantee kind nationally, per region for all kinds together (see the module comment). */
const BROKERING_IDS: readonly string[] = INDICATORS.filter((i) => i.group === 'brokering').map((i) => i.id);
const familyOf = (id: string): readonly string[] => FAMILIES.find((f) => f.includes(id)) ?? [id];

const THRESHOLD = 5;
const cellId = (prefix: string, key: string): string => `${prefix}:${key}`;
/** The view-less key of a row's basis (its count, denominator or median basis): the same cell in every view. */
const basisKey = (s: Stored): string => cellKey('', s.kind, s.region, s.breakdown, s.bv);
/** The id of a row's basis cell: v (count) or d (denominator, median basis), keyed without the view. */
const basisId = (def: IndicatorDefinition, s: Stored): string => cellId(def.kind === 'count' ? 'v' : 'd', basisKey(s));

/** The counts a stored row brings into suppression, by cell id. */
function countsOf(def: IndicatorDefinition, s: Stored): Map<string, number> {
  const out = new Map<string, number>();
  if (def.kind === 'count') {
    const v = s.num ?? s.value;
    if (v !== null) out.set(basisId(def, s), v);
  } else if (def.kind === 'share') {
    if (s.num !== null && s.den !== null) {
      out.set(basisId(def, s), s.den);
      out.set(cellId('n', s.key), s.num);
      out.set(cellId('c', s.key), Math.max(0, s.den - s.num));
    }
  } else if (def.kind === 'median' && s.den !== null) out.set(basisId(def, s), s.den);
  return out;
}

interface Entry {
  id: string;
  /** cells of one table: same prefix, view and kind */
  table: string;
  kind: string;
  region: string;
  breakdown: string;
  bv: string;
}

/** Relations that hold exactly (a relation that does not add up is not one a reader can use either; it is left out). */
function pushIfExact(cells: ReadonlyMap<string, number>, relations: Relation[], total: string | undefined, parts: string[]): void {
  if (total === undefined || parts.length === 0 || !cells.has(total)) return;
  const sum = parts.reduce((s, p) => s + cells.get(p)!, 0);
  if (sum === cells.get(total)) relations.push({ total, parts });
}

/**
 * The additive relations a reader can use within tables: national = Σ regions; region (and nation) = Σ categories of
 * each breakdown; per category, national = Σ regions; and, when an all-kinds total ('') sits beside kinds, total = Σ kinds.
 */
function relationsOf(cells: ReadonlyMap<string, number>, entries: readonly Entry[]): Relation[] {
  const relations: Relation[] = [];
  const at = new Map<string, string>();
  const k = (table: string, kind: string, region: string, b: string, bv: string) => `${table}|${kind}|${region}|${b}|${bv}`;
  for (const e of entries) at.set(k(e.table, e.kind, e.region, e.breakdown, e.bv), e.id);
  const tables = new Map<string, Entry[]>();
  for (const e of entries) {
    const t = `${e.table}|${e.kind}`;
    if (!tables.has(t)) tables.set(t, []);
    tables.get(t)!.push(e);
  }
  for (const list of tables.values()) {
    const { table, kind } = list[0]!;
    const regions = [...new Set(list.map((e) => e.region).filter((r) => r !== ''))].sort();
    pushIfExact(cells, relations, at.get(k(table, kind, '', '', '')), regions.map((r) => at.get(k(table, kind, r, '', ''))).filter((x): x is string => x !== undefined));
    const byArea = new Map<string, Map<string, string[]>>();
    for (const e of list) {
      if (e.breakdown === '') continue;
      const key = `${e.region}|${e.breakdown}`;
      if (!byArea.has(key)) byArea.set(key, new Map());
      byArea.get(key)!.set(e.bv, [e.id]);
    }
    for (const [key, cats] of byArea) {
      const [area, b] = key.split('|') as [string, string];
      pushIfExact(cells, relations, at.get(k(table, kind, area, '', '')), [...cats.values()].flat());
      if (area === '')
        for (const bv of cats.keys()) pushIfExact(cells, relations, at.get(k(table, kind, '', b, bv)), regions.map((r) => at.get(k(table, kind, r, b, bv))).filter((x): x is string => x !== undefined));
    }
  }
  // all kinds = Σ kinds, per table and cell
  const kindsOf = new Map<string, Set<string>>();
  for (const e of entries) {
    if (!kindsOf.has(e.table)) kindsOf.set(e.table, new Set());
    kindsOf.get(e.table)!.add(e.kind);
  }
  for (const e of entries)
    if (e.kind === '' && kindsOf.get(e.table)!.size > 1)
      pushIfExact(cells, relations, e.id, [...kindsOf.get(e.table)!].filter((x) => x !== '').map((x) => at.get(k(e.table, x, e.region, e.breakdown, e.bv))).filter((x): x is string => x !== undefined));
  return relations;
}

/** The entries (cells and their table coordinates) of some rows of an indicator. */
function entriesOf(def: IndicatorDefinition, rows: readonly Stored[], cells: Map<string, number>): Entry[] {
  const entries = new Map<string, Entry>();
  for (const s of rows)
    for (const [id, n] of countsOf(def, s)) {
      cells.set(id, n);
      const prefix = id.slice(0, id.indexOf(':'));
      // basis cells are one table over the views; numerators and complements are a table per view
      const table = prefix === 'n' || prefix === 'c' ? `${prefix}|${s.view}` : prefix;
      entries.set(id, { id, table, kind: s.kind, region: s.region, breakdown: s.breakdown, bv: s.bv });
    }
  return [...entries.values()];
}

/** Components that share no relation: per guarantee kind, unless an all-kinds total ('') sits beside kinds. */
function componentsOf(rows: readonly Stored[]): Stored[][] {
  const kinds = new Set(rows.map((s) => s.kind));
  if (kinds.has('') && kinds.size > 1) return [[...rows]];
  const out = new Map<string, Stored[]>();
  for (const s of rows) {
    if (!out.has(s.kind)) out.set(s.kind, []);
    out.get(s.kind)!.push(s);
  }
  return [...out.values()];
}

/** One suppressCells() call over the cells of some rows, with every relation among them. */
function suppressPart(def: IndicatorDefinition, rows: readonly Stored[], unpublished: ReadonlySet<string>): Set<string> {
  const cells = new Map<string, number>();
  const entries = entriesOf(def, rows, cells);
  const relations = relationsOf(cells, entries);
  if (def.kind === 'share')
    for (const s of rows) {
      const d = basisId(def, s);
      if (cells.has(d) && cells.has(cellId('n', s.key))) relations.push({ total: d, parts: [cellId('n', s.key), cellId('c', s.key)] });
    }
  // cells hidden already elsewhere (another table of the same cells) that are not small: hidden from the start
  const pre = new Set([...unpublished].filter((id) => cells.has(id) && cells.get(id)! >= THRESHOLD));
  return suppressCells(cells, relations, { threshold: THRESHOLD, unpublished: pre });
}

/**
 * Suppression of every cell of the rows: per component (guarantee kind, or all kinds with their total) ONE
 * suppressCells() call over every cell and relation. That call is slow on the full grid of breakdowns when it starts
 * from the small cells alone, so it starts from a pattern found table by table — the totals (national and regions)
 * with each breakdown, and for a share each view, with the cells they share (totals, denominators) held to one pattern,
 * repeated until no table hides a new shared cell. Combined, those tables can still narrow a small cell; the final
 * call adds what is missing (usually nothing). test/statistics-disclosure.test.ts attacks the result with every table
 * and relation combined.
 */
function suppressRows(def: IndicatorDefinition, rows: readonly Stored[], unpublished: ReadonlySet<string> = new Set()): Set<string> {
  const hidden = new Set<string>();
  if (def.kind === 'participation') return hidden;
  for (const component of componentsOf(rows)) {
    const views = def.kind === 'share' ? [...new Set(component.map((s) => s.view))] : [null];
    const dims = [...new Set(component.map((s) => s.breakdown).filter((b) => b !== ''))];
    const parts: Stored[][] = [];
    for (const v of views)
      for (const b of dims.length === 0 ? [''] : dims) parts.push(component.filter((s) => (v === null || s.view === v) && (s.breakdown === '' || s.breakdown === b)));
    if (parts.length === 1) {
      for (const h of suppressPart(def, parts[0]!, unpublished)) hidden.add(h);
      continue;
    }
    // cells that occur in more than one table
    const seen = new Map<string, number>();
    for (const part of parts) for (const id of new Set(part.flatMap((s) => [...countsOf(def, s).keys()]))) seen.set(id, (seen.get(id) ?? 0) + 1);
    const shared = new Set([...seen].filter(([, n]) => n > 1).map(([id]) => id));
    const fixed = new Set(unpublished);
    let results: Set<string>[] = [];
    for (let round = 0; round < 100; round++) {
      results = parts.map((part) => suppressPart(def, part, fixed));
      let grown = false;
      for (const r of results)
        for (const id of r)
          if (shared.has(id) && !fixed.has(id)) {
            fixed.add(id);
            grown = true;
          }
      if (!grown) break;
    }
    // The tables one at a time are only a fast start: combined, they can still narrow a small cell. The final word is
    // ONE call over every cell and relation of the component, starting from that pattern (usually nothing to add).
    const start = new Set(unpublished);
    for (const r of results) for (const h of r) start.add(h);
    for (const id of fixed) start.add(id);
    for (const h of suppressPart(def, component, start)) hidden.add(h);
  }
  return hidden;
}

/** Keep hidden what was hidden in an earlier revision (open question 8), unless it is now 0. */
function keepHidden(hidden: Set<string>, previous: ReadonlySet<string> | undefined, counts: ReadonlyMap<string, number>): Set<string> {
  if (previous) for (const id of previous) if ((counts.get(id) ?? 0) > 0) hidden.add(id);
  return hidden;
}

/** The public figures of one stored row under a hidden set. */
function publicFigures(def: IndicatorDefinition, s: Stored, hidden: ReadonlySet<string>): { value: number | null; valueCount: number | null; numeratorCount: number | null; denominatorCount: number | null; suppressed: boolean } {
  if (def.kind === 'count') {
    const count = s.num ?? (s.value === null ? null : Math.round(s.value));
    const sup = hidden.has(basisId(def, s));
    return { value: null, valueCount: sup ? null : count, numeratorCount: null, denominatorCount: null, suppressed: sup };
  }
  if (def.kind === 'share') {
    if (s.num === null || s.den === null) return { value: null, valueCount: null, numeratorCount: null, denominatorCount: null, suppressed: s.value !== null };
    const hn = hidden.has(cellId('n', s.key));
    const hd = hidden.has(basisId(def, s));
    const sup = hn || hd || hidden.has(cellId('c', s.key));
    return { value: sup ? null : s.value, valueCount: null, numeratorCount: hn ? null : s.num, denominatorCount: hd ? null : s.den, suppressed: sup };
  }
  if (def.kind === 'median') {
    // a median without its basis count cannot be checked: hidden
    const sup = s.den === null ? s.value !== null : hidden.has(basisId(def, s));
    return { value: sup ? null : s.value, valueCount: null, numeratorCount: null, denominatorCount: sup ? null : s.den, suppressed: sup };
  }
  // participation: units, regions, files or systems, never suppressed; their counts are not counts of people, so they
  // are not published in fields ending in Count (they stay in numerator/denominator)
  return { value: s.value, valueCount: null, numeratorCount: null, denominatorCount: null, suppressed: false };
}

type Family = Map<string, Map<string, Cell>>;

/**
 * Publish one family of indicators (or one indicator) for a period: every revision in turn (a cell hidden once stays
 * hidden), the basis pattern shared by every member, then the public figures of the newest revision of every key and
 * revision 1's (first published) figures of revised keys.
 */
async function computeFamily(db: Kysely<DB>, ids: readonly string[], period: string): Promise<Family> {
  const defs = ids.map((id) => indicatorById(id)!);
  const r = await sql<{
    indicator_id: string; view: string; guarantee_kind: string; region_code: string; breakdown: string; breakdown_value: string; revision: number;
    value: number | null; numerator_count: number | null; denominator_count: number | null; computed_at: Date | string; data_as_of: string | null;
  }>`
    SELECT indicator_id, view, guarantee_kind, region_code, breakdown, breakdown_value, revision, value, numerator_count, denominator_count, computed_at,
           to_char(data_as_of, 'YYYY-MM-DD') AS data_as_of
      FROM indicator_values
     WHERE period = ${period} AND indicator_id IN (${sql.join(ids)}) AND NOT (region_code <> '' AND breakdown <> '')
       AND NOT (region_code <> '' AND guarantee_kind <> '' AND indicator_id IN (${sql.join(BROKERING_IDS)}))
     ORDER BY revision`.execute(db);
  const byKey = new Map<string, Map<string, Stored[]>>(ids.map((id) => [id, new Map()]));
  const revisions = new Set<number>();
  for (const x of r.rows) {
    const region = x.region_code.trim();
    const s: Stored = {
      key: cellKey(x.view, x.guarantee_kind, region, x.breakdown, x.breakdown_value), view: x.view, kind: x.guarantee_kind, region, breakdown: x.breakdown, bv: x.breakdown_value,
      revision: Number(x.revision), value: num(x.value), num: num(x.numerator_count), den: num(x.denominator_count), computedAt: new Date(x.computed_at).toISOString(), dataAsOf: x.data_as_of,
    };
    const m = byKey.get(x.indicator_id)!;
    if (!m.has(s.key)) m.set(s.key, []);
    m.get(s.key)!.push(s);
    revisions.add(s.revision);
  }
  const snapshotAt = (id: string, rev: number): Stored[] => {
    const out: Stored[] = [];
    for (const list of byKey.get(id)!.values()) {
      let pick: Stored | undefined;
      for (const s of list) if (s.revision <= rev) pick = s;
      if (pick) out.push(pick);
    }
    return out;
  };
  const countsAt = (def: IndicatorDefinition, rows: readonly Stored[]) => {
    const m = new Map<string, number>();
    for (const s of rows) for (const [id, n] of countsOf(def, s)) m.set(id, n);
    return m;
  };

  const ordered = [...revisions].sort((a, b) => a - b);
  const hiddenAt = new Map<string, Map<number, Set<string>>>(ids.map((id) => [id, new Map()]));
  const base = defs.find((d) => d.kind === 'count');
  let previousBasis: Set<string> | undefined;
  const previous = new Map<string, Set<string>>();
  for (const rev of ordered) {
    const snaps = new Map(defs.map((d) => [d.id, snapshotAt(d.id, rev)]));
    if (defs.length === 1 || base === undefined) {
      for (const d of defs) {
        const rows = snaps.get(d.id)!;
        const h = keepHidden(suppressRows(d, rows), previous.get(d.id), countsAt(d, rows));
        hiddenAt.get(d.id)!.set(rev, h);
        previous.set(d.id, h);
      }
      continue;
    }
    // The basis pattern U: the count's own suppression (and what was hidden before), grown until every share of the
    // family can be protected without showing a basis cell U hides or hiding one U shows.
    const baseRows = snaps.get(base.id)!;
    const baseCounts = countsAt(base, baseRows);
    const basisCounts = new Map(baseCounts);
    for (const d of defs) if (d.kind !== 'count') for (const [id, n] of countsAt(d, snaps.get(d.id)!)) if (!id.startsWith('n:') && !id.startsWith('c:') && !basisCounts.has(id.replace(/^d:/, 'v:'))) basisCounts.set(id.replace(/^d:/, 'v:'), n);
    const U = keepHidden(suppressRows(base, baseRows), previousBasis, basisCounts);
    const asBasis = (u: ReadonlySet<string>) => new Set([...u].map((id) => id.replace(/^v:/, 'd:')));
    const shareHidden = new Map<string, Set<string>>();
    for (let round = 0; round < 50; round++) {
      let grown = false;
      for (const d of defs.filter((x) => x.kind === 'share')) {
        const rows = snaps.get(d.id)!;
        const h = keepHidden(suppressRows(d, rows, asBasis(U)), previous.get(d.id), countsAt(d, rows));
        for (const id of h)
          if (id.startsWith('d:') && !U.has(id.replace(/^d:/, 'v:'))) {
            U.add(id.replace(/^d:/, 'v:'));
            grown = true;
          }
        shareHidden.set(d.id, h);
      }
      if (!grown) break;
    }
    previousBasis = U;
    for (const d of defs) {
      const h = d.kind === 'count' ? new Set(U) : d.kind === 'share' ? new Set([...shareHidden.get(d.id)!, ...asBasis(U)]) : asBasis(U);
      hiddenAt.get(d.id)!.set(rev, h);
      previous.set(d.id, h);
    }
  }

  const out: Family = new Map();
  for (const def of defs) {
    const cells = new Map<string, Cell>();
    out.set(def.id, cells);
    const hiddenOf = hiddenAt.get(def.id)!;
    const last = ordered[ordered.length - 1];
    if (last === undefined) continue;
    for (const [k, list] of byKey.get(def.id)!) {
      const s = list[list.length - 1]!;
      const first = list[0]!;
      const fig = publicFigures(def, s, hiddenOf.get(last)!);
      const firstFig = s.revision > 1 ? publicFigures(def, first, hiddenOf.get(first.revision)!) : null;
      cells.set(k, {
        indicatorId: def.id, period, view: orNull(s.view), guaranteeKind: orNull(s.kind), regionCode: orNull(s.region), breakdown: orNull(s.breakdown),
        breakdownValue: orNull(s.bv), ...fig, revision: s.revision, revisedAt: s.revision > 1 ? s.computedAt : null,
        firstPublished: firstFig === null ? null : { value: firstFig.value, valueCount: firstFig.valueCount }, dataAsOf: s.dataAsOf,
        numerator: def.kind === 'participation' ? s.num : null, denominator: def.kind === 'participation' ? s.den : null,
      });
    }
  }
  return out;
}

/** Every published cell of one indicator and period (suppressed, all revisions considered), memoised per version. */
export async function publishedIndicator(db: Kysely<DB>, indicatorId: string, period: string): Promise<Map<string, Cell>> {
  const def = indicatorById(indicatorId);
  if (!def) throw new AppError('bad_request', `Unknown indicator ${indicatorId}.`);
  // A period's publication depends on its stored values only (not on goals): kept until the period is recomputed with a
  // change, whatever else bumps statistics_version.
  const stamp = (await periods(db)).find((p) => p.period === period)?.dataStamp ?? '';
  let families = publications.get(db);
  if (!families) publications.set(db, (families = new Map()));
  const family = familyOf(indicatorId);
  const k = `${family.join(',')}|${period}`;
  let entry = families.get(k);
  if (!entry || entry.stamp !== stamp) {
    const p = computeFamily(db, family, period);
    entry = { stamp, p };
    families.set(k, entry);
    p.catch(() => families.delete(k));
  }
  return (await entry.p).get(indicatorId)!;
}

/**
 * Publish every indicator of the newest `months` computed periods ahead of requests (after start and after each
 * computation): the answers are then served from memory. Yields to the event loop between families, so requests keep
 * being answered meanwhile.
 */
export async function warmPublications(db: Kysely<DB>, months = 13): Promise<{ periods: number; ms: number }> {
  const started = performance.now();
  const all = (await periods(db)).slice(0, months);
  const families = [...new Map(INDICATORS.filter((i) => i.kind !== 'participation').map((i) => [familyOf(i.id).join(','), i.id])).values()];
  for (const p of all)
    for (const id of families) {
      await publishedIndicator(db, id, p.period);
      await new Promise((resolve) => setImmediate(resolve));
    }
  return { periods: all.length, ms: Math.round(performance.now() - started) };
}

/** The public shape of a cell (no internal fields). */
export function toPublic(c: Cell): PublishedValue {
  return {
    indicatorId: c.indicatorId, period: c.period, view: c.view, guaranteeKind: c.guaranteeKind, regionCode: c.regionCode, breakdown: c.breakdown,
    breakdownValue: c.breakdownValue, value: c.value, valueCount: c.valueCount, numeratorCount: c.numeratorCount, denominatorCount: c.denominatorCount,
    suppressed: c.suppressed, revision: c.revision, revisedAt: c.revisedAt, firstPublished: c.firstPublished,
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// Parameters

interface Selection {
  def: IndicatorDefinition;
  view: string;
  kind: string;
}

function kindsOf(def: IndicatorDefinition): string[] {
  if (!def.byGuaranteeKind) return [''];
  return def.group === 'waits' ? [...OVERVIEW_KINDS] : ['', ...OVERVIEW_KINDS];
}

/** The indicator, view and guarantee kind asked for, checked against the registry (422 when the indicator lacks it). */
export function select(indicatorId: string, view: string | undefined, guaranteeKind: string | undefined): Selection {
  const def = indicatorById(indicatorId);
  if (!def) throw new AppError('bad_request', `Unknown indicator "${indicatorId}"; GET /api/v1/stats/indicators lists them.`);
  let v = '';
  if (def.byView) {
    v = view ?? DEFAULT_VIEW;
    if (!(STATISTICAL_VIEWS as readonly string[]).includes(v)) throw new AppError('bad_request', `view must be one of ${STATISTICAL_VIEWS.join(', ')}.`);
  } else if (view !== undefined) throw new AppError('validation', `${def.id} does not depend on the statistical view: leave view out.`);
  const kinds = kindsOf(def);
  let k: string;
  if (guaranteeKind === undefined) {
    if (!kinds.includes('')) throw new AppError('validation', `${def.id} is published per guarantee kind only: give guaranteeKind (${kinds.join(', ')}).`);
    k = '';
  } else {
    if (!kinds.includes(guaranteeKind)) throw new AppError('validation', kinds.length === 1 ? `${def.id} is not published per guarantee kind: leave guaranteeKind out.` : `guaranteeKind must be one of ${kinds.filter((x) => x !== '').join(', ')} for ${def.id}.`);
    k = guaranteeKind;
  }
  return { def, view: v, kind: k };
}

function checkBreakdown(def: IndicatorDefinition, breakdown: string | undefined, regionCode: string | undefined): string {
  if (breakdown === undefined || breakdown === '') return '';
  if (!(def.breakdowns as readonly string[]).includes(breakdown))
    throw new AppError('validation', def.breakdowns.length === 0 ? `${def.id} has no breakdowns.` : `${def.id} has the breakdowns ${def.breakdowns.join(', ')}, not ${breakdown}.`);
  if (regionCode !== undefined) throw new AppError('validation', `Breakdowns (${def.breakdowns.join(', ')}) are published nationally only: leave region out.`);
  return breakdown;
}

async function checkRegion(db: Kysely<DB>, regionCode: string | undefined): Promise<string> {
  if (regionCode === undefined) return '';
  const regions = await regionList(db);
  if (!regions.some((r) => r.code === regionCode)) throw new AppError('not_found', `Region ${regionCode} does not exist; regions are 01–25 (GET /api/v1/regions).`);
  return regionCode;
}

// ---------------------------------------------------------------------------------------------------------------------
// Answers

const MONTHS = {
  sv: ['januari', 'februari', 'mars', 'april', 'maj', 'juni', 'juli', 'augusti', 'september', 'oktober', 'november', 'december'],
  en: ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'],
};
export function monthName(period: string, lang: 'sv' | 'en'): string {
  return `${MONTHS[lang][Number(period.slice(5, 7)) - 1]} ${period.slice(0, 4)}`;
}
const pct = (x: number, lang: 'sv' | 'en') => (lang === 'sv' ? `${(x * 100).toFixed(1).replace('.', ',')} %` : `${(x * 100).toFixed(1)} %`);

export function indicatorList() {
  return {
    items: INDICATORS.map((d: IndicatorDefinition) => ({
      id: d.id, group: d.group, kind: d.kind, unit: d.unit, byView: d.byView, byGuaranteeKind: d.byGuaranteeKind, region: d.region, breakdowns: [...d.breakdowns], name: { ...d.name },
    })),
  };
}

export async function periodList(db: Kysely<DB>) {
  const all = await periods(db);
  return { items: all.map((p) => ({ period: p.period, revision: p.revision, computedAt: p.computedAt })), latest: all[0]?.period ?? null };
}

const get = (m: Map<string, Cell>, view: string, kind: string, region: string, b = '', bv = ''): Cell | undefined => m.get(cellKey(view, kind, region, b, bv));

export async function overview(db: Kysely<DB>, q: { period?: string | undefined; regionCode?: string | undefined; view?: StatisticalView | undefined }) {
  const run = await resolvePeriod(db, q.period);
  const region = await checkRegion(db, q.regionCode);
  const view = q.view ?? DEFAULT_VIEW;
  const P = run.period;
  const ind = async (id: string) => publishedIndicator(db, id, P);
  const [wc, wgs, mwd, p90, cc, cgs, mcw, opened, sent, chosen, completed, saved, synthetic] = await Promise.all([
    ind('waiting_count'), ind('within_guarantee_share'), ind('median_waited_days'), ind('p90_waited_days'), ind('completed_count'),
    ind('completed_within_guarantee_share'), ind('median_completed_wait_days'), ind('cases_opened_count'), ind('requests_sent_count'),
    ind('cases_chosen_count'), ind('cases_completed_count'), ind('median_days_saved'), isSynthetic(db),
  ]);
  let dataAsOf: string | null = null;
  const guarantee = OVERVIEW_KINDS.map((kind) => {
    const cells = [get(wc, '', kind, region), get(wgs, view, kind, region), get(mwd, view, kind, region), get(p90, view, kind, region), get(cc, '', kind, region), get(cgs, view, kind, region), get(mcw, view, kind, region)];
    for (const c of cells) if (c?.dataAsOf && (dataAsOf === null || c.dataAsOf > dataAsOf)) dataAsOf = c.dataAsOf;
    const [w, s, m, p, c, cs, cm] = cells;
    return {
      guaranteeKind: kind,
      waitingCount: w?.valueCount ?? null,
      withinGuaranteeShare: s?.value ?? null,
      medianWaitedDays: m?.value ?? null,
      p90WaitedDays: p?.value ?? null,
      completedCount: c?.valueCount ?? null,
      completedWithinGuaranteeShare: cs?.value ?? null,
      medianCompletedWaitDays: cm?.value ?? null,
      suppressed: cells.some((x) => x?.suppressed === true),
    };
  });
  const bCells = [get(opened, '', '', region), get(sent, '', '', region), get(chosen, '', '', region), get(completed, '', '', region), get(saved, '', '', region)];
  const [o, se, ch, co, sa] = bCells;
  const brokering = {
    casesOpenedCount: o?.valueCount ?? null,
    requestsSentCount: se?.valueCount ?? null,
    casesChosenCount: ch?.valueCount ?? null,
    casesCompletedCount: co?.valueCount ?? null,
    medianDaysSaved: sa?.value ?? null,
    suppressed: bCells.some((x) => x?.suppressed === true),
  };
  const main = guarantee.find((g) => g.guaranteeKind === 'specialist_first_visit')!;
  const where = { sv: region === '' ? 'i hela landet' : `i region ${region}`, en: region === '' ? 'nationally' : `in region ${region}` };
  const summary =
    main.withinGuaranteeShare === null
      ? {
          sv: `För ${monthName(P, 'sv')} ${where.sv} är andelen väntande inom vårdgarantin för ett första specialistbesök dold eller saknas.`,
          en: `For ${monthName(P, 'en')} ${where.en}, the share of patients waiting for a first specialist visit within the guarantee is hidden or missing.`,
        }
      : {
          sv: `I ${monthName(P, 'sv')} väntade ${pct(main.withinGuaranteeShare, 'sv')} av dem som väntade på ett första specialistbesök ${where.sv} inom vårdgarantin.`,
          en: `In ${monthName(P, 'en')}, ${pct(main.withinGuaranteeShare, 'en')} of those waiting for a first specialist visit ${where.en} were within the care guarantee.`,
        };
  return {
    period: P, view, regionCode: orNull(region), computedAt: run.computedAt, revision: run.revision, revisedAt: run.revision > 1 ? run.computedAt : null,
    dataAsOf, synthetic, guarantee, brokering, summary,
  };
}

export async function brokeringStats(db: Kysely<DB>, q: { period?: string | undefined; regionCode?: string | undefined }) {
  const run = await resolvePeriod(db, q.period);
  const region = await checkRegion(db, q.regionCode);
  const P = run.period;
  const ind = async (id: string) => publishedIndicator(db, id, P);
  const [opened, sent, intime, acc, resp, chosen, completed, ended, saved, travel, synthetic] = await Promise.all([
    ind('cases_opened_count'), ind('requests_sent_count'), ind('requests_answered_in_time_share'), ind('acceptance_rate'), ind('median_response_hours'),
    ind('cases_chosen_count'), ind('cases_completed_count'), ind('cases_ended_count'), ind('median_days_saved'), ind('median_travel_distance_km'), isSynthetic(db),
  ]);
  const c = {
    opened: get(opened, '', '', region), sent: get(sent, '', '', region), intime: get(intime, '', '', region), acc: get(acc, '', '', region),
    resp: get(resp, '', '', region), chosen: get(chosen, '', '', region), completed: get(completed, '', '', region), saved: get(saved, '', '', region), travel: get(travel, '', '', region),
  };
  const endings = [...ended.values()].filter((x) => (x.regionCode ?? '') === region && x.breakdown === 'ending' && x.guaranteeKind === null).sort((a, b) => (a.breakdownValue! < b.breakdownValue! ? -1 : 1));
  const suppressed = Object.values(c).some((x) => x?.suppressed === true) || endings.some((x) => x.suppressed);
  const share = c.intime?.value ?? null;
  const where = { sv: region === '' ? 'i hela landet' : `i region ${region}`, en: region === '' ? 'nationally' : `in region ${region}` };
  const summary =
    share === null
      ? { sv: `För ${monthName(P, 'sv')} ${where.sv} är andelen förfrågningar besvarade i tid dold eller saknas.`, en: `For ${monthName(P, 'en')} ${where.en}, the share of requests answered in time is hidden or missing.` }
      : { sv: `I ${monthName(P, 'sv')} besvarades ${pct(share, 'sv')} av förfrågningarna ${where.sv} inom svarstiden.`, en: `In ${monthName(P, 'en')}, ${pct(share, 'en')} of requests ${where.en} were answered within the respond-by time.` };
  return {
    period: P, regionCode: orNull(region), computedAt: run.computedAt, revision: run.revision, revisedAt: run.revision > 1 ? run.computedAt : null, synthetic,
    casesOpenedCount: c.opened?.valueCount ?? null,
    requestsSentCount: c.sent?.valueCount ?? null,
    requestsDueCount: c.intime?.denominatorCount ?? null,
    requestsAnsweredInTimeCount: c.intime?.numeratorCount ?? null,
    answeredInTimeShare: share,
    decidedCount: c.acc?.denominatorCount ?? null,
    acceptedCount: c.acc?.numeratorCount ?? null,
    acceptanceRate: c.acc?.value ?? null,
    medianResponseHours: c.resp?.value ?? null,
    casesChosenCount: c.chosen?.valueCount ?? null,
    casesCompletedCount: c.completed?.valueCount ?? null,
    medianDaysSaved: c.saved?.value ?? null,
    daysSavedBasisCount: c.saved?.denominatorCount ?? null,
    medianTravelDistanceKm: c.travel?.value ?? null,
    outcomes: endings.map((x) => ({ ending: x.breakdownValue!, casesCount: x.valueCount })),
    suppressed,
    summary,
  };
}

export async function series(db: Kysely<DB>, q: { indicatorId: string; regionCode?: string | undefined; view?: string | undefined; guaranteeKind?: string | undefined; breakdown?: string | undefined; breakdownValue?: string | undefined; from?: string | undefined; to?: string | undefined }) {
  const { def, view, kind } = select(q.indicatorId, q.view, q.guaranteeKind);
  const breakdown = checkBreakdown(def, q.breakdown, q.regionCode);
  if ((breakdown === '') !== (q.breakdownValue === undefined)) throw new AppError('validation', 'Give breakdown and breakdownValue together (or neither).');
  for (const [name, p] of [['from', q.from], ['to', q.to]] as const) if (p !== undefined && !isPeriod(p)) throw new AppError('bad_request', `${name} must be a month written YYYY-MM.`);
  if (q.from !== undefined && q.to !== undefined && q.from > q.to) throw new AppError('validation', `from (${q.from}) is after to (${q.to}).`);
  const region = await checkRegion(db, q.regionCode);
  if (def.group === 'brokering' && region !== '' && kind !== '') throw new AppError('validation', `${def.id} is published per guarantee kind nationally only; per region for all kinds together: leave guaranteeKind out.`);
  const all = (await periods(db)).map((p) => p.period).filter((p) => (q.from === undefined || p >= q.from) && (q.to === undefined || p <= q.to)).sort();
  const items: PublishedValue[] = [];
  for (const p of all) {
    const c = get(await publishedIndicator(db, def.id, p), view, kind, region, breakdown, q.breakdownValue ?? '');
    if (c) items.push(toPublic(c));
  }
  return { indicatorId: def.id, unit: def.unit, kind: def.kind, regionCode: orNull(region), view: orNull(view), guaranteeKind: orNull(kind), breakdown: orNull(breakdown), breakdownValue: q.breakdownValue ?? null, items };
}

export async function regionComparison(db: Kysely<DB>, q: { indicatorId: string; period?: string | undefined; view?: string | undefined; guaranteeKind?: string | undefined; breakdown?: string | undefined; breakdownValue?: string | undefined }) {
  const { def, view, kind } = select(q.indicatorId, q.view, q.guaranteeKind);
  const breakdown = checkBreakdown(def, q.breakdown, undefined);
  if (breakdown !== '') throw new AppError('validation', 'Breakdowns are published nationally only, not per region: use /stats/breakdown.');
  if (def.group === 'brokering' && kind !== '') throw new AppError('validation', `${def.id} is published per guarantee kind nationally only; per region for all kinds together: leave guaranteeKind out.`);
  if ((breakdown === '') !== (q.breakdownValue === undefined)) throw new AppError('validation', 'Give breakdown and breakdownValue together (or neither).');
  const run = await resolvePeriod(db, q.period);
  const m = await publishedIndicator(db, def.id, run.period);
  const items = [...m.values()]
    .filter((c) => (c.view ?? '') === view && (c.guaranteeKind ?? '') === kind && (c.breakdown ?? '') === breakdown && (c.breakdownValue ?? '') === (q.breakdownValue ?? ''))
    .sort((a, b) => ((a.regionCode ?? '') < (b.regionCode ?? '') ? -1 : 1))
    .map(toPublic);
  return { indicatorId: def.id, unit: def.unit, kind: def.kind, period: run.period, items };
}

export async function breakdownTable(db: Kysely<DB>, q: { indicatorId: string; breakdown: string; regionCode?: string | undefined; period?: string | undefined; view?: string | undefined; guaranteeKind?: string | undefined }) {
  const { def, view, kind } = select(q.indicatorId, q.view, q.guaranteeKind);
  const breakdown = checkBreakdown(def, q.breakdown, q.regionCode);
  const region = await checkRegion(db, q.regionCode);
  const run = await resolvePeriod(db, q.period);
  const m = await publishedIndicator(db, def.id, run.period);
  const items = [...m.values()]
    .filter((c) => (c.view ?? '') === view && (c.guaranteeKind ?? '') === kind && (c.regionCode ?? '') === region && c.breakdown === breakdown)
    .sort((a, b) => (a.breakdownValue! < b.breakdownValue! ? -1 : 1))
    .map(toPublic);
  return { indicatorId: def.id, breakdown, period: run.period, regionCode: orNull(region), items };
}

/** Every published cell of a period for a set of indicators (open data): suppressed, newest revision. */
export async function publishedRows(db: Kysely<DB>, indicatorIds: readonly string[], period: string): Promise<Cell[]> {
  const out: Cell[] = [];
  for (const id of indicatorIds) out.push(...(await publishedIndicator(db, id, period)).values());
  return out;
}

