import PersonnummerModule from 'personnummer';
import { isCalendarDate } from './calendar.js';
import { stockholmDay } from './clock.js';
import { luhnValid } from './luhn.js';

/**
 * Swedish patient identity: personnummer (Skatteverket SKV 704, folkbokföringslagen 18 §) and samordningsnummer
 * (coordination number, folkbokföringslagen 18 a §: the day of birth plus 60).
 *
 * Written forms accepted: 12 digits `YYYYMMDDNNNC` or 10 digits `YYMMDDNNNC`, either with or without a '-' or '+'
 * before the last four. In the 10-digit form the separator carries the century: '-' (or none) for someone under 100
 * years old, '+' from the year they turn 100. NNN is the birth number (its last digit odd for men, even for women) and C
 * a Luhn check digit over the ten digits YYMMDDNNN. The number is checked here step by step, so that the message says
 * what is wrong, then confirmed with the `personnummer` package. Messages never repeat the number or any part of it:
 * they may end up in logs and in responses.
 */

// personnummer ships CommonJS (`module.exports = Personnummer`) with types written as an ES default export; depending on
// the loader the default import is the class itself or a namespace holding it as `default`.
type PersonnummerClass = typeof PersonnummerModule.default;
const Personnummer: PersonnummerClass =
  (PersonnummerModule as unknown as { default?: PersonnummerClass }).default ?? (PersonnummerModule as unknown as PersonnummerClass);

export type PatientIdentityKind = 'personnummer' | 'samordningsnummer';

/** A valid identity in its canonical form. */
export interface PatientIdentity {
  /** 12 digits YYYYMMDDNNNC, no separator: the form to store, encrypt and hash */
  value: string;
  kind: PatientIdentityKind;
  /** YYYY-MM-DD; for a samordningsnummer the real day (the written day minus 60) */
  birthDate: string;
  /** from the ninth of the ten digits (the last of the birth number): odd M, even F */
  sex: 'F' | 'M';
}

export type PatientIdentityResult = ({ ok: true } & PatientIdentity) | { ok: false; message: string };

/** Birth dates before this year are refused as implausible (personnummer were introduced in 1947). */
export const EARLIEST_BIRTH_YEAR = 1850;
/** What the samordningsnummer adds to the day of birth. */
export const COORDINATION_DAY_OFFSET = 60;

const fail = (message: string): PatientIdentityResult => ({ ok: false, message });

/**
 * Parse a personnummer or samordningsnummer written with 10 or 12 digits, with or without '-'/'+' before the last four.
 * `today` (YYYY-MM-DD; default: today in Europe/Stockholm) decides the century of a 10-digit number — the most recent
 * date with those two year digits that is not in the future, 100 years earlier with '+' — and refuses birth dates in the
 * future. Returns the canonical 12-digit value, the kind, the birth date and the legal sex, or a message saying what is
 * wrong (characters, length, separator, date, check digit) without repeating the number.
 */
