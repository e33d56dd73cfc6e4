import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sql } from 'kysely';
import { addDays } from '../src/domain/calendar.js';
import { forecastWaitDays, remainingWaitDays } from '../src/domain/forecast.js';
import { percentileSorted } from '../src/domain/statistics.js';
import { refreshWaitingTimes } from '../src/services/waiting-times.service.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { targets } from './helpers/db.js';

const TODAY = '2026-11-26';
const ago = (n: number) => addDays(TODAY, -n);

interface EpisodeSpec {
  unit: string;
  /** waited days in the view excluding PvV and MoV (for a waiting episode: as of today) */
  waited: number;
  pvv?: number;
  mov?: number;
  status?: 'waiting' | 'completed' | 'removed';
  /** days before today it was completed */
  completedAgo?: number;
  bookedOn?: string;
}

/** The test's own world: one treatment/first-visit service offered by three units of one region, cleared of other data. */
async function prepareWorld(t: TestApp) {
  const db = t.database.db;
  const found = await sql<{ service_id: string; region_code: string; units: string[] }>`
    SELECT us.service_id, u.region_code, array_agg(u.hsa_id ORDER BY u.hsa_id) AS units
      FROM unit_services us JOIN units u ON u.hsa_id = us.unit_hsa_id JOIN services s ON s.id = us.service_id
     WHERE s.contact_type IN ('treatment', 'first_visit') AND u.active
     GROUP BY us.service_id, u.region_code HAVING count(*) >= 3
     ORDER BY u.region_code, us.service_id LIMIT 1`.execute(db);
  const w = found.rows[0]!;
  const otherRegion = w.region_code === '01' ? '03' : '01';
  await sql`DELETE FROM waiting_episodes WHERE service_id = ${w.service_id}`.execute(db);
  await sql`DELETE FROM capacity_reports WHERE service_id = ${w.service_id}`.execute(db);
  const municipality = (await sql<{ code: string }>`SELECT code FROM municipalities WHERE region_code = ${w.region_code} LIMIT 1`.execute(db)).rows[0]!.code;
  const submissionId = crypto.randomUUID();
  await sql`INSERT INTO submissions (id, kind, region_code, mode, content_type, content_sha256, bytes, status, submitted_by, submitted_at, finished_at)
            VALUES (${submissionId}, 'waiting_list', ${w.region_code}, 'delta', 'text/csv', ${crypto.randomBytes(32).toString('hex')}, 100, 'applied', 'test', '2026-11-20T10:00:00Z', '2026-11-20T10:00:05Z')`.execute(db);
  let n = 0;
  const insert = async (specs: EpisodeSpec[]) => {
    for (const e of specs) {
      const pvv = e.pvv ?? 0;
      const mov = e.mov ?? 0;
      const end = e.status === 'completed' ? ago(e.completedAgo ?? 10) : TODAY;
      const clockStart = addDays(end, -(e.waited + pvv + mov));
      await sql`INSERT INTO waiting_episodes (region_code, record_id, unit_hsa_id, service_id, patient_key, sex, birth_year, home_municipality, clock_start,
                  patient_chosen_days, medical_pause_days, status, completed_on, booked_on, first_submission_id, last_submission_id, updated_at)
                VALUES (${w.region_code}, ${`wt-${String(++n).padStart(4, '0')}`}, ${e.unit}, ${w.service_id}, ${crypto.randomBytes(32).toString('hex')}, 'F', 1970,
                  ${municipality}, ${clockStart}::date, ${pvv}, ${mov}, ${e.status ?? 'waiting'}, ${e.status === 'completed' ? end : null}::date, ${e.bookedOn ?? null}::date,
                  ${submissionId}, ${submissionId}, now())`.execute(db);
    }
  };
  // a refresh made behind the app's back, as another instance would: the app sees it at its next version read
  const refresh = async (regionCode?: string) => {
    await db.transaction().execute((trx) => refreshWaitingTimes(trx, { regionCode, today: TODAY }));
    await t.app.pollCaches();
  };
  return { serviceId: w.service_id, regionCode: w.region_code, otherRegion, units: w.units, insert, refresh };
}

