import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CapacityReportShape, STALE_AFTER_DAYS } from '../../domain/capacity.js';
import { AppError } from '../../domain/errors.js';
import * as capacity from '../../services/capacity.service.js';
import type { AppServices } from '../app.js';
import { writeRateLimit } from '../app.js';
import { HsaParam } from './directory.schemas.js';

/** The OpenAPI tag (must be declared in src/http/openapi.ts); 'Directory' until a 'Capacity' tag is declared there. */
const TAG = 'Capacity';
const WRITERS = { roles: ['provider', 'region-reporter', 'admin'] } as const;
const EXAMPLE_UNIT = 'SE2321000016-E0001';

const reportExample = { expectedWaitDays: 45, weeklyCapacityForOtherRegions: 6, acceptsOtherRegions: true, validFrom: '2026-11-23', comment: 'Extra operationssal från december.' };

const ReportVersion = z.object({
  validFrom: z.string().describe('The date the version applies from (YYYY-MM-DD).'),
  expectedWaitDays: z.number().int(),
  weeklyCapacityForOtherRegions: z.number().int(),
  acceptsOtherRegions: z.boolean(),
  comment: z.string().nullable(),
  reportedAt: z.string().describe('When the version was reported (ISO 8601).'),
});
const CurrentReport = ReportVersion.extend({
  stale: z.boolean().describe(`True when the report in force is older than the stale threshold (default ${STALE_AFTER_DAYS} days from validFrom to today).`),
});
const StoredReport = CurrentReport.extend({ unitHsaId: z.string(), serviceId: z.string() }).meta({
  examples: [{ unitHsaId: EXAMPLE_UNIT, serviceId: 'knee-replacement', ...reportExample, reportedAt: '2026-11-26T09:12:03.000Z', stale: false }],
});
const UnitCapacityOut = z
  .object({
    unitHsaId: z.string(),
    today: z.string().describe('The Swedish calendar date the current reports and `stale` are judged on.'),
    staleAfterDays: z.number().int().describe('A report in force is stale when its validFrom lies more than this many days before today.'),
    items: z.array(
      z.object({
        serviceId: z.string(),
        current: CurrentReport.nullable().describe('The report in force today (the newest with validFrom ≤ today); null when there is none.'),
        history: z.array(ReportVersion).optional().describe('With ?history=true: every version, newest validFrom first (future versions included).'),
      }),
    ),
  })
  .meta({
    examples: [{
      unitHsaId: EXAMPLE_UNIT,
      today: '2026-11-26',
      staleAfterDays: 42,
      items: [
        {
          serviceId: 'knee-replacement',
          current: { validFrom: '2026-11-23', expectedWaitDays: 45, weeklyCapacityForOtherRegions: 6, acceptsOtherRegions: true, comment: null, reportedAt: '2026-11-23T08:00:00.000Z', stale: false },
          history: [
            { validFrom: '2026-12-07', expectedWaitDays: 30, weeklyCapacityForOtherRegions: 10, acceptsOtherRegions: true, comment: 'Extra operationssal.', reportedAt: '2026-11-25T08:00:00.000Z' },
            { validFrom: '2026-11-23', expectedWaitDays: 45, weeklyCapacityForOtherRegions: 6, acceptsOtherRegions: true, comment: null, reportedAt: '2026-11-23T08:00:00.000Z' },
          ],
        },
        { serviceId: 'hip-replacement', current: { validFrom: '2026-08-03', expectedWaitDays: 120, weeklyCapacityForOtherRegions: 0, acceptsOtherRegions: false, comment: null, reportedAt: '2026-08-03T07:30:00.000Z', stale: true } },
      ],
    }],
  });
const SubmissionOut = z
  .object({
    submissionId: z.string().uuid(),
    received: z.number().int().describe('Rows in the file.'),
    inserted: z.number().int().describe('New versions (unit, service, validFrom).'),
    updated: z.number().int().describe('Existing versions replaced with other values.'),
    unchanged: z.number().int().describe('Rows identical to the stored version.'),
  })
  .meta({ examples: [{ submissionId: '0b6f3a56-8f7e-4a53-a1f8-0a5b9e7f1c2d', received: 3, inserted: 2, updated: 1, unchanged: 0 }] });

const CSV_EXAMPLE = `unit_hsa_id,service_id,expected_wait_days,weekly_capacity_for_other_regions,accepts_other_regions,valid_from,comment
${EXAMPLE_UNIT},knee-replacement,45,6,true,2026-11-23,Extra operationssal från december
${EXAMPLE_UNIT},hip-replacement,120,0,false,2026-11-23,
`;

const NDJSON_EXAMPLE = `{"unitHsaId":"${EXAMPLE_UNIT}","serviceId":"knee-replacement","expectedWaitDays":45,"weeklyCapacityForOtherRegions":6,"acceptsOtherRegions":true,"validFrom":"2026-11-23","comment":"Extra operationssal"}
{"unitHsaId":"${EXAMPLE_UNIT}","serviceId":"hip-replacement","expectedWaitDays":120,"weeklyCapacityForOtherRegions":0,"acceptsOtherRegions":false,"validFrom":"2026-11-23"}
`;

