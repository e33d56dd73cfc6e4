import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { startTestApp, type TestApp } from './helpers/app.js';
import { targets } from './helpers/db.js';
import { runCli } from '../src/cli/program.js';
import type { CliIo } from '../src/cli/io.js';

const FIX = 'test/fixtures/waiting-list';
const fixture = (name: string): Buffer => fs.readFileSync(path.join(FIX, name));
const CLOCK = '2026-03-02T09:00:00Z';

describe.each(targets)('waiting-list submissions on %s', (target) => {
  let t: TestApp;
  let reporter: { authorization: string };
  beforeAll(async () => {
    t = await startTestApp(target, { clock: CLOCK });
    reporter = await t.auth({ roles: ['region-reporter'], regionCode: '01', subject: 'region-01-system' });
  });
  afterAll(async () => t?.close());

  const submit = async (body: Buffer | string, query = 'mode=delta', contentType = 'text/csv', headers = reporter) =>
    t.app.inject({ method: 'POST', url: `/api/v1/waiting-list/submissions?${query}`, headers: { ...headers, 'content-type': contentType }, payload: body });
  const episode = async (recordId: string) =>
    t.database.db.selectFrom('waiting_episodes').selectAll().where('region_code', '=', '01').where('record_id', '=', recordId).executeTakeFirst();
  const countEpisodes = async () => (await sql<{ n: number }>`SELECT count(*)::int AS n FROM waiting_episodes`.execute(t.database.db)).rows[0]!.n;
  const csvOf = (rows: string[][]) => `${rows.map((r) => r.join(',')).join('\n')}\n`;
  const original = fixture('valid-delta.csv').toString('utf8');
  const lines = original.trimEnd().split('\n').map((l) => l.split(','));

  it('a valid delta inserts every row, records the submission, audits it and leaves no staging behind', async () => {
    const r = await submit(fixture('valid-delta.csv'));
    expect(r.statusCode, r.body).toBe(201);
    const body = r.json();
    expect(body).toMatchObject({ status: 'applied', dryRun: false, received: 3, inserted: 3, updated: 0, removed: 0, unchanged: 0 });
    const e3 = await episode('R-3');
    expect(e3).toMatchObject({ status: 'completed', completed_on: '2026-01-15', patient_chosen_days: 12, medical_pause_days: 3, unit_hsa_id: 'SE2321000016-E0001', first_submission_id: body.submissionId });
    const got = await t.app.inject({ method: 'GET', url: `/api/v1/waiting-list/submissions/${body.submissionId}`, headers: reporter });
    expect(got.statusCode).toBe(200);
    expect(got.json()).toMatchObject({ id: body.submissionId, regionCode: '01', mode: 'delta', status: 'applied', submittedBy: 'region-01-system', received: 3, inserted: 3, errorCount: 0, contentType: 'text/csv' });
    const audit = await t.database.db.selectFrom('audit_events').selectAll().where('action', '=', 'waiting_list.submit').where('entity_id', '=', body.submissionId).execute();
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit[0]!.details)).not.toMatch(/[0-9a-f]{64}/); // no patient keys in the audit
    const staged = await sql<{ n: number }>`SELECT count(*)::int AS n FROM staging_waiting_episodes`.execute(t.database.db);
    expect(staged.rows[0]!.n).toBe(0);
    // it said it was alive while it worked (so the recovery job leaves a long import alone)
    const row = await t.database.db.selectFrom('submissions').select('heartbeat_at').where('id', '=', body.submissionId).executeTakeFirstOrThrow();
    expect(row.heartbeat_at).not.toBeNull();
  });

  it('a byte-identical file again is a no-op answering the first result', async () => {
    const first = await submit(fixture('valid-delta.csv'), 'mode=snapshot&dryRun=true'); // a dry run does not count as applied
    expect(first.statusCode).toBe(200);
    const before = await t.database.db.selectFrom('submissions').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
    const again = await submit(fixture('valid-delta.csv'));
    expect(again.statusCode).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toMatchObject({ status: 'applied', received: 3, inserted: 3, updated: 0, unchanged: 0 });
    const after = await t.database.db.selectFrom('submissions').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it('changed rows count as updated, equal rows as unchanged, new ones as inserted', async () => {
    const changed = lines.map((l) => [...l]);
    changed[1]![9] = '5'; // patient_chosen_days 0 → 5
    changed.push(['R-4', ...changed[1]!.slice(1)]);
    const r = await submit(csvOf(changed));
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json()).toMatchObject({ received: 4, inserted: 1, updated: 1, unchanged: 2, removed: 0 });
    expect((await episode('R-1'))!.patient_chosen_days).toBe(5);
    expect((await episode('R-1'))!.last_submission_id).toBe(r.json().submissionId);
    expect((await episode('R-2'))!.last_submission_id).not.toBe(r.json().submissionId);
  });

  it('a dry run validates, tells what would happen and changes nothing', async () => {
    const before = await countEpisodes();
    const changed = lines.map((l) => [...l]);
    changed.push(['R-dry', ...changed[1]!.slice(1)]);
    const r = await submit(csvOf(changed), 'mode=delta&dryRun=true');
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ status: 'validated', dryRun: true, received: 4, inserted: 1 });
    expect(await countEpisodes()).toBe(before);
    expect(await episode('R-dry')).toBeUndefined();
  });

  it('a snapshot marks the region’s episodes absent from the file as removed', async () => {
    const absent = await sql<{ n: number }>`SELECT count(*)::int AS n FROM waiting_episodes WHERE region_code = '01' AND status IN ('waiting', 'completed') AND record_id NOT IN ('R-1', 'R-2')`.execute(t.database.db);
    const r = await submit(csvOf(lines.slice(0, 3)), 'mode=snapshot');
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json()).toMatchObject({ received: 2, removed: absent.rows[0]!.n });
    expect(absent.rows[0]!.n).toBeGreaterThanOrEqual(2); // at least
    expect((await episode('R-3'))!.status).toBe('removed');
    expect((await episode('R-4'))!.status).toBe('removed');
    expect((await episode('R-1'))!.status).toBe('waiting');
  });

  it('reads a semicolon-separated CRLF file with quoted fields', async () => {
    const r = await submit(fixture('semicolon-crlf.csv'));
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json()).toMatchObject({ inserted: 2 });
    expect(await episode('R;12')).toBeDefined();
  });

  it('reads UTF-8 with a BOM', async () => {
    const r = await submit(fixture('bom.csv'));
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json()).toMatchObject({ inserted: 2 });
    expect(await episode('R-21')).toBeDefined();
  });

  it('reads Windows-1252 as Swedish spreadsheets save it', async () => {
    expect(fixture('windows-1252.csv').includes(Buffer.from('Växjö', 'latin1'))).toBe(true);
    const r = await submit(fixture('windows-1252.csv'));
    expect(r.statusCode, r.body).toBe(201);
    expect(await episode('Växjö-å-31')).toBeDefined();
    expect(await episode('Öst-ä-32')).toBeDefined();
  });

  it('reads NDJSON with numbers as numbers', async () => {
    const r = await submit(fixture('valid.ndjson'), 'mode=delta', 'application/x-ndjson');
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json()).toMatchObject({ inserted: 2 });
    expect((await episode('R-42'))!.completed_on).toBe('2026-02-01');
  });

  it('keeps a spreadsheet formula in record_id as plain text', async () => {
    const r = await submit(fixture('formula-record-id.csv'));
    expect(r.statusCode, r.body).toBe(201);
    expect(await episode('=HYPERLINK("http://evil.example","klick")')).toBeDefined();
  });

  it('only a region-reporter with a region may submit, and reads are scoped to the region', async () => {
    const analyst = await submit(fixture('valid-delta.csv'), 'mode=delta', 'text/csv', await t.auth({ roles: ['analyst'] }));
    expect(analyst.statusCode).toBe(403);
    const noRegion = await submit(fixture('valid-delta.csv'), 'mode=delta', 'text/csv', await t.auth({ roles: ['region-reporter'] }));
    expect(noRegion.statusCode).toBe(403);
    const anon = await t.app.inject({ method: 'POST', url: '/api/v1/waiting-list/submissions', headers: { 'content-type': 'text/csv' }, payload: 'x' });
    expect(anon.statusCode).toBe(401);
    // a reporter of region 03 sending region 01's rows: every row refused
    const other = await submit(fixture('valid-delta.csv'), 'mode=delta', 'text/csv', await t.auth({ roles: ['region-reporter'], regionCode: '03' }));
    expect(other.statusCode).toBe(422);
    expect(other.json().errors[0]).toMatchObject({ line: 2, field: 'region_code' });
    const id = other.json().submissionId as string;
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/waiting-list/submissions/${id}`, headers: reporter })).statusCode).toBe(404);
    const own = await t.app.inject({ method: 'GET', url: `/api/v1/waiting-list/submissions/${id}`, headers: await t.auth({ roles: ['region-reporter'], regionCode: '03' }) });
    expect(own.json()).toMatchObject({ status: 'rejected', errorCount: 3, regionCode: '03' });
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/waiting-list/submissions/${id}`, headers: await t.auth({ roles: ['admin'] }) })).statusCode).toBe(200);
  });

  it('two submissions for the same region at once are applied one after the other, never interleaved', async () => {
    const a = lines.map((l, i) => (i === 0 ? l : [`C-${i}`, ...l.slice(1)]));
    const b = a.map((l, i) => (i === 0 ? l : [...l.slice(0, 9), '7', ...l.slice(10)]));
    const [ra, rb] = await Promise.all([submit(csvOf(a)), submit(csvOf(b))]);
    expect([ra.statusCode, rb.statusCode]).toEqual([201, 201]);
    const x = ra.json();
    const y = rb.json();
    expect(x.inserted + y.inserted).toBe(3); // whichever came first inserted the three, the other updated them
    expect(x.updated + y.updated).toBe(3);
    const finalPvv = (await episode('C-1'))!.patient_chosen_days;
    expect(finalPvv).toBe(y.updated === 3 ? 7 : 0);
  });

  it('the CLI imports a file with a summary, and exits 1 naming the errors of a rejected one', async () => {
    const out: string[] = [];
    const io: CliIo = {
      out: (l) => out.push(l), err: (l) => out.push(l), config: () => t.config, connect: async () => ({ ...t.database, close: async () => {} }),
      readFile: (p) => fs.readFileSync(p, 'utf8'), writeNewFile: () => {}, fileExists: (p) => fs.existsSync(p),
    };
    const ok = await runCli(['import', 'waiting-list', path.join(FIX, 'valid.ndjson'), '--region', '01', '--no-progress'], io);
    expect(ok, out.join('\n')).toBe(0);
    expect(out.join('\n')).toMatch(/applied|replayed/i);
    out.length = 0;
    const bad = await runCli(['import', 'waiting-list', path.join(FIX, 'personnummer-patient-key.csv'), '--region', '01', '--no-progress'], io);
    expect(bad).toBe(1);
    expect(out.join('\n')).toMatch(/line 3.*patient_key/);
  });
});
