import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  earliestDate,
  estimatedTravelMinutes,
  haversineKm,
  rankOptions,
  rankSearch,
  scoreOption,
  shrunkAcceptanceRate,
  WEIGHT_ACCEPTANCE,
  WEIGHT_DISTANCE,
  WEIGHT_RESPONSE,
  WEIGHT_WAIT,
  type CandidateOption,
  type RankedOption,
  type SearchContext,
} from './ranking.js';

const TODAY = '2026-11-26';
const DEADLINE = '2026-12-20'; // 24 days from today

function option(id: string, over: Partial<CandidateOption> = {}): CandidateOption {
  return {
    unit: { id, name: `Unit ${id}`, regionCode: '01' },
    forecast: { days: 20, source: 'computed' },
    stale: false,
    capacityAvailable: true,
    distanceKm: 50,
    trackRecord: null,
    ...over,
  };
}

const ids = (ranked: readonly RankedOption[]) => ranked.map((r) => r.unit.id);

describe('geography and dates', () => {
  it.each([
    ['Stockholm → Göteborg', { lat: 59.3293, lon: 18.0686 }, { lat: 57.7089, lon: 11.9746 }, 398, 3],
    ['Stockholm → Malmö', { lat: 59.3293, lon: 18.0686 }, { lat: 55.605, lon: 13.0038 }, 513, 3],
    ['Stockholm → Luleå', { lat: 59.3293, lon: 18.0686 }, { lat: 65.5848, lon: 22.1547 }, 726, 4],
    ['the same point', { lat: 62, lon: 15 }, { lat: 62, lon: 15 }, 0, 0.001],
  ])('haversine %s ≈ %s km', (_name, a, b, expected, tolerance) => {
    expect(Math.abs(haversineKm(a, b) - expected)).toBeLessThanOrEqual(tolerance);
  });

  it("accepts the directory's { lat, lng } spelling, and refuses coordinates out of range", () => {
    expect(haversineKm({ lat: 59.3293, lng: 18.0686 }, { lat: 57.7089, lon: 11.9746 })).toBeCloseTo(haversineKm({ lat: 59.3293, lon: 18.0686 }, { lat: 57.7089, lon: 11.9746 }), 9);
    expect(() => haversineKm({ lat: 91, lon: 0 }, { lat: 0, lon: 0 })).toThrow(RangeError);
    expect(() => haversineKm({ lat: 0, lon: Number.NaN }, { lat: 0, lon: 0 })).toThrow(RangeError);
  });

  it('haversine is symmetric and non-negative', () => {
    const point = fc.record({ lat: fc.double({ min: 55, max: 69.1, noNaN: true }), lon: fc.double({ min: 10.5, max: 24.2, noNaN: true }) });
    fc.assert(
      fc.property(point, point, (a, b) => {
        const d = haversineKm(a, b);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(Math.abs(d - haversineKm(b, a))).toBeLessThan(1e-9);
      }),
    );
  });

  it.each([
    [0, 15],
    [10, 26], // 13 km of road at 70 km/h ≈ 11 min, + 15
    [70, 93], // 91 km ≈ 78 min, + 15
    [398, 458], // 517 km of road ≈ 443 min, + 15
  ])('estimatedTravelMinutes(%i) = %i', (km, minutes) => expect(estimatedTravelMinutes(km)).toBe(minutes));

  it('travel time refuses negative distances', () => expect(() => estimatedTravelMinutes(-1)).toThrow(RangeError));

  it.each([
    [TODAY, 0, TODAY],
    [TODAY, 24, DEADLINE],
    [TODAY, 2.2, '2026-11-29'], // part of a day counts as a day
    ['2026-12-31', 1, '2027-01-01'],
  ])('earliestDate(%s, %s) = %s', (today, days, expected) => expect(earliestDate(today, days)).toBe(expected));

  it('earliestDate refuses a bad date or a negative forecast', () => {
    expect(() => earliestDate('2026-02-30', 1)).toThrow(RangeError);
    expect(() => earliestDate(TODAY, -1)).toThrow(RangeError);
  });
});

