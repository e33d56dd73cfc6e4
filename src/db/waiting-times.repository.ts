import { sql, type RawBuilder } from 'kysely';
import { CONTACT_TYPES } from '../domain/directory.js';
import { FORECAST_CAP_DAYS, MIN_COMPLETIONS, THROUGHPUT_WINDOW_DAYS } from '../domain/forecast.js';
import { DEFAULT_GUARANTEE_RULES, guaranteeKindOf, type GuaranteeRule, type StatisticalView } from '../domain/guarantee.js';
import type { StatsRow } from '../domain/waiting-times.js';
import type { Executor } from '../services/context.js';
import type { WaitingTimeStatsTable } from './schema.js';

/**
 * The guarantee limits as a VALUES table keyed by the services' contact type, one row per dated rule:
 * (contact_type, limit_days, valid_from, valid_to). The rules stay in src/domain/guarantee.ts; SQL only looks them up.
 */
function limitsTable(rules: readonly GuaranteeRule[] = DEFAULT_GUARANTEE_RULES): RawBuilder<unknown> {
  const rows = CONTACT_TYPES.flatMap((ct) =>
    rules.filter((r) => r.kind === guaranteeKindOf(ct)).map((r) => sql`(${ct}::text, ${r.limitDays}::int, ${r.validFrom}::date, ${r.validTo ?? '9999-12-31'}::date)`),
  );
  return sql`(VALUES ${sql.join(rows)}) AS lim(contact_type, limit_days, valid_from, valid_to)`;
}

/**
 * Per-episode waited days in both views in one pass (contract: (end − clock_start) − PvV [− MoV], end = completed_on or
 * today, never below 0) and the limit in force on clock_start, for the episodes the figures use: waiting, or completed in
 * the last 90 days. Removed episodes are ignored.
 */
function episodesCte(today: string, regionCode: string | undefined): RawBuilder<unknown> {
  return sql`
    SELECT e.region_code, e.unit_hsa_id, e.service_id, e.status,
           GREATEST(0, (COALESCE(e.completed_on, ${today}::date) - e.clock_start) - e.patient_chosen_days) AS w_pvv,
           GREATEST(0, (COALESCE(e.completed_on, ${today}::date) - e.clock_start) - e.patient_chosen_days - e.medical_pause_days) AS w_pvv_mov,
           lim.limit_days
      FROM waiting_episodes e
      JOIN services s ON s.id = e.service_id
      LEFT JOIN ${limitsTable()} ON lim.contact_type = s.contact_type AND e.clock_start BETWEEN lim.valid_from AND lim.valid_to
     WHERE (e.status = 'waiting'
            OR (e.status = 'completed' AND e.completed_on > ${today}::date - ${THROUGHPUT_WINDOW_DAYS}::int AND e.completed_on <= ${today}::date))
       ${regionCode === undefined ? sql`` : sql`AND e.region_code = ${regionCode}`}`;
}

/**
 * The aggregates of one grouping, both views at once. percentile_disc is the nearest-rank percentile of
 * src/domain/statistics.ts (an observed value at rank ⌈p·n⌉); the array form sorts once for both the median and p90.
 */
const aggregates = sql`
  count(*) FILTER (WHERE status = 'waiting')::int AS waiting_count,
  percentile_disc(ARRAY[0.5, 0.9]::float8[]) WITHIN GROUP (ORDER BY w_pvv) FILTER (WHERE status = 'waiting') AS pct_pvv,
  percentile_disc(ARRAY[0.5, 0.9]::float8[]) WITHIN GROUP (ORDER BY w_pvv_mov) FILTER (WHERE status = 'waiting') AS pct_pvv_mov,
  avg(CASE WHEN w_pvv <= limit_days THEN 1.0 ELSE 0.0 END) FILTER (WHERE status = 'waiting')::float8 AS share_pvv,
  avg(CASE WHEN w_pvv_mov <= limit_days THEN 1.0 ELSE 0.0 END) FILTER (WHERE status = 'waiting')::float8 AS share_pvv_mov,
  count(*) FILTER (WHERE status = 'completed')::int AS completed_last_90_days,
  percentile_disc(0.5) WITHIN GROUP (ORDER BY w_pvv) FILTER (WHERE status = 'completed') AS cmed_pvv,
  percentile_disc(0.5) WITHIN GROUP (ORDER BY w_pvv_mov) FILTER (WHERE status = 'completed') AS cmed_pvv_mov`;

