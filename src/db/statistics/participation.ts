import { sql } from 'kysely';
import { STALE_AFTER_DAYS } from '../../domain/capacity.js';
import type { IndicatorId, IndicatorRow, PeriodBounds } from '../../domain/indicators.js';
import type { Executor } from '../../services/context.js';

/** The client roles connected_systems is broken down by (docs/indicators.md, group D). */
export const CONNECTED_SYSTEM_ROLES = ['coordinator', 'region-reporter', 'provider'] as const;

/**
 * Group D of docs/indicators.md (participation and data quality) for one calendar month: one row per region (all 21,
 * zeros included) and a national row (''). These count files, units and systems, not people: never suppressed.
 *
 * - waiting_list_on_time: 1/0 per region — an applied, non-dry-run waiting-list submission on a Stockholm date from the
 *   1st to the 20th of the next month. The row's data_as_of carries the date of the first such submission (the
 *   "also published" date), so dataAsOf of these rows is that date, not the newest submission. National: value = the
 *   share of regions with 1, numeratorCount = the regions with 1, denominatorCount = the number of regions.
 * - applied_/rejected_waiting_list_submissions, waiting_list_row_errors: submissions in the month (Stockholm date of
 *   submitted_at), not dry runs; national = the sum. Value only.
 * - fresh_capacity_report_share: units of the region that are active and offer at least one active service (denominator),
 *   of which those where every offered active service has a report in force on R (latest valid_from ≤ R among reports
 *   reported by R) that is at most STALE_AFTER_DAYS old (numerator). National = the sums.
 * - connected_systems: clients created by R, not disabled, not synthetic, of the region (client's region, else its
 *   unit's, else its organisation's); breakdown '' = all such clients, and per role (a client with two roles counts under
 *   each). National = the sum over regions (clients without a region are not counted).
 */
export async function computeParticipationIndicators(db: Executor, b: PeriodBounds): Promise<IndicatorRow[]> {
  return (await computeParticipation(db, b)).rows;
}

