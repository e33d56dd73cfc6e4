import fs from 'node:fs';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { previousPeriod } from '../../domain/indicators.js';
import { hashSecret } from '../secrets.js';
import { computePeriods } from '../statistics/compute.service.js';
import { REFERENCE_DIR, readMunicipalities, readRegions } from '../reference.service.js';
import { generateDemoDirectory, type DemoDirectory, type GenerateOptions } from './generate.js';
import { addDays } from '../../domain/calendar.js';
import { createPatientCrypto, parsePatientKeys } from '../patient-crypto.js';
import { generateBrokeringHistory, HISTORY_ACTOR } from './brokering-history.js';

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

/** Brokering cases of the demo's synthetic history at scale 1, opened over the 12 months before the seed's today. */
export const DEMO_HISTORY_CASES = 2_000;

/**
 * The demo's brokering history (src/services/seed/brokering-history.ts): round(2,000 × scale) synthetic cases opened from
 * a year before `today` to the day before (so that nothing lies in the future), with requests, choices and outcomes, so
 * that the brokering statistics have a year to show. Skipped (null) when the history is already there (a case written by
 * the demo seed). `patientDataKey`: the installation's PATIENT_DATA_KEY, so that coordinators can open the cases; the
 * public demo key when absent. Call it after the directory and the waiting list, before the statistics.
 */
export async function seedDemoBrokeringHistory(
  db: Kysely<DB>, opts: { seed: number; today: string; scale?: number; patientDataKey?: string; onProgress?: (done: number, total: number) => void },
): Promise<{ cases: number; requests: number } | null> {
  if (await db.selectFrom('cases').select('id').where('opened_by', '=', HISTORY_ACTOR).limit(1).executeTakeFirst()) return null;
  return generateBrokeringHistory(db, {
    cases: Math.max(1, Math.round(DEMO_HISTORY_CASES * (opts.scale ?? 1))), from: addDays(opts.today, -365), to: addDays(opts.today, -1), seed: opts.seed,
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    ...(opts.patientDataKey ? { patients: createPatientCrypto(parsePatientKeys(opts.patientDataKey)) } : {}),
  });
}

/**
 * The statistics history of the demo: the indicators of the last `months` complete months before `today` (default 12),
 * computed from whatever has been seeded (call it after every other seeding step), so that a fresh demo's statistics
 * pages have a time series. Months computed before get revisions only where a value changed.
 */
/** Months of statistics the demo computes when it is seeded (each takes seconds on the embedded database; the public
 * trend charts and the scorecard's trend show six). Older months: `nvf stats compute --from … --to …`. */
export const DEMO_STATISTICS_MONTHS = 6;

export async function seedStatisticsHistory(db: Kysely<DB>, opts: { today: string; months?: number; now?: Date }): Promise<{ months: number; rowsWritten: number }> {
  const periods: string[] = [];
  for (let p = previousPeriod(opts.today.slice(0, 7)); periods.length < (opts.months ?? DEMO_STATISTICS_MONTHS); p = previousPeriod(p)) periods.unshift(p);
  const results = await computePeriods(db, periods, { triggeredBy: 'demo-seed', ...(opts.now ? { now: opts.now } : {}) });
  return { months: results.length, rowsWritten: results.reduce((a, r) => a + r.rowsWritten, 0) };
}