/** One row per statistical view from a row of aggregates. */
const perView = sql`CROSS JOIN LATERAL (VALUES
  ('excluding_pvv'::text, agg.pct_pvv[1], agg.pct_pvv[2], agg.share_pvv, agg.cmed_pvv),
  ('excluding_pvv_and_mov'::text, agg.pct_pvv_mov[1], agg.pct_pvv_mov[2], agg.share_pvv_mov, agg.cmed_pvv_mov)) AS v(view, med, p90, share, cmed)`;

/** The queue model of src/domain/forecast.ts in SQL (same integers, same rounding; test/waiting-times.test.ts checks both agree). */
const forecastSql = (q: RawBuilder<unknown>, c: RawBuilder<unknown>) =>
  sql`CASE WHEN ${c} >= ${MIN_COMPLETIONS}::int THEN LEAST(${FORECAST_CAP_DAYS}::int, round(((${q} + 1) * ${THROUGHPUT_WINDOW_DAYS}::numeric) / ${c})::int) END`;

const COLUMNS = sql`(level, unit_hsa_id, region_code, service_id, view, waiting_count, median_waited_days, p90_waited_days,
  share_within_guarantee, completed_last_90_days, median_completed_wait_days, forecast_wait_days, data_as_of, computed_on)`;

/**
 * Recompute the unit and region rows of one region (all when undefined) and the national rows, set-based.
 * Serialised by a row lock on waiting_time_version (taken first), which is also bumped so cached answers are dropped.
 */
export async function refreshStats(trx: Executor, opts: { regionCode?: string | undefined; today: string }): Promise<void> {
  const { regionCode, today } = opts;
  await sql`UPDATE waiting_time_version SET version = version + 1 WHERE id = 1`.execute(trx);
  if (regionCode === undefined) await sql`DELETE FROM waiting_time_stats`.execute(trx);
  else await sql`DELETE FROM waiting_time_stats WHERE region_code = ${regionCode} OR level = 'national'`.execute(trx);

  // data_as_of per region: the newest (non-dry-run) waiting-list submission applied — or being applied in this
  // transaction — for it, as a Swedish date; the computation date when there is none.
  const asOf = sql`
    SELECT region_code, max((submitted_at AT TIME ZONE 'Europe/Stockholm')::date) AS d
      FROM submissions
     WHERE kind = 'waiting_list' AND NOT dry_run AND status IN ('applied', 'processing')
       ${regionCode === undefined ? sql`` : sql`AND region_code = ${regionCode}`}
     GROUP BY region_code`;

  await sql`
    INSERT INTO waiting_time_stats ${COLUMNS}
    WITH ep AS (${episodesCte(today, regionCode)}),
         agg AS (
           SELECT CASE WHEN GROUPING(unit_hsa_id) = 0 THEN 'unit' ELSE 'region' END AS level, unit_hsa_id, region_code, service_id, ${aggregates}
             FROM ep
            GROUP BY GROUPING SETS ((service_id, region_code, unit_hsa_id), (service_id, region_code))),
         asof AS (${asOf})
    SELECT agg.level, agg.unit_hsa_id, agg.region_code, agg.service_id, v.view, agg.waiting_count, v.med, v.p90, v.share,
           agg.completed_last_90_days, v.cmed, ${forecastSql(sql`agg.waiting_count`, sql`agg.completed_last_90_days`)},
           COALESCE(asof.d, ${today}::date), ${today}::date
      FROM agg ${perView} LEFT JOIN asof ON asof.region_code = agg.region_code`.execute(trx);

  await sql`
    INSERT INTO waiting_time_stats ${COLUMNS}
    WITH ep AS (${episodesCte(today, undefined)}),
         agg AS (SELECT service_id, ${aggregates} FROM ep GROUP BY service_id),
         -- the nation's data are as old as its oldest region's
         asof AS (SELECT service_id, min(data_as_of) AS d FROM waiting_time_stats WHERE level = 'region' GROUP BY service_id)
    SELECT 'national', NULL, NULL, agg.service_id, v.view, agg.waiting_count, v.med, v.p90, v.share,
           agg.completed_last_90_days, v.cmed, ${forecastSql(sql`agg.waiting_count`, sql`agg.completed_last_90_days`)},
           COALESCE(asof.d, ${today}::date), ${today}::date
      FROM agg ${perView} LEFT JOIN asof ON asof.service_id = agg.service_id`.execute(trx);
}

