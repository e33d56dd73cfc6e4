import { describe, expect, it } from 'vitest';
import { checkCapacityReport, currentReport, isStale, STALE_AFTER_DAYS } from './capacity.js';

const TODAY = '2026-11-26';
const valid = { expectedWaitDays: 45, weeklyCapacityForOtherRegions: 6, acceptsOtherRegions: true, validFrom: '2026-11-23' };

describe('checkCapacityReport', () => {
  it.each([
    ['a plain report', valid],
    ['zero wait and zero capacity', { ...valid, expectedWaitDays: 0, weeklyCapacityForOtherRegions: 0 }],
    ['the longest wait', { ...valid, expectedWaitDays: 3650 }],
    ['a comment of 1000 characters', { ...valid, comment: 'x'.repeat(1000) }],
    ['validFrom exactly 90 days ahead', { ...valid, validFrom: '2027-02-24' }],
    ['validFrom on the earliest date', { ...valid, validFrom: '2010-01-01' }],
  ])('accepts %s', (_name, input) => {
    expect(checkCapacityReport(input, TODAY)).toMatchObject({ ok: true });
  });

  it.each([
    ['a negative wait', { ...valid, expectedWaitDays: -1 }, 'expectedWaitDays'],
    ['a wait over ten years', { ...valid, expectedWaitDays: 3651 }, 'expectedWaitDays'],
    ['a fractional wait', { ...valid, expectedWaitDays: 4.5 }, 'expectedWaitDays'],
    ['a negative capacity', { ...valid, weeklyCapacityForOtherRegions: -3 }, 'weeklyCapacityForOtherRegions'],
    ['a string for a boolean', { ...valid, acceptsOtherRegions: 'yes' }, 'acceptsOtherRegions'],
    ['a date that does not exist', { ...valid, validFrom: '2026-02-30' }, 'validFrom'],
    ['a date in another format', { ...valid, validFrom: '26/11/2026' }, 'validFrom'],
    ['a date 91 days ahead', { ...valid, validFrom: '2027-02-25' }, 'validFrom'],
    ['a date before 2010', { ...valid, validFrom: '2009-12-31' }, 'validFrom'],
    ['a comment over 1000 characters', { ...valid, comment: 'x'.repeat(1001) }, 'comment'],
    ['an unknown field', { ...valid, waitWeeks: 3 }, 'waitWeeks'],
    ['a missing field', { expectedWaitDays: 1, acceptsOtherRegions: true, validFrom: '2026-11-23' }, 'weeklyCapacityForOtherRegions'],
  ])('refuses %s, naming the field', (_name, input, field) => {
    const r = checkCapacityReport(input, TODAY);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => e.field)).toContain(field);
  });
});

describe('currentReport', () => {
  const history = [{ validFrom: '2026-09-01' }, { validFrom: '2026-11-01' }, { validFrom: '2026-12-15' }, { validFrom: '2026-10-01' }];
  it.each([
    ['before any version', '2026-08-31', undefined],
    ['on the first validFrom', '2026-09-01', '2026-09-01'],
    ['between versions', '2026-10-20', '2026-10-01'],
    ['a future version is not yet in force', '2026-11-26', '2026-11-01'],
    ['on the future version’s date', '2026-12-15', '2026-12-15'],
  ])('%s (%s) → %s', (_name, today, expected) => {
    expect(currentReport(history, today)?.validFrom).toBe(expected);
  });
  it('is undefined for an empty history', () => expect(currentReport([], TODAY)).toBeUndefined());
});

describe('isStale', () => {
  it.each([
    ['reported today', '2026-11-26', 42, false],
    ['exactly 42 days old', '2026-10-15', 42, false],
    ['43 days old', '2026-10-14', 42, true],
    ['a year old', '2025-11-26', 42, true],
    ['in the future', '2026-12-01', 42, false],
    ['8 days old with a 7-day threshold', '2026-11-18', 7, true],
    ['across the change to winter time (Oct 25)', '2026-10-14', 43, false],
  ])('%s (validFrom %s, threshold %i) → %s', (_name, validFrom, days, expected) => {
    expect(isStale({ validFrom }, TODAY, days)).toBe(expected);
  });
  it('defaults to 42 days', () => {
    expect(STALE_AFTER_DAYS).toBe(42);
    expect(isStale({ validFrom: '2026-10-15' }, TODAY)).toBe(false);
    expect(isStale({ validFrom: '2026-10-14' }, TODAY)).toBe(true);
  });
});
