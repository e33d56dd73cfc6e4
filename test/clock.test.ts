import { describe, expect, it } from 'vitest';
import { stockholmDay } from '../src/domain/clock.js';

describe('stockholmDay', () => {
  it('gives the Swedish calendar date at every instant, also when asked out of order around midnight and daylight saving', () => {
    const cases: [string, string][] = [
      ['2026-03-28T22:59:59.999Z', '2026-03-28'], // CET: midnight is 23:00 UTC
      ['2026-03-28T23:00:00.000Z', '2026-03-29'],
      ['2026-03-28T22:59:30.000Z', '2026-03-28'], // back again, within the minute before midnight
      ['2026-03-29T21:59:59.999Z', '2026-03-29'], // CEST from 29 March: midnight is 22:00 UTC
      ['2026-03-29T22:00:00.000Z', '2026-03-30'],
      ['2026-10-24T21:59:59.000Z', '2026-10-24'],
      ['2026-10-24T22:00:00.000Z', '2026-10-25'],
      ['2026-10-25T22:59:00.000Z', '2026-10-25'], // CET again from 25 October
      ['2026-10-25T23:00:00.000Z', '2026-10-26'],
      ['2026-10-25T23:00:59.999Z', '2026-10-26'],
      ['2026-10-25T22:59:59.999Z', '2026-10-25'],
    ];
    for (const [at, day] of cases) expect(stockholmDay(new Date(at)), at).toBe(day);
    // the same instant asked many times in a row, and every minute of a day, agree with the formatter
    const fmt = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm', year: 'numeric', month: '2-digit', day: '2-digit' });
    for (let t = Date.parse('2026-10-24T20:00:00Z'); t < Date.parse('2026-10-26T02:00:00Z'); t += 29_000) expect(stockholmDay(new Date(t))).toBe(fmt.format(new Date(t)));
    expect(() => stockholmDay(new Date(Number.NaN))).toThrow(RangeError);
  });
});
