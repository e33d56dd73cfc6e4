import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { isCalendarDate } from '../../domain/calendar.js';
import { DEFAULT_SEARCH_LIMIT, MAX_SEARCH_LIMIT, SearchCache, searchCapacity } from '../../services/brokering/search.service.js';
import type { AppServices } from '../app.js';
import { ProblemSchema } from '../openapi.js';

const TAG = 'Brokering';
const SEARCHERS = { roles: ['coordinator', 'admin'] } as const;

/** A documented problem+json answer (the central error handler sends it; the schema is only for the document). */
const problemAnswer = (description: string) => ({ description, content: { 'application/problem+json': { schema: ProblemSchema } } }) as unknown as z.ZodType;

const ReasonOut = z.object({ sv: z.string().describe('In Swedish.'), en: z.string().describe('In English.') });

const UnitOut = z.object({
  hsaId: z.string(),
  name: z.string(),
  organizationId: z.string(),
  regionCode: z.string(),
  municipalityCode: z.string(),
  location: z.object({ lat: z.number(), lng: z.number() }),
});

const OptionOut = z.object({
  rank: z.number().int().describe('1-based position in the whole ranking.'),
  tier: z.union([z.literal(1), z.literal(2), z.literal(3)]).describe(
    '1: fresh forecast that meets the deadline (or none given) with capacity available; 2: other fresh forecasts; 3: stale data or no forecast.',
  ),
  unit: UnitOut,
  offeredServiceId: z
    .string()
    .describe(
      'The service the unit offers and would provide: the searched service, or a service the catalogue declares equivalent to it (`equivalents` in GET /api/v1/services/{id}). ' +
        'For an equivalent, the forecast, the capacity report and the waiting-time figures are those of this service, and a reason says so; ' +
        'daysSaved still compares with the home region’s forecast of the searched service.',
    ),
  homeRegion: z.boolean().describe('The unit lies in the patient’s home region.'),
  forecastWaitDays: z.number().nullable().describe('Forecast wait in days; null when neither waiting-list data nor a report exists.'),
  forecastSource: z.enum(['computed', 'reported']).nullable().describe('computed: from the unit’s waiting-list data (queue model); reported: the unit’s own expected wait.'),
  earliestDate: z.string().nullable().describe('today + the forecast wait.'),
  meetsDeadline: z.boolean().nullable().describe('earliestDate ≤ deadline; null without a deadline or a forecast.'),
  daysSaved: z.number().nullable().describe('The home region’s forecast − this forecast (negative: longer than at home); null when either is unknown.'),
  distanceKm: z.number().nullable().describe('Great-circle km from the centre of the patient’s municipality, one decimal.'),
  travelMinutesEstimate: z.number().int().nullable().describe('Estimated car travel in minutes (1.3 × distance at 70 km/h + 15 min): an estimate, not a route.'),
  capacityAvailable: z.boolean().nullable().describe('Weekly capacity for patients from other regions > 0; null without a capacity report.'),
  weeklyCapacityForOtherRegions: z.number().int().nullable(),
  reportedExpectedWaitDays: z.number().int().nullable().describe('The unit’s own expected wait from its current capacity report.'),
  capacityReportValidFrom: z.string().nullable().describe('validFrom of the capacity report in force today.'),
  forecastDataAsOf: z.string().nullable().describe('Date of the waiting-list data behind a computed forecast.'),
  stale: z.boolean().describe('The capacity report, or the data behind the computed forecast, is older than staleAfterDays.'),
  score: z.number().min(0).max(100).describe('0–100: 60 % wait, 25 % distance, 10 % acceptance rate (shrunk), 5 % response time; orders options within a tier.'),
  trackRecord: z
    .object({
      requests: z.number().int().describe('Decided requests in the last 365 days (pending ones and ones withdrawn before an answer not counted).'),
      accepted: z.number().int().describe('Of them ever accepted.'),
      medianResponseHours: z.number().nullable().describe('Median hours from sent to answered.'),
    })
    .nullable()
    .describe('Brokered requests to the unit over the last 365 days; null when none.'),
  reasons: z.array(ReasonOut).describe('Why the option stands where it does, in Swedish and English; the first names the forecast and its source.'),
});

