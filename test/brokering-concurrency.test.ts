import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { fixedClock } from '../src/domain/clock.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { brokeringFixture, freshPersonnummer, type BrokeringFixture } from './helpers/brokering.js';
import { targets } from './helpers/db.js';

/**
 * A request is accepted at most once and a case has at most one chosen request, whatever the concurrency (contract):
 * 100 simultaneous calls, exactly one winner, the losers a clean 409 (or 412), and no half-written rows.
 */
describe.each(targets)('brokering under concurrency on %s', (target) => {
  let t: TestApp;
  let f: BrokeringFixture;
  let coordinator: { authorization: string };
  let providerA: { authorization: string };
  let providerB: { authorization: string };
  beforeAll(async () => {
    t = await startTestApp(target, { clock: fixedClock('2026-11-26T09:00:00Z') });
    f = await brokeringFixture(t);
    coordinator = await t.auth({ roles: ['coordinator'], regionCode: '01' });
    providerA = await t.auth({ roles: ['provider'], organizationId: f.unitA.organizationId });
    providerB = await t.auth({ roles: ['provider'], organizationId: f.unitB.organizationId });
  });
  afterAll(async () => t?.close());

  const post = (url: string, headers: { authorization: string }, payload: object) => t.app.inject({ method: 'POST', url: `/api/v1${url}`, headers, payload });
  const openWithRequests = async (units: string[]) => {
    const c = await post('/cases', coordinator, { serviceId: f.serviceId, clockStart: '2026-10-01', patient: { personnummer: freshPersonnummer(), homeMunicipality: '0180' } });
    expect(c.statusCode, c.body).toBe(201);
    const ids: string[] = [];
    for (const u of units) ids.push((await post(`/cases/${c.json().id}/requests`, coordinator, { unitHsaId: u })).json().id);
    return { caseId: c.json().id as string, requestIds: ids };
  };
  const statuses = (rs: { statusCode: number }[]) => rs.reduce<Record<number, number>>((m, r) => ({ ...m, [r.statusCode]: (m[r.statusCode] ?? 0) + 1 }), {});

  it('100 simultaneous accepts of one request: exactly one succeeds', async () => {
    const { caseId, requestIds } = await openWithRequests([f.unitA.hsaId]);
    const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => post(`/requests/${requestIds[0]}/accept`, providerA, { offeredDate: i % 2 ? '2026-12-01' : '2026-12-02' })));
    expect(statuses(answers)).toEqual({ 200: 1, 409: 99 });
    for (const loser of answers.filter((a) => a.statusCode === 409)) expect(loser.json().detail).toMatch(/The request is accepted/);
    const row = await t.database.db.selectFrom('requests').select(['status', 'version', 'offered_date']).where('id', '=', requestIds[0]!).executeTakeFirstOrThrow();
    const winner = answers.find((a) => a.statusCode === 200)!.json();
    expect(row).toEqual({ status: 'accepted', version: 2, offered_date: winner.offeredDate });
    const c = await t.database.db.selectFrom('cases').select(['status', 'version']).where('id', '=', caseId).executeTakeFirstOrThrow();
    expect(c).toEqual({ status: 'offered', version: 3 }); // opened 1, request sent 2, offer received 3
    const events = await sql<{ n: number }>`SELECT count(*)::int AS n FROM audit_events WHERE entity_id = ${caseId} AND action = 'request.accept'`.execute(t.database.db);
    expect(events.rows[0]!.n).toBe(1);
  });

  it('100 simultaneous choices between two accepted offers: exactly one is chosen, the other withdrawn', async () => {
    const { caseId, requestIds } = await openWithRequests([f.unitA.hsaId, f.unitB.hsaId]);
    expect((await post(`/requests/${requestIds[0]}/accept`, providerA, { offeredDate: '2026-12-01' })).statusCode).toBe(200);
    expect((await post(`/requests/${requestIds[1]}/accept`, providerB, { offeredDate: '2026-12-03' })).statusCode).toBe(200);
    const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => post(`/cases/${caseId}/choose`, coordinator, { requestId: requestIds[i % 2] })));
    expect(statuses(answers)).toEqual({ 200: 1, 409: 99 });
    const rows = await t.database.db.selectFrom('requests').select(['id', 'status']).where('case_id', '=', caseId).orderBy('status').execute();
    expect(rows.map((r) => r.status).sort()).toEqual(['chosen', 'withdrawn']);
    const c = await t.database.db.selectFrom('cases').select(['status', 'chosen_request_id', 'referral_id']).where('id', '=', caseId).executeTakeFirstOrThrow();
    expect(c.status).toBe('chosen');
    expect(c.chosen_request_id).toBe(rows.find((r) => r.status === 'chosen')!.id);
    expect(c.referral_id).not.toBeNull();
    const events = await sql<{ n: number }>`SELECT count(*)::int AS n FROM audit_events WHERE entity_id = ${caseId} AND action = 'case.choose'`.execute(t.database.db);
    expect(events.rows[0]!.n).toBe(1);
  });

  it('simultaneous answers to every request of one case: each is written once, none is lost (lost races run again, then queue for the lock)', async () => {
    const units = (await sql<{ hsa_id: string; organization_id: string }>`
      SELECT u.hsa_id, u.organization_id FROM unit_services us JOIN units u ON u.hsa_id = us.unit_hsa_id
       WHERE us.service_id = ${f.serviceId} AND u.active AND u.region_code <> '01' ORDER BY u.hsa_id LIMIT 8`.execute(t.database.db)).rows;
    expect(units.length).toBeGreaterThanOrEqual(3);
    const { caseId, requestIds } = await openWithRequests(units.map((u) => u.hsa_id));
    const providers = await Promise.all(units.map((u) => t.auth({ roles: ['provider'], organizationId: u.organization_id })));
    // every request answered five times at once: accepted (even) or declined (odd)
    const answers = await Promise.all(requestIds.flatMap((id, i) => Array.from({ length: 5 }, () =>
      (i % 2 === 0 ? post(`/requests/${id}/accept`, providers[i]!, { offeredDate: '2026-12-01' }) : post(`/requests/${id}/decline`, providers[i]!, { reasonCode: 'no_capacity' })))));
    expect(statuses(answers)).toEqual({ 200: units.length, 409: units.length * 4 });
    const rows = await t.database.db.selectFrom('requests').select(['id', 'status', 'version']).where('case_id', '=', caseId).execute();
    expect(Object.fromEntries(rows.map((r) => [r.id, [r.status, r.version]]))).toEqual(Object.fromEntries(requestIds.map((id, i) => [id, [i % 2 === 0 ? 'accepted' : 'declined', 2]])));
    const c = await t.database.db.selectFrom('cases').select(['status']).where('id', '=', caseId).executeTakeFirstOrThrow();
    expect(c.status).toBe('offered');
    const events = await sql<{ action: string; n: number }>`SELECT action, count(*)::int AS n FROM audit_events WHERE entity_id = ${caseId} AND action IN ('request.accept', 'request.decline') GROUP BY action ORDER BY action`.execute(t.database.db);
    expect(events.rows).toEqual([{ action: 'request.accept', n: Math.ceil(units.length / 2) }, { action: 'request.decline', n: Math.floor(units.length / 2) }]);
    const outbox = await sql<{ n: number }>`SELECT count(*)::int AS n FROM outbox_events WHERE case_id = ${caseId}::uuid AND type IN ('request.accepted', 'request.declined')`.execute(t.database.db);
    expect(outbox.rows[0]!.n).toBe(units.length);
  });

  it('the database itself refuses a second chosen request and a second open request to one unit', async () => {
    const { caseId, requestIds } = await openWithRequests([f.unitA.hsaId, f.unitB.hsaId]);
    await sql`UPDATE requests SET status = 'chosen', offered_date = '2026-12-01' WHERE id = ${requestIds[0]}`.execute(t.database.db);
    await expect(sql`UPDATE requests SET status = 'chosen', offered_date = '2026-12-01' WHERE id = ${requestIds[1]}`.execute(t.database.db)).rejects.toThrow(/requests_one_chosen_idx/);
    await expect(sql`INSERT INTO requests (id, case_id, unit_hsa_id, organization_id, status, sent_by, sent_at, respond_by)
                     SELECT gen_random_uuid(), case_id, unit_hsa_id, organization_id, 'pending', 'x', now(), now() + interval '1 day' FROM requests WHERE id = ${requestIds[1]}`
      .execute(t.database.db)).rejects.toThrow(/requests_one_open_per_unit_idx/);
    expect(caseId).toBeDefined();
  });
});
