import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
import { runCli } from '../src/cli/program.js';
import type { DB } from '../src/db/schema.js';
import { computeWaitsIndicators } from '../src/db/statistics/waits.js';
import { fixedClock } from '../src/domain/clock.js';
import { evaluateEpisode, guaranteeKindOf, STATISTICAL_VIEWS, type GuaranteeKind, type StatisticalView } from '../src/domain/guarantee.js';
import { ageBand, AGE_BANDS, periodBounds } from '../src/domain/indicators.js';
import { percentileSorted } from '../src/domain/statistics.js';
import { runStatisticsSchedule } from '../src/jobs/statistics.job.js';
import { computePeriod, computePeriods } from '../src/services/statistics/compute.service.js';
import { testIo } from './helpers/cli.js';
import { openTestDatabase, targets, type TestDatabase } from './helpers/db.js';

const NOW = new Date('2026-11-25T09:00:00Z');
const PERIOD = '2026-10';
const TREATMENT = 'hip-replacement';
const FIRST_VISIT = 'cardiology-first-visit';
const PRIMARY = 'primary-care-assessment';
/** Timeout of the tests that compute whole months (each a few seconds alone; more on a busy machine). */
const HEAVY = 300_000;

interface Ep {
  id: string;
  region: string;
  service: string;
  sex: 'F' | 'M' | 'U';
  birthYear: number;
  home: string;
  clockStart: string;
  pvv?: number;
  mov?: number;
  status?: 'waiting' | 'completed' | 'removed';
  completedOn?: string;
}

/**
 * Hand-made episodes for 2026-10 (R = 2026-10-31), treatment (limit 90) in region 01 unless said. Waited days on R /
 * at completion, hand-computed: excluding_pvv (P) and excluding_pvv_and_mov (M).
 */
const EPISODES: Ep[] = [
  // waiting on R
  { id: 'e1', region: '01', service: TREATMENT, sex: 'F', birthYear: 1950, home: '0180', clockStart: '2026-08-01' }, // P 91 M 91: outside; age 76
  { id: 'e2', region: '01', service: TREATMENT, sex: 'M', birthYear: 2010, home: '0380', clockStart: '2026-08-01', mov: 5 }, // P 91 outside, M 86 within; age 16; lives in 03
  { id: 'e3', region: '01', service: TREATMENT, sex: 'F', birthYear: 1981, home: '0180', clockStart: '2026-08-10', pvv: 3 }, // P 79 M 79; age 45
  { id: 'e4', region: '01', service: TREATMENT, sex: 'U', birthYear: 1982, home: '0180', clockStart: '2026-10-01', status: 'completed', completedOn: '2026-11-05' }, // completed after R: waiting on R, 30; age 44
  { id: 'e10', region: '01', service: TREATMENT, sex: 'M', birthYear: 1946, home: '0180', clockStart: '2026-10-31' }, // clock starts on R: 0; age 80
  { id: 'e11', region: '01', service: TREATMENT, sex: 'F', birthYear: 2008, home: '0180', clockStart: '2026-10-01', pvv: 100 }, // 30 − 100 floored: 0; age 18
  // left out
  { id: 'e5', region: '01', service: TREATMENT, sex: 'F', birthYear: 1970, home: '0180', clockStart: '2026-11-01' }, // clock starts after R
  { id: 'e6', region: '01', service: TREATMENT, sex: 'F', birthYear: 1970, home: '0180', clockStart: '2026-09-01', status: 'removed' }, // removed
  { id: 'e9', region: '01', service: TREATMENT, sex: 'F', birthYear: 1970, home: '0180', clockStart: '2026-08-01', status: 'completed', completedOn: '2026-09-30' }, // completed before the month
  // completed in the month
  { id: 'e7', region: '01', service: TREATMENT, sex: 'F', birthYear: 1962, home: '0180', clockStart: '2026-07-01', pvv: 2, mov: 10, status: 'completed', completedOn: '2026-10-15' }, // 106: P 104 M 94, both outside; age 64
  { id: 'e8', region: '01', service: TREATMENT, sex: 'M', birthYear: 1947, home: '0180', clockStart: '2026-09-01', status: 'completed', completedOn: '2026-10-31' }, // completed on R: 60 within; age 79
  // region 03, specialist first visit
  { id: 'e12', region: '03', service: FIRST_VISIT, sex: 'F', birthYear: 1990, home: '0380', clockStart: '2026-10-20' }, // 11
  // primary assessment, January 2019: the limit in force on the clock start (7 days until 2018-12-31, then 3)
  { id: 'p1', region: '01', service: PRIMARY, sex: 'F', birthYear: 1990, home: '0180', clockStart: '2018-12-30', status: 'completed', completedOn: '2019-01-04' }, // 5 ≤ 7
  { id: 'p2', region: '01', service: PRIMARY, sex: 'M', birthYear: 1990, home: '0180', clockStart: '2019-01-02', status: 'completed', completedOn: '2019-01-07' }, // 5 > 3
];

