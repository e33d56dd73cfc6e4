import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { addDays } from '../src/domain/calendar.js';
import { haversineKm } from '../src/domain/ranking.js';
import { SearchOut } from '../src/http/routes/search.routes.js';
import { SearchCache } from '../src/services/brokering/search.service.js';
import { refreshWaitingTimes } from '../src/services/waiting-times.service.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { targets } from './helpers/db.js';

const TODAY = '2026-11-26';
const ago = (n: number) => addDays(TODAY, -n);
const MUNICIPALITY = '0180'; // Stockholm, region 01
const HOME_REGION = '01';

interface Reason { sv: string; en: string }
interface Unit { hsaId: string; regionCode: string; location: { lat: number; lng: number } }
interface Option {
  rank: number; tier: number; unit: Unit; forecastWaitDays: number | null; forecastSource: string | null; earliestDate: string | null; meetsDeadline: boolean | null;
  daysSaved: number | null; distanceKm: number | null; travelMinutesEstimate: number | null; capacityAvailable: boolean | null; stale: boolean; score: number;
  homeRegion: boolean; trackRecord: { requests: number; accepted: number; medianResponseHours: number | null } | null; reasons: Reason[];
}
interface Answer {
  serviceId: string; municipalityCode: string; homeRegionCode: string; today: string; deadline: string | null; homeForecastDays: number | null; total: number; limit: number;
  options: Option[]; excludedCount: number; excluded: { unit: Unit; distanceKm: number | null; reasonCode: string; reason: Reason }[];
}

/**
 * The test's world: a service offered by at least four units of one region other than 01 (A–D) and at least one unit in
 * region 01 (H), with every capacity report and waiting episode of the service cleared.
 */
async function prepareWorld(t: TestApp) {
  const db = t.database.db;
  const found = await sql<{ service_id: string; region_code: string; units: string[]; home: string[] }>`
    WITH offered AS (
      SELECT us.service_id, u.region_code, u.hsa_id FROM unit_services us JOIN units u ON u.hsa_id = us.unit_hsa_id WHERE u.active)
    SELECT o.service_id, o.region_code, array_agg(o.hsa_id ORDER BY o.hsa_id) AS units,
           (SELECT array_agg(h.hsa_id ORDER BY h.hsa_id) FROM offered h WHERE h.service_id = o.service_id AND h.region_code = ${HOME_REGION}) AS home
      FROM offered o
     WHERE o.region_code <> ${HOME_REGION}
       AND EXISTS (SELECT 1 FROM offered h WHERE h.service_id = o.service_id AND h.region_code = ${HOME_REGION})
     GROUP BY o.service_id, o.region_code HAVING count(*) >= 4
     ORDER BY o.service_id, o.region_code LIMIT 1`.execute(db);
  const w = found.rows[0]!;
  await sql`DELETE FROM waiting_episodes WHERE service_id = ${w.service_id}`.execute(db);
  await sql`DELETE FROM capacity_reports WHERE service_id = ${w.service_id}`.execute(db);
  const submissions = new Map<string, string>();
  const submissionFor = async (regionCode: string) => {
    let id = submissions.get(regionCode);
    if (id) return id;
    id = crypto.randomUUID();
    submissions.set(regionCode, id);
    await sql`INSERT INTO submissions (id, kind, region_code, mode, content_type, content_sha256, bytes, status, submitted_by, submitted_at, finished_at)
              VALUES (${id}, 'waiting_list', ${regionCode}, 'delta', 'text/csv', ${crypto.randomBytes(32).toString('hex')}, 100, 'applied', 'test', '2026-11-20T10:00:00Z', '2026-11-20T10:00:05Z')`.execute(db);
    return id;
  };
  const patientKeys: string[] = [];
  let n = 0;
  /** `waiting` episodes waiting and `completed` completed in the last 90 days at the unit: forecast (waiting + 1) × 90 / completed. */
  const episodes = async (unit: string, waiting: number, completed: number) => {
    const u = (await sql<{ region_code: string; municipality_code: string }>`SELECT region_code, municipality_code FROM units WHERE hsa_id = ${unit}`.execute(db)).rows[0]!;
    const submissionId = await submissionFor(u.region_code);
    for (let i = 0; i < waiting + completed; i++) {
      const done = i >= waiting;
      const key = crypto.randomBytes(32).toString('hex');
      patientKeys.push(key);
      await sql`INSERT INTO waiting_episodes (region_code, record_id, unit_hsa_id, service_id, patient_key, sex, birth_year, home_municipality, clock_start,
                  patient_chosen_days, medical_pause_days, status, completed_on, booked_on, first_submission_id, last_submission_id, updated_at)
                VALUES (${u.region_code}, ${`st-${String(++n).padStart(4, '0')}`}, ${unit}, ${w.service_id}, ${key}, 'F', 1970, ${u.municipality_code},
                  ${ago(40)}::date, 0, 0, ${done ? 'completed' : 'waiting'}, ${done ? ago(5) : null}::date, NULL, ${submissionId}, ${submissionId}, now())`.execute(db);
    }
  };
  const report = async (unit: string, r: { validFrom: string; wait: number; capacity: number; accepts: boolean }) =>
    sql`INSERT INTO capacity_reports (unit_hsa_id, service_id, valid_from, expected_wait_days, weekly_capacity_for_other_regions, accepts_other_regions, reported_by, reported_at)
        VALUES (${unit}, ${w.service_id}, ${r.validFrom}::date, ${r.wait}, ${r.capacity}, ${r.accepts}, 'test', clock_timestamp())`.execute(db);
  const refresh = () => db.transaction().execute((trx) => refreshWaitingTimes(trx, { today: TODAY }));
  return { serviceId: w.service_id, region: w.region_code, units: w.units, home: w.home, episodes, report, refresh, patientKeys };
}

