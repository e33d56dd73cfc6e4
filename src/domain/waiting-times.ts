import { forecast, type ForecastMethod } from './forecast.js';
import { isSmallCell, SMALL_CELL_MAX } from './statistics.js';
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

interface Group {
  parent: string;
  children: string[];
}

/**
 * Which cells of one count must be hidden. Primary suppression hides counts 1–4. Complementary suppression then makes sure
 * no hidden count can be recovered by subtraction along the hierarchy national → region → unit:
 *  (a) under a shown total, the hidden children must together be 0 or at least 5 (else total − shown children is a small
 *      cell, and with one hidden child it *is* that child), and must not all be ones (k hidden cells summing to k are
 *      each 1): hide the smallest shown non-zero child until that holds;
 *  (b) under a hidden total, at least one non-zero child must be hidden (else the total is the sum of its children).
 * Repeated until nothing changes. Zero cells are shown: nobody can be recognised in an empty cell.
 */
export function hiddenCells(counts: ReadonlyMap<string, number>, groups: readonly Group[]): Set<string> {
  const hidden = new Set([...counts].filter(([, n]) => isSmallCell(n)).map(([k]) => k));
  for (let changed = true, rounds = 0; changed && rounds < 100; rounds++) {
    changed = false;
    for (const g of groups) {
      const kids = g.children.filter((c) => (counts.get(c) ?? 0) > 0);
      const shown = kids.filter((c) => !hidden.has(c)).sort((a, b) => counts.get(a)! - counts.get(b)! || (a < b ? -1 : 1));
      const hiddenKids = kids.filter((c) => hidden.has(c));
      const hiddenSum = hiddenKids.reduce((s, c) => s + counts.get(c)!, 0);
      const needMore = hidden.has(g.parent) ? hiddenSum === 0 : hiddenSum > 0 && (hiddenSum <= SMALL_CELL_MAX || hiddenSum === hiddenKids.length);
      if (needMore && shown.length > 0) {
        hidden.add(shown[0]!);
        changed = true;
      }
    }
  }
  return hidden;
}

/** The groups of the hierarchy present in a set of rows: units under their region, regions under the nation. */
function groupsOf(rows: readonly StatsRow[]): Group[] {
  const national = rows.find((r) => r.level === 'national');
  const groups: Group[] = [];
  if (national) groups.push({ parent: keyOf(national), children: rows.filter((r) => r.level === 'region').map(keyOf) });
  for (const region of rows.filter((r) => r.level === 'region'))
    groups.push({ parent: keyOf(region), children: rows.filter((r) => r.level === 'unit' && r.regionCode === region.regionCode).map(keyOf) });
  return groups;
}

/**
 * The public answer for one service and view: forecasts (the unit's reported wait as fallback), staleness, and small-cell
 * protection of both counts (waiting, completed in 90 days) and of every figure computed from them. `rows` must be every
 * row of the service and view (the whole country), so that complementary suppression sees every sibling; filter after.
 */
export function publicRows(rows: readonly StatsRow[], reports: ReadonlyMap<string, CurrentReport>, today: string): PublicWaitingTimeRow[] {
  const groups = groupsOf(rows);
  const hiddenWaiting = hiddenCells(new Map(rows.map((r) => [keyOf(r), r.waitingCount])), groups);
  const hiddenCompleted = hiddenCells(new Map(rows.map((r) => [keyOf(r), r.completedLast90Days])), groups);
  return rows.map((r) => {
    const key = keyOf(r);
    const report = r.level === 'unit' && r.unitHsaId ? reports.get(r.unitHsaId) : undefined;
    const hw = hiddenWaiting.has(key);
    const hc = hiddenCompleted.has(key);
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
      shareWithinGuarantee: hw ? null : r.shareWithinGuarantee,
      completedLast90Days: hc ? null : r.completedLast90Days,
      medianCompletedWaitDays: hc ? null : r.medianCompletedWaitDays,
      forecastWaitDays: fc?.days ?? null,
      reportedExpectedWaitDays: report?.expectedWaitDays ?? null,
      dataAsOf: r.dataAsOf,
      stale: (report?.stale ?? false) || daysBetween(r.dataAsOf, today) > STALE_AFTER_DAYS,
      suppressed: hw || hc,
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
