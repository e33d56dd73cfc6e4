/**
 * The demo waiting list: a national synthetic waiting list (≈200,000 episodes at scale 1) and capacity reports,
 * loaded in one transaction as if each region had applied one snapshot submission, then the precomputed
 * waiting times refreshed. Demo and sandbox only (bootstrap calls it on an empty database when SEED=demo).
 */
import crypto from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { deriveSeed, mulberry32 } from '../../domain/random.js';
import type { Executor } from '../context.js';
import { readRegions } from '../reference.service.js';
import { refreshWaitingTimes } from '../waiting-times.service.js';
import { generateCapacityReports } from './capacity-generate.js';
import { allocateRows, generateWaitingList, type WaitingListDirectory } from './waiting-list-generate.js';

/** Episodes nationally at scale 1. */
export const DEMO_EPISODES = 200_000;
/** Rows per INSERT … SELECT FROM unnest(…): one array parameter per column, so the chunk is not bounded by 65,535 parameters. */
const CHUNK = 20_000;
const SUBMITTED_BY = 'demo-seed';

export interface DemoWaitingListOptions {
  seed: number;
  /** the calendar date (YYYY-MM-DD) the list is as of */
  today: string;
  /** episodes = round(200,000 × scale); tests use a small scale */
  scale?: number;
}
export interface DemoWaitingListSummary { episodes: number; submissions: number; capacityReports: number }

/** The directory as the generators need it: regions (reference centroids), municipalities, active units and their services. */
export async function loadWaitingListDirectory(db: Executor): Promise<WaitingListDirectory> {
  const [municipalities, units, offers, services] = await Promise.all([
    db.selectFrom('municipalities').select(['code', 'region_code']).orderBy('code').execute(),
    db.selectFrom('units').select(['hsa_id', 'region_code', 'municipality_code', 'kind']).where('active', '=', true).orderBy('hsa_id').execute(),
    db.selectFrom('unit_services').select(['unit_hsa_id', 'service_id']).orderBy('unit_hsa_id').orderBy('service_id').execute(),
    db.selectFrom('services').select(['id', 'contact_type', 'specialty']).where('active', '=', true).orderBy('id').execute(),
  ]);
  const activeServices = new Set(services.map((s) => s.id));
  const byUnit = new Map<string, string[]>();
  for (const o of offers) if (activeServices.has(o.service_id)) byUnit.set(o.unit_hsa_id, [...(byUnit.get(o.unit_hsa_id) ?? []), o.service_id]);
  return {
    regions: readRegions().map((r) => ({ code: r.code, lat: r.centroid.lat, lng: r.centroid.lng })),
    municipalities: municipalities.map((m) => ({ code: m.code, regionCode: m.region_code })),
    units: units.map((u) => ({ hsaId: u.hsa_id, regionCode: u.region_code, municipalityCode: u.municipality_code, kind: u.kind, serviceIds: byUnit.get(u.hsa_id) ?? [] })),
    services: services.map((s) => ({ id: s.id, contactType: s.contact_type, specialty: s.specialty })),
  };
}

