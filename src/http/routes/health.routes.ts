import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { databaseAnswers } from '../../db/connect.js';
import { z } from 'zod';
import type { Registry } from 'prom-client';
import type { AppServices } from '../app.js';
import { problemFor, sendProblem } from '../problem.js';

const Health = z
  .object({ status: z.literal('ok'), database: z.enum(['postgres', 'pglite']), mode: z.enum(['demo', 'sandbox', 'production']), time: z.string() })
  .meta({ examples: [{ status: 'ok', database: 'postgres', mode: 'demo', time: '2026-11-26T09:00:00.000Z' }] });

/** /health, /metrics and the OpenAPI document. */
export function healthRoutes(s: AppServices) {
  return async (app: FastifyInstance) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    r.get('/health', {
      config: { access: 'public' },
      schema: { tags: ['Operations'], summary: 'Is the service up and does its database answer?', operationId: 'getHealth', response: { 200: Health } },
    }, async (request, reply) => {
      if (!(await databaseAnswers(s.database.db))) return sendProblem(reply, problemFor(503, 'unavailable', 'The database does not answer.'));
      return { status: 'ok' as const, database: s.database.kind, mode: s.config.mode, time: s.clock.now().toISOString() };
    });

    r.get('/metrics', {
      config: { access: 'public' },
      schema: { hide: true },
    }, async (_request, reply) => {
      const registry = (app as unknown as { metricsRegistry: Registry }).metricsRegistry;
      reply.type(registry.contentType);
      return registry.metrics();
    });

    r.get('/api/openapi.json', {
      config: { access: 'public' },
      schema: { hide: true },
    }, async () => app.swagger());
  };
}
