import { addDays, daysBetween, isCalendarDate } from './calendar.js';

/**
 * The care guarantee (vårdgaranti). Hälso- och sjukvårdslagen (2017:30) 9 kap 1 §; hälso- och sjukvårdsförordningen (2017:80)
 * 6 kap 1–2 §§; patientlagen (2014:821) 2 kap 2 §. Limits are dated configuration, not constants: the rule in force on the
 * date the clock started applies to that episode.
 */
export const GUARANTEE_KINDS = ['primary_contact', 'primary_assessment', 'specialist_first_visit', 'treatment'] as const;
export type GuaranteeKind = (typeof GUARANTEE_KINDS)[number];

export interface GuaranteeRule {
  kind: GuaranteeKind;
  limitDays: number;
  /** first clock-start date the rule applies to */
  validFrom: string;
  /** last clock-start date it applies to; open-ended when absent */
  validTo?: string;
  /** the statute behind it */
  source: string;
}

/** The rules in force since the guarantee became law (1 July 2010), including the 2019 change from 7 to 3 days. */
export const DEFAULT_GUARANTEE_RULES: readonly GuaranteeRule[] = [
  { kind: 'primary_contact', limitDays: 0, validFrom: '2010-07-01', source: 'HSL (2017:30) 9 kap 1 § p.1; from 2010-07-01 HSL (1982:763) 3 g § (prop. 2009/10:67)' },
  { kind: 'primary_assessment', limitDays: 7, validFrom: '2010-07-01', validTo: '2018-12-31', source: 'the guarantee as in force 2010-07-01 – 2018-12-31 (7 days to a doctor in primary care; prop. 2009/10:67)' },
  { kind: 'primary_assessment', limitDays: 3, validFrom: '2019-01-01', source: 'HSL (2017:30) 9 kap 1 § p.2 as amended from 2019-01-01 (strengthened guarantee in primary care: medical assessment within 3 days)' },
  { kind: 'specialist_first_visit', limitDays: 90, validFrom: '2010-07-01', source: 'HSL (2017:30) 9 kap 1 § p.3; HSF (2017:80) 6 kap 2 §' },
  { kind: 'treatment', limitDays: 90, validFrom: '2010-07-01', source: 'HSL (2017:30) 9 kap 1 § p.4; HSF (2017:80) 6 kap 2 §' },
];

/**
 * The two statistical views. SKR's waiting-time statistics exclude patient-chosen waiting (PvV) only;
 * Socialstyrelsen's key figures exclude both PvV and medically caused waiting (MoV). Every answer names its view.
 */
export const STATISTICAL_VIEWS = ['excluding_pvv', 'excluding_pvv_and_mov'] as const;
export type StatisticalView = (typeof STATISTICAL_VIEWS)[number];

/** The rule for a guarantee on the date the clock started; throws when no rule covers that date. */
export function ruleFor(kind: GuaranteeKind, clockStart: string, rules: readonly GuaranteeRule[] = DEFAULT_GUARANTEE_RULES): GuaranteeRule {
  const found = rules.filter((r) => r.kind === kind && r.validFrom <= clockStart && (r.validTo === undefined || clockStart <= r.validTo));
  if (found.length === 0) throw new RangeError(`No ${kind} guarantee rule covers clock start ${clockStart}`);
  if (found.length > 1) throw new RangeError(`Overlapping ${kind} guarantee rules on ${clockStart}; fix the configuration`);
  return found[0]!;
}