/** Unit A: six waiting, seven completed in 90 days (plus one older and one removed); B: three waiting; C: five waiting. */
function standardList(a: string, b: string, c: string): EpisodeSpec[] {
  return [
    { unit: a, waited: 10 },
    { unit: a, waited: 20, pvv: 5 },
    { unit: a, waited: 30, mov: 10 },
    { unit: a, waited: 40 },
    { unit: a, waited: 85, mov: 10 },
    { unit: a, waited: 200 },
    ...[30, 40, 50, 60, 70, 80, 90].map((waited, i) => ({ unit: a, waited, status: 'completed' as const, completedAgo: i === 0 ? 89 : 5 + i })),
    { unit: a, waited: 5, status: 'completed', completedAgo: 90 },
    { unit: a, waited: 500, status: 'removed' },
    { unit: b, waited: 5 },
    { unit: b, waited: 5 },
    { unit: b, waited: 78, bookedOn: ago(-3) },
    { unit: c, waited: 5 },
    { unit: c, waited: 5 },
    { unit: c, waited: 5 },
    { unit: c, waited: 5 },
    { unit: c, waited: 80 },
  ];
}

interface Row {
  level: string;
  regionCode: string | null;
  unitHsaId: string | null;
  [k: string]: unknown;
}

describe.each(targets)('computed waiting times on %s', (target) => {
  let t: TestApp;
  let w: Awaited<ReturnType<typeof prepareWorld>>;
  let A: string, B: string, C: string;
  const get = async (query: string) => t.app.inject({ method: 'GET', url: `/api/v1/waiting-times?${query}` });
  const rowsOf = async (query: string) => {
    const r = await get(query);
    expect(r.statusCode, r.body).toBe(200);
    return r.json() as { serviceId: string; view: string; items: Row[] };
  };
  const unitRow = (items: Row[], hsa: string) => items.find((r) => r.level === 'unit' && r.unitHsaId === hsa)!;

  beforeAll(async () => {
    t = await startTestApp(target, { clock: '2026-11-26T10:00:00Z' });
    w = await prepareWorld(t);
    [A, B, C] = w.units as [string, string, string];
    await w.insert(standardList(A, B, C));
    await sql`INSERT INTO capacity_reports (unit_hsa_id, service_id, valid_from, expected_wait_days, weekly_capacity_for_other_regions, accepts_other_regions, reported_by, reported_at)
              VALUES (${A}, ${w.serviceId}, ${ago(50)}::date, 45, 2, true, 'test', now()), (${C}, ${w.serviceId}, ${ago(10)}::date, 30, 0, false, 'test', now())`.execute(t.database.db);
    await w.refresh(w.regionCode);
  });
  afterAll(async () => t?.close());

  it('answers 400 without a service and 404 for an unknown one', async () => {
    expect((await get('')).statusCode).toBe(400);
    expect((await get('service=no-such-service')).statusCode).toBe(404);
    expect((await get(`service=${w.serviceId}&view=everything`)).statusCode).toBe(400);
  });

  it.each([
    ['excluding_pvv_and_mov', { waitingCount: 6, medianWaitedDays: 30, p90WaitedDays: 200, shareWithinGuarantee: 5 / 6 }],
    ['excluding_pvv', { waitingCount: 6, medianWaitedDays: 40, p90WaitedDays: 200, shareWithinGuarantee: 4 / 6 }],
  ])('unit figures in view %s follow the contract’s formulas', async (view, expected) => {
    const body = await rowsOf(`service=${w.serviceId}&view=${view}`);
    expect(body.view).toBe(view);
    const a = unitRow(body.items, A);
    const { shareWithinGuarantee, ...shown } = expected;
    // The share is computed (stored) by the formula, but not published: with 6 shown it gives back how many are beyond the
    // guarantee (1 or 2), a small cell (docs/indicators.md, small-cell handling; the one disclosure method).
    expect(a).toMatchObject({ ...shown, shareWithinGuarantee: null, completedLast90Days: 7, medianCompletedWaitDays: 60, suppressed: true, regionCode: w.regionCode, serviceId: w.serviceId });
    const stored = await sql<{ share: number }>`SELECT share_within_guarantee AS share FROM waiting_time_stats
      WHERE level = 'unit' AND unit_hsa_id = ${A} AND service_id = ${w.serviceId} AND view = ${view}`.execute(t.database.db);
    expect(stored.rows[0]!.share).toBeCloseTo(shareWithinGuarantee, 10);
    // the queue model: (6 + 1) waiting ÷ (7 per 90 days) = 90 days; the same as the domain function
    expect(a.forecastWaitDays).toBe(90);
    expect(forecastWaitDays({ waitingCount: 6, completedLast90Days: 7 })).toBe(90);
    expect(a.dataAsOf).toBe('2026-11-20');
    expect(Object.keys(a).sort()).toEqual(
      ['completedLast90Days', 'dataAsOf', 'forecastWaitDays', 'level', 'medianCompletedWaitDays', 'medianWaitedDays', 'p90WaitedDays', 'regionCode', 'reportedExpectedWaitDays',
        'serviceId', 'shareWithinGuarantee', 'stale', 'suppressed', 'unitHsaId', 'unitName', 'waitingCount'].sort(),
    );
  });

  it('region and national rows aggregate every unit (removed and old completions ignored)', async () => {
    const { items } = await rowsOf(`service=${w.serviceId}`);
    expect(items[0]!.level).toBe('national');
    const region = items.find((r) => r.level === 'region' && r.regionCode === w.regionCode)!;
    // waiting: A 10,20,30,40,85,200; B 5,5,78; C 5,5,5,5,80 → 14 values, median rank 7 = 10, p90 rank 13 = 85
    // 13 of 14 within the guarantee: the one beyond it is a small cell, so the share is hidden (the counts are shown)
    expect(region).toMatchObject({ waitingCount: 14, medianWaitedDays: 10, p90WaitedDays: 85, completedLast90Days: 7, medianCompletedWaitDays: 60, shareWithinGuarantee: null, suppressed: true });
    expect(items[0]).toMatchObject({ waitingCount: 14, medianWaitedDays: 10, completedLast90Days: 7 });
  });

  it('suppresses counts of 1–4 and everything computed from them, and the next-smallest unit so no subtraction recovers it', async () => {
    const { items } = await rowsOf(`service=${w.serviceId}`);
    const b = unitRow(items, B);
    expect(b).toMatchObject({ waitingCount: null, medianWaitedDays: null, p90WaitedDays: null, shareWithinGuarantee: null, forecastWaitDays: null, suppressed: true });
    const c = unitRow(items, C);
    // C has 5 waiting (not small), but region 14 − A 6 would give B 3 back: C is hidden too
    expect(c).toMatchObject({ waitingCount: null, medianWaitedDays: null, suppressed: true });
    // C has no completions: its forecast is its own reported wait, which no hidden count is behind
    expect(c).toMatchObject({ completedLast90Days: 0, forecastWaitDays: 30, reportedExpectedWaitDays: 30 });
    expect(unitRow(items, A).waitingCount).toBe(6);
    const shown = items.filter((r) => r.level === 'unit' && r.waitingCount !== null).reduce((s, r) => s + (r.waitingCount as number), 0);
    expect(14 - shown).toBeGreaterThanOrEqual(5);
  });

  it('a capacity report through this instance shows at once; one written elsewhere within about a second', async () => {
    const provider = await t.auth({ roles: ['admin'] });
    const put = await t.app.inject({
      method: 'PUT', url: `/api/v1/units/${B}/capacity/${w.serviceId}`, headers: provider,
      payload: { expectedWaitDays: 33, weeklyCapacityForOtherRegions: 1, acceptsOtherRegions: true, validFrom: ago(1) },
    });
    expect(put.statusCode, put.body).toBeLessThan(300);
    expect(unitRow((await rowsOf(`service=${w.serviceId}`)).items, B).reportedExpectedWaitDays).toBe(33);
    // written later than every report so far (the reports of beforeAll carry the database's real time)
    await sql`INSERT INTO capacity_reports (unit_hsa_id, service_id, valid_from, expected_wait_days, weekly_capacity_for_other_regions, accepts_other_regions, reported_by, reported_at)
              VALUES (${B}, ${w.serviceId}, ${TODAY}::date, 34, 1, true, 'another instance', (SELECT max(reported_at) FROM capacity_reports) + interval '1 second')`.execute(t.database.db);
    const started = Date.now();
    let seen: number | null = null;
    while (Date.now() - started < 5000 && seen !== 34) {
      seen = unitRow((await rowsOf(`service=${w.serviceId}`)).items, B).reportedExpectedWaitDays as number | null;
      if (seen !== 34) await new Promise((r) => setTimeout(r, 100));
    }
    expect(seen).toBe(34);
    expect(Date.now() - started).toBeLessThan(3000);
    await sql`DELETE FROM capacity_reports WHERE unit_hsa_id = ${B} AND service_id = ${w.serviceId}`.execute(t.database.db);
    await t.app.pollCaches();
  });

  it('marks a capacity report older than 42 days stale, and shows the reported wait beside the forecast', async () => {
    const { items } = await rowsOf(`service=${w.serviceId}`);
    expect(unitRow(items, A)).toMatchObject({ reportedExpectedWaitDays: 45, stale: true, forecastWaitDays: 90 });
    expect(unitRow(items, C)).toMatchObject({ stale: false });
    expect(unitRow(items, B)).toMatchObject({ reportedExpectedWaitDays: null, stale: false });
  });

  it('filters by region and unit, always with the national row', async () => {
    const other = await rowsOf(`service=${w.serviceId}&region=${w.otherRegion}`);
    expect(other.items.map((r) => r.level)).toEqual(['national']);
    const one = await rowsOf(`service=${w.serviceId}&unit=${A}`);
    expect(one.items.map((r) => `${r.level}:${r.unitHsaId ?? r.regionCode ?? ''}`)).toEqual(['national:', `region:${w.regionCode}`, `unit:${A}`]);
    // suppression is decided on the whole country: asking for C alone does not show what the full answer hides
    const c = await rowsOf(`service=${w.serviceId}&unit=${C}`);
    expect(unitRow(c.items, C).waitingCount).toBeNull();
  });

  it('SQL percentile_disc agrees with the nearest-rank percentiles of src/domain/statistics.ts', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 60 }), async (values) => {
        const r = await sql<{ p50: number; p90: number; both: number[] }>`
          SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY x) AS p50, percentile_disc(0.9) WITHIN GROUP (ORDER BY x) AS p90,
                 percentile_disc(ARRAY[0.5, 0.9]::float8[]) WITHIN GROUP (ORDER BY x) AS both FROM unnest(${values}::int[]) AS x`.execute(t.database.db);
        const sorted = [...values].sort((a, b) => a - b);
        const expected = [percentileSorted(sorted, 50), percentileSorted(sorted, 90)];
        expect(r.rows[0]).toEqual({ p50: expected[0], p90: expected[1], both: expected });
      }),
      { numRuns: 60 },
    );
  });

  it('a refresh after new episodes changes the answer', async () => {
    await w.insert([{ unit: B, waited: 7 }, { unit: B, waited: 9 }]);
    const before = unitRow((await rowsOf(`service=${w.serviceId}`)).items, B);
    expect(before.waitingCount).toBeNull(); // not yet refreshed
    await w.refresh(w.regionCode);
    const { items } = await rowsOf(`service=${w.serviceId}`);
    expect(unitRow(items, B)).toMatchObject({ waitingCount: 5, medianWaitedDays: 7, suppressed: false }); // 5, 5, 7, 9, 78
    expect(unitRow(items, C)).toMatchObject({ waitingCount: 5, suppressed: false });
    expect(items[0]).toMatchObject({ level: 'national', waitingCount: 16 });
    // answers are cached; a capacity report written by another instance shows once the version is read again (every
    // second, here at once), and If-None-Match gives 304
    await sql`INSERT INTO capacity_reports (unit_hsa_id, service_id, valid_from, expected_wait_days, weekly_capacity_for_other_regions, accepts_other_regions, reported_by, reported_at)
              VALUES (${B}, ${w.serviceId}, ${TODAY}::date, 21, 1, true, 'test', now())`.execute(t.database.db);
    await t.app.pollCaches();
    const withReport = await get(`service=${w.serviceId}`);
    expect(unitRow((withReport.json() as { items: Row[] }).items, B)).toMatchObject({ reportedExpectedWaitDays: 21, stale: false });
    const again304 = await t.app.inject({ method: 'GET', url: `/api/v1/waiting-times?service=${w.serviceId}`, headers: { 'if-none-match': withReport.headers.etag as string } });
    expect(again304.statusCode).toBe(304);
    // a full refresh gives the same figures as a regional one
    const snapshot = await sql`SELECT * FROM waiting_time_stats WHERE service_id = ${w.serviceId} ORDER BY level, region_code, unit_hsa_id, view`.execute(t.database.db);
    await w.refresh();
    const again = await sql`SELECT * FROM waiting_time_stats WHERE service_id = ${w.serviceId} ORDER BY level, region_code, unit_hsa_id, view`.execute(t.database.db);
    expect(again.rows).toEqual(snapshot.rows);
  });
});

