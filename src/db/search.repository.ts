import { sql } from 'kysely';
import type { Executor } from '../services/context.js';

/**
 * Reads for the national capacity search (GET /api/v1/search): the candidate units of one service with everything the
 * ranking needs, the home regions' forecasts, the units' track records, and the look-ups. SQL only; the use case
 * (src/services/brokering/search.service.ts) decides what the rows mean.
 */

/**
 * One active unit offering the service or a declared equivalent, with its current capacity report and computed forecast
 * (null when none) for the service it offers.
 */
export interface SearchCandidateRow {
  hsaId: string;
  name: string;
  organizationId: string;
  regionCode: string;
  municipalityCode: string;
  lat: number;
  lng: number;
  /** the service the unit offers and would provide: the searched one, or else a declared equivalent */
  offeredServiceId: string;
  /** the report in force on `today` (newest validFrom ≤ today) for the offered service; all four null without one */
  reportValidFrom: string | null;
  reportedExpectedWaitDays: number | null;
  weeklyCapacityForOtherRegions: number | null;
  acceptsOtherRegions: boolean | null;
  /** the unit-level computed forecast of the offered service (view excluding_pvv_and_mov) and the date of its data; null without one */
  computedForecastDays: number | null;
  computedDataAsOf: string | null;
}

/** A region's computed forecast for the service (view excluding_pvv_and_mov). */
export interface RegionForecastRow {
  regionCode: string;
  forecastDays: number | null;
  dataAsOf: string;
}

export interface TrackRecordRow {
  unitHsaId: string;
  requests: number;
  accepted: number;
  medianResponseHours: number | null;
}

export interface MunicipalityRow {
  code: string;
  name: string;
  regionCode: string;
  lat: number;
  lng: number;
}

/** A service of the catalogue as the search names it. */
export interface ServiceNameRow {
  id: string;
  name: { sv: string; en: string };
}

const VIEW = 'excluding_pvv_and_mov';

/**
 * Every active unit offering the service or one of its active declared equivalents (service_equivalents), ordered by
 * HSA-id, in one query: location, region, organisation, name, the service it offers (the searched one when it offers
 * both; of several equivalents the first by id), and for that service the current capacity report (DISTINCT ON over
 * capacity_reports) and the unit's computed forecast.
 */
export async function searchCandidates(db: Executor, serviceId: string, today: string): Promise<SearchCandidateRow[]> {
  const r = await sql<{
    hsa_id: string; name: string; organization_id: string; region_code: string; municipality_code: string; lat: number; lng: number; offered_service_id: string;
    valid_from: string | null; expected_wait_days: number | null; weekly_capacity_for_other_regions: number | null; accepts_other_regions: boolean | null;
    forecast_wait_days: number | null; data_as_of: string | null;
  }>`
    WITH wanted AS (
      SELECT ${serviceId}::text AS service_id, 0 AS preference
      UNION ALL
      SELECT e.equivalent_id, 1 FROM service_equivalents e JOIN services s ON s.id = e.equivalent_id AND s.active WHERE e.service_id = ${serviceId}
    ), offer AS (
      SELECT DISTINCT ON (us.unit_hsa_id) us.unit_hsa_id, us.service_id
        FROM wanted w JOIN unit_services us ON us.service_id = w.service_id
       ORDER BY us.unit_hsa_id, w.preference, us.service_id COLLATE "C"
    ), cap AS (
      SELECT DISTINCT ON (c.unit_hsa_id) c.unit_hsa_id, c.valid_from, c.expected_wait_days, c.weekly_capacity_for_other_regions, c.accepts_other_regions
        FROM offer o JOIN capacity_reports c ON c.unit_hsa_id = o.unit_hsa_id AND c.service_id = o.service_id
       WHERE c.valid_from <= ${today}::date
       ORDER BY c.unit_hsa_id, c.valid_from DESC
    )
    SELECT u.hsa_id, u.name, u.organization_id, u.region_code, u.municipality_code, u.lat, u.lng, o.service_id AS offered_service_id,
           to_char(cap.valid_from, 'YYYY-MM-DD') AS valid_from, cap.expected_wait_days, cap.weekly_capacity_for_other_regions, cap.accepts_other_regions,
           st.forecast_wait_days, to_char(st.data_as_of, 'YYYY-MM-DD') AS data_as_of
      FROM offer o
      JOIN units u ON u.hsa_id = o.unit_hsa_id AND u.active
      LEFT JOIN cap ON cap.unit_hsa_id = u.hsa_id
      LEFT JOIN waiting_time_stats st
        ON st.level = 'unit' AND st.unit_hsa_id = u.hsa_id AND st.service_id = o.service_id AND st.view = ${VIEW}
     ORDER BY u.hsa_id`.execute(db);
  return r.rows.map((x) => ({
    hsaId: x.hsa_id,
    name: x.name,
    organizationId: x.organization_id,
    regionCode: x.region_code,
    municipalityCode: x.municipality_code,
    lat: Number(x.lat),
    lng: Number(x.lng),
    offeredServiceId: x.offered_service_id,
    reportValidFrom: x.valid_from,
    reportedExpectedWaitDays: x.expected_wait_days,
    weeklyCapacityForOtherRegions: x.weekly_capacity_for_other_regions,
    acceptsOtherRegions: x.accepts_other_regions,
    computedForecastDays: x.forecast_wait_days,
    computedDataAsOf: x.data_as_of,
  }));
}

