import { describe, expect, it } from 'vitest';
import { ageBand, BREAKDOWNS, INDICATORS, indicatorById, isIndicatorId, isPeriod, nextPeriod, periodBounds, periodsBetween, previousPeriod } from './indicators.js';

describe('indicator registry', () => {
  it('has unique ids, and every count of people ends in _count while no participation figure does', () => {
    const ids = INDICATORS.map((i) => i.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const i of INDICATORS) {
      if (i.kind === 'count') expect(i.id, i.id).toMatch(/_count$/);
      else expect(i.id, i.id).not.toMatch(/_count$/);
      for (const b of i.breakdowns) expect(BREAKDOWNS).toContain(b);
    }
  });

  it('finds indicators by id and refuses unknown ones', () => {
    expect(indicatorById('within_guarantee_share')?.kind).toBe('share');
    expect(isIndicatorId('waiting_count')).toBe(true);
    expect(isIndicatorId('waiting')).toBe(false);
    expect(indicatorById('toString')).toBeUndefined();
  });
});

describe('periods', () => {
  it('gives the month, its last day, the next month and the reporting deadline', () => {
    expect(periodBounds('2026-10')).toEqual({ period: '2026-10', monthStart: '2026-10-01', monthEnd: '2026-10-31', nextMonthStart: '2026-11-01', reportingDeadline: '2026-11-20' });
    expect(periodBounds('2028-02').monthEnd).toBe('2028-02-29');
    expect(periodBounds('2026-12')).toMatchObject({ monthEnd: '2026-12-31', nextMonthStart: '2027-01-01', reportingDeadline: '2027-01-20' });
  });

  it('refuses what is not a month', () => {
    for (const bad of ['2026-13', '2026-00', '2026-1', '26-10', '2026-10-01', '1999-12', '', '2026-1O']) {
      expect(isPeriod(bad), bad).toBe(false);
      expect(() => periodBounds(bad), bad).toThrow(RangeError);
    }
  });

  it('steps over year ends both ways and lists ranges', () => {
    expect(nextPeriod('2026-12')).toBe('2027-01');
    expect(previousPeriod('2027-01')).toBe('2026-12');
    expect(periodsBetween('2026-11', '2027-02')).toEqual(['2026-11', '2026-12', '2027-01', '2027-02']);
    expect(periodsBetween('2027-02', '2026-11')).toEqual([]);
  });
});

describe('age bands', () => {
  it('puts the boundaries in the upper band', () => {
    expect([0, 17, 18, 44, 45, 64, 65, 79, 80, 104].map(ageBand)).toEqual(['0-17', '0-17', '18-44', '18-44', '45-64', '45-64', '65-79', '65-79', '80+', '80+']);
  });
});
