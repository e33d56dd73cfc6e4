import { addDays, isCalendarDate } from './calendar.js';

/**
 * Swedish working days. A working day is Monday–Friday that is neither a public holiday under lag (1989:253) om allmänna
 * helgdagar nor one of the three eves that are de-facto non-working days (midsommarafton, julafton, nyårsafton: not
 * holidays in law, but treated as Sundays by semesterlagen (1977:480) 3 a § and by nearly all collective agreements).
 * Sundays are holidays under the same law; they are weekend days anyway.
 *
 * The rules are those in force since 2005: SFS 2004:1133 made Sveriges nationaldag (6 June) a holiday and removed
 * annandag pingst. Years 1990–2004 follow the earlier wording (annandag pingst, no nationaldag). Earlier years are
 * refused: the 1989 law is the basis of everything here.
 */

/** Whether a day is a holiday in law or only by custom (kept apart so documents can cite the right source). */
export type HolidayKind = 'statutory' | 'de_facto';

export interface SwedishHoliday {
  date: string;
  nameSv: string;
  nameEn: string;
  /** 'statutory': allmän helgdag under lag (1989:253); 'de_facto': an eve that is a non-working day by custom, not by law */
  kind: HolidayKind;
}

/** The first year computed: the first full year under lag (1989:253) om allmänna helgdagar. */
export const FIRST_HOLIDAY_YEAR = 1990;
/** The last year computed (dates are four-digit years). */
export const LAST_HOLIDAY_YEAR = 9999;

const pad2 = (n: number): string => String(n).padStart(2, '0');
const ymd = (y: number, m: number, d: number): string => `${String(y).padStart(4, '0')}-${pad2(m)}-${pad2(d)}`;

