import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { luhnCheckDigit } from './luhn.js';
import { maskIdentity, parsePatientIdentity } from './patient-identity.js';

const TODAY = '2026-11-26';

describe('parsePatientIdentity: Skatteverket test numbers', () => {
  it.each([
    // input, value, kind, birthDate, sex
    ['19121212-1212', '191212121212', 'personnummer', '1912-12-12', 'M'],
    ['191212121212', '191212121212', 'personnummer', '1912-12-12', 'M'],
    ['  19121212-1212\n', '191212121212', 'personnummer', '1912-12-12', 'M'],
    ['19121212+1212', '191212121212', 'personnummer', '1912-12-12', 'M'], // 12 digits with +: consistent (113 years old)
    ['121212+1212', '191212121212', 'personnummer', '1912-12-12', 'M'], // + : 100 years or older
    ['121212-1212', '201212121212', 'personnummer', '2012-12-12', 'M'], // - : under 100
    ['1212121212', '201212121212', 'personnummer', '2012-12-12', 'M'], // no separator reads as -
    ['201701102384', '201701102384', 'personnummer', '2017-01-10', 'F'],
    ['20170110-2384', '201701102384', 'personnummer', '2017-01-10', 'F'],
    ['170110-2384', '201701102384', 'personnummer', '2017-01-10', 'F'],
    ['811228-9874', '198112289874', 'personnummer', '1981-12-28', 'M'],
    ['19701063-2391', '197010632391', 'samordningsnummer', '1970-10-03', 'M'], // day 63 = 3 + 60
    ['701063-2391', '197010632391', 'samordningsnummer', '1970-10-03', 'M'],
    ['197010632391', '197010632391', 'samordningsnummer', '1970-10-03', 'M'],
    ['19000101-0107', '190001010107', 'personnummer', '1900-01-01', 'F'],
    ['000101+0107', '190001010107', 'personnummer', '1900-01-01', 'F'],
  ] as const)('%j → %s (%s, born %s, %s)', (input, value, kind, birthDate, sex) => {
    expect(parsePatientIdentity(input, TODAY)).toEqual({ ok: true, value, kind, birthDate, sex });
  });

  it('reads the century of a 10-digit number from today, not from the year alone', () => {
    // born 1926-12-31: 99 years old on 2026-11-26, so written with '-'; the date in 2026 would lie in the future
    const n = `261231-${'001'}${luhnCheckDigit('261231001')}`;
    expect(parsePatientIdentity(n, TODAY)).toMatchObject({ ok: true, birthDate: '1926-12-31' });
    expect(parsePatientIdentity(n, '2027-01-01')).toMatchObject({ ok: true, birthDate: '2026-12-31' });
  });

  it('is the same with the default today as with an explicit one, for a 12-digit number', () => {
    expect(parsePatientIdentity('19121212-1212')).toEqual(parsePatientIdentity('19121212-1212', TODAY));
  });

  it('refuses a today that is not a date', () => {
    expect(() => parsePatientIdentity('19121212-1212', '2026-13-01')).toThrow(RangeError);
  });
});

