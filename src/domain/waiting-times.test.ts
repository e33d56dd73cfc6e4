import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { attackIntervals } from './disclosure.js';
import { compareRows, publicRows, type StatsRow } from './waiting-times.js';

const row = (level: StatsRow['level'], regionCode: string | null, unitHsaId: string | null, waitingCount: number, completedLast90Days = 0, extra: Partial<StatsRow> = {}): StatsRow => ({
  level, regionCode, unitHsaId, unitName: unitHsaId, serviceId: 's', waitingCount, medianWaitedDays: waitingCount > 0 ? 10 : null, p90WaitedDays: waitingCount > 0 ? 20 : null,
  shareWithinGuarantee: waitingCount > 0 ? 0.5 : null, completedLast90Days, medianCompletedWaitDays: completedLast90Days > 0 ? 30 : null, forecastWaitDays: null, dataAsOf: '2026-11-20', ...extra,
});

/** A country of one region with units of these counts. */
function country(units: number[]): StatsRow[] {
  const total = units.reduce((s, n) => s + n, 0);
  return [row('national', null, null, total), row('region', '01', null, total), ...units.map((n, i) => row('unit', '01', `U${i}`, n))];
}

describe('small cells', () => {
  it.each([
    [[10, 3, 5, 8], ['U1', 'U2']], // one hidden → the next-smallest too
    [[10, 1, 1, 8], ['U1', 'U2', 'U3']], // two hidden summing to 2 → one more
    [[10, 4, 3, 8], ['U1', 'U2']], // hidden sum 7 ≥ 5: enough
    [[10, 1, 1, 1, 1, 1, 8], ['U1', 'U2', 'U3', 'U4', 'U5', 'U6']], // five hidden ones sum to 5: each must be 1 → one more
    [[10, 0, 20], []], // zero is shown
    [[3, 0], ['national', 'region', 'U0']], // a total of 1–4 is itself hidden
    [[12], []],
  ])('units %j hide %j', (units, expected) => {
    const rows = country(units);
    const out = publicRows(rows, new Map(), '2026-11-26');
    const hidden = out.filter((r) => r.waitingCount === null).map((r) => r.unitHsaId ?? r.level);
    expect(hidden.sort()).toEqual([...expected].sort());
    for (const r of out.filter((x) => x.waitingCount === null)) expect(r).toMatchObject({ medianWaitedDays: null, p90WaitedDays: null, shareWithinGuarantee: null, suppressed: true });
  });

  it('never leaves a hidden cell recoverable by subtraction from its region total', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 8 }), (units) => {
      const out = publicRows(country(units), new Map(), '2026-11-26');
      const region = out.find((r) => r.level === 'region')!;
      const unitsOut = out.filter((r) => r.level === 'unit');
      for (const u of unitsOut) if (u.waitingCount !== null) expect(u.waitingCount === 0 || u.waitingCount > 4).toBe(true);
      if (region.waitingCount !== null) {
        const hiddenSum = region.waitingCount - unitsOut.reduce((s, u) => s + (u.waitingCount ?? 0), 0);
        expect(hiddenSum === 0 || hiddenSum > 4).toBe(true);
        // hidden cells are never 0 (zeros are shown): k of them summing to k would each be 1
        expect(hiddenSum === 0 || hiddenSum !== unitsOut.filter((u) => u.waitingCount === null).length).toBe(true);
      } else if (units.some((n) => n > 0)) {
        expect(unitsOut.some((u) => u.waitingCount === null)).toBe(true); // the region is not the sum of shown units
      }
    }));
  });

  it('protects regions under the national total the same way', () => {
    const rows = [row('national', null, null, 30), row('region', '01', null, 2), row('region', '03', null, 20), row('region', '04', null, 8)];
    const hidden = publicRows(rows, new Map(), '2026-11-26').filter((r) => r.waitingCount === null).map((r) => r.regionCode);
    expect(hidden.sort()).toEqual(['01', '04']);
  });

  it('leaves no hidden count narrower than 5 for an attacker who uses every published total (the one disclosure method)', () => {
    fc.assert(fc.property(fc.array(fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 4 }), (regions) => {
      const rows: StatsRow[] = [];
      const totals = regions.map((units) => units.reduce((s, n) => s + n, 0));
      rows.push(row('national', null, null, totals.reduce((s, n) => s + n, 0)));
      regions.forEach((units, r) => {
        const code = String(r + 1).padStart(2, '0');
        rows.push(row('region', code, null, totals[r]!));
        units.forEach((n, u) => rows.push(row('unit', code, `U${r}-${u}`, n)));
      });
      const out = publicRows(rows, new Map(), '2026-11-26');
      const id = (r: { level: string; regionCode: string | null; unitHsaId: string | null }) => `${r.level}|${r.regionCode ?? ''}|${r.unitHsaId ?? ''}`;
      const cells = new Map(rows.map((r) => [id(r), r.waitingCount]));
      const hidden = new Set(out.filter((r) => r.waitingCount === null).map(id));
      const relations = [{ total: 'national||', parts: rows.filter((r) => r.level === 'region').map(id) }, ...rows.filter((r) => r.level === 'region').map((g) => ({ total: id(g), parts: rows.filter((r) => r.level === 'unit' && r.regionCode === g.regionCode).map(id) }))];
      const intervals = attackIntervals(cells, relations, hidden);
      for (const [cell, n] of cells) if (n >= 1 && n <= 4) {
        expect(hidden.has(cell)).toBe(true);
        const iv = intervals.get(cell)!;
        expect(iv.upper - iv.lower).toBeGreaterThanOrEqual(5);
      }
    }), { numRuns: 300 });
  });

  it('hides a share whose numerator or complement would be 1–4, with the count shown', () => {
    const rows = [row('unit', '01', 'A', 50, 0, { shareWithinGuarantee: 0.96 }), row('unit', '01', 'B', 50, 0, { shareWithinGuarantee: 0.04 }), row('unit', '01', 'C', 50, 0, { shareWithinGuarantee: 0.5 }), row('unit', '01', 'D', 50, 0, { shareWithinGuarantee: 1 })];
    const out = publicRows(rows, new Map(), '2026-11-26');
    expect(out.map((r) => [r.waitingCount, r.shareWithinGuarantee, r.suppressed])).toEqual([[50, null, true], [50, null, true], [50, 0.5, false], [50, 1, false]]);
  });

  it('treats the part of a total not broken down into units as an unpublished cell', () => {
    // The region's 20 are 10 + 3 + 7 not at any published unit: the 3 must not be recoverable as 20 − 10 − 7.
    const rows = [row('region', '01', null, 20), row('unit', '01', 'A', 10), row('unit', '01', 'B', 3)];
    const out = publicRows(rows, new Map(), '2026-11-26');
    expect(out.find((r) => r.unitHsaId === 'B')!.waitingCount).toBeNull();
    expect(out.find((r) => r.unitHsaId === 'A')!.waitingCount).toBe(10);
  });

  it('hides a queue forecast built on a hidden count, keeps a reported one, and suppresses completions on their own', () => {
    const rows = country([10, 3, 5]);
    rows[2] = row('unit', '01', 'U0', 10, 3); // 3 completions: hidden, with its median
    const out = publicRows(rows, new Map([['U1', { expectedWaitDays: 40, stale: false }]]), '2026-11-26');
    const u0 = out.find((r) => r.unitHsaId === 'U0')!;
    expect(u0).toMatchObject({ waitingCount: 10, completedLast90Days: null, medianCompletedWaitDays: null, suppressed: true });
    const u1 = out.find((r) => r.unitHsaId === 'U1')!;
    expect(u1).toMatchObject({ waitingCount: null, forecastWaitDays: 40, reportedExpectedWaitDays: 40 });
  });

  it('marks data older than 42 days stale, and a stale report stale', () => {
    const rows = [row('unit', '01', 'U0', 10, 0, { dataAsOf: '2026-10-14' }), row('unit', '01', 'U1', 10, 0, { dataAsOf: '2026-10-15' })];
    const out = publicRows(rows, new Map([['U1', { expectedWaitDays: 5, stale: true }]]), '2026-11-26');
    expect(out.map((r) => r.stale)).toEqual([true, true]);
    expect(publicRows([rows[1]!], new Map(), '2026-11-26')[0]!.stale).toBe(false);
  });

  it('orders the nation, then each region followed by its units', () => {
    const rows = [row('unit', '03', 'B', 5), row('region', '03', null, 5), row('unit', '01', 'A', 5), row('national', null, null, 10), row('region', '01', null, 5)];
    expect(rows.sort(compareRows).map((r) => r.unitHsaId ?? r.regionCode ?? 'SE')).toEqual(['SE', '01', 'A', '03', 'B']);
  });
});