/** Day of week of a calendar date, 0 = Sunday … 6 = Saturday. */
export function weekday(date: string): number {
  if (!isCalendarDate(date)) throw new RangeError(`${date} is not a calendar date (YYYY-MM-DD)`);
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

/**
 * Easter Sunday (påskdagen) in the Gregorian calendar by the anonymous Gregorian algorithm (Meeus/Jones/Butcher,
 * "Astronomical Algorithms", ch. 8). Lag (1989:253) places påskdagen on the first Sunday after the ecclesiastical full
 * moon on or after 21 March, which is what this computes.
 */
export function easterSunday(year: number): string {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return ymd(year, month, day);
}

/** The day of the week `dow` (0 = Sunday) that falls in the seven days starting at `first`. */
function weekdayFrom(first: string, dow: number): string {
  return addDays(first, (dow - weekday(first) + 7) % 7);
}

/**
 * The Swedish public holidays of a year, in date order: every allmän helgdag of lag (1989:253) 1 § that is not a Sunday
 * by definition, plus the three de-facto non-working eves (kind 'de_facto'). Computed, not tabulated:
 * - fixed: nyårsdagen 1/1, trettondedag jul 6/1, första maj 1/5, Sveriges nationaldag 6/6 (from 2005), juldagen 25/12,
 *   annandag jul 26/12;
 * - from Easter (Meeus): långfredagen −2, påskdagen, annandag påsk +1, Kristi himmelsfärdsdag +39, pingstdagen +49,
 *   annandag pingst +50 (only until 2004);
 * - movable Saturdays: midsommardagen (the Saturday 20–26 June), alla helgons dag (the Saturday 31 Oct – 6 Nov);
 * - de facto: midsommarafton (the Friday 19–25 June), julafton 24/12, nyårsafton 31/12.
 * Two entries can share a date (pingstdagen falls on 6 June in 2049 and 2060).
 */
export function swedishPublicHolidays(year: number): SwedishHoliday[] {
  if (!Number.isInteger(year) || year < FIRST_HOLIDAY_YEAR || year > LAST_HOLIDAY_YEAR) {
    throw new RangeError(`Swedish holidays are computed for ${FIRST_HOLIDAY_YEAR}–${LAST_HOLIDAY_YEAR}, not ${year}`);
  }
  const easter = easterSunday(year);
  const s = (date: string, nameSv: string, nameEn: string): SwedishHoliday => ({ date, nameSv, nameEn, kind: 'statutory' });
  const df = (date: string, nameSv: string, nameEn: string): SwedishHoliday => ({ date, nameSv, nameEn, kind: 'de_facto' });
  const list: SwedishHoliday[] = [
    s(ymd(year, 1, 1), 'nyårsdagen', "New Year's Day"),
    s(ymd(year, 1, 6), 'trettondedag jul', 'Epiphany'),
    s(addDays(easter, -2), 'långfredagen', 'Good Friday'),
    s(easter, 'påskdagen', 'Easter Sunday'),
    s(addDays(easter, 1), 'annandag påsk', 'Easter Monday'),
    s(ymd(year, 5, 1), 'första maj', 'May Day'),
    s(addDays(easter, 39), 'Kristi himmelsfärdsdag', 'Ascension Day'),
    s(addDays(easter, 49), 'pingstdagen', 'Whit Sunday'),
    ...(year <= 2004 ? [s(addDays(easter, 50), 'annandag pingst', 'Whit Monday')] : [s(ymd(year, 6, 6), 'Sveriges nationaldag', 'National Day of Sweden')]),
    df(weekdayFrom(ymd(year, 6, 19), 5), 'midsommarafton', 'Midsummer Eve'),
    s(weekdayFrom(ymd(year, 6, 20), 6), 'midsommardagen', 'Midsummer Day'),
    s(weekdayFrom(ymd(year, 10, 31), 6), 'alla helgons dag', "All Saints' Day"),
    df(ymd(year, 12, 24), 'julafton', 'Christmas Eve'),
    s(ymd(year, 12, 25), 'juldagen', 'Christmas Day'),
    s(ymd(year, 12, 26), 'annandag jul', 'Boxing Day'),
    df(ymd(year, 12, 31), 'nyårsafton', "New Year's Eve"),
  ];
  return list.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

const holidayCache = new Map<number, Set<string>>();

function holidayDates(year: number): Set<string> {
  let set = holidayCache.get(year);
  if (set === undefined) {
    set = new Set(swedishPublicHolidays(year).map((h) => h.date));
    holidayCache.set(year, set);
  }
  return set;
}

/** Whether a date is a Swedish working day: Monday–Friday, not a public holiday and not a de-facto non-working eve. */
export function isWorkingDay(date: string): boolean {
  const dow = weekday(date);
  if (dow === 0 || dow === 6) return false;
  return !holidayDates(Number(date.slice(0, 4))).has(date);
}

function checkCount(n: number, what: string): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${what} must be a whole number ≥ 0, not ${n}`);
}

/**
 * The date `n` working days after `date`, counting from the next day: Friday + 1 is the next Monday (when it is a working
 * day), Thursday before Easter + 1 is the Tuesday after. `n` = 0 gives `date` itself, whatever day it is. `date` need
 * not be a working day: Saturday + 1 is Monday.
 */
export function addWorkingDays(date: string, n: number): string {
  checkCount(n, 'The number of working days');
  if (!isCalendarDate(date)) throw new RangeError(`${date} is not a calendar date (YYYY-MM-DD)`);
  let d = date;
  let left = n;
  while (left > 0) {
    d = addDays(d, 1);
    if (isWorkingDay(d)) left--;
  }
  return d;
}

/**
 * The number of working days after `from` up to and including `to` (negative, with the same count, when `to` is earlier).
 * The inverse of addWorkingDays: workingDaysBetween(d, addWorkingDays(d, n)) = n.
 */
export function workingDaysBetween(from: string, to: string): number {
  if (!isCalendarDate(from)) throw new RangeError(`${from} is not a calendar date (YYYY-MM-DD)`);
  if (!isCalendarDate(to)) throw new RangeError(`${to} is not a calendar date (YYYY-MM-DD)`);
  if (to < from) return -workingDaysBetween(to, from);
  let count = 0;
  for (let d = addDays(from, 1); d <= to; d = addDays(d, 1)) if (isWorkingDay(d)) count++;
  return count;
}

/** A wall-clock reading in Europe/Stockholm. */
export interface StockholmWallClock {
  date: string;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

const stockholmParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Stockholm',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** The Europe/Stockholm date and time of day at an instant. */
export function stockholmWallClock(at: Date): StockholmWallClock {
  const t = at.getTime();
  if (Number.isNaN(t)) throw new RangeError('Invalid date');
  const parts = stockholmParts.formatToParts(at);
  const num = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((p) => p.type === type)?.value);
  return {
    date: ymd(num('year'), num('month'), num('day')),
    hour: num('hour') % 24,
    minute: num('minute'),
    second: num('second'),
    millisecond: ((t % 1000) + 1000) % 1000,
  };
}

const HOUR = 3_600_000;
/** Offsets by UTC hour: Stockholm's offset changes only on a whole UTC hour (01:00 UTC), so it is constant within one. */
const offsetByHour = new Map<number, number>();

/** Milliseconds by which Stockholm wall-clock time is ahead of UTC at instant t. */
function stockholmOffset(t: number): number {
  const hour = Math.floor(t / HOUR);
  let offset = offsetByHour.get(hour);
  if (offset === undefined) {
    const start = hour * HOUR;
    const w = stockholmWallClock(new Date(start));
    const [y, m, d] = w.date.split('-').map(Number) as [number, number, number];
    offset = Date.UTC(y, m - 1, d, w.hour, w.minute, w.second, w.millisecond) - start;
    if (offsetByHour.size >= 10_000) offsetByHour.clear();
    offsetByHour.set(hour, offset);
  }
  return offset;
}

const DAY = 86_400_000;

/**
 * The instant whose Europe/Stockholm wall-clock reading is `date` at the given time. In the autumn hour that occurs twice
 * (02:00–02:59 on the last Sunday of October) the earlier instant is chosen; a time in the spring-forward gap (02:00–02:59
 * on the last Sunday of March) does not exist and is moved forward an hour (02:30 → 03:30 summer time).
 */
export function fromStockholmWallClock(date: string, hour = 0, minute = 0, second = 0, millisecond = 0): Date {
  if (!isCalendarDate(date)) throw new RangeError(`${date} is not a calendar date (YYYY-MM-DD)`);
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const asUtc = Date.UTC(y, m - 1, d, hour, minute, second, millisecond);
  const offsets = [...new Set([stockholmOffset(asUtc - DAY), stockholmOffset(asUtc + DAY)])];
  const matches = offsets
    .map((o) => asUtc - o)
    .filter((t) => {
      const w = stockholmWallClock(new Date(t));
      return w.date === date && w.hour === hour && w.minute === minute && w.second === second;
    })
    .sort((a, b) => a - b);
  if (matches.length > 0) return new Date(matches[0]!);
  // In the spring-forward gap: the offset in force before the change (the smaller one) gives the instant whose wall
  // clock reads an hour later than asked, once summer time has begun.
  return new Date(asUtc - Math.min(...offsets));
}

/** The Europe/Stockholm time of day a request sent on a non-working day counts as sent at (on the next working day). */
export const NON_WORKING_DAY_SENT_AT_HOUR = 8;

/**
 * The default respond-by time of a request: the same Europe/Stockholm wall-clock time, `workingDays` working days after
 * it was sent. Sent Friday 14:00 → Tuesday 14:00; sent Thursday before Easter → Wednesday after. No office hours are
 * applied: a request sent on a working day at 22:00 is due at 22:00.
 *
 * A request sent on a non-working day (weekend, holiday, de-facto eve) counts as sent at 08:00 on the next working day:
 * sent Saturday → counts as Monday 08:00 → due Wednesday 08:00 with the default two days. The result is the instant whose
 * Stockholm wall-clock time is the target, so daylight saving changes do not shift it (see fromStockholmWallClock).
 */
export function defaultRespondBy(sentAt: Date, workingDays = 2): Date {
  checkCount(workingDays, 'workingDays');
  const w = stockholmWallClock(sentAt);
  if (isWorkingDay(w.date)) {
    return fromStockholmWallClock(addWorkingDays(w.date, workingDays), w.hour, w.minute, w.second, w.millisecond);
  }
  const countsFrom = addWorkingDays(w.date, 1);
  return fromStockholmWallClock(addWorkingDays(countsFrom, workingDays), NON_WORKING_DAY_SENT_AT_HOUR);
}