async function insertSubmission(db: Kysely<DB>, s: { region: string; status: 'applied' | 'rejected'; at: string; dryRun?: boolean; errors?: number }): Promise<string> {
  const id = crypto.randomUUID();
  await sql`INSERT INTO submissions (id, kind, region_code, mode, dry_run, content_type, content_sha256, bytes, status, submitted_by, submitted_at, error_count)
            VALUES (${id}, 'waiting_list', ${s.region}, 'delta', ${s.dryRun ?? false}, 'text/csv', ${crypto.randomBytes(32).toString('hex')}, 1, ${s.status}, 'test',
                    ${s.at}::timestamptz, ${s.errors ?? 0})`.execute(db);
  return id;
}

async function insertEpisodes(db: Kysely<DB>, eps: Ep[], submissionId: string): Promise<void> {
  for (const e of eps)
    await sql`INSERT INTO waiting_episodes (region_code, record_id, unit_hsa_id, service_id, patient_key, sex, birth_year, home_municipality, clock_start,
                patient_chosen_days, medical_pause_days, status, completed_on, first_submission_id, last_submission_id, updated_at)
              VALUES (${e.region}, ${e.id}, 'SE0000000000-TEST', ${e.service}, ${crypto.createHash('sha256').update(e.id).digest('hex')}, ${e.sex}, ${e.birthYear},
                ${e.home}, ${e.clockStart}, ${e.pvv ?? 0}, ${e.mov ?? 0}, ${e.status ?? 'waiting'}, ${e.completedOn ?? null}, ${submissionId}, ${submissionId}, now())`.execute(db);
}

/** The stored rows of a period, newest revision of each key, keyed "indicator|view|kind|region|breakdown|value". */
async function latest(db: Kysely<DB>, period: string) {
  const r = await sql<{ indicator_id: string; view: string; guarantee_kind: string; region_code: string; breakdown: string; breakdown_value: string; revision: number; value: number | null; numerator_count: number | null; denominator_count: number | null; data_as_of: string | null }>`
    SELECT DISTINCT ON (indicator_id, view, guarantee_kind, region_code, breakdown, breakdown_value) *
      FROM indicator_values WHERE period = ${period}
     ORDER BY indicator_id, view, guarantee_kind, region_code, breakdown, breakdown_value, revision DESC`.execute(db);
  return new Map(r.rows.map((x) => [`${x.indicator_id}|${x.view}|${x.guarantee_kind}|${x.region_code}|${x.breakdown}|${x.breakdown_value}`, x]));
}

/**
 * Group A computed independently, row by row, with the domain's own functions (evaluateEpisode, percentileSorted, ageBand),
 * for the cells the episodes touch.
 */
