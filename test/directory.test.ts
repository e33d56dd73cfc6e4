import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { startTestApp, type TestApp } from './helpers/app.js';
import { targets } from './helpers/db.js';

interface UnitOut { hsaId: string; organizationId: string; regionCode: string; municipalityCode: string; serviceIds: string[]; version: number; name: string }
interface Page<T> { items: T[]; nextCursor: string | null }

describe.each(targets)('directory on %s', (target) => {
  let t: TestApp;
  let admin: { authorization: string };
  const get = async <T>(url: string) => {
    const res = await t.app.inject({ method: 'GET', url });
    expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
    return res.json() as T;
  };

  beforeAll(async () => {
    t = await startTestApp(target);
    admin = await t.auth({ roles: ['admin'], subject: 'directory-admin' });
  });
  afterAll(async () => t?.close());

  it('lists the 21 regions and the 290 municipalities, with sources', async () => {
    const regions = await get<{ items: { code: string; unitCount: number }[]; source: string }>('/api/v1/regions');
    expect(regions.items).toHaveLength(21);
    expect(regions.items.map((r) => r.code)).toContain('25');
    expect(regions.source).toMatch(/SCB/);
    const municipalities = await get<{ items: { code: string; regionCode: string }[] }>('/api/v1/municipalities');
    expect(municipalities.items).toHaveLength(290);
    const norrbotten = await get<{ items: { code: string; regionCode: string }[] }>('/api/v1/municipalities?region=25');
    expect(norrbotten.items.length).toBe(14);
    expect(norrbotten.items.every((m) => m.regionCode === '25' && m.code.startsWith('25'))).toBe(true);
  });

  it('filters units by region, organisation, municipality and service, and agrees with the database', async () => {
    const inRegion = await get<Page<UnitOut>>('/api/v1/units?region=01&limit=1000');
    expect(inRegion.items.length).toBeGreaterThan(0);
    expect(inRegion.items.every((u) => u.regionCode === '01')).toBe(true);
    const expected = await sql<{ n: number }>`SELECT count(*)::int AS n FROM units WHERE region_code = '01' AND active`.execute(t.database.db);
    expect(inRegion.items).toHaveLength(expected.rows[0]!.n);

    const sample = inRegion.items.find((u) => u.serviceIds.length > 0)!;
    const service = sample.serviceIds[0]!;
    const byService = await get<Page<UnitOut>>(`/api/v1/units?region=01&service=${service}&limit=1000`);
    expect(byService.items.map((u) => u.hsaId)).toContain(sample.hsaId);
    expect(byService.items.every((u) => u.serviceIds.includes(service) && u.regionCode === '01')).toBe(true);
    expect(byService.items.length).toBe(inRegion.items.filter((u) => u.serviceIds.includes(service)).length);

    const byOrg = await get<Page<UnitOut>>(`/api/v1/units?organization=${sample.organizationId}&limit=1000`);
    expect(byOrg.items.length).toBeGreaterThan(0);
    expect(byOrg.items.every((u) => u.organizationId === sample.organizationId)).toBe(true);

    const byMunicipality = await get<Page<UnitOut>>(`/api/v1/units?municipality=${sample.municipalityCode}&limit=1000`);
    expect(byMunicipality.items.map((u) => u.hsaId)).toContain(sample.hsaId);
    expect(byMunicipality.items.every((u) => u.municipalityCode === sample.municipalityCode)).toBe(true);

    const none = await get<Page<UnitOut>>('/api/v1/units?region=01&service=no-such-service');
    expect(none).toEqual({ items: [], nextCursor: null });
  });

  it('pages units with limit and cursor: every unit exactly once, in HSA-id order', async () => {
    const all = await get<Page<UnitOut>>('/api/v1/units?limit=1000');
    expect(all.nextCursor).toBeNull();
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Page<UnitOut> = await get<Page<UnitOut>>(`/api/v1/units?limit=37${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.items.length).toBeLessThanOrEqual(37);
      seen.push(...page.items.map((u) => u.hsaId));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 1000);
    expect(pages).toBeGreaterThan(2);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(all.items.map((u) => u.hsaId));
    expect([...seen].sort()).toEqual(seen);
  });

  it('pages organisations the same way, filtered by kind', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Page<{ id: string; kind: string }> = await get(`/api/v1/organizations?kind=region&limit=5${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.items.every((o) => o.kind === 'region')).toBe(true);
      seen.push(...page.items.map((o) => o.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe(21);
  });

  it('answers 404 problem+json for an unknown unit, organisation and service', async () => {
    for (const url of ['/api/v1/units/SE2321000016-NOPE', '/api/v1/organizations/no-such-org', '/api/v1/services/no-such-service']) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
  });

  it('admin creates an organisation and a unit; the unit appears in the filtered list and by HSA-id', async () => {
    const org = await t.app.inject({ method: 'POST', url: '/api/v1/organizations', headers: admin, payload: { name: 'Katalogtest Vård AB', organizationNumber: '5560001678', kind: 'private' } });
    expect(org.statusCode, org.body).toBe(201);
    expect(org.json()).toMatchObject({ organizationNumber: '556000-1678', kind: 'private', version: 1 });
    expect(org.headers.location).toBe(`/api/v1/organizations/${org.json().id}`);
    const services = await get<{ items: { id: string }[] }>('/api/v1/services');
    const service = services.items[0]!.id;

    const created = await t.app.inject({
      method: 'POST', url: '/api/v1/units', headers: admin,
      payload: { hsaId: 'se5560001678-kat1', name: 'Katalogtest mottagning', organizationId: org.json().id, municipalityCode: '2580', kind: 'clinic', serviceIds: [service] },
    });
    expect(created.statusCode, created.body).toBe(201);
    const unit = created.json() as UnitOut;
    expect(unit).toMatchObject({ hsaId: 'SE5560001678-KAT1', regionCode: '25', serviceIds: [service], version: 1 });
    expect(created.headers.etag).toBe('"v1"');

    const listed = await get<Page<UnitOut>>(`/api/v1/units?region=25&service=${service}&limit=1000`);
    expect(listed.items.map((u) => u.hsaId)).toContain('SE5560001678-KAT1');
    const other = await get<Page<UnitOut>>(`/api/v1/units?region=01&service=${service}&limit=1000`);
    expect(other.items.map((u) => u.hsaId)).not.toContain('SE5560001678-KAT1');
    const one = await t.app.inject({ method: 'GET', url: '/api/v1/units/SE5560001678-KAT1' });
    expect(one.statusCode).toBe(200);
    expect(one.headers.etag).toBe('"v1"');
  });

  it('PATCH with If-Match: the current version succeeds and changes the ETag, a stale one is 412 and changes nothing', async () => {
    const read = await t.app.inject({ method: 'GET', url: '/api/v1/organizations/region-04' });
    const etag = read.headers.etag as string;
    expect(etag).toMatch(/^"v\d+"$/);
    const name = (read.json() as { name: string }).name;

    const ok = await t.app.inject({ method: 'PATCH', url: '/api/v1/organizations/region-04', headers: { ...admin, 'if-match': etag }, payload: { name: `${name} (ändrad)` } });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.headers.etag).not.toBe(etag);
    expect(ok.json()).toMatchObject({ name: `${name} (ändrad)`, version: Number(etag.slice(2, -1)) + 1 });

    const stale = await t.app.inject({ method: 'PATCH', url: '/api/v1/organizations/region-04', headers: { ...admin, 'if-match': etag }, payload: { name: 'Förlorad uppdatering' } });
    expect(stale.statusCode).toBe(412);
    expect(stale.headers['content-type']).toMatch(/^application\/problem\+json/);
    const after = await t.app.inject({ method: 'GET', url: '/api/v1/organizations/region-04' });
    expect(after.json()).toMatchObject({ name: `${name} (ändrad)` });
    expect(after.headers.etag).toBe(ok.headers.etag);
  });

  it('PATCH of a unit moves it between filters', async () => {
    const before = await get<Page<UnitOut>>('/api/v1/units?region=03&limit=1');
    const unit = before.items[0]!;
    const res = await t.app.inject({ method: 'PATCH', url: `/api/v1/units/${unit.hsaId}`, headers: { ...admin, 'if-match': `"v${unit.version}"` }, payload: { active: false } });
    expect(res.statusCode, res.body).toBe(200);
    const after = await get<Page<UnitOut>>('/api/v1/units?region=03&limit=1000');
    expect(after.items.map((u) => u.hsaId)).not.toContain(unit.hsaId);
  });
});
