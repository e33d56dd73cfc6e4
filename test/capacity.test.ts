import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { currentCapacityReports } from '../src/db/capacity.repository.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { targets } from './helpers/db.js';

const CLOCK = '2026-11-26T10:00:00Z';
const TODAY = '2026-11-26';
const fixture = (name: string) => fs.readFileSync(new URL(`./fixtures/capacity/${name}`, import.meta.url));

interface UnitRow { hsa_id: string; organization_id: string; region_code: string; services: string[] }

describe.each(targets)('capacity and expected waits on %s', (target) => {
  let t: TestApp;
  /** a unit of organisation region-01 in region 01 offering at least three services */
  let unit: UnitRow;
  /** a unit of another organisation in another region */
  let other: UnitRow;
  let notOffered: string;

  const put = async (hsaId: string, serviceId: string, payload: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'PUT', url: `/api/v1/units/${hsaId}/capacity/${serviceId}`, headers, payload: payload as object });
  const submit = async (body: string | Buffer, type: string, headers: Record<string, string>) =>
    t.app.inject({ method: 'POST', url: '/api/v1/capacity/submissions', headers: { ...headers, 'content-type': type }, payload: body });
  const report = (validFrom: string, extra: Record<string, unknown> = {}) => ({ expectedWaitDays: 30, weeklyCapacityForOtherRegions: 4, acceptsOtherRegions: true, validFrom, ...extra });
  const provider = () => t.auth({ roles: ['provider'], organizationId: unit.organization_id, subject: 'provider-1' });
  const admin = () => t.auth({ roles: ['admin'] });
  const reportCount = async () => Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM capacity_reports`.execute(t.database.db)).rows[0]!.n);
  const rowsFor = async (hsaId: string) => t.database.db.selectFrom('capacity_reports').selectAll().where('unit_hsa_id', '=', hsaId).orderBy('service_id').orderBy('valid_from').execute();

  beforeAll(async () => {
    t = await startTestApp(target, { clock: CLOCK });
    const units = await sql<UnitRow>`
      SELECT u.hsa_id, u.organization_id, u.region_code, array_agg(s.service_id ORDER BY s.service_id) AS services
      FROM units u JOIN unit_services s ON s.unit_hsa_id = u.hsa_id
      GROUP BY u.hsa_id, u.organization_id, u.region_code HAVING count(*) >= 3 ORDER BY u.hsa_id`.execute(t.database.db);
    unit = units.rows.find((u) => u.organization_id === 'region-01' && u.region_code === '01')!;
    other = units.rows.find((u) => u.organization_id !== 'region-01' && u.region_code !== '01')!;
    expect(unit).toBeDefined();
    expect(other).toBeDefined();
    const all = await t.database.db.selectFrom('services').select('id').execute();
    notOffered = all.map((s) => s.id).find((id) => !unit.services.includes(id))!;
  });
  afterAll(async () => t?.close());

  describe('PUT /units/{hsaId}/capacity/{serviceId}', () => {
    it('a provider of the unit’s organisation reports (201), and the same validFrom replaces that version (200)', async () => {
      const auth = await provider();
      const first = await put(unit.hsa_id, unit.services[0]!, report('2026-11-20', { comment: 'Första' }), auth);
      expect(first.statusCode).toBe(201);
      expect(first.json()).toEqual({
        unitHsaId: unit.hsa_id, serviceId: unit.services[0], validFrom: '2026-11-20', expectedWaitDays: 30, weeklyCapacityForOtherRegions: 4,
        acceptsOtherRegions: true, comment: 'Första', reportedAt: new Date(CLOCK).toISOString(), stale: false,
      });
      const again = await put(unit.hsa_id, unit.services[0]!, report('2026-11-20', { expectedWaitDays: 21 }), auth);
      expect(again.statusCode).toBe(200);
      expect(again.json()).toMatchObject({ expectedWaitDays: 21, comment: null });
      const rows = (await rowsFor(unit.hsa_id)).filter((r) => r.service_id === unit.services[0]);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ valid_from: '2026-11-20', expected_wait_days: 21, reported_by: 'provider-1' });
    });

    it('writes an audit event capacity.report in the same transaction', async () => {
      const before = await t.database.db.selectFrom('audit_events').select(sql<number>`COALESCE(max(pos), 0)::int`.as('n')).executeTakeFirstOrThrow();
      const res = await put(unit.hsa_id, unit.services[1]!, report('2026-11-01'), await provider());
      expect(res.statusCode).toBe(201);
      const events = await t.database.db.selectFrom('audit_events').selectAll().where('pos', '>', before.n).execute();
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ action: 'capacity.report', entity_id: `${unit.hsa_id}/${unit.services[1]}/2026-11-01`, actor_subject: 'provider-1', outcome: 'success' });
    });

    it('refuses a provider of another organisation (403), a reporter of another region (403) and the anonymous public (401)', async () => {
      const n = await reportCount();
      const foreign = await put(unit.hsa_id, unit.services[0]!, report('2026-11-02'), await t.auth({ roles: ['provider'], organizationId: other.organization_id }));
      expect(foreign.statusCode).toBe(403);
      expect(foreign.json().detail).toContain(unit.hsa_id);
      const narrowed = await put(unit.hsa_id, unit.services[0]!, report('2026-11-02'), await t.auth({ roles: ['provider'], organizationId: unit.organization_id, unitHsaId: other.hsa_id }));
      expect(narrowed.statusCode).toBe(403);
      const reporter = await put(unit.hsa_id, unit.services[0]!, report('2026-11-02'), await t.auth({ roles: ['region-reporter'], regionCode: other.region_code }));
      expect(reporter.statusCode).toBe(403);
      const anonymous = await put(unit.hsa_id, unit.services[0]!, report('2026-11-02'));
      expect(anonymous.statusCode).toBe(401);
      const patient = await put(unit.hsa_id, unit.services[0]!, report('2026-11-02'), await t.auth({ roles: ['patient'] }));
      expect(patient.statusCode).toBe(403);
      expect(await reportCount()).toBe(n);
    });

    it('a region-reporter of the unit’s region and an admin may report', async () => {
      const reporter = await put(other.hsa_id, other.services[0]!, report('2026-11-10'), await t.auth({ roles: ['region-reporter'], regionCode: other.region_code }));
      expect(reporter.statusCode).toBe(201);
      const byAdmin = await put(other.hsa_id, other.services[1]!, report('2026-11-10'), await admin());
      expect(byAdmin.statusCode).toBe(201);
      const narrowed = await put(unit.hsa_id, unit.services[2]!, report('2026-11-10'), await t.auth({ roles: ['provider'], organizationId: unit.organization_id, unitHsaId: unit.hsa_id }));
      expect(narrowed.statusCode).toBe(201);
    });

    it('404 for an unknown unit, 422 naming serviceId for a service the unit does not offer', async () => {
      const missing = await put('SE2321000016-ZZZZ9', unit.services[0]!, report('2026-11-10'), await admin());
      expect(missing.statusCode).toBe(404);
      const notOffering = await put(unit.hsa_id, notOffered, report('2026-11-10'), await admin());
      expect(notOffering.statusCode).toBe(422);
      expect(notOffering.json().errors).toEqual([expect.objectContaining({ field: 'serviceId', message: expect.stringContaining(notOffered) })]);
    });

    it('400 for a body of the wrong shape, 422 naming each broken rule', async () => {
      const auth = await admin();
      const shape = await put(unit.hsa_id, unit.services[0]!, { ...report('2026-11-10'), expectedWaitDays: 'ten' }, auth);
      expect(shape.statusCode).toBe(400);
      const unknown = await put(unit.hsa_id, unit.services[0]!, { ...report('2026-11-10'), extra: 1 }, auth);
      expect(unknown.statusCode).toBe(400);
      const rules = await put(unit.hsa_id, unit.services[0]!, { expectedWaitDays: 4000, weeklyCapacityForOtherRegions: -1, acceptsOtherRegions: false, validFrom: '2026-02-30', comment: 'x'.repeat(1001) }, auth);
      expect(rules.statusCode).toBe(422);
      expect(rules.json().errors.map((e: { field: string }) => e.field).sort()).toEqual(['comment', 'expectedWaitDays', 'validFrom', 'weeklyCapacityForOtherRegions']);
      const farAhead = await put(unit.hsa_id, unit.services[0]!, report('2027-03-01'), auth);
      expect(farAhead.statusCode).toBe(422);
      expect(farAhead.json().errors[0]).toMatchObject({ field: 'validFrom' });
      const tooOld = await put(unit.hsa_id, unit.services[0]!, report('2009-06-01'), auth);
      expect(tooOld.statusCode).toBe(422);
    });
  });

  describe('GET /units/{hsaId}/capacity and staleness', () => {
    it('keeps the history by validFrom and answers the report in force today; a future version is not yet current', async () => {
      const auth = await admin();
      const svc = unit.services[2]!;
      expect((await put(unit.hsa_id, svc, report('2026-09-01', { expectedWaitDays: 90 }), auth)).statusCode).toBe(201);
      expect((await put(unit.hsa_id, svc, report('2026-11-24', { expectedWaitDays: 60 }), auth)).statusCode).toBe(201);
      expect((await put(unit.hsa_id, svc, report('2026-12-20', { expectedWaitDays: 20 }), auth)).statusCode).toBe(201);
      const res = await t.app.inject({ method: 'GET', url: `/api/v1/units/${unit.hsa_id}/capacity?history=true` });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body).toMatchObject({ unitHsaId: unit.hsa_id, today: TODAY, staleAfterDays: 42 });
      expect(body.items.map((i: { serviceId: string }) => i.serviceId)).toEqual(expect.arrayContaining(unit.services));
      const item = body.items.find((i: { serviceId: string }) => i.serviceId === svc);
      expect(item.current).toMatchObject({ validFrom: '2026-11-24', expectedWaitDays: 60, stale: false, reportedAt: new Date(CLOCK).toISOString() });
      expect(item.history.map((h: { validFrom: string }) => h.validFrom)).toEqual(['2026-12-20', '2026-11-24', '2026-11-10', '2026-09-01']);
      const plain = (await t.app.inject({ method: 'GET', url: `/api/v1/units/${unit.hsa_id}/capacity` })).json();
      expect(plain.items.every((i: object) => !('history' in i))).toBe(true);
      expect((await t.app.inject({ method: 'GET', url: '/api/v1/units/SE2321000016-ZZZZ9/capacity' })).statusCode).toBe(404);
    });

    it('marks a report in force older than 42 days stale, in the GET, the PUT answer and currentCapacityReports', async () => {
      const auth = await admin();
      const svc = other.services[2]!;
      const old = await put(other.hsa_id, svc, report('2026-10-14', { acceptsOtherRegions: false }), auth); // 43 days before today
      expect(old.statusCode).toBe(201);
      expect(old.json().stale).toBe(true);
      const edge = await put(other.hsa_id, other.services[0]!, report('2026-10-15'), auth); // older than the 2026-11-10 version: not current
      expect(edge.json().stale).toBe(false); // exactly 42 days: not stale
      const body = (await t.app.inject({ method: 'GET', url: `/api/v1/units/${other.hsa_id}/capacity` })).json();
      const item = body.items.find((i: { serviceId: string }) => i.serviceId === svc);
      expect(item.current).toMatchObject({ validFrom: '2026-10-14', stale: true, acceptsOtherRegions: false });
      expect(body.items.find((i: { serviceId: string }) => i.serviceId === other.services[0]).current).toMatchObject({ validFrom: '2026-11-10', stale: false });

      const rows = await currentCapacityReports(t.database.db, { unitHsaIds: [other.hsa_id], today: TODAY, staleAfterDays: 42 });
      expect(rows).toEqual([
        expect.objectContaining({ unitHsaId: other.hsa_id, serviceId: other.services[0], validFrom: '2026-11-10', stale: false }),
        expect.objectContaining({ unitHsaId: other.hsa_id, serviceId: other.services[1], validFrom: '2026-11-10', stale: false }),
        expect.objectContaining({ unitHsaId: other.hsa_id, serviceId: svc, validFrom: '2026-10-14', stale: true, acceptsOtherRegions: false, expectedWaitDays: 30, weeklyCapacityForOtherRegions: 4 }),
      ]);
      expect(typeof rows[0]!.reportedAt).toBe('string');
      // a lower threshold and another day change the answer; filters by service
      const strict = await currentCapacityReports(t.database.db, { serviceId: other.services[0], today: '2026-11-30', staleAfterDays: 10 });
      expect(strict.find((r) => r.unitHsaId === other.hsa_id)).toMatchObject({ validFrom: '2026-11-10', stale: true });
      expect(strict.every((r) => r.serviceId === other.services[0])).toBe(true);
      expect(await currentCapacityReports(t.database.db, { unitHsaIds: [other.hsa_id], today: '2026-10-01', staleAfterDays: 42 })).toEqual([]);
      expect(await currentCapacityReports(t.database.db, { unitHsaIds: [], today: TODAY, staleAfterDays: 42 })).toEqual([]);
    });
  });

  it('takes the stale threshold from CAPACITY_STALE_AFTER_DAYS', async () => {
    const auth = await admin();
    expect((await put(unit.hsa_id, unit.services[0]!, report('2026-11-18'), auth)).json().stale).toBe(false);
    const strict = await startTestApp(target, { clock: CLOCK, env: { CAPACITY_STALE_AFTER_DAYS: '7' } });
    try {
      const res = await strict.app.inject({ method: 'PUT', url: `/api/v1/units/${unit.hsa_id}/capacity/${unit.services[0]}`, headers: await strict.auth({ roles: ['admin'] }), payload: report('2026-11-18') });
      expect(res.json()).toMatchObject({ validFrom: '2026-11-18', stale: true }); // 8 days > 7
      const body = (await strict.app.inject({ method: 'GET', url: `/api/v1/units/${unit.hsa_id}/capacity` })).json();
      expect(body.staleAfterDays).toBe(7);
    } finally {
      await strict.close();
    }
  });

  describe('POST /capacity/submissions', () => {
    const csvRows = (rows: string[], delimiter = ',') =>
      [['unit_hsa_id', 'service_id', 'expected_wait_days', 'weekly_capacity_for_other_regions', 'accepts_other_regions', 'valid_from', 'comment'].join(delimiter), ...rows].join('\r\n') + '\r\n';

    it('applies a CSV (BOM, semicolons) atomically and counts inserted, updated and unchanged; records the submission and audits it', async () => {
      const auth = await provider();
      const [a, b, c] = unit.services;
      const body = '\uFEFF' + csvRows([
        `${unit.hsa_id};${a};14;2;ja;2026-11-25;"Kommentar; med semikolon"`,
        `${unit.hsa_id};${b};15;3;false;2026-11-25;`,
        `${unit.hsa_id};${c};16;0;true;2026-11-25;`,
      ], ';');
      const before = await t.database.db.selectFrom('audit_events').select(sql<number>`COALESCE(max(pos), 0)::int`.as('n')).executeTakeFirstOrThrow();
      const res = await submit(body, 'text/csv; charset=utf-8', auth);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ received: 3, inserted: 3, updated: 0, unchanged: 0 });
      const id = res.json().submissionId as string;
      const sub = await t.database.db.selectFrom('submissions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      expect(sub).toMatchObject({ kind: 'capacity', status: 'applied', organization_id: unit.organization_id, received: 3, inserted: 3, submitted_by: 'provider-1', content_type: 'text/csv' });
      const stored = (await rowsFor(unit.hsa_id)).filter((r) => r.valid_from === '2026-11-25');
      expect(stored.map((r) => [r.service_id, r.expected_wait_days, r.accepts_other_regions, r.comment, r.submission_id])).toEqual([
        [a, 14, true, 'Kommentar; med semikolon', id], [b, 15, false, null, id], [c, 16, true, null, id],
      ].sort((x, y) => String(x[0]).localeCompare(String(y[0]))));
      const events = await t.database.db.selectFrom('audit_events').selectAll().where('pos', '>', before.n).execute();
      expect(events).toEqual([expect.objectContaining({ action: 'capacity.submission', entity_id: id, outcome: 'success' })]);

      const changed = body.replace(`${b};15;3`, `${b};17;3`);
      const second = await submit(changed, 'text/csv', auth);
      expect(second.json()).toMatchObject({ received: 3, inserted: 0, updated: 1, unchanged: 2 });
    });

    it('applies NDJSON and the current report follows it', async () => {
      const auth = await t.auth({ roles: ['region-reporter'], regionCode: other.region_code });
      const lines = [
        { unitHsaId: other.hsa_id, serviceId: other.services[2], expectedWaitDays: 7, weeklyCapacityForOtherRegions: 9, acceptsOtherRegions: true, validFrom: '2026-11-26', comment: 'NDJSON' },
        { unitHsaId: other.hsa_id.toLowerCase(), serviceId: other.services[2], expectedWaitDays: 5, weeklyCapacityForOtherRegions: 9, acceptsOtherRegions: true, validFrom: '2027-01-04' },
      ];
      const res = await submit(lines.map((l) => JSON.stringify(l)).join('\n') + '\n', 'application/x-ndjson', auth);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ received: 2, inserted: 2, updated: 0, unchanged: 0 });
      const rows = await currentCapacityReports(t.database.db, { unitHsaIds: [other.hsa_id], serviceId: other.services[2], today: TODAY, staleAfterDays: 42 });
      expect(rows).toEqual([expect.objectContaining({ validFrom: '2026-11-26', expectedWaitDays: 7, stale: false })]);
    });

    it('rejects a CSV with one bad row: 422 naming line and field, nothing stored, the rejection recorded', async () => {
      const auth = await provider();
      const n = await reportCount();
      const body = fixture('one-bad-row.csv').toString('utf8').replaceAll('UNIT', unit.hsa_id).replaceAll('SVC0', unit.services[0]!).replaceAll('SVC1', unit.services[1]!);
      const res = await submit(body, 'text/csv', auth);
      expect(res.statusCode).toBe(422);
      expect(res.json()).toMatchObject({ errorCount: 2 });
      expect(res.json().errors).toEqual([
        expect.objectContaining({ line: 3, field: 'expected_wait_days' }),
        expect.objectContaining({ line: 3, field: 'valid_from' }),
      ]);
      expect(await reportCount()).toBe(n);
      const sub = await t.database.db.selectFrom('submissions').selectAll().where('id', '=', res.json().submissionId).executeTakeFirstOrThrow();
      expect(sub).toMatchObject({ status: 'rejected', error_count: 2, inserted: 0 });
      expect(sub.errors).toHaveLength(2);
    });

    it('rejects NDJSON with a row outside the provider’s scope, an unoffered service, a duplicate and broken JSON, naming every line', async () => {
      const auth = await provider();
      const n = await reportCount();
      const ok = { expectedWaitDays: 3, weeklyCapacityForOtherRegions: 1, acceptsOtherRegions: true, validFrom: '2026-11-20' };
      const body = [
        JSON.stringify({ unitHsaId: unit.hsa_id, serviceId: unit.services[0], ...ok }),
        JSON.stringify({ unitHsaId: other.hsa_id, serviceId: other.services[0], ...ok }),
        JSON.stringify({ unitHsaId: unit.hsa_id, serviceId: notOffered, ...ok }),
        JSON.stringify({ unitHsaId: unit.hsa_id, serviceId: unit.services[0], ...ok }),
        '{"unitHsaId": ',
        JSON.stringify({ unitHsaId: unit.hsa_id, serviceId: unit.services[1], ...ok, acceptsOtherRegions: 'ja', extra: 1 }),
      ].join('\n');
      const res = await submit(body, 'application/x-ndjson', auth);
      expect(res.statusCode).toBe(422);
      const errors = res.json().errors as { line: number; field?: string; message: string }[];
      expect(errors.map((e) => [e.line, e.field])).toEqual([
        [2, 'unitHsaId'], [3, 'serviceId'], [4, 'validFrom'], [5, undefined], [6, 'acceptsOtherRegions'], [6, 'extra'],
      ]);
      expect(errors[0]!.message).toContain(other.hsa_id);
      expect(await reportCount()).toBe(n);
    });

    it('refuses an empty file, a header only, a missing column, other content types and a file over 5 MB', async () => {
      const auth = await admin();
      const empty = await submit('', 'text/csv', auth);
      expect(empty.statusCode).toBe(422);
      const headerOnly = await submit(csvRows([]), 'text/csv', auth);
      expect(headerOnly.statusCode).toBe(422);
      expect(headerOnly.json().errors[0].message).toMatch(/no rows/);
      const missing = await submit('unit_hsa_id,service_id,expected_wait_days\r\nX,Y,1\r\n', 'text/csv', auth);
      expect(missing.statusCode).toBe(422);
      expect(missing.json().errors.map((e: { field: string }) => e.field)).toEqual(['weekly_capacity_for_other_regions', 'accepts_other_regions', 'valid_from']);
      const json = await t.app.inject({ method: 'POST', url: '/api/v1/capacity/submissions', headers: auth, payload: { rows: [] } });
      expect(json.statusCode).toBe(415);
      const latin1 = await submit(Buffer.from(csvRows([`${unit.hsa_id},${unit.services[0]},1,1,true,2026-11-20,Väntetid`]), 'latin1'), 'text/csv', auth);
      expect(latin1.statusCode).toBe(400);
      const huge = await submit(Buffer.alloc(5 * 1024 * 1024 + 10, 'a'), 'text/csv', auth);
      expect(huge.statusCode).toBe(413);
    });

    it('names the line of broken CSV quoting and of a row with the wrong number of fields', async () => {
      const auth = await admin();
      const quoting = await submit(csvRows([`${unit.hsa_id},${unit.services[0]},1,1,true,2026-11-20,ok`, `${unit.hsa_id},${unit.services[1]},1,1,true,2026-11-20,"open quote`]), 'text/csv', auth);
      expect(quoting.statusCode).toBe(422);
      expect(quoting.json().errors[0].line).toBeGreaterThanOrEqual(3);
      const short = await submit(csvRows([`${unit.hsa_id},${unit.services[0]},1,1,true,2026-11-20,ok`, `${unit.hsa_id},${unit.services[1]},1`]), 'text/csv', auth);
      expect(short.statusCode).toBe(422);
      expect(short.json().errors).toEqual([expect.objectContaining({ line: 3, message: expect.stringContaining('3 fields') })]);
    });

    it('lists at most 1,000 errors and gives the total', async () => {
      const rows = Array.from({ length: 1500 }, (_, i) => `${unit.hsa_id},${unit.services[0]},-${i + 1},1,true,2026-11-20,`);
      const res = await submit(csvRows(rows), 'text/csv', await admin());
      expect(res.statusCode).toBe(422);
      expect(res.json().errors).toHaveLength(1000);
      expect(res.json().errorCount).toBe(1500);
      expect(res.json().errors[0]).toMatchObject({ line: 2, field: 'expected_wait_days' });
    });
  });
});
