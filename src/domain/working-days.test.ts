import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import Holidays from 'date-holidays';
import { addDays } from './calendar.js';
import {
  addWorkingDays,
  defaultRespondBy,
  easterSunday,
  fromStockholmWallClock,
  isWorkingDay,
  stockholmWallClock,
  swedishPublicHolidays,
  workingDaysBetween,
} from './working-days.js';

const holidayOn = (year: number, nameSv: string): string | undefined => swedishPublicHolidays(year).find((h) => h.nameSv === nameSv)?.date;

describe('Swedish public holidays (lag (1989:253) om allmänna helgdagar)', () => {
  it.each([
    [2026, 'nyårsdagen', '2026-01-01'],
    [2026, 'trettondedag jul', '2026-01-06'],
    [2026, 'långfredagen', '2026-04-03'],
    [2026, 'påskdagen', '2026-04-05'],
    [2026, 'annandag påsk', '2026-04-06'],
    [2026, 'första maj', '2026-05-01'],
    [2026, 'Kristi himmelsfärdsdag', '2026-05-14'],
    [2026, 'pingstdagen', '2026-05-24'],
    [2026, 'Sveriges nationaldag', '2026-06-06'],
    [2026, 'midsommarafton', '2026-06-19'],
    [2026, 'midsommardagen', '2026-06-20'],
    [2026, 'alla helgons dag', '2026-10-31'],
    [2026, 'julafton', '2026-12-24'],
    [2026, 'juldagen', '2026-12-25'],
    [2026, 'annandag jul', '2026-12-26'],
    [2026, 'nyårsafton', '2026-12-31'],
    [2027, 'påskdagen', '2027-03-28'],
    [2027, 'midsommarafton', '2027-06-25'],
    [2027, 'alla helgons dag', '2027-11-06'],
    [2025, 'påskdagen', '2025-04-20'],
    [2024, 'påskdagen', '2024-03-31'],
    [2038, 'påskdagen', '2038-04-25'], // the latest possible Easter
    [2285, 'påskdagen', '2285-03-22'], // the earliest possible Easter
    [2004, 'annandag pingst', '2004-05-31'], // abolished from 2005 (SFS 2004:1133)
  ] as const)('%i: %s is %s', (year, name, date) => expect(holidayOn(year, name)).toBe(date));

  it('the national day replaced annandag pingst in 2005', () => {
    expect(holidayOn(2004, 'Sveriges nationaldag')).toBeUndefined();
    expect(holidayOn(2005, 'annandag pingst')).toBeUndefined();
    expect(holidayOn(2005, 'Sveriges nationaldag')).toBe('2005-06-06');
  });

  it('marks exactly the three eves as de-facto non-working days', () => {
    const deFacto = swedishPublicHolidays(2026).filter((h) => h.kind === 'de_facto').map((h) => h.nameSv);
    expect(deFacto).toEqual(['midsommarafton', 'julafton', 'nyårsafton']);
  });

  it('has Swedish and English names, in date order, for every year', () => {
    for (let y = 1990; y <= 2100; y++) {
      const list = swedishPublicHolidays(y);
      expect(list).toHaveLength(16);
      expect(list.map((h) => h.date)).toEqual(list.map((h) => h.date).sort());
      for (const h of list) {
        expect(h.date.startsWith(`${y}-`)).toBe(true);
        expect(h.nameSv.length).toBeGreaterThan(0);
        expect(h.nameEn.length).toBeGreaterThan(0);
      }
    }
  });

  it('movable days fall on their weekday: Easter on Sunday, midsommar on Friday/Saturday, alla helgon on Saturday', () => {
    const dow = (d: string | undefined) => new Date(`${d}T00:00:00Z`).getUTCDay();
    for (let y = 1990; y <= 2200; y++) {
      expect(dow(easterSunday(y))).toBe(0);
      expect(easterSunday(y) >= `${y}-03-22` && easterSunday(y) <= `${y}-04-25`).toBe(true);
      expect(dow(holidayOn(y, 'midsommarafton'))).toBe(5);
      expect(dow(holidayOn(y, 'midsommardagen'))).toBe(6);
      expect(dow(holidayOn(y, 'alla helgons dag'))).toBe(6);
      expect(addDays(holidayOn(y, 'midsommarafton')!, 1)).toBe(holidayOn(y, 'midsommardagen'));
    }
  });

  it.each([1989, 2026.5, 10000])('refuses year %s', (y) => expect(() => swedishPublicHolidays(y)).toThrow(RangeError));

  /**
   * Outside oracle: date-holidays (SE). Its type 'public' days are our statutory days; it lists the three de-facto eves as
   * type 'bank', so those are compared with our 'de_facto' days; its 'observance'/'optional' days (påskafton, annandag
   * pingst after 2005, valborg …) are not non-working days and are ignored. Known gap in the oracle: for 2000–2004 it
   * omits annandag pingst, which was still a holiday then (removed by SFS 2004:1133); that difference is asserted exactly.
   */
  it('agrees with date-holidays for 2000–2060', () => {
    const hd = new Holidays('SE');
    for (let y = 2000; y <= 2060; y++) {
      const theirs = hd.getHolidays(y);
      const dates = (type: string) => [...new Set(theirs.filter((h) => h.type === type).map((h) => h.date.slice(0, 10)))].sort();
      const ours = swedishPublicHolidays(y);
      const ourDates = (kind: string) => [...new Set(ours.filter((h) => h.kind === kind).map((h) => h.date))].sort();
      const oracleGap = y <= 2004 ? [holidayOn(y, 'annandag pingst')] : [];
      expect(ourDates('statutory').filter((d) => !oracleGap.includes(d)), `statutory holidays ${y}`).toEqual(dates('public'));
      expect(ourDates('de_facto'), `de-facto eves ${y}`).toEqual(dates('bank'));
    }
  });
});