/** The rows of computeParticipationIndicators and, per region, the date of its first on-time submission (data_as_of of waiting_list_on_time). */
export async function computeParticipation(db: Executor, b: PeriodBounds): Promise<{ rows: IndicatorRow[]; firstOnTime: Map<string, string> }> {
  const R = sql`${b.monthEnd}::date`;
  const M0 = sql`${b.monthStart}::date`;
  const day = sql`(s.submitted_at AT TIME ZONE 'Europe/Stockholm')::date`;

  const subs = await sql<{ code: string; on_time: string | null; applied: number; rejected: number; row_errors: number }>`
    SELECT g.code::text AS code,
           to_char(min(${day}) FILTER (WHERE s.status = 'applied' AND ${day} BETWEEN ${b.nextMonthStart}::date AND ${b.reportingDeadline}::date), 'YYYY-MM-DD') AS on_time,
           count(*) FILTER (WHERE s.status = 'applied' AND ${day} BETWEEN ${M0} AND ${R})::int AS applied,
           count(*) FILTER (WHERE s.status = 'rejected' AND ${day} BETWEEN ${M0} AND ${R})::int AS rejected,
           COALESCE(sum(s.error_count) FILTER (WHERE s.status = 'rejected' AND ${day} BETWEEN ${M0} AND ${R}), 0)::int AS row_errors
      FROM regions g
      LEFT JOIN submissions s ON s.region_code = g.code AND s.kind = 'waiting_list' AND NOT s.dry_run
                              AND s.submitted_at >= (${M0}::timestamp AT TIME ZONE 'Europe/Stockholm') - interval '1 day'
                              AND s.submitted_at < (${b.reportingDeadline}::date + 2)::timestamp AT TIME ZONE 'Europe/Stockholm'
     GROUP BY g.code
     ORDER BY g.code`.execute(db);

  const capacity = await sql<{ code: string; expected: number; fresh: number }>`
    WITH offered AS (
      SELECT u.region_code::text AS code, u.hsa_id, us.service_id
        FROM units u
        JOIN unit_services us ON us.unit_hsa_id = u.hsa_id
        JOIN services sv ON sv.id = us.service_id AND sv.active
       WHERE u.active),
    latest AS (
      SELECT c.unit_hsa_id, c.service_id, max(c.valid_from) AS valid_from
        FROM capacity_reports c
       WHERE c.valid_from <= ${R} AND (c.reported_at AT TIME ZONE 'Europe/Stockholm')::date <= ${R}
       GROUP BY c.unit_hsa_id, c.service_id),
    per_unit AS (
      SELECT o.code, o.hsa_id, bool_and(l.valid_from IS NOT NULL AND ${R} - l.valid_from <= ${STALE_AFTER_DAYS}::int) AS fresh
        FROM offered o
        LEFT JOIN latest l ON l.unit_hsa_id = o.hsa_id AND l.service_id = o.service_id
       GROUP BY o.code, o.hsa_id)
    SELECT g.code::text AS code, count(p.hsa_id)::int AS expected, count(p.hsa_id) FILTER (WHERE p.fresh)::int AS fresh
      FROM regions g LEFT JOIN per_unit p ON p.code = g.code
     GROUP BY g.code
     ORDER BY g.code`.execute(db);

  const systems = await sql<{ code: string; role: string; n: number }>`
    WITH c AS (
      SELECT c.id, c.roles, COALESCE(c.region_code, u.region_code, o.region_code)::text AS code
        FROM clients c
        LEFT JOIN units u ON u.hsa_id = c.unit_hsa_id
        LEFT JOIN organizations o ON o.id = c.organization_id
       WHERE NOT c.disabled AND NOT c.synthetic AND (c.created_at AT TIME ZONE 'Europe/Stockholm')::date <= ${R})
    SELECT code, '' AS role, count(*)::int AS n FROM c WHERE code IS NOT NULL GROUP BY code
    UNION ALL
    SELECT code, role, count(*)::int AS n FROM c CROSS JOIN LATERAL unnest(c.roles) AS role WHERE code IS NOT NULL GROUP BY code, role`.execute(db);

  const rows: IndicatorRow[] = [];
  const firstOnTime = new Map<string, string>();
  const add = (id: IndicatorId, regionCode: string, value: number | null, num: number | null = null, den: number | null = null, breakdownValue = ''): void => {
    rows.push({
      indicatorId: id, period: b.period, view: '', guaranteeKind: '', regionCode, breakdown: breakdownValue === '' ? '' : 'role', breakdownValue,
      value, numeratorCount: num, denominatorCount: den,
    });
  };
  const sum = (xs: number[]) => xs.reduce((a, x) => a + x, 0);

  for (const s of subs.rows) {
    if (s.on_time !== null) firstOnTime.set(s.code, s.on_time);
    add('waiting_list_on_time', s.code, s.on_time === null ? 0 : 1);
    add('applied_waiting_list_submissions', s.code, s.applied);
    add('rejected_waiting_list_submissions', s.code, s.rejected);
    add('waiting_list_row_errors', s.code, s.row_errors);
  }
  const onTime = subs.rows.filter((s) => s.on_time !== null).length;
  add('waiting_list_on_time', '', subs.rows.length === 0 ? null : onTime / subs.rows.length, onTime, subs.rows.length);
  add('applied_waiting_list_submissions', '', sum(subs.rows.map((s) => s.applied)));
  add('rejected_waiting_list_submissions', '', sum(subs.rows.map((s) => s.rejected)));
  add('waiting_list_row_errors', '', sum(subs.rows.map((s) => s.row_errors)));

  for (const c of capacity.rows) add('fresh_capacity_report_share', c.code, c.expected === 0 ? null : c.fresh / c.expected, c.fresh, c.expected);
  const expected = sum(capacity.rows.map((c) => c.expected));
  const fresh = sum(capacity.rows.map((c) => c.fresh));
  add('fresh_capacity_report_share', '', expected === 0 ? null : fresh / expected, fresh, expected);

  const n = new Map(systems.rows.map((s) => [`${s.code}|${s.role}`, s.n]));
  const codes = subs.rows.map((s) => s.code);
  for (const role of ['', ...CONNECTED_SYSTEM_ROLES]) {
    for (const code of codes) add('connected_systems', code, n.get(`${code}|${role}`) ?? 0, null, null, role);
    add('connected_systems', '', sum(codes.map((code) => n.get(`${code}|${role}`) ?? 0)), null, null, role);
  }
  return { rows, firstOnTime };
}
