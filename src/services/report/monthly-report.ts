import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { stockholmDay } from '../../domain/clock.js';
import { AppError } from '../../domain/errors.js';
import type { GuaranteeKind, StatisticalView } from '../../domain/guarantee.js';
import { INDICATOR_DEFINITION_VERSION, isPeriod, previousPeriod } from '../../domain/indicators.js';
import type { RequestContext } from '../context.js';
import { dataQuality, scorecard } from '../statistics/goals.service.js';
import { brokeringStats, overview, regionComparison, series, type PublishedValue } from '../statistics/publish.service.js';
import { headlineKey } from './render-html.js';

/*
 * The data of the monthly report for the national coordination function (`nvf report monthly`), gathered from the
 * same publishing services as the API (/api/v1/stats/*, /api/v1/follow-up/*): every figure is the published one, with
 * disclosure control and revisions applied exactly as in the API. The types below are the services' own answer types.
 */

export type { PublishedValue };

// The answers of the publishing services, as they return them (one shape, the API's), not copies.
export type OverviewAnswer = Awaited<ReturnType<typeof overview>>;
export type GuaranteeFigures = OverviewAnswer['guarantee'][number];
export type BrokeringAnswer = Awaited<ReturnType<typeof brokeringStats>>;
export type SeriesAnswer = Awaited<ReturnType<typeof series>>;
export type RegionsAnswer = Awaited<ReturnType<typeof regionComparison>>;
export type ScorecardAnswer = Awaited<ReturnType<typeof scorecard>>;
export type Goal = ScorecardAnswer['goals'][number];
export type GoalResult = ScorecardAnswer['regions'][number]['results'][number];
export type GoalStatus = GoalResult['status'];
export type DataQualityAnswer = Awaited<ReturnType<typeof dataQuality>>;
export type DataQualityRegion = DataQualityAnswer['regions'][number];

/** The guarantee kinds of the goal "80 % within the guarantee", charted in the report. */
export const CHART_KINDS = ['specialist_first_visit', 'treatment'] as const satisfies readonly GuaranteeKind[];

/** The headline figures whose revision the report marks: indicator id → key of the national published row. */
export const HEADLINE_WAIT_INDICATORS = ['waiting_count', 'within_guarantee_share', 'median_waited_days', 'completed_count', 'completed_within_guarantee_share'] as const;
export const HEADLINE_BROKERING_INDICATORS = ['cases_opened_count', 'requests_sent_count', 'requests_answered_in_time_share', 'acceptance_rate', 'median_response_hours', 'cases_chosen_count', 'cases_completed_count', 'median_days_saved', 'median_travel_distance_km'] as const;

export interface ReportData {
  period: string;
  view: StatisticalView;
  /** when the report was made (ISO) */
  generatedAt: string;
  synthetic: boolean;
  definitionVersion: number;
  overview: OverviewAnswer;
  brokering: BrokeringAnswer;
  /** the national published row of each headline figure (its revision mark), by headlineKey() */
  headline: Record<string, PublishedValue>;
  /** the twelve months ending with the period, oldest first */
  months: string[];
  /** national within_guarantee_share per charted kind over `months` (the newest revision) */
  compliance: { guaranteeKind: string; series: SeriesAnswer }[];
  /** within_guarantee_share per region for the period, per charted kind */
  regions: { guaranteeKind: string; answer: RegionsAnswer }[];
  /** region code → name */
  regionNames: Record<string, string>;
  scorecard: ScorecardAnswer;
  dataQuality: DataQualityAnswer;
}

/** The month a day YYYY-MM-DD (Stockholm) falls in. */
const monthOf = (at: Date): string => stockholmDay(at).slice(0, 7);

/**
 * Refuse a period the report cannot be made for, with a message saying what to do: not a month, a month that has not
 * ended, or a month without a finished statistics run (naming the newest that has one).
 */