const ExcludedOut = z.object({
  unit: UnitOut,
  offeredServiceId: z.string().describe('As in options: the searched service or the declared equivalent the unit offers (whose capacity report the exclusion rests on).'),
  distanceKm: z.number().nullable(),
  reasonCode: z.enum(['not_accepting_other_regions', 'beyond_max_distance']),
  reason: ReasonOut,
});

const EXAMPLE_UNIT = { hsaId: 'SE2321000131-E0042', name: 'Ortopedmottagningen Kungälv', organizationId: 'region-14', regionCode: '14', municipalityCode: '1482', location: { lat: 57.8708, lng: 11.9805 } };

export const SearchOut = z
  .object({
    serviceId: z.string(),
    municipalityCode: z.string(),
    municipalityName: z.string(),
    homeRegionCode: z.string().describe('The patient’s home region: the municipality’s.'),
    today: z.string().describe('The Swedish calendar date of the search.'),
    deadline: z.string().nullable(),
    maxDistanceKm: z.number().nullable(),
    staleAfterDays: z.number().int(),
    homeForecastDays: z.number().nullable().describe('The computed forecast for the service in the home region; null when unknown.'),
    total: z.number().int().describe('Ranked options in all; `options` holds the first `limit`.'),
    limit: z.number().int(),
    options: z.array(OptionOut),
    excludedCount: z.number().int().describe('Units left out in all; `excluded` holds the nearest `limit`.'),
    excluded: z.array(ExcludedOut),
  })
  .meta({
    examples: [
      {
        serviceId: 'knee-replacement', municipalityCode: '0180', municipalityName: 'Stockholm', homeRegionCode: '01', today: '2026-11-26', deadline: '2027-01-15',
        maxDistanceKm: 600, staleAfterDays: 42, homeForecastDays: 160, total: 1, limit: 10, excludedCount: 1,
        options: [
          {
            rank: 1, tier: 1, unit: EXAMPLE_UNIT, offeredServiceId: 'knee-replacement', homeRegion: false, forecastWaitDays: 34, forecastSource: 'computed', earliestDate: '2026-12-30', meetsDeadline: true,
            daysSaved: 126, distanceKm: 396.4, travelMinutesEstimate: 457, capacityAvailable: true, weeklyCapacityForOtherRegions: 6, reportedExpectedWaitDays: 45,
            capacityReportValidFrom: '2026-11-23', forecastDataAsOf: '2026-11-20', stale: false, score: 60.3,
            trackRecord: { requests: 20, accepted: 18, medianResponseHours: 6 },
            reasons: [
              { sv: 'Beräknad väntetid 34 dagar (från väntelistan), tidigast 2026-12-30', en: 'Forecast wait 34 days (from the waiting list), earliest 2026-12-30' },
              { sv: 'Klarar vårdgarantins sista dag 2027-01-15 (16 dagar till godo)', en: 'Meets the guarantee deadline 2027-01-15 (16 days to spare)' },
              { sv: '126 dagar kortare väntan än hemma (160 dagar)', en: '126 days shorter wait than at home (160 days)' },
              { sv: 'Har accepterat 18 av 20 förfrågningar; svarar på 6 timmar (median)', en: 'Accepted 18 of 20 requests; median response 6 hours' },
            ],
          },
        ],
        excluded: [
          {
            unit: { ...EXAMPLE_UNIT, hsaId: 'SE2321000222-E0007', name: 'Ortopedkliniken Gävle', organizationId: 'region-21', regionCode: '21', municipalityCode: '2180', location: { lat: 60.6749, lng: 17.1413 } },
            offeredServiceId: 'knee-replacement', distanceKm: 159.2, reasonCode: 'not_accepting_other_regions',
            reason: { sv: 'Tar enligt sin kapacitetsrapport (från 2026-11-02) inte emot patienter från andra regioner', en: 'Takes no patients from other regions, according to its capacity report (from 2026-11-02)' },
          },
        ],
      },
    ],
  });

