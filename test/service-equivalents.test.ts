import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { addDays } from '../src/domain/calendar.js';
import { checkEquivalents, MAX_EQUIVALENTS, type CatalogueEntry } from '../src/domain/directory.js';
import { SearchOut } from '../src/http/routes/search.routes.js';
import { refreshWaitingTimes } from '../src/services/waiting-times.service.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { freshPersonnummer } from './helpers/brokering.js';
import { targets } from './helpers/db.js';

/**
 * Declared equivalent services (issue 4): the catalogue's `equivalents`, its rules, and what they change in the capacity
 * search and in sending requests. The test makes its own services (S, its equivalent E, and some that may not be one) and
 * gives demo units S and E, so nothing else in the demo directory offers them.
 */

type Headers = { authorization: string };
interface ServiceJson { id: string; contactType: string; active: boolean; equivalents: string[]; version: number }
interface Reason { sv: string; en: string }
interface OptionJson { unit: { hsaId: string }; offeredServiceId: string; forecastWaitDays: number | null; forecastSource: string | null; reportedExpectedWaitDays: number | null;
  capacityAvailable: boolean | null; daysSaved: number | null; reasons: Reason[] }
interface AnswerJson { serviceId: string; homeForecastDays: number | null; total: number; options: OptionJson[] }

const TODAY = '2026-11-26';
const ago = (n: number) => addDays(TODAY, -n);
const MUNICIPALITY = '0180'; // Stockholm, region 01
const run = crypto.randomBytes(3).toString('hex');
const S = `eqt-knee-${run}`;
const E = `eqt-knee-day-${run}`;
const FIRST_VISIT = `eqt-first-${run}`;
const INACTIVE = `eqt-old-${run}`;
const NAME_S = { sv: 'Testknäprotesoperation', en: 'Test knee replacement' };
const NAME_E = { sv: 'Testknäprotes, dagkirurgi', en: 'Test knee replacement, day surgery' };

