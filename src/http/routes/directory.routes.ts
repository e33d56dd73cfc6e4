import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import * as repo from '../../db/directory.repository.js';
import { OrganizationCreate, OrganizationPatch, ServiceCreate, ServicePatch, UnitCreate, UnitPatch, CONTACT_TYPES } from '../../domain/directory.js';
import { notFound } from '../../domain/errors.js';
import * as directory from '../../services/directory.service.js';
import type { AppServices } from '../app.js';
import { writeRateLimit } from '../app.js';
import { decodeCursor, page, PageQuery } from '../paging.js';
import { etag, parseIfMatch } from '../idempotency.js';
import {
  HsaParam, IdParam, MunicipalityCodeQ, MunicipalityList, OrganizationList, OrganizationOut, RegionCodeQ, RegionList, ServiceList, ServiceOut, UnitList, UnitOut,
} from './directory.schemas.js';

const REGION_SOURCE = 'SCB county codes; centroids Natural Earth (public domain)';
const MUNICIPALITY_SOURCE = 'SCB municipality codes; coordinates GeoNames (geonames.org), CC BY 4.0';
const ADMIN = { roles: ['admin'] } as const;
const IfMatchHeader = z.object({ 'if-match': z.string().max(100).optional().describe('ETag from a previous read, e.g. "v3"; 412 if it is stale.') });

