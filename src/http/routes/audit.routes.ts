import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { isCalendarDate } from '../../domain/calendar.js';
import { anchorOfDay, listAnchors, patientLog, verifyAuditChain } from '../../services/audit.service.js';
import type { AppServices } from '../app.js';
import { decodeCursor, page } from '../paging.js';

const VerifyOut = z
  .object({
    ok: z.boolean(), events: z.number().int(), firstBadEvent: z.string().optional(), reason: z.string().optional(),
    anchors: z.number().int().describe('daily anchors (GET /api/v1/audit/anchors) checked against the chains'),
  })
  .meta({ examples: [{ ok: true, events: 1843, anchors: 31 }, { ok: false, events: 41, anchors: 31, firstBadEvent: '0b7d0f6e-3d7a-4a52-9d59-1f1c2e0a7b11', reason: 'the event does not match its hash' }] });

const EXAMPLE_DIGEST = '9f2c4b1e0a7d3c5b8e6f1a2d4c7b9e0f3a5c8d1b6e4f7a2c9d0b3e5f8a1c4d7b';
const AnchorSummary = z.object({
  day: z.string().describe('the Stockholm date the anchor was taken'),
  takenAt: z.string(),
  digest: z.string().describe('SHA-256 (hex) of the heads’ text: one line "chain seq hash" per chain, 1 to 64, each ending in a newline'),
  events: z.number().int().describe('events in all chains when it was taken'),
});
const AnchorOut = AnchorSummary.extend({
  heads: z.array(z.object({ chain: z.number().int(), seq: z.number().int().describe('the chain’s last position (0: empty)'), hash: z.string().describe('that event’s hash (the chain’s genesis when empty)') })),
}).meta({ examples: [{ day: '2026-11-26', takenAt: '2026-11-25T23:10:00.000Z', digest: EXAMPLE_DIGEST, events: 1843, heads: [{ chain: 1, seq: 29, hash: '5d41402abc4b2a76b9719d911017c592c1f0e5b3a8d6e7f4b2c9a1d3e5f7b9c0' }, { chain: 2, seq: 0, hash: 'genesis:2' }] }] });
export const AnchorListOut = z.object({ items: z.array(AnchorSummary), nextCursor: z.string().nullable() });
const AnchorQuery = z.object({
  limit: z.coerce.number().int().min(1).max(366).default(31).describe('Page size, 1–366 (default 31: a month).'),
  cursor: z.string().max(500).optional().describe('Opaque cursor from the previous answer’s nextCursor.'),
});

/** The audit log: verification of the hash chains, their published daily anchors, the patient's log extract. */
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

    r.get('/audit/anchors', {
      config: { access: 'public' },
      schema: {
        tags: ['Audit'], summary: 'The audit log’s daily anchors', operationId: 'listAuditAnchors',
        description: 'Once a day the platform takes the heads of its 64 audit chains and publishes their SHA-256 digest here, newest first (ADR 0017). Keep copies: a rewrite of the log in the database that also rewrites the chains no longer matches a digest taken before it. Holds no personal data: positions and hashes only.',
        querystring: AnchorQuery,
        response: { 200: AnchorListOut.meta({ examples: [{ items: [{ day: '2026-11-26', takenAt: '2026-11-25T23:10:00.000Z', digest: EXAMPLE_DIGEST, events: 1843 }], nextCursor: null }] }) },
      },
    }, async (request) => {
      const rows = await listAnchors(s.database.db, { limit: request.query.limit, before: decodeCursor(request.query.cursor, isCalendarDate) });
      return page(rows, request.query.limit, (a) => a.day);
    });

    r.get('/audit/anchors/:day', {
      config: { access: 'public' },
      schema: {
        tags: ['Audit'], summary: 'One day’s audit anchor with its heads', operationId: 'getAuditAnchor',
        description: 'The 64 chain heads of the day’s anchor, from which its digest can be recomputed (docs/audit.md); 404 names the days that have one.',
        params: z.object({ day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a day is a date written YYYY-MM-DD, e.g. 2026-11-26').describe('YYYY-MM-DD') }),
        response: { 200: AnchorOut },
      },
    }, async (request) => anchorOfDay(s.database.db, request.params.day));

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
