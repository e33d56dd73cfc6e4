import { isCalendarDate } from './calendar.js';
import type { FieldError } from './errors.js';
import { indicatorById, type IndicatorDefinition } from './indicators.js';
import { STATISTICAL_VIEWS } from './guarantee.js';

/**
 * Goals of the national coordination function (docs/indicators.md, "Proposed initial goals"): an indicator, a comparison,
 * a target and a due date; national or for one region. Pure: validation against the indicator registry and assessment.
 */

export const COMPARATORS = ['gte', 'lte', 'eq'] as const;
export type Comparator = (typeof COMPARATORS)[number];

/** The guarantee kinds a goal can name (the kinds statistics are published for). */
export const GOAL_KINDS = ['primary_assessment', 'specialist_first_visit', 'treatment'] as const;
export type GoalKind = (typeof GOAL_KINDS)[number];

export interface GoalInput {
  indicatorId: string;
  regionCode?: string | null | undefined;
  view?: string | null | undefined;
  guaranteeKinds?: readonly string[] | undefined;
  comparator: Comparator;
  target: number;
  dueDate: string;
  title: { sv: string; en: string };
  active?: boolean | undefined;
}

export const MAX_TITLE_LENGTH = 200;

/** The range a target of an indicator may take: shares and flags 0–1, every other unit ≥ 0. */
export function targetRange(def: IndicatorDefinition): { min: number; max: number } {
  return def.unit === 'share' || def.unit === 'flag' ? { min: 0, max: 1 } : { min: 0, max: Number.MAX_SAFE_INTEGER };
}

/**
 * Every rule a goal breaks, as field errors (none: valid). `today` is the Swedish calendar date (the due date may not be
 * before it); `regionCodes` the known regions.
 */
export function checkGoal(input: GoalInput, today: string, regionCodes: readonly string[]): FieldError[] {
  const errors: FieldError[] = [];
  const def = indicatorById(input.indicatorId);
  if (!def) {
    errors.push({ field: 'indicatorId', message: `unknown indicator ${input.indicatorId}; GET /api/v1/stats/indicators lists them` });
  } else {
    const { min, max } = targetRange(def);
    if (!Number.isFinite(input.target) || input.target < min || input.target > max)
      errors.push({ field: 'target', message: max === 1 ? `${def.id} is a ${def.unit} from 0 to 1: the target must lie in 0–1 (e.g. 0.9 for 90 %)` : `the target of ${def.id} (${def.unit}) must be a number ≥ 0` });
    const view = input.view ?? null;
    if (def.byView) {
      if (view === null) errors.push({ field: 'view', message: `${def.id} is computed in two views: give view (${STATISTICAL_VIEWS.join(' or ')})` });
      else if (!(STATISTICAL_VIEWS as readonly string[]).includes(view)) errors.push({ field: 'view', message: `view must be ${STATISTICAL_VIEWS.join(' or ')}` });
    } else if (view !== null && view !== '') errors.push({ field: 'view', message: `${def.id} does not depend on the statistical view: leave view out` });
    const kinds = input.guaranteeKinds ?? [];
    if (!def.byGuaranteeKind) {
      if (kinds.length > 0) errors.push({ field: 'guaranteeKinds', message: `${def.id} is not computed per guarantee kind: leave guaranteeKinds out` });
    } else {
      const bad = kinds.filter((k) => !(GOAL_KINDS as readonly string[]).includes(k));
      if (bad.length > 0) errors.push({ field: 'guaranteeKinds', message: `unknown guarantee kinds ${bad.join(', ')}; use ${GOAL_KINDS.join(', ')}` });
      if (new Set(kinds).size !== kinds.length) errors.push({ field: 'guaranteeKinds', message: 'a guarantee kind is named twice' });
      if (kinds.length === 0 && def.group === 'waits') errors.push({ field: 'guaranteeKinds', message: `${def.id} is published per guarantee kind only: name at least one of ${GOAL_KINDS.join(', ')}` });
    }
  }
  if (input.regionCode !== undefined && input.regionCode !== null && !regionCodes.includes(input.regionCode))
    errors.push({ field: 'regionCode', message: `region ${input.regionCode} does not exist (01–25)` });
  if (!isCalendarDate(input.dueDate)) errors.push({ field: 'dueDate', message: 'must be a real calendar date written YYYY-MM-DD' });
  else if (input.dueDate < today) errors.push({ field: 'dueDate', message: `${input.dueDate} is in the past (today is ${today}): the due date must be today or later` });
  for (const lang of ['sv', 'en'] as const) {
    const t = input.title[lang].trim();
    if (t.length === 0 || t.length > MAX_TITLE_LENGTH) errors.push({ field: `title.${lang}`, message: `must be 1–${MAX_TITLE_LENGTH} characters` });
  }
  return errors;
}

/** Whether a value meets a target; null (not assessed) when there is no value. Equality allows rounding noise. */
export function meets(comparator: Comparator, target: number, value: number | null): boolean | null {
  if (value === null || !Number.isFinite(value)) return null;
  const eps = 1e-9;
  if (comparator === 'gte') return value >= target - eps;
  if (comparator === 'lte') return value <= target + eps;
  return Math.abs(value - target) <= eps;
}

export type GoalStatus = 'met' | 'not_met' | 'not_assessed';
export const statusOf = (met: boolean | null): GoalStatus => (met === null ? 'not_assessed' : met ? 'met' : 'not_met');

/**
 * A goal over several guarantee kinds: met when every kind meets it, not met when any kind (that can be assessed) misses
 * it, else not assessed. The value shown is the deciding one: the first kind that misses, else the least favourable
 * assessed value (lowest for gte, highest for lte), null when none can be assessed.
 */
export function combineKinds(comparator: Comparator, details: readonly { value: number | null; met: boolean | null }[]): { value: number | null; met: boolean | null } {
  if (details.length === 0) return { value: null, met: null };
  const missing = details.find((d) => d.met === false);
  if (missing) return { value: missing.value, met: false };
  if (details.some((d) => d.met === null)) return { value: null, met: null };
  const values = details.map((d) => d.value!);
  return { value: comparator === 'lte' ? Math.max(...values) : Math.min(...values), met: true };
}
