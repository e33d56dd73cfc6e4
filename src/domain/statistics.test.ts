import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isSmallCell, median, percentileSorted, protect } from './statistics.js';

describe('percentiles (nearest rank)', () => {
  it.each([
    [[], 50, undefined],
    [[7], 50, 7],
    [[1, 2, 3, 4], 50, 2],
    [[1, 2, 3, 4, 5], 50, 3],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90, 9],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 100, 10],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0, 1],
  ])('%j p%i = %s', (values, p, expected) => expect(percentileSorted(values, p)).toBe(expected));

  it('is an observed value, between min and max, and monotone in p', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 200 }), fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 100 }), (vals, p, q) => {
        const s = [...vals].sort((a, b) => a - b);
        const a = percentileSorted(s, Math.min(p, q))!;
        const b = percentileSorted(s, Math.max(p, q))!;
        expect(vals).toContain(a);
        expect(a).toBeLessThanOrEqual(b);
        expect(median(vals)).toBe(percentileSorted(s, 50));
      }),
    );
  });
});

describe('small cells (OSL 24 kap 8 §)', () => {
  it.each([[0, false], [1, true], [4, true], [5, false], [1000, false]])('count %i small: %s', (n, small) => expect(isSmallCell(n)).toBe(small));

  it('hides the count and every figure computed from it', () => {
    expect(protect(3, { medianWaitedDays: 40, shareWithinGuarantee: 0.67 })).toEqual({ suppressed: true, count: null, figures: { medianWaitedDays: null, shareWithinGuarantee: null } });
    expect(protect(12, { medianWaitedDays: 40, shareWithinGuarantee: 0.5 })).toEqual({ suppressed: false, count: 12, figures: { medianWaitedDays: 40, shareWithinGuarantee: 0.5 } });
  });
});
