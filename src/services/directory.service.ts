import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import * as repo from '../db/directory.repository.js';
import { checkVersion, invalid, notFound, type FieldError } from '../domain/errors.js';
import { KVA_CODE_PATTERN, parseHsaId, parseOrganizationNumber } from '../domain/identifiers.js';
import {
  checkEquivalents,
  type ContactType, type Organization, type OrganizationCreate, type OrganizationPatch, type Service, type ServiceCreate, type ServicePatch, type Unit, type UnitCreate,
  type UnitPatch,
} from '../domain/directory.js';
import { recordAudit } from './audit.service.js';
import type { Executor, RequestContext } from './context.js';

function slugify(name: string): string {
  return name
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50);
}

async function checkOrganizationFields(db: Executor, v: { organizationNumber?: string | undefined; kind?: string; regionCode?: string | null | undefined }, selfId?: string) {
  const errors: FieldError[] = [];
  let organizationNumber: string | undefined;
  if (v.organizationNumber !== undefined) {
    const parsed = parseOrganizationNumber(v.organizationNumber);
    if (!parsed.ok) errors.push({ field: 'organizationNumber', message: parsed.message });
    else {
      organizationNumber = parsed.value;
      const other = await repo.findOrganizationByNumber(db, parsed.value);
      if (other && other.id !== selfId) errors.push({ field: 'organizationNumber', message: `${parsed.value} is already registered to organisation ${other.id}.` });
    }
  }
  if (v.regionCode !== undefined && v.regionCode !== null && !(await repo.regionExists(db, v.regionCode)))
    errors.push({ field: 'regionCode', message: `${v.regionCode} is not a region code; use an SCB county code from GET /api/v1/regions.` });
  if (v.kind === 'region' && !v.regionCode) errors.push({ field: 'regionCode', message: 'An organisation of kind region needs its regionCode.' });
  return { errors, organizationNumber };
}

export async function createOrganization(db: Kysely<DB>, ctx: RequestContext, input: OrganizationCreate): Promise<Organization> {
  return db.transaction().execute(async (trx) => {
    const { errors, organizationNumber } = await checkOrganizationFields(trx, input);
    const id = input.id ?? slugify(input.name);
    if (id.length < 2) errors.push({ field: 'name', message: 'The name gives no usable id; send an id of lower-case letters, digits and hyphens.' });
    else if (await repo.findOrganization(trx, id)) errors.push({ field: 'id', message: `The id ${id} is taken; send another id.` });
    if (errors.length > 0) throw invalid(errors);
    await trx
      .insertInto('organizations')
      .values({ id, name: input.name, organization_number: organizationNumber!, kind: input.kind, region_code: input.regionCode ?? null })
      .execute();
    await recordAudit(trx, ctx, { action: 'organization.create', entityType: 'organization', entityId: id, details: { name: input.name, kind: input.kind } });
    return (await repo.findOrganization(trx, id))!;
  });
}

export async function updateOrganization(db: Kysely<DB>, ctx: RequestContext, id: string, patch: OrganizationPatch, expectedVersion?: number): Promise<Organization> {
  return db.transaction().execute(async (trx) => {
    const current = await repo.findOrganization(trx, id);
    if (!current) throw notFound('Organisation', id);
    checkVersion('Organisation', id, current.version, expectedVersion);
    const regionCode = patch.regionCode === undefined ? current.regionCode : patch.regionCode;
    const { errors, organizationNumber } = await checkOrganizationFields(trx, { organizationNumber: patch.organizationNumber, kind: current.kind, regionCode }, id);
    if (errors.length > 0) throw invalid(errors);
    await trx
      .updateTable('organizations')
      .set({
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(organizationNumber !== undefined ? { organization_number: organizationNumber } : {}),
        region_code: regionCode,
        version: current.version + 1,
        updated_at: ctx.clock.now(),
      })
      .where('id', '=', id)
      .execute();
    await recordAudit(trx, ctx, { action: 'organization.update', entityType: 'organization', entityId: id, details: { fields: Object.keys(patch) } });
    return (await repo.findOrganization(trx, id))!;
  });
}

function checkKvaCodes(codes: string[] | undefined): FieldError[] {
  return (codes ?? []).flatMap((c, i) =>
    KVA_CODE_PATTERN.test(c) ? [] : [{ field: `kvaCodes[${i}]`, message: `${c} is not a KVÅ code: write three letters and two digits (surgical, e.g. NGB49) or two letters and three digits (e.g. DV071).` }],
  );
}

