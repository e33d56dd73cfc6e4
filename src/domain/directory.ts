import { z } from 'zod';
import type { FieldError } from './errors.js';

/** Contact types of the service catalogue (contract: Directory). */
export const CONTACT_TYPES = ['first_visit', 'treatment', 'primary_assessment'] as const;
export type ContactType = (typeof CONTACT_TYPES)[number];
export const ORGANIZATION_KINDS = ['region', 'private'] as const;
export const UNIT_KINDS = ['hospital', 'clinic', 'primary_care'] as const;

export interface Region {
  code: string;
  name: string;
  county: string;
  iso3166_2: string;
  seat: string;
  populationApprox: number;
  location: { lat: number; lng: number };
}

export interface Municipality {
  code: string;
  name: string;
  regionCode: string;
  location: { lat: number; lng: number };
}

export interface Organization {
  id: string;
  name: string;
  organizationNumber: string;
  kind: 'region' | 'private';
  regionCode: string | null;
  synthetic: boolean;
  version: number;
}

export interface Service {
  id: string;
  name: { sv: string; en: string };
  contactType: ContactType;
  specialty: string;
  kvaCodes: string[];
  source: string | null;
  active: boolean;
  /** ids of the services declared equivalent to this one (a unit offering one can take its patients), sorted */
  equivalents: string[];
  version: number;
}

export interface Unit {
  hsaId: string;
  name: string;
  organizationId: string;
  regionCode: string;
  municipalityCode: string;
  location: { lat: number; lng: number };
  kind: 'hospital' | 'clinic' | 'primary_care';
  serviceIds: string[];
  synthetic: boolean;
  active: boolean;
  version: number;
}

/** Identifier of organisations and services: lower-case letters, digits and hyphens. */
export const SlugId = z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'use 2–63 lower-case letters, digits and hyphens');

const Name = z.string().trim().min(2, 'write at least 2 characters').max(200, 'write at most 200 characters');
const Lat = z.number().min(55, 'Sweden lies between latitude 55 and 69.1').max(69.1, 'Sweden lies between latitude 55 and 69.1');
const Lng = z.number().min(10.5, 'Sweden lies between longitude 10.5 and 24.2').max(24.2, 'Sweden lies between longitude 10.5 and 24.2');

/** Body of POST /api/v1/organizations. Format rules (Luhn) are checked by the service, giving 422. */
export const OrganizationCreate = z.strictObject({
  id: SlugId.optional(),
  name: Name,
  organizationNumber: z.string().max(20),
  kind: z.enum(ORGANIZATION_KINDS),
  regionCode: z.string().max(2).optional(),
});
export const OrganizationPatch = z.strictObject({
  name: Name.optional(),
  organizationNumber: z.string().max(20).optional(),
  regionCode: z.string().max(2).nullable().optional(),
});

/** At most this many declared equivalents per service. */
export const MAX_EQUIVALENTS = 20;
/** The shape of a set of equivalents; the rules (known, active, same contact type, at most 20) are checkEquivalents'. */
const Equivalents = z
  .array(z.string().min(1).max(63))
  .max(200)
  .describe(
    `Ids of services declared equivalent to this one: a unit offering one of them can take a patient who needs this service (e.g. a day-surgery variant). ` +
      `Replaces the whole set; [] removes every equivalent. Each must be another active service of the same contact type; at most ${MAX_EQUIVALENTS}, no duplicates.`,
  );

export const ServiceCreate = z.strictObject({
  id: SlugId,
  name: z.strictObject({ sv: Name, en: Name }),
  contactType: z.enum(CONTACT_TYPES),
  specialty: z.string().trim().min(2).max(100),
  kvaCodes: z.array(z.string().max(10)).max(50).optional(),
  source: z.string().max(500).optional(),
  equivalents: Equivalents.optional(),
});
export const ServicePatch = z.strictObject({
  name: z.strictObject({ sv: Name, en: Name }).optional(),
  contactType: z.enum(CONTACT_TYPES).optional(),
  specialty: z.string().trim().min(2).max(100).optional(),
  kvaCodes: z.array(z.string().max(10)).max(50).optional(),
  source: z.string().max(500).nullable().optional(),
  active: z.boolean().optional(),
  equivalents: Equivalents.optional(),
});

export const UnitCreate = z.strictObject({
  hsaId: z.string().max(40),
  name: Name,
  organizationId: z.string().max(63),
  municipalityCode: z.string().max(4),
  location: z.strictObject({ lat: Lat, lng: Lng }).optional(),
  kind: z.enum(UNIT_KINDS).optional(),
  serviceIds: z.array(z.string().max(63)).max(500).optional(),
});
export const UnitPatch = z.strictObject({
  name: Name.optional(),
  organizationId: z.string().max(63).optional(),
  municipalityCode: z.string().max(4).optional(),
  location: z.strictObject({ lat: Lat, lng: Lng }).optional(),
  kind: z.enum(UNIT_KINDS).optional(),
  serviceIds: z.array(z.string().max(63)).max(500).optional(),
  active: z.boolean().optional(),
});

/** What checkEquivalents needs to know of a service in the catalogue. */
export interface CatalogueEntry {
  contactType: ContactType;
  active: boolean;
}

/**
 * The rules of a declared set of equivalents of `serviceId` (of contact type `contactType`): every id a service in the
 * catalogue, not the service itself, active, of the same contact type (a treatment is never equivalent to a first visit),
 * listed once, and at most MAX_EQUIVALENTS. One error per offending entry, on the field `equivalents[i]`.
 */
export function checkEquivalents(
  serviceId: string,
  contactType: ContactType,
  ids: readonly string[],
  catalogue: ReadonlyMap<string, CatalogueEntry>,
): FieldError[] {
  const errors: FieldError[] = [];
  if (ids.length > MAX_EQUIVALENTS)
    errors.push({ field: 'equivalents', message: `At most ${MAX_EQUIVALENTS} equivalents may be declared for a service; you sent ${ids.length}.` });
  const seen = new Set<string>();
  ids.forEach((id, i) => {
    const field = `equivalents[${i}]`;
    const entry = catalogue.get(id);
    if (seen.has(id)) errors.push({ field, message: `${id} is listed more than once; list each equivalent once.` });
    else if (id === serviceId) errors.push({ field, message: `${id} is the service itself; a service cannot be declared equivalent to itself.` });
    else if (!entry) errors.push({ field, message: `${id} is not a service in the catalogue; use an id from GET /api/v1/services.` });
    else if (!entry.active) errors.push({ field, message: `${id} is inactive; only an active service can be declared equivalent.` });
    else if (entry.contactType !== contactType)
      errors.push({ field, message: `${id} is of contact type ${entry.contactType} but ${serviceId} is ${contactType}; an equivalent must be of the same contact type.` });
    seen.add(id);
  });
  return errors;
}

export type OrganizationCreate = z.infer<typeof OrganizationCreate>;
export type OrganizationPatch = z.infer<typeof OrganizationPatch>;
export type ServiceCreate = z.infer<typeof ServiceCreate>;
export type ServicePatch = z.infer<typeof ServicePatch>;
export type UnitCreate = z.infer<typeof UnitCreate>;
export type UnitPatch = z.infer<typeof UnitPatch>;
