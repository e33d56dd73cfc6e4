import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { fixedClock } from '../src/domain/clock.js';
import { every } from '../src/jobs/every.js';
import { ABANDONED_AFTER_MS, recoverAbandonedSubmissions } from '../src/services/waiting-list/submission.service.js';
import { openTestDatabase, targets, type TestDatabase } from './helpers/db.js';

const NOW = '2026-11-26T10:00:00.000Z';
const minutesBefore = (m: number) => new Date(Date.parse(NOW) - m * 60_000).toISOString();

describe.each(targets)('recovery of abandoned waiting-list submissions on %s', (target) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(target);
  });
  afterAll(async () => database?.close());

  const submission = async (status: string, submittedAt: string, heartbeatAt: string | null) => {
    const id = crypto.randomUUID();
    await sql`INSERT INTO submissions (id, kind, region_code, mode, content_type, content_sha256, bytes, status, submitted_by, submitted_at, heartbeat_at)
              VALUES (${id}, 'waiting_list', '01', 'delta', 'text/csv', ${crypto.randomBytes(32).toString('hex')}, 10, ${status}, 'region-01-system', ${submittedAt}, ${heartbeatAt})`.execute(database.db);
    return id;
  };
  const stage = async (submissionId: string, rows: number) => {
    for (let i = 0; i < rows; i++)
      await sql`INSERT INTO staging_waiting_episodes (submission_id, line_no, record_id, region_code, unit_hsa_id, service_id, patient_key, sex, birth_year,
                  home_municipality, clock_start, patient_chosen_days, medical_pause_days, status)
                VALUES (${submissionId}, ${i + 2}, ${`R-${i}`}, '01', 'SE2321000016-E0001', 'x', ${'a'.repeat(64)}, 'F', 1970, '0180', '2026-09-01', 0, 0, 'waiting')`.execute(database.db);
  };
  const staged = async (submissionId: string) =>
    (await sql<{ n: number }>`SELECT count(*)::int AS n FROM staging_waiting_episodes WHERE submission_id = ${submissionId}`.execute(database.db)).rows[0]!.n;
  const statusOf = async (id: string) => database.db.selectFrom('submissions').select(['status', 'finished_at', 'errors', 'error_count']).where('id', '=', id).executeTakeFirstOrThrow();

  it('marks failed what a stopped process left, deletes its staged rows, and leaves live and finished submissions alone', async () => {
    const crashedEarly = await submission('processing', minutesBefore(30), null); // never sent a heartbeat
    const crashedLate = await submission('processing', minutesBefore(60), minutesBefore(11)); // last heartbeat 11 minutes ago
    const live = await submission('processing', minutesBefore(45), minutesBefore(1)); // a long import on another instance
    const young = await submission('processing', minutesBefore(2), null); // just received, first heartbeat not yet due
    const applied = await submission('applied', minutesBefore(120), minutesBefore(119));
    const orphan = crypto.randomUUID(); // staged rows whose submission row does not exist
    await stage(crashedEarly, 3);
    await stage(crashedLate, 2);
    await stage(live, 4);
    await stage(orphan, 2);

    const failed = await recoverAbandonedSubmissions(database, fixedClock(NOW));
    expect(failed.sort()).toEqual([crashedEarly, crashedLate].sort());

    for (const id of [crashedEarly, crashedLate]) {
      const s = await statusOf(id);
      expect(s.status).toBe('failed');
      expect(new Date(s.finished_at!).toISOString()).toBe(NOW);
      expect(s.error_count).toBe(1);
      expect(s.errors[0]!.message).toMatch(/nothing was applied: send the file again/);
      expect(await staged(id)).toBe(0);
    }
    expect((await statusOf(live)).status).toBe('processing');
    expect(await staged(live)).toBe(4);
    expect((await statusOf(young)).status).toBe('processing');
    expect((await statusOf(applied)).status).toBe('applied');
    expect(await staged(orphan)).toBe(0);

    // a second run finds nothing more to do
    expect(await recoverAbandonedSubmissions(database, fixedClock(NOW))).toEqual([]);
    expect(await staged(live)).toBe(4);
    // once the live one stops sending heartbeats for longer than the limit, it is recovered too
    const later = fixedClock(new Date(Date.parse(minutesBefore(1)) + ABANDONED_AFTER_MS + 1000).toISOString());
    expect(await recoverAbandonedSubmissions(database, later)).toContain(live);
    expect(await staged(live)).toBe(0);
  });
});

describe('every (the job timer)', () => {
  it('runs at once, then on each interval, never two at once, logs a failure and goes on, and stops', async () => {
    let runs = 0;
    let concurrent = 0;
    let maxConcurrent = 0;
    const logged: string[] = [];
    const stop = every(
      20,
      async () => {
        runs++;
        concurrent++;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
        await new Promise((r) => setTimeout(r, 50));
        concurrent--;
        if (runs === 1) throw new Error('boom');
      },
      (msg) => logged.push(msg),
      'the job failed',
    );
    expect(runs).toBe(1);
    await new Promise((r) => setTimeout(r, 300));
    stop();
    const afterStop = runs;
    expect(afterStop).toBeGreaterThanOrEqual(2);
    expect(maxConcurrent).toBe(1);
    expect(logged).toEqual(['the job failed']);
    await new Promise((r) => setTimeout(r, 150));
    expect(runs).toBe(afterStop);
  });
});
