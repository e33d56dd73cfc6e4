import { sql } from 'kysely';
import type { Executor } from '../services/context.js';
import type { CatalogueEntry, Municipality, Organization, Region, Service, Unit } from '../domain/directory.js';

/** SQL for the national directory: plain functions taking a database handle or transaction. */

export async function listRegions(db: Executor): Promise<Region[]> {
  const rows = await db.selectFrom('regions').selectAll().orderBy('code').execute();
  return rows.map((r) => ({
    code: r.code,
    name: r.name,
    county: r.county,
    iso3166_2: r.iso3166_2,
    seat: r.seat,
    populationApprox: r.population_approx,
    location: { lat: r.lat, lng: r.lng },
  }));
}

export async function listMunicipalities(db: Executor, regionCode?: string): Promise<Municipality[]> {
  let q = db.selectFrom('municipalities').selectAll().orderBy('code');
  if (regionCode) q = q.where('region_code', '=', regionCode);
  const rows = await q.execute();
  return rows.map((r) => ({ code: r.code, name: r.name, regionCode: r.region_code, location: { lat: r.lat, lng: r.lng } }));
}

export async function findMunicipality(db: Executor, code: string) {
  return db.selectFrom('municipalities').selectAll().where('code', '=', code).executeTakeFirst();
}

export async function regionExists(db: Executor, code: string): Promise<boolean> {
  return !!(await db.selectFrom('regions').select('code').where('code', '=', code).executeTakeFirst());
}

type OrgRow = { id: string; name: string; organization_number: string; kind: 'region' | 'private'; region_code: string | null; synthetic: boolean; version: number };
const toOrganization = (r: OrgRow): Organization => ({
  id: r.id,
  name: r.name,
  organizationNumber: r.organization_number,
  kind: r.kind,
  regionCode: r.region_code,
  synthetic: r.synthetic,
  version: r.version,
});

export async function listOrganizations(db: Executor, f: { kind?: string | undefined; region?: string | undefined; after?: string | undefined; limit: number }): Promise<Organization[]> {
  let q = db.selectFrom('organizations').selectAll().orderBy('id').limit(f.limit);
  if (f.kind) q = q.where('kind', '=', f.kind as 'region' | 'private');
  if (f.region) q = q.where('region_code', '=', f.region);
  if (f.after) q = q.where('id', '>', f.after);
  return (await q.execute()).map(toOrganization);
}

export async function findOrganization(db: Executor, id: string): Promise<Organization | undefined> {
  const r = await db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? toOrganization(r) : undefined;
}

export async function findOrganizationByNumber(db: Executor, organizationNumber: string): Promise<Organization | undefined> {
  const r = await db.selectFrom('organizations').selectAll().where('organization_number', '=', organizationNumber).executeTakeFirst();
  return r ? toOrganization(r) : undefined;
}

type ServiceRow = {
  id: string; name_sv: string; name_en: string; contact_type: Service['contactType']; specialty: string;
  kva_codes: string[]; source: string | null; active: boolean; version: number; equivalents: string[] | null;
};
const toService = (r: ServiceRow): Service => ({
  id: r.id,
  name: { sv: r.name_sv, en: r.name_en },
  contactType: r.contact_type,
  specialty: r.specialty,
  kvaCodes: r.kva_codes,
  source: r.source,
  active: r.active,
  equivalents: [...(r.equivalents ?? [])].sort(compareIds),
  version: r.version,
});

/** Code-unit order, the same on every database and locale. */
const compareIds = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The service's declared equivalents (ids, unordered; toService sorts them). */
const equivalentsOf = sql<string[]>`(SELECT array_agg(e.equivalent_id) FROM service_equivalents e WHERE e.service_id = s.id)`.as('equivalents');

export async function listServices(db: Executor, f: { specialty?: string | undefined; contactType?: string | undefined; includeInactive?: boolean } = {}): Promise<Service[]> {
  let q = db.selectFrom('services as s').selectAll('s').select(equivalentsOf).orderBy('s.specialty').orderBy('s.id');
  if (f.specialty) q = q.where('s.specialty', '=', f.specialty);
  if (f.contactType) q = q.where('s.contact_type', '=', f.contactType as Service['contactType']);
  if (!f.includeInactive) q = q.where('s.active', '=', true);
  return (await q.execute()).map(toService);
}

export async function findService(db: Executor, id: string): Promise<Service | undefined> {
  const r = await db.selectFrom('services as s').selectAll('s').select(equivalentsOf).where('s.id', '=', id).executeTakeFirst();
  return r ? toService(r) : undefined;
}

/** Contact type and state of the services with these ids (the ones that exist). */
export async function catalogueEntries(db: Executor, ids: readonly string[]): Promise<Map<string, CatalogueEntry>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('services').select(['id', 'contact_type', 'active']).where('id', 'in', [...new Set(ids)]).execute();
  return new Map(rows.map((r) => [r.id, { contactType: r.contact_type, active: r.active }]));
}

/** The services that declare `equivalentId` one of their equivalents, with their contact types. */
export async function servicesDeclaring(db: Executor, equivalentId: string): Promise<{ id: string; contactType: Service['contactType'] }[]> {
  const rows = await db
    .selectFrom('service_equivalents as e')
    .innerJoin('services as s', 's.id', 'e.service_id')
    .select(['s.id', 's.contact_type'])
    .where('e.equivalent_id', '=', equivalentId)
    .orderBy('s.id')
    .execute();
  return rows.map((r) => ({ id: r.id, contactType: r.contact_type }));
}