describe('parsePatientIdentity: what is wrong, without repeating the number', () => {
  it.each([
    ['19121212-1213', /check digit/],
    ['201701102385', /check digit/],
    ['701063-2392', /check digit/],
    ['12121212', /has 8 digits.*10 .*or 12/],
    ['1912121212123', /has 13 digits/],
    ['1912121-1212', /has 11 digits/],
    ['1912121-21212', /separator .* before the last four/],
    ['19121212-0009', /birth number .* cannot be 000/],
    ['19121212-12', /separator .* before the last four/],
    ['19121212--1212', /more than one separator/],
    ['1912-1212-1212', /more than one separator/],
    ['19121312-1212', /not a real date: the month/],
    ['19120012-1212', /not a real date: the month/],
    ['19121200-1212', /not a real date: the day/],
    ['19121232-1212', /not a real date: the day/],
    ['19121292-1212', /not a real date: the day/],
    ['19230229-1212', /not a real date \(that month/], // 1923 is not a leap year
    ['19230289-1212', /not a real date \(that month/], // nor for a samordningsnummer (29 + 60)
    ['20301212-1212', /in the future/],
    ['121212121212', /implausibly early/], // year 1212
    ['20121212+1212', /\+ separator means 100 years or older/],
    ['1912121A1212', /only digits/],
    ['19121212 1212', /only digits/],
    ['19121212-T212', /only digits/], // interim numbers are not patient identities here
    ['', /empty/],
    ['   ', /empty/],
  ])('%j: %s', (input, message) => {
    const r = parsePatientIdentity(input, TODAY);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.message).toMatch(message);
    expect(r.message).not.toMatch(/\d{4}/);
  });
});

describe('maskIdentity', () => {
  it.each([
    ['191212121212', '19121212-****'],
    ['19121212-1212', '19121212-****'],
    ['121212+1212', '121212+****'],
    ['1212121212', '121212-****'],
    ['garbage 1212', '****'],
    ['19121212', '****'],
    ['', '****'],
  ])('%j → %s', (value, masked) => expect(maskIdentity(value)).toBe(masked));
});

/** A valid identity built from its parts: date of birth, birth number, kind. */
const identity = fc
  .record({
    birth: fc.date({ min: new Date('1880-01-01T00:00:00Z'), max: new Date(`${TODAY}T00:00:00Z`), noInvalidDate: true }),
    birthNumber: fc.integer({ min: 1, max: 999 }),
    coordination: fc.boolean(),
  })
  .map(({ birth, birthNumber, coordination }) => {
    const birthDate = birth.toISOString().slice(0, 10);
    const day = Number(birthDate.slice(8, 10)) + (coordination ? 60 : 0);
    const nine = `${birthDate.slice(2, 4)}${birthDate.slice(5, 7)}${String(day).padStart(2, '0')}${String(birthNumber).padStart(3, '0')}`;
    const ten = nine + String(luhnCheckDigit(nine));
    const twelve = birthDate.slice(0, 2) + ten;
    const hundred = `${Number(birthDate.slice(0, 4)) + 100}${birthDate.slice(4)}` <= TODAY; // string order is date order
    return { birthDate, coordination, twelve, ten, hundred, male: birthNumber % 2 === 1 };
  });

describe('parsePatientIdentity: properties', () => {
  it('every written form of a valid number gives the same canonical value, kind, birth date and sex', () => {
    fc.assert(
      fc.property(identity, (id) => {
        const expected = { ok: true, value: id.twelve, kind: id.coordination ? 'samordningsnummer' : 'personnummer', birthDate: id.birthDate, sex: id.male ? 'M' : 'F' };
        const forms = [id.twelve, `${id.twelve.slice(0, 8)}-${id.twelve.slice(8)}`, `${id.ten.slice(0, 6)}${id.hundred ? '+' : '-'}${id.ten.slice(6)}`];
        if (!id.hundred) forms.push(id.ten);
        for (const f of forms) expect(parsePatientIdentity(f, TODAY)).toEqual(expected);
      }),
    );
  });

  it('any other check digit is refused as a wrong check digit', () => {
    fc.assert(
      fc.property(identity, fc.integer({ min: 1, max: 9 }), (id, delta) => {
        const wrong = id.twelve.slice(0, 11) + String((Number(id.twelve[11]) + delta) % 10);
        const r = parsePatientIdentity(wrong, TODAY);
        expect(r).toEqual({ ok: false, message: expect.stringMatching(/check digit/) });
      }),
    );
  });

  it('never throws, and a failure message never contains four digits in a row (no part of the number)', () => {
    const chars = fc.constantFrom(...'0123456789-+ A'.split(''));
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: chars, maxLength: 16 }), fc.string({ maxLength: 16 }), identity.map((i) => i.twelve)), (input) => {
        const r = parsePatientIdentity(input, TODAY);
        if (r.ok) {
          expect(r.value).toMatch(/^\d{12}$/);
          expect(parsePatientIdentity(r.value, TODAY)).toEqual(r);
        } else {
          expect(r.message).not.toMatch(/\d{4}/);
        }
      }),
    );
  });

  it('masking keeps the date part and hides the last four digits', () => {
    fc.assert(
      fc.property(identity, (id) => {
        const masked = maskIdentity(id.twelve);
        expect(masked).toBe(`${id.twelve.slice(0, 8)}-****`);
        expect(masked.replace(id.twelve.slice(0, 8), '')).not.toMatch(/\d/); // nothing of the last four is left
      }),
    );
  });
});
