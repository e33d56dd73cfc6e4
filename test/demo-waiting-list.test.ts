import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { daysBetween } from '../src/domain/calendar.js';
import { validateRow } from '../src/domain/waiting-list.js';
import { generateWaitingList, allocateRows, rowToRecord } from '../src/services/seed/waiting-list-generate.js';
import { loadWaitingListDirectory, seedDemoWaitingList } from '../src/services/seed/waiting-list-seed.js';
import { openTestDatabase, targets, type TestDatabase } from './helpers/db.js';

const TODAY = '2026-11-20';

describe.each(targets)('demo waiting list seed on %s', (target) => {
  let database: TestDatabase;
  let summary: Awaited<ReturnType<typeof seedDemoWaitingList>>;
  beforeAll(async () => {
    database = await openTestDatabase(target);
    summary = await seedDemoWaitingList(database.db, { seed: 3, today: TODAY, scale: 0.02 });
  });
  afterAll(async () => {
    await database?.close();
  });

  it('inserts the scaled number of episodes, one applied demo submission per region', async () => {
    expect(summary.episodes).toBe(4000);
    const { n } = await database.db.selectFrom('waiting_episodes').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(n)).toBe(4000);
    const submissions = await database.db.selectFrom('submissions').selectAll().where('submitted_by', '=', 'demo-seed').orderBy('region_code').execute();
    expect(submissions).toHaveLength(21);
    expect(summary.submissions).toBe(21);
    for (const s of submissions) {
      expect(s).toMatchObject({ kind: 'waiting_list', status: 'applied', dry_run: false });
      expect(s.content_sha256).toMatch(/^[0-9a-f]{64}$/);
    }
    const perRegion = await database.db.selectFrom('waiting_episodes').select(['region_code', 'first_submission_id']).select((eb) => eb.fn.countAll<number>().as('n'))
      .groupBy(['region_code', 'first_submission_id']).execute();
    expect(perRegion).toHaveLength(21);
    for (const r of perRegion) expect(submissions.find((s) => s.region_code === r.region_code)!.id).toBe(r.first_submission_id);
  });

  it('stores exactly the generator’s rows (deterministic for the seed), each valid for its region', async () => {
    const directory = await loadWaitingListDirectory(database.db);
    const rows = await database.db.selectFrom('waiting_episodes')
      .select(['region_code', 'record_id', 'unit_hsa_id', 'service_id', 'patient_key', 'sex', 'birth_year', 'home_municipality', 'clock_start', 'patient_chosen_days', 'medical_pause_days', 'status', 'completed_on', 'booked_on'])
      .where('region_code', '=', '25').orderBy('record_id').execute();
    const expected = [...generateWaitingList(directory, { seed: 3, today: TODAY, regionCode: '25', rows: allocateRows(directory, 3, 4000).get('25')! })];
    expect(rows.map((r) => r.record_id)).toEqual(expected.map((e) => e.recordId));
    rows.forEach((r, i) => {
      const e = expected[i]!;
      expect(r).toEqual({
        region_code: '25', record_id: e.recordId, unit_hsa_id: e.unitHsaId, service_id: e.serviceId, patient_key: e.patientKey, sex: e.sex,
        birth_year: e.birthYear, home_municipality: e.homeMunicipality, clock_start: e.clockStart, patient_chosen_days: e.patientChosenDays,
        medical_pause_days: e.medicalPauseDays, status: e.status, completed_on: e.completedOn, booked_on: e.bookedOn,
      });
      expect(validateRow(rowToRecord(e), i + 2, TODAY, '25').errors).toEqual([]);
    });
  });

  it('makes regions differ: the median age of the waiting episodes is not the same everywhere', async () => {
    const { rows } = await sql<{ region_code: string; median_age: number }>`
      SELECT region_code, percentile_disc(0.5) WITHIN GROUP (ORDER BY ${sql.lit(TODAY)}::date - clock_start) AS median_age
      FROM waiting_episodes WHERE status = 'waiting' AND service_id <> 'primary-care-assessment' GROUP BY region_code`.execute(database.db);
    const ages = rows.map((r) => Number(r.median_age));
    expect(ages.length).toBeGreaterThan(15);
    expect(Math.max(...ages)).toBeGreaterThan(1.5 * Math.min(...ages));
  });

  it('adds capacity reports for most offered services, a few stale, a few not accepting other regions', async () => {
    const reports = await database.db.selectFrom('capacity_reports').selectAll().where('reported_by', '=', 'demo-seed').execute();
    expect(reports).toHaveLength(summary.capacityReports);
    const { n: offered } = await database.db.selectFrom('unit_services').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(reports.length / Number(offered)).toBeGreaterThan(0.75);
    const stale = reports.filter((r) => daysBetween(r.valid_from, TODAY) > 42);
    expect(stale.length).toBeGreaterThan(0);
    expect(stale.length / reports.length).toBeLessThan(0.15);
    expect(reports.some((r) => !r.accepts_other_regions)).toBe(true);
    expect(reports.filter((r) => r.accepts_other_regions).length / reports.length).toBeGreaterThan(0.8);
  });

  it('refreshes the precomputed waiting times in the same transaction', async () => {
    const { n } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM waiting_time_stats WHERE level = 'national'`.execute(database.db).then((r) => r.rows[0]!);
    expect(n).toBeGreaterThan(0);
  });
});
