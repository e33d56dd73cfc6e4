import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { computeBrokeringIndicators } from '../../db/statistics/brokering.js';
import { computeParticipation } from '../../db/statistics/participation.js';
import { storeIndicatorRows } from '../../db/statistics/store.js';
import { computeWaitsIndicators, waitingListDataAsOf } from '../../db/statistics/waits.js';
import { stockholmDay } from '../../domain/clock.js';
import { AppError } from '../../domain/errors.js';
import { indicatorById, isPeriod, periodBounds, type IndicatorRow } from '../../domain/indicators.js';
import type { Executor } from '../context.js';

/**
 * The indicator computation (issue 5, docs/indicators.md): one calendar month's indicators of groups A (waits), B
 * (brokering, src/db/statistics/brokering.ts) and D (participation), stored in indicator_values as a time series with
 * revisions (src/db/statistics/store.ts), a statistics_runs row, and statistics_version bumped when anything was written —
 * all in one transaction, so readers see a month's computation whole or not at all.
 */

export interface ComputeResult {
  period: string;
  /** the highest revision now stored for the period */
  revision: number;
  rowsWritten: number;
  rowsRevised: number;
  ms: number;
}

/** Advisory-lock namespace of statistics computations (waiting-list submissions use 4713); the key is the period as yyyymm. */
const LOCK_NAMESPACE = 4714;

/** Serialise computations of one period: a transaction-scoped advisory lock (PostgreSQL and PGlite). */
export async function lockPeriod(trx: Executor, period: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(${LOCK_NAMESPACE}::int, ${Number(period.replace('-', ''))}::int)`.execute(trx);
}

/** A month can be computed once it has ended (Stockholm time): its reference date R must be before today. */
export function checkComputable(period: string, now: Date): void {
  if (!isPeriod(period)) throw new AppError('bad_request', `The period must be a month YYYY-MM (2000–2100), not "${period}".`);
  const today = stockholmDay(now);
  if (periodBounds(period).monthEnd >= today)
    throw new AppError('validation', `${period} has not ended yet (today is ${today} in Sweden): a month is computed from the day after its last day.`);
}

/**
 * Compute one period inside an open transaction (the caller holds lockPeriod): the rows of groups A, B and D, stored
 * revision-aware, a finished statistics_runs row, and statistics_version bumped when a row was written.
 */
export async function computeInTransaction(trx: Executor, period: string, opts: { triggeredBy: string; now: Date }): Promise<ComputeResult> {
  const started = performance.now();
  const b = periodBounds(period);
  const waits = await computeWaitsIndicators(trx, b);
  const brokering = await computeBrokeringIndicators(trx, b);
  const participation = await computeParticipation(trx, b);
  const asOf = await waitingListDataAsOf(trx);
  const rows: IndicatorRow[] = [...waits, ...brokering, ...participation.rows];
  const stored = await storeIndicatorRows(trx, period, rows, {
    computedAt: opts.now,
    // Group A rests on the regions' waiting lists: the region's newest applied submission (national: the newest of all).
    // waiting_list_on_time carries the date of the region's first on-time submission. Other rows have none.
    dataAsOf: (r) => {
      if (r.indicatorId === 'waiting_list_on_time') return participation.firstOnTime.get(r.regionCode) ?? null;
      return indicatorById(r.indicatorId)?.group === 'waits' ? (asOf.get(r.regionCode) ?? null) : null;
    },
  });
  const ms = Math.round(performance.now() - started);
  await trx
    .insertInto('statistics_runs')
    .values({ period, started_at: opts.now, finished_at: new Date(opts.now.getTime() + ms), rows_written: stored.rowsWritten, rows_revised: stored.rowsRevised, triggered_by: opts.triggeredBy })
    .execute();
  if (stored.rowsWritten > 0) await sql`UPDATE statistics_version SET version = version + 1, updated_at = ${opts.now}::timestamptz WHERE id = 1`.execute(trx);
  return { period, revision: stored.revision, rowsWritten: stored.rowsWritten, rowsRevised: stored.rowsRevised, ms };
}

/**
 * Compute (or recompute) every indicator of one month in one transaction. The first computation stores revision 1 of
 * every row; a recomputation stores revision n+1 only of the rows whose value or counts changed (and of rows that are
 * no longer computed, as a null value with counts of 0). Concurrent computations of the same month wait for each other
 * (advisory lock), so each sees the other's revisions. 422 when the month has not ended.
 */
export async function computePeriod(db: Kysely<DB>, period: string, opts: { triggeredBy: string; now?: Date }): Promise<ComputeResult> {
  const now = opts.now ?? new Date();
  checkComputable(period, now);
  return db.transaction().execute(async (trx) => {
    await lockPeriod(trx, period);
    return computeInTransaction(trx, period, { triggeredBy: opts.triggeredBy, now });
  });
}

/** Compute several months in turn, one transaction each; onProgress after each. Every period is checked before the first is computed. */
export async function computePeriods(
  db: Kysely<DB>,
  periods: string[],
  opts: { triggeredBy: string; now?: Date; onProgress?: (done: number, total: number) => void },
): Promise<ComputeResult[]> {
  const now = opts.now ?? new Date();
  for (const p of periods) checkComputable(p, now);
  const out: ComputeResult[] = [];
  for (const p of periods) {
    out.push(await computePeriod(db, p, { triggeredBy: opts.triggeredBy, now }));
    opts.onProgress?.(out.length, periods.length);
  }
  return out;
}
