import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../domain/errors.js';
import { STATISTICAL_VIEWS } from '../../domain/guarantee.js';
import { isCalendarDate } from '../../domain/calendar.js';
import * as waitingTimes from '../../services/waiting-times.service.js';
import type { AppServices } from '../app.js';
import { decodeCursor, page, PageQuery } from '../paging.js';
import { RegionCodeQ } from './directory.schemas.js';

const Level = z.enum(['unit', 'region', 'national']);
const ViewQ = z.enum(STATISTICAL_VIEWS).default('excluding_pvv_and_mov').describe(
  'Statistical view: `excluding_pvv` subtracts patient-chosen waiting (PvV) only (as SKR’s statistics); `excluding_pvv_and_mov` (default) also medically caused waiting (MoV), as Socialstyrelsen’s key figures.',
);

const WaitingTimeRow = z.object({
  level: Level.describe('unit (per unit and service), region or national'),
  regionCode: z.string().nullable(),
  unitHsaId: z.string().nullable(),
  unitName: z.string().nullable(),
  serviceId: z.string(),
  waitingCount: z.number().int().nullable().describe('patients waiting now; null when suppressed (1–4, or complementary suppression)'),
  medianWaitedDays: z.number().int().nullable().describe('median waited days of those waiting (nearest rank)'),
  p90WaitedDays: z.number().int().nullable().describe('90th percentile of waited days of those waiting (nearest rank)'),
  shareWithinGuarantee: z.number().min(0).max(1).nullable().describe('share of those waiting whose waited days are within the guarantee limit in force on their clock start'),
  completedLast90Days: z.number().int().nullable().describe('episodes completed in the last 90 days (a count)'),
  medianCompletedWaitDays: z.number().int().nullable().describe('median waited days of those completed in the last 90 days'),
  forecastWaitDays: z.number().int().nullable().describe('what a newly referred patient should expect: (waiting + 1) ÷ completions per day over 90 days; the unit’s reported wait when too few completions (docs/methods/forecast.md)'),
  reportedExpectedWaitDays: z.number().int().nullable().describe('the unit’s own expected wait from its current capacity report'),
  dataAsOf: z.string().describe('date of the newest waiting-list data behind the row'),
  stale: z.boolean().describe('the capacity report is older than 42 days, or the data are'),
  suppressed: z.boolean().describe('some figures are hidden to protect individuals (small cells)'),
});

const WaitingTimesOut = z
  .object({ serviceId: z.string(), view: z.enum(STATISTICAL_VIEWS), items: z.array(WaitingTimeRow) })
  .meta({
    examples: [
      {
        serviceId: 'knee-replacement',
        view: 'excluding_pvv_and_mov',
        items: [
          { level: 'national', regionCode: null, unitHsaId: null, unitName: null, serviceId: 'knee-replacement', waitingCount: 5210, medianWaitedDays: 61, p90WaitedDays: 212, shareWithinGuarantee: 0.63, completedLast90Days: 2890, medianCompletedWaitDays: 74, forecastWaitDays: 162, reportedExpectedWaitDays: null, dataAsOf: '2026-11-20', stale: false, suppressed: false },
          { level: 'unit', regionCode: '25', unitHsaId: 'SE2321000214-ORT1', unitName: 'Ortopedmottagningen Sunderby', serviceId: 'knee-replacement', waitingCount: null, medianWaitedDays: null, p90WaitedDays: null, shareWithinGuarantee: null, completedLast90Days: 31, medianCompletedWaitDays: 88, forecastWaitDays: 45, reportedExpectedWaitDays: 45, dataAsOf: '2026-11-20', stale: false, suppressed: true },
        ],
      },
    ],
  });

const AtRiskItem = z.object({
  recordId: z.string(),
  unitHsaId: z.string(),
  serviceId: z.string(),
  clockStart: z.string(),
  waitedDays: z.number().int().describe('waited days so far, PvV and MoV excluded'),
  homeMunicipality: z.string().describe('the patient’s home municipality (SCB code): where a case opened from the episode searches from'),
  deadline: z.string().describe('clock start + limit + PvV + MoV days'),
  forecastDate: z.string().nullable().describe('booked date, or today + the time to treat everyone ahead at the unit’s throughput; null when unknown'),
  daysLeft: z.number().int().describe('deadline − today (negative when passed)'),
  breached: z.boolean(),
});

