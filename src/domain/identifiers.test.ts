import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { luhnCheckDigit, luhnValid } from './luhn.js';
import { KVA_CODE_PATTERN, parseHsaId, parseOrganizationNumber } from './identifiers.js';

describe('Luhn', () => {
  it.each([
    ['2321000016', true], // Region Stockholm
    ['2321000230', true], // Region Norrbotten
    ['2321000017', false],
    ['8112289874', true], // Skatteverket's personnummer example 811228-9874
    ['8112289875', false],
    ['', false],
  ])('luhnValid(%s) = %s', (digits, ok) => expect(luhnValid(digits)).toBe(ok));

  it('completes any digit string to a valid one, and any single-digit change breaks it', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{1,15}$/), fc.nat(), fc.integer({ min: 1, max: 9 }), (body, pos, delta) => {
        const full = body + String(luhnCheckDigit(body));
        expect(luhnValid(full)).toBe(true);
        const i = pos % full.length;
        const changed = full.slice(0, i) + String((Number(full[i]) + delta) % 10) + full.slice(i + 1);
        expect(luhnValid(changed)).toBe(false);
      }),
    );
  });
});

describe('organisation number (SKV 709)', () => {
  it.each([
    ['232100-0016', { ok: true, value: '232100-0016' }],
    ['2321000016', { ok: true, value: '232100-0016' }],
    [' 556000-0167 ', { ok: true, value: '556000-0167' }],
  ])('accepts %s', (input, expected) => expect(parseOrganizationNumber(input)).toEqual(expected));

  it.each([
    ['232100-0017', /check digit/],
    ['121212-1212', /third digit/],
    ['23210-00016', /ten digits/],
    ['', /ten digits/],
    ['abc', /ten digits/],
  ])('rejects %s with a message that says what to fix', (input, message) => {
    const r = parseOrganizationNumber(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(message);
  });
});

describe('HSA-id (Inera)', () => {
  it.each([
    ['SE2321000016-15BS', 'SE2321000016-15BS'],
    ['se2321000016-15bs', 'SE2321000016-15BS'],
    ['SE2321000230-X', 'SE2321000230-X'],
  ])('accepts %s as %s', (input, value) => expect(parseHsaId(input)).toEqual({ ok: true, value }));

  it.each(['SE2321000016', 'SE232100001-15BS', 'SE2321000017-15BS', 'DK2321000016-15BS', 'SE2321000016-15 BS', 'SE2321000016-ABCDEFGHIJKLMNOPQRST'])('rejects %s', (input) => {
    expect(parseHsaId(input).ok).toBe(false);
  });

  it('accepts every well-formed id built from a Luhn-valid organisation number', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{9}$/), fc.stringMatching(/^[A-Z0-9]{1,19}$/), (nine, ext) => {
        const id = `SE${nine}${luhnCheckDigit(nine)}-${ext}`;
        expect(parseHsaId(id)).toEqual({ ok: true, value: id });
      }),
    );
  });
});

describe('KVÅ code pattern (Socialstyrelsen)', () => {
  it.each(['NGB49', 'NFB49', 'DV071', 'CJE20'])('accepts %s', (c) => expect(KVA_CODE_PATTERN.test(c)).toBe(true));
  it.each(['NG49', 'ngb49', 'NGB4', 'DV07', 'AB1234', 'NGB49X'])('rejects %s', (c) => expect(KVA_CODE_PATTERN.test(c)).toBe(false));
});
