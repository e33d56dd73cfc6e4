import type { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../domain/errors.js';
import { getSubmission, submitWaitingList } from '../../services/waiting-list/submission.service.js';
import type { AppServices } from '../app.js';
import { writeRateLimit } from '../app.js';

const REPORTER = { roles: ['region-reporter'] } as const;
const READERS = { roles: ['region-reporter', 'admin', 'analyst'] } as const;

const SubmissionResultOut = z
  .object({
    submissionId: z.string().uuid(),
    status: z.enum(['applied', 'validated']).describe('applied, or validated for a dry run'),
    dryRun: z.boolean(),
    received: z.number().int().describe('rows in the file'),
    inserted: z.number().int(),
    updated: z.number().int(),
    removed: z.number().int().describe('episodes absent from a snapshot, now marked removed'),
    unchanged: z.number().int(),
  })
  .meta({ examples: [{ submissionId: '0b9f3c1e-5d7a-4c1b-9a53-0f1e2d3c4b5a', status: 'applied', dryRun: false, received: 3, inserted: 2, updated: 1, removed: 0, unchanged: 0 }] });

const FieldErrorOut = z.object({ line: z.number().int().optional(), field: z.string().optional(), message: z.string() });
const SubmissionOut = z
  .object({
    id: z.string().uuid(),
    regionCode: z.string().nullable(),
    mode: z.enum(['delta', 'snapshot']).nullable(),
    dryRun: z.boolean(),
    contentType: z.string(),
    contentSha256: z.string(),
    bytes: z.number().int(),
    status: z.enum(['processing', 'rejected', 'validated', 'applied', 'failed']),
    submittedBy: z.string(),
    submittedAt: z.string(),
    finishedAt: z.string().nullable(),
    received: z.number().int().nullable(),
    inserted: z.number().int().nullable(),
    updated: z.number().int().nullable(),
    removed: z.number().int().nullable(),
    unchanged: z.number().int().nullable(),
    errorCount: z.number().int(),
    errors: z.array(FieldErrorOut).describe('the first 1,000 errors, by line'),
  })
  .meta({
    examples: [{
      id: '0b9f3c1e-5d7a-4c1b-9a53-0f1e2d3c4b5a', regionCode: '01', mode: 'delta', dryRun: false, contentType: 'text/csv', contentSha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', bytes: 1234,
      status: 'rejected', submittedBy: 'region-01-reporter', submittedAt: '2026-03-02T08:00:00.000Z', finishedAt: '2026-03-02T08:00:01.000Z',
      received: null, inserted: null, updated: null, removed: null, unchanged: null, errorCount: 1,
      errors: [{ line: 7, field: 'patient_key', message: 'looks like a personnummer or samordningsnummer: send the region’s keyed pseudonym (64 hexadecimal characters), never the identity' }],
    }],
  });

/** Waiting-list submissions (contract, "Waiting-list data"): streamed CSV or NDJSON, validated, staged and applied atomically. */
export function waitingListRoutes(s: AppServices) {
  return async (app: FastifyInstance) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const maxBytes = s.config.waitingListMaxBytes;
    // The file is never buffered: the route gets the raw request stream and spools it (with its own size limit).
    app.addContentTypeParser(['text/csv', 'application/x-ndjson'], (_request, payload, done) => done(null, payload));

    // A report or submission through this instance shows in the public waiting times at once (others within a second).
    app.addHook('onSend', async (request, reply, payload) => {
      if (request.method !== 'GET' && reply.statusCode < 300) await s.waitingTimesCache.invalidate();
      return payload;
    });

    r.post('/waiting-list/submissions', {
      config: { access: REPORTER, rateLimit: writeRateLimit(s.config) },
      schema: {
        tags: ['Waiting lists'], summary: 'Submit the region’s waiting list', operationId: 'submitWaitingList',
        description:
          'The body is a CSV file (`text/csv`; UTF-8 with or without BOM or Windows-1252; `,` or `;`; RFC 4180 quoting) or NDJSON (`application/x-ndjson`) ' +
          'with the contract’s columns. Atomic: any error rejects the whole file (422, every error with line and field, the first 1,000 and `errorCount`). ' +
          '`delta` upserts by record_id; `snapshot` also marks the region’s episodes absent from the file as removed. A byte-identical file applied before ' +
          `answers the first result (200, \`Idempotent-Replayed: true\`). At most ${maxBytes} bytes (413).`,
        querystring: z.object({
          mode: z.enum(['delta', 'snapshot']).default('delta').describe('delta (upsert) or snapshot (upsert and remove the absent)'),
          dryRun: z.enum(['true', 'false']).default('false').describe('true: validate only, change nothing'),
        }),
        response: { 200: SubmissionResultOut.describe('a dry run, or a replay of an identical file'), 201: SubmissionResultOut },
      },
    }, async (request, reply) => {
      const body = request.body as unknown;
      if (!body || typeof (body as Readable).pipe !== 'function')
        throw new AppError('unsupported_media_type', `Send the waiting list as text/csv or application/x-ndjson, not ${request.headers['content-type'] ?? 'without a Content-Type'}.`);
      // how long each phase took, in the log (operators and the benchmark read it; no patient data in it)
      const phasesMs: Record<string, number> = {};
      let phase = 'receiving';
      let phaseStart = performance.now();
      const result = await submitWaitingList(s.database, request.ctx, {
        body: body as Readable, contentType: request.headers['content-type'] ?? '', mode: request.query.mode, dryRun: request.query.dryRun === 'true', maxBytes,
        onProgress: (p) => {
          if (p.phase === phase) return;
          phasesMs[phase] = Math.round(performance.now() - phaseStart);
          phase = p.phase;
          phaseStart = performance.now();
        },
      });
      request.log.info({ submissionId: result.submissionId, received: result.received, replayed: result.replayed, phasesMs }, 'waiting-list submission finished');
      const { replayed, ...answer } = result;
      if (replayed) reply.header('idempotent-replayed', 'true');
      reply.code(replayed || answer.dryRun ? 200 : 201).header('location', `/api/v1/waiting-list/submissions/${answer.submissionId}`);
      return answer;
    });

    r.get('/waiting-list/submissions/:id', {
      config: { access: READERS },
      schema: {
        tags: ['Waiting lists'], summary: 'One waiting-list submission and its error report', operationId: 'getWaitingListSubmission',
        description: 'Who sent what and when, its counts, its status and its error report. A region-reporter sees its own region’s submissions.',
        params: z.object({ id: z.string().uuid().describe('the submissionId') }),
        response: { 200: SubmissionOut },
      },
    }, async (request) => getSubmission(s.database, request.ctx, request.params.id));
  };
}
