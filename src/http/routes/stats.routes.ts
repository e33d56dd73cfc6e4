import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { STATISTICAL_VIEWS } from '../../domain/guarantee.js';
import { BREAKDOWNS, INDICATOR_IDS, INDICATOR_KINDS } from '../../domain/indicators.js';
import * as publish from '../../services/statistics/publish.service.js';
import { providerStats } from '../../services/statistics/goals.service.js';
import type { AppServices } from '../app.js';
import { RegionCodeQ } from './directory.schemas.js';

export const PeriodQ = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a period is a month written YYYY-MM, e.g. 2026-10');
const IndicatorQ = z.enum(INDICATOR_IDS as [string, ...string[]]).describe('Indicator id (GET /api/v1/stats/indicators; defined in docs/indicators.md).');
const ViewQ = z.enum(STATISTICAL_VIEWS).describe('Statistical view: excluding_pvv (SKR) or excluding_pvv_and_mov (Socialstyrelsen, default for indicators that depend on it).');
const KindQ = z.enum(['primary_assessment', 'specialist_first_visit', 'treatment']).describe('Guarantee kind; leave out for the all-kinds total where the indicator has one.');
const BreakdownQ = z.enum(BREAKDOWNS.filter((b) => b !== '') as [string, ...string[]]).describe('Breakdown dimension (one at a time).');

const Summary = z.object({ sv: z.string(), en: z.string() }).describe('One plain sentence about the figures.');

export const PublishedValueOut = z.object({
  indicatorId: z.string(),
  period: z.string(),
  view: z.string().nullable(),
  guaranteeKind: z.string().nullable(),
  regionCode: z.string().nullable().describe('null = national'),
  breakdown: z.string().nullable(),
  breakdownValue: z.string().nullable(),
  value: z.number().nullable().describe('share 0–1, days, hours, km, flag or participation number; null for counts and when suppressed'),
  valueCount: z.number().int().nullable().describe('the count, for count indicators; null when suppressed'),
  numeratorCount: z.number().int().nullable().describe('numerator of a share; null when suppressed'),
  denominatorCount: z.number().int().nullable().describe('denominator of a share, basis of a median; null when suppressed'),
  suppressed: z.boolean().describe('some figure of this row is hidden to protect individuals (a hidden figure is not zero)'),
  revision: z.number().int(),
  revisedAt: z.string().nullable().describe('when the newest revision was computed (revision > 1)'),
  firstPublished: z.object({ value: z.number().nullable(), valueCount: z.number().int().nullable() }).nullable().describe('revision 1’s figures when revised'),
});

const EXAMPLE_VALUE = {
  indicatorId: 'within_guarantee_share', period: '2026-10', view: 'excluding_pvv_and_mov', guaranteeKind: 'treatment', regionCode: '25', breakdown: null, breakdownValue: null,
  value: 0.78, valueCount: null, numeratorCount: 780, denominatorCount: 1000, suppressed: false, revision: 1, revisedAt: null, firstPublished: null,
};

const GuaranteeRow = z.object({
  guaranteeKind: z.string(),
  waitingCount: z.number().int().nullable(),
  withinGuaranteeShare: z.number().nullable(),
  medianWaitedDays: z.number().nullable(),
  p90WaitedDays: z.number().nullable(),
  completedCount: z.number().int().nullable(),
  completedWithinGuaranteeShare: z.number().nullable(),
  medianCompletedWaitDays: z.number().nullable(),
  suppressed: z.boolean(),
});

export const OverviewOut = z
  .object({
    period: z.string(), view: z.enum(STATISTICAL_VIEWS), regionCode: z.string().nullable(), computedAt: z.string(), revision: z.number().int(), revisedAt: z.string().nullable(),
    dataAsOf: z.string().nullable(), synthetic: z.boolean().describe('true when the platform holds synthetic demo data'),
    guarantee: z.array(GuaranteeRow),
    brokering: z.object({ casesOpenedCount: z.number().int().nullable(), requestsSentCount: z.number().int().nullable(), casesChosenCount: z.number().int().nullable(), casesCompletedCount: z.number().int().nullable(), medianDaysSaved: z.number().nullable(), suppressed: z.boolean() }),
    summary: Summary,
  })
  .meta({
    examples: [{
      period: '2026-10', view: 'excluding_pvv_and_mov', regionCode: null, computedAt: '2026-11-21T03:00:00.000Z', revision: 1, revisedAt: null, dataAsOf: '2026-11-19', synthetic: true,
      guarantee: [{ guaranteeKind: 'treatment', waitingCount: 52100, withinGuaranteeShare: 0.78, medianWaitedDays: 45, p90WaitedDays: 160, completedCount: 14200, completedWithinGuaranteeShare: 0.81, medianCompletedWaitDays: 52, suppressed: false }],
      brokering: { casesOpenedCount: 410, requestsSentCount: 1220, casesChosenCount: 300, casesCompletedCount: 250, medianDaysSaved: 38, suppressed: false },
      summary: { sv: 'I oktober 2026 väntade 78,0 % av dem som väntade på ett första specialistbesök i hela landet inom vårdgarantin.', en: 'In October 2026, 78.0 % of those waiting for a first specialist visit nationally were within the care guarantee.' },
    }],
  });