/** The national directory: public reads, admin writes (validated, audited). */
export function directoryRoutes(s: AppServices) {
  return async (app: FastifyInstance) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const db = s.database.db;
    const writeLimit = writeRateLimit(s.config);
    const cache = s.directoryCache;
    // Every directory change made here clears the cached answers of this instance at once (others see it within a second).
    app.addHook('onResponse', async (request, reply) => {
      if (request.method !== 'GET' && reply.statusCode < 300) await cache.invalidate();
    });

    r.get('/regions', {
      config: { access: 'public' },
      schema: {
        tags: ['Directory'], summary: 'List the 21 regions', operationId: 'listRegions',
        description: 'Every region with its SCB county code and the number of active units, optionally only units offering a service.',
        querystring: z.object({ service: z.string().max(63).optional().describe('Count only units that offer this service.') }),
        response: { 200: RegionList },
      },
    }, async (request, reply) =>
      cache.reply(request, reply, async () => {
        const [regions, counts] = await Promise.all([repo.listRegions(db), repo.unitCountsByRegion(db, request.query.service)]);
        const byRegion = new Map(counts.map((c) => [c.regionCode, c.unitCount]));
        return { items: regions.map((g) => ({ ...g, unitCount: byRegion.get(g.code) ?? 0 })), source: REGION_SOURCE };
      }));

    r.get('/municipalities', {
      config: { access: 'public' },
      schema: {
        tags: ['Directory'], summary: 'List the 290 municipalities', operationId: 'listMunicipalities',
        querystring: z.object({ region: RegionCodeQ.optional().describe('Only municipalities in this region.') }),
        response: { 200: MunicipalityList },
      },
    }, async (request, reply) => cache.reply(request, reply, async () => ({ items: await repo.listMunicipalities(db, request.query.region), source: MUNICIPALITY_SOURCE })));

    r.get('/organizations', {
      config: { access: 'public' },
      schema: {
        tags: ['Directory'], summary: 'List care provider organisations', operationId: 'listOrganizations',
        querystring: z.object({ kind: z.enum(['region', 'private']).optional(), region: RegionCodeQ.optional(), ...PageQuery }),
        response: { 200: OrganizationList },
      },
    }, async (request, reply) => {
      const { limit, cursor, kind, region } = request.query;
      const after = decodeCursor(cursor);
      return cache.reply(request, reply, async () => page(await repo.listOrganizations(db, { kind, region, after, limit: limit + 1 }), limit, (o) => o.id));
    });

    r.get('/organizations/:id', {
      config: { access: 'public' },
      schema: { tags: ['Directory'], summary: 'Get one care provider organisation', operationId: 'getOrganization', params: IdParam, response: { 200: OrganizationOut } },
    }, async (request, reply) => {
      const org = await repo.findOrganization(db, request.params.id);
      if (!org) throw notFound('Organisation', request.params.id);
      reply.header('etag', etag(org.version));
      return org;
    });

    r.post('/organizations', {
      config: { access: ADMIN, rateLimit: writeLimit },
      schema: {
        tags: ['Directory'], summary: 'Register a care provider organisation', operationId: 'createOrganization',
        body: OrganizationCreate.meta({ examples: [{ name: 'Norrsken Ortopedi AB', organizationNumber: '556677-8899', kind: 'private' }] }),
        response: { 201: OrganizationOut },
      },
    }, async (request, reply) => {
      const org = await directory.createOrganization(db, request.ctx, request.body);
      reply.code(201).header('etag', etag(org.version)).header('location', `/api/v1/organizations/${org.id}`);
      return org;
    });

    r.patch('/organizations/:id', {
      config: { access: ADMIN, rateLimit: writeLimit },
      schema: {
        tags: ['Directory'], summary: 'Change a care provider organisation', operationId: 'updateOrganization',
        params: IdParam, headers: IfMatchHeader,
        body: OrganizationPatch.meta({ examples: [{ name: 'Norrsken Ortopedi och Rehab AB' }] }),
        response: { 200: OrganizationOut },
      },
    }, async (request, reply) => {
      const org = await directory.updateOrganization(db, request.ctx, request.params.id, request.body, parseIfMatch(request.headers['if-match']));
      reply.header('etag', etag(org.version));
      return org;
    });

    r.get('/services', {
      config: { access: 'public' },
      schema: {
        tags: ['Directory'], summary: 'The service catalogue', operationId: 'listServices',
        description: 'What patients wait for: a contact type in a specialty, with KVÅ procedure codes where known and the source of each entry.',
        querystring: z.object({ specialty: z.string().max(100).optional(), contactType: z.enum(CONTACT_TYPES).optional() }),
        response: { 200: ServiceList },
      },
    }, async (request, reply) => cache.reply(request, reply, async () => ({ items: await repo.listServices(db, request.query) })));

    r.get('/services/:id', {
      config: { access: 'public' },
      schema: { tags: ['Directory'], summary: 'Get one service of the catalogue', operationId: 'getService', params: IdParam, response: { 200: ServiceOut } },
    }, async (request, reply) => {
      const service = await repo.findService(db, request.params.id);
      if (!service) throw notFound('Service', request.params.id);
      reply.header('etag', etag(service.version));
      return service;
    });

    r.post('/services', {
      config: { access: ADMIN, rateLimit: writeLimit },
      schema: {
        tags: ['Directory'], summary: 'Add a service to the catalogue', operationId: 'createService',
        body: ServiceCreate.meta({ examples: [{ id: 'hip-replacement', name: { sv: 'Höftprotesoperation', en: 'Hip replacement' }, contactType: 'treatment', specialty: 'orthopaedics', kvaCodes: ['NFB49'], source: 'KVÅ 2026, Socialstyrelsen' }] }),
        response: { 201: ServiceOut },
      },
    }, async (request, reply) => {
      const service = await directory.createService(db, request.ctx, request.body);
      reply.code(201).header('etag', etag(service.version)).header('location', `/api/v1/services/${service.id}`);
      return service;
    });

    r.patch('/services/:id', {
      config: { access: ADMIN, rateLimit: writeLimit },
      schema: {
        tags: ['Directory'], summary: 'Change a service of the catalogue', operationId: 'updateService',
        description:
          '`equivalents` replaces the set of services declared equivalent to this one (a unit offering one of them can take a patient who needs this service, ' +
          'and the capacity search lists it). 422, with nothing changed and the offending id named in `errors`, for an unknown or inactive service, the service itself, ' +
          'a service of another contact type, a duplicate, or more than 20; also for a new contactType that the declared equivalents, or the services declaring ' +
          'this one equivalent, do not share.',
        params: IdParam, headers: IfMatchHeader,
        body: ServicePatch.meta({ examples: [{ kvaCodes: ['NFB49', 'NFB39'] }, { equivalents: ['hip-replacement-day-surgery'] }] }),
        response: { 200: ServiceOut },
      },
    }, async (request, reply) => {
      const service = await directory.updateService(db, request.ctx, request.params.id, request.body, parseIfMatch(request.headers['if-match']));
      reply.header('etag', etag(service.version));
      return service;
    });

    r.get('/units', {
      config: { access: 'public' },
      schema: {
        tags: ['Directory'], summary: 'Find care units', operationId: 'listUnits',
        description: 'Active care units, filtered by region, organisation, municipality and offered service; paged by HSA-id.',
        querystring: z.object({
          region: RegionCodeQ.optional(),
          organization: z.string().max(63).optional(),
          municipality: MunicipalityCodeQ.optional(),
          service: z.string().max(63).optional(),
          ...PageQuery,
        }),
        response: { 200: UnitList },
      },
    }, async (request, reply) => {
      const { limit, cursor, ...f } = request.query;
      const after = decodeCursor(cursor);
      return cache.reply(request, reply, async () => page(await repo.listUnits(db, { ...f, after, limit: limit + 1 }), limit, (u) => u.hsaId));
    });

    r.get('/units/:hsaId', {
      config: { access: 'public' },
      schema: { tags: ['Directory'], summary: 'Get one care unit by HSA-id', operationId: 'getUnit', params: HsaParam, response: { 200: UnitOut } },
    }, async (request, reply) => {
      const unit = await repo.findUnit(db, request.params.hsaId.toUpperCase());
      if (!unit) throw notFound('Unit', request.params.hsaId);
      reply.header('etag', etag(unit.version));
      return unit;
    });

    r.post('/units', {
      config: { access: ADMIN, rateLimit: writeLimit },
      schema: {
        tags: ['Directory'], summary: 'Register a care unit', operationId: 'createUnit',
        description: 'The HSA-id is validated (format and the issuer’s organisation number); the region follows from the municipality; the location defaults to the municipality’s coordinate.',
        body: UnitCreate.meta({ examples: [{ hsaId: 'SE5566778899-ORT1', name: 'Norrsken Ortopedi Luleå', organizationId: 'norrsken-ortopedi-ab', municipalityCode: '2580', kind: 'clinic', serviceIds: ['knee-replacement'] }] }),
        response: { 201: UnitOut },
      },
    }, async (request, reply) => {
      const unit = await directory.createUnit(db, request.ctx, request.body);
      reply.code(201).header('etag', etag(unit.version)).header('location', `/api/v1/units/${unit.hsaId}`);
      return unit;
    });

    r.patch('/units/:hsaId', {
      config: { access: ADMIN, rateLimit: writeLimit },
      schema: {
        tags: ['Directory'], summary: 'Change a care unit', operationId: 'updateUnit',
        params: HsaParam, headers: IfMatchHeader,
        body: UnitPatch.meta({ examples: [{ serviceIds: ['knee-replacement', 'hip-replacement'] }] }),
        response: { 200: UnitOut },
      },
    }, async (request, reply) => {
      const unit = await directory.updateUnit(db, request.ctx, request.params.hsaId, request.body, parseIfMatch(request.headers['if-match']));
      reply.header('etag', etag(unit.version));
      return unit;
    });
  };
}
