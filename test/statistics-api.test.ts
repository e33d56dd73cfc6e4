import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../src/db/schema.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { targets } from './helpers/db.js';

/** One stored indicator value (raw, as the computation writes it). */
interface V {
  id: string;
  period: string;
  view?: string;
  kind?: string;
  region?: string;
  b?: string;
  bv?: string;
  rev?: number;
  value?: number | null;
  num?: number | null;
  den?: number | null;
  asOf?: string | null;
}

async function insertValues(db: Kysely<DB>, rows: V[], computedAt = '2026-11-21T03:00:00Z'): Promise<void> {
  for (const r of rows)
    await sql`INSERT INTO indicator_values (indicator_id, period, view, guarantee_kind, region_code, breakdown, breakdown_value, revision, value, numerator_count, denominator_count, computed_at, data_as_of)
              VALUES (${r.id}, ${r.period}, ${r.view ?? ''}, ${r.kind ?? ''}, ${r.region ?? ''}, ${r.b ?? ''}, ${r.bv ?? ''}, ${r.rev ?? 1}, ${r.value ?? null}, ${r.num ?? null}, ${r.den ?? null}, ${computedAt}::timestamptz, ${r.asOf ?? null}::date)`.execute(db);
}
async function finishRun(db: Kysely<DB>, period: string, at = '2026-11-21T03:00:00Z'): Promise<void> {
  await sql`INSERT INTO statistics_runs (period, started_at, finished_at, triggered_by) VALUES (${period}, ${at}::timestamptz, ${at}::timestamptz, 'test')`.execute(db);
  await sql`UPDATE statistics_version SET version = version + 1 WHERE id = 1`.execute(db);
}
const count = (id: string, period: string, region: string, n: number, extra: Partial<V> = {}): V => ({ id, period, region, value: n, num: n, ...extra });
const share = (id: string, period: string, region: string, n: number, d: number, extra: Partial<V> = {}): V => ({ id, period, region, value: d === 0 ? null : n / d, num: n, den: d, ...extra });
const median = (id: string, period: string, region: string, value: number | null, basis: number, extra: Partial<V> = {}): V => ({ id, period, region, value, den: basis, ...extra });

const T = { kind: 'treatment' };
const V1 = { view: 'excluding_pvv_and_mov', kind: 'treatment' };

