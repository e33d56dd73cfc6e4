import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT, decodeProtectedHeader, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { buildApp } from '../src/http/app.js';
import { systemClock } from '../src/domain/clock.js';
import { createClient } from '../src/services/clients.service.js';
import { rotateSigningKey } from '../src/services/keys.service.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { targets } from './helpers/db.js';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const basic = (id: string, secret: string) => ({ authorization: `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}` });
const cliCtx = { principal: { subject: 'cli', roles: ['admin' as const] }, requestId: 'test', clock: systemClock };

function tokenRequest(t: TestApp, form: Record<string, string>, headers: Record<string, string> = {}) {
  return t.app.inject({ method: 'POST', url: '/oauth/token', headers: { ...FORM, ...headers }, payload: new URLSearchParams(form).toString() });
}

/** An RFC 7523 client assertion; every claim can be overridden to make it wrong. */
async function assertion(key: CryptoKey | Uint8Array, kid: string, clientId: string, aud: string, over: { exp?: number; aud?: string; jti?: string } = {}) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', kid })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(over.aud ?? aud)
    .setIssuedAt(now - 10)
    .setExpirationTime(over.exp ?? now + 60)
    .setJti(over.jti ?? crypto.randomUUID())
    .sign(key);
}

const unsigned = (header: object, payload: object) =>
  `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.`;

