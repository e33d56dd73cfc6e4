import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { fixedClock } from '../src/domain/clock.js';
import { refreshIfOutdated } from '../src/jobs/waiting-times-refresh.job.js';
import { refreshWaitingTimes } from '../src/services/waiting-times.service.js';
import { openTestDatabase, targets, type TestDatabase } from './helpers/db.js';

describe.each(targets)('daily waiting-time refresh on %s', (target) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(target);
  });
  afterAll(async () => database?.close());

  it('recomputes once a day, so the waits of those still waiting grow by a day, and does nothing twice', async () => {
    const db = database.db;
    const unit = (await sql<{ hsa: string; service: string; region: string; muni: string }>`
      SELECT u.hsa_id AS hsa, us.service_id AS service, u.region_code AS region, u.municipality_code AS muni
        FROM units u JOIN unit_services us ON us.unit_hsa_id = u.hsa_id JOIN services s ON s.id = us.service_id
       WHERE s.contact_type = 'treatment' ORDER BY u.hsa_id LIMIT 1`.execute(db)).rows[0]!;
    const submissionId = crypto.randomUUID();
    await sql`INSERT INTO submissions (id, kind, region_code, mode, content_type, content_sha256, bytes, status, submitted_by, submitted_at)
              VALUES (${submissionId}, 'waiting_list', ${unit.region}, 'delta', 'text/csv', ${crypto.randomBytes(32).toString('hex')}, 1, 'applied', 'test', '2026-11-20T10:00:00Z')`.execute(db);
    for (let i = 0; i < 7; i++)
      await sql`INSERT INTO waiting_episodes (region_code, record_id, unit_hsa_id, service_id, patient_key, sex, birth_year, home_municipality, clock_start,
                  patient_chosen_days, medical_pause_days, status, first_submission_id, last_submission_id, updated_at)
                VALUES (${unit.region}, ${`job-${i}`}, ${unit.hsa}, ${unit.service}, ${crypto.randomBytes(32).toString('hex')}, 'M', 1960, ${unit.muni},
                  '2026-09-01', 0, 0, 'waiting', ${submissionId}, ${submissionId}, now())`.execute(db);
    await db.transaction().execute((trx) => refreshWaitingTimes(trx, { today: '2026-11-25' }));
    const median = async () =>
      (await sql<{ m: number }>`SELECT median_waited_days AS m FROM waiting_time_stats WHERE level = 'unit' AND unit_hsa_id = ${unit.hsa} AND service_id = ${unit.service} AND view = 'excluding_pvv_and_mov'`.execute(db)).rows[0]!.m;
    expect(await median()).toBe(85);

    expect(await refreshIfOutdated(db, fixedClock('2026-11-25T12:00:00+01:00'))).toBe(false);
    expect(await refreshIfOutdated(db, fixedClock('2026-11-26T06:00:00+01:00'))).toBe(true);
    expect(await median()).toBe(86);
    expect(await refreshIfOutdated(db, fixedClock('2026-11-26T18:00:00+01:00'))).toBe(false);
  });
});