interface Item {
  recordId: string;
  unitHsaId: string;
  deadline: string;
  forecastDate: string | null;
  daysLeft: number;
  breached: boolean;
  waitedDays: number;
  clockStart: string;
  [k: string]: unknown;
}

describe.each(targets)('breach forecasts (at-risk) on %s', (target) => {
  let t: TestApp;
  let w: Awaited<ReturnType<typeof prepareWorld>>;
  let A: string, C: string;
  const get = async (query: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url: `/api/v1/waiting-list/at-risk?${query}`, headers });

  beforeAll(async () => {
    t = await startTestApp(target, { clock: '2026-11-26T10:00:00Z' });
    w = await prepareWorld(t);
    const [a, b, c] = w.units as [string, string, string];
    A = a;
    C = c;
    await w.insert(standardList(a, b, c));
    await w.refresh(w.regionCode);
  });
  afterAll(async () => t?.close());

  it('lists breached and forecast-to-breach episodes ordered by deadline, with no patient identity', async () => {
    const coordinator = await t.auth({ roles: ['coordinator'], regionCode: w.regionCode });
    const r = await get(`region=${w.regionCode}&service=${w.serviceId}`, coordinator);
    expect(r.statusCode, r.body).toBe(200);
    const body = r.json() as { items: Item[]; nextCursor: string | null; withinDays: number };
    expect(body.withinDays).toBe(14);
    // A's 200-day wait (breached); A's 85-day wait (deadline in 5 days, queue place 2 at 7 per 90 days → 26 days);
    // C's 80-day wait (deadline in 10 days, no throughput → forecast unknown). B's 78-day wait is booked before its deadline.
    expect(body.items.map((i) => [i.unitHsaId, i.daysLeft, i.breached, i.forecastDate])).toEqual([
      [A, -110, true, addDays(TODAY, remainingWaitDays(1, 7)!)],
      [A, 5, false, addDays(TODAY, 26)],
      [C, 10, false, null],
    ]);
    expect(remainingWaitDays(2, 7)).toBe(26);
    expect(body.items[1]).toMatchObject({ deadline: addDays(TODAY, 5), waitedDays: 85, clockStart: addDays(TODAY, -95) });
    for (const i of body.items) {
      expect(Object.keys(i).sort()).toEqual(['breached', 'clockStart', 'daysLeft', 'deadline', 'forecastDate', 'homeMunicipality', 'recordId', 'serviceId', 'unitHsaId', 'waitedDays']);
      expect(i.homeMunicipality).toMatch(/^\d{4}$/);
      expect(JSON.stringify(i)).not.toMatch(/[0-9a-f]{64}/);
    }
  });

  it('a longer horizon adds only episodes whose forecast is after their deadline', async () => {
    const admin = await t.auth({ roles: ['admin'] });
    const r = await get(`region=${w.regionCode}&service=${w.serviceId}&withinDays=60`, admin);
    // A's 40- and 30-day waits (deadlines in 50 and 60 days) are forecast for 39 and 52 days: on time, not listed
    expect((r.json() as { items: Item[] }).items.map((i) => i.daysLeft)).toEqual([-110, 5, 10]);
    const r2 = await get(`region=${w.regionCode}&service=${w.serviceId}&withinDays=0`, admin);
    expect((r2.json() as { items: Item[] }).items.map((i) => i.daysLeft)).toEqual([-110]);
    // one unit only
    const onlyC = await get(`region=${w.regionCode}&service=${w.serviceId}&unit=${C.toLowerCase()}`, admin);
    expect((onlyC.json() as { items: Item[] }).items.map((i) => [i.unitHsaId, i.daysLeft])).toEqual([[C, 10]]);
  });

  it('pages with limit and cursor in deadline order', async () => {
    const admin = await t.auth({ roles: ['admin'] });
    const first = (await get(`region=${w.regionCode}&service=${w.serviceId}&limit=2`, admin)).json() as { items: Item[]; nextCursor: string | null };
    expect(first.items.map((i) => i.daysLeft)).toEqual([-110, 5]);
    expect(first.nextCursor).toBeTruthy();
    const second = (await get(`region=${w.regionCode}&service=${w.serviceId}&limit=2&cursor=${first.nextCursor}`, admin)).json() as { items: Item[]; nextCursor: string | null };
    expect(second.items.map((i) => i.daysLeft)).toEqual([10]);
    expect(second.nextCursor).toBeNull();
    expect((await get(`region=${w.regionCode}&cursor=garbage`, admin)).statusCode).toBe(400);
    expect((await get(`region=${w.regionCode}&limit=1001`, admin)).statusCode).toBe(400);
  });

  it('is for the coordinator of that region (or an admin) only', async () => {
    expect((await get(`region=${w.regionCode}`)).statusCode).toBe(401);
    expect((await get(`region=${w.regionCode}`, await t.auth({ roles: ['coordinator'], regionCode: w.otherRegion }))).statusCode).toBe(403);
    expect((await get(`region=${w.regionCode}`, await t.auth({ roles: ['analyst'] }))).statusCode).toBe(403);
    expect((await get(`region=${w.regionCode}`, await t.auth({ roles: ['region-reporter'], regionCode: w.regionCode }))).statusCode).toBe(403);
    expect((await get(`region=${w.regionCode}`, await t.auth({ roles: ['coordinator'] }))).statusCode).toBe(403);
    expect((await get('', await t.auth({ roles: ['admin'] }))).statusCode).toBe(400);
  });

  it('audits every read in the region', async () => {
    const coordinator = await t.auth({ roles: ['coordinator'], regionCode: w.regionCode, subject: 'coord-at-risk' });
    const r = await get(`region=${w.regionCode}&withinDays=7`, coordinator);
    expect(r.statusCode).toBe(200);
    const events = await t.database.db.selectFrom('audit_events').selectAll().where('action', '=', 'waiting_list.at_risk').where('actor_subject', '=', 'coord-at-risk').execute();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ entity_type: 'region', entity_id: w.regionCode, outcome: 'success', request_id: r.headers['x-request-id'] });
    expect(events[0]!.details).toMatchObject({ withinDays: 7 });
  });
});
