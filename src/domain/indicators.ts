import { addDays } from './calendar.js';
import type { GuaranteeKind, StatisticalView } from './guarantee.js';

/**
 * The indicators of statistics and follow-up: ids, names and kinds. Each is defined once, in words, in
 * docs/indicators.md; this registry is the same list for the code (computation, publication, goals, open data).
 * An id is never reused for another meaning.
 */

export const INDICATOR_DEFINITION_VERSION = 1;

/** How a value is read: a count of people/episodes/cases/requests (suppressed 1–4), a share 0–1 with its counts,
 * a median/percentile of a basis (hidden when its basis count is), or a figure about regions, units, files or systems
 * (never suppressed). */
export const INDICATOR_KINDS = ['count', 'share', 'median', 'participation'] as const;
export type IndicatorKind = (typeof INDICATOR_KINDS)[number];

export type IndicatorGroup = 'waits' | 'brokering' | 'participation';

/** Breakdown dimensions; '' is "no breakdown". One dimension at a time. */
export const BREAKDOWNS = ['', 'sex', 'age_band', 'home_region', 'origin', 'outcome', 'ending', 'decline_reason', 'role'] as const;
export type Breakdown = (typeof BREAKDOWNS)[number];

export const AGE_BANDS = ['0-17', '18-44', '45-64', '65-79', '80+'] as const;
export type AgeBand = (typeof AGE_BANDS)[number];

export interface IndicatorDefinition {
  id: string;
  group: IndicatorGroup;
  kind: IndicatorKind;
  /** Computed in both statistical views (else view ''). */
  byView: boolean;
  /** Computed per guarantee kind (else guarantee kind ''). Shares of group A are only published per kind. */
  byGuaranteeKind: boolean;
  /** Unit of the value: 'count', 'share', 'days', 'hours', 'km', 'flag' (0/1), 'regions', 'units', 'systems', 'submissions', 'errors'. */
  unit: string;
  /** Which region a row's region_code is: the reporting region (waiting lists), the case's home region, the receiving
   * region of a request, or the region the units/files/systems belong to. */
  region: 'reporting' | 'home' | 'receiving' | 'own';
  breakdowns: readonly Breakdown[];
  name: { sv: string; en: string };
}

const EQUITY = ['sex', 'age_band', 'home_region'] as const;

