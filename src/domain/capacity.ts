import { z } from 'zod';
import { addDays, daysBetween, isCalendarDate } from './calendar.js';
import type { FieldError } from './errors.js';

/**
 * Capacity and expected waits (contract-v1, "Capacity and expected waits"): a unit's self-reported expected wait and
 * the capacity it offers patients from other regions, per service, kept as a history by `validFrom`.
 */

/** A report older than this many days (from its validFrom to today) is marked `stale` (default; configurable at the edge). */
export const STALE_AFTER_DAYS = 42;
/** validFrom may lie at most this many days after today. */
export const MAX_DAYS_AHEAD = 90;
/** validFrom may not be earlier than this date. */
export const EARLIEST_VALID_FROM = '2010-01-01';
export const MAX_EXPECTED_WAIT_DAYS = 3650;
export const MAX_WEEKLY_CAPACITY = 100_000;
export const MAX_COMMENT_LENGTH = 1000;

/** The JSON shape of a report (types only): a body that does not match it is a 400. */
export const CapacityReportShape = z.strictObject({
  expectedWaitDays: z.number().int().describe(`Expected wait in calendar days for a newly referred patient, 0–${MAX_EXPECTED_WAIT_DAYS}.`),
  weeklyCapacityForOtherRegions: z.number().int().describe('Patients from other regions the unit can take per week (≥ 0).'),
  acceptsOtherRegions: z.boolean().describe('Whether the unit accepts patients from other regions for this service.'),
  validFrom: z.string().max(10).describe(`The date (YYYY-MM-DD) the report applies from; not before ${EARLIEST_VALID_FROM}, at most ${MAX_DAYS_AHEAD} days ahead.`),
  comment: z.string().optional().describe(`Free text, at most ${MAX_COMMENT_LENGTH} characters.`),
});
export type CapacityReportInput = z.infer<typeof CapacityReportShape>;

/** The report with its rules (ranges, a real date); the date window relative to today is checked by checkCapacityReport. */
export const CapacityReport = z.strictObject({
  expectedWaitDays: z.number().int().min(0).max(MAX_EXPECTED_WAIT_DAYS),
  weeklyCapacityForOtherRegions: z.number().int().min(0).max(MAX_WEEKLY_CAPACITY),
  acceptsOtherRegions: z.boolean(),
  validFrom: z.string().refine(isCalendarDate, { message: 'must be a real calendar date written YYYY-MM-DD' }),
  comment: z.string().max(MAX_COMMENT_LENGTH).optional(),
});
export type CapacityReport = z.infer<typeof CapacityReport>;

/** What a unit reports for one service from a date: the fields every form of a capacity report shares. */
export interface UnitCapacityReport {
  unitHsaId: string;
  serviceId: string;
  validFrom: string;
  expectedWaitDays: number;
  weeklyCapacityForOtherRegions: number;
  acceptsOtherRegions: boolean;
}

/** A stored report version (what history and currentReport work on). */
export interface CapacityVersion {
  validFrom: string;
}

const fieldMessages: Record<string, string> = {
  expectedWaitDays: `must be a whole number of days from 0 to ${MAX_EXPECTED_WAIT_DAYS}`,
  weeklyCapacityForOtherRegions: `must be a whole number from 0 to ${MAX_WEEKLY_CAPACITY}`,
  acceptsOtherRegions: 'must be true or false',
  validFrom: 'must be a real calendar date written YYYY-MM-DD',
  comment: `must be text of at most ${MAX_COMMENT_LENGTH} characters`,
};

/**
 * Check a report against the rules: every broken rule as a FieldError (field named as in the contract), none when valid.
 * `today` is the Swedish calendar date the window of validFrom is counted from.
 */
export function checkCapacityReport(input: unknown, today: string): { ok: true; value: CapacityReport } | { ok: false; errors: FieldError[] } {
  const parsed = CapacityReport.safeParse(input);
  const errors: FieldError[] = [];
  if (!parsed.success) {
    const seen = new Set<string>();
    for (const issue of parsed.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        for (const k of issue.keys) errors.push({ field: k, message: `unknown field ${k}: remove it` });
        continue;
      }
      const field = String(issue.path[0] ?? '');
      if (seen.has(field)) continue;
      seen.add(field);
      errors.push({ field, message: fieldMessages[field] ?? issue.message });
    }
    return { ok: false, errors };
  }
  const v = parsed.data;
  if (v.validFrom < EARLIEST_VALID_FROM) errors.push({ field: 'validFrom', message: `${v.validFrom} is before ${EARLIEST_VALID_FROM}; report a current date` });
  else if (daysBetween(today, v.validFrom) > MAX_DAYS_AHEAD)
    errors.push({ field: 'validFrom', message: `${v.validFrom} is more than ${MAX_DAYS_AHEAD} days ahead (latest ${addDays(today, MAX_DAYS_AHEAD)})` });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: v };
}

/** The report in force on `today`: the one with the latest validFrom that is not after today; undefined when none is. */
export function currentReport<T extends CapacityVersion>(history: readonly T[], today: string): T | undefined {
  let best: T | undefined;
  for (const r of history) if (r.validFrom <= today && (best === undefined || r.validFrom > best.validFrom)) best = r;
  return best;
}

/** Whether a report is stale on `today`: more than staleAfterDays calendar days from its validFrom to today. */
export function isStale(report: CapacityVersion, today: string, staleAfterDays: number = STALE_AFTER_DAYS): boolean {
  return daysBetween(report.validFrom, today) > staleAfterDays;
}
