import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { startTestApp, type TestApp } from './helpers/app.js';
import { targets } from './helpers/db.js';

const BODY_LIMIT = 4096;

interface Case {
  name: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';
  url: string;
  /** 'admin' (default for writes), 'analyst' or 'none' */
  as?: 'admin' | 'analyst' | 'none';
  headers?: Record<string, string>;
  payload?: string | object;
  status: number;
  /** fields that errors[] must name */
  fields?: string[];
  /** text the detail or an error message must contain */
  mentions?: RegExp;
}

const validOrg = { name: 'Felfri Vård AB', organizationNumber: '556000-0167', kind: 'private' };
const validUnit = { hsaId: 'SE5560000167-BAD1', name: 'Felfri mottagning', organizationId: 'region-01', municipalityCode: '0180', kind: 'clinic' };

const CASES: Case[] = [
  { name: 'malformed JSON', method: 'POST', url: '/api/v1/organizations', headers: { 'content-type': 'application/json' }, payload: '{"name": "Trasig AB",', status: 400, mentions: /JSON/ },
  { name: 'empty JSON body', method: 'POST', url: '/api/v1/organizations', headers: { 'content-type': 'application/json' }, payload: '', status: 400 },
  { name: 'a JSON array instead of an object', method: 'POST', url: '/api/v1/organizations', payload: '[1,2]', headers: { 'content-type': 'application/json' }, status: 400 },
  { name: 'wrong types', method: 'POST', url: '/api/v1/organizations', payload: { name: 42, organizationNumber: true, kind: 'private' }, status: 400, fields: ['name', 'organizationNumber'] },
  { name: 'wrong enum value', method: 'POST', url: '/api/v1/organizations', payload: { ...validOrg, kind: 'public' }, status: 400, fields: ['kind'] },
  { name: 'nested wrong type', method: 'POST', url: '/api/v1/units', payload: { ...validUnit, location: { lat: 'north', lng: 18 } }, status: 400, fields: ['location.lat'] },
  { name: 'unknown fields', method: 'POST', url: '/api/v1/organizations', payload: { ...validOrg, colour: 'red', ceo: 'Anna' }, status: 400, mentions: /colour, ceo/ },
  { name: 'unknown field in a PATCH', method: 'PATCH', url: '/api/v1/organizations/region-01', payload: { nickname: 'x' }, status: 400, mentions: /nickname/ },
  { name: 'a query parameter of the wrong type', method: 'GET', url: '/api/v1/units?limit=many', as: 'none', status: 400, fields: ['querystring.limit'] },
  { name: 'a region code of the wrong form', method: 'GET', url: '/api/v1/units?region=stockholm', as: 'none', status: 400, fields: ['querystring.region'] },
  { name: 'a cursor this API did not give out', method: 'GET', url: '/api/v1/units?cursor=bm9wZQ', as: 'none', status: 400, mentions: /cursor/ },
  { name: 'oversized body', method: 'POST', url: '/api/v1/organizations', payload: { ...validOrg, name: 'x'.repeat(BODY_LIMIT * 2) }, status: 413 },
  { name: 'wrong Content-Type', method: 'POST', url: '/api/v1/organizations', headers: { 'content-type': 'text/plain' }, payload: JSON.stringify(validOrg), status: 415 },
  { name: 'XML body', method: 'POST', url: '/api/v1/units', headers: { 'content-type': 'application/xml' }, payload: '<unit/>', status: 415 },
  { name: 'invalid HSA-id', method: 'POST', url: '/api/v1/units', payload: { ...validUnit, hsaId: 'SE123-X' }, status: 422, fields: ['hsaId'] },
  { name: 'HSA-id with a wrong check digit', method: 'POST', url: '/api/v1/units', payload: { ...validUnit, hsaId: 'SE5560000168-BAD1' }, status: 422, fields: ['hsaId'] },
  { name: 'organisation number with a wrong check digit (Luhn)', method: 'POST', url: '/api/v1/organizations', payload: { ...validOrg, organizationNumber: '556000-0168' }, status: 422, fields: ['organizationNumber'] },
  { name: 'unknown municipality', method: 'POST', url: '/api/v1/units', payload: { ...validUnit, municipalityCode: '0999' }, status: 422, fields: ['municipalityCode'] },
  { name: 'unknown service', method: 'POST', url: '/api/v1/units', payload: { ...validUnit, serviceIds: ['no-such-service'] }, status: 422, fields: ['serviceIds[0]'] },
  { name: 'unknown organisation', method: 'POST', url: '/api/v1/units', payload: { ...validUnit, organizationId: 'no-such-org' }, status: 422, fields: ['organizationId'] },
  { name: 'unknown region', method: 'POST', url: '/api/v1/organizations', payload: { ...validOrg, kind: 'region', regionCode: '99' }, status: 422, fields: ['regionCode'] },
  { name: 'a write without a token', method: 'POST', url: '/api/v1/organizations', as: 'none', payload: validOrg, status: 401 },
  { name: 'a write with a bad token', method: 'POST', url: '/api/v1/organizations', as: 'none', headers: { authorization: 'Bearer abc.def.ghi' }, payload: validOrg, status: 401 },
  { name: 'a write with the wrong role', method: 'POST', url: '/api/v1/organizations', as: 'analyst', payload: validOrg, status: 403 },
  { name: 'a wrong role is refused before the body is read', method: 'POST', url: '/api/v1/organizations', as: 'analyst', payload: { nonsense: true }, status: 403 },
  { name: 'a stale If-Match', method: 'PATCH', url: '/api/v1/organizations/region-01', headers: { 'if-match': '"v999"' }, payload: { name: 'Region Stockholm X' }, status: 412 },
  { name: 'a malformed If-Match', method: 'PATCH', url: '/api/v1/organizations/region-01', headers: { 'if-match': 'yesterday' }, payload: { name: 'Region Stockholm X' }, status: 412 },
  { name: 'a PATCH of an unknown unit', method: 'PATCH', url: '/api/v1/units/SE5560000167-NONE', payload: { name: 'Ingen' }, status: 404 },
  { name: 'an unknown route', method: 'GET', url: '/api/v1/no-such-thing', as: 'none', status: 404 },
  { name: 'an unknown unit', method: 'GET', url: '/api/v1/units/SE5560000167-NONE', as: 'none', status: 404 },
  { name: 'a wrong method', method: 'DELETE', url: '/api/v1/regions', as: 'none', status: 405 },
  { name: 'a wrong method on a path with a parameter', method: 'PUT', url: '/api/v1/units/SE5560000167-X', status: 405 },
];

