import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { startTestApp, type TestApp } from './helpers/app.js';
import { targets } from './helpers/db.js';

const FIX = 'test/fixtures/waiting-list';
const fixture = (name: string): Buffer => fs.readFileSync(path.join(FIX, name));
const CASES = JSON.parse(fs.readFileSync(path.join(FIX, 'bad-cases.json'), 'utf8')) as { file: string; line: number; field: string | null }[];
const LIMIT = 12 * 1024 * 1024;
const HEADER = 'record_id,region_code,unit_hsa_id,service_id,patient_key,sex,birth_year,home_municipality,clock_start,patient_chosen_days,medical_pause_days,status,completed_on,booked_on';
const key = (i: number) => crypto.createHash('sha256').update(`patient-${i}`).digest('hex');
const goodRow = (id: string, i = 1) => `${id},01,SE2321000016-E0001,knee-replacement,${key(i)},F,1956,0180,2025-10-01,0,0,waiting,,`;

describe.each(targets)('waiting-list bad input on %s', (target) => {
  let t: TestApp;
  let reporter: { authorization: string };
  beforeAll(async () => {
    t = await startTestApp(target, { clock: '2026-03-02T09:00:00Z', env: { WAITING_LIST_MAX_BYTES: String(LIMIT) } });
    reporter = await t.auth({ roles: ['region-reporter'], regionCode: '01' });
  });
  afterAll(async () => {
    await t?.close();
  });

  const submit = async (body: Buffer | string, contentType = 'text/csv', query = 'mode=snapshot') =>
    t.app.inject({ method: 'POST', url: `/api/v1/waiting-list/submissions?${query}`, headers: { ...reporter, 'content-type': contentType }, payload: body });
  const state = async () =>
    (await sql<{ n: number; h: string }>`SELECT count(*)::int AS n, coalesce(md5(string_agg(region_code || record_id || status || updated_at::text, ',' ORDER BY region_code, record_id)), '') AS h FROM waiting_episodes`.execute(t.database.db)).rows[0]!;
  const healthy = async () => expect((await t.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);

  it.each(CASES)('$file → 4xx naming line $line and field $field, nothing applied', async ({ file, line, field }) => {
    const before = await state();
    const r = await submit(fixture(file), file.endsWith('.ndjson') ? 'application/x-ndjson' : 'text/csv');
    expect(r.statusCode, r.body).toBe(422);
    expect(r.headers['content-type']).toMatch(/application\/problem\+json/);
    const body = r.json();
    expect(body.errorCount).toBeGreaterThanOrEqual(1);
    const match = (body.errors as { line?: number; field?: string }[]).find((e) => e.line === line && (field === null || e.field === field));
    expect(match, JSON.stringify(body.errors)).toBeDefined();
    expect(await state()).toEqual(before);
    // the rejected submission is on record with its error report
    const got = await t.app.inject({ method: 'GET', url: `/api/v1/waiting-list/submissions/${body.submissionId}`, headers: reporter });
    expect(got.json()).toMatchObject({ status: 'rejected', errorCount: body.errorCount });
    await healthy();
  });

  it('a =HYPERLINK value in service_id is reported as text, not evaluated', async () => {
    const r = await submit(fixture('formula-in-service.csv'));
    expect(r.json().errors[0].message).toContain('"=HYPERLINK(\\"http://evil.example\\"');
  });

  it('a 10 MB line → 422 naming the line, the server stays healthy', async () => {
    const body = `${HEADER}\n${goodRow('R-1')}\n${'x'.repeat(10 * 1024 * 1024)},01\n${goodRow('R-3', 3)}\n`;
    const before = await state();
    const r = await submit(body);
    expect(r.statusCode).toBe(422);
    expect(r.json().errors[0]).toMatchObject({ line: 3 });
    expect(r.json().errors[0].message).toMatch(/longer than/);
    expect(await state()).toEqual(before);
    const nd = await submit(`{"record_id":"${'y'.repeat(10 * 1024 * 1024)}"}\n`, 'application/x-ndjson');
    expect(nd.statusCode).toBe(422);
    expect(nd.json().errors[0]).toMatchObject({ line: 1 });
    await healthy();
  });

  it('over the size limit → 413, nothing recorded or applied', async () => {
    const before = await state();
    const rows = Array.from({ length: Math.ceil(LIMIT / 100) + 10 }, (_, i) => goodRow(`B-${i}`, i)).join('\n');
    const r = await submit(`${HEADER}\n${rows}\n`);
    expect(r.statusCode).toBe(413);
    expect(await state()).toEqual(before);
    await healthy();
  });

  it('anything but CSV or NDJSON → 415', async () => {
    for (const ct of ['text/plain', 'application/json', 'application/xml']) {
      const r = await submit(ct === 'application/json' ? '{"record_id":"x"}' : 'record_id\nx\n', ct);
      expect(r.statusCode, ct).toBe(415);
    }
  });

  it('reports the first 1,000 errors of many with their total', async () => {
    const rows = Array.from({ length: 1500 }, (_, i) => goodRow(`E-${i}`, i).replace(',F,', ',X,'));
    const r = await submit(`${HEADER}\n${rows.join('\n')}\n`);
    expect(r.statusCode).toBe(422);
    expect(r.json().errorCount).toBe(1500);
    expect(r.json().errors).toHaveLength(1000);
    expect(r.json().errors[999]).toMatchObject({ line: 1001, field: 'sex' });
  });

  it('property: random files never give a 5xx and are applied whole or not at all', async () => {
    const cell = fc.oneof(
      fc.constant(''), fc.string({ maxLength: 8 }), fc.constantFrom('01', '03', 'F', 'Q', '1956', '0180', '9999', '2025-10-01', '2027-01-01', '-1', 'waiting', 'completed', '"', '"a""b"', '=SUM(A1)', '\u00e5'),
    );
    const row = fc.record({
      id: fc.integer({ min: 0, max: 40 }),
      valid: fc.boolean(),
      mutate: fc.integer({ min: 0, max: 13 }),
      value: cell,
    });
    const file = fc.record({ rows: fc.array(row, { maxLength: 12 }), delimiter: fc.constantFrom(',', ';'), crlf: fc.boolean(), ndjson: fc.boolean(), mode: fc.constantFrom('delta', 'snapshot') });
    await fc.assert(
      fc.asyncProperty(file, async (f) => {
        const cols = HEADER.split(',');
        const records = f.rows.map((r) => {
          const v = goodRow(`P-${r.id}`, r.id).split(',');
          if (!r.valid) v[r.mutate] = r.value;
          return v;
        });
        const nl = f.crlf ? '\r\n' : '\n';
        const body = f.ndjson
          ? records.map((v) => JSON.stringify(Object.fromEntries(cols.map((c, i) => [c, v[i]])))).join(nl)
          : [cols, ...records].map((v) => v.join(f.delimiter)).join(nl) + nl;
        const before = await state();
        const r = await submit(body, f.ndjson ? 'application/x-ndjson' : 'text/csv', `mode=${f.mode}`);
        expect(r.statusCode, r.body).toBeLessThan(500);
        const after = await state();
        if (r.statusCode >= 400) expect(after).toEqual(before);
        else {
          // every row of the file is there as sent (status included)
          const ids = records.map((v) => v[0]!.trim());
          const present = await sql<{ n: number }>`SELECT count(*)::int AS n FROM waiting_episodes WHERE region_code = '01' AND record_id = ANY(${ids}::text[]) AND last_submission_id = ${r.json().submissionId}::uuid`.execute(t.database.db);
          if (r.statusCode === 201 && r.json().inserted + r.json().updated === records.length) expect(present.rows[0]!.n).toBe(new Set(ids).size);
          expect(r.json().inserted + r.json().updated + r.json().unchanged).toBe(records.length);
        }
      }),
      { numRuns: 30, seed: 20260302 },
    );
    await healthy();
  });
});
