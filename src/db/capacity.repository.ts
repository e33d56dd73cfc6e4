import { sql } from 'kysely';
import type { Executor } from '../services/context.js';
import { addDays } from '../domain/calendar.js';
import { STALE_AFTER_DAYS, type UnitCapacityReport } from '../domain/capacity.js';

/** One stored capacity report version (a row of capacity_reports). */
export interface CapacityRow extends UnitCapacityReport {
  comment: string | null;
  reportedBy: string;
  reportedAt: string;
  submissionId: string | null;
}

/** The current report of a unit and service, as shown everywhere: with `stale`. */
export interface CurrentCapacityReport extends UnitCapacityReport {
  reportedAt: string;
  stale: boolean;
}

export interface CapacityWrite extends UnitCapacityReport {
  comment: string | null;
  reportedBy: string;
  reportedAt: Date;
  submissionId: string | null;
}

const iso = (t: unknown): string => new Date(t as string | Date).toISOString();

type Row = {
  unit_hsa_id: string; service_id: string; valid_from: string; expected_wait_days: number; weekly_capacity_for_other_regions: number;
  accepts_other_regions: boolean; comment: string | null; reported_by: string; reported_at: unknown; submission_id: string | null;
};
const toRow = (r: Row): CapacityRow => ({
  unitHsaId: r.unit_hsa_id,
  serviceId: r.service_id,
  validFrom: r.valid_from,
  expectedWaitDays: r.expected_wait_days,
  weeklyCapacityForOtherRegions: r.weekly_capacity_for_other_regions,
  acceptsOtherRegions: r.accepts_other_regions,
  comment: r.comment,
  reportedBy: r.reported_by,
  reportedAt: iso(r.reported_at),
  submissionId: r.submission_id,
});

/** Every stored version of a unit's reports (all services, or one), newest validFrom first per service. */
export async function capacityHistory(db: Executor, unitHsaId: string, serviceId?: string): Promise<CapacityRow[]> {
  let q = db.selectFrom('capacity_reports').selectAll().where('unit_hsa_id', '=', unitHsaId);
  if (serviceId !== undefined) q = q.where('service_id', '=', serviceId);
  const rows = await q.orderBy('service_id').orderBy('valid_from', 'desc').execute();
  return rows.map((r) => toRow(r as Row));
}

export async function findCapacityVersion(db: Executor, unitHsaId: string, serviceId: string, validFrom: string): Promise<CapacityRow | undefined> {
  const r = await db
    .selectFrom('capacity_reports')
    .selectAll()
    .where('unit_hsa_id', '=', unitHsaId)
    .where('service_id', '=', serviceId)
    .where('valid_from', '=', validFrom)
    .executeTakeFirst();
  return r ? toRow(r as Row) : undefined;
}

/** Insert or replace the version of (unit, service, validFrom). */
export async function upsertCapacityVersion(db: Executor, w: CapacityWrite): Promise<void> {
  const values = {
    unit_hsa_id: w.unitHsaId,
    service_id: w.serviceId,
    valid_from: w.validFrom,
    expected_wait_days: w.expectedWaitDays,
    weekly_capacity_for_other_regions: w.weeklyCapacityForOtherRegions,
    accepts_other_regions: w.acceptsOtherRegions,
    comment: w.comment,
    reported_by: w.reportedBy,
    reported_at: w.reportedAt,
    submission_id: w.submissionId,
  };
  await db
    .insertInto('capacity_reports')
    .values(values)
    .onConflict((oc) =>
      oc.columns(['unit_hsa_id', 'service_id', 'valid_from']).doUpdateSet({
        expected_wait_days: values.expected_wait_days,
        weekly_capacity_for_other_regions: values.weekly_capacity_for_other_regions,
        accepts_other_regions: values.accepts_other_regions,
        comment: values.comment,
        reported_by: values.reported_by,
        reported_at: values.reported_at,
        submission_id: values.submission_id,
      }),
    )
    .execute();
}

/**
 * The report in force today for each unit and service (the newest with validFrom ≤ today), with `stale`: true when
 * its validFrom is more than staleAfterDays before today (src/domain/capacity.ts, isStale). Filter by service and/or units;
 * an empty unitHsaIds list gives no rows. For the public waiting-times answer and the unit capacity read.
 */
