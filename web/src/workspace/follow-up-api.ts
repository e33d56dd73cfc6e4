/**
 * Typed calls for the follow-up pages (journey 5: the national coordination function; journey 4: the provider's
 * "Statistik"). The answers' shapes and the goal's input are the routes' own schemas (type-only). Writes send If-Match
 * with the goal's version, as the other workspace writes do.
 */
import { useMemo } from 'react';
import { qs, request } from '../api.js';
import { useI18n } from '../i18n/index.js';

// The rules' own lists (pure modules of the server).
import { COMPARATORS, GOAL_KINDS, type Comparator, type GoalKind, type GoalStatus } from '../../../src/domain/goals.js';
import { STATISTICAL_VIEWS, type StatisticalView } from '../../../src/domain/guarantee.js';
import { isPeriod } from '../../../src/domain/indicators.js';
import type { DataQualityOut, GoalIn as GoalInSchema, GoalOut, ResultOut, ScorecardOut } from '../../../src/http/routes/follow-up.routes.js';
import type { IndicatorsOut, PeriodsOut, ProviderOut } from '../../../src/http/routes/stats.routes.js';
import type { z } from 'zod';

export type { Comparator, GoalStatus };
/** The guarantee kinds a goal can name, the statistical views and the comparisons. */
export const GUARANTEE_KIND_IDS = GOAL_KINDS;
export const VIEW_IDS = STATISTICAL_VIEWS;
export { COMPARATORS };
export type { GoalKind, StatisticalView };
/** A stored goal's guarantee kind or view as the goal's input takes it (the server validated it when it was written). */
export const isGoalKind = (k: string): k is GoalKind => (GOAL_KINDS as readonly string[]).includes(k);
export const isViewId = (v: string): v is StatisticalView => (STATISTICAL_VIEWS as readonly string[]).includes(v);

// The goal's input and the answers' shapes are the routes' own schemas (type-only: nothing of the server is bundled).
export type GoalIn = z.input<typeof GoalInSchema>;
export type Goal = z.infer<typeof GoalOut>;
export type GoalResult = z.infer<typeof ResultOut>;
export type TrendPoint = GoalResult['trend'][number];
export type Scorecard = z.infer<typeof ScorecardOut>;
export type DataQuality = z.infer<typeof DataQualityOut>;
export type DataQualityRegion = DataQuality['regions'][number];
export type StaleUnit = DataQualityRegion['staleUnits'][number];

export type IndicatorInfo = z.infer<typeof IndicatorsOut>['items'][number];
export type StatsPeriods = z.infer<typeof PeriodsOut>;

export type ProviderStats = z.infer<typeof ProviderOut>;
export type ResponseFigures = ProviderStats['organization'];

const enc = encodeURIComponent;

export const followUp = {
  // read again after a goal is saved: the server's answer, not the browser's copy of the one before the save
  scorecard: (period: string | undefined, signal?: AbortSignal) => request<Scorecard>('GET', `/api/v1/follow-up/scorecard${qs({ period })}`, undefined, signal, {}, 'no-cache'),
  dataQuality: (period: string | undefined, signal?: AbortSignal) =>
    request<DataQuality>('GET', `/api/v1/follow-up/data-quality${qs({ period })}`, undefined, signal),
  // The goals are edited with If-Match on their version: always the server's copy, never the browser's kept one (public
  // answers may be kept for 5 s; after a save or a conflict the list must show the new version).
  goals: (signal?: AbortSignal) => request<{ items: Goal[] }>('GET', '/api/v1/follow-up/goals', undefined, signal, {}, 'no-cache'),
  putGoal: (id: string, version: number | undefined, body: GoalIn) =>
    request<Goal>('PUT', `/api/v1/follow-up/goals/${enc(id)}`, body, undefined, version === undefined ? {} : { 'if-match': `"v${version}"` }),
  indicators: (signal?: AbortSignal) => request<z.infer<typeof IndicatorsOut>>('GET', '/api/v1/stats/indicators', undefined, signal),
  periods: (signal?: AbortSignal) => request<StatsPeriods>('GET', '/api/v1/stats/periods', undefined, signal),
  provider: (period: string | undefined, signal?: AbortSignal) => request<ProviderStats>('GET', `/api/v1/stats/provider${qs({ period })}`, undefined, signal),
};

/** A share (0–1) as whole percent for a form field, and back; other units are kept as they are. */
export function targetToField(unit: string, target: number): string {
  return unit === 'share' ? String(Math.round(target * 1000) / 10) : String(target);
}
export function fieldToTarget(unit: string, field: string): number {
  const n = Number(field.replace(',', '.').trim());
  return unit === 'share' ? Math.round(n * 10) / 1000 : n;
}

/** Is YYYY-MM a period? (the server's rule in src/domain/indicators.ts) */
export function isPeriodText(s: string | null): s is string {
  return !!s && isPeriod(s);
}

/** "oktober 2026" / "October 2026", and "okt." / "Oct" for the trend. */
export function useMonthFormat() {
  const { locale } = useI18n();
  return useMemo(() => {
    const long = new Intl.DateTimeFormat(locale, { month: 'long', year: 'numeric', timeZone: 'UTC' });
    const short = new Intl.DateTimeFormat(locale, { month: 'short', timeZone: 'UTC' });
    const at = (p: string) => new Date(`${p}-15T12:00:00Z`);
    return { long: (p: string) => long.format(at(p)), short: (p: string) => short.format(at(p)) };
  }, [locale]);
}

/** A value in its indicator's unit: "87,5 %", "Ja", "41 dagar". */
export function useValueFormat() {
  const { t, locale, formatNumber } = useI18n();
  const f = t.followUp;
  return useMemo(() => {
    const pct = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 });
    const one = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
    return (unit: string | undefined, value: number | null): string => {
      if (value === null) return f.noValue;
      switch (unit) {
        case 'share':
          return pct.format(value);
        case 'flag':
          return value >= 1 ? f.flagYes : f.flagNo;
        case 'days':
          return f.unitDays(one.format(value));
        case 'hours':
          return f.unitHours(one.format(value));
        case 'km':
          return f.unitKm(one.format(value));
        default:
          return formatNumber(value);
      }
    };
  }, [locale, f, formatNumber]);
}

