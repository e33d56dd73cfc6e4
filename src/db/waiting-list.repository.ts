import { sql } from 'kysely';
import type { FieldError } from '../domain/errors.js';
import type { WaitingListRow } from '../domain/waiting-list.js';
import { copyText } from './copy.js';
import type { Executor } from '../services/context.js';
import type { SubmissionsTable } from './schema.js';

/** The staging table's columns in COPY order (0006_waiting_list_staging.sql). */
export const STAGING_TABLE = 'staging_waiting_episodes';
export const STAGING_COLUMNS = [
  'submission_id', 'line_no', 'record_id', 'region_code', 'unit_hsa_id', 'service_id', 'patient_key', 'sex', 'birth_year', 'home_municipality',
  'clock_start', 'patient_chosen_days', 'medical_pause_days', 'status', 'completed_on', 'booked_on',
] as const;

/**
 * One valid row as a line of the staging COPY (text format, STAGING_COLUMNS order). Only record_id is free text and is
 * escaped; every other value has a format validateRow checked, which cannot hold a tab, a line break or a backslash.
 */
export function stagingLine(submissionId: string, line: number, r: WaitingListRow): string {
  return `${submissionId}\t${line}\t${copyText(r.recordId)}\t${r.regionCode}\t${r.unitHsaId}\t${r.serviceId}\t${r.patientKey}\t${r.sex}\t${r.birthYear}\t${r.homeMunicipality}\t${r.clockStart}\t${r.patientChosenDays}\t${r.medicalPauseDays}\t${r.status}\t${r.completedOn ?? '\\N'}\t${r.bookedOn ?? '\\N'}\n`;
}

const EPISODE_FIELDS = [
  'unit_hsa_id', 'service_id', 'patient_key', 'sex', 'birth_year', 'home_municipality', 'clock_start', 'patient_chosen_days', 'medical_pause_days', 'status', 'completed_on', 'booked_on',
] as const;

export interface SubmissionRecord {
  id: string;
  regionCode: string | null;
  mode: 'delta' | 'snapshot' | null;
  dryRun: boolean;
  contentType: string;
  contentSha256: string;
  bytes: number;
  status: SubmissionsTable['status'];
  submittedBy: string;
  submittedAt: string;
  finishedAt: string | null;
  received: number | null;
  inserted: number | null;
  updated: number | null;
  removed: number | null;
  unchanged: number | null;
  errorCount: number;
  errors: FieldError[];
}

const iso = (v: unknown): string => (v instanceof Date ? v.toISOString() : String(v));

export async function findSubmission(db: Executor, id: string): Promise<SubmissionRecord | undefined> {
  const r = await db.selectFrom('submissions').selectAll().where('id', '=', id).where('kind', '=', 'waiting_list').executeTakeFirst();
  if (!r) return undefined;
  return {
    id: r.id, regionCode: r.region_code, mode: r.mode, dryRun: r.dry_run, contentType: r.content_type, contentSha256: r.content_sha256, bytes: Number(r.bytes),
    status: r.status, submittedBy: r.submitted_by, submittedAt: iso(r.submitted_at), finishedAt: r.finished_at === null ? null : iso(r.finished_at),
    received: r.received, inserted: r.inserted, updated: r.updated, removed: r.removed, unchanged: r.unchanged, errorCount: r.error_count, errors: r.errors,
  };
}

/** The applied, non-dry-run submission of a byte-identical file for the region and mode, if any. */
export async function findAppliedIdentical(db: Executor, regionCode: string, mode: 'delta' | 'snapshot', sha256: string): Promise<string | undefined> {
  const r = await db.selectFrom('submissions').select('id')
    .where('kind', '=', 'waiting_list').where('region_code', '=', regionCode).where('mode', '=', mode).where('content_sha256', '=', sha256)
    .where('status', '=', 'applied').where('dry_run', '=', false).executeTakeFirst();
  return r?.id;
}

export async function insertSubmission(db: Executor, s: { id: string; regionCode: string; mode: 'delta' | 'snapshot'; dryRun: boolean; contentType: string; sha256: string; bytes: number; submittedBy: string; submittedAt: string }): Promise<void> {
  await db.insertInto('submissions').values({
    id: s.id, kind: 'waiting_list', region_code: s.regionCode, mode: s.mode, dry_run: s.dryRun, content_type: s.contentType, content_sha256: s.sha256,
    bytes: s.bytes, status: 'processing', submitted_by: s.submittedBy, submitted_at: s.submittedAt,
  }).execute();
}

export async function finishSubmission(db: Executor, id: string, f: { status: 'rejected' | 'validated' | 'applied' | 'failed'; finishedAt: string; received?: number | null; inserted?: number | null; updated?: number | null; removed?: number | null; unchanged?: number | null; errorCount?: number; errors?: FieldError[] }): Promise<void> {
  await db.updateTable('submissions').set({
    status: f.status, finished_at: f.finishedAt, received: f.received ?? null, inserted: f.inserted ?? null, updated: f.updated ?? null, removed: f.removed ?? null,
    unchanged: f.unchanged ?? null, error_count: f.errorCount ?? 0, errors: JSON.stringify(f.errors ?? []),
  }).where('id', '=', id).execute();
}