function reference(eps: Ep[], period: string, contactTypes: Map<string, 'first_visit' | 'treatment' | 'primary_assessment'>, homeRegion: (m: string) => string) {
  const b = periodBounds(period);
  const cells = new Map<string, { kind: GuaranteeKind; waiting: Record<StatisticalView, { within: boolean; days: number }>[]; completed: Record<StatisticalView, { within: boolean; days: number }>[] }>();
  for (const e of eps) {
    if (e.status === 'removed') continue;
    const completedInMonth = e.status === 'completed' && e.completedOn! >= b.monthStart && e.completedOn! <= b.monthEnd;
    const waitingOnR = e.clockStart <= b.monthEnd && (e.completedOn === undefined || e.completedOn > b.monthEnd);
    if (!completedInMonth && !waitingOnR) continue;
    const kind = guaranteeKindOf(contactTypes.get(e.service)!);
    const end = completedInMonth ? e.completedOn! : b.monthEnd;
    const episode = { clockStart: e.clockStart, completedOn: completedInMonth ? e.completedOn : undefined, patientChosenDays: e.pvv ?? 0, medicalPauseDays: e.mov ?? 0 };
    const figures = Object.fromEntries(STATISTICAL_VIEWS.map((v) => {
      const s = evaluateEpisode(episode, kind, b.monthEnd, v);
      return [v, { within: s.withinGuarantee, days: s.waitedDays }];
    })) as Record<StatisticalView, { within: boolean; days: number }>;
    const age = ageBand(Number(end.slice(0, 4)) - e.birthYear);
    for (const region of ['', e.region])
      for (const [bd, bv] of [['', ''], ['sex', e.sex], ['age_band', age], ['home_region', homeRegion(e.home)]] as const) {
        const key = `${kind}|${region}|${bd}|${bv}`;
        const c = cells.get(key) ?? { kind, waiting: [], completed: [] };
        (completedInMonth ? c.completed : c.waiting).push(figures);
        cells.set(key, c);
      }
  }
  const out = new Map<string, number | null>();
  for (const [key, c] of cells) {
    const [kind, region, bd, bv] = key.split('|');
    const k = (id: string, view: string) => `${id}|${view}|${kind}|${region}|${bd}|${bv}`;
    out.set(k('waiting_count', ''), c.waiting.length);
    out.set(k('completed_count', ''), c.completed.length);
    for (const v of STATISTICAL_VIEWS) {
      const w = c.waiting.map((x) => x[v].days).sort((a, z) => a - z);
      const d = c.completed.map((x) => x[v].days).sort((a, z) => a - z);
      out.set(k('within_guarantee_share', v), c.waiting.length === 0 ? null : c.waiting.filter((x) => x[v].within).length / c.waiting.length);
      out.set(k('completed_within_guarantee_share', v), c.completed.length === 0 ? null : c.completed.filter((x) => x[v].within).length / c.completed.length);
      out.set(k('median_waited_days', v), percentileSorted(w, 50) ?? null);
      out.set(k('p90_waited_days', v), percentileSorted(w, 90) ?? null);
      out.set(k('median_completed_wait_days', v), percentileSorted(d, 50) ?? null);
      if (bd === '') out.set(k('p90_completed_wait_days', v), percentileSorted(d, 90) ?? null);
    }
  }
  return out;
}