describe.each(targets)('identity: tokens on %s', (target) => {
  let t: TestApp;
  let tokenEndpoint: string;
  beforeAll(async () => {
    t = await startTestApp(target);
    tokenEndpoint = `${t.config.publicUrl}/oauth/token`;
  });
  afterAll(async () => t?.close());

  it('client_secret_basic gives a token with the client’s roles and scope, which works on the API', async () => {
    const r = await tokenRequest(t, { grant_type: 'client_credentials' }, basic('demo-coordinator-01', 'demo'));
    expect(r.statusCode).toBe(200);
    expect(r.headers['cache-control']).toBe('no-store');
    expect(r.json()).toMatchObject({ token_type: 'Bearer', scope: 'coordinator region:01' });
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${r.json().access_token}` } });
    expect(me.json()).toMatchObject({ authenticated: true, subject: 'demo-coordinator-01', roles: ['coordinator'], regionCode: '01' });
  });

  it('client_secret_post works too; the roles decide what the token may do', async () => {
    const get = async (id: string) => (await tokenRequest(t, { grant_type: 'client_credentials', client_id: id, client_secret: 'demo' })).json().access_token as string;
    const admin = await t.app.inject({ method: 'GET', url: '/api/v1/audit/verify', headers: { authorization: `Bearer ${await get('demo-admin')}` } });
    expect(admin.statusCode).toBe(200);
    const analyst = await t.app.inject({ method: 'GET', url: '/api/v1/audit/verify', headers: { authorization: `Bearer ${await get('demo-analyst')}` } });
    expect(analyst.statusCode).toBe(403);
    expect(analyst.headers['content-type']).toMatch(/problem\+json/);
    const provider = await tokenRequest(t, { grant_type: 'client_credentials', client_id: 'demo-provider-region-12', client_secret: 'demo' });
    expect(provider.json().scope).toBe('provider organization:region-12');
  });

  it('a wrong secret is a 401 invalid_client problem', async () => {
    const r = await tokenRequest(t, { grant_type: 'client_credentials' }, basic('demo-admin', 'wrong'));
    expect(r.statusCode).toBe(401);
    expect(r.headers['content-type']).toMatch(/problem\+json/);
    expect(r.json()).toMatchObject({ error: 'invalid_client' });
  });

  describe('private_key_jwt', () => {
    let key: CryptoKey;
    let kid: string;
    const clientId = `pkjwt-${target}`;
    beforeAll(async () => {
      const created = await createClient(t.database.db, cliCtx, { id: clientId, name: 'Key client', roles: ['region-reporter'], regionCode: '14', credential: { kind: 'generate-key' } });
      kid = created.privateJwk!.kid!;
      key = (await importJWK(created.privateJwk as JWK, 'ES256')) as CryptoKey;
    });
    const withAssertion = (a: string) => tokenRequest(t, { grant_type: 'client_credentials', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: a });
    const expectInvalidClient = async (a: string, detail?: RegExp) => {
      const r = await withAssertion(a);
      expect(r.statusCode).toBe(401);
      expect(r.headers['content-type']).toMatch(/problem\+json/);
      expect(r.json().error).toBe('invalid_client');
      if (detail) expect(r.json().detail).toMatch(detail);
    };

    it('a signed assertion gives a token; the same assertion again is refused (jti replay)', async () => {
      const a = await assertion(key, kid, clientId, tokenEndpoint);
      const ok = await withAssertion(a);
      expect(ok.statusCode).toBe(200);
      expect(ok.json().scope).toBe('region-reporter region:14');
      await expectInvalidClient(a, /used before/);
    });

    it('the issuer is accepted as audience too', async () => {
      expect((await withAssertion(await assertion(key, kid, clientId, t.config.issuer))).statusCode).toBe(200);
    });

    it('an expired assertion, a wrong audience, a foreign key and alg none are refused', async () => {
      const now = Math.floor(Date.now() / 1000);
      await expectInvalidClient(await assertion(key, kid, clientId, tokenEndpoint, { exp: now - 120 }), /expired/);
      await expectInvalidClient(await assertion(key, kid, clientId, tokenEndpoint, { aud: 'https://elsewhere.example/oauth/token' }), /aud/);
      await expectInvalidClient(await assertion(key, kid, clientId, tokenEndpoint, { exp: now + 3600 }), /within 300 seconds/);
      const other = await generateKeyPair('ES256');
      await expectInvalidClient(await assertion(other.privateKey, kid, clientId, tokenEndpoint));
      await expectInvalidClient(unsigned({ alg: 'none', typ: 'JWT' }, { iss: clientId, sub: clientId, aud: tokenEndpoint, exp: now + 60, jti: crypto.randomUUID() }));
      await expectInvalidClient('not-a-jwt');
    });
  });

  describe('access tokens that must not be accepted', () => {
    let platformKey: CryptoKey;
    let platformKid: string;
    beforeAll(async () => {
      const row = await t.database.db.selectFrom('signing_keys').selectAll().where('retired_at', 'is', null).executeTakeFirstOrThrow();
      platformKid = row.kid;
      platformKey = (await importJWK(row.private_jwk as JWK, 'ES256')) as CryptoKey;
    });
    const forge = async (over: { exp?: number; aud?: string; iss?: string; key?: CryptoKey; kid?: string }) => {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ roles: ['admin'] })
        .setProtectedHeader({ alg: 'ES256', kid: over.kid ?? platformKid, typ: 'at+jwt' })
        .setIssuer(over.iss ?? t.config.issuer)
        .setAudience(over.aud ?? t.config.audience)
        .setSubject('forged')
        .setIssuedAt(now - 7200)
        .setExpirationTime(over.exp ?? now + 600)
        .sign(over.key ?? platformKey);
    };

    it('a well-formed token is accepted (the forging helper is sound)', async () => {
      const r = await t.app.inject({ method: 'GET', url: '/api/v1/audit/verify', headers: { authorization: `Bearer ${await forge({})}` } });
      expect(r.statusCode).toBe(200);
    });

    it('expired, wrong audience, wrong issuer, foreign key, alg none and garbage are 401 on protected and public routes', async () => {
      const now = Math.floor(Date.now() / 1000);
      const foreign = await generateKeyPair('ES256');
      const bad: [string, string][] = [
        ['expired', await forge({ exp: now - 60 })],
        ['wrong audience', await forge({ aud: 'someone-else' })],
        ['wrong issuer', await forge({ iss: 'https://evil.example' })],
        ['foreign key, our kid', await forge({ key: foreign.privateKey })],
        ['foreign key, unknown kid', await forge({ key: foreign.privateKey, kid: 'evil-key' })],
        ['alg none', unsigned({ alg: 'none', kid: platformKid }, { roles: ['admin'], iss: t.config.issuer, aud: t.config.audience, sub: 'x', exp: now + 600 })],
        ['HS256 with the public key as secret', await new SignJWT({ roles: ['admin'] }).setProtectedHeader({ alg: 'HS256', kid: platformKid }).setIssuer(t.config.issuer).setAudience(t.config.audience).setExpirationTime(now + 600).sign(new TextEncoder().encode(JSON.stringify(await exportJWK(foreign.publicKey))))],
        ['garbage', 'garbage.garbage.garbage'],
      ];
      for (const [what, token] of bad) {
        for (const url of ['/api/v1/audit/verify', '/api/v1/regions']) {
          const r = await t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
          expect(r.statusCode, `${what} on ${url}`).toBe(401);
          expect(r.headers['content-type'], what).toMatch(/problem\+json/);
          expect(r.headers['www-authenticate'], what).toMatch(/^Bearer/);
        }
      }
    });
  });

  it('after a key rotation the JWKS lists both keys, old tokens still verify and new tokens carry the new kid', async () => {
    const before = await tokenRequest(t, { grant_type: 'client_credentials' }, basic('demo-admin', 'demo'));
    const oldToken = before.json().access_token as string;
    const oldKid = decodeProtectedHeader(oldToken).kid!;
    const { kid, retired } = await rotateSigningKey(t.database.db);
    expect(retired).toContain(oldKid);
    const jwks = await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
    expect(jwks.json().keys.map((k: JWK) => k.kid)).toEqual(expect.arrayContaining([kid, oldKid]));
    const stillOk = await t.app.inject({ method: 'GET', url: '/api/v1/audit/verify', headers: { authorization: `Bearer ${oldToken}` } });
    expect(stillOk.statusCode).toBe(200);
    // A freshly started instance signs with the new key at once (running ones within their 30 s key cache).
    const fresh = await buildApp({ database: t.database, config: t.config, clock: t.clock });
    try {
      const after = await fresh.inject({ method: 'POST', url: '/oauth/token', headers: { ...FORM, ...basic('demo-admin', 'demo') }, payload: 'grant_type=client_credentials' });
      const newToken = after.json().access_token as string;
      expect(decodeProtectedHeader(newToken).kid).toBe(kid);
      // KeyStore reloads for an unknown kid at most once a second, so a token with a brand-new kid is refused for up to 1 s after its last load.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const onOld = await t.app.inject({ method: 'GET', url: '/api/v1/audit/verify', headers: { authorization: `Bearer ${newToken}` } });
      expect(onOld.statusCode).toBe(200); // the running instance learns the new kid on first sight
    } finally {
      await fresh.close();
    }
  });
});

describe.each(targets)('identity: production mode on %s', (target) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(target, { env: { NVF_MODE: 'production' } });
  });
  afterAll(async () => t?.close());

  it('client secrets are refused, private_key_jwt works', async () => {
    for (const r of [
      await tokenRequest(t, { grant_type: 'client_credentials' }, basic('demo-admin', 'demo')),
      await tokenRequest(t, { grant_type: 'client_credentials', client_id: 'demo-admin', client_secret: 'demo' }),
    ]) {
      expect(r.statusCode).toBe(401);
      expect(r.json()).toMatchObject({ error: 'invalid_client' });
      expect(r.json().detail).toMatch(/production/);
    }
    const created = await createClient(t.database.db, cliCtx, { id: 'prod-analytics', name: 'Analytics', roles: ['analyst'], credential: { kind: 'generate-key' } });
    const key = (await importJWK(created.privateJwk as JWK, 'ES256')) as CryptoKey;
    const a = await assertion(key, created.privateJwk!.kid!, 'prod-analytics', `${t.config.publicUrl}/oauth/token`);
    const ok = await tokenRequest(t, { grant_type: 'client_credentials', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: a });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().scope).toBe('analyst');
  });
});

describe.each(targets)('identity: token endpoint rate limit on %s', (target) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(target, { env: { TOKEN_RATE_LIMIT_PER_MINUTE: '3' } });
  });
  afterAll(async () => t?.close());

  it('the fourth request in a minute is a 429 problem', async () => {
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 4; i++) {
      last = await tokenRequest(t, { grant_type: 'client_credentials' }, basic('demo-admin', 'demo'));
      statuses.push(last.statusCode);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(last!.headers['content-type']).toMatch(/problem\+json/);
    expect(last!.json()).toMatchObject({ status: 429 });
    expect(last!.headers['retry-after']).toBeDefined();
  });
});

describe.each(targets)('identity: verified tokens are remembered, never past their expiry, on %s', (target) => {
  it('a token verified once still fails after it expires, and a changed token never matches the remembered one', async () => {
    const clock = { at: Date.parse('2026-11-26T09:00:00Z'), now() { return new Date(this.at); } };
    const t = await startTestApp(target, { clock });
    try {
      const signed = await t.tokens.sign({ subject: 'cached', roles: ['admin'] }, 60);
      const call = (token: string) => t.app.inject({ method: 'GET', url: '/api/v1/audit/verify', headers: { authorization: `Bearer ${token}` } });
      expect((await call(signed.access_token)).statusCode).toBe(200);
      expect((await call(signed.access_token)).statusCode).toBe(200); // from the cache
      const tampered = `${signed.access_token.slice(0, -4)}AAAA`;
      expect((await call(tampered)).statusCode).toBe(401);
      clock.at += 61_000;
      const expired = await call(signed.access_token);
      expect(expired.statusCode).toBe(401);
      expect(expired.json().detail).toMatch(/expired/);
    } finally {
      await t.close();
    }
  });
});