export async function checkReportPeriod(db: Kysely<DB>, period: string, now: Date): Promise<void> {
  if (!isPeriod(period)) throw new AppError('bad_request', `--period must be a calendar month written YYYY-MM (for example ${previousPeriod(monthOf(now))}), not "${period}".`);
  const current = monthOf(now);
  if (period >= current)
    throw new AppError('validation', `${period} ${period === current ? 'has not ended yet' : 'is in the future'}: a monthly report covers a month that has ended (the newest possible is ${previousPeriod(current)}).`);
  const runs = await db.selectFrom('statistics_runs').select('period').where('finished_at', 'is not', null).groupBy('period').orderBy('period', 'desc').execute();
  const periods = runs.map((r) => r.period.trim());
  if (!periods.includes(period)) {
    const newest = periods[0];
    throw new AppError(
      'not_found',
      newest
        ? `No statistics for ${period} yet: the newest computed month is ${newest}. Compute ${period} first (nvf stats compute --period ${period}) or choose a computed month.`
        : `No statistics for ${period} yet: no month has been computed. Compute it first (nvf stats compute --period ${period}).`,
    );
  }
}

/** The twelve months ending with `period`, oldest first. */
export function lastTwelveMonths(period: string): string[] {
  const out = [period];
  while (out.length < 12) out.unshift(previousPeriod(out[0]!));
  return out;
}

export interface GatherOptions {
  period: string;
  view?: StatisticalView;
  /** who asks (the data-quality notes are for analysts and admins) */
  ctx: RequestContext;
  onStep?: (step: string) => void;
}

/** Everything the monthly report shows, from the publishing services. Checks the period first (checkReportPeriod). */
export async function gatherReportData(db: Kysely<DB>, opts: GatherOptions): Promise<ReportData> {
  const { period } = opts;
  const view: StatisticalView = opts.view ?? 'excluding_pvv_and_mov';
  const now = opts.ctx.clock.now();
  await checkReportPeriod(db, period, now);
  const step = opts.onStep ?? (() => {});

  step('headline figures');
  const ov: OverviewAnswer = await overview(db, { period, view });
  const br: BrokeringAnswer = await brokeringStats(db, { period });
  const headline: Record<string, PublishedValue> = {};
  const national = async (indicatorId: string, guaranteeKind: string | undefined, withView: boolean) => {
    const answer: RegionsAnswer = await regionComparison(db, { indicatorId, period, ...(withView ? { view } : {}), ...(guaranteeKind ? { guaranteeKind } : {}) });
    const row = answer.items.find((i) => i.regionCode === null);
    if (row) headline[headlineKey(indicatorId, guaranteeKind ?? null)] = row;
    return answer;
  };
  for (const g of ov.guarantee) {
    for (const id of HEADLINE_WAIT_INDICATORS) await national(id, g.guaranteeKind, id !== 'waiting_count' && id !== 'completed_count');
  }
  for (const id of HEADLINE_BROKERING_INDICATORS) await national(id, undefined, false);

  step('trends and regions');
  const months = lastTwelveMonths(period);
  const compliance: ReportData['compliance'] = [];
  const regions: ReportData['regions'] = [];
  for (const kind of CHART_KINDS) {
    const s: SeriesAnswer = await series(db, { indicatorId: 'within_guarantee_share', view, guaranteeKind: kind, from: months[0], to: period });
    compliance.push({ guaranteeKind: kind, series: s });
    regions.push({ guaranteeKind: kind, answer: await national('within_guarantee_share', kind, true) });
  }
  const regionRows = await db.selectFrom('regions').select(['code', 'name']).orderBy('code').execute();

  step('scorecard and data quality');
  const sc: ScorecardAnswer = await scorecard(db, { period });
  const dq: DataQualityAnswer = await dataQuality(db, opts.ctx, { period });

  return {
    period,
    view,
    generatedAt: now.toISOString(),
    synthetic: ov.synthetic || br.synthetic || sc.synthetic,
    definitionVersion: INDICATOR_DEFINITION_VERSION,
    overview: ov,
    brokering: br,
    headline,
    months,
    compliance,
    regions,
    regionNames: Object.fromEntries(regionRows.map((r) => [r.code, r.name])),
    scorecard: sc,
    dataQuality: dq,
  };
}
