import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers/app.js';
import { targets } from './helpers/db.js';
import { startFakeIdp, type FakeIdp } from './helpers/fake-idp.js';

/** The value of a Set-Cookie header for one cookie, with its attributes. */
function setCookie(headers: Record<string, unknown>, name: string): string | undefined {
  const raw = headers['set-cookie'];
  const all = Array.isArray(raw) ? (raw as string[]) : typeof raw === 'string' ? [raw] : [];
  return all.find((c) => c.startsWith(`${name}=`));
}
const cookieValue = (header: string | undefined) => header?.split(';')[0]!.split('=').slice(1).join('=') ?? '';

describe.each(targets)('demo login on %s', (target) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(target);
  });
  afterAll(async () => t?.close());

  it('lists the demo people built from the directory', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/auth/demo/people' });
    expect(r.statusCode).toBe(200);
    const items = r.json().items as { id: string; displayName: string; roles: string[]; regionCode?: string; organizationId?: string; description: { sv: string; en: string } }[];
    const ids = items.map((p) => p.id);
    expect(ids).toEqual(expect.arrayContaining(['admin', 'analyst', 'coordinator-01', 'coordinator-25', 'reporter-01', 'provider-region-01', 'patient-1', 'patient-2']));
    expect(items.filter((p) => p.roles.includes('coordinator'))).toHaveLength(21);
    expect(items.find((p) => p.id === 'coordinator-01')).toMatchObject({ displayName: 'Samordnare, Region Stockholm (demo)', regionCode: '01' });
    const orgs = await t.database.db.selectFrom('organizations').select('id').where((eb) => eb.or([eb('kind', '=', 'region'), eb('synthetic', '=', true)])).execute();
    expect(items.filter((p) => p.roles.includes('provider')).map((p) => p.organizationId).sort()).toEqual(orgs.map((o) => o.id).sort());
    for (const p of items) expect(p.description.sv && p.description.en).toBeTruthy();
  });

  it('logs in with a cookie; /me shows the person; the login is audited; logout clears the cookie', async () => {
    const r = await t.app.inject({ method: 'POST', url: '/auth/demo/login', payload: { personId: 'coordinator-01' } });
    expect(r.statusCode).toBe(204);
    const header = setCookie(r.headers, 'nvf_session');
    expect(header).toMatch(/HttpOnly/i);
    expect(header).toMatch(/SameSite=Strict/i);
    expect(header).toMatch(/Path=\//);
    expect(header).toMatch(/Max-Age=28800/);
    expect(header).not.toMatch(/Secure/i); // http://localhost
    const session = cookieValue(header);

    const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', cookies: { nvf_session: session } });
    expect(me.json()).toMatchObject({ authenticated: true, subject: 'demo-person:coordinator-01', roles: ['coordinator'], regionCode: '01', displayName: 'Samordnare, Region Stockholm (demo)', mode: 'demo' });

    const event = await t.database.db.selectFrom('audit_events').selectAll().where('action', '=', 'session.demo_login').orderBy('pos', 'desc').executeTakeFirstOrThrow();
    expect(event).toMatchObject({ actor_subject: 'demo-person:coordinator-01', actor_region_code: '01', entity_type: 'session' });

    const out = await t.app.inject({ method: 'POST', url: '/auth/logout', cookies: { nvf_session: session } });
    expect(out.statusCode).toBe(204);
    expect(setCookie(out.headers, 'nvf_session')).toMatch(/nvf_session=;.*Expires=Thu, 01 Jan 1970/);
    const anon = await t.app.inject({ method: 'GET', url: '/api/v1/me' });
    expect(anon.json()).toMatchObject({ authenticated: false, roles: ['public'] });
  });

  it('a demo patient gets the patient role and a demo-patient subject', async () => {
    const r = await t.app.inject({ method: 'POST', url: '/auth/demo/login', payload: { personId: 'patient-1' } });
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', cookies: { nvf_session: cookieValue(setCookie(r.headers, 'nvf_session')) } });
    expect(me.json()).toMatchObject({ subject: 'demo-patient-1', roles: ['patient'] });
  });

  it('the session cookie works on protected routes for the person’s roles', async () => {
    const login = async (personId: string) =>
      cookieValue(setCookie((await t.app.inject({ method: 'POST', url: '/auth/demo/login', payload: { personId } })).headers, 'nvf_session'));
    const admin = await t.app.inject({ method: 'GET', url: '/api/v1/audit/verify', cookies: { nvf_session: await login('admin') } });
    expect(admin.statusCode).toBe(200);
    const analyst = await t.app.inject({ method: 'GET', url: '/api/v1/audit/verify', cookies: { nvf_session: await login('analyst') } });
    expect(analyst.statusCode).toBe(403);
  });

  it('an unknown person is a 422 naming personId; a missing one a 400', async () => {
    const r = await t.app.inject({ method: 'POST', url: '/auth/demo/login', payload: { personId: 'nobody' } });
    expect(r.statusCode).toBe(422);
    expect(r.headers['content-type']).toMatch(/problem\+json/);
    expect(r.json().errors).toEqual([expect.objectContaining({ field: 'personId' })]);
    const missing = await t.app.inject({ method: 'POST', url: '/auth/demo/login', payload: {} });
    expect(missing.statusCode).toBe(400);
  });

  it('without OIDC configured, /auth/login and /auth/callback are 404 problems', async () => {
    for (const url of ['/auth/login', '/auth/callback?code=x&state=y']) {
      const r = await t.app.inject({ method: 'GET', url });
      expect(r.statusCode).toBe(404);
      expect(r.headers['content-type']).toMatch(/problem\+json/);
      expect(r.json().detail).toMatch(/OIDC_ISSUER/);
    }
  });
});