/**
 * Make `ids` the service's set of equivalents: remove the others, add the new ones (declared at `at`); equivalents kept
 * keep their declaration time. Writes nothing when the set is unchanged (so the directory version stands).
 */
export async function replaceServiceEquivalents(db: Executor, serviceId: string, ids: readonly string[], current: readonly string[], at: Date): Promise<void> {
  const next = new Set(ids);
  const removed = current.filter((id) => !next.has(id));
  const added = [...next].filter((id) => !current.includes(id));
  if (removed.length > 0) await db.deleteFrom('service_equivalents').where('service_id', '=', serviceId).where('equivalent_id', 'in', removed).execute();
  if (added.length > 0)
    await db.insertInto('service_equivalents').values(added.map((equivalent_id) => ({ service_id: serviceId, equivalent_id, declared_at: at }))).execute();
}

export async function existingServiceIds(db: Executor, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom('services').select('id').where('id', 'in', ids).execute();
  return new Set(rows.map((r) => r.id));
}

export interface UnitFilter {
  region?: string | undefined;
  organization?: string | undefined;
  municipality?: string | undefined;
  service?: string | undefined;
  /** hsa_id to start after (keyset paging) */
  after?: string | undefined;
  limit: number;
}

/** Units with their offered services, filtered and paged by HSA-id. One query, served by the indexes of 0001. */
export async function listUnits(db: Executor, f: UnitFilter): Promise<Unit[]> {
  let q = db
    .selectFrom('units as u')
    .select([
      'u.hsa_id', 'u.name', 'u.organization_id', 'u.region_code', 'u.municipality_code', 'u.lat', 'u.lng',
      'u.kind', 'u.synthetic', 'u.active', 'u.version',
      sql<string[]>`coalesce((SELECT array_agg(us.service_id ORDER BY us.service_id) FROM unit_services us WHERE us.unit_hsa_id = u.hsa_id), '{}')`.as('service_ids'),
    ])
    .where('u.active', '=', true)
    .orderBy('u.hsa_id')
    .limit(f.limit);
  if (f.region) q = q.where('u.region_code', '=', f.region);
  if (f.organization) q = q.where('u.organization_id', '=', f.organization);
  if (f.municipality) q = q.where('u.municipality_code', '=', f.municipality);
  if (f.service) {
    const service = f.service;
    q = q.where((eb) => eb.exists(eb.selectFrom('unit_services as s').select(sql`1`.as('one')).whereRef('s.unit_hsa_id', '=', 'u.hsa_id').where('s.service_id', '=', service)));
  }
  if (f.after) q = q.where('u.hsa_id', '>', f.after);
  const rows = await q.execute();
  return rows.map(toUnit);
}

type UnitRow = {
  hsa_id: string; name: string; organization_id: string; region_code: string; municipality_code: string; lat: number; lng: number;
  kind: Unit['kind']; synthetic: boolean; active: boolean; version: number; service_ids: string[];
};
const toUnit = (r: UnitRow): Unit => ({
  hsaId: r.hsa_id,
  name: r.name,
  organizationId: r.organization_id,
  regionCode: r.region_code,
  municipalityCode: r.municipality_code,
  location: { lat: r.lat, lng: r.lng },
  kind: r.kind,
  serviceIds: r.service_ids,
  synthetic: r.synthetic,
  active: r.active,
  version: r.version,
});

export async function findUnit(db: Executor, hsaId: string): Promise<Unit | undefined> {
  const r = await db
    .selectFrom('units as u')
    .selectAll('u')
    .select(sql<string[]>`coalesce((SELECT array_agg(us.service_id ORDER BY us.service_id) FROM unit_services us WHERE us.unit_hsa_id = u.hsa_id), '{}')`.as('service_ids'))
    .where('u.hsa_id', '=', hsaId)
    .executeTakeFirst();
  return r ? toUnit(r) : undefined;
}

/** Units per region, for the county map. */
export async function unitCountsByRegion(db: Executor, service?: string): Promise<{ regionCode: string; unitCount: number }[]> {
  let q = db.selectFrom('units as u').select(['u.region_code', sql<number>`count(*)::int`.as('n')]).where('u.active', '=', true).groupBy('u.region_code').orderBy('u.region_code');
  if (service) q = q.where((eb) => eb.exists(eb.selectFrom('unit_services as s').select(sql`1`.as('one')).whereRef('s.unit_hsa_id', '=', 'u.hsa_id').where('s.service_id', '=', service)));
  return (await q.execute()).map((r) => ({ regionCode: r.region_code, unitCount: r.n }));
}

export async function replaceUnitServices(db: Executor, hsaId: string, serviceIds: string[]): Promise<void> {
  await db.deleteFrom('unit_services').where('unit_hsa_id', '=', hsaId).execute();
  if (serviceIds.length > 0)
    await db.insertInto('unit_services').values([...new Set(serviceIds)].map((service_id) => ({ unit_hsa_id: hsaId, service_id }))).execute();
}

/** The directory's change counter (bumped by triggers on every directory table). */
export async function directoryVersion(db: Executor): Promise<number> {
  const r = await db.selectFrom('directory_version').select('version').where('id', '=', 1).executeTakeFirst();
  return Number(r?.version ?? 0);
}