const AtRiskOut = z
  .object({ regionCode: z.string(), today: z.string(), withinDays: z.number().int(), items: z.array(AtRiskItem), nextCursor: z.string().nullable() })
  .meta({
    examples: [
      {
        regionCode: '01', today: '2026-11-26', withinDays: 14, nextCursor: null,
        items: [{ recordId: 'SLL-2026-000123', unitHsaId: 'SE2321000016-ORT1', homeMunicipality: '0180', serviceId: 'knee-replacement', clockStart: '2026-08-20', waitedDays: 98, deadline: '2026-11-18', forecastDate: '2026-12-30', daysLeft: -8, breached: true }],
      },
    ],
  });

/** Computed waiting times (public, small cells suppressed) and breach forecasts (coordinator of the region). */
export function waitingTimesRoutes(s: AppServices) {
  return async (app: FastifyInstance) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const db = s.database.db;
    // Public answers are kept while the figures, the capacity reports and the day are unchanged. The version (two index
    // look-ups) is read every second and at once after a submission or capacity report through this instance, so an
    // answer is at most a second older than a change made through another instance (well within the 10 s the issue allows).
    const cache = s.waitingTimesCache;

    r.get('/waiting-times', {
      config: { access: 'public' },
      schema: {
        tags: ['Waiting times'], summary: 'Waiting times of a service per unit, region and nationally', operationId: 'getWaitingTimes',
        description:
          'Precomputed after every applied waiting-list submission. Any count of 1–4, and every figure computed from it, is null with suppressed: true; a further cell is hidden where a hidden one could otherwise be recovered by subtraction from a total. The answer names its statistical view.',
        querystring: z.object({
          service: z.string().min(1).max(63).describe('Service id from the catalogue (required).'),
          region: RegionCodeQ.optional().describe('Only this region (and its units); the national row is always included.'),
          unit: z.string().min(1).max(40).optional().describe('Only this unit (and its region); the national row is always included.'),
          view: ViewQ,
        }),
        response: { 200: WaitingTimesOut },
      },
    }, async (request, reply) => {
      const { service, region, unit, view } = request.query;
      return cache.reply(request, reply, () => waitingTimes.publicWaitingTimes(db, request.ctx, { serviceId: service, regionCode: region, unitHsaId: unit, view }));
    });

    r.get('/waiting-list/at-risk', {
      config: { access: { roles: ['coordinator', 'admin'] } },
      schema: {
        tags: ['Waiting times'], summary: 'Waiting episodes breached or forecast to breach', operationId: 'listAtRiskEpisodes',
        description:
          'For the coordinator of the region (an admin may read any): waiting episodes whose deadline has passed, or falls within withinDays and whose forecast date is after it or unknown; ordered by deadline. No patient identity. Every read is audited.',
        querystring: z.object({
          region: RegionCodeQ.describe('The region, e.g. 01.'),
          withinDays: z.coerce.number().int().min(0).max(365).default(14).describe('Horizon in days (default 14).'),
          service: z.string().min(1).max(63).optional(),
          unit: z.string().min(1).max(40).optional().describe('Only this unit (HSA-id).'),
          ...PageQuery,
        }),
        response: { 200: AtRiskOut },
      },
    }, async (request) => {
      const { region, withinDays, service, unit, limit, cursor } = request.query;
      const raw = decodeCursor(cursor);
      let after: { deadline: string; recordId: string } | undefined;
      if (raw !== undefined) {
        const i = raw.indexOf('|');
        const deadline = raw.slice(0, i);
        if (i < 0 || !isCalendarDate(deadline)) throw new AppError('bad_request', 'The cursor is not one this API gave out; start again without cursor.');
        after = { deadline, recordId: raw.slice(i + 1) };
      }
      const { today, rows } = await waitingTimes.atRisk(db, request.ctx, { regionCode: region, withinDays, serviceId: service, unitHsaId: unit?.toUpperCase(), after, limit });
      return { regionCode: region, today, withinDays, ...page(rows, limit, (x) => `${x.deadline}|${x.recordId}`) };
    });
  };
}
