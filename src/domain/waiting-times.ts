import { forecast, type ForecastMethod } from './forecast.js';
import { isSmallCell } from './statistics.js';
import { suppressCells, type Relation } from './disclosure.js';
import { daysBetween } from './calendar.js';

/** A report or data set older than this many days is marked stale wherever it is shown. */
export const STALE_AFTER_DAYS = 42;

export type StatsLevel = 'unit' | 'region' | 'national';

/** One precomputed row (waiting_time_stats), unsuppressed. */
export interface StatsRow {
  level: StatsLevel;
  regionCode: string | null;
  unitHsaId: string | null;
  unitName: string | null;
  serviceId: string;
  waitingCount: number;
  medianWaitedDays: number | null;
  p90WaitedDays: number | null;
  shareWithinGuarantee: number | null;
  completedLast90Days: number;
  medianCompletedWaitDays: number | null;
  /** the queue model's figure as stored (null when too thin) */
  forecastWaitDays: number | null;
  dataAsOf: string;
}

/** The unit's current capacity report for the service. */
export interface CurrentReport {
  expectedWaitDays: number;
  stale: boolean;
}

/** One row of the public answer (contract "Waiting times"). */
export interface PublicWaitingTimeRow {
  level: StatsLevel;
  regionCode: string | null;
  unitHsaId: string | null;
  unitName: string | null;
  serviceId: string;
  waitingCount: number | null;
  medianWaitedDays: number | null;
  p90WaitedDays: number | null;
  shareWithinGuarantee: number | null;
  completedLast90Days: number | null;
  medianCompletedWaitDays: number | null;
  forecastWaitDays: number | null;
  reportedExpectedWaitDays: number | null;
  dataAsOf: string;
  stale: boolean;
  suppressed: boolean;
}

const keyOf = (r: { level: StatsLevel; regionCode: string | null; unitHsaId: string | null }): string => `${r.level}|${r.regionCode ?? ''}|${r.unitHsaId ?? ''}`;

/**
 * The additive relations of one count over the rows present: the nation is the sum of its regions, a region the sum of
 * its units (the stored rows are grouped that way, so the sums hold). Where a total exceeds its parts (rows missing),
 * the difference becomes an unpublished "rest" cell of the relation, so the attacker's inequality is modelled too; a
 * total below its parts (inconsistent data) gives no relation.
 */
function relationsOf(rows: readonly StatsRow[], count: (r: StatsRow) => number): { cells: Map<string, number>; relations: Relation[]; unpublished: Set<string> } {
  const cells = new Map(rows.map((r) => [keyOf(r), count(r)]));
  const relations: Relation[] = [];
  const unpublished = new Set<string>();
  const add = (parent: StatsRow, children: readonly StatsRow[]): void => {
    if (children.length === 0) return;
    const total = count(parent);
    const parts = children.map(keyOf);
    const rest = total - children.reduce((s, c) => s + count(c), 0);
    if (rest < 0) return;
    if (rest > 0) {
      const id = `rest|${keyOf(parent)}`;
      cells.set(id, rest);
      unpublished.add(id);
      parts.push(id);
    }
    relations.push({ total: keyOf(parent), parts });
  };
  const national = rows.find((r) => r.level === 'national');
  const regions = rows.filter((r) => r.level === 'region');
  if (national) add(national, regions);
  for (const region of regions) add(region, rows.filter((r) => r.level === 'unit' && r.regionCode === region.regionCode));
  return { cells, relations, unpublished };
}

/** The cells of one count to hide, by the platform's one disclosure-control method (src/domain/disclosure.ts). */
function hiddenOf(rows: readonly StatsRow[], count: (r: StatsRow) => number): Set<string> {
  const { cells, relations, unpublished } = relationsOf(rows, count);
  return suppressCells(cells, relations, { unpublished });
}

/** A share published beside a shown count gives back its numerator (share × count) and the complement: hidden when
 * either is 1–4 (docs/indicators.md, small-cell handling). */
function shareDisclosive(share: number | null, count: number): boolean {
  if (share === null) return false;
  const numerator = Math.round(share * count);
  return isSmallCell(numerator) || isSmallCell(count - numerator);
}

/**
 * The public answer for one service and view: forecasts (the unit's reported wait as fallback), staleness, and small-cell
 * protection of both counts (waiting, completed in 90 days) and of every figure computed from them. `rows` must be every
 * row of the service and view (the whole country), so that complementary suppression sees every sibling; filter after.
 */
export function publicRows(rows: readonly StatsRow[], reports: ReadonlyMap<string, CurrentReport>, today: string): PublicWaitingTimeRow[] {
  const hiddenWaiting = hiddenOf(rows, (r) => r.waitingCount);
  const hiddenCompleted = hiddenOf(rows, (r) => r.completedLast90Days);
  return rows.map((r) => {
    const key = keyOf(r);
    const report = r.level === 'unit' && r.unitHsaId ? reports.get(r.unitHsaId) : undefined;
    const hw = hiddenWaiting.has(key);
    const hc = hiddenCompleted.has(key);
    const hs = hw || shareDisclosive(r.shareWithinGuarantee, r.waitingCount);
    let fc: { days: number; method: ForecastMethod } | null;
    if (r.level === 'unit') fc = forecast({ waitingCount: r.waitingCount, completedLast90Days: r.completedLast90Days, reportedExpectedWaitDays: report?.expectedWaitDays });
    else fc = r.forecastWaitDays === null ? null : { days: r.forecastWaitDays, method: 'queue' };
    // A queue forecast is computed from both counts: it would give a hidden count back.
    if (fc?.method === 'queue' && (hw || hc)) fc = null;
    return {
      level: r.level,
      regionCode: r.regionCode,
      unitHsaId: r.unitHsaId,
      unitName: r.unitName,
      serviceId: r.serviceId,
      waitingCount: hw ? null : r.waitingCount,
      medianWaitedDays: hw ? null : r.medianWaitedDays,
      p90WaitedDays: hw ? null : r.p90WaitedDays,
      shareWithinGuarantee: hs ? null : r.shareWithinGuarantee,
      completedLast90Days: hc ? null : r.completedLast90Days,
      medianCompletedWaitDays: hc ? null : r.medianCompletedWaitDays,
      forecastWaitDays: fc?.days ?? null,
      reportedExpectedWaitDays: report?.expectedWaitDays ?? null,
      dataAsOf: r.dataAsOf,
      stale: (report?.stale ?? false) || daysBetween(r.dataAsOf, today) > STALE_AFTER_DAYS,
      suppressed: hw || hc || hs,
    };
  });
}

/** Order of the answer: the nation, then each region followed by its units (by name). */
export function compareRows(a: { level: StatsLevel; regionCode: string | null; unitName: string | null; unitHsaId: string | null }, b: typeof a): number {
  const rank = (r: typeof a) => (r.level === 'national' ? 0 : r.level === 'region' ? 1 : 2);
  if ((a.level === 'national') !== (b.level === 'national')) return rank(a) - rank(b);
  if (a.regionCode !== b.regionCode) return (a.regionCode ?? '') < (b.regionCode ?? '') ? -1 : 1;
  if (a.level !== b.level) return rank(a) - rank(b);
  return (a.unitName ?? '').localeCompare(b.unitName ?? '', 'sv') || ((a.unitHsaId ?? '') < (b.unitHsaId ?? '') ? -1 : 1);
}
