import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { COMPARATORS, GOAL_KINDS, MAX_TITLE_LENGTH } from '../../domain/goals.js';
import { STATISTICAL_VIEWS } from '../../domain/guarantee.js';
import * as goals from '../../services/statistics/goals.service.js';
import type { AppServices } from '../app.js';
import { writeRateLimit } from '../app.js';
import { etag, parseIfMatch } from '../idempotency.js';
import { PeriodQ } from './stats.routes.js';

export const GoalOut = z.object({
  id: z.string(),
  indicatorId: z.string(),
  regionCode: z.string().nullable().describe('null: every region is measured against it; else only this region (overrides the national goal of the same indicator)'),
  view: z.string().nullable(),
  guaranteeKinds: z.array(z.string()).describe('each kind must meet the goal; empty: the indicator’s total'),
  comparator: z.enum(COMPARATORS),
  target: z.number(),
  dueDate: z.string(),
  title: z.object({ sv: z.string(), en: z.string() }),
  proposed: z.boolean().describe('a goal proposed by the platform, not yet changed by the coordination function'),
  active: z.boolean(),
  updatedAt: z.string(),
  updatedBy: z.string(),
  version: z.number().int().describe('Also the ETag ("v<version>"): send it as If-Match when you change the goal.'),
});
const EXAMPLE_GOAL = {
  id: 'waiting_within_guarantee_80', indicatorId: 'within_guarantee_share', regionCode: null, view: 'excluding_pvv_and_mov', guaranteeKinds: ['specialist_first_visit', 'treatment'],
  comparator: 'gte', target: 0.8, dueDate: '2027-12-31', title: { sv: 'Minst 80 % av de väntande är inom vårdgarantin', en: 'At least 80 % of waiting patients within the guarantee' },
  proposed: true, active: true, updatedAt: '2026-11-26T08:00:00.000Z', updatedBy: 'platform', version: 1,
} as const;

export const GoalIn = z
  .strictObject({
    indicatorId: z.string().min(1).max(63).describe('Indicator id (GET /api/v1/stats/indicators).'),
    regionCode: z.string().regex(/^\d{2}$/, 'a region code is two digits').nullable().optional().describe('Only this region; leave out (or null) for every region.'),
    view: z.enum(STATISTICAL_VIEWS).nullable().optional().describe('Statistical view, for indicators computed in both.'),
    guaranteeKinds: z.array(z.enum(GOAL_KINDS)).max(3).optional().describe('Guarantee kinds that must each meet the goal (indicators per kind).'),
    comparator: z.enum(COMPARATORS).describe('gte: value ≥ target; lte: value ≤ target; eq: value = target.'),
    target: z.number().describe('Shares and flags 0–1; days, hours, km ≥ 0.'),
    dueDate: z.string().max(10).describe('YYYY-MM-DD, today or later.'),
    title: z.strictObject({ sv: z.string().max(MAX_TITLE_LENGTH), en: z.string().max(MAX_TITLE_LENGTH) }),
    active: z.boolean().optional().describe('false: kept but not on the scorecard (default true).'),
  })
  .meta({ examples: [{ indicatorId: 'within_guarantee_share', view: 'excluding_pvv_and_mov', guaranteeKinds: ['specialist_first_visit', 'treatment'], comparator: 'gte', target: 0.85, dueDate: '2027-12-31', title: { sv: 'Minst 85 % inom vårdgarantin', en: 'At least 85 % within the guarantee' } }] });

const Trend = z.array(z.object({ period: z.string(), value: z.number().nullable(), met: z.boolean().nullable() }));
export const ResultOut = z.object({
  goalId: z.string(),
  value: z.number().nullable(),
  target: z.number(),
  met: z.boolean().nullable().describe('null = not assessed (suppressed, or no denominator)'),
  status: z.enum(['met', 'not_met', 'not_assessed']),
  trend: Trend.describe('the last 6 months, oldest first'),
  detail: z.array(z.object({ guaranteeKind: z.string(), value: z.number().nullable(), met: z.boolean().nullable() })).optional().describe('per guarantee kind when the goal names several (all must meet)'),
});
const EXAMPLE_RESULT = { goalId: 'requests_answered_in_time_90', value: 0.93, target: 0.9, met: true, status: 'met', trend: [{ period: '2026-10', value: 0.93, met: true }] } as const;

export const ScorecardOut = z
  .object({
    period: z.string(), revision: z.number().int(), synthetic: z.boolean(), goals: z.array(GoalOut),
    regions: z.array(z.object({ regionCode: z.string(), regionName: z.string(), results: z.array(ResultOut) })),
    national: z.object({ results: z.array(ResultOut) }),
  })
  .meta({ examples: [{ period: '2026-10', revision: 1, synthetic: true, goals: [EXAMPLE_GOAL], regions: [{ regionCode: '25', regionName: 'Region Norrbotten', results: [EXAMPLE_RESULT] }], national: { results: [EXAMPLE_RESULT] } }] });

