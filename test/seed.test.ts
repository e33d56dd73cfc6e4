import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sql } from 'kysely';
import { parseHsaId, parseOrganizationNumber } from '../src/domain/identifiers.js';
import { deriveSeed, mulberry32 } from '../src/domain/random.js';
import { readMunicipalities, readRegions, readServiceCatalogue } from '../src/services/reference.service.js';
import { generateDemoDirectory, type DemoDirectory, type DirectoryReference } from '../src/services/seed/generate.js';
import { PRIVATE_PROVIDER_REGIONS } from '../src/services/seed/names.js';
import { regionOrganizations, seedDemo } from '../src/services/seed/seed.service.js';
import { openTestDatabase, targets, type TestDatabase } from './helpers/db.js';

const reference: DirectoryReference = {
  regions: readRegions(),
  municipalities: readMunicipalities(),
  services: readServiceCatalogue().services,
  regionOrganizations: regionOrganizations().map((o) => ({ id: o.id, name: o.name, organizationNumber: o.organization_number, regionCode: o.region_code })),
};
const demo = generateDemoDirectory(reference, { seed: 1, scale: 1 });
const privateIds = new Set(demo.organizations.filter((o) => o.kind === 'private').map((o) => o.id));

function pearson(xs: number[], ys: number[]): number {
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const mx = mean(xs);
  const my = mean(ys);
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < xs.length; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
    syy += (ys[i]! - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/** The invariants every generated directory keeps, whatever the seed. */
function checkInvariants(d: DemoDirectory): void {
  const orgNumbers = d.organizations.map((o) => o.organizationNumber);
  expect(new Set(orgNumbers).size).toBe(orgNumbers.length);
  for (const n of orgNumbers) expect(parseOrganizationNumber(n)).toEqual({ ok: true, value: n });
  const orgs = new Map(d.organizations.map((o) => [o.id, o]));
  const hsaIds = d.units.map((u) => u.hsaId);
  expect(new Set(hsaIds).size).toBe(hsaIds.length);
  const names = d.units.map((u) => u.name);
  expect(new Set(names).size).toBe(names.length);
  const municipalities = new Map(reference.municipalities.map((m) => [m.code, m]));
  for (const u of d.units) {
    expect(parseHsaId(u.hsaId)).toEqual({ ok: true, value: u.hsaId });
    const org = orgs.get(u.organizationId)!;
    expect(u.hsaId.slice(2, 12)).toBe(org.organizationNumber.replace('-', ''));
    if (org.kind === 'region') expect(u.regionCode).toBe(org.regionCode);
    expect(municipalities.get(u.municipalityCode)?.regionCode).toBe(u.regionCode);
    expect(u.lat).toBeGreaterThanOrEqual(55);
    expect(u.lat).toBeLessThanOrEqual(69.1);
    expect(u.lng).toBeGreaterThanOrEqual(10.5);
    expect(u.lng).toBeLessThanOrEqual(24.2);
    expect(u.serviceIds.length, u.name).toBeGreaterThanOrEqual(1);
  }
}

describe('the synthetic demo directory (generation)', () => {
  it('is the same for the same seed and different for another seed', () => {
    expect(generateDemoDirectory(reference, { seed: 1, scale: 1 })).toEqual(demo);
    const other = generateDemoDirectory(reference, { seed: 2, scale: 1 });
    expect(other.units.map((u) => `${u.name}@${u.municipalityCode}`)).not.toEqual(demo.units.map((u) => `${u.name}@${u.municipalityCode}`));
    expect(other.organizations.filter((o) => o.kind === 'private').map((o) => o.organizationNumber)).not.toEqual(
      demo.organizations.filter((o) => o.kind === 'private').map((o) => o.organizationNumber),
    );
  });

  it('has valid, unique HSA-ids and organisation numbers, services at every unit and places inside Sweden', () => {
    checkInvariants(demo);
  });

  it('keeps its invariants for any seed', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (seed) => checkInvariants(generateDemoDirectory(reference, { seed, scale: 1 }))), { numRuns: 12 });
  });

  it('has about 500–900 units, with hospitals, clinics and primary care in every region', () => {
    expect(demo.units.length).toBeGreaterThanOrEqual(500);
    expect(demo.units.length).toBeLessThanOrEqual(900);
    for (const r of reference.regions) {
      const kinds = new Set(demo.units.filter((u) => u.regionCode === r.code && !privateIds.has(u.organizationId)).map((u) => u.kind));
      expect(kinds, r.code).toEqual(new Set(['hospital', 'clinic', 'primary_care']));
    }
  });

  it('gives each region public units roughly in proportion to its population', () => {
    const count = (code: string) => demo.units.filter((u) => u.regionCode === code && !privateIds.has(u.organizationId)).length;
    expect(count('01')).toBeGreaterThan(count('09'));
    expect(count('14')).toBeGreaterThan(count('23'));
    expect(pearson(reference.regions.map((r) => r.populationApprox), reference.regions.map((r) => count(r.code)))).toBeGreaterThan(0.95);
  });

  it('has 10–15 invented private companies (organisation numbers 559…) with clinics only in the larger regions', () => {
    const companies = demo.organizations.filter((o) => o.kind === 'private');
    expect(companies.length).toBeGreaterThanOrEqual(10);
    expect(companies.length).toBeLessThanOrEqual(15);
    const regionNumbers = new Set(reference.regionOrganizations.map((o) => o.organizationNumber));
    for (const c of companies) {
      expect(c.organizationNumber).toMatch(/^559\d{3}-\d{4}$/);
      expect(regionNumbers.has(c.organizationNumber)).toBe(false);
      expect(c.name).toMatch(/ AB$/);
      expect(c.id).toMatch(/^[a-z0-9][a-z0-9-]{1,62}$/);
      expect(c.synthetic).toBe(true);
      const units = demo.units.filter((u) => u.organizationId === c.id);
      expect(units.length, c.name).toBeGreaterThanOrEqual(1);
      for (const u of units) expect(Object.keys(PRIVATE_PROVIDER_REGIONS), u.name).toContain(u.regionCode);
    }
    for (const o of demo.organizations.filter((x) => x.kind === 'region')) expect(o.synthetic).toBe(false);
  });

  it('offers services by kind of unit, and every service in several regions', () => {
    const primary = new Set(reference.services.filter((s) => s.contactType === 'primary_assessment').map((s) => s.id));
    const mean = (kind: string) => {
      const us = demo.units.filter((u) => u.kind === kind);
      return us.reduce((a, u) => a + u.serviceIds.length, 0) / us.length;
    };
    expect(mean('hospital')).toBeGreaterThan(15);
    expect(mean('clinic')).toBeLessThan(10);
    for (const u of demo.units.filter((x) => x.kind === 'primary_care')) expect(u.serviceIds.every((s) => primary.has(s)), u.name).toBe(true);
    for (const u of demo.units.filter((x) => x.kind !== 'primary_care')) expect(u.serviceIds.some((s) => !primary.has(s)), u.name).toBe(true);
    for (const s of reference.services) {
      const regions = new Set(demo.units.filter((u) => u.serviceIds.includes(s.id)).map((u) => u.regionCode));
      expect(regions.size, s.id).toBeGreaterThanOrEqual(3);
    }
  });

  it('lists the demo clients of the contract', () => {
    const ids = new Set(demo.clients.map((c) => c.id));
    expect(ids.has('demo-admin') && ids.has('demo-analyst')).toBe(true);
    for (const r of reference.regions) {
      expect(ids.has(`demo-coordinator-${r.code}`)).toBe(true);
      expect(ids.has(`demo-reporter-${r.code}`)).toBe(true);
    }
    for (const o of demo.organizations) expect(ids.has(`demo-provider-${o.id}`)).toBe(true);
    expect(ids.size).toBe(demo.clients.length);
  });

  it('at scale 2 has twice the units, the scale-1 units among them', () => {
    const double = generateDemoDirectory(reference, { seed: 1, scale: 2 });
    expect(double.units.length).toBe(2 * demo.units.length);
    expect(double.organizations).toEqual(demo.organizations);
    expect(double.units.slice(0, demo.units.length)).toEqual(demo.units);
    checkInvariants(double);
  });
});

