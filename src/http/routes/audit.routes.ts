import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { patientLog, verifyAuditChain } from '../../services/audit.service.js';
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

    r.post('/audit/patient-log', {
      config: { access: { roles: ['admin'] } },
      schema: {
        tags: ['Audit'], summary: 'A patient’s log extract', operationId: 'getPatientLog',
        description: 'Which organisation, unit or region read or changed the patient’s data, when, and what (loggutdrag). A POST, so that no identity stands in a URL or an access log. Producing the extract is itself audited.',
        body: z.object({ personnummer: z.string().min(10).max(13).describe('Personnummer or samordningsnummer, 10 or 12 digits, with or without the hyphen.') }).strict()
          .meta({ examples: [{ personnummer: '19121212-1212' }] }),
        response: {
          200: z.object({
            items: z.array(z.object({
              at: z.string(), action: z.string(), outcome: z.string(), organizationId: z.string().nullable(), unitHsaId: z.string().nullable(),
              regionCode: z.string().nullable(), roles: z.array(z.string()), entityType: z.string(), entityId: z.string().nullable(),
            })),
          }).meta({ examples: [{ items: [{ at: '2026-11-26T08:00:00.000Z', action: 'case.open', outcome: 'success', organizationId: null, unitHsaId: null, regionCode: '25', roles: ['coordinator'], entityType: 'case', entityId: '6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b' }] }] }),
        },
      },
    }, async (request) => ({ items: await patientLog(s.database.db, request.ctx, s.patients, request.body.personnummer) }));
  };
}