describe.each(targets)('statistics API on %s', (target) => {
  let t: TestApp;
  const get = async (url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers });

  beforeAll(async () => {
    t = await startTestApp(target, { clock: '2026-11-26T10:00:00Z' });
    const db = t.database.db;
    await sql`DELETE FROM indicator_values`.execute(db);
    await sql`DELETE FROM statistics_runs`.execute(db);
    // 2026-10: treatment waits. National 40 = 01: 30 + 03: 7 + 04: 3.
    await insertValues(db, [
      count('waiting_count', '2026-10', '', 40, { ...T, asOf: '2026-11-15' }), count('waiting_count', '2026-10', '01', 30, { ...T, asOf: '2026-11-15' }),
      count('waiting_count', '2026-10', '03', 7, T), count('waiting_count', '2026-10', '04', 3, T),
      count('waiting_count', '2026-10', '', 25, { ...T, b: 'sex', bv: 'F' }), count('waiting_count', '2026-10', '', 12, { ...T, b: 'sex', bv: 'M' }), count('waiting_count', '2026-10', '', 3, { ...T, b: 'sex', bv: 'U' }),
      share('within_guarantee_share', '2026-10', '', 30, 40, V1), share('within_guarantee_share', '2026-10', '01', 24, 30, V1),
      share('within_guarantee_share', '2026-10', '03', 5, 7, V1), share('within_guarantee_share', '2026-10', '04', 1, 3, V1),
      median('median_waited_days', '2026-10', '', 41, 40, V1), median('median_waited_days', '2026-10', '01', 38, 30, V1),
      median('median_waited_days', '2026-10', '03', 60, 7, V1), median('median_waited_days', '2026-10', '04', 90, 3, V1),
      // brokering (all kinds '')
      count('cases_opened_count', '2026-10', '', 120), count('cases_opened_count', '2026-10', '01', 100), count('cases_opened_count', '2026-10', '03', 20),
      share('requests_answered_in_time_share', '2026-10', '', 90, 100), share('requests_answered_in_time_share', '2026-10', '01', 81, 90), share('requests_answered_in_time_share', '2026-10', '03', 9, 10),
      count('cases_ended_count', '2026-10', '', 60), count('cases_ended_count', '2026-10', '', 50, { b: 'ending', bv: 'completed:treated' }),
      count('cases_ended_count', '2026-10', '', 2, { b: 'ending', bv: 'cancelled:other' }), count('cases_ended_count', '2026-10', '', 8, { b: 'ending', bv: 'closed_unresolved:other' }),
    ]);
    await finishRun(db, '2026-10');
    // 2026-09: revision 1, then a late submission gives revision 2 of the national figure and region 05.
    await insertValues(db, [count('waiting_count', '2026-09', '', 35, T), count('waiting_count', '2026-09', '01', 26, T), count('waiting_count', '2026-09', '05', 2, T), count('waiting_count', '2026-09', '06', 7, T)], '2026-10-21T03:00:00Z');
    await finishRun(db, '2026-09', '2026-10-21T03:00:00Z');
    await insertValues(db, [count('waiting_count', '2026-09', '', 42, { ...T, rev: 2 }), count('waiting_count', '2026-09', '05', 9, { ...T, rev: 2 })], '2026-11-02T03:00:00Z');
    await finishRun(db, '2026-09', '2026-11-02T03:00:00Z');
    await t.app.pollCaches();
  });
  afterAll(async () => t?.close());

  it('lists the computed periods, newest first, with their revision', async () => {
    const res = await get('/api/v1/stats/periods');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      items: [{ period: '2026-10', revision: 1, computedAt: '2026-11-21T03:00:00.000Z' }, { period: '2026-09', revision: 2, computedAt: '2026-11-02T03:00:00.000Z' }],
      latest: '2026-10',
    });
    const ind = (await get('/api/v1/stats/indicators')).json() as { items: { id: string; kind: string }[] };
    expect(ind.items.find((i) => i.id === 'within_guarantee_share')).toMatchObject({ kind: 'share', byView: true, byGuaranteeKind: true });
  });

  it('gives the overview of the newest month with small cells suppressed', async () => {
    const res = await get('/api/v1/stats/overview');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ period: '2026-10', view: 'excluding_pvv_and_mov', regionCode: null, revision: 1, revisedAt: null, dataAsOf: '2026-11-15', synthetic: true });
    const treatment = body.guarantee.find((g: { guaranteeKind: string }) => g.guaranteeKind === 'treatment');
    expect(treatment).toEqual({ guaranteeKind: 'treatment', waitingCount: 40, withinGuaranteeShare: 0.75, medianWaitedDays: 41, p90WaitedDays: null, completedCount: null, completedWithinGuaranteeShare: null, medianCompletedWaitDays: null, suppressed: false });
    expect(body.brokering).toEqual({ casesOpenedCount: 120, requestsSentCount: null, casesChosenCount: null, casesCompletedCount: null, medianDaysSaved: null, suppressed: false });
    // no specialist first-visit figures in this world: the sentence says so rather than inventing a number
    expect(body.summary.sv).toBe('För oktober 2026 i hela landet är andelen väntande inom vårdgarantin för ett första specialistbesök dold eller saknas.');
    expect(body.summary.en).toBe('For October 2026 nationally, the share of patients waiting for a first specialist visit within the guarantee is hidden or missing.');

    const r01 = (await get('/api/v1/stats/overview?region=01')).json();
    const t01 = r01.guarantee.find((g: { guaranteeKind: string }) => g.guaranteeKind === 'treatment');
    expect(t01).toMatchObject({ waitingCount: 30, medianWaitedDays: 38 });
    // the share's numerators and complements have small cells of their own (1, 2, 2): 01's share may be a complementary cell
    expect([0.8, null]).toContain(t01.withinGuaranteeShare);
    const r04 = (await get('/api/v1/stats/overview?region=04')).json();
    expect(r04.guarantee.find((g: { guaranteeKind: string }) => g.guaranteeKind === 'treatment')).toMatchObject({ waitingCount: null, withinGuaranteeShare: null, medianWaitedDays: null, suppressed: true });
    // region 03 (7) is the complementary cell protecting 04 (3): otherwise 40 − 30 − 7 gives 3 back
    const r03 = (await get('/api/v1/stats/overview?region=03')).json();
    expect(r03.guarantee.find((g: { guaranteeKind: string }) => g.guaranteeKind === 'treatment')).toMatchObject({ waitingCount: null, medianWaitedDays: null, suppressed: true });
  });

  it('answers 404 for a month not computed, naming the newest; 400 for a malformed one; 404 for an unknown region', async () => {
    const res = await get('/api/v1/stats/overview?period=2026-11');
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.json().detail).toBe('No statistics for 2026-11 yet: the newest is 2026-10.');
    expect((await get('/api/v1/stats/overview?period=2026-13')).statusCode).toBe(400);
    expect((await get('/api/v1/stats/overview?region=99')).statusCode).toBe(404);
    expect((await get('/api/v1/stats/overview?view=both')).statusCode).toBe(400);
  });

  it('gives brokering figures with shares, endings and their suppression', async () => {
    const body = (await get('/api/v1/stats/brokering')).json();
    expect(body).toMatchObject({ period: '2026-10', regionCode: null, casesOpenedCount: 120, requestsDueCount: 100, requestsAnsweredInTimeCount: 90, answeredInTimeShare: 0.9, synthetic: true });
    // endings 50 + 2 + 8 = 60: the 2 is hidden and so is the 8 (else 60 − 50 − 8 gives it back)
    expect(body.outcomes).toEqual([
      { ending: 'cancelled:other', casesCount: null },
      { ending: 'closed_unresolved:other', casesCount: null },
      { ending: 'completed:treated', casesCount: 50 },
    ]);
    expect(body.suppressed).toBe(true);
    expect(body.summary.sv).toBe('I oktober 2026 besvarades 90,0 % av förfrågningarna i hela landet inom svarstiden.');
    const r02res = await get('/api/v1/stats/brokering?region=03');
    expect(r02res.statusCode, r02res.body).toBe(200);
    const r02 = r02res.json();
    // 9 of 10: the complement 1 is small, so the share and a count are hidden
    expect(r02.answeredInTimeShare).toBeNull();
    expect(r02.requestsDueCount === null || r02.requestsAnsweredInTimeCount === null).toBe(true);
    expect(r02.casesOpenedCount).toBe(20);
  });

  it('gives a series with revisions, first-published figures, and keeps once-hidden cells hidden', async () => {
    const nat = (await get('/api/v1/stats/series?indicator=waiting_count&guaranteeKind=treatment')).json();
    expect(nat).toMatchObject({ indicatorId: 'waiting_count', unit: 'count', kind: 'count', regionCode: null, view: null, guaranteeKind: 'treatment', breakdown: null });
    expect(nat.items).toEqual([
      { indicatorId: 'waiting_count', period: '2026-09', view: null, guaranteeKind: 'treatment', regionCode: null, breakdown: null, breakdownValue: null, value: null, valueCount: 42, numeratorCount: null, denominatorCount: null, suppressed: false, revision: 2, revisedAt: '2026-11-02T03:00:00.000Z', firstPublished: { value: null, valueCount: 35 } },
      { indicatorId: 'waiting_count', period: '2026-10', view: null, guaranteeKind: 'treatment', regionCode: null, breakdown: null, breakdownValue: null, value: null, valueCount: 40, numeratorCount: null, denominatorCount: null, suppressed: false, revision: 1, revisedAt: null, firstPublished: null },
    ]);
    // region 05 was 2 in revision 1 (hidden) and is 9 in revision 2: still hidden (open question 8), and so is 06,
    // its complementary cell; the first-published figure was hidden too.
    const r05 = (await get('/api/v1/stats/series?indicator=waiting_count&guaranteeKind=treatment&region=05')).json();
    expect(r05.items).toEqual([expect.objectContaining({ period: '2026-09', valueCount: null, suppressed: true, revision: 2, firstPublished: { value: null, valueCount: null } })]);
    const r06 = (await get('/api/v1/stats/series?indicator=waiting_count&guaranteeKind=treatment&region=06')).json();
    expect(r06.items).toEqual([expect.objectContaining({ period: '2026-09', valueCount: null, suppressed: true, revision: 1 })]);
    const from = (await get('/api/v1/stats/series?indicator=waiting_count&guaranteeKind=treatment&from=2026-10')).json();
    expect(from.items.map((i: { period: string }) => i.period)).toEqual(['2026-10']);
  });

  it('compares regions (national first) and breaks down by sex with complementary suppression', async () => {
    const regions = (await get('/api/v1/stats/regions?indicator=within_guarantee_share&guaranteeKind=treatment')).json();
    expect(regions.items.map((i: { regionCode: string | null }) => i.regionCode)).toEqual([null, '01', '03', '04']);
    expect(regions.items[0]).toMatchObject({ value: 0.75, numeratorCount: 30, denominatorCount: 40, suppressed: false, view: 'excluding_pvv_and_mov' });
    expect(regions.items[1]).toMatchObject({ regionCode: '01', denominatorCount: 30 });
    expect([0.8, null]).toContain(regions.items[1].value);
    expect([24, null]).toContain(regions.items[1].numeratorCount);
    for (const i of regions.items.slice(2)) expect(i).toMatchObject({ value: null, suppressed: true });
    const sex = (await get('/api/v1/stats/breakdown?indicator=waiting_count&breakdown=sex&guaranteeKind=treatment')).json();
    expect(sex.items.map((i: { breakdownValue: string; valueCount: number | null }) => [i.breakdownValue, i.valueCount])).toEqual([['F', 25], ['M', null], ['U', null]]);
  });

  it('refuses parameters the indicator does not have, with 400/422 problems that say what to fix', async () => {
    const cases: [string, number, RegExp][] = [
      ['/api/v1/stats/series?indicator=no_such_thing', 400, /indicator/],
      ['/api/v1/stats/series?indicator=waiting_count&guaranteeKind=treatment&view=excluding_pvv', 422, /does not depend on the statistical view/],
      ['/api/v1/stats/series?indicator=within_guarantee_share', 422, /per guarantee kind only/],
      ['/api/v1/stats/series?indicator=requests_declined_count&guaranteeKind=treatment', 422, /not published per guarantee kind/],
      ['/api/v1/stats/breakdown?indicator=p90_completed_wait_days&breakdown=sex&guaranteeKind=treatment', 422, /has no breakdowns/],
      ['/api/v1/stats/breakdown?indicator=waiting_count&breakdown=home_region&region=01&guaranteeKind=treatment', 422, /nationally only/],
      ['/api/v1/stats/series?indicator=waiting_count&guaranteeKind=treatment&breakdown=sex', 422, /together/],
      ['/api/v1/stats/series?indicator=waiting_count&guaranteeKind=treatment&from=2026-10&to=2026-09', 422, /after/],
    ];
    for (const [url, status, message] of cases) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(status);
      expect(res.headers['content-type'], url).toMatch(/application\/problem\+json/);
      expect(res.json().detail, url).toMatch(message);
    }
  });

  it('serves answers from the cache until statistics_version moves', async () => {
    const first = await get('/api/v1/stats/overview?region=01');
    const again = await get('/api/v1/stats/overview?region=01', { 'if-none-match': String(first.headers.etag) });
    expect(again.statusCode).toBe(304);
    // a change without a version bump is not seen (served from memory) …
    // (as a recomputation would: new values with a new computed_at, which is what a period's publication is keyed on)
    await sql`UPDATE indicator_values SET value = 31, numerator_count = 31, computed_at = now() WHERE period = '2026-10' AND indicator_id = 'waiting_count' AND region_code = '01' AND breakdown = ''`.execute(t.database.db);
    await sql`UPDATE indicator_values SET value = 41, numerator_count = 41, computed_at = now() WHERE period = '2026-10' AND indicator_id = 'waiting_count' AND region_code = '' AND breakdown = ''`.execute(t.database.db);
    expect((await get('/api/v1/stats/overview?region=01')).json().guarantee.find((g: { guaranteeKind: string }) => g.guaranteeKind === 'treatment').waitingCount).toBe(30);
    // … a bumped version is
    await sql`UPDATE statistics_version SET version = version + 1 WHERE id = 1`.execute(t.database.db);
    await t.app.pollCaches();
    expect((await get('/api/v1/stats/overview?region=01')).json().guarantee.find((g: { guaranteeKind: string }) => g.guaranteeKind === 'treatment').waitingCount).toBe(31);
  });

  it('gives a provider its own units live, and refuses other organisations and the public', async () => {
    const provider = await t.auth({ roles: ['provider'], organizationId: 'region-01' });
    const res = await get('/api/v1/stats/provider?period=2026-11', provider);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.organizationId).toBe('region-01');
    expect(body.synthetic).toBe(true); // the demo directory: the page labels its figures as made up
    const units = await t.database.db.selectFrom('units').select('hsa_id').where('organization_id', '=', 'region-01').execute();
    expect(body.units.map((u: { unitHsaId: string }) => u.unitHsaId).sort()).toEqual(units.map((u) => u.hsa_id).sort());
    expect((await get('/api/v1/stats/provider?organization=region-03', provider)).statusCode).toBe(403);
    expect((await get('/api/v1/stats/provider')).statusCode).toBe(401);
    expect((await get('/api/v1/stats/provider', await t.auth({ roles: ['coordinator'], regionCode: '01' }))).statusCode).toBe(403);
    const analyst = await t.auth({ roles: ['analyst'] });
    expect((await get('/api/v1/stats/provider?organization=region-03', analyst)).json().organizationId).toBe('region-03');
    expect((await get('/api/v1/stats/provider?organization=nope', analyst)).statusCode).toBe(404);
    expect((await get('/api/v1/stats/provider?period=2027-01', provider)).statusCode).toBe(422);
  });
});