export const DataQualityOut = z
  .object({
    period: z.string(),
    regions: z.array(z.object({
      regionCode: z.string(), regionName: z.string(), waitingListOnTime: z.boolean(), firstSubmissionOn: z.string().nullable(), appliedSubmissions: z.number().int(),
      rejectedSubmissions: z.number().int(), rowErrors: z.number().int(), unitsExpectedToReport: z.number().int(), unitsWithFreshCapacityReport: z.number().int(),
      freshCapacityShare: z.number().nullable(), staleUnits: z.array(z.object({ unitHsaId: z.string(), unitName: z.string(), lastValidFrom: z.string().nullable() })).describe('now (live): units with a stale or missing capacity report for an offered service'),
      connectedSystems: z.number().int(),
    })),
  })
  .meta({ examples: [{ period: '2026-10', regions: [{ regionCode: '25', regionName: 'Region Norrbotten', waitingListOnTime: true, firstSubmissionOn: '2026-11-12', appliedSubmissions: 3, rejectedSubmissions: 1, rowErrors: 4, unitsExpectedToReport: 40, unitsWithFreshCapacityReport: 37, freshCapacityShare: 0.925, staleUnits: [{ unitHsaId: 'SE2321000214-ORT1', unitName: 'Ortopedmottagningen Sunderby', lastValidFrom: '2026-08-01' }], connectedSystems: 2 }] }] });

/** Goals, the scorecard (public) and data quality (analyst, admin) of the national coordination function. */
export function followUpRoutes(s: AppServices) {
  return async (app: FastifyInstance) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const db = s.database.db;
    const cache = s.statisticsCache;
    const tags = ['Follow-up'];

    r.get('/follow-up/goals', {
      config: { access: 'public' },
      schema: { tags, summary: 'The goals', operationId: 'listGoals', description: 'Every goal, active or not.', response: { 200: z.object({ items: z.array(GoalOut) }).meta({ examples: [{ items: [EXAMPLE_GOAL] }] }) } },
    }, async (request, reply) => cache.reply(request, reply, () => goals.listGoals(db)));

    r.put('/follow-up/goals/:id', {
      config: { access: { roles: ['analyst', 'admin'] }, rateLimit: writeRateLimit(s.config) },
      schema: {
        tags, summary: 'Create or change a goal', operationId: 'putGoal',
        description: 'If-Match (the ETag of the goal you read) is required when the goal exists. 422 with every broken rule: unknown indicator, target out of range (shares and flags 0–1; days, hours, km ≥ 0), due date in the past, a view or guarantee kinds the indicator does not have. Audited.',
        params: z.object({ id: z.string().regex(/^[a-z0-9][a-z0-9_-]{1,62}$/, 'a goal id is 2–63 lower-case letters, digits, _ or -').describe('Goal id, e.g. waiting_within_guarantee_80.') }),
        headers: z.object({ 'if-match': z.string().max(100).optional().describe('ETag from a previous read, e.g. "v3"; 412 if it is stale.') }),
        body: GoalIn,
        response: { 200: GoalOut.meta({ examples: [EXAMPLE_GOAL] }), 201: GoalOut.meta({ examples: [EXAMPLE_GOAL] }) },
      },
    }, async (request, reply) => {
      const { goal, created } = await goals.putGoal(db, request.ctx, request.params.id, request.body, parseIfMatch(request.headers['if-match']));
      await cache.invalidate();
      reply.code(created ? 201 : 200).header('etag', etag(goal.version));
      if (created) reply.header('location', `/api/v1/follow-up/goals/${goal.id}`);
      return goal;
    });

    r.get('/follow-up/scorecard', {
      config: { access: 'public' },
      schema: {
        tags, summary: 'Every region against every active goal', operationId: 'getScorecard',
        description: 'Value (newest revision), target, met / not met / not assessed (a suppressed value or no denominator is not assessed) and the trend over the last 6 months. A region’s own goal replaces the national goal of the same indicator.',
        querystring: z.object({ period: PeriodQ.optional().describe('Month YYYY-MM (default: the newest computed).') }),
        response: { 200: ScorecardOut },
      },
    }, async (request, reply) => cache.reply(request, reply, () => goals.scorecard(db, { period: request.query.period }, request.ctx)));

    r.get('/follow-up/data-quality', {
      config: { access: { roles: ['analyst', 'admin'] } },
      schema: {
        tags, summary: 'Data quality per region', operationId: 'getDataQuality',
        description: 'Waiting-list data on time, submissions, row errors, capacity reports (and a live list of stale units), connected systems.',
        querystring: z.object({ period: PeriodQ.optional().describe('Month YYYY-MM (default: the newest computed).') }),
        response: { 200: DataQualityOut },
      },
    }, async (request) => goals.dataQuality(db, request.ctx, { period: request.query.period }));
  };
}
