import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../src/db/schema.js';
import { csvCell, toCsv } from '../src/domain/csv.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { targets } from './helpers/db.js';

interface V { id: string; period: string; view?: string; kind?: string; region?: string; b?: string; bv?: string; value: number | null; num?: number | null; den?: number | null }

async function insertValues(db: Kysely<DB>, rows: V[]): Promise<void> {
  for (const r of rows)
    await sql`INSERT INTO indicator_values (indicator_id, period, view, guarantee_kind, region_code, breakdown, breakdown_value, revision, value, numerator_count, denominator_count, computed_at)
              VALUES (${r.id}, ${r.period}, ${r.view ?? ''}, ${r.kind ?? ''}, ${r.region ?? ''}, ${r.b ?? ''}, ${r.bv ?? ''}, 1, ${r.value}, ${r.num ?? null}, ${r.den ?? null}, '2026-11-21T03:00:00Z')`.execute(db);
}
const count = (id: string, region: string, n: number, extra: Partial<V> = {}): V => ({ id, period: '2026-10', region, value: n, num: n, ...extra });

/** A minimal RFC 4180 reader for the test (quotes, doubled quotes, CRLF). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += ch;
  }
  return rows;
}

describe('spreadsheet-safe CSV', () => {
  it('neutralises formulas in text, keeps numbers, quotes what needs quoting', () => {
    expect(['=SUM(A1)', '+46', '-x', '@cmd', '\tx', '\rx'].map(csvCell)).toEqual(["'=SUM(A1)", "'+46", "'-x", "'@cmd", "'\tx", "\"'\rx\""]);
    expect([-5, 0, 0.25, null, undefined, true, 'a,b', 'say "hi"', ' pad'].map(csvCell)).toEqual(['-5', '0', '0.25', '', '', 'true', '"a,b"', '"say ""hi"""', '" pad"']);
    expect(csvCell(Number.NaN)).toBe('');
    expect(toCsv(['a', 'b'], [[1, '=x'], [null, 'y']])).toBe("a,b\r\n1,'=x\r\n,y\r\n");
  });
});

describe.each(targets)('open data on %s', (target) => {
  let t: TestApp;
  const get = async (url: string) => t.app.inject({ method: 'GET', url });

  beforeAll(async () => {
    t = await startTestApp(target, { clock: '2026-11-26T10:00:00Z' });
    const db = t.database.db;
    await sql`DELETE FROM indicator_values`.execute(db);
    await sql`DELETE FROM statistics_runs`.execute(db);
    const T = { kind: 'treatment' };
    await insertValues(db, [
      count('waiting_count', '', 40, T), count('waiting_count', '01', 30, T), count('waiting_count', '03', 7, T), count('waiting_count', '04', 3, T),
      count('waiting_count', '', 25, { ...T, b: 'sex', bv: 'F' }), count('waiting_count', '', 15, { ...T, b: 'sex', bv: 'M' }),
      { id: 'within_guarantee_share', period: '2026-10', view: 'excluding_pvv', kind: 'treatment', region: '', value: 0.75, num: 30, den: 40 },
      { id: 'median_waited_days', period: '2026-10', view: 'excluding_pvv', kind: 'treatment', region: '', value: 41, den: 40 },
      // an ending whose text would be a formula in a spreadsheet
      count('cases_ended_count', '', 20), count('cases_ended_count', '', 20, { b: 'ending', bv: '=HYPERLINK("http://x")' }),
      { id: 'fresh_capacity_report_share', period: '2026-10', region: '01', value: 0.75, num: 3, den: 4 },
      { id: 'connected_systems', period: '2026-10', region: '01', value: 2 },
    ]);
    await sql`INSERT INTO statistics_runs (period, started_at, finished_at, triggered_by) VALUES ('2026-10', '2026-11-21T03:00:00Z', '2026-11-21T03:00:00Z', 'test')`.execute(db);
    await sql`UPDATE statistics_version SET version = version + 1 WHERE id = 1`.execute(db);
    await t.app.pollCaches();
  });
  afterAll(async () => t?.close());

  it('lists the datasets with stable links, the licence and the changelog', async () => {
    const res = await get('/api/v1/open-data');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.licence).toEqual({ id: 'CC0-1.0', name: 'Creative Commons Zero v1.0 Universal (CC0 1.0)', url: 'https://creativecommons.org/publicdomain/zero/1.0/deed.sv' });
    expect(body.items.map((i: { id: string }) => i.id)).toEqual(['guarantee-compliance', 'waits', 'brokering', 'participation', 'equity']);
    expect(body.items[1]).toMatchObject({ licence: body.licence, view: null, updatedAt: '2026-11-21T03:00:00.000Z', links: { csv: '/api/v1/open-data/waits.csv', json: '/api/v1/open-data/waits.json', dictionary: '/api/v1/open-data/waits/dictionary' } });
    expect(body.changelogUrl).toBe('/oppen-data#andringslogg');
    expect(body.synthetic).toBe(true); // the test directory is the synthetic demo directory
    for (const item of body.items) for (const link of Object.values(item.links) as string[]) expect((await get(link)).statusCode, link).toBe(200);
  });

  it('serves a dataset as UTF-8 CSV with a file name, counts in _count columns and suppressed cells empty', async () => {
    const res = await get('/api/v1/open-data/guarantee-compliance.csv');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="nationell-vardformedling-guarantee-compliance.csv"');
    expect(res.headers.link).toBe('<https://creativecommons.org/publicdomain/zero/1.0/deed.sv>; rel="license"');
    const [header, ...rows] = parseCsv(res.body);
    expect(header).toEqual(['period', 'indicator_id', 'definition_version', 'view', 'guarantee_kind', 'region_code', 'breakdown', 'breakdown_value', 'value', 'value_count', 'numerator_count', 'denominator_count', 'suppressed', 'revision', 'revised_at']);
    const byRegion = (id: string, region: string) => rows.find((r) => r[1] === id && r[5] === region && r[6] === '');
    expect(byRegion('waiting_count', '')).toEqual(['2026-10', 'waiting_count', '1', '', 'treatment', '', '', '', '', '40', '', '', 'false', '1', '']);
    expect(byRegion('waiting_count', '01')).toEqual(['2026-10', 'waiting_count', '1', '', 'treatment', '01', '', '', '', '30', '', '', 'false', '1', '']);
    expect(byRegion('waiting_count', '04')).toEqual(['2026-10', 'waiting_count', '1', '', 'treatment', '04', '', '', '', '', '', '', 'true', '1', '']);
    expect(byRegion('waiting_count', '03')![12]).toBe('true');
    expect(byRegion('within_guarantee_share', '')).toEqual(['2026-10', 'within_guarantee_share', '1', 'excluding_pvv', 'treatment', '', '', '', '0.75', '', '30', '40', 'false', '1', '']);
    // breakdowns belong to the equity dataset, not this one
    expect(rows.some((r) => r[6] !== '')).toBe(false);
    // the mechanical check: every _count cell is empty (suppressed), 0 or at least 5
    header!.forEach((col, i) => {
      if (col.endsWith('_count')) for (const r of rows) expect(r[i] === '' || r[i] === '0' || Number(r[i]) >= 5, `${col} = ${r[i]}`).toBe(true);
    });
    // served from memory the second time: same bytes
    expect((await get('/api/v1/open-data/guarantee-compliance.csv')).body).toBe(res.body);
  });

  it('sends kept answers gzip-compressed to clients that take gzip, with ETags per encoding and 304s, the same to every anonymous caller', async () => {
    const url = '/api/v1/open-data/waits.json';
    const plain = await get(url);
    expect(plain.rawPayload.length).toBeGreaterThanOrEqual(1400); // smaller answers are sent as they are
    const small = await t.app.inject({ method: 'GET', url: '/api/v1/open-data/guarantee-compliance.csv', headers: { 'accept-encoding': 'gzip' } });
    expect(small.rawPayload.length).toBeLessThan(1400);
    expect(small.headers['content-encoding']).toBeUndefined();
    expect(small.headers['content-disposition']).toBe('attachment; filename="nationell-vardformedling-guarantee-compliance.csv"');
    expect(small.headers.etag).toMatch(/^"d[\w-]{20}"$/);
    const gz = await t.app.inject({ method: 'GET', url, headers: { 'accept-encoding': 'br;q=1, gzip;q=0.8' } });
    expect(gz.statusCode).toBe(200);
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers.vary).toBe('accept-encoding');
    expect(gunzipSync(gz.rawPayload).toString('utf8')).toBe(plain.body);
    expect(gz.rawPayload.length).toBeLessThan(plain.rawPayload.length);
    // the route's own headers come with the kept answer too
    for (const h of ['content-type', 'link', 'cache-control']) expect(gz.headers[h], h).toBe(plain.headers[h]);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(gz.headers.etag).not.toBe(plain.headers.etag);
    expect((await t.app.inject({ method: 'GET', url, headers: { 'accept-encoding': 'gzip;q=0' } })).headers['content-encoding']).toBeUndefined();
    // If-None-Match per encoding
    const again = await t.app.inject({ method: 'GET', url, headers: { 'accept-encoding': 'gzip', 'if-none-match': gz.headers.etag as string } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect((await t.app.inject({ method: 'GET', url, headers: { 'if-none-match': plain.headers.etag as string } })).statusCode).toBe(304);
    expect((await t.app.inject({ method: 'GET', url, headers: { 'if-none-match': '"other"' } })).statusCode).toBe(200);
    // a JSON dataset keeps its Link header on every answer, and the security headers and a request id are there
    const json1 = await get('/api/v1/open-data/waits.json');
    const json2 = await get('/api/v1/open-data/waits.json');
    expect(json2.headers.link).toBe('<https://creativecommons.org/publicdomain/zero/1.0/deed.sv>; rel="license"');
    expect(json2.body).toBe(json1.body);
    expect(json2.headers['content-security-policy']).toContain("default-src 'self'");
    expect(json2.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    // a caller with a bad token is not answered from the kept answers: still a 401
    const bad = await t.app.inject({ method: 'GET', url: '/api/v1/open-data/waits.json', headers: { authorization: 'Bearer not-a-token' } });
    expect(bad.statusCode).toBe(401);
  });

  it('neutralises text that a spreadsheet would run as a formula', async () => {
    const csv = (await get('/api/v1/open-data/brokering.csv')).body;
    expect(csv).toContain(`"'=HYPERLINK(""http://x"")"`);
    const json = (await get('/api/v1/open-data/brokering.json')).json();
    expect(json.rows.find((r: { breakdown: string }) => r.breakdown === 'ending').breakdown_value).toBe('=HYPERLINK("http://x")');
  });

  it('serves the same rows as JSON with the dictionary, licence and view', async () => {
    const res = await get('/api/v1/open-data/equity.json');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ dataset: 'equity', title: { sv: 'Jämlikhet', en: 'Equity' }, licence: { id: 'CC0-1.0' }, view: null, definitionVersion: 1, synthetic: true });
    expect(body.dictionary.map((c: { column: string }) => c.column)).toContain('value_count');
    expect(body.rows).toEqual([
      { period: '2026-10', indicator_id: 'waiting_count', definition_version: 1, view: '', guarantee_kind: 'treatment', region_code: '', breakdown: 'sex', breakdown_value: 'F', value: null, value_count: 25, numerator_count: null, denominator_count: null, suppressed: false, revision: 1, revised_at: null },
      { period: '2026-10', indicator_id: 'waiting_count', definition_version: 1, view: '', guarantee_kind: 'treatment', region_code: '', breakdown: 'sex', breakdown_value: 'M', value: null, value_count: 15, numerator_count: null, denominator_count: null, suppressed: false, revision: 1, revised_at: null },
    ]);
    const dict = (await get('/api/v1/open-data/equity/dictionary')).json();
    expect(dict).toEqual({ dataset: 'equity', licence: body.licence, definitionVersion: 1, dictionary: body.dictionary });
  });

  it('publishes participation figures unsuppressed, without _count columns (they count units, not people)', async () => {
    const rows = parseCsv((await get('/api/v1/open-data/participation.csv')).body);
    expect(rows[0]).not.toContain('value_count');
    expect(rows[0]).toContain('numerator');
    const fresh = rows.find((r) => r[1] === 'fresh_capacity_report_share')!;
    expect([fresh[8], fresh[9], fresh[10], fresh[11]]).toEqual(['0.75', '3', '4', 'false']);
  });

  it('says the data are not synthetic once the directory holds no synthetic unit or organisation', async () => {
    const db = t.database.db;
    const synthetic = async () => ({ list: (await get('/api/v1/open-data')).json().synthetic, dataset: (await get('/api/v1/open-data/waits.json')).json().synthetic });
    expect(await synthetic()).toEqual({ list: true, dataset: true });
    const units = (await sql<{ id: string }>`UPDATE units SET synthetic = false WHERE synthetic RETURNING hsa_id AS id`.execute(db)).rows.map((r) => r.id);
    const orgs = (await sql<{ id: string }>`UPDATE organizations SET synthetic = false WHERE synthetic RETURNING id`.execute(db)).rows.map((r) => r.id);
    try {
      await sql`UPDATE statistics_version SET version = version + 1 WHERE id = 1`.execute(db);
      await t.app.pollCaches();
      expect(await synthetic()).toEqual({ list: false, dataset: false });
    } finally {
      await sql`UPDATE units SET synthetic = true WHERE hsa_id = ANY(${units})`.execute(db);
      await sql`UPDATE organizations SET synthetic = true WHERE id = ANY(${orgs})`.execute(db);
      await sql`UPDATE statistics_version SET version = version + 1 WHERE id = 1`.execute(db);
      await t.app.pollCaches();
    }
  });

  it('answers 404 naming the datasets for an unknown one', async () => {
    for (const url of ['/api/v1/open-data/secrets.csv', '/api/v1/open-data/secrets.json', '/api/v1/open-data/secrets/dictionary']) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.json().detail).toBe('There is no open dataset "secrets"; the datasets are guarantee-compliance, waits, brokering, participation, equity.');
    }
  });
});