/** A case and four requests to `unit`: accepted after 2 h, declined after 4 h, expired, withdrawn before an answer. */
async function trackRecordFor(t: TestApp, serviceId: string, unit: string): Promise<string> {
  const db = t.database.db;
  const caseId = crypto.randomUUID();
  const secret = `PATIENT-SECRET-${crypto.randomBytes(6).toString('hex')}`;
  await sql`INSERT INTO cases (id, region_code, service_id, guarantee_kind, clock_start, deadline, status, origin, patient_lookup, patient_identity_enc, patient_name_enc,
              patient_kind, patient_birth_year, patient_sex, home_municipality, opened_by, opened_at, updated_at)
            VALUES (${caseId}, ${HOME_REGION}, ${serviceId}, 'treatment', ${ago(100)}::date, ${addDays(TODAY, 30)}::date, 'requested', 'coordinator', ${secret}, ${secret}, ${secret},
              'personnummer', 1970, 'F', ${MUNICIPALITY}, 'test', '2026-11-01T08:00:00Z', '2026-11-01T08:00:00Z')`.execute(db);
  const org = (await sql<{ organization_id: string }>`SELECT organization_id FROM units WHERE hsa_id = ${unit}`.execute(db)).rows[0]!.organization_id;
  const rows: [string, string | null, string | null, string | null][] = [
    ['accepted', '2026-11-02T10:00:00Z', '2026-12-10', null],
    ['declined', '2026-11-02T12:00:00Z', null, 'no_capacity'],
    ['expired', null, null, null],
    ['withdrawn', null, null, null],
  ];
  for (const [status, answeredAt, offered, decline] of rows)
    await sql`INSERT INTO requests (id, case_id, unit_hsa_id, organization_id, status, sent_by, sent_at, respond_by, answered_by, answered_at, offered_date, decline_reason)
              VALUES (${crypto.randomUUID()}, ${caseId}, ${unit}, ${org}, ${status}, 'test', '2026-11-02T08:00:00Z', '2026-11-05T08:00:00Z',
                ${answeredAt === null ? null : 'test'}, ${answeredAt}::timestamptz, ${offered}::date, ${decline})`.execute(db);
  return secret;
}

