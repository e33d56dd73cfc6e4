import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { forecast, FORECAST_CAP_DAYS, forecastWaitDays, MIN_COMPLETIONS, remainingWaitDays } from './forecast.js';

describe('forecastWaitDays (queue model: (Q + 1) ÷ completions per day)', () => {
  it.each([
    [0, 90, null, 1, 'queue'], // one completion a day, nobody ahead: one day
    [9, 90, null, 10, 'queue'],
    [6, 7, null, 90, 'queue'],
    [99, 45, null, 200, 'queue'],
    [10_000, 5, null, FORECAST_CAP_DAYS, 'queue'], // capped
    [20, 4, 30, 30, 'reported'], // too few completions: the unit's own report
    [20, 0, null, null, null], // neither
    [0, 0, 12, 12, 'reported'],
  ])('Q=%i, completed=%i, reported=%s → %s (%s)', (q, c, reported, days, method) => {
    const f = forecast({ waitingCount: q, completedLast90Days: c, reportedExpectedWaitDays: reported });
    expect(f?.days ?? null).toBe(days);
    expect(f?.method ?? null).toBe(method);
  });

  it('refuses negative counts', () => {
    expect(() => forecastWaitDays({ waitingCount: -1, completedLast90Days: 10 })).toThrow(RangeError);
  });

  const counts = fc.integer({ min: 0, max: 50_000 });
  const throughput = fc.integer({ min: MIN_COMPLETIONS, max: 50_000 });

  it('is monotone (non-decreasing) in the queue length', () => {
    fc.assert(fc.property(counts, counts, throughput, (a, b, c) => {
      const [lo, hi] = a <= b ? [a, b] : [b, a];
      expect(forecastWaitDays({ waitingCount: lo, completedLast90Days: c })!).toBeLessThanOrEqual(forecastWaitDays({ waitingCount: hi, completedLast90Days: c })!);
    }));
  });

  it('is decreasing (non-increasing) in throughput', () => {
    fc.assert(fc.property(counts, throughput, throughput, (q, a, b) => {
      const [lo, hi] = a <= b ? [a, b] : [b, a];
      expect(forecastWaitDays({ waitingCount: q, completedLast90Days: hi })!).toBeLessThanOrEqual(forecastWaitDays({ waitingCount: q, completedLast90Days: lo })!);
    }));
  });

  it('is a whole number of days between 0 and the cap, and ignores the report when the queue model has data', () => {
    fc.assert(fc.property(counts, throughput, fc.integer({ min: 0, max: 3650 }), (q, c, reported) => {
      const f = forecast({ waitingCount: q, completedLast90Days: c, reportedExpectedWaitDays: reported })!;
      expect(f.method).toBe('queue');
      expect(Number.isInteger(f.days)).toBe(true);
      expect(f.days).toBeGreaterThanOrEqual(0);
      expect(f.days).toBeLessThanOrEqual(FORECAST_CAP_DAYS);
    }));
  });

  it('remaining wait grows with the place in the queue and is null without throughput', () => {
    expect(remainingWaitDays(2, 7)).toBe(26);
    expect(remainingWaitDays(1, 4)).toBeNull();
    fc.assert(fc.property(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 10_000 }), throughput, (a, b, c) => {
      const [lo, hi] = a <= b ? [a, b] : [b, a];
      expect(remainingWaitDays(lo, c)!).toBeLessThanOrEqual(remainingWaitDays(hi, c)!);
    }));
  });
});
