import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import * as repo from '../src/db/brokering.repository.js';
import { fixedClock } from '../src/domain/clock.js';
import { atomicUseCase, atomicWriteRaces, OPTIMISTIC_ATTEMPTS } from '../src/services/atomic-write.js';
import { verifyAuditChain, type AuditInput } from '../src/services/audit.service.js';
import type { Executor, RequestContext } from '../src/services/context.js';
import type { OutboxEvent } from '../src/services/outbox.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { brokeringFixture, freshPersonnummer, type BrokeringFixture } from './helpers/brokering.js';
import { targets } from './helpers/db.js';

/**
 * One read and one atomic write per use case (ADR 0016): the guard on the case's change_seq, writes only with the
 * guard, the audit events appended by the database in the same statement; a lost race runs the plan again, repeated
 * losses queue for the case's lock, and a broken invariant writes nothing at all.
 */
describe.each(targets)('atomic writes on %s', (target) => {
  let t: TestApp;
  let f: BrokeringFixture;
  let coordinator: { authorization: string };
  const ctx: RequestContext = { principal: { subject: 'test-atomic', roles: ['coordinator'], regionCode: '01' }, requestId: 'req-atomic', clock: fixedClock('2026-11-26T09:00:00Z') };
  beforeAll(async () => {
    t = await startTestApp(target, { clock: fixedClock('2026-11-26T09:00:00Z') });
    f = await brokeringFixture(t);
    coordinator = await t.auth({ roles: ['coordinator'], regionCode: '01' });
  });
  afterAll(async () => t?.close());

  const openCase = async (): Promise<string> => {
    const c = await t.app.inject({
      method: 'POST', url: '/api/v1/cases', headers: coordinator,
      payload: { serviceId: f.serviceId, clockStart: '2026-10-01', patient: { personnummer: freshPersonnummer(), homeMunicipality: '0180' } },
    });
    expect(c.statusCode, c.body).toBe(201);
    return c.json().id as string;
  };
  const caseRow = (id: string) => t.database.db.selectFrom('cases').select(['status', 'version', 'change_seq', 'end_comment']).where('id', '=', id).executeTakeFirstOrThrow();
  const auditCount = async (id: string) => Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM audit_events WHERE entity_id = ${id}`.execute(t.database.db)).rows[0]!.n);
  const outboxCount = async (id: string) => Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM outbox_events WHERE case_id = ${id}::uuid`.execute(t.database.db)).rows[0]!.n);

  /** A plan that notes a comment on the case, audited and emitted; `race` changes the case between its read and its write. */
  const notePlan = (id: string, calls: { executors: Executor[] }, race?: (n: number) => Promise<void>) => async (db: Executor, audit: (i: AuditInput) => void, emit: (e: OutboxEvent) => void) => {
    calls.executors.push(db);
    const found = (await repo.caseWithRequests(db, { caseId: id }))!;
    await race?.(calls.executors.length);
    // text the database must hash exactly as GET /audit/verify does: non-ASCII, quotes, a line break, a backslash
    audit({ action: 'case.note', entityType: 'case', entityId: id, details: { note: 'Åsa Öberg – "väntar"\nrad två \\ slut' } });
    emit({ type: 'case.opened', caseId: id, regionCode: '01', payload: { note: calls.executors.length } });
    return { guard: repo.guardCase(db, found.c, { set: { end_comment: `note ${calls.executors.length}` }, at: '2026-11-26T09:00:00Z' }), answer: (row: repo.StoredCase) => row };
  };
  /** What another writer does: any change to the case moves change_seq on. */
  const otherWriter = (id: string) => sql`UPDATE cases SET change_seq = change_seq + 1 WHERE id = ${id}::uuid`.execute(t.database.db).then(() => undefined);

  it('writes the change, its audit event and its outbox event in one statement, and moves version and change_seq on', async () => {
    const id = await openCase();
    const before = await caseRow(id);
    const [audits, outbox] = [await auditCount(id), await outboxCount(id)];
    const calls = { executors: [] as Executor[] };
    const row = await atomicUseCase(t.database.db, ctx, { what: `Case ${id}`, lock: (trx) => repo.findCase(trx, id, true) }, notePlan(id, calls));
    expect(calls.executors).toHaveLength(1);
    expect(row.end_comment).toBe('note 1');
    expect(await caseRow(id)).toEqual({ status: before.status, version: before.version + 1, change_seq: before.change_seq + 1, end_comment: 'note 1' });
    expect(await auditCount(id)).toBe(audits + 1);
    expect(await outboxCount(id)).toBe(outbox + 1);
    expect((await verifyAuditChain(t.database.db)).ok).toBe(true);
  });

  it('a lost race writes nothing and runs the plan again on what is stored', async () => {
    const id = await openCase();
    const before = await caseRow(id);
    const [audits, outbox] = [await auditCount(id), await outboxCount(id)];
    const calls = { executors: [] as Executor[] };
    const races = { ...atomicWriteRaces() };
    const row = await atomicUseCase(t.database.db, ctx, { what: `Case ${id}`, lock: (trx) => repo.findCase(trx, id, true) },
      notePlan(id, calls, async (n) => { if (n === 1) await otherWriter(id); }));
    expect(calls.executors).toHaveLength(2);
    expect(atomicWriteRaces()).toEqual({ retried: races.retried + 1, locked: races.locked });
    const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toContain(`nvf_atomic_write_races_total{outcome="retried"} ${races.retried + 1}`);
    expect(row.end_comment).toBe('note 2');
    // one change of ours (version + 1), two moves of change_seq (the other writer's and ours), one event each
    expect(await caseRow(id)).toEqual({ status: before.status, version: before.version + 1, change_seq: before.change_seq + 2, end_comment: 'note 2' });
    expect(await auditCount(id)).toBe(audits + 1);
    expect(await outboxCount(id)).toBe(outbox + 1);
    expect(await verifyAuditChain(t.database.db)).toEqual({ ok: true, events: expect.any(Number), anchors: 0 });
  });

  it(`after ${OPTIMISTIC_ATTEMPTS} lost races the plan runs once more under the case's lock`, async () => {
    const id = await openCase();
    const audits = await auditCount(id);
    const calls = { executors: [] as Executor[] };
    const races = { ...atomicWriteRaces() };
    const row = await atomicUseCase(t.database.db, ctx, { what: `Case ${id}`, lock: (trx) => repo.findCase(trx, id, true) },
      notePlan(id, calls, async (n) => { if (n <= OPTIMISTIC_ATTEMPTS) await otherWriter(id); }));
    expect(calls.executors).toHaveLength(OPTIMISTIC_ATTEMPTS + 1);
    expect(atomicWriteRaces()).toEqual({ retried: races.retried + OPTIMISTIC_ATTEMPTS - 1, locked: races.locked + 1 });
    expect(calls.executors.slice(0, OPTIMISTIC_ATTEMPTS).every((e) => e === t.database.db)).toBe(true);
    expect(calls.executors.at(-1)).not.toBe(t.database.db); // the transaction holding the lock
    expect(row.end_comment).toBe(`note ${OPTIMISTIC_ATTEMPTS + 1}`);
    expect(await auditCount(id)).toBe(audits + 1);
  });

  it('a write that touches another number of rows than planned fails the whole statement: nothing is written, not even the audit event', async () => {
    const id = await openCase();
    const before = await caseRow(id);
    const heads = await t.database.db.selectFrom('audit_head').select(['id', 'seq', 'hash']).orderBy('id').execute();
    const [audits, outbox] = [await auditCount(id), await outboxCount(id)];
    const plan = async (db: Executor, audit: (i: AuditInput) => void, emit: (e: OutboxEvent) => void) => {
      const found = (await repo.caseWithRequests(db, { caseId: id }))!;
      audit({ action: 'case.note', entityType: 'case', entityId: id });
      emit({ type: 'case.opened', caseId: id, regionCode: '01', payload: {} });
      return {
        guard: repo.guardCase(db, found.c, { set: { end_comment: 'half' }, at: '2026-11-26T09:00:00Z' }),
        // the case has no request: settling "one" touches none
        writes: [{ query: repo.settleRequestsQuery(db, id, '2026-11-26T09:00:00Z', undefined), rows: 1, what: 'one request is settled' }],
        answer: (row: repo.StoredCase) => row,
      };
    };
    await expect(atomicUseCase(t.database.db, ctx, { what: `Case ${id}` }, plan)).rejects.toThrow(/one request is settled/);
    expect(await caseRow(id)).toEqual(before);
    expect(await auditCount(id)).toBe(audits);
    expect(await outboxCount(id)).toBe(outbox);
    expect(await t.database.db.selectFrom('audit_head').select(['id', 'seq', 'hash']).orderBy('id').execute()).toEqual(heads);
  });

  it('every change to a request moves its case on (change_seq), also one that leaves the case as it is, so a plan that read the case before loses its race', async () => {
    const id = await openCase();
    const providerA = await t.auth({ roles: ['provider'], organizationId: f.unitA.organizationId });
    const providerB = await t.auth({ roles: ['provider'], organizationId: f.unitB.organizationId });
    const send = (unitHsaId: string) => t.app.inject({ method: 'POST', url: `/api/v1/cases/${id}/requests`, headers: coordinator, payload: { unitHsaId } });
    const [a, b] = [await send(f.unitA.hsaId), await send(f.unitB.hsaId)];
    expect([a.statusCode, b.statusCode]).toEqual([201, 201]);
    const accepted = await t.app.inject({ method: 'POST', url: `/api/v1/requests/${a.json().id}/accept`, headers: providerA, payload: { offeredDate: '2026-12-01' } });
    expect(accepted.statusCode, accepted.body).toBe(200);
    const read = (await repo.caseWithRequests(t.database.db, { caseId: id }))!;
    const statusOf = new Map(read.requests.map((r) => [r.id, r.status]));
    expect(Object.fromEntries(statusOf)).toEqual({ [a.json().id]: 'accepted', [b.json().id]: 'pending' });
    expect(read.c.status).toBe('offered');
    // B declines: the case stays 'offered' (its version too), but its change_seq moves on
    const declined = await t.app.inject({ method: 'POST', url: `/api/v1/requests/${b.json().id}/decline`, headers: providerB, payload: { reasonCode: 'no_capacity' } });
    expect(declined.statusCode, declined.body).toBe(200);
    const after = await caseRow(id);
    expect({ status: after.status, version: after.version }).toEqual({ status: 'offered', version: read.c.version });
    expect(after.change_seq).toBe(read.c.change_seq + 1);
    const stale = await sql`WITH guard AS (${repo.guardCase(t.database.db, read.c)}) SELECT * FROM guard`.execute(t.database.db);
    expect(stale.rows).toHaveLength(0);
  });
});
