import { z } from 'zod';

/** Response shapes of the directory endpoints, with examples for the API docs. */
const LatLng = z.object({ lat: z.number(), lng: z.number() });

export const RegionOut = z.object({
  code: z.string(),
  name: z.string(),
  county: z.string(),
  iso3166_2: z.string(),
  seat: z.string(),
  populationApprox: z.number().int(),
  location: LatLng,
  unitCount: z.number().int(),
});
export const RegionList = z
  .object({ items: z.array(RegionOut), source: z.string() })
  .meta({ examples: [{ items: [{ code: '25', name: 'Region Norrbotten', county: 'Norrbottens län', iso3166_2: 'SE-BD', seat: 'Luleå', populationApprox: 249000, location: { lat: 66.83, lng: 20.45 }, unitCount: 31 }], source: 'SCB county codes; centroids Natural Earth (public domain)' }] });

export const MunicipalityOut = z.object({ code: z.string(), name: z.string(), regionCode: z.string(), location: LatLng });
export const MunicipalityList = z
  .object({ items: z.array(MunicipalityOut), source: z.string() })
  .meta({ examples: [{ items: [{ code: '2580', name: 'Luleå', regionCode: '25', location: { lat: 65.5848, lng: 22.1547 } }], source: 'SCB municipality codes; coordinates GeoNames (geonames.org), CC BY 4.0' }] });

export const OrganizationOut = z
  .object({
    id: z.string(),
    name: z.string(),
    organizationNumber: z.string(),
    kind: z.enum(['region', 'private']),
    regionCode: z.string().nullable(),
    synthetic: z.boolean(),
    version: z.number().int(),
  })
  .meta({ examples: [{ id: 'region-25', name: 'Region Norrbotten', organizationNumber: '232100-0230', kind: 'region', regionCode: '25', synthetic: false, version: 1 }] });
export const OrganizationList = z.object({ items: z.array(OrganizationOut), nextCursor: z.string().nullable() }).meta({
  examples: [{ items: [{ id: 'region-25', name: 'Region Norrbotten', organizationNumber: '232100-0230', kind: 'region', regionCode: '25', synthetic: false, version: 1 }], nextCursor: null }],
});

export const ServiceOut = z
  .object({
    id: z.string(),
    name: z.object({ sv: z.string(), en: z.string() }),
    contactType: z.enum(['first_visit', 'treatment', 'primary_assessment']),
    specialty: z.string(),
    kvaCodes: z.array(z.string()),
    source: z.string().nullable(),
    active: z.boolean(),
    equivalents: z
      .array(z.string())
      .describe('Ids of the services declared equivalent to this one, sorted: a unit offering one of them can take a patient who needs this service (the capacity search lists it).'),
    version: z.number().int(),
  })
  .meta({ examples: [{ id: 'knee-replacement', name: { sv: 'Knäprotesoperation', en: 'Knee replacement' }, contactType: 'treatment', specialty: 'orthopaedics', kvaCodes: ['NGB49'], source: 'KVÅ 2026, Socialstyrelsen', active: true, equivalents: [], version: 1 }] });
export const ServiceList = z.object({ items: z.array(ServiceOut) }).meta({
  examples: [{ items: [{ id: 'knee-replacement', name: { sv: 'Knäprotesoperation', en: 'Knee replacement' }, contactType: 'treatment', specialty: 'orthopaedics', kvaCodes: ['NGB49'], source: 'KVÅ 2026, Socialstyrelsen', active: true, equivalents: [], version: 1 }] }],
});

const unitExample = {
  hsaId: 'SE2321000230-4K7M',
  name: 'Sunderby sjukhus, ortopedkliniken (synthetic)',
  organizationId: 'region-25',
  regionCode: '25',
  municipalityCode: '2580',
  location: { lat: 65.67, lng: 21.91 },
  kind: 'hospital',
  serviceIds: ['knee-replacement', 'orthopaedics-first-visit'],
  synthetic: true,
  active: true,
  version: 1,
};
export const UnitOut = z
  .object({
    hsaId: z.string(),
    name: z.string(),
    organizationId: z.string(),
    regionCode: z.string(),
    municipalityCode: z.string(),
    location: LatLng,
    kind: z.enum(['hospital', 'clinic', 'primary_care']),
    serviceIds: z.array(z.string()),
    synthetic: z.boolean(),
    active: z.boolean(),
    version: z.number().int(),
  })
  .meta({ examples: [unitExample] });
export const UnitList = z.object({ items: z.array(UnitOut), nextCursor: z.string().nullable() }).meta({ examples: [{ items: [unitExample], nextCursor: null }] });

export const RegionCodeQ = z.string().regex(/^\d{2}$/, 'a region code is two digits, e.g. 01');
export const MunicipalityCodeQ = z.string().regex(/^\d{4}$/, 'a municipality code is four digits, e.g. 2580');
export const IdParam = z.object({ id: z.string().min(1).max(100) });
export const HsaParam = z.object({ hsaId: z.string().min(1).max(40) });
