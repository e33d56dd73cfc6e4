import { sql } from 'kysely';
import type { IndicatorRow } from '../../domain/indicators.js';
import type { Executor } from '../../services/context.js';

/** Two stored values count as the same when they differ by less than this (relative to their size, at least 1). */
export const VALUE_TOLERANCE = 1e-9;

export interface StoreResult {
  /** rows inserted (revision 1 of new keys and revision n+1 of changed or disappeared keys) */
  rowsWritten: number;
  /** of these, revisions above 1 */
  rowsRevised: number;
  /** the highest revision now stored for the period (0 when nothing is stored) */
  revision: number;
}

const keyOf = (r: IndicatorRow) => `${r.indicatorId}|${r.view}|${r.guaranteeKind}|${r.regionCode}|${r.breakdown}|${r.breakdownValue}`;

/**
 * Store one computation of a period in `indicator_values`, revision-aware and set-based (one INSERT … SELECT over the
 * rows passed as arrays, whatever their number). For each key (indicator, view, guarantee kind, region, breakdown,
 * breakdown value) the newest stored revision is compared with the computed row:
 * - a key not stored yet gets revision 1;
 * - a key whose value or counts changed gets revision n+1 (values equal within VALUE_TOLERANCE count as unchanged;
 *   data_as_of alone never makes a revision);
 * - a key stored before but not computed now (e.g. a category that no longer has any episode) gets revision n+1 with a
 *   null value and counts of 0 — once: a key whose newest revision already says so is left alone;
 * - an unchanged key gets nothing, so recomputing unchanged data writes no row.
 * Earlier revisions are never touched. `dataAsOf` maps a region code ('' = national) to the date its figures rest on;
 * `dataAsOfFor` may override it per row (e.g. the first on-time submission). The caller serialises computations of the
 * same period (computePeriod takes an advisory lock) — two concurrent calls would otherwise collide on the primary key.
 */
export async function storeIndicatorRows(
  trx: Executor,
  period: string,
  rows: readonly IndicatorRow[],
  opts: { computedAt: Date; dataAsOf?: (row: IndicatorRow) => string | null },
): Promise<StoreResult> {
  const seen = new Set<string>();
  for (const r of rows) {
    if (r.period !== period) throw new Error(`indicator row ${keyOf(r)} is for ${r.period}, not ${period}`);
    const k = keyOf(r);
    if (seen.has(k)) throw new Error(`indicator row ${k} of ${period} was computed twice; every key must be unique`);
    seen.add(k);
  }
  const col = <T>(f: (r: IndicatorRow) => T) => rows.map(f);
  const asOf = opts.dataAsOf ?? (() => null);
  const r = await sql<{ rows_written: number; rows_revised: number }>`
    WITH fresh AS (
      SELECT * FROM unnest(
        ${col((x) => x.indicatorId)}::text[], ${col((x) => x.view)}::text[], ${col((x) => x.guaranteeKind)}::text[],
        ${col((x) => x.regionCode)}::text[], ${col((x) => x.breakdown)}::text[], ${col((x) => x.breakdownValue)}::text[],
        ${col((x) => x.value)}::float8[], ${col((x) => x.numeratorCount)}::int8[], ${col((x) => x.denominatorCount)}::int8[],
        ${col((x) => asOf(x))}::date[]
      ) AS t(indicator_id, view, guarantee_kind, region_code, breakdown, breakdown_value, value, numerator_count, denominator_count, data_as_of)
    ),
    latest AS (
      SELECT DISTINCT ON (indicator_id, view, guarantee_kind, region_code, breakdown, breakdown_value)
             indicator_id, view, guarantee_kind, region_code, breakdown, breakdown_value, revision, value, numerator_count, denominator_count
        FROM indicator_values
       WHERE period = ${period}
       ORDER BY indicator_id, view, guarantee_kind, region_code, breakdown, breakdown_value, revision DESC
    ),
    merged AS (
      -- a key that disappeared is compared (and stored) as a null value with counts of 0
      SELECT COALESCE(f.indicator_id, l.indicator_id) AS indicator_id, COALESCE(f.view, l.view) AS view,
             COALESCE(f.guarantee_kind, l.guarantee_kind) AS guarantee_kind, COALESCE(f.region_code, l.region_code) AS region_code,
             COALESCE(f.breakdown, l.breakdown) AS breakdown, COALESCE(f.breakdown_value, l.breakdown_value) AS breakdown_value,
             CASE WHEN f.indicator_id IS NULL THEN NULL ELSE f.value END AS value,
             CASE WHEN f.indicator_id IS NULL THEN 0 ELSE f.numerator_count END AS numerator_count,
             CASE WHEN f.indicator_id IS NULL THEN 0 ELSE f.denominator_count END AS denominator_count,
             f.data_as_of,
             l.revision AS old_revision, l.value AS old_value, l.numerator_count AS old_numerator, l.denominator_count AS old_denominator
        FROM fresh f
        FULL JOIN latest l
          ON l.indicator_id = f.indicator_id AND l.view = f.view AND l.guarantee_kind = f.guarantee_kind AND l.region_code = f.region_code
         AND l.breakdown = f.breakdown AND l.breakdown_value = f.breakdown_value
    ),
    written AS (
      INSERT INTO indicator_values (indicator_id, period, view, guarantee_kind, region_code, breakdown, breakdown_value, revision, value,
                                    numerator_count, denominator_count, computed_at, data_as_of)
      SELECT indicator_id, ${period}, view, guarantee_kind, region_code, breakdown, breakdown_value, COALESCE(old_revision, 0) + 1, value,
             numerator_count, denominator_count, ${opts.computedAt}::timestamptz, data_as_of
        FROM merged
       WHERE old_revision IS NULL
          OR numerator_count IS DISTINCT FROM old_numerator
          OR denominator_count IS DISTINCT FROM old_denominator
          OR (value IS NULL) <> (old_value IS NULL)
          OR abs(value - old_value) > ${VALUE_TOLERANCE}::float8 * GREATEST(1, abs(old_value))
      RETURNING revision
    )
    SELECT count(*)::int AS rows_written, count(*) FILTER (WHERE revision > 1)::int AS rows_revised FROM written`.execute(trx);
  const top = await sql<{ revision: number | null }>`SELECT max(revision) AS revision FROM indicator_values WHERE period = ${period}`.execute(trx);
  return { rowsWritten: r.rows[0]?.rows_written ?? 0, rowsRevised: r.rows[0]?.rows_revised ?? 0, revision: top.rows[0]?.revision ?? 0 };
}