export async function currentCapacityReports(
  db: Executor,
  opts: { serviceId?: string | undefined; unitHsaIds?: readonly string[] | undefined; today: string; staleAfterDays?: number | undefined },
): Promise<CurrentCapacityReport[]> {
  if (opts.unitHsaIds && opts.unitHsaIds.length === 0) return [];
  const staleBefore = addDays(opts.today, -(opts.staleAfterDays ?? STALE_AFTER_DAYS));
  let q = db
    .selectFrom('capacity_reports as c')
    .select([
      'c.unit_hsa_id', 'c.service_id', 'c.valid_from', 'c.expected_wait_days', 'c.weekly_capacity_for_other_regions', 'c.accepts_other_regions', 'c.reported_at',
    ])
    .distinctOn(['c.unit_hsa_id', 'c.service_id'])
    .where('c.valid_from', '<=', sql<string>`${opts.today}::date`)
    .orderBy('c.unit_hsa_id')
    .orderBy('c.service_id')
    .orderBy('c.valid_from', 'desc');
  if (opts.serviceId !== undefined) q = q.where('c.service_id', '=', opts.serviceId);
  if (opts.unitHsaIds) q = q.where('c.unit_hsa_id', '=', sql<string>`ANY(${[...opts.unitHsaIds]}::text[])`);
  const rows = await q.execute();
  return rows.map((r) => ({
    unitHsaId: r.unit_hsa_id,
    serviceId: r.service_id,
    expectedWaitDays: r.expected_wait_days,
    weeklyCapacityForOtherRegions: r.weekly_capacity_for_other_regions,
    acceptsOtherRegions: r.accepts_other_regions,
    validFrom: r.valid_from,
    reportedAt: iso(r.reported_at),
    stale: r.valid_from < staleBefore,
  }));
}

const CHUNK = 2000;
function chunks<T>(xs: readonly T[], n = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

/** Every stored version of these units' reports, keyed unit \0 service \0 validFrom. */
export async function existingVersions(db: Executor, unitHsaIds: readonly string[]): Promise<Map<string, CapacityRow>> {
  const out = new Map<string, CapacityRow>();
  for (const part of chunks([...new Set(unitHsaIds)])) {
    const rows = await db.selectFrom('capacity_reports').selectAll().where('unit_hsa_id', 'in', part).execute();
    for (const r of rows) out.set(`${r.unit_hsa_id}\u0000${r.service_id}\u0000${r.valid_from}`, toRow(r as Row));
  }
  return out;
}

/** Insert or replace many versions, set-based in chunks (one statement per 500 rows). */
export async function upsertCapacityVersions(db: Executor, writes: readonly CapacityWrite[]): Promise<void> {
  for (const part of chunks(writes, 500)) {
    await db
      .insertInto('capacity_reports')
      .values(part.map((w) => ({
        unit_hsa_id: w.unitHsaId, service_id: w.serviceId, valid_from: w.validFrom, expected_wait_days: w.expectedWaitDays,
        weekly_capacity_for_other_regions: w.weeklyCapacityForOtherRegions, accepts_other_regions: w.acceptsOtherRegions, comment: w.comment,
        reported_by: w.reportedBy, reported_at: w.reportedAt, submission_id: w.submissionId,
      })))
      .onConflict((oc) =>
        oc.columns(['unit_hsa_id', 'service_id', 'valid_from']).doUpdateSet((eb) => ({
          expected_wait_days: eb.ref('excluded.expected_wait_days'),
          weekly_capacity_for_other_regions: eb.ref('excluded.weekly_capacity_for_other_regions'),
          accepts_other_regions: eb.ref('excluded.accepts_other_regions'),
          comment: eb.ref('excluded.comment'),
          reported_by: eb.ref('excluded.reported_by'),
          reported_at: eb.ref('excluded.reported_at'),
          submission_id: eb.ref('excluded.submission_id'),
        })),
      )
      .execute();
  }
}

/** Record a capacity submission (kind 'capacity') with its outcome. */
export async function insertCapacitySubmission(
  db: Executor,
  s: {
    id: string; organizationId: string | null; regionCode: string | null; contentType: string; contentSha256: string; bytes: number;
    status: 'applied' | 'rejected'; submittedBy: string; submittedAt: Date; received: number; inserted: number; updated: number; unchanged: number;
    errorCount: number; errors: { line?: number; field?: string; message: string }[];
  },
): Promise<void> {
  await db
    .insertInto('submissions')
    .values({
      id: s.id, kind: 'capacity', region_code: s.regionCode, organization_id: s.organizationId, mode: null, content_type: s.contentType,
      content_sha256: s.contentSha256, bytes: s.bytes, status: s.status, submitted_by: s.submittedBy, submitted_at: s.submittedAt, finished_at: s.submittedAt,
      received: s.received, inserted: s.inserted, updated: s.updated, removed: 0, unchanged: s.unchanged, error_count: s.errorCount, errors: JSON.stringify(s.errors),
    })
    .execute();
}

/** The units (with organisation, region and offered services) among these HSA-ids. */
export async function unitsForCapacity(db: Executor, hsaIds: readonly string[]): Promise<Map<string, { organizationId: string; regionCode: string; serviceIds: Set<string> }>> {
  const out = new Map<string, { organizationId: string; regionCode: string; serviceIds: Set<string> }>();
  if (hsaIds.length === 0) return out;
  for (const part of chunks(hsaIds)) {
    const units = await db.selectFrom('units').select(['hsa_id', 'organization_id', 'region_code']).where('hsa_id', 'in', part).execute();
    for (const u of units) out.set(u.hsa_id, { organizationId: u.organization_id, regionCode: u.region_code, serviceIds: new Set() });
    if (units.length > 0) {
      const services = await db.selectFrom('unit_services').select(['unit_hsa_id', 'service_id']).where('unit_hsa_id', 'in', units.map((u) => u.hsa_id)).execute();
      for (const s of services) out.get(s.unit_hsa_id)?.serviceIds.add(s.service_id);
    }
  }
  return out;
}