describe.each(targets)('declared equivalent services on %s', (target) => {
  let t: TestApp;
  let admin: Headers;
  let coordinator: Headers;
  /** UE offers only E, UB offers S and E, UN neither (all outside region 01, of three organisations); UH offers S in region 01 */
  let UE: { hsaId: string; organizationId: string }, UB: string, UN: string, UH: string;

  const call = async (method: 'GET' | 'POST' | 'PATCH', url: string, headers: Record<string, string> = {}, payload?: unknown) =>
    t.app.inject({ method, url: `/api/v1${url}`, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
  const service = async (id: string) => {
    const r = await call('GET', `/services/${id}`);
    expect(r.statusCode, r.body).toBe(200);
    return r.json() as ServiceJson;
  };
  const patch = async (id: string, body: Record<string, unknown>, ifMatch?: number) =>
    call('PATCH', `/services/${id}`, { ...admin, ...(ifMatch === undefined ? {} : { 'if-match': `"v${ifMatch}"` }) }, body);
  const auditCount = async (id: string) =>
    Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM audit_events WHERE entity_type = 'service' AND entity_id = ${id}`.execute(t.database.db)).rows[0]!.n);
  const search = async () => {
    const r = await call('GET', `/search?service=${S}&municipality=${MUNICIPALITY}&limit=100`, coordinator);
    expect(r.statusCode, r.body).toBe(200);
    const parsed = SearchOut.safeParse(r.json()); // sent without the serializer's check: check it here
    expect(parsed.success, JSON.stringify(parsed.error?.issues.slice(0, 3))).toBe(true);
    return r.json() as AnswerJson;
  };
  const optionsAt = (a: AnswerJson, hsaId: string) => a.options.filter((o) => o.unit.hsaId === hsaId);
  const openCase = async () => {
    const r = await call('POST', '/cases', coordinator, {
      serviceId: S, clockStart: '2026-10-01', patient: { personnummer: freshPersonnummer(), homeMunicipality: MUNICIPALITY },
    });
    expect(r.statusCode, r.body).toBe(201);
    return r.json() as { id: string; deadline: string };
  };
  const send = async (caseId: string, unitHsaId: string) => call('POST', `/cases/${caseId}/requests`, coordinator, { unitHsaId });

  beforeAll(async () => {
    t = await startTestApp(target, { clock: '2026-11-26T09:00:00Z' });
    const db = t.database.db;
    admin = await t.auth({ roles: ['admin'] });
    coordinator = await t.auth({ roles: ['coordinator'], regionCode: '01', subject: 'coordinator-01' });
    const create = async (id: string, contactType: string, name = { sv: `Testtjänst ${id}`, en: `Test service ${id}` }) => {
      const r = await call('POST', '/services', admin, { id, name, contactType, specialty: 'orthopaedics' });
      expect(r.statusCode, r.body).toBe(201);
    };
    await create(S, 'treatment', NAME_S);
    await create(E, 'treatment', NAME_E);
    await create(FIRST_VISIT, 'first_visit');
    await create(INACTIVE, 'treatment');
    expect((await patch(INACTIVE, { active: false })).statusCode).toBe(200);

    const units = (await sql<{ hsa_id: string; organization_id: string }>`
      SELECT DISTINCT ON (organization_id) hsa_id, organization_id FROM units WHERE active AND region_code <> '01' ORDER BY organization_id, hsa_id LIMIT 3`.execute(db)).rows;
    expect(units).toHaveLength(3);
    UE = { hsaId: units[0]!.hsa_id, organizationId: units[0]!.organization_id };
    UB = units[1]!.hsa_id;
    UN = units[2]!.hsa_id;
    UH = (await sql<{ hsa_id: string }>`SELECT hsa_id FROM units WHERE active AND region_code = '01' ORDER BY hsa_id LIMIT 1`.execute(db)).rows[0]!.hsa_id;
    for (const [unit, serviceId] of [[UE.hsaId, E], [UB, S], [UB, E], [UH, S]] as const)
      await sql`INSERT INTO unit_services (unit_hsa_id, service_id) VALUES (${unit}, ${serviceId})`.execute(db);

    const report = async (unit: string, serviceId: string, wait: number, capacity: number) =>
      sql`INSERT INTO capacity_reports (unit_hsa_id, service_id, valid_from, expected_wait_days, weekly_capacity_for_other_regions, accepts_other_regions, reported_by, reported_at)
          VALUES (${unit}, ${serviceId}, ${ago(5)}::date, ${wait}, ${capacity}, true, 'test', clock_timestamp())`.execute(db);
    await report(UE.hsaId, E, 12, 3);
    await report(UB, S, 20, 2);
    await report(UB, E, 5, 9);

    // Waiting-list figures: E at UE (2 waiting, 9 completed: 3 × 90 / 9 = 30 days), S at UH in region 01 (10 × 90 / 5 = 180).
    const submissions = new Map<string, string>();
    let n = 0;
    const episodes = async (unit: string, serviceId: string, waiting: number, completed: number) => {
      const u = (await sql<{ region_code: string; municipality_code: string }>`SELECT region_code, municipality_code FROM units WHERE hsa_id = ${unit}`.execute(db)).rows[0]!;
      let submissionId = submissions.get(u.region_code);
      if (!submissionId) {
        submissionId = crypto.randomUUID();
        submissions.set(u.region_code, submissionId);
        await sql`INSERT INTO submissions (id, kind, region_code, mode, content_type, content_sha256, bytes, status, submitted_by, submitted_at, finished_at)
                  VALUES (${submissionId}, 'waiting_list', ${u.region_code}, 'delta', 'text/csv', ${crypto.randomBytes(32).toString('hex')}, 100, 'applied', 'test',
                    '2026-11-20T10:00:00Z', '2026-11-20T10:00:05Z')`.execute(db);
      }
      for (let i = 0; i < waiting + completed; i++) {
        const done = i >= waiting;
        await sql`INSERT INTO waiting_episodes (region_code, record_id, unit_hsa_id, service_id, patient_key, sex, birth_year, home_municipality, clock_start,
                    patient_chosen_days, medical_pause_days, status, completed_on, booked_on, first_submission_id, last_submission_id, updated_at)
                  VALUES (${u.region_code}, ${`eqt-${run}-${++n}`}, ${unit}, ${serviceId}, ${crypto.randomBytes(32).toString('hex')}, 'F', 1970, ${u.municipality_code},
                    ${ago(40)}::date, 0, 0, ${done ? 'completed' : 'waiting'}, ${done ? ago(5) : null}::date, NULL, ${submissionId}, ${submissionId}, now())`.execute(db);
      }
    };
    await episodes(UE.hsaId, E, 2, 9);
    await episodes(UH, S, 9, 5);
    await db.transaction().execute((trx) => refreshWaitingTimes(trx, { today: TODAY }));
  });
  afterAll(async () => t?.close());

  it('declares equivalents by PATCH (If-Match), shows them sorted in the catalogue, and audits the new set', async () => {
    const before = await service(S);
    expect(before.equivalents).toEqual([]);
    const audits = await auditCount(S);
    const r = await patch(S, { equivalents: [E] }, before.version);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ id: S, equivalents: [E], version: before.version + 1 });
    expect(r.headers.etag).toBe(`"v${before.version + 1}"`);
    expect((await service(S)).equivalents).toEqual([E]);
    const list = (await call('GET', '/services')).json() as { items: ServiceJson[] };
    expect(list.items.find((x) => x.id === S)!.equivalents).toEqual([E]);
    expect(list.items.find((x) => x.id === E)!.equivalents).toEqual([]); // directed: E does not get S
    expect(await auditCount(S)).toBe(audits + 1);
    const event = await t.database.db.selectFrom('audit_events').select(['action', 'details', 'actor_roles']).where('entity_type', '=', 'service').where('entity_id', '=', S)
      .orderBy('pos', 'desc').executeTakeFirstOrThrow();
    expect(event).toMatchObject({ action: 'service.update', details: { fields: ['equivalents'], equivalents: [E], previousEquivalents: [] } });
    // a stale If-Match changes nothing
    expect((await patch(S, { equivalents: [] }, before.version)).statusCode).toBe(412);
    expect((await service(S)).equivalents).toEqual([E]);
  });

  it('refuses, with 422 naming the id and nothing changed, an unknown, the service itself, another contact type, an inactive one, duplicates and more than 20', async () => {
    const treatments = ((await call('GET', '/services?contactType=treatment')).json() as { items: ServiceJson[] }).items.map((x) => x.id).filter((id) => id !== S);
    expect(treatments.length).toBeGreaterThanOrEqual(21);
    const cases: [unknown[], string, string][] = [
      [[E, 'no-such-service'], 'equivalents[1]', 'no-such-service'],
      [[S], 'equivalents[0]', S],
      [[E, FIRST_VISIT], 'equivalents[1]', FIRST_VISIT],
      [[INACTIVE], 'equivalents[0]', INACTIVE],
      [[E, E], 'equivalents[1]', E],
      [treatments.slice(0, 21), 'equivalents', '21'],
    ];
    const before = await service(S);
    const audits = await auditCount(S);
    for (const [equivalents, field, named] of cases) {
      const r = await patch(S, { equivalents });
      expect(r.statusCode, `${JSON.stringify(equivalents)}: ${r.body}`).toBe(422);
      expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
      const errors = (r.json() as { errors: { field: string; message: string }[] }).errors;
      expect(errors, r.body).toHaveLength(1);
      expect(errors[0]!.field).toBe(field);
      expect(errors[0]!.message).toContain(named);
    }
    expect((await patch(S, { equivalents: [FIRST_VISIT] })).json().errors[0].message).toContain('same contact type');
    expect((await patch(S, { equivalents: [INACTIVE] })).json().errors[0].message).toContain('inactive');
    // POST checks the same rules
    const created = await call('POST', '/services', admin, { id: `eqt-new-${run}`, name: { sv: 'Ny tjänst', en: 'New service' }, contactType: 'treatment', specialty: 'orthopaedics', equivalents: [FIRST_VISIT] });
    expect(created.statusCode).toBe(422);
    expect((await call('GET', `/services/eqt-new-${run}`)).statusCode).toBe(404);
    // a new contact type the declared equivalents (or the services declaring this one) do not share
    const ct = await patch(S, { contactType: 'first_visit' });
    expect(ct.statusCode, ct.body).toBe(422);
    expect(ct.json().errors[0]).toMatchObject({ field: 'contactType', message: expect.stringContaining(E) });
    const ctE = await patch(E, { contactType: 'first_visit' });
    expect(ctE.statusCode, ctE.body).toBe(422);
    expect(ctE.json().errors[0]).toMatchObject({ field: 'contactType', message: expect.stringContaining(S) });
    // shape errors are 400
    expect((await patch(S, { equivalents: E })).statusCode).toBe(400);
    const after = await service(S);
    expect(after).toEqual(before);
    expect(await auditCount(S)).toBe(audits);
  });

  it('lists a unit offering only the equivalent, with its data and the reason in both languages; a unit offering both once, as S', async () => {
    expect((await service(S)).equivalents).toEqual([E]);
    const a = await search();
    expect(a.homeForecastDays).toBe(180); // the searched service's home-region forecast
    const [ue] = optionsAt(a, UE.hsaId);
    expect(ue).toMatchObject({
      offeredServiceId: E, forecastSource: 'computed', forecastWaitDays: 30, reportedExpectedWaitDays: 12, capacityAvailable: true, daysSaved: 150,
    });
    expect(ue!.reasons[0]!.en).toContain('from the waiting list');
    expect(ue!.reasons).toContainEqual({
      sv: `Erbjuder ${NAME_E.sv} — deklarerad som likvärdig med ${NAME_S.sv}`,
      en: `Offers ${NAME_E.en} — declared equivalent to ${NAME_S.en}`,
    });
    const both = optionsAt(a, UB);
    expect(both).toHaveLength(1);
    expect(both[0]).toMatchObject({ offeredServiceId: S, forecastSource: 'reported', forecastWaitDays: 20, reportedExpectedWaitDays: 20 });
    expect(both[0]!.reasons.some((r) => r.en.includes('declared equivalent'))).toBe(false);
    expect(optionsAt(a, UH)[0]).toMatchObject({ offeredServiceId: S });
    expect(optionsAt(a, UN)).toHaveLength(0);
    expect(a.total).toBe(3);
  });

  it('lets a request for a case of S go to the unit offering E, which its provider can accept; still 422 for a unit offering neither', async () => {
    const c = await openCase();
    const r = await send(c.id, UE.hsaId);
    expect(r.statusCode, r.body).toBe(201);
    const requestId = (r.json() as { id: string }).id;
    expect(r.json()).toMatchObject({ offeredServiceId: E });
    const stored = await t.database.db.selectFrom('requests').select(['search_snapshot']).where('id', '=', requestId).executeTakeFirstOrThrow();
    expect(stored.search_snapshot).toMatchObject({ offeredServiceId: E, homeForecastDays: 180 });
    // the provider is told which service it is asked to provide: in its inbox, the request itself and its answer
    const provider = await t.auth({ roles: ['provider'], organizationId: UE.organizationId, subject: 'provider-ue' });
    const inbox = await call('GET', '/requests', provider);
    expect(inbox.statusCode, inbox.body).toBe(200);
    expect((inbox.json() as { items: { id: string; offeredServiceId: string | null; case: { serviceId: string } }[] }).items.find((i) => i.id === requestId))
      .toMatchObject({ offeredServiceId: E, case: { serviceId: S } });
    expect((await call('GET', `/requests/${requestId}`, provider)).json()).toMatchObject({ offeredServiceId: E, case: { serviceId: S } });
    const accepted = await call('POST', `/requests/${requestId}/accept`, provider, { offeredDate: '2026-12-14' });
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(accepted.json()).toMatchObject({ status: 'accepted', offeredDate: '2026-12-14', offeredServiceId: E, case: { status: 'offered' } });
    // a request for the case's own service names none
    const own = await send(c.id, UB);
    expect(own.statusCode, own.body).toBe(201);
    expect(own.json()).toMatchObject({ offeredServiceId: null });

    const none = await send(c.id, UN);
    expect(none.statusCode, none.body).toBe(422);
    const error = (none.json() as { errors: { field: string; message: string }[] }).errors[0]!;
    expect(error.field).toBe('unitHsaId');
    expect(error.message).toContain(`does not offer ${S} or a service declared equivalent to it`);
  });

  it('drops the unit from the next search when the equivalence is removed (the cache follows), and refuses new requests to it', async () => {
    expect(optionsAt(await search(), UE.hsaId)).toHaveLength(1);
    const r = await patch(S, { equivalents: [] });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ equivalents: [] });
    const a = await search();
    expect(optionsAt(a, UE.hsaId)).toHaveLength(0);
    expect(optionsAt(a, UB)).toHaveLength(1);
    expect(a.total).toBe(2);
    const c = await openCase();
    expect((await send(c.id, UE.hsaId)).statusCode).toBe(422);
    // declared again: back at once
    expect((await patch(S, { equivalents: [E] })).statusCode).toBe(200);
    expect(optionsAt(await search(), UE.hsaId)[0]).toMatchObject({ offeredServiceId: E });
  });
});

describe('checkEquivalents (the rules, without a database)', () => {
  const catalogue = new Map<string, CatalogueEntry>([
    ['knee', { contactType: 'treatment', active: true }],
    ['knee-day', { contactType: 'treatment', active: true }],
    ['knee-old', { contactType: 'treatment', active: false }],
    ['ortho-first', { contactType: 'first_visit', active: true }],
  ]);
  const fields = (ids: string[]) => checkEquivalents('knee', 'treatment', ids, catalogue).map((e) => e.field);

  it.each([
    [[], []],
    [['knee-day'], []],
    [['nope'], ['equivalents[0]']],
    [['knee'], ['equivalents[0]']],
    [['knee-day', 'ortho-first'], ['equivalents[1]']],
    [['knee-old'], ['equivalents[0]']],
    [['knee-day', 'knee-day'], ['equivalents[1]']],
    [['nope', 'knee', 'knee-old', 'ortho-first'], ['equivalents[0]', 'equivalents[1]', 'equivalents[2]', 'equivalents[3]']],
  ])('%j gives errors on %j', (ids, expected) => {
    expect(fields(ids)).toEqual(expected);
  });

  it(`allows at most ${MAX_EQUIVALENTS}`, () => {
    const many = new Map([...Array.from({ length: 21 }, (_, i) => [`t${i}`, { contactType: 'treatment', active: true }] as const)]);
    expect(checkEquivalents('knee', 'treatment', [...many.keys()].slice(0, 20), many)).toEqual([]);
    expect(checkEquivalents('knee', 'treatment', [...many.keys()], many)).toEqual([{ field: 'equivalents', message: expect.stringContaining('you sent 21') }]);
  });
});