/** Capacity and expected waits (contract-v1): units' self-reported waits and capacity for other regions, history by validFrom. */
export function capacityRoutes(s: AppServices) {
  return async (app: FastifyInstance) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const db = s.database.db;
    const staleAfterDays = s.config.capacityStaleAfterDays;
    const writeLimit = writeRateLimit(s.config);
    const maxBytes = capacity.CAPACITY_SUBMISSION_MAX_BYTES;

    // Bulk files are read whole (≤ 5 MB) as bytes; the service decodes and parses them.
    app.addContentTypeParser(['text/csv', 'application/x-ndjson'], { parseAs: 'buffer', bodyLimit: maxBytes }, (_req, body, done) => done(null, body));

    // A report or submission through this instance shows in the public waiting times at once (others within a second).
    app.addHook('onSend', async (request, reply, payload) => {
      if (request.method !== 'GET' && reply.statusCode < 300) await s.waitingTimesCache.invalidate();
      return payload;
    });

    r.put('/units/:hsaId/capacity/:serviceId', {
      config: { access: WRITERS, rateLimit: writeLimit },
      schema: {
        tags: [TAG], summary: 'Report a unit’s expected wait and capacity for one service', operationId: 'putCapacityReport',
        description:
          'Stores the version of (unit, service, validFrom): a PUT with the same validFrom replaces that version, other dates add to the history. ' +
          'A provider reports for its organisation’s units (or its one unit), a region-reporter for units in its region. ' +
          '404 when the unit does not exist; 422 when the unit does not offer the service or a value breaks a rule ' +
          `(expectedWaitDays 0–3650, weeklyCapacityForOtherRegions ≥ 0, validFrom a real date from 2010 and at most 90 days ahead, comment ≤ 1000 characters). ` +
          'Answers 201 for a new version, 200 for a replaced one, with `stale`.',
        params: HsaParam.extend({ serviceId: z.string().min(1).max(63).describe('A service id from GET /api/v1/services that the unit offers.') }),
        body: CapacityReportShape.meta({ examples: [reportExample] }),
        response: { 200: StoredReport, 201: StoredReport },
      },
    }, async (request, reply) => {
      const { created, report } = await capacity.putCapacityReport(db, request.ctx, request.params.hsaId, request.params.serviceId, request.body, staleAfterDays);
      reply.code(created ? 201 : 200).header('location', `/api/v1/units/${report.unitHsaId}/capacity`);
      return report;
    });

    r.get('/units/:hsaId/capacity', {
      config: { access: 'public' },
      schema: {
        tags: [TAG], summary: 'A unit’s current capacity reports, per service', operationId: 'getUnitCapacity',
        description:
          'For every service the unit offers or has reported: the report in force today (`current`, the newest with validFrom ≤ today, null when none) ' +
          `with \`stale\` (validFrom more than ${STALE_AFTER_DAYS} days ago by default) and \`reportedAt\`; with ?history=true also every version, newest first.`,
        params: HsaParam,
        querystring: z.object({ history: z.enum(['true', 'false']).optional().describe('true: include every version of each service’s report.') }),
        response: { 200: UnitCapacityOut },
      },
    }, async (request) => capacity.unitCapacity(db, request.ctx, request.params.hsaId, { history: request.query.history === 'true', staleAfterDays }));

    r.post('/capacity/submissions', {
      bodyLimit: maxBytes,
      config: { access: WRITERS, rateLimit: writeLimit },
      schema: {
        tags: [TAG], summary: 'Report capacity for many units and services at once (CSV or NDJSON, atomic)', operationId: 'submitCapacity',
        description:
          'Send `text/csv` (UTF-8 with or without BOM; delimiter `,` or `;`; header ' +
          '`unit_hsa_id,service_id,expected_wait_days,weekly_capacity_for_other_regions,accepts_other_regions,valid_from,comment`, comment optional) ' +
          'or `application/x-ndjson` (one JSON object a line: the PUT body plus unitHsaId and serviceId). ' +
          'Every row is checked as the PUT checks it, including the caller’s scope; one bad row rejects the whole file with 422 naming every error’s line and field ' +
          '(the first 1,000, and `errorCount`), and nothing is applied. Otherwise all rows are applied in one transaction. At most 5 MB (413 above).\n\n' +
          `CSV:\n\n\`\`\`\n${CSV_EXAMPLE}\`\`\`\n\nNDJSON:\n\n\`\`\`\n${NDJSON_EXAMPLE}\`\`\``,
        consumes: ['text/csv', 'application/x-ndjson'],
        body: z.any().describe('The file: text/csv or application/x-ndjson, examples in the description.'),
        response: { 200: SubmissionOut },
      },
    }, async (request) => {
      const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      const format = type === 'text/csv' ? 'csv' : type === 'application/x-ndjson' ? 'ndjson' : undefined;
      if (!format || !Buffer.isBuffer(request.body))
        throw new AppError('unsupported_media_type', `Content-Type ${type || '(none)'} is not accepted here; send text/csv or application/x-ndjson.`);
      return capacity.submitCapacity(db, request.ctx, { bytes: request.body, format, contentType: type });
    });
  };
}