export const BrokeringOut = z
  .object({
    period: z.string(), regionCode: z.string().nullable(), computedAt: z.string(), revision: z.number().int(), revisedAt: z.string().nullable(), synthetic: z.boolean(),
    casesOpenedCount: z.number().int().nullable(), requestsSentCount: z.number().int().nullable(), requestsDueCount: z.number().int().nullable(),
    requestsAnsweredInTimeCount: z.number().int().nullable(), answeredInTimeShare: z.number().nullable(), decidedCount: z.number().int().nullable(),
    acceptedCount: z.number().int().nullable(), acceptanceRate: z.number().nullable(), medianResponseHours: z.number().nullable(),
    casesChosenCount: z.number().int().nullable(), casesCompletedCount: z.number().int().nullable(), medianDaysSaved: z.number().nullable(),
    daysSavedBasisCount: z.number().int().nullable(), medianTravelDistanceKm: z.number().nullable(),
    outcomes: z.array(z.object({ ending: z.string(), casesCount: z.number().int().nullable() })).describe('cases ended in the month by ending'),
    suppressed: z.boolean(), summary: Summary,
  })
  .meta({
    examples: [{
      period: '2026-10', regionCode: null, computedAt: '2026-11-21T03:00:00.000Z', revision: 1, revisedAt: null, synthetic: true, casesOpenedCount: 410, requestsSentCount: 1220,
      requestsDueCount: 1180, requestsAnsweredInTimeCount: 1070, answeredInTimeShare: 0.9068, decidedCount: 1150, acceptedCount: 610, acceptanceRate: 0.53, medianResponseHours: 20.5,
      casesChosenCount: 300, casesCompletedCount: 250, medianDaysSaved: 38, daysSavedBasisCount: 280, medianTravelDistanceKm: 64.2,
      outcomes: [{ ending: 'completed:treated', casesCount: 230 }, { ending: 'cancelled:patient_declined', casesCount: null }], suppressed: true,
      summary: { sv: 'I oktober 2026 besvarades 90,7 % av förfrågningarna i hela landet inom svarstiden.', en: 'In October 2026, 90.7 % of requests nationally were answered within the respond-by time.' },
    }],
  });

export const PeriodsOut = z
  .object({ items: z.array(z.object({ period: z.string(), revision: z.number().int(), computedAt: z.string() })), latest: z.string().nullable() })
  .meta({ examples: [{ items: [{ period: '2026-10', revision: 1, computedAt: '2026-11-21T03:00:00.000Z' }], latest: '2026-10' }] });

export const IndicatorsOut = z
  .object({
    items: z.array(z.object({
      id: z.string(), group: z.string(), kind: z.enum(INDICATOR_KINDS), unit: z.string(), byView: z.boolean(), byGuaranteeKind: z.boolean(), region: z.string(),
      breakdowns: z.array(z.string()), name: z.object({ sv: z.string(), en: z.string() }),
    })),
  })
  .meta({ examples: [{ items: [{ id: 'waiting_count', group: 'waits', kind: 'count', unit: 'count', byView: false, byGuaranteeKind: true, region: 'reporting', breakdowns: ['sex', 'age_band', 'home_region'], name: { sv: 'Antal väntande', en: 'Patients waiting' } }] }] });

export const SeriesOut = z
  .object({
    indicatorId: z.string(), unit: z.string(), kind: z.string(), regionCode: z.string().nullable(), view: z.string().nullable(), guaranteeKind: z.string().nullable(),
    breakdown: z.string().nullable(), breakdownValue: z.string().nullable(), items: z.array(PublishedValueOut).describe('one per computed month, oldest first'),
  })
  .meta({ examples: [{ indicatorId: 'within_guarantee_share', unit: 'share', kind: 'share', regionCode: '25', view: 'excluding_pvv_and_mov', guaranteeKind: 'treatment', breakdown: null, breakdownValue: null, items: [EXAMPLE_VALUE] }] });