/** The submission is alive: see 0009_submission_heartbeat.sql. */
export async function touchSubmission(db: Executor, id: string, at: string): Promise<void> {
  await db.updateTable('submissions').set({ heartbeat_at: at }).where('id', '=', id).where('status', '=', 'processing').execute();
}

/**
 * Mark as failed every submission still 'processing' with no sign of life since `staleBefore`, and delete staged rows
 * that belong to no submission being processed. Returns the ids marked failed.
 */
export async function failAbandonedSubmissions(db: Executor, staleBefore: string, at: string, message: string): Promise<string[]> {
  const failed = await db.updateTable('submissions')
    .set({ status: 'failed', finished_at: at, error_count: 1, errors: JSON.stringify([{ message }]) })
    .where('status', '=', 'processing')
    .where(sql<boolean>`coalesce(heartbeat_at, submitted_at) < ${staleBefore}::timestamptz`)
    .returning('id')
    .execute();
  await sql`DELETE FROM staging_waiting_episodes s
             WHERE NOT EXISTS (SELECT 1 FROM submissions x WHERE x.id = s.submission_id AND x.status = 'processing')`.execute(db);
  return failed.map((r) => r.id);
}

export async function deleteStaging(db: Executor, submissionId: string): Promise<void> {
  await db.deleteFrom('staging_waiting_episodes').where('submission_id', '=', submissionId).execute();
}

/** Up to `limit` errors of the set-based checks (duplicates within the file, references to the directory), with their total. */
export async function checkStaged(db: Executor, submissionId: string, limit: number): Promise<{ errors: FieldError[]; total: number }> {
  // Fast path: one pass over the staged rows (a unit offering the service implies both exist).
  const quick = await sql<{ bad: number; dup: number }>`
    SELECT (SELECT count(*)::int FROM staging_waiting_episodes s WHERE s.submission_id = ${submissionId}
              AND (NOT EXISTS (SELECT 1 FROM unit_services us WHERE us.unit_hsa_id = s.unit_hsa_id AND us.service_id = s.service_id)
                   OR NOT EXISTS (SELECT 1 FROM municipalities m WHERE m.code = s.home_municipality))) AS bad,
           (SELECT count(*)::int FROM (SELECT 1 FROM staging_waiting_episodes s WHERE s.submission_id = ${submissionId} GROUP BY s.record_id HAVING count(*) > 1) d) AS dup`.execute(db);
  if (quick.rows[0]!.bad === 0 && quick.rows[0]!.dup === 0) return { errors: [], total: 0 };
  const rows = await sql<{ line_no: number; field: string; message: string; total: number }>`
    WITH s AS (SELECT * FROM staging_waiting_episodes WHERE submission_id = ${submissionId}),
    dup AS (
      SELECT record_id, min(line_no) AS first_line FROM s GROUP BY record_id HAVING count(*) > 1
    ),
    problems AS (
      SELECT s.line_no, 'record_id' AS field,
             'record_id ' || to_json(s.record_id)::text || ' appears more than once in the file (first on line ' || dup.first_line || '); each episode once' AS message
        FROM s JOIN dup USING (record_id)
      UNION ALL
      SELECT s.line_no, 'unit_hsa_id', to_json(s.unit_hsa_id)::text || ' is not a unit in the directory; see GET /api/v1/units'
        FROM s WHERE NOT EXISTS (SELECT 1 FROM units u WHERE u.hsa_id = s.unit_hsa_id)
      UNION ALL
      SELECT s.line_no, 'service_id', to_json(s.service_id)::text || ' is not a service in the catalogue; see GET /api/v1/services'
        FROM s WHERE NOT EXISTS (SELECT 1 FROM services v WHERE v.id = s.service_id)
      UNION ALL
      SELECT s.line_no, 'service_id', 'unit ' || s.unit_hsa_id || ' does not offer ' || s.service_id || '; see GET /api/v1/units/' || s.unit_hsa_id
        FROM s WHERE EXISTS (SELECT 1 FROM units u WHERE u.hsa_id = s.unit_hsa_id) AND EXISTS (SELECT 1 FROM services v WHERE v.id = s.service_id)
          AND NOT EXISTS (SELECT 1 FROM unit_services us WHERE us.unit_hsa_id = s.unit_hsa_id AND us.service_id = s.service_id)
      UNION ALL
      SELECT s.line_no, 'home_municipality', to_json(s.home_municipality)::text || ' is not an SCB municipality code; see GET /api/v1/municipalities'
        FROM s WHERE NOT EXISTS (SELECT 1 FROM municipalities m WHERE m.code = s.home_municipality)
    )
    SELECT line_no, field, message, (count(*) OVER ())::int AS total FROM problems ORDER BY line_no, field LIMIT ${limit}`.execute(db);
  return { errors: rows.rows.map((r) => ({ line: r.line_no, field: r.field, message: r.message })), total: rows.rows[0]?.total ?? 0 };
}