export const INDICATORS = [
  // A. Guarantee compliance and waits (waiting_episodes; reporting region)
  { id: 'waiting_count', group: 'waits', kind: 'count', byView: false, byGuaranteeKind: true, unit: 'count', region: 'reporting', breakdowns: EQUITY, name: { sv: 'Antal väntande', en: 'Patients waiting' } },
  { id: 'within_guarantee_share', group: 'waits', kind: 'share', byView: true, byGuaranteeKind: true, unit: 'share', region: 'reporting', breakdowns: EQUITY, name: { sv: 'Andel väntande inom vårdgarantin', en: 'Share of waiting patients within the guarantee' } },
  { id: 'median_waited_days', group: 'waits', kind: 'median', byView: true, byGuaranteeKind: true, unit: 'days', region: 'reporting', breakdowns: EQUITY, name: { sv: 'Väntad tid hittills, median', en: 'Days waited so far, median' } },
  { id: 'p90_waited_days', group: 'waits', kind: 'median', byView: true, byGuaranteeKind: true, unit: 'days', region: 'reporting', breakdowns: EQUITY, name: { sv: 'Väntad tid hittills, 90:e percentilen', en: 'Days waited so far, 90th percentile' } },
  { id: 'completed_count', group: 'waits', kind: 'count', byView: false, byGuaranteeKind: true, unit: 'count', region: 'reporting', breakdowns: EQUITY, name: { sv: 'Antal genomförda', en: 'Episodes completed' } },
  { id: 'completed_within_guarantee_share', group: 'waits', kind: 'share', byView: true, byGuaranteeKind: true, unit: 'share', region: 'reporting', breakdowns: EQUITY, name: { sv: 'Andel genomförda inom vårdgarantin', en: 'Share completed within the guarantee' } },
  { id: 'median_completed_wait_days', group: 'waits', kind: 'median', byView: true, byGuaranteeKind: true, unit: 'days', region: 'reporting', breakdowns: EQUITY, name: { sv: 'Väntetid för genomförda, median', en: 'Wait of completed episodes, median' } },
  { id: 'p90_completed_wait_days', group: 'waits', kind: 'median', byView: true, byGuaranteeKind: true, unit: 'days', region: 'reporting', breakdowns: [], name: { sv: 'Väntetid för genomförda, 90:e percentilen', en: 'Wait of completed episodes, 90th percentile' } },
  // B. Brokering (cases, requests; home region unless said)
  { id: 'cases_opened_count', group: 'brokering', kind: 'count', byView: false, byGuaranteeKind: true, unit: 'count', region: 'home', breakdowns: [...EQUITY, 'origin'], name: { sv: 'Öppnade förmedlingsärenden', en: 'Brokering cases opened' } },
  { id: 'requests_sent_count', group: 'brokering', kind: 'count', byView: false, byGuaranteeKind: true, unit: 'count', region: 'receiving', breakdowns: ['home_region'], name: { sv: 'Skickade förfrågningar', en: 'Requests sent' } },
  { id: 'requests_answered_in_time_share', group: 'brokering', kind: 'share', byView: false, byGuaranteeKind: true, unit: 'share', region: 'receiving', breakdowns: ['home_region'], name: { sv: 'Andel förfrågningar besvarade i tid', en: 'Share of requests answered within the respond-by time' } },
  { id: 'acceptance_rate', group: 'brokering', kind: 'share', byView: false, byGuaranteeKind: true, unit: 'share', region: 'receiving', breakdowns: [...EQUITY], name: { sv: 'Acceptansgrad', en: 'Acceptance rate' } },
  { id: 'requests_declined_count', group: 'brokering', kind: 'count', byView: false, byGuaranteeKind: false, unit: 'count', region: 'receiving', breakdowns: ['decline_reason'], name: { sv: 'Avböjda förfrågningar', en: 'Requests declined' } },
  { id: 'median_response_hours', group: 'brokering', kind: 'median', byView: false, byGuaranteeKind: true, unit: 'hours', region: 'receiving', breakdowns: ['home_region'], name: { sv: 'Svarstid, median', en: 'Median response time' } },
  { id: 'cases_chosen_count', group: 'brokering', kind: 'count', byView: false, byGuaranteeKind: true, unit: 'count', region: 'home', breakdowns: EQUITY, name: { sv: 'Ärenden där patienten valt erbjudande', en: 'Cases where the patient chose an offer' } },
  { id: 'cases_completed_count', group: 'brokering', kind: 'count', byView: false, byGuaranteeKind: true, unit: 'count', region: 'home', breakdowns: [...EQUITY, 'outcome'], name: { sv: 'Genomförda förmedlingsärenden', en: 'Brokering cases completed' } },
  { id: 'cases_ended_count', group: 'brokering', kind: 'count', byView: false, byGuaranteeKind: false, unit: 'count', region: 'home', breakdowns: ['ending'], name: { sv: 'Avslutade ärenden efter utfall', en: 'Cases ended, by outcome' } },
  { id: 'median_days_saved', group: 'brokering', kind: 'median', byView: false, byGuaranteeKind: true, unit: 'days', region: 'home', breakdowns: EQUITY, name: { sv: 'Sparade dagar, median', en: 'Median days saved' } },
  { id: 'median_travel_distance_km', group: 'brokering', kind: 'median', byView: false, byGuaranteeKind: true, unit: 'km', region: 'home', breakdowns: EQUITY, name: { sv: 'Avstånd till vald enhet, median', en: 'Median travel distance' } },
  // D. Participation and data quality (per region; not counts of people)
  { id: 'waiting_list_on_time', group: 'participation', kind: 'participation', byView: false, byGuaranteeKind: false, unit: 'flag', region: 'own', breakdowns: [], name: { sv: 'Väntelistedata inlämnad i tid', en: 'Waiting-list data submitted on time' } },
  { id: 'applied_waiting_list_submissions', group: 'participation', kind: 'participation', byView: false, byGuaranteeKind: false, unit: 'submissions', region: 'own', breakdowns: [], name: { sv: 'Godkända inlämningar av väntelistedata', en: 'Applied waiting-list submissions' } },
  { id: 'rejected_waiting_list_submissions', group: 'participation', kind: 'participation', byView: false, byGuaranteeKind: false, unit: 'submissions', region: 'own', breakdowns: [], name: { sv: 'Avvisade inlämningar av väntelistedata', en: 'Rejected waiting-list submissions' } },
  { id: 'waiting_list_row_errors', group: 'participation', kind: 'participation', byView: false, byGuaranteeKind: false, unit: 'errors', region: 'own', breakdowns: [], name: { sv: 'Fel i avvisade väntelisterader', en: 'Errors in rejected waiting-list rows' } },
  { id: 'fresh_capacity_report_share', group: 'participation', kind: 'participation', byView: false, byGuaranteeKind: false, unit: 'share', region: 'own', breakdowns: [], name: { sv: 'Andel enheter med aktuell kapacitetsrapport', en: 'Share of units with a fresh capacity report' } },
  { id: 'connected_systems', group: 'participation', kind: 'participation', byView: false, byGuaranteeKind: false, unit: 'systems', region: 'own', breakdowns: ['role'], name: { sv: 'Anslutna system', en: 'Connected systems' } },
] as const satisfies readonly IndicatorDefinition[];