export const RegionsOut = z
  .object({ indicatorId: z.string(), unit: z.string(), kind: z.string(), period: z.string(), items: z.array(PublishedValueOut).describe('national first, then the 21 regions by code') })
  .meta({ examples: [{ indicatorId: 'within_guarantee_share', unit: 'share', kind: 'share', period: '2026-10', items: [EXAMPLE_VALUE] }] });

const ProviderFigures = z.object({
  requestsReceivedCount: z.number().int(), answeredInTimeCount: z.number().int(), answeredInTimeShare: z.number().nullable(), acceptedCount: z.number().int(),
  acceptanceRate: z.number().nullable(), medianResponseHours: z.number().nullable(),
});
export const ProviderOut = z
  .object({
    organizationId: z.string(), period: z.string(),
    units: z.array(ProviderFigures.extend({ unitHsaId: z.string(), unitName: z.string() })),
    organization: ProviderFigures,
    national: z.object({ answeredInTimeShare: z.number().nullable(), acceptanceRate: z.number().nullable(), medianResponseHours: z.number().nullable() }),
    synthetic: z.boolean().describe('true when the platform holds synthetic demo data'),
  })
  .meta({
    examples: [{
      organizationId: 'region-25', period: '2026-11',
      units: [{ unitHsaId: 'SE2321000214-ORT1', unitName: 'Ortopedmottagningen Sunderby', requestsReceivedCount: 12, answeredInTimeCount: 10, answeredInTimeShare: 0.909, acceptedCount: 6, acceptanceRate: 0.55, medianResponseHours: 18.5 }],
      organization: { requestsReceivedCount: 12, answeredInTimeCount: 10, answeredInTimeShare: 0.909, acceptedCount: 6, acceptanceRate: 0.55, medianResponseHours: 18.5 },
      national: { answeredInTimeShare: 0.88, acceptanceRate: 0.51, medianResponseHours: 22.1 },
      synthetic: true,
    }],
  });