/** National capacity search for brokering (contract-v1, "Brokering"). */
export function searchRoutes(s: AppServices) {
  return async (app: FastifyInstance) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const db = s.database.db;
    const cache = new SearchCache(db);

    r.get('/search', {
      config: { access: SEARCHERS },
      schema: {
        tags: [TAG], summary: 'Find and rank units that can take a patient for a service', operationId: 'searchCapacity',
        description:
          'Every active unit offering the service, or a service the catalogue declares equivalent to it, in any region, ranked for a patient from the given municipality ' +
          '(the home region is the municipality’s). A unit offering an equivalent is a candidate on equal terms, with the forecast, capacity report and waiting-time ' +
          'figures of the service it offers (`offeredServiceId`) and a reason naming the equivalence; a unit offering both counts once, as offering the service itself. ' +
          'Options are put in tiers — 1: fresh data whose forecast meets the deadline (or none given) with capacity for other regions; 2: other fresh forecasts; ' +
          '3: stale data (capacity report or waiting-list data older than the stale limit, 42 days by default: `staleAfterDays` in the answer) or no forecast — ' +
          'and within a tier ordered by a score of the forecast wait (60 %), ' +
          'the distance from the municipality (25 %), the unit’s acceptance rate of brokered requests shrunk toward one half (10 %) and its median response time (5 %). ' +
          'The forecast is computed from the unit’s waiting-list data where it exists, otherwise the unit’s own reported wait. Every option has reasons in Swedish and English. ' +
          'Method, weights and limits: `docs/methods/ranking.md` in the source.\n\n' +
          'Left out, in `excluded` with the reason: units outside the home region whose current capacity report says they take no patients from other regions, ' +
          'and units farther than maxDistanceKm. The answer holds the first `limit` options (default 10, `total` says how many there are). No patient data is sent or returned.\n\n' +
          '**Freshness:** the candidate data (directory, computed waiting times, capacity reports) are kept in memory per service and dropped as soon as any of them ' +
          'changes (checked on every search) or the day changes; the units’ track records are re-read at most every 60 seconds.\n\n' +
          '404 for an unknown service or municipality; 422 for a deadline before today.',
        querystring: z.object({
          service: z.string().min(1).max(63).describe('Service id from the catalogue (GET /api/v1/services).'),
          municipality: z.string().regex(/^\d{4}$/, 'municipality must be a four-digit municipality code (kommunkod), e.g. 0180').describe('The patient’s home municipality (kommunkod, four digits), e.g. 0180.'),
          deadline: z
            .string()
            .regex(/^\d{4}-\d{2}-\d{2}$/, 'deadline must be a date YYYY-MM-DD, e.g. 2027-01-15')
            .refine(isCalendarDate, 'deadline must be a real calendar date YYYY-MM-DD')
            .optional()
            .describe('The patient’s guarantee deadline (vårdgarantins sista dag), YYYY-MM-DD, today or later.'),
          maxDistanceKm: z.coerce.number().int().positive().max(2000).optional().describe('Leave out units farther than this many km (great-circle), 1–2000.'),
          limit: z.coerce.number().int().min(1).max(MAX_SEARCH_LIMIT).default(DEFAULT_SEARCH_LIMIT).describe(`How many options (and excluded units) to return, 1–${MAX_SEARCH_LIMIT} (default ${DEFAULT_SEARCH_LIMIT}).`),
        }),
        response: {
          200: SearchOut,
          404: problemAnswer('The service or the municipality does not exist; the detail names which.'),
          422: problemAnswer('The deadline lies before today.'),
        },
      },
    }, async (request, reply) => {
      const { service, municipality, deadline, maxDistanceKm, limit } = request.query;
      const query = { serviceId: service, municipalityCode: municipality, deadline, maxDistanceKm, limit, staleAfterDays: s.config.capacityStaleAfterDays };
      // Typed as the response schema (the compiler checks the use case's answer against it; test/search.test.ts parses
      // answers with it), then serialised directly: validating ~35 kB of reasons again on every search cost ~5 % of its CPU.
      const answer: z.infer<typeof SearchOut> = await searchCapacity(db, request.ctx, query, cache);
      return (reply as FastifyReply).type('application/json; charset=utf-8').serializer((p: unknown) => p as string).send(JSON.stringify(answer));
    });
  };
}