describe.each(targets)('bad input on %s', (target) => {
  let t: TestApp;
  let admin: { authorization: string };
  let analyst: { authorization: string };

  const counts = async () => {
    const r = await sql<{ orgs: number; units: number; services: number; links: number; audit: number; clients: number }>`
      SELECT (SELECT count(*)::int FROM organizations) AS orgs, (SELECT count(*)::int FROM units) AS units,
             (SELECT count(*)::int FROM services) AS services, (SELECT count(*)::int FROM unit_services) AS links,
             (SELECT count(*)::int FROM audit_events) AS audit, (SELECT count(*)::int FROM clients) AS clients`.execute(t.database.db);
    return r.rows[0]!;
  };
  const versionOf = async (id: string) => (await t.database.db.selectFrom('organizations').select('version').where('id', '=', id).executeTakeFirstOrThrow()).version;

  beforeAll(async () => {
    t = await startTestApp(target, { env: { BODY_LIMIT_BYTES: String(BODY_LIMIT) } });
    admin = await t.auth({ roles: ['admin'] });
    analyst = await t.auth({ roles: ['analyst'] });
  });
  afterAll(async () => t?.close());

  it.each(CASES)('$name → $status problem+json, nothing stored', async (c) => {
    const before = await counts();
    const regionVersion = await versionOf('region-01');
    const who = c.as ?? (c.method === 'GET' ? 'none' : 'admin');
    const auth = who === 'admin' ? admin : who === 'analyst' ? analyst : {};
    const res = await t.app.inject({ method: c.method, url: c.url, headers: { ...auth, ...c.headers }, payload: c.payload });

    expect(res.statusCode, res.body).toBe(c.status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const body = res.json() as { type: string; title: string; status: number; detail: string; errors?: { field?: string; message: string }[] };
    expect(body.type).toMatch(/^https:\/\//);
    expect(body.title).toBeTruthy();
    expect(body.status).toBe(c.status);
    expect(body.detail.length).toBeGreaterThan(10);
    expect(body.detail).not.toMatch(/\bat \S+\.(ts|js):\d+/); // no stack traces
    if (c.fields) {
      const named = (body.errors ?? []).map((e) => e.field);
      expect(named).toEqual(expect.arrayContaining(c.fields));
    }
    if (c.mentions) expect(`${body.detail} ${(body.errors ?? []).map((e) => e.message).join(' ')}`).toMatch(c.mentions);
    if (c.status === 405) {
      expect(res.headers.allow).toBeTruthy();
      expect(String(res.headers.allow)).toMatch(/GET/);
      expect(String(res.headers.allow)).not.toMatch(new RegExp(`\\b${c.method}\\b`));
    }
    if (c.status === 401) expect(res.headers['www-authenticate']).toMatch(/^Bearer/);

    expect(await counts()).toEqual(before);
    expect(await versionOf('region-01')).toBe(regionVersion);
  });

  it('is still healthy afterwards, and the same valid requests do succeed (so the cases above fail for the stated reason)', async () => {
    const health = await t.app.inject({ method: 'GET', url: '/health' });
    expect(health.statusCode).toBe(200);
    const org = await t.app.inject({ method: 'POST', url: '/api/v1/organizations', headers: admin, payload: validOrg });
    expect(org.statusCode, org.body).toBe(201);
    const unit = await t.app.inject({ method: 'POST', url: '/api/v1/units', headers: admin, payload: validUnit });
    expect(unit.statusCode, unit.body).toBe(201);
  });
});
