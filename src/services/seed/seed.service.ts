import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { hashSecret } from '../secrets.js';
import { readRegions } from '../reference.service.js';
import fs from 'node:fs';
import path from 'node:path';
import { REFERENCE_DIR } from '../reference.service.js';

export interface SeedOptions {
  seed: number;
  scale: number;
}
export interface SeedSummary {
  organizations: number;
  units: number;
  clients: number;
}

export async function isDirectoryEmpty(db: Kysely<DB>): Promise<boolean> {
  return !(await db.selectFrom('organizations').select('id').limit(1).executeTakeFirst());
}

/** The 21 regions as care provider organisations (real names and organisation numbers). */
export function regionOrganizations() {
  const numbers = JSON.parse(fs.readFileSync(path.join(REFERENCE_DIR, 'region-organizations.json'), 'utf8')) as { items: { regionCode: string; organizationNumber: string }[] };
  const byCode = new Map(numbers.items.map((i) => [i.regionCode, i.organizationNumber]));
  return readRegions().map((r) => ({ id: `region-${r.code}`, name: r.region, organization_number: byCode.get(r.code)!, kind: 'region' as const, region_code: r.code }));
}

/** Seed the synthetic demo data: organisations, units and the demo clients (secret "demo"). */
export async function seedDemo(db: Kysely<DB>, _opts: SeedOptions): Promise<SeedSummary> {
  const orgs = regionOrganizations();
  const secret = hashSecret('demo');
  return db.transaction().execute(async (trx) => {
    await trx.insertInto('organizations').values(orgs).onConflict((oc) => oc.column('id').doNothing()).execute();
    const clients = [
      { id: 'demo-admin', name: 'Demo admin (synthetic)', roles: ['admin'], region_code: null, organization_id: null },
      { id: 'demo-analyst', name: 'Demo analyst (synthetic)', roles: ['analyst'], region_code: null, organization_id: null },
      ...orgs.flatMap((o) => [
        { id: `demo-coordinator-${o.region_code}`, name: `Demo coordinator, ${o.name} (synthetic)`, roles: ['coordinator'], region_code: o.region_code, organization_id: null },
        { id: `demo-reporter-${o.region_code}`, name: `Demo reporter, ${o.name} (synthetic)`, roles: ['region-reporter'], region_code: o.region_code, organization_id: null },
        { id: `demo-provider-${o.id}`, name: `Demo provider, ${o.name} (synthetic)`, roles: ['provider'], region_code: null, organization_id: o.id },
      ]),
    ].map((c) => ({ ...c, secret_hash: secret, synthetic: true }));
    await trx.insertInto('clients').values(clients).onConflict((oc) => oc.column('id').doNothing()).execute();
    return { organizations: orgs.length, units: 0, clients: clients.length };
  });
}