describe('score', () => {
  it('has weights that add up to 1, with the wait dominant', () => {
    expect(WEIGHT_WAIT + WEIGHT_DISTANCE + WEIGHT_ACCEPTANCE + WEIGHT_RESPONSE).toBeCloseTo(1, 12);
    expect(WEIGHT_WAIT).toBeGreaterThan(WEIGHT_DISTANCE + WEIGHT_ACCEPTANCE + WEIGHT_RESPONSE);
  });

  it.each([
    [null, 0.5],
    [{ requests: 0, accepted: 0, medianResponseHours: null }, 0.5],
    [{ requests: 1, accepted: 1, medianResponseHours: null }, 0.6],
    [{ requests: 1, accepted: 0, medianResponseHours: null }, 0.4],
    [{ requests: 100, accepted: 90, medianResponseHours: null }, 92 / 104],
  ])('shrunk acceptance rate of %j = %d', (t, rate) => expect(shrunkAcceptanceRate(t)).toBeCloseTo(rate, 12));

  it.each([
    // days, km, track record, score
    [0, 0, { requests: 0, accepted: 0, medianResponseHours: 0 }, 60 + 25 + 5 + 5],
    [90, 200, null, 30 + 12.5 + 5 + 2.5], // each at half: wait 0.5, distance 0.5, neutral acceptance and response
    [null, null, null, 0 + 0 + 5 + 2.5], // no forecast and no distance score nothing on those factors
    [30, 50, { requests: 20, accepted: 18, medianResponseHours: 24 }, 45 + 20 + 8.3 + 3.3],
  ])('%s days, %s km, %j → %d', (days, km, trackRecord, score) => {
    const o = option('U', { forecast: days === null ? null : { days, source: 'computed' }, distanceKm: km, trackRecord });
    expect(scoreOption(o)).toBeCloseTo(score, 0);
  });
});

