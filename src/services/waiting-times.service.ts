import type { Kysely } from 'kysely';
import * as repo from '../db/waiting-times.repository.js';
import { currentCapacityReports } from '../db/capacity.repository.js';
import type { DB } from '../db/schema.js';
import { AppError, forbidden, notFound } from '../domain/errors.js';
import type { StatisticalView } from '../domain/guarantee.js';
import { stockholmDay } from '../domain/clock.js';
import { compareRows, publicRows, STALE_AFTER_DAYS, type CurrentReport, type PublicWaitingTimeRow } from '../domain/waiting-times.js';
import { recordAudit } from './audit.service.js';
import type { Executor, RequestContext } from './context.js';

/**
 * Recompute the precomputed waiting-time figures that reads are served from (src/db/migrations/0005_waiting_time_stats.sql),
 * for one region (after a waiting-list submission for it) or for the whole country (regionCode undefined).
 * Runs inside the caller's transaction, so a submission and its figures commit together.
 * `today` is the Swedish calendar date the figures are computed for.
 * The national rows are always recomputed from every region's episodes; refreshes are serialised by a row lock.
 */
export async function refreshWaitingTimes(trx: Executor, opts: { regionCode?: string | undefined; today: string }): Promise<void> {
  await repo.refreshStats(trx, opts);
}

export interface WaitingTimesQuery {
  serviceId: string;
  regionCode?: string | undefined;
  unitHsaId?: string | undefined;
  view: StatisticalView;
}

export interface WaitingTimesAnswer {
  serviceId: string;
  view: StatisticalView;
  items: PublicWaitingTimeRow[];
}

/**
 * The public waiting times of a service: the nation, the regions and their units, small cells suppressed.
 * Suppression is decided on the whole country's rows (so that siblings protect each other) and only then filtered.
 */
export async function publicWaitingTimes(db: Executor, ctx: RequestContext, q: WaitingTimesQuery): Promise<WaitingTimesAnswer> {
  const today = stockholmDay(ctx.clock.now());
  const service = await db.selectFrom('services').select('id').where('id', '=', q.serviceId).executeTakeFirst();
  if (!service) throw notFound('Service', q.serviceId);
  const [rows, reports] = await Promise.all([
    repo.statsForService(db, q.serviceId, q.view),
    currentCapacityReports(db, { serviceId: q.serviceId, today, staleAfterDays: STALE_AFTER_DAYS }),
  ]);
  const byUnit = new Map<string, CurrentReport>(reports.map((r) => [r.unitHsaId, { expectedWaitDays: r.expectedWaitDays, stale: r.stale }]));
  const unit = q.unitHsaId?.toUpperCase();
  const unitRegion = unit === undefined ? undefined : rows.find((r) => r.level === 'unit' && r.unitHsaId === unit)?.regionCode;
  const items = publicRows(rows, byUnit, today)
    .filter((r) => {
      if (r.level === 'national') return true;
      if (q.regionCode !== undefined && r.regionCode !== q.regionCode) return false;
      if (unit !== undefined) return r.level === 'unit' ? r.unitHsaId === unit : r.regionCode === unitRegion;
      return true;
    })
    .sort(compareRows);
  return { serviceId: q.serviceId, view: q.view, items };
}

export interface AtRiskQuery {
  regionCode: string;
  withinDays: number;
  serviceId?: string | undefined;
  unitHsaId?: string | undefined;
  after?: { deadline: string; recordId: string } | undefined;
  /** page size; one more row is returned when there is a next page */
  limit: number;
}

/**
 * Waiting episodes breached or forecast to breach within n days, for the coordinator of that region (or an admin).
 * No patient identity, not even the pseudonymous key. The read is audited in the same transaction.
 */
export async function atRisk(db: Kysely<DB>, ctx: RequestContext, q: AtRiskQuery): Promise<{ today: string; rows: repo.AtRiskRow[] }> {
  const p = ctx.principal;
  const isAdmin = p.roles.includes('admin');
  if (!isAdmin && !(p.roles.includes('coordinator') && p.regionCode === q.regionCode))
    throw forbidden(`Only the coordinator of region ${q.regionCode} (or an admin) may read its waiting list; you act for ${p.regionCode ?? 'no region'}.`);
  if (!Number.isInteger(q.withinDays) || q.withinDays < 0) throw new AppError('bad_request', 'withinDays must be a whole number ≥ 0.');
  const today = stockholmDay(ctx.clock.now());
  return db.transaction().execute(async (trx) => {
    const rows = await repo.atRisk(trx, { ...q, today, limit: q.limit + 1 });
    await recordAudit(trx, ctx, {
      action: 'waiting_list.at_risk',
      entityType: 'region',
      entityId: q.regionCode,
      details: { withinDays: q.withinDays, serviceId: q.serviceId ?? null, returned: Math.min(rows.length, q.limit) },
    });
    return { today, rows };
  });
}