describe('working days', () => {
  it.each([
    ['2026-11-26', true], // Thursday
    ['2026-11-28', false], // Saturday
    ['2026-11-29', false], // Sunday
    ['2026-04-03', false], // långfredagen
    ['2026-04-06', false], // annandag påsk
    ['2026-05-14', false], // Kristi himmelsfärd (Thursday)
    ['2026-05-15', true], // klämdag: a working day all the same
    ['2026-06-19', false], // midsommarafton (de facto)
    ['2026-12-24', false], // julafton (de facto)
    ['2026-12-31', false], // nyårsafton (de facto)
    ['2026-04-30', true], // valborgsmässoafton is an ordinary day
    ['2027-05-25', true], // annandag pingst is an ordinary day since 2005 (Tuesday here)
    ['2028-06-06', false], // nationaldagen on a Tuesday
  ] as const)('%s working day: %s', (d, expected) => expect(isWorkingDay(d)).toBe(expected));

  it.each([
    ['2026-11-27', 1, '2026-11-30'], // Friday → Monday
    ['2026-11-27', 0, '2026-11-27'],
    ['2026-11-28', 1, '2026-11-30'], // Saturday counts from Monday
    ['2026-04-02', 1, '2026-04-07'], // Thursday before Easter → Tuesday after
    ['2026-04-02', 2, '2026-04-08'],
    ['2026-12-23', 1, '2026-12-28'],
    ['2026-12-23', 3, '2026-12-30'], // over julafton, juldagen and the weekend
    ['2026-12-23', 4, '2027-01-04'], // and nyårsafton, nyårsdagen
    ['2026-05-13', 1, '2026-05-15'], // over Kristi himmelsfärd
    ['2026-06-18', 1, '2026-06-22'], // over midsommar
  ] as const)('%s + %i working days = %s', (d, n, expected) => {
    expect(addWorkingDays(d, n)).toBe(expected);
    expect(workingDaysBetween(d, expected)).toBe(n);
  });

  it('counts a year of working days: 261 weekdays in 2026 less 10 holidays on weekdays', () => {
    expect(workingDaysBetween('2025-12-31', '2026-12-31')).toBe(251);
    expect(workingDaysBetween('2026-12-31', '2025-12-31')).toBe(-251);
    expect(workingDaysBetween('2026-01-07', '2026-01-07')).toBe(0);
  });

  it.each([-1, 1.5, Number.NaN])('refuses %s working days', (n) => expect(() => addWorkingDays('2026-01-01', n)).toThrow(RangeError));
  it('refuses a non-date', () => expect(() => isWorkingDay('2026-02-30')).toThrow(RangeError));

  const day = fc.integer({ min: 0, max: 365 * 60 }).map((n) => addDays('1995-01-01', n));

  it('properties: results are working days; workingDaysBetween inverts addWorkingDays; it counts working days exactly', () => {
    fc.assert(
      fc.property(day, fc.integer({ min: 0, max: 400 }), (d, n) => {
        const r = addWorkingDays(d, n);
        if (n > 0) {
          expect(isWorkingDay(r)).toBe(true);
          const dow = new Date(`${r}T00:00:00Z`).getUTCDay();
          expect(dow === 0 || dow === 6).toBe(false);
          expect(swedishPublicHolidays(Number(r.slice(0, 4))).map((h) => h.date)).not.toContain(r);
        }
        expect(workingDaysBetween(d, r)).toBe(n);
        expect(workingDaysBetween(r, d)).toBe(0 - n);
        // the day before the result is still short of n working days
        if (n > 0) expect(workingDaysBetween(d, addDays(r, -1))).toBe(n - 1);
      }),
      { numRuns: 300 },
    );
  });

  it('properties: from any span, addWorkingDays of the count lands on the last working day of the span', () => {
    fc.assert(
      fc.property(day, fc.integer({ min: 0, max: 200 }), (from, span) => {
        const to = addDays(from, span);
        const n = workingDaysBetween(from, to);
        const r = addWorkingDays(from, n);
        expect(r <= to).toBe(true);
        // every day after r up to `to` is a non-working day
        for (let x = addDays(r, 1); x <= to; x = addDays(x, 1)) expect(isWorkingDay(x)).toBe(false);
        if (isWorkingDay(to) && span > 0) expect(r).toBe(to);
      }),
      { numRuns: 300 },
    );
  });
});