describe.each(targets)('demo login in production mode on %s', (target) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(target, { env: { NVF_MODE: 'production' } });
  });
  afterAll(async () => t?.close());

  it('there are no demo people (404) and no demo login (403)', async () => {
    const list = await t.app.inject({ method: 'GET', url: '/auth/demo/people' });
    expect(list.statusCode).toBe(404);
    expect(list.headers['content-type']).toMatch(/problem\+json/);
    expect(list.json().detail).toMatch(/does not exist in production/);
    const login = await t.app.inject({ method: 'POST', url: '/auth/demo/login', payload: { personId: 'admin' } });
    expect(login.statusCode).toBe(403);
    expect(login.json().detail).toMatch(/does not exist in production/);
    expect(setCookie(login.headers, 'nvf_session')).toBeUndefined();
  });
});

describe.each(targets)('staff login through OpenID Connect on %s', (target) => {
  let t: TestApp;
  let idp: FakeIdp;
  beforeAll(async () => {
    idp = await startFakeIdp();
    t = await startTestApp(target, { env: { OIDC_ISSUER: idp.issuer, OIDC_CLIENT_ID: idp.clientId, OIDC_CLIENT_SECRET: idp.clientSecret } });
  });
  afterAll(async () => {
    await t?.close();
    await idp?.close();
  });

  /** /auth/login → the IdP's /authorize (a real HTTP request) → the callback URL it redirects back to. */
  async function startLogin(): Promise<{ callbackPath: string; stateCookie: string; authorizeUrl: URL }> {
    const start = await t.app.inject({ method: 'GET', url: '/auth/login' });
    expect(start.statusCode).toBe(302);
    const authorizeUrl = new URL(String(start.headers.location));
    const stateHeader = setCookie(start.headers, 'nvf_oidc_login');
    expect(stateHeader).toMatch(/HttpOnly/i);
    expect(stateHeader).toMatch(/SameSite=Lax/i);
    const back = await fetch(authorizeUrl, { redirect: 'manual' });
    expect(back.status).toBe(302);
    const callback = new URL(back.headers.get('location')!);
    return { callbackPath: `${callback.pathname}${callback.search}`, stateCookie: cookieValue(stateHeader), authorizeUrl };
  }

  it('a round trip with code + PKCE gives a session with the mapped roles and scope', async () => {
    idp.user = { sub: 'hsa-person-1', name: 'Karin Samordnare', nvf_roles: ['coordinator', 'unknown-role'], region: '01' };
    const { callbackPath, stateCookie, authorizeUrl } = await startLogin();
    expect(authorizeUrl.origin).toBe(idp.issuer);
    expect(authorizeUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorizeUrl.searchParams.get('redirect_uri')).toBe(`${t.config.publicUrl}/auth/callback`);
    expect(authorizeUrl.searchParams.get('nonce')).toBeTruthy();
    expect(callbackPath).toMatch(/^\/auth\/callback\?code=/);

    const done = await t.app.inject({ method: 'GET', url: callbackPath, cookies: { nvf_oidc_login: stateCookie } });
    expect(done.statusCode).toBe(302);
    expect(done.headers.location).toBe('/');
    expect(idp.tokenRequests.at(-1)!.get('code_verifier')).toBeTruthy();
    const session = setCookie(done.headers, 'nvf_session');
    expect(session).toMatch(/HttpOnly/i);
    expect(session).toMatch(/SameSite=Strict/i);
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', cookies: { nvf_session: cookieValue(session) } });
    expect(me.json()).toMatchObject({ authenticated: true, subject: 'oidc:hsa-person-1', roles: ['coordinator'], regionCode: '01', displayName: 'Karin Samordnare', oidc: true });
    const event = await t.database.db.selectFrom('audit_events').selectAll().where('action', '=', 'session.oidc_login').orderBy('pos', 'desc').executeTakeFirstOrThrow();
    expect(event.actor_subject).toBe('oidc:hsa-person-1');
  });

  it('a provider gets its organisation from the unit claim', async () => {
    const unit = await t.database.db.selectFrom('units').select(['hsa_id', 'organization_id']).limit(1).executeTakeFirstOrThrow();
    idp.user = { sub: 'p-1', given_name: 'Per', family_name: 'Vårdgivare', roles: 'provider', hsa_unit_id: unit.hsa_id };
    const { callbackPath, stateCookie } = await startLogin();
    const done = await t.app.inject({ method: 'GET', url: callbackPath, cookies: { nvf_oidc_login: stateCookie } });
    expect(done.statusCode).toBe(302);
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', cookies: { nvf_session: cookieValue(setCookie(done.headers, 'nvf_session')) } });
    expect(me.json()).toMatchObject({ roles: ['provider'], organizationId: unit.organization_id, unitHsaId: unit.hsa_id, displayName: 'Per Vårdgivare' });
  });

  it('a person without a recognised role, or without the scope a role needs, is refused with 403', async () => {
    for (const user of [{ sub: 'u-2', name: 'No Role', nvf_roles: ['patient', 'visitor'] }, { sub: 'u-3', nvf_roles: ['coordinator'] }]) {
      idp.user = user;
      const { callbackPath, stateCookie } = await startLogin();
      const r = await t.app.inject({ method: 'GET', url: callbackPath, cookies: { nvf_oidc_login: stateCookie } });
      expect(r.statusCode).toBe(403);
      expect(r.headers['content-type']).toMatch(/problem\+json/);
      expect(r.json().detail).toMatch(/role|region/);
      expect(setCookie(r.headers, 'nvf_session')).toBeUndefined();
    }
  });

  it('a callback without the login-state cookie, or with another login’s, is refused', async () => {
    idp.user = { sub: 'u-4', nvf_roles: ['analyst'] };
    const first = await startLogin();
    const second = await startLogin();
    const none = await t.app.inject({ method: 'GET', url: first.callbackPath });
    expect(none.statusCode).toBe(400);
    expect(none.json().detail).toMatch(/start again at \/auth\/login/);
    const crossed = await t.app.inject({ method: 'GET', url: first.callbackPath, cookies: { nvf_oidc_login: second.stateCookie } });
    expect(crossed.statusCode).toBe(401);
    const forged = await t.app.inject({ method: 'GET', url: first.callbackPath, cookies: { nvf_oidc_login: `${first.stateCookie}x` } });
    expect(forged.statusCode).toBe(400);
  });
});
