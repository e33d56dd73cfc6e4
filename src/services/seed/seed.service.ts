import fs from 'node:fs';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { hashSecret } from '../secrets.js';
import { REFERENCE_DIR, readMunicipalities, readRegions } from '../reference.service.js';
import { generateDemoDirectory, type DemoDirectory, type GenerateOptions } from './generate.js';

export type SeedOptions = GenerateOptions;
export interface SeedSummary {
  organizations: number;
  units: number;
  clients: number;
}

/** Rows per INSERT: few round trips, and well below PostgreSQL's 65,535 bind parameters per statement. */
const CHUNK = 500;

export async function isDirectoryEmpty(db: Kysely<DB>): Promise<boolean> {
  return !(await db.selectFrom('organizations').select('id').limit(1).executeTakeFirst());
}

/** The 21 regions as care provider organisations (real names and organisation numbers). */
export function regionOrganizations() {
  const numbers = JSON.parse(fs.readFileSync(path.join(REFERENCE_DIR, 'region-organizations.json'), 'utf8')) as { items: { regionCode: string; organizationNumber: string }[] };
  const byCode = new Map(numbers.items.map((i) => [i.regionCode, i.organizationNumber]));
  return readRegions().map((r) => ({ id: `region-${r.code}`, name: r.region, organization_number: byCode.get(r.code)!, kind: 'region' as const, region_code: r.code }));
}

/**
 * The synthetic directory for a seed and scale, from the reference files and the service catalogue in the database
 * (the catalogue as loaded, so that every offered service exists; inactive services are not offered).
 */
export async function buildDemoDirectory(db: Kysely<DB>, opts: SeedOptions): Promise<DemoDirectory> {
  const services = await db.selectFrom('services').select(['id', 'contact_type', 'specialty']).where('active', '=', true).orderBy('id').execute();
  return generateDemoDirectory(
    {
      regions: readRegions(),
      municipalities: readMunicipalities(),
      services: services.map((s) => ({ id: s.id, contactType: s.contact_type, specialty: s.specialty })),
      regionOrganizations: regionOrganizations().map((o) => ({ id: o.id, name: o.name, organizationNumber: o.organization_number, regionCode: o.region_code })),
    },
    opts,
  );
}

function chunks<T>(rows: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += CHUNK) out.push(rows.slice(i, i + CHUNK));
  return out;
}

/**
 * Seed the synthetic demo data in one transaction: organisations (the real regions and invented private companies),
 * units with their services, and the demo clients (secret "demo").
 * Idempotent: rows that exist are left as they are, so a second call adds nothing, and a call with a larger scale
 * adds only the units of the missing scale layers (layer k is the same whatever the scale).
 * The summary counts the rows of the generated directory, whether they were new or already there.
 */
export async function seedDemo(db: Kysely<DB>, opts: SeedOptions): Promise<SeedSummary> {
  const directory = await buildDemoDirectory(db, opts);
  // scrypt is slow on purpose: one hash of "demo" serves every demo client
  const secretHash = hashSecret('demo');
  await db.transaction().execute(async (trx) => {
    for (const rows of chunks(directory.organizations))
      await trx
        .insertInto('organizations')
        .values(rows.map((o) => ({ id: o.id, name: o.name, organization_number: o.organizationNumber, kind: o.kind, region_code: o.regionCode, synthetic: o.synthetic })))
        .onConflict((oc) => oc.doNothing())
        .execute();
    for (const rows of chunks(directory.units))
      await trx
        .insertInto('units')
        .values(
          rows.map((u) => ({
            hsa_id: u.hsaId, name: u.name, organization_id: u.organizationId, region_code: u.regionCode, municipality_code: u.municipalityCode,
            lat: u.lat, lng: u.lng, kind: u.kind, synthetic: true,
          })),
        )
        .onConflict((oc) => oc.column('hsa_id').doNothing())
        .execute();
    const offers = directory.units.flatMap((u) => u.serviceIds.map((s) => ({ unit_hsa_id: u.hsaId, service_id: s })));
    for (const rows of chunks(offers)) await trx.insertInto('unit_services').values(rows).onConflict((oc) => oc.doNothing()).execute();
    const clients = directory.clients.map((c) => ({
      id: c.id, name: c.name, roles: c.roles, region_code: c.regionCode, organization_id: c.organizationId, secret_hash: secretHash, synthetic: true,
    }));
    for (const rows of chunks(clients)) await trx.insertInto('clients').values(rows).onConflict((oc) => oc.column('id').doNothing()).execute();
  });
  return { organizations: directory.organizations.length, units: directory.units.length, clients: directory.clients.length };
}