describe.each(targets)('statistics computation on %s', (target) => {
  let database: TestDatabase;
  let db: Kysely<DB>;
  let submission01: string;
  const units09: string[] = [];

  beforeAll(async () => {
    database = await openTestDatabase(target);
    db = database.db;
    for (const t of ['indicator_values', 'statistics_runs', 'waiting_episodes', 'capacity_reports', 'submissions']) await sql`DELETE FROM ${sql.table(t)}`.execute(db);
    // submissions: data_as_of and waiting_list_on_time (data for October are due 1–20 November, Stockholm dates)
    submission01 = await insertSubmission(db, { region: '01', status: 'applied', at: '2026-11-10T10:00:00Z' }); // on time
    await insertSubmission(db, { region: '01', status: 'applied', at: '2026-10-15T10:00:00Z' }); // in the month: applied, not on time for October
    await insertSubmission(db, { region: '01', status: 'rejected', at: '2026-10-05T10:00:00Z', errors: 7 }); // rejected in the month
    await insertSubmission(db, { region: '01', status: 'rejected', at: '2026-10-31T23:30:00Z', errors: 3 }); // 1 November in Sweden: not in the month
    await insertSubmission(db, { region: '03', status: 'applied', at: '2026-11-20T23:30:00Z' }); // 21 November 00:30 in Sweden: late
    await insertSubmission(db, { region: '04', status: 'applied', at: '2026-11-20T22:30:00Z' }); // 20 November 23:30 in Sweden: on time
    await insertSubmission(db, { region: '05', status: 'applied', at: '2026-11-10T10:00:00Z', dryRun: true }); // a dry run counts for nothing
    await insertEpisodes(db, EPISODES, submission01);

    // capacity reports: region 09 with exactly two active units (the others deactivated)
    const units = (await sql<{ hsa_id: string }>`
      SELECT u.hsa_id FROM units u WHERE u.region_code = '09' AND u.active
         AND EXISTS (SELECT 1 FROM unit_services us JOIN services s ON s.id = us.service_id AND s.active WHERE us.unit_hsa_id = u.hsa_id)
       ORDER BY u.hsa_id LIMIT 2`.execute(db)).rows.map((u) => u.hsa_id);
    units09.push(...units);
    await sql`UPDATE units SET active = false WHERE region_code = '09' AND hsa_id NOT IN (${sql.join(units)})`.execute(db);
    const report = async (unit: string, service: string, validFrom: string, reportedAt: string) =>
      sql`INSERT INTO capacity_reports (unit_hsa_id, service_id, valid_from, expected_wait_days, weekly_capacity_for_other_regions, accepts_other_regions, reported_by, reported_at)
          VALUES (${unit}, ${service}, ${validFrom}, 30, 1, true, 'test', ${reportedAt}::timestamptz)`.execute(db);
    const offered = async (unit: string) =>
      (await sql<{ id: string }>`SELECT s.id FROM unit_services us JOIN services s ON s.id = us.service_id AND s.active WHERE us.unit_hsa_id = ${unit} ORDER BY s.id`.execute(db)).rows.map((x) => x.id);
    // unit A: every service reported 42 days before R (fresh: stale only when more than 42 days)
    for (const s of await offered(units[0]!)) await report(units[0]!, s, '2026-09-19', '2026-09-19T08:00:00Z');
    // unit B: its first service 43 days before R (stale); a newer report reported after R and one valid after R do not count
    const b = await offered(units[1]!);
    for (const s of b) await report(units[1]!, s, s === b[0] ? '2026-09-18' : '2026-10-20', '2026-09-18T08:00:00Z');
    await report(units[1]!, b[0]!, '2026-10-25', '2026-11-02T08:00:00Z');
    await report(units[1]!, b[0]!, '2026-11-05', '2026-10-30T08:00:00Z');

    // connected systems
    const client = (id: string, roles: string[], created: string, extra: { region?: string; org?: string; unit?: string; disabled?: boolean; synthetic?: boolean }) =>
      sql`INSERT INTO clients (id, name, roles, region_code, organization_id, unit_hsa_id, secret_hash, synthetic, disabled, created_at)
          VALUES (${id}, ${id}, ${roles}, ${extra.region ?? null}, ${extra.org ?? null}, ${extra.unit ?? null}, 'x', ${extra.synthetic ?? false}, ${extra.disabled ?? false}, ${created}::timestamptz)`.execute(db);
    const unit01 = (await sql<{ hsa_id: string }>`SELECT hsa_id FROM units WHERE region_code = '01' ORDER BY hsa_id LIMIT 1`.execute(db)).rows[0]!.hsa_id;
    await client('st-c1', ['coordinator'], '2026-10-05T10:00:00Z', { region: '01' });
    await client('st-c2', ['region-reporter', 'coordinator'], '2026-10-31T22:30:00Z', { org: 'region-03' }); // 23:30 on R in Sweden
    await client('st-c3', ['provider'], '2026-10-31T23:30:00Z', { unit: unit01 }); // 1 November in Sweden
    await client('st-c4', ['coordinator'], '2026-10-01T10:00:00Z', { region: '01', disabled: true });
    await client('st-c5', ['coordinator'], '2026-10-01T10:00:00Z', { region: '01', synthetic: true });
  });
  afterAll(async () => database?.close());

  it('computes group A exactly: views, exclusions, boundaries, the limit in force, equity breakdowns', async () => {
    const r = await computePeriod(db, PERIOD, { triggeredBy: 'test', now: NOW });
    expect(r).toMatchObject({ period: PERIOD, revision: 1, rowsRevised: 0 });
    expect(r.rowsWritten).toBeGreaterThan(0);
    const rows = await latest(db, PERIOD);
    const v = (id: string, view: string, kind: string, region = '', bd = '', bv = '') => rows.get(`${id}|${view}|${kind}|${region}|${bd}|${bv}`);

    // national treatment: waiting e1 e2 e3 e4 e10 e11; P days [0,0,30,79,91,91], M days [0,0,30,79,86,91]
    expect(v('waiting_count', '', 'treatment')).toMatchObject({ value: 6, numerator_count: 6, denominator_count: null, revision: 1 });
    expect(v('within_guarantee_share', 'excluding_pvv', 'treatment')).toMatchObject({ value: 4 / 6, numerator_count: 4, denominator_count: 6 });
    expect(v('within_guarantee_share', 'excluding_pvv_and_mov', 'treatment')).toMatchObject({ value: 5 / 6, numerator_count: 5, denominator_count: 6 });
    expect(v('median_waited_days', 'excluding_pvv', 'treatment')).toMatchObject({ value: 30, denominator_count: 6 });
    expect(v('p90_waited_days', 'excluding_pvv', 'treatment')?.value).toBe(91);
    expect(v('p90_waited_days', 'excluding_pvv_and_mov', 'treatment')?.value).toBe(91);
    // completed in the month: e7 (P 104, M 94) and e8 (60, completed on R)
    expect(v('completed_count', '', 'treatment')).toMatchObject({ value: 2, numerator_count: 2 });
    expect(v('completed_within_guarantee_share', 'excluding_pvv', 'treatment')).toMatchObject({ value: 0.5, numerator_count: 1, denominator_count: 2 });
    expect(v('median_completed_wait_days', 'excluding_pvv', 'treatment')?.value).toBe(60);
    expect(v('p90_completed_wait_days', 'excluding_pvv', 'treatment')?.value).toBe(104);
    expect(v('p90_completed_wait_days', 'excluding_pvv_and_mov', 'treatment')?.value).toBe(94);
    // regions: all treatment episodes are reported by 01; 03 reports one first visit
    expect(v('waiting_count', '', 'treatment', '01')?.value).toBe(6);
    expect(v('waiting_count', '', 'treatment', '03')).toMatchObject({ value: 0, numerator_count: 0 });
    expect(v('waiting_count', '', 'specialist_first_visit', '03')?.value).toBe(1);
    expect(v('median_waited_days', 'excluding_pvv', 'specialist_first_visit', '03')).toMatchObject({ value: 11, denominator_count: 1 });
    expect(v('median_waited_days', 'excluding_pvv', 'treatment', '03')).toMatchObject({ value: null, denominator_count: 0 });
    expect(v('within_guarantee_share', 'excluding_pvv', 'treatment', '03')).toMatchObject({ value: null, numerator_count: 0, denominator_count: 0 });
    // equity: sex F e1 e3 e11, M e2 e10, U e4; ages on R's year; home region 03 for e2 (reported by 01)
    expect(v('waiting_count', '', 'treatment', '', 'sex', 'F')?.value).toBe(3);
    expect(v('waiting_count', '', 'treatment', '', 'sex', 'M')?.value).toBe(2);
    expect(v('waiting_count', '', 'treatment', '', 'sex', 'U')?.value).toBe(1);
    expect(v('waiting_count', '', 'treatment', '', 'age_band', '0-17')?.value).toBe(1);
    expect(v('waiting_count', '', 'treatment', '', 'age_band', '18-44')?.value).toBe(2);
    expect(v('waiting_count', '', 'treatment', '', 'age_band', '45-64')?.value).toBe(1);
    expect(v('waiting_count', '', 'treatment', '', 'age_band', '65-79')?.value).toBe(1);
    expect(v('waiting_count', '', 'treatment', '', 'age_band', '80+')?.value).toBe(1);
    expect(v('completed_count', '', 'treatment', '', 'age_band', '45-64')?.value).toBe(1); // e7, 64 in the year of completion
    expect(v('waiting_count', '', 'treatment', '01', 'home_region', '03')?.value).toBe(1);
    expect(v('waiting_count', '', 'treatment', '01', 'home_region', '01')?.value).toBe(5);
    expect(v('within_guarantee_share', 'excluding_pvv_and_mov', 'treatment', '', 'sex', 'M')).toMatchObject({ value: 1, numerator_count: 2, denominator_count: 2 });
    expect(v('p90_completed_wait_days', 'excluding_pvv', 'treatment', '', 'sex', 'F')).toBeUndefined(); // no breakdowns for p90 of completed
    // data_as_of: the region's newest applied submission (01: 10 November; national: the newest, 03's 21 November in Sweden)
    expect(v('waiting_count', '', 'treatment', '01')?.data_as_of).toBe('2026-11-10');
    expect(v('waiting_count', '', 'treatment')?.data_as_of).toBe('2026-11-21');
    expect(v('waiting_count', '', 'treatment', '05')?.data_as_of).toBeNull();

    // every cell the episodes touch agrees with the domain's own functions; every other group A cell is empty
    const contactTypes = new Map((await db.selectFrom('services').select(['id', 'contact_type']).execute()).map((s) => [s.id, s.contact_type]));
    const homes = new Map((await db.selectFrom('municipalities').select(['code', 'region_code']).execute()).map((m) => [m.code, m.region_code]));
    const expected = reference(EPISODES, PERIOD, contactTypes, (m) => homes.get(m) ?? 'unknown');
    for (const [key, value] of expected) expect([key, rows.get(key)?.value ?? null]).toEqual([key, value]);
    const waitsIds = new Set(['waiting_count', 'completed_count', 'within_guarantee_share', 'completed_within_guarantee_share', 'median_waited_days', 'p90_waited_days', 'median_completed_wait_days', 'p90_completed_wait_days']);
    for (const [key, row] of rows) {
      if (!waitsIds.has(row.indicator_id) || expected.has(key)) continue;
      expect([key, row.value === null || row.value === 0, row.numerator_count ?? 0, row.denominator_count ?? 0]).toEqual([key, true, 0, 0]);
    }
  }, HEAVY);

  it('uses the guarantee rule in force on the clock start (primary assessment: 7 days until 2018, then 3)', async () => {
    const rows = await computeWaitsIndicators(db, periodBounds('2019-01'));
    const share = rows.find((r) => r.indicatorId === 'completed_within_guarantee_share' && r.view === 'excluding_pvv' && r.guaranteeKind === 'primary_assessment' && r.regionCode === '' && r.breakdown === '');
    expect(share).toMatchObject({ value: 0.5, numeratorCount: 1, denominatorCount: 2 });
  }, HEAVY);

  it('age bands in SQL are those of ageBand()', async () => {
    // one waiting episode per age 0…100 in 2026-06 of region 06; the age_band counts must be ageBand()'s
    const eps: Ep[] = Array.from({ length: 101 }, (_, age) => ({ id: `age-${age}`, region: '06', service: FIRST_VISIT, sex: 'F' as const, birthYear: 2026 - age, home: '0180', clockStart: '2026-06-30', status: 'completed' as const, completedOn: '2026-12-01' }));
    await insertEpisodes(db, eps, submission01);
    const rows = await computeWaitsIndicators(db, periodBounds('2026-06'));
    for (const band of AGE_BANDS) {
      const n = Array.from({ length: 101 }, (_, age) => ageBand(age)).filter((b) => b === band).length;
      const row = rows.find((r) => r.indicatorId === 'waiting_count' && r.guaranteeKind === 'specialist_first_visit' && r.regionCode === '06' && r.breakdown === 'age_band' && r.breakdownValue === band);
      expect([band, row?.value]).toEqual([band, n]);
    }
    await sql`DELETE FROM waiting_episodes WHERE record_id LIKE 'age-%'`.execute(db);
  }, HEAVY);

  it('computes group D exactly: on time by Stockholm date, submissions, fresh capacity reports, connected systems', async () => {
    const rows = await latest(db, PERIOD);
    const d = (id: string, region = '', bd = '', bv = '') => rows.get(`${id}|||${region}|${bd}|${bv}`);
    expect(d('waiting_list_on_time', '01')).toMatchObject({ value: 1, data_as_of: '2026-11-10' });
    expect(d('waiting_list_on_time', '03')).toMatchObject({ value: 0, data_as_of: null });
    expect(d('waiting_list_on_time', '04')).toMatchObject({ value: 1, data_as_of: '2026-11-20' });
    expect(d('waiting_list_on_time', '05')?.value).toBe(0);
    expect(d('waiting_list_on_time')).toMatchObject({ value: 2 / 21, numerator_count: 2, denominator_count: 21 });
    expect(d('applied_waiting_list_submissions', '01')?.value).toBe(1);
    expect(d('rejected_waiting_list_submissions', '01')?.value).toBe(1);
    expect(d('waiting_list_row_errors', '01')?.value).toBe(7);
    expect(d('applied_waiting_list_submissions')?.value).toBe(1);
    expect(d('rejected_waiting_list_submissions', '05')?.value).toBe(0);

    expect(d('fresh_capacity_report_share', '09')).toMatchObject({ value: 0.5, numerator_count: 1, denominator_count: 2 });
    expect(d('fresh_capacity_report_share', '01')).toMatchObject({ value: 0, numerator_count: 0 });
    const regional = [...rows.values()].filter((x) => x.indicator_id === 'fresh_capacity_report_share' && x.region_code !== '');
    expect(regional).toHaveLength(21);
    expect(d('fresh_capacity_report_share')).toMatchObject({ numerator_count: 1, denominator_count: regional.reduce((a, x) => a + (x.denominator_count ?? 0), 0) });

    expect(d('connected_systems', '01')?.value).toBe(1);
    expect(d('connected_systems', '01', 'role', 'coordinator')?.value).toBe(1);
    expect(d('connected_systems', '01', 'role', 'provider')?.value).toBe(0);
    expect(d('connected_systems', '03')?.value).toBe(1);
    expect(d('connected_systems', '03', 'role', 'region-reporter')?.value).toBe(1);
    expect(d('connected_systems')?.value).toBe(2);
    expect(d('connected_systems', '', 'role', 'coordinator')?.value).toBe(2);
    expect(await sql<{ n: number }>`SELECT count(*)::int AS n FROM statistics_runs WHERE period = ${PERIOD} AND finished_at IS NOT NULL AND triggered_by = 'test'`.execute(db).then((x) => x.rows[0]!.n)).toBe(1);
  }, HEAVY);

  it('recomputes with revisions: nothing when unchanged; revision 2 only for changed keys; disappeared keys revised to empty; revision 1 kept', async () => {
    const version = async () => (await sql<{ v: number }>`SELECT version AS v FROM statistics_version WHERE id = 1`.execute(db)).rows[0]!.v;
    const count = async () => (await sql<{ n: number }>`SELECT count(*)::int AS n FROM indicator_values WHERE period = ${PERIOD}`.execute(db)).rows[0]!.n;
    const before = await count();
    const v0 = await version();
    const same = await computePeriod(db, PERIOD, { triggeredBy: 'test', now: new Date('2026-11-26T09:00:00Z') });
    expect(same).toMatchObject({ rowsWritten: 0, rowsRevised: 0, revision: 1 });
    expect(await count()).toBe(before);
    expect(await version()).toBe(v0);

    // e1 gets 5 days of MoV: in Socialstyrelsen's view it waited 86 (within); SKR's view is unchanged
    await sql`UPDATE waiting_episodes SET medical_pause_days = 5 WHERE record_id = 'e1'`.execute(db);
    const changed = await computePeriod(db, PERIOD, { triggeredBy: 'test', now: new Date('2026-11-27T09:00:00Z') });
    expect(changed.revision).toBe(2);
    expect(changed.rowsRevised).toBe(changed.rowsWritten);
    expect(await version()).toBe(v0 + 1);
    const revised = await sql<{ indicator_id: string; view: string; guarantee_kind: string; region_code: string; breakdown: string; breakdown_value: string; value: number }>`
      SELECT indicator_id, view, guarantee_kind, region_code, breakdown, breakdown_value, value FROM indicator_values WHERE period = ${PERIOD} AND revision = 2`.execute(db);
    expect(revised.rows.length).toBe(changed.rowsWritten);
    // e1 is F, 65-79, lives in 01, reported by 01: within share and p90 (91 → 86) change in those cells, nationally and in 01
    const keys = new Set(revised.rows.map((x) => `${x.indicator_id}|${x.region_code}|${x.breakdown}|${x.breakdown_value}`));
    for (const x of revised.rows) {
      expect(x.view).toBe('excluding_pvv_and_mov');
      expect(x.guarantee_kind).toBe('treatment');
      expect(['within_guarantee_share', 'p90_waited_days', 'median_waited_days']).toContain(x.indicator_id);
    }
    for (const region of ['', '01']) for (const [bd, bv] of [['', ''], ['sex', 'F'], ['age_band', '65-79'], ['home_region', '01']]) expect(keys.has(`within_guarantee_share|${region}|${bd}|${bv}`)).toBe(true);
    const both = await sql<{ revision: number; value: number; numerator_count: number }>`
      SELECT revision, value, numerator_count FROM indicator_values
       WHERE period = ${PERIOD} AND indicator_id = 'within_guarantee_share' AND view = 'excluding_pvv_and_mov' AND guarantee_kind = 'treatment' AND region_code = '' AND breakdown = ''
       ORDER BY revision`.execute(db);
    expect(both.rows).toEqual([{ revision: 1, value: 5 / 6, numerator_count: 5 }, { revision: 2, value: 1, numerator_count: 6 }]);

    // a category that disappears: an episode from an unknown municipality, then removed
    await insertEpisodes(db, [{ id: 'e-unknown', region: '01', service: TREATMENT, sex: 'F', birthYear: 1970, home: '9999', clockStart: '2026-10-10' }], submission01);
    await computePeriod(db, PERIOD, { triggeredBy: 'test', now: new Date('2026-11-28T09:00:00Z') });
    const unknownKey = `waiting_count||treatment||home_region|unknown`;
    expect((await latest(db, PERIOD)).get(unknownKey)).toMatchObject({ value: 1, revision: 1 });
    await sql`UPDATE waiting_episodes SET status = 'removed' WHERE record_id = 'e-unknown'`.execute(db);
    await computePeriod(db, PERIOD, { triggeredBy: 'test', now: new Date('2026-11-29T09:00:00Z') });
    expect((await latest(db, PERIOD)).get(unknownKey)).toMatchObject({ value: null, numerator_count: 0, denominator_count: 0, revision: 2 });
    const again = await computePeriod(db, PERIOD, { triggeredBy: 'test', now: new Date('2026-11-30T09:00:00Z') });
    expect(again.rowsWritten).toBe(0); // the emptied key is not emptied twice
  }, HEAVY);

  it('serialises two computations of the same month: revision 1 once, the other writes nothing', async () => {
    const [a, b] = await Promise.all([
      computePeriod(db, '2026-09', { triggeredBy: 'test-a', now: NOW }),
      computePeriod(db, '2026-09', { triggeredBy: 'test-b', now: NOW }),
    ]);
    expect([a.rowsWritten, b.rowsWritten].sort((x, y) => x - y)[0]).toBe(0);
    expect(a.rowsWritten + b.rowsWritten).toBeGreaterThan(0);
    expect(a.rowsRevised + b.rowsRevised).toBe(0);
    const r = await sql<{ max: number; n: number; keys: number }>`
      SELECT max(revision)::int AS max, count(*)::int AS n,
             count(DISTINCT (indicator_id, view, guarantee_kind, region_code, breakdown, breakdown_value))::int AS keys
        FROM indicator_values WHERE period = '2026-09'`.execute(db);
    expect(r.rows[0]).toEqual({ max: 1, n: a.rowsWritten + b.rowsWritten, keys: a.rowsWritten + b.rowsWritten });
    expect((await sql<{ n: number }>`SELECT count(*)::int AS n FROM statistics_runs WHERE period = '2026-09'`.execute(db)).rows[0]!.n).toBe(2);
  }, HEAVY);

  it('refuses a month that has not ended, and a malformed one', async () => {
    await expect(computePeriod(db, '2026-11', { triggeredBy: 'test', now: NOW })).rejects.toMatchObject({ code: 'validation', message: expect.stringMatching(/2026-11 has not ended/) });
    await expect(computePeriod(db, '2026-13', { triggeredBy: 'test', now: NOW })).rejects.toMatchObject({ code: 'bad_request' });
    await expect(computePeriods(db, ['2026-08', '2027-01'], { triggeredBy: 'test', now: NOW })).rejects.toMatchObject({ code: 'validation' });
    expect((await sql<{ n: number }>`SELECT count(*)::int AS n FROM statistics_runs WHERE period = '2026-08'`.execute(db)).rows[0]!.n).toBe(0);
  }, HEAVY);

  it('nvf stats compute: computes a month and prints the result; clear errors for bad periods', async () => {
    const io = testIo(database);
    expect(await runCli(['stats', 'compute', '--period', '2026-07', '--no-progress'], io)).toBe(0);
    expect(io.stdout.join('\n')).toMatch(/^2026-07: revision 1 · \d+ row\(s\) written · 0 revised/);
    for (const [args, message] of [
      [['--period', '2026-13'], /--period 2026-13: must be a month YYYY-MM/],
      [['--period', '26-01'], /must be a month YYYY-MM/],
      [['--period', '2099-01'], /2099-01 has not ended yet/],
      [['--from', '2026-05'], /--from and --to go together/],
      [['--from', '2026-05', '--to', '2026-03'], /--from must not be after --to/],
      [['--period', '2026-05', '--from', '2026-05', '--to', '2026-06'], /either --period/],
      [[], /either --period/],
    ] as const) {
      const bad = testIo(database);
      expect(await runCli(['stats', 'compute', ...args, '--no-progress'], bad)).toBe(1);
      expect(bad.stderr.join('\n')).toMatch(message);
    }
  }, HEAVY);
});