describe('Stockholm wall clock', () => {
  it.each([
    ['2026-03-27T13:00:00Z', '2026-03-27', 14], // CET, +01:00
    ['2026-03-31T12:00:00Z', '2026-03-31', 14], // CEST, +02:00
    ['2026-10-24T22:30:00Z', '2026-10-25', 0],
    ['2026-12-31T23:00:00Z', '2027-01-01', 0],
  ] as const)('%s is %s %i h in Stockholm', (iso, date, hour) => {
    expect(stockholmWallClock(new Date(iso))).toMatchObject({ date, hour, minute: iso.slice(14, 16) === '30' ? 30 : 0 });
    expect(fromStockholmWallClock(date, hour, iso.slice(14, 16) === '30' ? 30 : 0).toISOString()).toBe(new Date(iso).toISOString());
  });

  it('moves a time in the spring-forward gap an hour forward', () => {
    expect(fromStockholmWallClock('2026-03-29', 2, 30).toISOString()).toBe('2026-03-29T01:30:00.000Z'); // 03:30 CEST
  });

  it('takes the earlier of the two instants in the repeated autumn hour', () => {
    expect(fromStockholmWallClock('2026-10-25', 2, 30).toISOString()).toBe('2026-10-25T00:30:00.000Z'); // 02:30 CEST
  });

  it('round-trips every instant outside the repeated hour (property)', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1995-01-01T00:00:00Z'), max: new Date('2060-12-31T00:00:00Z'), noInvalidDate: true }), (at) => {
        const w = stockholmWallClock(at);
        const back = fromStockholmWallClock(w.date, w.hour, w.minute, w.second, w.millisecond);
        // in the repeated hour the earlier instant is chosen, exactly one hour before
        expect([0, 3_600_000]).toContain(at.getTime() - back.getTime());
        expect(stockholmWallClock(back)).toEqual(w);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('default respond-by time', () => {
  it.each([
    // sentAt, workingDays, respond by, why
    ['2026-03-27T13:00:00Z', 2, '2026-03-31T12:00:00.000Z', 'Friday 14:00 CET → Tuesday 14:00 CEST, across the spring change'],
    ['2026-10-23T12:00:00Z', 2, '2026-10-27T13:00:00.000Z', 'Friday 14:00 CEST → Tuesday 14:00 CET, across the autumn change'],
    ['2026-04-02T12:00:00Z', 2, '2026-04-08T12:00:00.000Z', 'Thursday before Easter 14:00 → Wednesday after'],
    ['2026-11-26T09:15:30.250Z', 2, '2026-11-30T09:15:30.250Z', 'Thursday → Monday, to the millisecond'],
    ['2026-11-26T09:15:00Z', 0, '2026-11-26T09:15:00.000Z', 'zero working days on a working day is the same instant'],
    ['2026-11-28T10:00:00Z', 2, '2026-12-02T07:00:00.000Z', 'Saturday counts as Monday 08:00 → Wednesday 08:00'],
    ['2026-11-28T10:00:00Z', 0, '2026-11-30T07:00:00.000Z', 'zero working days on a Saturday: Monday 08:00'],
    ['2026-04-03T08:00:00Z', 2, '2026-04-09T06:00:00.000Z', 'långfredagen counts as Tuesday 08:00 → Thursday 08:00'],
    ['2026-11-26T22:30:00Z', 1, '2026-11-27T22:30:00.000Z', 'Thursday 23:30 → Friday 23:30: no office hours'],
  ] as const)('%s + %i → %s (%s)', (sent, n, expected, _why) => {
    expect(defaultRespondBy(new Date(sent), n).toISOString()).toBe(expected);
  });

  it('the Stockholm date decides, not the UTC date: 00:30 Saturday Stockholm is a weekend even though it is Friday in UTC', () => {
    expect(defaultRespondBy(new Date('2026-11-27T23:30:00Z')).toISOString()).toBe('2026-12-02T07:00:00.000Z');
  });

  it('defaults to two working days', () => {
    expect(defaultRespondBy(new Date('2026-11-27T13:00:00Z')).toISOString()).toBe('2026-12-01T13:00:00.000Z');
  });

  it('property: the result is on a working day, later than sent, at the sent time of day (or 08:00 if sent on a non-working day)', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1995-01-01T00:00:00Z'), max: new Date('2060-12-31T00:00:00Z'), noInvalidDate: true }), fc.integer({ min: 0, max: 10 }), (sentAt, n) => {
        const due = defaultRespondBy(sentAt, n);
        const s = stockholmWallClock(sentAt);
        const w = stockholmWallClock(due);
        expect(due.getTime()).toBeGreaterThanOrEqual(sentAt.getTime());
        expect(isWorkingDay(w.date)).toBe(true);
        if (isWorkingDay(s.date)) {
          expect(w).toEqual({ ...s, date: addWorkingDays(s.date, n) });
        } else {
          expect(w).toEqual({ date: addWorkingDays(addWorkingDays(s.date, 1), n), hour: 8, minute: 0, second: 0, millisecond: 0 });
        }
      }),
      { numRuns: 500 },
    );
  });

  it.each([-1, 0.5])('refuses %s working days', (n) => expect(() => defaultRespondBy(new Date(), n)).toThrow(RangeError));
});