export type IndicatorId = (typeof INDICATORS)[number]['id'];
export const INDICATOR_IDS: readonly IndicatorId[] = INDICATORS.map((i) => i.id);

const BY_ID: ReadonlyMap<string, IndicatorDefinition> = new Map(INDICATORS.map((i) => [i.id, i]));
export function indicatorById(id: string): IndicatorDefinition | undefined {
  return BY_ID.get(id);
}
export function isIndicatorId(id: string): id is IndicatorId {
  return BY_ID.has(id);
}

/**
 * One computed value, as the computation produces it and `indicator_values` stores it (raw: suppression is applied
 * when publishing). '' stands for "none" in view, guarantee kind, region (= national) and breakdown.
 * - count: value = the count, numeratorCount = the count, denominatorCount = null;
 * - share: value = numerator ÷ denominator (null when the denominator is 0), both counts set;
 * - median: value = the median/percentile (null when the basis is empty), denominatorCount = the basis count;
 * - participation: value only (e.g. 1/0, a number of submissions, a share of units with its two counts in
 *   numeratorCount/denominatorCount — units, not people).
 */
export interface IndicatorRow {
  indicatorId: IndicatorId;
  period: string;
  view: '' | StatisticalView;
  guaranteeKind: '' | GuaranteeKind;
  regionCode: string;
  breakdown: Breakdown;
  breakdownValue: string;
  value: number | null;
  numeratorCount: number | null;
  denominatorCount: number | null;
}

/** The dates of a calendar month YYYY-MM: its first day, its last day (the reference date R), the first day of the
 * next month, and the 20th of the next month (the waiting-list reporting deadline). */
export interface PeriodBounds {
  period: string;
  monthStart: string;
  monthEnd: string;
  nextMonthStart: string;
  reportingDeadline: string;
}

const PERIOD = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function isPeriod(s: string): boolean {
  const m = PERIOD.exec(s);
  return m !== null && Number(m[1]) >= 2000 && Number(m[1]) <= 2100;
}

export function periodBounds(period: string): PeriodBounds {
  if (!isPeriod(period)) throw new RangeError(`Not a period YYYY-MM: ${period}`);
  const monthStart = `${period}-01`;
  const nextMonthStart = nextPeriod(period) + '-01';
  return { period, monthStart, monthEnd: addDays(nextMonthStart, -1), nextMonthStart, reportingDeadline: nextPeriod(period) + '-20' };
}

export function nextPeriod(period: string): string {
  const y = Number(period.slice(0, 4));
  const m = Number(period.slice(5, 7));
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

export function previousPeriod(period: string): string {
  const y = Number(period.slice(0, 4));
  const m = Number(period.slice(5, 7));
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

/** The periods from `from` to `to`, both included, in order. */
export function periodsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let p = from; p <= to; p = nextPeriod(p)) out.push(p);
  return out;
}

/** The age band of an age in whole years (docs/indicators.md: from birth year only). */
export function ageBand(age: number): AgeBand {
  if (age < 18) return '0-17';
  if (age < 45) return '18-44';
  if (age < 65) return '45-64';
  if (age < 80) return '65-79';
  return '80+';
}