/** The public statistics (precomputed, suppressed, cached by statistics_version) and the provider's own figures (live). */
export function statsRoutes(s: AppServices) {
  return async (app: FastifyInstance) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const db = s.database.db;
    const cache = s.statisticsCache;
    const tags = ['Statistics'];

    r.get('/stats/periods', {
      config: { access: 'public' },
      schema: {
        tags, summary: 'The computed months', operationId: 'listStatisticsPeriods',
        description: 'Every month with a finished computation, newest first, with its highest revision.',
        response: { 200: PeriodsOut },
      },
    }, async (request, reply) => cache.reply(request, reply, () => publish.periodList(db)));

    r.get('/stats/indicators', {
      config: { access: 'public' },
      schema: {
        tags, summary: 'The indicators', operationId: 'listIndicators',
        description: 'The indicator registry: ids, kinds, units, views, guarantee kinds, region basis and breakdowns. Definitions: docs/indicators.md.',
        response: {
          200: IndicatorsOut,
        },
      },
    }, async (request, reply) => cache.reply(request, reply, async () => publish.indicatorList()));

    r.get('/stats/overview', {
      config: { access: 'public' },
      schema: {
        tags, summary: 'Guarantee compliance, waits and brokering of a month', operationId: 'getStatisticsOverview',
        description: 'Per guarantee kind: waiting, within the guarantee, median and 90th percentile waits, completed; and brokering volumes. Default: the newest computed month, the whole country, view excluding_pvv_and_mov. Small cells suppressed (null with suppressed: true). 404 when the month has not been computed.',
        querystring: z.object({ region: RegionCodeQ.optional().describe('Only this region (e.g. 25).'), period: PeriodQ.optional().describe('Month YYYY-MM (default: the newest).'), view: ViewQ.optional() }),
        response: { 200: OverviewOut },
      },
    }, async (request, reply) => {
      const q = request.query;
      return cache.reply(request, reply, () => publish.overview(db, { period: q.period, regionCode: q.region, view: q.view }));
    });

    r.get('/stats/brokering', {
      config: { access: 'public' },
      schema: {
        tags, summary: 'Brokering figures of a month', operationId: 'getBrokeringStatistics',
        description: 'Cases opened, requests sent and answered in time, acceptance, response time, chosen and completed cases, endings, days saved and travel distance. With region: request figures by receiving region, case figures by home region (docs/indicators.md).',
        querystring: z.object({ region: RegionCodeQ.optional().describe('Only this region.'), period: PeriodQ.optional().describe('Month YYYY-MM (default: the newest).') }),
        response: { 200: BrokeringOut },
      },
    }, async (request, reply) => cache.reply(request, reply, () => publish.brokeringStats(db, { period: request.query.period, regionCode: request.query.region })));

    r.get('/stats/series', {
      config: { access: 'public' },
      schema: {
        tags, summary: 'The time series of one indicator', operationId: 'getStatisticsSeries',
        description: 'One value per computed month (oldest first), newest revision, with the first published figures of revised months. A brokering indicator is published per guarantee kind nationally only: with a region, leave guaranteeKind out (422 otherwise).',
        querystring: z.object({
          indicator: IndicatorQ, region: RegionCodeQ.optional(), view: ViewQ.optional(), guaranteeKind: KindQ.optional(), breakdown: BreakdownQ.optional(),
          breakdownValue: z.string().min(1).max(60).optional().describe('Category of the breakdown (with breakdown).'), from: PeriodQ.optional(), to: PeriodQ.optional(),
        }),
        response: {
          200: SeriesOut,
        },
      },
    }, async (request, reply) => {
      const q = request.query;
      return cache.reply(request, reply, () => publish.series(db, { indicatorId: q.indicator, regionCode: q.region, view: q.view, guaranteeKind: q.guaranteeKind, breakdown: q.breakdown, breakdownValue: q.breakdownValue, from: q.from, to: q.to }));
    });

    r.get('/stats/regions', {
      config: { access: 'public' },
      schema: {
        tags, summary: 'One indicator for the country and every region', operationId: 'getStatisticsByRegion',
        description: 'The national value first, then the 21 regions by code.',
        querystring: z.object({ indicator: IndicatorQ, period: PeriodQ.optional(), view: ViewQ.optional(), guaranteeKind: KindQ.optional(), breakdown: BreakdownQ.optional(), breakdownValue: z.string().min(1).max(60).optional() }),
        response: { 200: RegionsOut },
      },
    }, async (request, reply) => {
      const q = request.query;
      return cache.reply(request, reply, () => publish.regionComparison(db, { indicatorId: q.indicator, period: q.period, view: q.view, guaranteeKind: q.guaranteeKind, breakdown: q.breakdown, breakdownValue: q.breakdownValue }));
    });

    r.get('/stats/breakdown', {
      config: { access: 'public' },
      schema: {
        tags, summary: 'One indicator by sex, age band, home region or another breakdown', operationId: 'getStatisticsBreakdown',
        description: 'One value per category, nationally. Breakdowns are published nationally only (ADR 0013): a region is refused with 422 saying so.',
        querystring: z.object({ indicator: IndicatorQ, breakdown: BreakdownQ, region: RegionCodeQ.optional(), period: PeriodQ.optional(), view: ViewQ.optional(), guaranteeKind: KindQ.optional() }),
        response: { 200: z.object({ indicatorId: z.string(), breakdown: z.string(), period: z.string(), regionCode: z.string().nullable(), items: z.array(PublishedValueOut) }).meta({ examples: [{ indicatorId: 'within_guarantee_share', breakdown: 'sex', period: '2026-10', regionCode: null, items: [{ ...EXAMPLE_VALUE, regionCode: null, breakdown: 'sex', breakdownValue: 'F' }] }] }) },
      },
    }, async (request, reply) => {
      const q = request.query;
      return cache.reply(request, reply, () => publish.breakdownTable(db, { indicatorId: q.indicator, breakdown: q.breakdown, regionCode: q.region, period: q.period, view: q.view, guaranteeKind: q.guaranteeKind }));
    });

    r.get('/stats/provider', {
      config: { access: { roles: ['provider', 'analyst', 'admin'] } },
      schema: {
        tags, summary: 'A provider’s own request figures against the country', operationId: 'getProviderStatistics',
        description: 'Computed live from the requests of the month for the caller’s organisation (its one unit when the token names one); an admin or analyst names the organisation. Not public.',
        querystring: z.object({ period: PeriodQ.optional().describe('Month YYYY-MM (default: this month).'), organization: z.string().min(1).max(100).optional().describe('Organisation id (admin, analyst; a provider only its own).') }),
        response: { 200: ProviderOut },
      },
    }, async (request) => providerStats(db, request.ctx, { period: request.query.period, organizationId: request.query.organization }));
  };
}