/** The region-level computed forecasts of the service, one row per region that has waiting-list data for it. */
export async function regionForecasts(db: Executor, serviceId: string): Promise<RegionForecastRow[]> {
  const r = await sql<{ region_code: string; forecast_wait_days: number | null; data_as_of: string }>`
    SELECT region_code, forecast_wait_days, to_char(data_as_of, 'YYYY-MM-DD') AS data_as_of
      FROM waiting_time_stats
     WHERE level = 'region' AND service_id = ${serviceId} AND view = ${VIEW}`.execute(db);
  return r.rows.map((x) => ({ regionCode: x.region_code, forecastDays: x.forecast_wait_days, dataAsOf: x.data_as_of }));
}

/**
 * Every unit's record of brokered requests sent since `since` (all services):
 * - requests: the requests that were decided — answered, expired, or chosen; still pending ones, and ones withdrawn by
 *   the coordinator before the unit answered, are not counted (the unit had no chance to answer them);
 * - accepted: ever accepted (status accepted or chosen, or answered with an offered date — accepted, then withdrawn);
 * - medianResponseHours: the median hours from sent to answered of the answered ones (null when none).
 */
export async function trackRecords(db: Executor, since: Date): Promise<TrackRecordRow[]> {
  const r = await sql<{ unit_hsa_id: string; requests: number; accepted: number; median_hours: number | null }>`
    SELECT unit_hsa_id,
           count(*)::int AS requests,
           count(*) FILTER (WHERE status IN ('accepted', 'chosen') OR (answered_at IS NOT NULL AND offered_date IS NOT NULL))::int AS accepted,
           (percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM answered_at - sent_at) / 3600.0)
              FILTER (WHERE answered_at IS NOT NULL))::float8 AS median_hours
      FROM requests
     WHERE sent_at >= ${since.toISOString()}::timestamptz
       AND status <> 'pending'
       AND NOT (status = 'withdrawn' AND answered_at IS NULL)
     GROUP BY unit_hsa_id`.execute(db);
  return r.rows.map((x) => ({
    unitHsaId: x.unit_hsa_id,
    requests: x.requests,
    accepted: x.accepted,
    medianResponseHours: x.median_hours === null ? null : Math.max(0, Number(x.median_hours)),
  }));
}

/** One municipality, or undefined. */
export async function findMunicipality(db: Executor, code: string): Promise<MunicipalityRow | undefined> {
  const r = await db.selectFrom('municipalities').select(['code', 'name', 'region_code', 'lat', 'lng']).where('code', '=', code).executeTakeFirst();
  return r ? { code: r.code, name: r.name, regionCode: r.region_code, lat: Number(r.lat), lng: Number(r.lng) } : undefined;
}

/** Every municipality (290), for the in-memory look-up of the search. */
export async function allMunicipalities(db: Executor): Promise<MunicipalityRow[]> {
  const rows = await db.selectFrom('municipalities').select(['code', 'name', 'region_code', 'lat', 'lng']).execute();
  return rows.map((r) => ({ code: r.code, name: r.name, regionCode: r.region_code, lat: Number(r.lat), lng: Number(r.lng) }));
}

/** Every service in the catalogue (active or not) with its names, for the look-up and the reasons of the search. */
export async function serviceNames(db: Executor): Promise<ServiceNameRow[]> {
  const rows = await db.selectFrom('services').select(['id', 'name_sv', 'name_en']).execute();
  return rows.map((r) => ({ id: r.id, name: { sv: r.name_sv, en: r.name_en } }));
}

/**
 * A key that changes whenever the search's candidate data may change: the directory (units, unit services,
 * municipalities, services: directory_version, bumped by triggers), the computed waiting times (waiting_time_version,
 * bumped by every refresh) and the capacity reports (the newest reported_at; every report write sets it). One round
 * trip of three index look-ups. The track record is not in it (it is refreshed by time). Form: `directory|waiting|capacity`
 * (the search keeps its distances while the first field stands).
 */
export async function searchDataVersion(db: Executor): Promise<string> {
  const r = await sql<{ d: string | number | null; w: string | number | null; c: string | null }>`
    SELECT (SELECT version FROM directory_version WHERE id = 1) AS d,
           (SELECT version FROM waiting_time_version WHERE id = 1) AS w,
           (SELECT max(reported_at)::text FROM capacity_reports) AS c`.execute(db);
  const row = r.rows[0];
  return `${row?.d ?? 0}|${row?.w ?? 0}|${row?.c ?? ''}`;
}