/** Check a rule set: known kinds, non-negative limits, valid dates, no overlaps per kind. Returns the problems found. */
export function checkRules(rules: readonly GuaranteeRule[]): string[] {
  const problems: string[] = [];
  for (const r of rules) {
    if (!GUARANTEE_KINDS.includes(r.kind)) problems.push(`unknown guarantee kind ${String(r.kind)}`);
    if (!Number.isInteger(r.limitDays) || r.limitDays < 0) problems.push(`${r.kind}: limitDays must be a whole number ≥ 0`);
    if (!isCalendarDate(r.validFrom)) problems.push(`${r.kind}: validFrom ${r.validFrom} is not a date`);
    if (r.validTo !== undefined && (!isCalendarDate(r.validTo) || r.validTo < r.validFrom)) problems.push(`${r.kind}: validTo must be a date on or after validFrom`);
  }
  for (const kind of GUARANTEE_KINDS) {
    const ofKind = rules.filter((r) => r.kind === kind).sort((a, b) => (a.validFrom < b.validFrom ? -1 : 1));
    for (let i = 1; i < ofKind.length; i++) {
      const prev = ofKind[i - 1]!;
      if (prev.validTo === undefined || prev.validTo >= ofKind[i]!.validFrom) problems.push(`${kind}: rules from ${prev.validFrom} and ${ofKind[i]!.validFrom} overlap`);
    }
  }
  return problems;
}

/** One waiting episode as the guarantee sees it. */
export interface Episode {
  clockStart: string;
  /** completed_on, or undefined while the patient waits */
  completedOn?: string | undefined;
  /** patientvald väntan (PvV), days so far */
  patientChosenDays: number;
  /** medicinskt orsakad väntan (MoV), days so far */
  medicalPauseDays: number;
}

/**
 * Waited days = (end − clock start) − excluded days, where end is the completion date or today (contract, "Waiting-list data").
 * The view decides which excluded days are subtracted. Never below zero.
 */
export function waitedDays(e: Episode, today: string, view: StatisticalView = 'excluding_pvv_and_mov'): number {
  const end = e.completedOn ?? today;
  const excluded = e.patientChosenDays + (view === 'excluding_pvv_and_mov' ? e.medicalPauseDays : 0);
  return Math.max(0, daysBetween(e.clockStart, end) - excluded);
}

/** Deadline = clock start + limit + excluded days (PvV and MoV both extend the legal deadline). */
export function guaranteeDeadline(e: Episode, limitDays: number): string {
  return addDays(e.clockStart, limitDays + e.patientChosenDays + e.medicalPauseDays);
}

export interface GuaranteeStatus {
  kind: GuaranteeKind;
  limitDays: number;
  view: StatisticalView;
  waitedDays: number;
  deadline: string;
  /** waited days (in this view) ≤ limit: what statistics count */
  withinGuarantee: boolean;
  /** the legal breach: still waiting past the deadline, or completed after it */
  breached: boolean;
  /** days left to the deadline (negative when passed); null for a completed episode */
  daysLeft: number | null;
}

/** Everything the guarantee says about one episode on a given day. */
export function evaluateEpisode(
  e: Episode,
  kind: GuaranteeKind,
  today: string,
  view: StatisticalView = 'excluding_pvv_and_mov',
  rules: readonly GuaranteeRule[] = DEFAULT_GUARANTEE_RULES,
): GuaranteeStatus {
  const rule = ruleFor(kind, e.clockStart, rules);
  const waited = waitedDays(e, today, view);
  const deadline = guaranteeDeadline(e, rule.limitDays);
  const withinGuarantee = waited <= rule.limitDays;
  // The legal breach does not depend on the statistical view: the deadline already excludes PvV and MoV.
  const end = e.completedOn ?? today;
  return {
    kind,
    limitDays: rule.limitDays,
    view,
    waitedDays: waited,
    deadline,
    withinGuarantee,
    breached: end > deadline,
    daysLeft: e.completedOn === undefined ? daysBetween(today, deadline) : null,
  };
}

/** Which guarantee a service's contact type falls under. */
export function guaranteeKindOf(contactType: 'first_visit' | 'treatment' | 'primary_assessment'): GuaranteeKind {
  switch (contactType) {
    case 'first_visit':
      return 'specialist_first_visit';
    case 'treatment':
      return 'treatment';
    case 'primary_assessment':
      return 'primary_assessment';
  }
}
