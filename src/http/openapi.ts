import type { FastifyInstance, RouteOptions } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
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

/** Operation extension naming who may call it: "public" or the list of roles. */
export const ACCESS_EXTENSION = 'x-nvf-access';

export function accessExtension(access: Access): 'public' | string[] {
  return access === 'public' ? 'public' : [...access.roles];
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
  // any POST may meet a state conflict or an Idempotency-Key still in progress
  if (methods.includes('POST')) statuses.add(409);
  const headers = route.schema.headers as { shape?: Record<string, unknown> } | undefined;
  if (methods.includes('PATCH') || methods.includes('PUT') || headers?.shape?.['if-match'] !== undefined) statuses.add(412);
  const response = (route.schema.response ?? {}) as Record<string | number, unknown>;
  for (const s of statuses) {
    if (response[s] !== undefined) continue;
    // Errors are sent as application/problem+json, so the document names that media type, not application/json.
    response[s] = { description: ERROR_TEXT[s] ?? 'Error', content: { 'application/problem+json': { schema: ProblemSchema } } };
  }
  route.schema.response = response;
}

/** The zod transform drops media-type examples, so they are added after it: one problem example per error status. */
function addProblemExamples(response: unknown): void {
  if (!response || typeof response !== 'object') return;
  for (const [status, answer] of Object.entries(response as Record<string, { content?: Record<string, Record<string, unknown>> }>)) {
    const media = answer?.content?.['application/problem+json'];
    if (media && media.example === undefined) media.example = exampleProblem(Number(status));
  }
}

/** zod emits an input and an output variant of every registered schema; keep only those the document refers to. */
function pruneUnusedSchemas<T extends object>(doc: T): T {
  const components = (doc as { components?: { schemas?: Record<string, unknown> } }).components;
  const schemas = components?.schemas;
  if (!schemas) return doc;
  const used = new Set<string>();
  const text = JSON.stringify({ ...doc, components: { ...components, schemas: {} } });
  const queue = [...text.matchAll(/"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!);
  while (queue.length > 0) {
    const name = queue.pop()!;
    if (used.has(name)) continue;
    used.add(name);
    for (const m of JSON.stringify(schemas[name] ?? {}).matchAll(/"#\/components\/schemas\/([^"]+)"/g)) queue.push(m[1]!);
  }
  return { ...doc, components: { ...components, schemas: Object.fromEntries(Object.entries(schemas).filter(([k]) => used.has(k))) } };
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
        contact: { name: 'Nationell vårdförmedling, API support', url: `${config.publicUrl}/api/docs` },
      },
      servers: [{ url: config.publicUrl, description: config.mode === 'production' ? 'Production' : `${config.mode} environment` }],
      tags: [
        { name: 'Directory', description: 'Regions, municipalities, care provider organisations, care units and the service catalogue.' },
        { name: 'Capacity', description: 'Units’ self-reported capacity and expected waits, one at a time or as a file.' },
        { name: 'Waiting lists', description: 'Patient-level, pseudonymised waiting-list submissions from the regions.' },
        { name: 'Waiting times', description: 'Waiting times computed from the waiting lists, breach forecasts, with small cells suppressed.' },
        { name: 'Brokering', description: 'National capacity search, cases for patients and requests to receiving units, from the first search to treatment.' },
        { name: 'Notifications', description: 'Webhook subscriptions (signed, retried, per-case ordered), dead letters, and the server-sent event stream of the web workspace.' },
        { name: 'Identity', description: 'OAuth 2.0 client credentials, the platform’s signing keys, web sessions.' },
        { name: 'Audit', description: 'The tamper-evident audit log.' },
        { name: 'Support', description: 'Support pages for patients, care providers and regions (Swedish and English), with search.' },
        { name: 'Statistics', description: 'Monthly indicators (docs/indicators.md): guarantee compliance, waits, brokering, equity; small cells suppressed, revisions marked.' },
        { name: 'Follow-up', description: 'Goals of the national coordination function, the scorecard per region and data quality.' },
        { name: 'Open data', description: 'The published statistics as open datasets (CSV and JSON, CC0 1.0) with data dictionaries.' },
        { name: 'Operations', description: 'Health, metrics and the API description.' },
      ],
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Access token from POST /oauth/token.' },
        },
      },
    },
    transform: (input) => {
      const result = jsonSchemaTransform(input);
      const schema = result.schema as Record<string, unknown>;
      // The route's access declaration is the single source of truth; publishing it as x-nvf-access lets clients
      // and the access test read who may call each operation from the document itself.
      const access = (input.route.config as { access?: Access } | undefined)?.access;
      if (access !== undefined) schema[ACCESS_EXTENSION] = accessExtension(access);
      // An explicit empty list says "no token needed" (rather than "forgot to say").
      if (access === 'public' && schema.security === undefined) schema.security = [];
      addProblemExamples(schema.response);
      return result;
    },
    // Emits the schemas registered with an id (Problem) under components.schemas, where the operations refer to them.
    transformObject: (input) => pruneUnusedSchemas(jsonSchemaTransformObject(input)),
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true, uiConfig: { deepLinking: true } });
}
