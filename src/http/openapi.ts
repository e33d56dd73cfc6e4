import type { FastifyInstance, RouteOptions } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Config } from '../config.js';
import type { Access } from '../domain/roles.js';

/** RFC 9457 problem details, the body of every error answer. */
export const ProblemSchema = z
  .looseObject({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    requestId: z.string().optional(),
    errors: z.array(z.object({ line: z.number().int().optional(), field: z.string().optional(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details (application/problem+json).' });

const ERROR_TEXT: Record<number, string> = {
  400: 'Malformed request: the body or query does not match the schema',
  401: 'No access token, or a bad one',
  403: 'The token’s roles or scope do not allow this',
  404: 'No such resource',
  409: 'Conflict with the current state',
  412: 'If-Match does not match the current version',
  413: 'Body too large',
  415: 'Unsupported Content-Type',
  422: 'Semantically invalid: a value breaks a rule',
  429: 'Rate limited',
};

function exampleProblem(status: number) {
  return {
    type: `https://nvf.example/problems/${status === 422 ? 'validation' : 'error'}`,
    title: ERROR_TEXT[status] ?? 'Error',
    status,
    detail: status === 422 ? 'The request has invalid values; see errors.' : (ERROR_TEXT[status] ?? 'Error'),
    requestId: '4f6c2a9e-1b7d-4c1e-9a8b-2d3e4f5a6b7c',
    ...(status === 422 ? { errors: [{ field: 'hsaId', message: '"SE123" is not an HSA-id: write SE, the issuer’s ten-digit organisation number, a hyphen and the unit’s extension.' }] } : {}),
  };
}

/** Add the error answers a route can give to its schema, so every operation documents them. */
export function addErrorResponses(route: RouteOptions, access: Access | undefined): void {
  if (!route.schema || route.schema.hide) return;
  const methods = (Array.isArray(route.method) ? route.method : [route.method]).map(String);
  const writes = methods.some((m) => m !== 'GET' && m !== 'HEAD');
  const statuses = new Set<number>([400, 429]);
  if (access && access !== 'public') {
    statuses.add(401);
    statuses.add(403);
  }
  if (route.url.includes(':')) statuses.add(404);
  if (writes) {
    statuses.add(413);
    statuses.add(415);
    statuses.add(422);
  }
  if (methods.includes('PATCH') || methods.includes('PUT')) statuses.add(412);
  const response = (route.schema.response ?? {}) as Record<string | number, unknown>;
  for (const s of statuses) {
    if (response[s] !== undefined) continue;
    response[s] = ProblemSchema.describe(ERROR_TEXT[s] ?? 'Error').meta({ examples: [exampleProblem(s)] });
  }
  route.schema.response = response;
}

/** OpenAPI 3.1 from the route schemas at /api/openapi.json, human docs at /api/docs. */
export async function registerOpenApi(app: FastifyInstance, config: Config): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Nationell vårdförmedling API',
        version: '1.0.0',
        description:
          'The national care-brokering platform: directory of regions, providers, units and services; capacity and waiting-time reporting; brokering; statistics. ' +
          'Errors are application/problem+json (RFC 9457). Get an access token with OAuth 2.0 client credentials at POST /oauth/token.',
        license: { name: 'CC0-1.0 (API description)', identifier: 'CC0-1.0' },
        contact: { name: 'Nationell vårdförmedling, API support', url: `${config.publicUrl}/utvecklare` },
      },
      servers: [{ url: config.publicUrl, description: config.mode === 'production' ? 'Production' : `${config.mode} environment` }],
      tags: [
        { name: 'Directory', description: 'Regions, municipalities, care provider organisations, care units and the service catalogue.' },
        { name: 'Identity', description: 'OAuth 2.0 client credentials, the platform’s signing keys, web sessions.' },
        { name: 'Audit', description: 'The tamper-evident audit log.' },
        { name: 'Operations', description: 'Health, metrics and the API description.' },
      ],
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Access token from POST /oauth/token.' },
        },
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true, uiConfig: { deepLinking: true } });
}