const distinct = sql.raw(`(${EPISODE_FIELDS.map((f) => `w.${f}`).join(', ')}) IS DISTINCT FROM (${EPISODE_FIELDS.map((f) => `s.${f}`).join(', ')})`);

/** What applying would do, without changing anything (dry run). */
export async function previewStaged(db: Executor, submissionId: string, regionCode: string, snapshot: boolean): Promise<{ inserted: number; updated: number; unchanged: number; removed: number }> {
  const r = await sql<{ inserted: number; updated: number; unchanged: number }>`
    SELECT count(*) FILTER (WHERE w.record_id IS NULL)::int AS inserted,
           count(*) FILTER (WHERE w.record_id IS NOT NULL AND ${distinct})::int AS updated,
           count(*) FILTER (WHERE w.record_id IS NOT NULL AND NOT ${distinct})::int AS unchanged
      FROM staging_waiting_episodes s
      LEFT JOIN waiting_episodes w ON w.region_code = ${regionCode} AND w.record_id = s.record_id
     WHERE s.submission_id = ${submissionId}`.execute(db);
  const removed = snapshot ? await countAbsent(db, submissionId, regionCode) : 0;
  return { ...r.rows[0]!, removed };
}

async function countAbsent(db: Executor, submissionId: string, regionCode: string): Promise<number> {
  const r = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM waiting_episodes w
     WHERE w.region_code = ${regionCode} AND w.status IN ('waiting', 'completed')
       AND NOT EXISTS (SELECT 1 FROM staging_waiting_episodes s WHERE s.submission_id = ${submissionId} AND s.record_id = w.record_id)`.execute(db);
  return r.rows[0]!.n;
}

/** Give the planner fresh statistics of the staged rows: without them the set-based checks and the apply join blindly. */
export async function analyzeStaging(db: Executor): Promise<void> {
  await sql`ANALYZE staging_waiting_episodes`.execute(db);
}

/** Serialise submissions of one region: a transaction-scoped advisory lock (namespace 4713, key the region number). */
export async function lockRegion(trx: Executor, regionCode: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(4713, ${Number(regionCode)}::int)`.execute(trx);
}

/**
 * Apply the staged rows set-based: upsert by (region_code, record_id), touching only rows that differ in some field,
 * and in snapshot mode mark the region's waiting/completed episodes absent from the file as removed.
 */
export async function applyStaged(trx: Executor, submissionId: string, regionCode: string, snapshot: boolean, now: string): Promise<{ inserted: number; updated: number; removed: number }> {
  const cols = EPISODE_FIELDS.join(', ');
  // Removal first: it then scans only the episodes the region had before this file (the three sets are disjoint:
  // removed episodes are absent from the file, updated and inserted ones are in it).
  let removed = 0;
  if (snapshot) {
    const r = await sql`
      UPDATE waiting_episodes w SET status = 'removed', last_submission_id = ${submissionId}::uuid, updated_at = ${now}::timestamptz
       WHERE w.region_code = ${regionCode} AND w.status IN ('waiting', 'completed')
         AND NOT EXISTS (SELECT 1 FROM staging_waiting_episodes s WHERE s.submission_id = ${submissionId} AND s.record_id = w.record_id)`.execute(trx);
    removed = Number(r.numAffectedRows ?? 0);
  }
  // The region is locked (lockRegion), so no other writer can insert its record ids between the two statements.
  const upd = await sql`
    UPDATE waiting_episodes w SET ${sql.raw(EPISODE_FIELDS.map((f) => `${f} = s.${f}`).join(', '))}, last_submission_id = ${submissionId}::uuid, updated_at = ${now}::timestamptz
      FROM staging_waiting_episodes s
     WHERE s.submission_id = ${submissionId} AND w.region_code = ${regionCode} AND w.record_id = s.record_id AND ${distinct}`.execute(trx);
  const ins = await sql`
    INSERT INTO waiting_episodes (region_code, record_id, ${sql.raw(cols)}, first_submission_id, last_submission_id, updated_at)
    SELECT ${regionCode}, s.record_id, ${sql.raw(EPISODE_FIELDS.map((f) => `s.${f}`).join(', '))}, ${submissionId}::uuid, ${submissionId}::uuid, ${now}::timestamptz
      FROM staging_waiting_episodes s
     WHERE s.submission_id = ${submissionId}
       AND NOT EXISTS (SELECT 1 FROM waiting_episodes w WHERE w.region_code = ${regionCode} AND w.record_id = s.record_id)`.execute(trx);
  return { inserted: Number(ins.numAffectedRows ?? 0), updated: Number(upd.numAffectedRows ?? 0), removed };
}