/** A version-4-shaped UUID from the seed, so that a seed always gives the same submission ids. */
function seededUuid(seed: number, label: string): string {
  const rng = mulberry32(deriveSeed(seed, label));
  const hex = Array.from({ length: 32 }, () => rng.int(16).toString(16));
  hex[12] = '4';
  hex[16] = '89ab'[rng.int(4)]!;
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

type Column = string | number | null;

async function insertEpisodes(trx: Executor, cols: Record<string, Column[]>, submissionId: string, updatedAt: Date): Promise<void> {
  const a = (name: string, type: string) => sql`${cols[name]}::${sql.raw(type)}[]`;
  await sql`
    INSERT INTO waiting_episodes (region_code, record_id, unit_hsa_id, service_id, patient_key, sex, birth_year, home_municipality, clock_start,
      patient_chosen_days, medical_pause_days, status, completed_on, booked_on, first_submission_id, last_submission_id, updated_at)
    SELECT t.*, ${submissionId}::uuid, ${submissionId}::uuid, ${updatedAt}::timestamptz
    FROM unnest(${a('region_code', 'text')}, ${a('record_id', 'text')}, ${a('unit_hsa_id', 'text')}, ${a('service_id', 'text')},
      ${a('patient_key', 'text')}, ${a('sex', 'text')}, ${a('birth_year', 'int')}, ${a('home_municipality', 'text')}, ${a('clock_start', 'date')},
      ${a('patient_chosen_days', 'int')}, ${a('medical_pause_days', 'int')}, ${a('status', 'text')}, ${a('completed_on', 'date')}, ${a('booked_on', 'date')}) AS t
  `.execute(trx);
}

const EPISODE_COLUMNS = [
  'region_code', 'record_id', 'unit_hsa_id', 'service_id', 'patient_key', 'sex', 'birth_year', 'home_municipality', 'clock_start',
  'patient_chosen_days', 'medical_pause_days', 'status', 'completed_on', 'booked_on',
] as const;

/**
 * Seed the demo waiting list and capacity reports in one transaction and refresh the waiting times.
 * Call it on a database with the demo directory and no waiting list yet (it does not check; a second call fails on the
 * primary key, leaving the first call's data as it was).
 */
export async function seedDemoWaitingList(db: Kysely<DB>, opts: DemoWaitingListOptions): Promise<DemoWaitingListSummary> {
  const directory = await loadWaitingListDirectory(db);
  const total = Math.max(1, Math.round(DEMO_EPISODES * (opts.scale ?? 1)));
  const perRegion = allocateRows(directory, opts.seed, total);
  const at = new Date(`${opts.today}T05:00:00Z`);
  let episodes = 0;
  let submissions = 0;
  let capacityReports = 0;
  await db.transaction().execute(async (trx) => {
    for (const [regionCode, rows] of perRegion) {
      if (rows === 0) continue;
      const submissionId = seededUuid(opts.seed, `wl-submission-${regionCode}-${opts.today}`);
      const sha = crypto.createHash('sha256').update(`demo-seed waiting list ${regionCode} seed ${opts.seed} today ${opts.today} rows ${rows}`).digest('hex');
      await trx
        .insertInto('submissions')
        .values({
          id: submissionId, kind: 'waiting_list', region_code: regionCode, organization_id: `region-${regionCode}`, mode: 'snapshot', dry_run: false,
          content_type: 'text/csv', content_sha256: sha, bytes: 0, status: 'applied', submitted_by: SUBMITTED_BY, submitted_at: at, finished_at: at,
          received: rows, inserted: rows, updated: 0, removed: 0, unchanged: 0, errors: '[]',
        })
        .execute();
      submissions++;
      let cols = emptyColumns();
      let n = 0;
      for (const row of generateWaitingList(directory, { seed: opts.seed, today: opts.today, regionCode, rows })) {
        cols.region_code!.push(row.regionCode);
        cols.record_id!.push(row.recordId);
        cols.unit_hsa_id!.push(row.unitHsaId);
        cols.service_id!.push(row.serviceId);
        cols.patient_key!.push(row.patientKey);
        cols.sex!.push(row.sex);
        cols.birth_year!.push(row.birthYear);
        cols.home_municipality!.push(row.homeMunicipality);
        cols.clock_start!.push(row.clockStart);
        cols.patient_chosen_days!.push(row.patientChosenDays);
        cols.medical_pause_days!.push(row.medicalPauseDays);
        cols.status!.push(row.status);
        cols.completed_on!.push(row.completedOn);
        cols.booked_on!.push(row.bookedOn);
        if (++n === CHUNK) {
          await insertEpisodes(trx, cols, submissionId, at);
          cols = emptyColumns();
          n = 0;
        }
      }
      if (n > 0) await insertEpisodes(trx, cols, submissionId, at);
      episodes += rows;
    }

    await checkReferences(trx);

    const reports = generateCapacityReports(directory, { seed: opts.seed, today: opts.today });
    for (let i = 0; i < reports.length; i += 2_000) {
      await trx
        .insertInto('capacity_reports')
        .values(
          reports.slice(i, i + 2_000).map((r) => ({
            unit_hsa_id: r.unitHsaId, service_id: r.serviceId, valid_from: r.validFrom, expected_wait_days: r.expectedWaitDays,
            weekly_capacity_for_other_regions: r.weeklyCapacityForOtherRegions, accepts_other_regions: r.acceptsOtherRegions,
            comment: r.comment, reported_by: SUBMITTED_BY, reported_at: new Date(`${r.validFrom}T07:00:00Z`), submission_id: null,
          })),
        )
        .execute();
    }
    capacityReports = reports.length;
    await refreshWaitingTimes(trx, { today: opts.today });
  });
  return { episodes, submissions, capacityReports };
}

/**
 * The episodes table has no foreign keys (migration 0007, ADR 0009): imports check references set-based on the staged
 * rows. The seed writes directly, so it checks every reference once, set-based, after the load, and fails whole.
 */
async function checkReferences(trx: Executor): Promise<void> {
  const { rows } = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM waiting_episodes e
    WHERE NOT EXISTS (SELECT 1 FROM regions r WHERE r.code = e.region_code)
       OR NOT EXISTS (SELECT 1 FROM units u WHERE u.hsa_id = e.unit_hsa_id)
       OR NOT EXISTS (SELECT 1 FROM services s WHERE s.id = e.service_id)
       OR NOT EXISTS (SELECT 1 FROM municipalities m WHERE m.code = e.home_municipality)
       OR NOT EXISTS (SELECT 1 FROM submissions s WHERE s.id = e.first_submission_id AND s.id = e.last_submission_id)`.execute(trx);
  if ((rows[0]?.n ?? 0) > 0) throw new Error(`demo waiting list: ${rows[0]!.n} episodes refer to rows that do not exist; nothing was seeded`);
}

function emptyColumns(): Record<string, Column[]> {
  return Object.fromEntries(EPISODE_COLUMNS.map((c) => [c, [] as Column[]]));
}