export function parsePatientIdentity(input: string, today: string = stockholmDay(new Date())): PatientIdentityResult {
  if (!isCalendarDate(today)) throw new RangeError('parsePatientIdentity: today must be a calendar date (YYYY-MM-DD)');
  if (typeof input !== 'string' || input.trim() === '') return fail('The personal identity number is empty.');
  const s = input.trim();
  if (!/^[0-9+-]+$/.test(s))
    return fail('A personnummer or samordningsnummer contains only digits, with an optional - or + before the last four digits.');
  const digitCount = s.replace(/[^0-9]/g, '').length;
  const m = /^(\d+)([-+]?)(\d{4})$/.exec(s);
  if (!m) {
    if (/[-+].*[-+]/.test(s)) return fail('The number has more than one separator; write at most one - or + before the last four digits.');
    return fail('The separator (- or +) must stand before the last four digits.');
  }
  const datePart = m[1]!;
  const sep = m[2]!;
  const lastFour = m[3]!;
  if (datePart.length !== 6 && datePart.length !== 8)
    return fail(`The number has ${digitCount} digits; a personnummer or samordningsnummer has 10 (YYMMDD-NNNN) or 12 (YYYYMMDDNNNN).`);

  const yy = Number(datePart.slice(-6, -4));
  const month = Number(datePart.slice(-4, -2));
  const writtenDay = Number(datePart.slice(-2));
  const coordination = writtenDay > COORDINATION_DAY_OFFSET;
  const day = coordination ? writtenDay - COORDINATION_DAY_OFFSET : writtenDay;
  const mmdd = `${pad2(month)}-${pad2(day)}`;

  let year: number;
  const todayYear = Number(today.slice(0, 4));
  if (datePart.length === 8) {
    year = Number(datePart.slice(0, 4));
  } else {
    // the latest year ending in yy whose date is not after today; '+' means a hundred years earlier
    year = todayYear - ((((todayYear - yy) % 100) + 100) % 100);
    if (`${pad4(year)}-${mmdd}` > today) year -= 100;
    if (sep === '+') year -= 100;
  }

  const birthDate = `${pad4(year)}-${mmdd}`;
  if (month < 1 || month > 12) return fail('The date part is not a real date: the month must be 01–12.');
  if (writtenDay < 1 || (writtenDay > 31 && !coordination) || writtenDay > 31 + COORDINATION_DAY_OFFSET)
    return fail('The date part is not a real date: the day must be 01–31 (61–91 for a samordningsnummer).');
  if (!isCalendarDate(birthDate)) return fail('The date part is not a real date (that month has no such day in that year).');
  if (birthDate > today) return fail('The date of birth lies in the future.');
  if (year < EARLIEST_BIRTH_YEAR) return fail('The date of birth is implausibly early; check the century.');
  if (datePart.length === 8 && sep === '+' && !hundredOrOlder(birthDate, today))
    return fail('The + separator means 100 years or older, which does not match the year of birth; write - or no separator.');

  if (lastFour.startsWith('000')) return fail('The birth number (the three digits before the check digit) cannot be 000.');
  const ten = datePart.slice(-6) + lastFour;
  if (!luhnValid(ten)) return fail('The check digit (the last digit) is wrong: the number has a typing error.');

  const twelve = `${pad4(year)}${datePart.slice(-4)}${lastFour}`;
  // Confirm with the package (12 digits, so its own reading of the century from the clock plays no part).
  const options = { allowCoordinationNumber: true, allowInterimNumber: false };
  if (!Personnummer.valid(twelve, options)) return fail('The number is not a valid personnummer or samordningsnummer.');
  const pn = Personnummer.parse(twelve, options);
  const value = pn.format(true);
  if (value !== twelve) return fail('The number is not a valid personnummer or samordningsnummer.');
  return { ok: true, value, kind: pn.isCoordinationNumber() ? 'samordningsnummer' : 'personnummer', birthDate, sex: pn.isMale() ? 'M' : 'F' };
}

/**
 * For display in lists: the date part and a masked birth number, e.g. '191212121212' → '19121212-****'. A 10-digit form
 * keeps its own separator ('121212+1212' → '121212+****'). Anything else becomes '****' entirely, so a malformed value is
 * never shown in clear.
 */
export function maskIdentity(value: string): string {
  const s = typeof value === 'string' ? value.trim() : '';
  const m = /^(\d{6}|\d{8})([-+]?)\d{4}$/.exec(s);
  if (!m) return '****';
  const sep = m[1]!.length === 6 && m[2] === '+' ? '+' : '-';
  return `${m[1]}${sep}****`;
}

function hundredOrOlder(birthDate: string, today: string): boolean {
  const hundredth = `${pad4(Number(birthDate.slice(0, 4)) + 100)}${birthDate.slice(4)}`;
  return hundredth <= today;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

function pad4(n: number): string {
  return String(n).padStart(4, '0');
}