describe('rankOptions: examples', () => {
  const ctx: SearchContext = { today: TODAY, deadline: DEADLINE, homeForecastDays: 120, maxDistanceKm: 500 };

  it('orders by tier, then score, then distance, then unit id', () => {
    const options = [
      option('STALE', { stale: true, forecast: { days: 1, source: 'computed' }, distanceKm: 1 }), // best numbers, but stale: tier 3
      option('NONE', { forecast: null, distanceKm: 2 }), // no forecast: tier 3
      option('LATE', { forecast: { days: 40, source: 'computed' } }), // misses the deadline: tier 2
      option('UNKNOWN-CAP', { capacityAvailable: null, forecast: { days: 5, source: 'reported' } }), // tier 2
      option('SLOW', { forecast: { days: 20, source: 'computed' } }),
      option('FAST', { forecast: { days: 10, source: 'computed' } }),
      option('B-TIE', { forecast: { days: 10, source: 'computed' } }),
      option('A-TIE', { forecast: { days: 10, source: 'computed' } }),
      option('NEAR', { forecast: { days: 10, source: 'computed' }, distanceKm: 49.99 }), // same score after rounding, nearer
    ];
    const ranked = rankOptions(options, ctx);
    expect(ids(ranked)).toEqual(['NEAR', 'A-TIE', 'B-TIE', 'FAST', 'SLOW', 'UNKNOWN-CAP', 'LATE', 'STALE', 'NONE']);
    expect(ranked.map((r) => r.tier)).toEqual([1, 1, 1, 1, 1, 2, 2, 3, 3]);
    expect(ranked.map((r) => r.rank)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('fills in the fields of the contract', () => {
    const [r] = rankOptions([option('U1', { forecast: { days: 14, source: 'computed' }, distanceKm: 397.9, trackRecord: { requests: 20, accepted: 18, medianResponseHours: 6 } })], ctx);
    expect(r).toMatchObject({
      rank: 1,
      tier: 1,
      unit: { id: 'U1', name: 'Unit U1', regionCode: '01' },
      forecastWaitDays: 14,
      forecastSource: 'computed',
      earliestDate: '2026-12-10',
      meetsDeadline: true,
      daysSaved: 106,
      distanceKm: 397.9,
      travelMinutesEstimate: 458,
      capacityAvailable: true,
      stale: false,
    });
    expect(r!.score).toBe(Math.round(r!.score * 10) / 10);
    expect(r!.reasons).toEqual([
      { sv: 'Beräknad väntetid 14 dagar (från väntelistan), tidigast 2026-12-10', en: 'Forecast wait 14 days (from the waiting list), earliest 2026-12-10' },
      { sv: 'Klarar vårdgarantins sista dag 2026-12-20 (10 dagar till godo)', en: 'Meets the guarantee deadline 2026-12-20 (10 days to spare)' },
      { sv: '106 dagar kortare väntan än hemma (120 dagar)', en: '106 days shorter wait than at home (120 days)' },
      { sv: 'Har ledig kapacitet för patienter från andra regioner', en: 'Has capacity for patients from other regions' },
      {
        sv: '398 km fågelvägen, uppskattad restid med bil 7 tim 38 min (en uppskattning, inte en ruttberäkning)',
        en: '398 km as the crow flies, estimated travel time by car 7 h 38 min (an estimate, not a route)',
      },
      { sv: 'Har accepterat 18 av 20 förfrågningar; svarar på 6 timmar (median)', en: 'Accepted 18 of 20 requests; median response 6 hours' },
    ]);
  });

  it('explains stale data, a missing forecast, a missed deadline, unknown capacity and distance, and a small sample', () => {
    const ranked = rankOptions(
      [
        option('STALE', { stale: true, forecast: { days: 34, source: 'reported' }, capacityAvailable: false, trackRecord: { requests: 3, accepted: 3, medianResponseHours: 0.5 } }),
        option('NONE', { forecast: null, capacityAvailable: null, distanceKm: null }),
      ],
      ctx,
    );
    const [stale, none] = ranked;
    expect(stale!.reasons.map((r) => r.sv)).toEqual([
      'Beräknad väntetid 34 dagar (enhetens egen uppgift), tidigast 2026-12-30',
      'Klarar inte vårdgarantins sista dag 2026-12-20 (10 dagar för sent)',
      '86 dagar kortare väntan än hemma (120 dagar)',
      'Ingen ledig kapacitet för patienter från andra regioner rapporterad',
      'Uppgifterna är inaktuella (rapporterade för mer än 42 dagar sedan)',
      '50 km fågelvägen, uppskattad restid med bil 1 tim 11 min (en uppskattning, inte en ruttberäkning)',
      'Har accepterat 3 av 3 förfrågningar (få förfrågningar; vägs mot ett neutralt antagande); svarar på mindre än en timme (median)',
      'Rangordnas efter alla alternativ med aktuell prognos',
    ]);
    expect(stale!.reasons[4]!.en).toBe('The data are out of date (reported more than 42 days ago)');
    expect(stale).toMatchObject({ meetsDeadline: false, tier: 3, forecastSource: 'reported' });
    expect(none).toMatchObject({ forecastWaitDays: null, forecastSource: null, earliestDate: null, meetsDeadline: null, daysSaved: null, distanceKm: null, travelMinutesEstimate: null, tier: 3 });
    expect(none!.reasons.map((r) => r.en)).toEqual([
      "No wait forecast: neither waiting-list data nor the unit's own report is available",
      'Unknown whether the guarantee deadline 2026-12-20 is met',
      'Unknown whether there is capacity for patients from other regions',
      'Distance unknown; shown despite the 500 km limit',
      'No track record of brokered requests yet',
      'Ranked below all options with a current forecast',
    ]);
  });

  it('uses the configured stale limit in the reason', () => {
    const [r] = rankOptions([option('S', { stale: true })], { today: TODAY, staleAfterDays: 28 });
    expect(r!.reasons.map((x) => x.sv)).toContain('Uppgifterna är inaktuella (rapporterade för mer än 28 dagar sedan)');
  });

  it('without a deadline: meetsDeadline is null and a fresh option with capacity is tier 1', () => {
    const ranked = rankOptions([option('A'), option('B', { capacityAvailable: false })], { today: TODAY });
    expect(ranked.map((r) => [r.unit.id, r.tier, r.meetsDeadline, r.daysSaved])).toEqual([
      ['A', 1, null, null],
      ['B', 2, null, null],
    ]);
    expect(ranked[1]!.reasons.at(-1)!.en).toBe('Ranked below current options with capacity available');
  });

  it('says when the wait is longer than at home, or the same', () => {
    const ranked = rankOptions([option('LONG', { forecast: { days: 130, source: 'computed' } }), option('SAME', { forecast: { days: 120, source: 'computed' } })], ctx);
    const texts = ranked.flatMap((r) => r.reasons.map((x) => x.en));
    expect(texts).toContain('10 days longer wait than at home (120 days)');
    expect(texts).toContain('The same wait as at home (120 days)');
  });

  it('excludes options beyond maxDistanceKm, with the reason, nearest first; an unknown distance stays', () => {
    const result = rankSearch(
      [option('FAR', { distanceKm: 900 }), option('EDGE', { distanceKm: 500 }), option('FARTHER', { distanceKm: 1200.44 }), option('UNKNOWN', { distanceKm: null })],
      ctx,
    );
    expect(ids(result.options)).toEqual(['EDGE', 'UNKNOWN']);
    expect(result.excluded).toEqual([
      { unit: option('FAR').unit, distanceKm: 900, reason: { sv: 'Längre bort än den största tillåtna sträckan 500 km (900 km fågelvägen)', en: 'Farther than the maximum distance of 500 km (900 km as the crow flies)' } },
      { unit: option('FARTHER').unit, distanceKm: 1200.4, reason: expect.objectContaining({ en: 'Farther than the maximum distance of 500 km (1200 km as the crow flies)' }) },
    ]);
    expect(ids(rankOptions([option('FAR', { distanceKm: 900 })], ctx))).toEqual([]);
  });

  it('writes short distances with one decimal (decimal comma in Swedish)', () => {
    const [r] = rankOptions([option('N', { distanceKm: 3.24 })], { today: TODAY });
    expect(r!.reasons.find((x) => x.en.includes('crow'))).toEqual({
      sv: '3,2 km fågelvägen, uppskattad restid med bil 19 min (en uppskattning, inte en ruttberäkning)',
      en: '3.2 km as the crow flies, estimated travel time by car 19 min (an estimate, not a route)',
    });
  });

  it('returns nothing for no options', () => expect(rankSearch([], ctx)).toEqual({ options: [], excluded: [] }));

  it.each([
    ['a bad today', [option('A')], { today: '2026-02-30' }],
    ['a bad deadline', [option('A')], { today: TODAY, deadline: '20-12-2026' }],
    ['a negative maxDistanceKm', [option('A')], { today: TODAY, maxDistanceKm: -1 }],
    ['a negative homeForecastDays', [option('A')], { today: TODAY, homeForecastDays: -3 }],
    ['a negative forecast', [option('A', { forecast: { days: -1, source: 'computed' } })], { today: TODAY }],
    ['a negative distance', [option('A', { distanceKm: -5 })], { today: TODAY }],
    ['accepted > requests', [option('A', { trackRecord: { requests: 1, accepted: 2, medianResponseHours: null } })], { today: TODAY }],
    ['the same unit twice', [option('A'), option('A')], { today: TODAY }],
  ] as const)('refuses %s', (_what, options, context) => {
    expect(() => rankOptions(options, context)).toThrow(RangeError);
  });
});

// ---------------------------------------------------------------------------------------------------------------------
// Properties

const trackRecordArb = fc.option(
  fc
    .record({ requests: fc.integer({ min: 0, max: 200 }), acceptedShare: fc.double({ min: 0, max: 1, noNaN: true }), medianResponseHours: fc.option(fc.double({ min: 0, max: 500, noNaN: true })) })
    .map(({ requests, acceptedShare, medianResponseHours }) => ({ requests, accepted: Math.floor(requests * acceptedShare), medianResponseHours })),
);

const optionArb = (id: string) =>
  fc.record({
    unit: fc.constant({ id, name: `Unit ${id}`, regionCode: '01' }),
    forecast: fc.option(fc.record({ days: fc.integer({ min: 0, max: 730 }), source: fc.constantFrom('computed' as const, 'reported' as const) }), { freq: 4 }),
    stale: fc.boolean(),
    capacityAvailable: fc.constantFrom(true, false, null),
    distanceKm: fc.option(fc.double({ min: 0, max: 1500, noNaN: true }), { freq: 6 }),
    trackRecord: trackRecordArb,
  });

const optionsArb = fc
  .uniqueArray(fc.constantFrom(...'ABCDEFGHIJKLMNOP'.split('').map((c) => `SE2321000016-${c}`)), { maxLength: 10 })
  .chain((unitIds) => fc.tuple(...unitIds.map(optionArb)))
  .map((t): CandidateOption[] => [...t]);

const contextArb: fc.Arbitrary<SearchContext> = fc.record({
  today: fc.constant(TODAY),
  deadline: fc.option(fc.integer({ min: -30, max: 200 }).map((n) => earliestDate('2026-10-27', n + 30))),
  homeForecastDays: fc.option(fc.integer({ min: 0, max: 730 })),
  maxDistanceKm: fc.option(fc.integer({ min: 0, max: 1500 })),
});

const positionOf = (ranked: readonly RankedOption[], id: string) => ranked.findIndex((r) => r.unit.id === id);

describe('rankOptions: properties', () => {
  it('is deterministic: the same input, in any order, gives the same output', () => {
    fc.assert(
      fc.property(
        optionsArb.chain((opts) => fc.tuple(fc.constant(opts), fc.shuffledSubarray(opts, { minLength: opts.length, maxLength: opts.length }))),
        contextArb,
        ([opts, shuffled], ctx) => {
          const a = rankSearch(opts, ctx);
          expect(rankSearch(structuredClone(opts), { ...ctx })).toEqual(a);
          expect(rankSearch(shuffled, ctx)).toEqual(a);
        },
      ),
    );
  });

  it('a fresh option with a forecast that meets the deadline always ranks above every stale or no-forecast option', () => {
    fc.assert(
      fc.property(optionsArb, contextArb, (opts, ctx) => {
        const ranked = rankOptions(opts, ctx);
        const good = ranked.filter((r) => !r.stale && r.forecastWaitDays !== null && r.meetsDeadline !== false).map((r) => r.rank);
        const weak = ranked.filter((r) => r.stale || r.forecastWaitDays === null).map((r) => r.rank);
        if (good.length > 0 && weak.length > 0) expect(Math.max(...good)).toBeLessThan(Math.min(...weak));
        // and the tiers are in order
        for (let i = 1; i < ranked.length; i++) expect(ranked[i - 1]!.tier).toBeLessThanOrEqual(ranked[i]!.tier);
      }),
    );
  });

  it('shortening one option’s forecast never lowers its position', () => {
    fc.assert(
      fc.property(optionsArb.filter((o) => o.length > 0), contextArb, fc.nat(), fc.double({ min: 0, max: 1, noNaN: true }), (opts, ctx, pick, share) => {
        const i = pick % opts.length;
        const target = opts[i]!;
        if (target.forecast === null) return;
        const shorter = opts.map((o, j) => (j === i ? { ...o, forecast: { ...target.forecast!, days: Math.floor(target.forecast!.days * share) } } : o));
        const before = positionOf(rankOptions(opts, ctx), target.unit.id);
        const after = positionOf(rankOptions(shorter, ctx), target.unit.id);
        if (before >= 0) expect(after).toBeLessThanOrEqual(before);
      }),
    );
  });

  it('all else equal, a shorter distance never ranks lower', () => {
    fc.assert(
      fc.property(optionsArb.filter((o) => o.length > 0), contextArb, fc.nat(), fc.double({ min: 0, max: 1, noNaN: true }), (opts, ctx, pick, share) => {
        const i = pick % opts.length;
        const target = opts[i]!;
        if (target.distanceKm === null) return;
        const nearer = opts.map((o, j) => (j === i ? { ...o, distanceKm: target.distanceKm! * share } : o));
        const before = positionOf(rankOptions(opts, ctx), target.unit.id);
        const after = positionOf(rankOptions(nearer, ctx), target.unit.id);
        if (before >= 0) expect(after).toBeGreaterThanOrEqual(0);
        if (before >= 0) expect(after).toBeLessThanOrEqual(before);
        // two options equal but for distance: the nearer one ranks first
        const twin = { ...target, unit: { ...target.unit, id: 'TWIN' }, distanceKm: target.distanceKm * share };
        const ranked = rankOptions([target, twin], { ...ctx, maxDistanceKm: null });
        if (twin.distanceKm < target.distanceKm) expect(ids(ranked)[0]).toBe('TWIN');
      }),
    );
  });

  it('scores within 0–100 with one decimal, and ranks by score within a tier', () => {
    fc.assert(
      fc.property(optionsArb, contextArb, (opts, ctx) => {
        const ranked = rankOptions(opts, ctx);
        for (const r of ranked) {
          expect(r.score).toBeGreaterThanOrEqual(0);
          expect(r.score).toBeLessThanOrEqual(100);
          expect(Math.round(r.score * 10) / 10).toBe(r.score);
        }
        for (let i = 1; i < ranked.length; i++) {
          if (ranked[i - 1]!.tier === ranked[i]!.tier) expect(ranked[i - 1]!.score).toBeGreaterThanOrEqual(ranked[i]!.score);
        }
      }),
    );
  });

  it('every option has reasons in both languages, the first naming the forecast source or saying there is none', () => {
    const sourceText = {
      computed: { sv: '(från väntelistan)', en: '(from the waiting list)' },
      reported: { sv: '(enhetens egen uppgift)', en: "(the unit's own report)" },
      none: { sv: 'Ingen väntetidsprognos', en: 'No wait forecast' },
    };
    fc.assert(
      fc.property(optionsArb, contextArb, (opts, ctx) => {
        for (const r of rankOptions(opts, ctx)) {
          expect(r.reasons.length).toBeGreaterThanOrEqual(4);
          for (const reason of r.reasons) {
            expect(reason.sv.length).toBeGreaterThan(0);
            expect(reason.en.length).toBeGreaterThan(0);
          }
          const expected = sourceText[r.forecastSource ?? 'none'];
          expect(r.reasons[0]!.sv).toContain(expected.sv);
          expect(r.reasons[0]!.en).toContain(expected.en);
          if (r.stale) expect(r.reasons.some((x) => x.en.startsWith('The data are out of date'))).toBe(true);
        }
      }),
    );
  });

  it('ranks every option within maxDistanceKm and excludes the rest', () => {
    fc.assert(
      fc.property(optionsArb, contextArb, (opts, ctx) => {
        const { options, excluded } = rankSearch(opts, ctx);
        expect(options.length + excluded.length).toBe(opts.length);
        const max = ctx.maxDistanceKm ?? Infinity;
        for (const e of excluded) expect(opts.find((o) => o.unit.id === e.unit.id)!.distanceKm!).toBeGreaterThan(max);
      }),
    );
  });
});
