import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers/app.js';
import { connect } from '../src/db/connect.js';
import { buildApp } from '../src/http/app.js';
import { loadConfig } from '../src/config.js';
import { systemClock } from '../src/domain/clock.js';
import { targets } from './helpers/db.js';

describe.each(targets)('HTTP edge on %s', (target) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(target, { env: { CORS_ORIGINS: 'https://vard.region.example' } });
  });
  afterAll(async () => t?.close());

  it('answers /health with the database kind', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/health' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ status: 'ok', database: target, mode: 'demo' });
  });

  it('sets security headers and echoes a sane request id, replacing an unsafe one', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/api/v1/regions', headers: { 'x-request-id': 'abc-123' } });
    expect(r.headers['x-request-id']).toBe('abc-123');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['content-security-policy']).toContain("default-src 'self'");
    expect(r.headers['strict-transport-security']).toBeDefined();
    // the same set on every kind of answer: an error, a 404, a page
    for (const other of [await t.app.inject({ method: 'GET', url: '/api/v1/nothing-here' }), await t.app.inject({ method: 'GET', url: '/api/v1/audit/verify' }), await t.app.inject({ method: 'GET', url: '/' })]) {
      for (const h of ['content-security-policy', 'strict-transport-security', 'x-content-type-options', 'x-frame-options', 'referrer-policy', 'cross-origin-opener-policy'])
        expect(other.headers[h], `${h} on ${other.statusCode}`).toBe(r.headers[h]);
      expect(other.headers['x-powered-by']).toBeUndefined();
    }
    expect(r.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(r.headers['x-frame-options']).toBe('SAMEORIGIN');
    const evil = await t.app.inject({ method: 'GET', url: '/api/v1/regions', headers: { 'x-request-id': 'a b<script>' } });
    expect(evil.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('allows CORS only for configured origins', async () => {
    const ok = await t.app.inject({ method: 'GET', url: '/api/v1/regions', headers: { origin: 'https://vard.region.example' } });
    expect(ok.headers['access-control-allow-origin']).toBe('https://vard.region.example');
    const other = await t.app.inject({ method: 'GET', url: '/api/v1/regions', headers: { origin: 'https://evil.example' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('exposes Prometheus metrics including request durations', async () => {
    await t.app.inject({ method: 'GET', url: '/api/v1/services' });
    const r = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('nvf_http_request_duration_seconds_bucket');
    expect(r.body).toMatch(/route="\/api\/v1\/services"/);
    expect(r.body).toMatch(/nvf_audit_events \d+/);
  });

  it('serves the OpenAPI document and the human docs', async () => {
    const doc = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(doc.json().openapi).toBe('3.1.0');
    expect(Object.keys(doc.json().paths)).toContain('/api/v1/units/{hsaId}');
    const docs = await t.app.inject({ method: 'GET', url: '/api/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain('swagger');
  });
});

describe('health when the database does not answer', () => {
  it('answers 503 problem+json, and API reads answer 503 too', async () => {
    // a PostgreSQL URL where nothing listens: every query fails with ECONNREFUSED
    const database = await connect('postgres://postgres@127.0.0.1:1/none');
    const app = await buildApp({ database, config: loadConfig({ LOG_LEVEL: 'silent' }), clock: systemClock });
    try {
      const r = await app.inject({ method: 'GET', url: '/health' });
      expect(r.statusCode).toBe(503);
      expect(r.headers['content-type']).toContain('application/problem+json');
      const units = await app.inject({ method: 'GET', url: '/api/v1/units' });
      expect(units.statusCode).toBe(503);
      expect(units.json().detail).toMatch(/database/i);
    } finally {
      await app.close();
      await database.close();
    }
  });
});

describe('rate limit on writes', () => {
  it('answers 429 problem+json once a caller exceeds the write limit, and reads go on', async () => {
    const t = await startTestApp('pglite', { env: { WRITE_RATE_LIMIT_PER_MINUTE: '2' } });
    try {
      const headers = await t.auth({ roles: ['admin'], subject: 'busy-admin' });
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await t.app.inject({ method: 'PATCH', url: '/api/v1/services/no-such-service', headers, payload: { active: false } });
        statuses.push(r.statusCode);
        if (r.statusCode === 429) expect(r.headers['content-type']).toContain('application/problem+json');
      }
      expect(statuses).toEqual([404, 404, 429]);
      const other = await t.app.inject({ method: 'PATCH', url: '/api/v1/services/no-such-service', headers: await t.auth({ roles: ['admin'], subject: 'calm-admin' }), payload: { active: false } });
      expect(other.statusCode).toBe(404);
      expect((await t.app.inject({ method: 'GET', url: '/api/v1/services' })).statusCode).toBe(200);
    } finally {
      await t.close();
    }
  });
});

describe.each(targets)('NUL characters on %s', (target) => {
  it('are refused with 400 in any JSON field, query or path, naming where, before anything is read or written', async () => {
    const t = await startTestApp(target);
    try {
      const admin = await t.auth({ roles: ['admin'] });
      const patch = await t.app.inject({ method: 'PATCH', url: '/api/v1/organizations/region-01', headers: admin, payload: { regionCode: '\u0000' } });
      expect(patch.statusCode).toBe(400);
      expect(patch.json()).toMatchObject({ errors: [{ field: 'regionCode', message: expect.stringMatching(/NUL/) }] });
      const nested = await t.app.inject({ method: 'POST', url: '/api/v1/services', headers: admin, payload: { id: 'x-y', name: { sv: 'a\u0000', en: 'b' }, contactType: 'treatment', specialty: 'x' } });
      expect(nested.json()).toMatchObject({ status: 400, errors: [{ field: 'name.sv' }] });
      expect((await t.app.inject({ method: 'GET', url: '/api/v1/waiting-times?service=%00' })).statusCode).toBe(400);
      expect((await t.app.inject({ method: 'GET', url: '/api/v1/units/SE%00' })).statusCode).toBe(400);
      const audit = await t.database.db.selectFrom('audit_events').select('id').where('action', 'like', '%organization%').execute();
      expect(audit).toEqual([]);
    } finally {
      await t.close();
    }
  });
});

describe('Accept-Encoding', () => {
  it('takes gzip when it is named with a weight above 0, or covered by * with one', async () => {
    const { acceptsGzip } = await import('../src/http/response-cache.js');
    const cases: [string | undefined, boolean][] = [
      [undefined, false], ['', false], ['identity', false], ['br', false],
      ['gzip', true], ['GZIP', true], ['gzip, deflate, br', true], ['br;q=1.0, gzip;q=0.8', true], ['x-gzip', false],
      ['gzip;q=0', false], ['gzip; q=0.0', false], ['*', true], ['*;q=0', false], ['*;q=0.5, gzip;q=0', false], ['gzip;q=0, *', false], ['br, *;q=0.1', true],
    ];
    for (const [header, expected] of cases) expect(acceptsGzip(header), String(header)).toBe(expected);
    expect(acceptsGzip(['br', 'gzip'])).toBe(true);
  });
});
