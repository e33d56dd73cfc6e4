import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { verifyAuditChain } from '../../services/audit.service.js';
import type { AppServices } from '../app.js';

const VerifyOut = z
  .object({ ok: z.boolean(), events: z.number().int(), firstBadEvent: z.string().optional(), reason: z.string().optional() })
  .meta({ examples: [{ ok: true, events: 1843 }, { ok: false, events: 41, firstBadEvent: '0b7d0f6e-3d7a-4a52-9d59-1f1c2e0a7b11', reason: 'the event does not match its hash' }] });

/** The audit log: verification of the hash chain. */
export function auditRoutes(s: AppServices) {
  return async (app: FastifyInstance) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    r.get('/audit/verify', {
      config: { access: { roles: ['admin'] } },
      schema: {
        tags: ['Audit'], summary: 'Verify the audit log’s hash chain', operationId: 'verifyAudit',
        description: 'Recomputes every link of the append-only audit chain; a changed, removed or inserted event makes ok false and names the first bad event.',
        response: { 200: VerifyOut },
      },
    }, async () => verifyAuditChain(s.database.db));
  };
}