/**
 * The rules of a declared set of equivalents (domain checkEquivalents) against the catalogue as it stands in `trx`.
 * With a new contact type (`contactTypeChanged`), also the services that declare this one equivalent: they must share it.
 */
async function checkServiceEquivalents(
  trx: Executor,
  serviceId: string,
  contactType: ContactType,
  v: { equivalents?: string[] | undefined; current: readonly string[]; contactTypeChanged: boolean },
): Promise<FieldError[]> {
  const errors: FieldError[] = [];
  if (v.equivalents !== undefined) errors.push(...checkEquivalents(serviceId, contactType, v.equivalents, await repo.catalogueEntries(trx, v.equivalents)));
  if (!v.contactTypeChanged) return errors;
  if (v.equivalents === undefined && v.current.length > 0) {
    const catalogue = await repo.catalogueEntries(trx, v.current);
    const others = v.current.filter((id) => catalogue.get(id)?.contactType !== contactType);
    if (others.length > 0)
      errors.push({ field: 'contactType', message: `${others.join(', ')} (declared equivalent to ${serviceId}) ${others.length === 1 ? 'is' : 'are'} not of contact type ${contactType}; change equivalents in the same request.` });
  }
  const declaring = (await repo.servicesDeclaring(trx, serviceId)).filter((s) => s.contactType !== contactType);
  if (declaring.length > 0)
    errors.push({
      field: 'contactType',
      message: `${serviceId} is declared equivalent to ${declaring.map((s) => `${s.id} (${s.contactType})`).join(', ')}; remove it from their equivalents before changing its contact type to ${contactType}.`,
    });
  return errors;
}

export async function createService(db: Kysely<DB>, ctx: RequestContext, input: ServiceCreate): Promise<Service> {
  return db.transaction().execute(async (trx) => {
    const errors = checkKvaCodes(input.kvaCodes);
    if (await repo.findService(trx, input.id)) errors.push({ field: 'id', message: `The service id ${input.id} is taken; choose another id.` });
    errors.push(...(await checkServiceEquivalents(trx, input.id, input.contactType, { equivalents: input.equivalents, current: [], contactTypeChanged: false })));
    if (errors.length > 0) throw invalid(errors);
    await trx
      .insertInto('services')
      .values({
        id: input.id, name_sv: input.name.sv, name_en: input.name.en, contact_type: input.contactType, specialty: input.specialty,
        kva_codes: input.kvaCodes ?? [], source: input.source ?? null,
      })
      .execute();
    if (input.equivalents) await repo.replaceServiceEquivalents(trx, input.id, input.equivalents, [], ctx.clock.now());
    const created = (await repo.findService(trx, input.id))!;
    await recordAudit(trx, ctx, {
      action: 'service.create', entityType: 'service', entityId: input.id,
      ...(input.equivalents ? { details: { equivalents: created.equivalents } } : {}),
    });
    return created;
  });
}

export async function updateService(db: Kysely<DB>, ctx: RequestContext, id: string, patch: ServicePatch, expectedVersion?: number): Promise<Service> {
  return db.transaction().execute(async (trx) => {
    const current = await repo.findService(trx, id);
    if (!current) throw notFound('Service', id);
    checkVersion('Service', id, current.version, expectedVersion);
    const errors = checkKvaCodes(patch.kvaCodes);
    const contactType = patch.contactType ?? current.contactType;
    errors.push(
      ...(await checkServiceEquivalents(trx, id, contactType, { equivalents: patch.equivalents, current: current.equivalents, contactTypeChanged: contactType !== current.contactType })),
    );
    if (errors.length > 0) throw invalid(errors);
    await trx
      .updateTable('services')
      .set({
        ...(patch.name ? { name_sv: patch.name.sv, name_en: patch.name.en } : {}),
        ...(patch.contactType ? { contact_type: patch.contactType } : {}),
        ...(patch.specialty ? { specialty: patch.specialty } : {}),
        ...(patch.kvaCodes ? { kva_codes: patch.kvaCodes } : {}),
        ...(patch.source !== undefined ? { source: patch.source } : {}),
        ...(patch.active !== undefined ? { active: patch.active } : {}),
        version: current.version + 1,
        updated_at: ctx.clock.now(),
      })
      .where('id', '=', id)
      .execute();
    if (patch.equivalents) await repo.replaceServiceEquivalents(trx, id, patch.equivalents, current.equivalents, ctx.clock.now());
    const updated = (await repo.findService(trx, id))!;
    await recordAudit(trx, ctx, {
      action: 'service.update', entityType: 'service', entityId: id,
      details: {
        fields: Object.keys(patch),
        ...(patch.equivalents ? { equivalents: updated.equivalents, previousEquivalents: current.equivalents } : {}),
      },
    });
    return updated;
  });
}