/**
 * A number that changes whenever the public waiting-times answers may change: a refresh, a new or changed capacity report,
 * or a new day (staleness is counted from today). Cheap: two index look-ups.
 */
export async function waitingTimesVersion(db: Executor, today: string): Promise<number> {
  const r = await sql<{ version: number; reported: string | null }>`
    SELECT (SELECT version FROM waiting_time_version WHERE id = 1) AS version, (SELECT max(reported_at)::text FROM capacity_reports) AS reported`.execute(db);
  const key = `${r.rows[0]?.version ?? 0}|${r.rows[0]?.reported ?? ''}|${today}`;
  let h = 0x811c9dc5; // FNV-1a, 32 bits
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** Every precomputed row of one service and view, with the unit's name. */
export async function statsForService(db: Executor, serviceId: string, view: StatisticalView): Promise<StatsRow[]> {
  const r = await sql<Omit<WaitingTimeStatsTable, 'view' | 'computed_on'> & { unit_name: string | null }>`
    SELECT st.level, st.unit_hsa_id, u.name AS unit_name, st.region_code, st.service_id, st.waiting_count, st.median_waited_days,
           st.p90_waited_days, st.share_within_guarantee, st.completed_last_90_days, st.median_completed_wait_days, st.forecast_wait_days,
           to_char(st.data_as_of, 'YYYY-MM-DD') AS data_as_of
      FROM waiting_time_stats st
      LEFT JOIN units u ON u.hsa_id = st.unit_hsa_id
     WHERE st.service_id = ${serviceId} AND st.view = ${view}`.execute(db);
  return r.rows.map((x) => ({
    level: x.level,
    regionCode: x.region_code,
    unitHsaId: x.unit_hsa_id,
    unitName: x.unit_name,
    serviceId: x.service_id,
    waitingCount: x.waiting_count,
    medianWaitedDays: x.median_waited_days,
    p90WaitedDays: x.p90_waited_days,
    shareWithinGuarantee: x.share_within_guarantee === null ? null : Number(x.share_within_guarantee),
    completedLast90Days: x.completed_last_90_days,
    medianCompletedWaitDays: x.median_completed_wait_days,
    forecastWaitDays: x.forecast_wait_days,
    dataAsOf: x.data_as_of,
  }));
}

export interface AtRiskRow {
  recordId: string;
  unitHsaId: string;
  /** the patient's home municipality (SCB code), for opening a case */
  homeMunicipality: string;
  serviceId: string;
  clockStart: string;
  waitedDays: number;
  deadline: string;
  forecastDate: string | null;
  daysLeft: number;
  breached: boolean;
}

/**
 * Waiting episodes of a region that have breached their deadline, or whose deadline falls within `withinDays` and whose
 * forecast date is after it (or unknown). Forecast date: the booked date when there is one; otherwise today + the time to
 * treat everyone ahead in the unit's queue (first come, first served by clock start plus excluded days) at the unit's
 * throughput of the last 90 days (remainingWaitDays in src/domain/forecast.ts). Ordered by deadline, then record id.
 */
export async function atRisk(
  db: Executor,
  opts: { regionCode: string; today: string; withinDays: number; serviceId?: string | undefined; unitHsaId?: string | undefined; after?: { deadline: string; recordId: string } | undefined; limit: number },
): Promise<AtRiskRow[]> {
  const { regionCode, today, withinDays, serviceId, unitHsaId, after, limit } = opts;
  const r = await sql<{
    record_id: string;
    unit_hsa_id: string;
    home_municipality: string;
    service_id: string;
    clock_start: string;
    waited_days: number;
    deadline: string;
    forecast_date: string | null;
    days_left: number;
    breached: boolean;
  }>`
    WITH q AS (
      SELECT e.record_id, e.unit_hsa_id, e.home_municipality, e.service_id, e.clock_start, e.booked_on,
             GREATEST(0, (${today}::date - e.clock_start) - e.patient_chosen_days - e.medical_pause_days) AS waited_days,
             e.clock_start + (lim.limit_days + e.patient_chosen_days + e.medical_pause_days) AS deadline,
             row_number() OVER (PARTITION BY e.unit_hsa_id, e.service_id
                                ORDER BY e.clock_start + (e.patient_chosen_days + e.medical_pause_days), e.record_id) AS position
        FROM waiting_episodes e
        JOIN services s ON s.id = e.service_id
        JOIN ${limitsTable()} ON lim.contact_type = s.contact_type AND e.clock_start BETWEEN lim.valid_from AND lim.valid_to
       WHERE e.region_code = ${regionCode} AND e.status = 'waiting'
         ${serviceId === undefined ? sql`` : sql`AND e.service_id = ${serviceId}`}
         ${unitHsaId === undefined ? sql`` : sql`AND e.unit_hsa_id = ${unitHsaId}`}
    ), f AS (
      SELECT q.*,
             COALESCE(q.booked_on,
                      CASE WHEN st.completed_last_90_days >= ${MIN_COMPLETIONS}::int
                           THEN ${today}::date + LEAST(${FORECAST_CAP_DAYS}::int, ceil((q.position * ${THROUGHPUT_WINDOW_DAYS}::numeric) / st.completed_last_90_days)::int) END) AS forecast_date
        FROM q
        LEFT JOIN waiting_time_stats st
          ON st.level = 'unit' AND st.unit_hsa_id = q.unit_hsa_id AND st.service_id = q.service_id AND st.view = 'excluding_pvv_and_mov'
       WHERE q.deadline <= ${today}::date + ${withinDays}::int
    )
    SELECT record_id, unit_hsa_id, home_municipality::text AS home_municipality, service_id, to_char(clock_start, 'YYYY-MM-DD') AS clock_start, waited_days::int AS waited_days,
           to_char(deadline, 'YYYY-MM-DD') AS deadline, to_char(forecast_date, 'YYYY-MM-DD') AS forecast_date,
           (deadline - ${today}::date)::int AS days_left, deadline < ${today}::date AS breached
      FROM f
     WHERE (deadline < ${today}::date OR forecast_date IS NULL OR forecast_date > deadline)
       ${after === undefined ? sql`` : sql`AND (deadline, record_id) > (${after.deadline}::date, ${after.recordId})`}
     ORDER BY deadline, record_id
     LIMIT ${limit}`.execute(db);
  return r.rows.map((x) => ({
    recordId: x.record_id,
    unitHsaId: x.unit_hsa_id,
    homeMunicipality: x.home_municipality,
    serviceId: x.service_id,
    clockStart: x.clock_start,
    waitedDays: x.waited_days,
    deadline: x.deadline,
    forecastDate: x.forecast_date,
    daysLeft: x.days_left,
    breached: x.breached,
  }));
}
