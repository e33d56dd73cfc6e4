import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers/app.js';
import { targets } from './helpers/db.js';

const CLOCK = '2026-11-26T09:00:00Z';

describe.each(targets)('patient-initiated requests (journey 2) on %s', (target) => {
  let t: TestApp;
  let serviceId: string;
  beforeAll(async () => {
    t = await startTestApp(target, { clock: CLOCK });
    const services = (await t.app.inject({ method: 'GET', url: '/api/v1/services?contactType=treatment' })).json() as { items: { id: string }[] };
    serviceId = services.items[0]!.id;
  });
  afterAll(async () => t?.close());

  /** Log in as a demo patient the way the web does: the session cookie. */
  const loginAs = async (personId: string) => {
    const r = await t.app.inject({ method: 'POST', url: '/auth/demo/login', payload: { personId } });
    expect(r.statusCode, r.body).toBeLessThan(400);
    const cookie = String(r.headers['set-cookie']).split(';')[0]!;
    return { cookie };
  };

  it('a patient past the guarantee asks for care elsewhere; the case lands in the home region’s queue and she follows it in plain words', async () => {
    const patient1 = await loginAs('patient-1');
    // the form is prefilled with where she lives, as the login verified it
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: patient1 })).json()).toMatchObject({ roles: ['patient'], homeMunicipality: '2580' });
    const early = await t.app.inject({ method: 'POST', url: '/api/v1/patient/requests', headers: patient1, payload: { serviceId, clockStart: '2026-11-01' } });
    expect(early.statusCode).toBe(422);
    expect(early.json().errors[0].message).toMatch(/runs until 2027-01-30; you can ask for care elsewhere from 2026-12-31/);
    expect(early.json()).toMatchObject({ deadline: '2027-01-30', askFrom: '2026-12-31' }); // for the form, whatever the language

    const asked = await t.app.inject({
      method: 'POST', url: '/api/v1/patient/requests', headers: patient1,
      payload: { serviceId, clockStart: '2026-06-20', phone: '070-111 22 33', preferences: { maxDistanceKm: 400, accessibilityNeeds: 'Rullstol', unavailableDates: ['2026-12-24'] } },
    });
    expect(asked.statusCode, asked.body).toBe(201);
    const c = asked.json();
    expect(c).toMatchObject({ status: 'open', origin: 'patient', homeRegionCode: '25', deadline: '2026-09-18', statusText: { sv: 'Mottagen av din region' } });
    expect(c.nextStep.sv).toMatch(/inom två arbetsdagar/);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/patient/requests', headers: patient1, payload: { serviceId, clockStart: '2026-06-20' } })).statusCode).toBe(409);

    // the coordinator of Norrbotten (25) sees it, marked as the patient's own request, with the preferences
    const coordinator = await t.auth({ roles: ['coordinator'], regionCode: '25' });
    const list = (await t.app.inject({ method: 'GET', url: '/api/v1/cases?status=open', headers: coordinator })).json() as { items: { id: string; origin: string }[] };
    expect(list.items).toContainEqual(expect.objectContaining({ id: c.id, origin: 'patient' }));
    const full = (await t.app.inject({ method: 'GET', url: `/api/v1/cases/${c.id}`, headers: coordinator })).json();
    expect(full).toMatchObject({ patient: { personnummer: '19560314-2380', phone: '070-111 22 33', homeMunicipality: '2580' }, preferences: { accessibilityNeeds: 'Rullstol' } });
    const stockholm = await t.auth({ roles: ['coordinator'], regionCode: '01' });
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/cases/${c.id}`, headers: stockholm })).statusCode).toBe(404);

    // she follows it; the other demo patient sees none of it
    const mine = (await t.app.inject({ method: 'GET', url: '/api/v1/patient/cases', headers: patient1 })).json() as { items: { id: string; statusText: { sv: string } }[] };
    expect(mine.items.map((i) => i.id)).toContain(c.id);
    const patient2 = await loginAs('patient-2');
    const theirs = (await t.app.inject({ method: 'GET', url: '/api/v1/patient/cases', headers: patient2 })).json() as { items: { id: string }[] };
    expect(theirs.items.map((i) => i.id)).not.toContain(c.id);
    // every read and write is audited under the patient's keyed reference
    const audit = await t.database.db.selectFrom('audit_events').select(['action']).where('entity_id', '=', c.id).execute();
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['case.open', 'case.read']));
  });

  it('refuses a patient token without a verified identity, staff, and bad forms', async () => {
    const anonymousPatient = await t.auth({ roles: ['patient'], subject: 'someone' });
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: anonymousPatient })).json().homeMunicipality).toBeUndefined();
    const r = await t.app.inject({ method: 'POST', url: '/api/v1/patient/requests', headers: anonymousPatient, payload: { serviceId, clockStart: '2026-06-20' } });
    expect(r.statusCode).toBe(403);
    expect(r.json().detail).toMatch(/no verified identity/);
    const coordinator = await t.auth({ roles: ['coordinator'], regionCode: '01' });
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/patient/cases', headers: coordinator })).statusCode).toBe(403);
    const patient2 = await t.auth({ roles: ['patient'], subject: 'demo-patient-2' });
    const bad = await t.app.inject({ method: 'POST', url: '/api/v1/patient/requests', headers: patient2, payload: { serviceId: 'nope', clockStart: '2027-01-01' } });
    expect(bad.statusCode).toBe(422);
    expect((bad.json().errors as { field: string }[]).map((e) => e.field).sort()).toEqual(['clockStart', 'serviceId']);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/patient/requests', headers: patient2, payload: { serviceId, clockStart: '2026-06-20', personnummer: '19121212-1212' } })).statusCode).toBe(400);
  });
});

describe.each(targets)('patient requests in production mode on %s', (target) => {
  it('demo identities do not exist in production', async () => {
    const t = await startTestApp(target, { env: { NVF_MODE: 'production' } });
    try {
      const patient = await t.auth({ roles: ['patient'], subject: 'demo-patient-1' });
      expect((await t.app.inject({ method: 'GET', url: '/api/v1/patient/cases', headers: patient })).statusCode).toBe(403);
    } finally {
      await t.close();
    }
  });
});