async function checkUnitRefs(trx: Executor, v: { organizationId?: string | undefined; municipalityCode?: string | undefined; serviceIds?: string[] | undefined }) {
  const errors: FieldError[] = [];
  let municipality: Awaited<ReturnType<typeof repo.findMunicipality>>;
  if (v.organizationId !== undefined && !(await repo.findOrganization(trx, v.organizationId)))
    errors.push({ field: 'organizationId', message: `Organisation ${v.organizationId} does not exist; create it first or use an id from GET /api/v1/organizations.` });
  if (v.municipalityCode !== undefined) {
    municipality = await repo.findMunicipality(trx, v.municipalityCode);
    if (!municipality) errors.push({ field: 'municipalityCode', message: `${v.municipalityCode} is not an SCB municipality code; see GET /api/v1/municipalities.` });
  }
  if (v.serviceIds) {
    const known = await repo.existingServiceIds(trx, v.serviceIds);
    v.serviceIds.forEach((s, i) => {
      if (!known.has(s)) errors.push({ field: `serviceIds[${i}]`, message: `${s} is not in the service catalogue; see GET /api/v1/services.` });
    });
  }
  return { errors, municipality };
}

export async function createUnit(db: Kysely<DB>, ctx: RequestContext, input: UnitCreate): Promise<Unit> {
  return db.transaction().execute(async (trx) => {
    const hsa = parseHsaId(input.hsaId);
    const { errors, municipality } = await checkUnitRefs(trx, input);
    if (!hsa.ok) errors.push({ field: 'hsaId', message: hsa.message });
    else if (await repo.findUnit(trx, hsa.value)) errors.push({ field: 'hsaId', message: `A unit with HSA-id ${hsa.value} is already registered.` });
    if (errors.length > 0 || !hsa.ok || !municipality) throw invalid(errors);
    const location = input.location ?? { lat: municipality.lat, lng: municipality.lng };
    await trx
      .insertInto('units')
      .values({
        hsa_id: hsa.value, name: input.name, organization_id: input.organizationId, region_code: municipality.region_code,
        municipality_code: municipality.code, lat: location.lat, lng: location.lng, kind: input.kind ?? 'clinic',
      })
      .execute();
    await repo.replaceUnitServices(trx, hsa.value, input.serviceIds ?? []);
    await recordAudit(trx, ctx, { action: 'unit.create', entityType: 'unit', entityId: hsa.value, details: { organizationId: input.organizationId } });
    return (await repo.findUnit(trx, hsa.value))!;
  });
}

export async function updateUnit(db: Kysely<DB>, ctx: RequestContext, hsaIdInput: string, patch: UnitPatch, expectedVersion?: number): Promise<Unit> {
  return db.transaction().execute(async (trx) => {
    const hsa = parseHsaId(hsaIdInput);
    const current = hsa.ok ? await repo.findUnit(trx, hsa.value) : undefined;
    if (!current) throw notFound('Unit', hsaIdInput);
    checkVersion('Unit', current.hsaId, current.version, expectedVersion);
    const { errors, municipality } = await checkUnitRefs(trx, patch);
    if (errors.length > 0) throw invalid(errors);
    const location = patch.location ?? (municipality && !patch.location ? { lat: municipality.lat, lng: municipality.lng } : undefined);
    await trx
      .updateTable('units')
      .set({
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.organizationId !== undefined ? { organization_id: patch.organizationId } : {}),
        ...(municipality ? { municipality_code: municipality.code, region_code: municipality.region_code } : {}),
        ...(location ? { lat: location.lat, lng: location.lng } : {}),
        ...(patch.kind !== undefined ? { kind: patch.kind } : {}),
        ...(patch.active !== undefined ? { active: patch.active } : {}),
        version: current.version + 1,
        updated_at: ctx.clock.now(),
      })
      .where('hsa_id', '=', current.hsaId)
      .execute();
    if (patch.serviceIds) await repo.replaceUnitServices(trx, current.hsaId, patch.serviceIds);
    await recordAudit(trx, ctx, { action: 'unit.update', entityType: 'unit', entityId: current.hsaId, details: { fields: Object.keys(patch) } });
    return (await repo.findUnit(trx, current.hsaId))!;
  });
}
