import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { startTestApp, type TestApp } from './helpers/app.js';
import { targets } from './helpers/db.js';
import { startFakeIdp, type FakeIdp } from './helpers/fake-idp.js';

const CLOCK = '2026-11-26T09:00:00Z';
const PNR = '19850412-2386'; // a valid test personnummer (check digit), not a real person's
const PNR_CLAIM = 'https://id.oidc.se/claim/personalIdentityNumber';
const LOA3 = 'http://id.elegnamnden.se/loa/1.0/loa3';

function setCookie(headers: Record<string, unknown>, name: string): string | undefined {
  const raw = headers['set-cookie'];
  const all = Array.isArray(raw) ? (raw as string[]) : typeof raw === 'string' ? [raw] : [];
  return all.find((c) => c.startsWith(`${name}=`));
}
const cookieValue = (header: string | undefined) => header?.split(';')[0]!.split('=').slice(1).join('=') ?? '';

describe.each(targets)('citizen login with e-legitimation (journey 2 in production) on %s', (target) => {
  let t: TestApp;
  let idp: FakeIdp;
  let serviceId: string;
  beforeAll(async () => {
    idp = await startFakeIdp({ clientId: 'nvf-citizen' });
    t = await startTestApp(target, { clock: CLOCK, env: { CITIZEN_OIDC_ISSUER: idp.issuer, CITIZEN_OIDC_CLIENT_ID: idp.clientId, CITIZEN_OIDC_CLIENT_SECRET: idp.clientSecret } });
    const services = (await t.app.inject({ method: 'GET', url: '/api/v1/services?contactType=treatment' })).json() as { items: { id: string }[] };
    serviceId = services.items[0]!.id;
  });
  afterAll(async () => {
    await t?.close();
    await idp?.close();
  });

  /** /auth/citizen/login → the IdP (a real HTTP round trip) → /auth/citizen/callback; the session cookie, or the failed answer. */
  async function login(claims: Record<string, unknown>) {
    idp.user = claims;
    const start = await t.app.inject({ method: 'GET', url: '/auth/citizen/login' });
    expect(start.statusCode).toBe(302);
    const authorize = new URL(String(start.headers.location));
    const state = cookieValue(setCookie(start.headers, 'nvf_citizen_login'));
    const back = await fetch(authorize, { redirect: 'manual' });
    const callback = new URL(back.headers.get('location')!);
    const done = await t.app.inject({ method: 'GET', url: `${callback.pathname}${callback.search}`, cookies: { nvf_citizen_login: state } });
    const session = setCookie(done.headers, 'nvf_session');
    return { authorize, done, cookie: session ? { cookie: session.split(';')[0]! } : undefined };
  }

  it('logs a citizen in as a patient who can ask for care elsewhere and follow the case; the token never shows the personnummer', async () => {
    const { authorize, done, cookie } = await login({ sub: 'eid-1', [PNR_CLAIM]: PNR, given_name: 'Anna', family_name: 'Andersson', acr: LOA3 });
    expect(authorize.searchParams.get('acr_values')).toBe(LOA3);
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${t.config.publicUrl}/auth/citizen/callback`);
    expect(done.statusCode, done.body).toBe(302);
    expect(done.headers.location).toBe('/mina-arenden');
    expect(cookie).toBeDefined();

    const token = cookie!.cookie.split('=').slice(1).join('=');
    const claims = decodeJwt(decodeURIComponent(token));
    expect(JSON.stringify(claims)).not.toContain(PNR.replace('-', ''));
    expect(JSON.stringify(claims)).not.toContain(PNR);
    expect(String(claims.sub)).toMatch(/^citizen:[0-9a-f]{32}$/);

    const me = (await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: cookie })).json();
    expect(me).toMatchObject({ authenticated: true, roles: ['patient'], displayName: 'Anna Andersson', citizenLogin: true });
    expect(me.homeMunicipality).toBeUndefined(); // e-legitimation does not say where one lives: the form asks

    const noHome = await t.app.inject({ method: 'POST', url: '/api/v1/patient/requests', headers: cookie, payload: { serviceId, clockStart: '2026-06-20' } });
    expect(noHome.statusCode).toBe(422);
    expect(noHome.json().errors).toContainEqual(expect.objectContaining({ field: 'homeMunicipality' }));
    expect(await t.database.db.selectFrom('cases').select('id').where('opened_by', '=', String(claims.sub)).execute()).toHaveLength(0);

    const asked = await t.app.inject({ method: 'POST', url: '/api/v1/patient/requests', headers: cookie, payload: { serviceId, clockStart: '2026-06-20', homeMunicipality: '1480' } });
    expect(asked.statusCode, asked.body).toBe(201);
    expect(asked.json()).toMatchObject({ origin: 'patient', homeRegionCode: '14', status: 'open' });

    // the coordinator of Västra Götaland (14) sees the verified personnummer
    const coordinator = await t.auth({ roles: ['coordinator'], regionCode: '14' });
    const full = (await t.app.inject({ method: 'GET', url: `/api/v1/cases/${asked.json().id}`, headers: coordinator })).json();
    expect(full.patient.personnummer).toBe(PNR);

    // a second login of the same person finds the same case; the audit names the citizen by the keyed reference only
    const again = await login({ sub: 'eid-1-other-session', [PNR_CLAIM]: PNR.replace('-', ''), acr: LOA3 });
    const mine = (await t.app.inject({ method: 'GET', url: '/api/v1/patient/cases', headers: again.cookie })).json() as { items: { id: string }[] };
    expect(mine.items.map((i) => i.id)).toEqual([asked.json().id]);
    const events = await t.database.db.selectFrom('audit_events').selectAll().where('action', '=', 'session.citizen_login').execute();
    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(events)).not.toContain(PNR.slice(2).replace('-', ''));
  });

  it.each([
    ['no personnummer claim', { sub: 'eid-2', acr: LOA3 }, /did not tell us your personnummer/],
    ['an invalid personnummer', { sub: 'eid-3', [PNR_CLAIM]: '19850412-2381', acr: LOA3 }, /not valid/],
    ['too weak an e-legitimation', { sub: 'eid-4', [PNR_CLAIM]: PNR, acr: 'http://id.elegnamnden.se/loa/1.0/loa2' }, /assurance level 3/],
    ['no assurance level at all', { sub: 'eid-5', [PNR_CLAIM]: PNR }, /assurance level 3/],
  ])('refuses a login with %s (403, no session)', async (_what, claims, message) => {
    const { done, cookie } = await login(claims);
    expect(done.statusCode).toBe(403);
    expect(done.json().detail).toMatch(message);
    expect(cookie).toBeUndefined();
  });

  it('accepts LoA 4 and a samordningsnummer', async () => {
    const { done } = await login({ sub: 'eid-6', 'https://id.oidc.se/claim/coordinationNumber': '19850472-2383', acr: 'http://id.elegnamnden.se/loa/1.0/loa4' });
    expect(done.statusCode, done.body).toBe(302);
  });

  it('a citizen login state cannot finish a staff login, nor the other way round', async () => {
    const start = await t.app.inject({ method: 'GET', url: '/auth/citizen/login' });
    const state = cookieValue(setCookie(start.headers, 'nvf_citizen_login'));
    const back = await fetch(new URL(String(start.headers.location)), { redirect: 'manual' });
    const callback = new URL(back.headers.get('location')!);
    // no staff IdP here: the staff callback is 404, whatever the cookie
    expect((await t.app.inject({ method: 'GET', url: `/auth/callback${callback.search}`, cookies: { nvf_oidc_login: state } })).statusCode).toBe(404);
    // the citizen callback without its own cookie: start again
    const without = await t.app.inject({ method: 'GET', url: `${callback.pathname}${callback.search}`, cookies: { nvf_oidc_login: state } });
    expect(without.statusCode).toBe(400);
    expect(without.json().detail).toMatch(/start again at \/auth\/citizen\/login/);
  });
});

describe.each(targets)('citizen login not configured on %s', (target) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(target);
  });
  afterAll(async () => t?.close());

  it('answers 404 with what to configure, and /me says it is not available', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/auth/citizen/login' });
    expect(r.statusCode).toBe(404);
    expect(r.json().detail).toMatch(/CITIZEN_OIDC_ISSUER/);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me' })).json()).toMatchObject({ citizenLogin: false });
  });
});
