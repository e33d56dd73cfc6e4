import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { DB } from '../db/schema.js';

/** The project's reference folder: real data shipped with the service (see reference/README.md for sources). */
export const REFERENCE_DIR = path.resolve(process.env.NVF_REFERENCE_DIR ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'reference'));

const RegionFile = z.array(
  z.object({
    code: z.string().regex(/^\d{2}$/),
    iso3166_2: z.string(),
    county: z.string(),
    region: z.string(),
    seat: z.string(),
    populationApprox: z.number().int(),
    centroid: z.object({ lat: z.number(), lng: z.number() }),
  }),
);
const MunicipalityFile = z.array(
  z.object({ code: z.string().regex(/^\d{4}$/), name: z.string(), regionCode: z.string().regex(/^\d{2}$/), lat: z.number(), lng: z.number() }),
);
const ServiceFile = z.object({
  source: z.string(),
  services: z.array(
    z.object({
      id: z.string(),
      name: z.object({ sv: z.string(), en: z.string() }),
      contactType: z.enum(['first_visit', 'treatment', 'primary_assessment']),
      specialty: z.string(),
      kvaCodes: z.array(z.string()).default([]),
      source: z.string().optional(),
    }),
  ),
});

function readJson<T>(file: string, schema: z.ZodType<T>): T {
  return schema.parse(JSON.parse(fs.readFileSync(path.join(REFERENCE_DIR, file), 'utf8')));
}

export const readRegions = () => readJson('regions.json', RegionFile);
export const readMunicipalities = () => readJson('kommuner.json', MunicipalityFile);
export const readServiceCatalogue = () => readJson('services.json', ServiceFile);

/**
 * Load the reference data every installation needs: regions, municipalities and the service catalogue.
 * Idempotent: existing rows are left as they are (the catalogue can be changed by admins afterwards).
 */
export async function loadReferenceData(db: Kysely<DB>): Promise<{ regions: number; municipalities: number; services: number }> {
  const regions = readRegions();
  const municipalities = readMunicipalities();
  const catalogue = fs.existsSync(path.join(REFERENCE_DIR, 'services.json')) ? readServiceCatalogue() : { source: '', services: [] };
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('regions')
      .values(regions.map((r) => ({ code: r.code, name: r.region, county: r.county, iso3166_2: r.iso3166_2, seat: r.seat, population_approx: r.populationApprox, lat: r.centroid.lat, lng: r.centroid.lng })))
      .onConflict((oc) => oc.column('code').doNothing())
      .execute();
    await trx
      .insertInto('municipalities')
      .values(municipalities.map((m) => ({ code: m.code, name: m.name, region_code: m.regionCode, lat: m.lat, lng: m.lng })))
      .onConflict((oc) => oc.column('code').doNothing())
      .execute();
    if (catalogue.services.length > 0)
      await trx
        .insertInto('services')
        .values(
          catalogue.services.map((s) => ({
            id: s.id, name_sv: s.name.sv, name_en: s.name.en, contact_type: s.contactType, specialty: s.specialty,
            kva_codes: s.kvaCodes, source: s.source ?? catalogue.source,
          })),
        )
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
  });
  return { regions: regions.length, municipalities: municipalities.length, services: catalogue.services.length };
}