describe.each(targets)('statistics job on %s', (target) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(target);
    // months up to 2026-08 were computed this morning (runs without rows keep the test small)
    for (const p of ['2025-10', '2025-11', '2025-12', '2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08'])
      await sql`INSERT INTO statistics_runs (period, started_at, finished_at, triggered_by) VALUES (${p}, '2026-11-20T07:00:00Z', '2026-11-20T07:00:01Z', 'test')`.execute(database.db);
  });
  afterAll(async () => database?.close());

  it('computes months never computed once their deadline has passed, and recomputes the newest three once a day', async () => {
    const periods = async (at: string) => (await runStatisticsSchedule(database.db, fixedClock(at))).map((r) => r.period);
    // 20 November: October's data are due today, so October waits; September has no run yet
    expect(await periods('2026-11-20T12:00:00+01:00')).toEqual(['2026-09']);
    expect(await periods('2026-11-20T18:00:00+01:00')).toEqual([]);
    // 21 November: October for the first time, and the three newest computed months again
    expect(await periods('2026-11-21T06:00:00+01:00')).toEqual(['2026-07', '2026-08', '2026-09', '2026-10']);
    expect(await periods('2026-11-21T23:00:00+01:00')).toEqual([]);
    const runs = await sql<{ n: number }>`SELECT count(*)::int AS n FROM statistics_runs WHERE period = '2026-10' AND triggered_by = 'job'`.execute(database.db);
    expect(runs.rows[0]!.n).toBe(1);
  }, HEAVY);
});