describe.each(targets)('GET /api/v1/search on %s', (target) => {
  let t: TestApp;
  let w: Awaited<ReturnType<typeof prepareWorld>>;
  let A: string, B: string, C: string, D: string, H: string;
  let coordinator: { authorization: string };
  let secret: string;
  let muni: { lat: number; lng: number };
  const deadline = addDays(TODAY, 60);

  const search = async (query: string, headers = coordinator) => t.app.inject({ method: 'GET', url: `/api/v1/search?${query}`, headers });
  const answer = async (query: string) => {
    const r = await search(query);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    const parsed = SearchOut.safeParse(r.json()); // the answer is sent without the serializer's check: check it here
    expect(parsed.success, JSON.stringify(parsed.error?.issues.slice(0, 3))).toBe(true);
    return r.json() as Answer;
  };
  const base = () => `service=${w.serviceId}&municipality=${MUNICIPALITY}`;
  const option = (a: Answer, hsa: string) => a.options.find((o) => o.unit.hsaId === hsa);

  beforeAll(async () => {
    t = await startTestApp(target, { clock: '2026-11-26T10:00:00Z' });
    w = await prepareWorld(t);
    [A, B, C, D] = w.units as [string, string, string, string];
    H = w.home[0]!;
    // A: computed forecast (2 waiting, 9 completed: 3 × 90 / 9 = 30 days), fresh report with capacity → tier 1 with a deadline 60 days out.
    await w.episodes(A, 2, 9);
    await w.report(A, { validFrom: ago(10), wait: 45, capacity: 5, accepts: true });
    // B: a very short reported wait, but the report is stale (60 days old) → tier 3.
    await w.report(B, { validFrom: ago(60), wait: 3, capacity: 10, accepts: true });
    // C: nothing at all → no forecast, tier 3.
    // D: takes no patients from other regions → excluded.
    await w.report(D, { validFrom: ago(5), wait: 10, capacity: 4, accepts: false });
    // H (home region): says it takes none from other regions, which does not concern a patient of its own region; the home forecast 10 × 90 / 5 = 180.
    await w.episodes(H, 9, 5);
    await w.report(H, { validFrom: ago(3), wait: 20, capacity: 0, accepts: false });
    await w.refresh();
    secret = await trackRecordFor(t, w.serviceId, A);
    coordinator = await t.auth({ roles: ['coordinator'], regionCode: '12' }); // a coordinator of any region may search nationally
    const m = (await sql<{ lat: number; lng: number }>`SELECT lat, lng FROM municipalities WHERE code = ${MUNICIPALITY}`.execute(t.database.db)).rows[0]!;
    muni = { lat: Number(m.lat), lng: Number(m.lng) };
  });
  afterAll(async () => t?.close());

  it('ranks a fresh computed forecast that meets the deadline above a stale one and one without a forecast', async () => {
    const a = await answer(`${base()}&deadline=${deadline}&limit=100`);
    expect(a).toMatchObject({ serviceId: w.serviceId, municipalityCode: MUNICIPALITY, homeRegionCode: HOME_REGION, today: TODAY, deadline, homeForecastDays: 180 });
    const [oa, ob, oc] = [option(a, A), option(a, B), option(a, C)];
    expect(oa).toMatchObject({
      tier: 1, forecastWaitDays: 30, forecastSource: 'computed', earliestDate: addDays(TODAY, 30), meetsDeadline: true, daysSaved: 150, capacityAvailable: true, stale: false, homeRegion: false,
      trackRecord: { requests: 3, accepted: 1, medianResponseHours: 3 },
    });
    expect(ob).toMatchObject({ tier: 3, forecastWaitDays: 3, forecastSource: 'reported', stale: true });
    expect(oc).toMatchObject({ tier: 3, forecastWaitDays: null, forecastSource: null, earliestDate: null, meetsDeadline: null, trackRecord: null });
    expect(oa!.rank).toBeLessThan(ob!.rank);
    expect(oa!.rank).toBeLessThan(oc!.rank);
    expect(a.options[0]!.unit.hsaId).toBe(A); // the only tier-1 option
    expect(a.options.map((o) => o.rank)).toEqual(a.options.map((_, i) => i + 1));
    // tiers never go back up, scores fall within a tier
    for (let i = 1; i < a.options.length; i++) {
      const [p, q] = [a.options[i - 1]!, a.options[i]!];
      expect(q.tier).toBeGreaterThanOrEqual(p.tier);
      if (q.tier === p.tier) expect(q.score).toBeLessThanOrEqual(p.score);
    }
  });

  it('names the forecast source in Swedish and English, and the stale data and the track record', async () => {
    const a = await answer(`${base()}&deadline=${deadline}&limit=100`);
    const [ra, rb, rc] = [option(a, A)!.reasons, option(a, B)!.reasons, option(a, C)!.reasons];
    expect(ra[0]!.sv).toContain('från väntelistan');
    expect(ra[0]!.en).toContain('from the waiting list');
    expect(ra.some((r) => r.en.includes('Meets the guarantee deadline') && r.sv.includes('Klarar vårdgarantins sista dag'))).toBe(true);
    expect(ra.some((r) => r.en.includes('Accepted 1 of 3 requests'))).toBe(true);
    expect(rb[0]!.sv).toContain('enhetens egen uppgift');
    expect(rb[0]!.en).toContain("the unit's own report");
    expect(rb.some((r) => r.en.includes('out of date') && r.sv.includes('inaktuella'))).toBe(true);
    expect(rc[0]!.en).toMatch(/^No wait forecast/);
    expect(rc[0]!.sv).toMatch(/^Ingen väntetidsprognos/);
  });

  it('measures the distance from the municipality and estimates the travel time', async () => {
    const a = await answer(`${base()}&limit=100`);
    for (const o of a.options) {
      const km = haversineKm(muni, o.unit.location);
      expect(o.distanceKm).toBeCloseTo(Math.round(km * 10) / 10, 5);
      expect(o.travelMinutesEstimate).toBe(Math.round(((km * 1.3) / 70) * 60 + 15));
    }
    expect(option(a, A)!.reasons.some((r) => r.en.includes('km') && r.en.includes('estimate'))).toBe(true);
  });

  it('leaves out units that take no patients from other regions, with the reason, but keeps those of the home region', async () => {
    const a = await answer(`${base()}&limit=100`);
    expect(option(a, D)).toBeUndefined();
    const d = a.excluded.find((e) => e.unit.hsaId === D)!;
    expect(d).toMatchObject({ reasonCode: 'not_accepting_other_regions' });
    expect(d.reason.en).toContain('Takes no patients from other regions');
    expect(d.reason.sv).toContain('inte emot patienter från andra regioner');
    expect(option(a, H)).toMatchObject({ homeRegion: true, forecastSource: 'computed', forecastWaitDays: 180, capacityAvailable: false });
    expect(a.excludedCount).toBe(a.excluded.length);
  });

  it('excludes units beyond maxDistanceKm, nearest first, with the reason', async () => {
    const all = await answer(`${base()}&limit=100`);
    const distA = option(all, A)!.distanceKm!;
    expect(distA).toBeGreaterThan(2);
    const max = Math.floor(distA) - 1;
    const a = await answer(`${base()}&maxDistanceKm=${max}&limit=100`);
    expect(a.options.every((o) => o.distanceKm! <= max)).toBe(true);
    expect(option(a, A)).toBeUndefined();
    const far = a.excluded.filter((e) => e.reasonCode === 'beyond_max_distance');
    expect(far.find((e) => e.unit.hsaId === A)!.reason.en).toContain(`Farther than the maximum distance of ${max} km`);
    expect(far.every((e) => e.distanceKm! > max)).toBe(true);
    expect(a.total + a.excludedCount).toBe(all.total + all.excludedCount);
    const ds = a.excluded.map((e) => e.distanceKm!);
    expect(ds).toEqual([...ds].sort((x, y) => x - y));
    const two = await answer(`${base()}&maxDistanceKm=${max}&limit=2`);
    expect(two.excluded).toEqual(a.excluded.slice(0, 2));
    expect(two.options).toEqual(a.options.slice(0, 2));
    expect(two.excludedCount).toBe(a.excludedCount);
  });

  it('returns the first `limit` options of the same ranking', async () => {
    const all = await answer(`${base()}&deadline=${deadline}&limit=100`);
    for (const limit of [1, 2, 3, 7]) {
      const few = await answer(`${base()}&deadline=${deadline}&limit=${limit}`);
      expect(few.total).toBe(all.total);
      expect(few.options).toEqual(all.options.slice(0, limit));
      expect(few.excluded).toEqual(all.excluded.slice(0, limit));
      expect(few.excludedCount).toBe(all.excludedCount);
    }
    const dflt = await answer(base());
    expect(dflt.limit).toBe(10);
    expect(dflt.options.length).toBe(Math.min(10, dflt.total));
  });

  it('sees a new capacity report and a new waiting-time refresh at once (the cache is dropped)', async () => {
    const before = await answer(`${base()}&limit=100`);
    expect(option(before, C)!.forecastSource).toBeNull();
    await w.report(C, { validFrom: ago(1), wait: 12, capacity: 3, accepts: true });
    const reported = await answer(`${base()}&limit=100`);
    expect(option(reported, C)).toMatchObject({ forecastSource: 'reported', forecastWaitDays: 12, tier: 1, capacityAvailable: true });
    await w.episodes(C, 0, 9); // (0 + 1) × 90 / 9 = 10 days
    const unchanged = await answer(`${base()}&limit=100`);
    expect(option(unchanged, C)!.forecastSource).toBe('reported'); // episodes alone do not change the figures
    await w.refresh();
    const computed = await answer(`${base()}&limit=100`);
    expect(option(computed, C)).toMatchObject({ forecastSource: 'computed', forecastWaitDays: 10 });
    expect(option(computed, C)!.reasons[0]!.en).toContain('from the waiting list');
  });

  it('answers 404 for an unknown service or municipality, 422 for a past deadline, 400 for malformed input', async () => {
    const svc = await search(`service=no-such-service&municipality=${MUNICIPALITY}`);
    expect(svc.statusCode).toBe(404);
    expect(svc.json().detail).toContain('no-such-service');
    const mun = await search(`service=${w.serviceId}&municipality=0000`);
    expect(mun.statusCode).toBe(404);
    expect(mun.json().detail).toContain('0000');
    const past = await search(`${base()}&deadline=${ago(1)}`);
    expect(past.statusCode, past.body).toBe(422);
    expect(JSON.stringify(past.json())).toContain('deadline');
    expect((await search(`${base()}&deadline=${TODAY}`)).statusCode).toBe(200);
    for (const bad of [
      `service=${w.serviceId}&municipality=180`,
      `service=${w.serviceId}&municipality=01800`,
      `service=${w.serviceId}&municipality=abcd`,
      `service=${w.serviceId}`,
      `municipality=${MUNICIPALITY}`,
      `${base()}&deadline=2026-02-30`,
      `${base()}&deadline=tomorrow`,
      `${base()}&maxDistanceKm=0`,
      `${base()}&maxDistanceKm=2001`,
      `${base()}&maxDistanceKm=12.5`,
      `${base()}&limit=0`,
      `${base()}&limit=101`,
    ]) {
      const r = await search(bad);
      expect(r.statusCode, `${bad}: ${r.body}`).toBe(400);
    }
  });

  it('is for coordinators and admins: 401 without a token, 403 for a provider or a region reporter', async () => {
    const admin = await t.auth({ roles: ['admin'] });
    expect((await search(base(), admin)).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/search?${base()}` })).statusCode).toBe(401);
    const provider = await t.auth({ roles: ['provider'], organizationId: 'region-01' });
    expect((await search(base(), provider)).statusCode).toBe(403);
    const reporter = await t.auth({ roles: ['region-reporter'], regionCode: '01' });
    expect((await search(base(), reporter)).statusCode).toBe(403);
  });

  it('never contains patient data', async () => {
    const r = await search(`${base()}&deadline=${deadline}&limit=100`);
    expect(r.statusCode).toBe(200);
    expect(r.body).not.toContain(secret);
    for (const key of w.patientKeys) expect(r.body).not.toContain(key);
    expect(r.body).not.toMatch(/\b(19|20)\d{6}-?\d{4}\b/); // nothing shaped like a personnummer
    const keys = new Set<string>();
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v !== null && typeof v === 'object')
        for (const [k, x] of Object.entries(v)) {
          keys.add(k);
          walk(x);
        }
    };
    walk(r.json());
    expect([...keys].filter((k) => /patient|person|birth|sex|phone|name/i.test(k) && k !== 'name' && k !== 'municipalityName')).toEqual([]);
  });
});

describe.each(targets)('SearchCache on %s', (target) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(target, { clock: '2026-11-26T10:00:00Z' });
  });
  afterAll(async () => t?.close());

  it('reads the track record again at most every 60 s, answering with the old one meanwhile', async () => {
    const db = t.database.db;
    const unit = (await sql<{ hsa_id: string; service_id: string }>`
      SELECT us.unit_hsa_id AS hsa_id, us.service_id FROM unit_services us JOIN units u ON u.hsa_id = us.unit_hsa_id WHERE u.active ORDER BY 1, 2 LIMIT 1`.execute(db)).rows[0]!;
    let now = 1_000_000;
    const cache = new SearchCache(db, { now: () => now });
    const at = new Date('2026-11-26T10:00:00Z');
    expect((await cache.trackRecords(at)).get(unit.hsa_id)).toBeUndefined();
    await trackRecordFor(t, unit.service_id, unit.hsa_id);
    now += 59_000;
    expect((await cache.trackRecords(at)).get(unit.hsa_id)).toBeUndefined(); // within 60 s: not read again
    now += 2_000;
    expect((await cache.trackRecords(at)).get(unit.hsa_id)).toBeUndefined(); // older: answered at once, read in the background
    for (let i = 0; i < 50 && (await cache.trackRecords(at)).get(unit.hsa_id) === undefined; i++) await new Promise((r) => setTimeout(r, 20));
    expect((await cache.trackRecords(at)).get(unit.hsa_id)).toEqual({ requests: 3, accepted: 1, medianResponseHours: 3 });
  });
});
