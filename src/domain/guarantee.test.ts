import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { addDays, daysBetween, isCalendarDate } from './calendar.js';
import { checkRules, DEFAULT_GUARANTEE_RULES, evaluateEpisode, guaranteeDeadline, ruleFor, waitedDays, type GuaranteeRule } from './guarantee.js';

describe('calendar days', () => {
  it.each([
    ['2026-03-28', 1, '2026-03-29'], // the night clocks go forward in Sweden
    ['2026-10-24', 1, '2026-10-25'], // and back
    ['2024-02-28', 1, '2024-02-29'],
    ['2025-02-28', 1, '2025-03-01'],
    ['2026-12-31', 1, '2027-01-01'],
    ['2026-01-01', -1, '2025-12-31'],
  ])('%s + %i = %s', (d, n, expected) => expect(addDays(d, n)).toBe(expected));

  it.each(['2026-02-29', '2026-13-01', '2026-1-01', '26-01-01', ''])('%s is not a date', (d) => expect(isCalendarDate(d)).toBe(false));

  it('daysBetween inverts addDays', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1990-01-01'), max: new Date('2060-01-01'), noInvalidDate: true }), fc.integer({ min: -5000, max: 5000 }), (d, n) => {
        const day = d.toISOString().slice(0, 10);
        expect(daysBetween(day, addDays(day, n))).toBe(n);
      }),
    );
  });
});

describe('the rule in force on the clock-start date applies (HSL 9 kap 1 §)', () => {
  it.each([
    ['primary_assessment', '2018-12-31', 7],
    ['primary_assessment', '2019-01-01', 3],
    ['specialist_first_visit', '2026-11-26', 90],
    ['treatment', '2011-05-01', 90],
    ['primary_contact', '2026-11-26', 0],
  ] as const)('%s starting %s has a limit of %i days', (kind, start, limit) => expect(ruleFor(kind, start).limitDays).toBe(limit));

  it('has no rule before the guarantee became law', () => expect(() => ruleFor('treatment', '2010-06-30')).toThrow(/No treatment guarantee rule/));

  it('a shorter limit configured from a future date applies only to clocks started from that date', () => {
    const proposed: GuaranteeRule[] = [
      ...DEFAULT_GUARANTEE_RULES.filter((r) => r.kind !== 'treatment'),
      { kind: 'treatment', limitDays: 90, validFrom: '2010-07-01', validTo: '2027-06-30', source: 'HSL 9 kap 1 § p.4' },
      { kind: 'treatment', limitDays: 60, validFrom: '2027-07-01', source: 'hypothetical amendment (test)' },
    ];
    expect(checkRules(proposed)).toEqual([]);
    expect(ruleFor('treatment', '2027-06-30', proposed).limitDays).toBe(90);
    expect(ruleFor('treatment', '2027-07-01', proposed).limitDays).toBe(60);
  });

  it('the shipped rules are consistent, and overlaps are reported', () => {
    expect(checkRules(DEFAULT_GUARANTEE_RULES)).toEqual([]);
    expect(checkRules([...DEFAULT_GUARANTEE_RULES, { kind: 'treatment', limitDays: 60, validFrom: '2026-01-01', source: 'x' }])).toEqual([
      'treatment: rules from 2010-07-01 and 2026-01-01 overlap',
    ]);
  });
});

describe('waited days, deadline and breach (contract, "Waiting-list data")', () => {
  const today = '2026-11-26';
  it.each([
    // clockStart, completedOn, PvV, MoV, view, waited, deadline, within, breached
    ['2026-08-28', undefined, 0, 0, 'excluding_pvv_and_mov', 90, '2026-11-26', true, false],
    ['2026-08-27', undefined, 0, 0, 'excluding_pvv_and_mov', 91, '2026-11-25', false, true],
    ['2026-08-01', undefined, 10, 7, 'excluding_pvv_and_mov', 100, '2026-11-16', false, true],
    ['2026-08-01', undefined, 10, 7, 'excluding_pvv', 107, '2026-11-16', false, true],
    ['2026-08-10', undefined, 0, 20, 'excluding_pvv', 108, '2026-11-28', false, false], // statistically late, legally not yet
    ['2026-08-20', undefined, 0, 5, 'excluding_pvv', 98, '2026-11-23', false, true],
    ['2026-01-01', '2026-03-01', 0, 0, 'excluding_pvv_and_mov', 59, '2026-04-01', true, false],
    ['2026-01-01', '2026-05-01', 20, 0, 'excluding_pvv_and_mov', 100, '2026-04-21', false, true],
    ['2026-11-20', undefined, 30, 0, 'excluding_pvv_and_mov', 0, '2027-03-20', true, false],
  ] as const)('start %s end %s PvV %i MoV %i (%s) → %i days, deadline %s', (clockStart, completedOn, pvv, mov, view, waited, deadline, within, breached) => {
    const s = evaluateEpisode({ clockStart, completedOn, patientChosenDays: pvv, medicalPauseDays: mov }, 'treatment', today, view);
    expect(s).toMatchObject({ waitedDays: waited, deadline, withinGuarantee: within, breached, view, limitDays: 90 });
  });

  it('primary assessment: 3 days from the day care was sought', () => {
    const s = evaluateEpisode({ clockStart: '2026-11-23', patientChosenDays: 0, medicalPauseDays: 0 }, 'primary_assessment', today);
    expect(s).toMatchObject({ waitedDays: 3, deadline: '2026-11-26', withinGuarantee: true, daysLeft: 0 });
  });

  it('properties: excluded days move the deadline one for one; the two views differ by exactly MoV; breach ⇔ past the deadline', () => {
    const day = fc.integer({ min: 0, max: 2000 }).map((n) => addDays('2020-01-01', n));
    fc.assert(
      fc.property(day, fc.integer({ min: 0, max: 400 }), fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 60 }), (clockStart, elapsed, pvv, mov) => {
        const e = { clockStart, patientChosenDays: pvv, medicalPauseDays: mov };
        const t = addDays(clockStart, elapsed);
        const both = waitedDays(e, t, 'excluding_pvv_and_mov');
        const pvvOnly = waitedDays(e, t, 'excluding_pvv');
        expect(pvvOnly - both).toBe(Math.max(0, elapsed - pvv) - Math.max(0, elapsed - pvv - mov));
        expect(daysBetween(clockStart, guaranteeDeadline(e, 90))).toBe(90 + pvv + mov);
        const s = evaluateEpisode(e, 'treatment', t);
        expect(s.breached).toBe(t > s.deadline);
        expect(s.withinGuarantee).toBe(!s.breached);
      }),
    );
  });
});

describe('isCalendarDate agrees with the calendar', () => {
  it('accepts exactly the dates that Date round-trips (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1900, max: 2100 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }), (y, m, d) => {
        const s = `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
        const viaDate = new Date(`${s}T00:00:00Z`);
        const expected = !Number.isNaN(viaDate.getTime()) && viaDate.toISOString().slice(0, 10) === s;
        expect(isCalendarDate(s)).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });
  it.each(['2024-02-29', '2000-02-29'])('%s is a leap day', (d) => expect(isCalendarDate(d)).toBe(true));
  it.each(['1900-02-29', '2100-02-29', '2026-04-31', '2026-00-10', '2026-1a-01', '2026/01/01'])('%s is not a date', (d) => expect(isCalendarDate(d)).toBe(false));
});