describe('the seeded random numbers', () => {
  it('repeat for a seed and stay in range', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 1000 }, () => a.next());
    expect(Array.from({ length: 1000 }, () => b.next())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(Math.abs(xs.reduce((s, x) => s + x, 0) / xs.length - 0.5)).toBeLessThan(0.05);
    expect(deriveSeed(1, 'units-0')).not.toBe(deriveSeed(1, 'units-1'));
    expect(deriveSeed(1, 'units-0')).not.toBe(deriveSeed(2, 'units-0'));
  });
});

describe.each(targets)('the seeded demo directory on %s', (target) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(target);
  });
  afterAll(async () => database?.close());

  const counts = async () =>
    (
      await sql<{ organizations: number; units: number; offers: number; clients: number }>`
        SELECT (SELECT count(*)::int FROM organizations) AS organizations, (SELECT count(*)::int FROM units) AS units,
               (SELECT count(*)::int FROM unit_services) AS offers, (SELECT count(*)::int FROM clients) AS clients`.execute(database.db)
    ).rows[0]!;

  it('holds the generated directory (seed 1), marked synthetic except the real region organisations', async () => {
    const c = await counts();
    expect(c.units).toBe(demo.units.length);
    expect(c.organizations).toBe(demo.organizations.length);
    const orgs = await database.db.selectFrom('organizations').select(['id', 'kind', 'synthetic']).execute();
    for (const o of orgs) expect(o.synthetic, o.id).toBe(o.kind === 'private');
    const notSynthetic = await database.db.selectFrom('units').select('hsa_id').where('synthetic', '=', false).execute();
    expect(notSynthetic).toEqual([]);
    const withoutService = await sql<{ hsa_id: string }>`SELECT hsa_id FROM units u WHERE NOT EXISTS (SELECT 1 FROM unit_services s WHERE s.unit_hsa_id = u.hsa_id)`.execute(database.db);
    expect(withoutService.rows).toEqual([]);
  });

  it('has the demo clients for every region and every provider organisation, sharing one secret hash', async () => {
    const clients = await database.db.selectFrom('clients').select(['id', 'roles', 'region_code', 'organization_id', 'secret_hash', 'synthetic']).execute();
    const byId = new Map(clients.map((c) => [c.id, c]));
    expect(byId.get('demo-admin')?.roles).toEqual(['admin']);
    expect(byId.get('demo-analyst')?.roles).toEqual(['analyst']);
    for (const r of reference.regions) {
      expect(byId.get(`demo-coordinator-${r.code}`)).toMatchObject({ roles: ['coordinator'], region_code: r.code });
      expect(byId.get(`demo-reporter-${r.code}`)).toMatchObject({ roles: ['region-reporter'], region_code: r.code });
    }
    const orgs = await database.db.selectFrom('organizations').select('id').execute();
    for (const o of orgs) expect(byId.get(`demo-provider-${o.id}`), o.id).toMatchObject({ roles: ['provider'], organization_id: o.id });
    const demoClients = clients.filter((c) => c.id.startsWith('demo-'));
    expect(demoClients.every((c) => c.synthetic)).toBe(true);
    expect(new Set(demoClients.map((c) => c.secret_hash)).size).toBe(1);
  });

  it('can be seeded again without failing or duplicating, and a larger scale adds only the missing units', async () => {
    const before = await counts();
    await seedDemo(database.db, { seed: 1, scale: 1 });
    expect(await counts()).toEqual(before);
    const summary = await seedDemo(database.db, { seed: 1, scale: 2 });
    const after = await counts();
    expect(summary.units).toBe(2 * demo.units.length);
    expect(after.units).toBe(2 * before.units);
    expect(after.organizations).toBe(before.organizations);
    expect(after.clients).toBe(before.clients);
    expect(after.offers).toBeGreaterThan(before.offers);
  });
});
