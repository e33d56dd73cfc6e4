import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { Clock } from '../src/domain/clock.js';
import { expireDueRequests } from '../src/services/brokering/request.service.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { brokeringFixture, freshPersonnummer, type BrokeringFixture } from './helpers/brokering.js';
import { targets } from './helpers/db.js';

type Headers = { authorization: string };
type Json = Record<string, unknown> & { id: string; version: number; status: string };

/** A clock the test moves: Thursday 26 November 2026, 10:00 in Stockholm. */
const START = Date.parse('2026-11-26T09:00:00Z');
const clock: Clock & { at: number } = { at: START, now() { return new Date(this.at); } };

describe.each(targets)('brokering: cases and requests on %s', (target) => {
  let t: TestApp;
  let f: BrokeringFixture;
  let coordinator: Headers;
  let otherCoordinator: Headers;
  let providerA: Headers;
  let providerB: Headers;
  let admin: Headers;
  beforeAll(async () => {
    t = await startTestApp(target, { clock });
    f = await brokeringFixture(t);
    coordinator = await t.auth({ roles: ['coordinator'], regionCode: '01', subject: 'coordinator-01' });
    otherCoordinator = await t.auth({ roles: ['coordinator'], regionCode: '03', subject: 'coordinator-03' });
    providerA = await t.auth({ roles: ['provider'], organizationId: f.unitA.organizationId, subject: 'provider-a' });
    providerB = await t.auth({ roles: ['provider'], organizationId: f.unitB.organizationId, subject: 'provider-b' });
    admin = await t.auth({ roles: ['admin'] });
  });
  afterAll(async () => t?.close());

  const call = async (method: 'GET' | 'POST', url: string, headers: Headers, payload?: unknown, extra: Record<string, string> = {}) =>
    t.app.inject({ method, url: `/api/v1${url}`, headers: { ...headers, ...extra }, ...(payload === undefined ? {} : { payload: payload as object }) });
  const openCase = async (over: Record<string, unknown> = {}, patient: Record<string, unknown> = {}) =>
    call('POST', '/cases', coordinator, {
      serviceId: f.serviceId, clockStart: '2026-10-01',
      patient: { personnummer: freshPersonnummer(), name: 'Testa Testsson', phone: '070-000 00 00', homeMunicipality: '0180', ...patient },
      preferences: { maxDistanceKm: 900, language: 'svenska', notes: 'Syntetisk testpatient.' }, ...over,
    });
  const newCase = async () => {
    const r = await openCase();
    expect(r.statusCode, r.body).toBe(201);
    return r.json() as Json & { deadline: string };
  };
  const send = async (caseId: string, unitHsaId: string, headers = coordinator, body: Record<string, unknown> = {}) => call('POST', `/cases/${caseId}/requests`, headers, { unitHsaId, ...body });
  const caseRow = async (id: string) => t.database.db.selectFrom('cases').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const auditOf = async (caseId: string) =>
    (await t.database.db.selectFrom('audit_events').select(['action', 'patient_ref', 'actor_subject']).where('entity_type', '=', 'case').where('entity_id', '=', caseId).orderBy('pos').execute());

  it('takes a case from opening to completion with two providers, showing the identity only to those who may see it', async () => {
    const opened = await openCase();
    expect(opened.statusCode, opened.body).toBe(201);
    expect(opened.headers.etag).toBe('"v1"');
    const c = opened.json() as Json & { deadline: string; patient: Record<string, unknown>; daysLeft: number };
    expect(c).toMatchObject({ status: 'open', regionCode: '01', guaranteeKind: 'treatment', clockStart: '2026-10-01', deadline: '2026-12-30', daysLeft: 34 });
    expect(c.patient).toMatchObject({ name: 'Testa Testsson', homeMunicipality: '0180' });
    expect(c.patient.personnummer).toMatch(/^\d{8}-\d{4}$/);
    // at rest: encrypted, with a keyed hash for look-up; never in clear
    const stored = await caseRow(c.id);
    expect(JSON.stringify(stored)).not.toContain(String(c.patient.personnummer).replace('-', ''));
    expect(JSON.stringify(stored)).not.toContain('Testa Testsson');

    const ra = await send(c.id, f.unitA.hsaId);
    expect(ra.statusCode, ra.body).toBe(201);
    const reqA = ra.json() as Json & { respondBy: string };
    // two Swedish working days: sent Thursday 10:00 → Monday 10:00 (Stockholm)
    expect(reqA.respondBy).toBe('2026-11-30T09:00:00.000Z');
    const rb = await send(c.id, f.unitB.hsaId, coordinator, { respondBy: '2026-11-27T15:00:00+01:00' });
    expect(rb.statusCode, rb.body).toBe(201);
    const reqB = rb.json() as Json;
    expect((await caseRow(c.id)).status).toBe('requested');

    // each provider sees its own request, without identity; not the other's
    const inboxA = (await call('GET', '/requests?status=pending', providerA)).json() as { items: (Json & { case: { patient: Record<string, unknown>; deadline: string } })[] };
    const mine = inboxA.items.find((i) => i.id === reqA.id)!;
    expect(mine.case).toMatchObject({ deadline: '2026-12-30', preferences: { maxDistanceKm: 900, language: 'svenska' } });
    expect(mine.case.patient).toMatchObject({ personnummer: null, name: null, phone: null, masked: expect.stringMatching(/^\d{4}\*{4}-\*{4}$/) });
    expect(inboxA.items.some((i) => i.id === reqB.id)).toBe(false);
    expect((await call('GET', `/requests/${reqB.id}`, providerA)).statusCode).toBe(404);

    const accepted = await call('POST', `/requests/${reqA.id}/accept`, providerA, { offeredDate: '2026-12-14' });
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(accepted.json()).toMatchObject({ status: 'accepted', offeredDate: '2026-12-14', case: { status: 'offered' } });
    const declined = await call('POST', `/requests/${reqB.id}/decline`, providerB, { reasonCode: 'no_capacity' });
    expect(declined.statusCode, declined.body).toBe(200);
    expect(declined.json()).toMatchObject({ status: 'declined', declineReason: 'no_capacity' });

    const before = (await call('GET', `/cases/${c.id}`, coordinator)).json() as Json;
    expect(before.status).toBe('offered');
    const chosen = await call('POST', `/cases/${c.id}/choose`, coordinator, { requestId: reqA.id }, { 'if-match': `"v${before.version}"` });
    expect(chosen.statusCode, chosen.body).toBe(200);
    expect(chosen.json()).toMatchObject({ status: 'chosen', chosenRequestId: reqA.id, referral: { payingRegionCode: '01', validUntil: '2027-11-26' } });

    // once chosen, the receiving provider sees who the patient is (and that read is audited)
    const seen = await call('GET', `/requests/${reqA.id}`, providerA);
    expect(seen.json()).toMatchObject({ status: 'chosen', case: { patient: { personnummer: c.patient.personnummer, name: 'Testa Testsson' } } });
    const booked = await call('POST', `/cases/${c.id}/book`, providerA, { date: '2026-12-14' });
    expect(booked.statusCode, booked.body).toBe(200);
    expect(booked.json()).toMatchObject({ status: 'booked', bookedDate: '2026-12-14', patient: { personnummer: null } });
    clock.at = Date.parse('2026-12-15T09:00:00Z');
    const done = await call('POST', `/cases/${c.id}/complete`, await t.auth({ roles: ['coordinator'], regionCode: '01', subject: 'coordinator-01' }), { completedOn: '2026-12-14', outcome: 'treated' });
    clock.at = START;
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json()).toMatchObject({ status: 'completed', completedOn: '2026-12-14', outcome: 'treated', allowedEvents: [] });

    const history = await call('GET', `/cases/${c.id}/history`, coordinator);
    const actions = (history.json() as { items: { action: string }[] }).items.map((i) => i.action);
    expect(actions).toEqual(['case.open', 'request.send', 'request.send', 'request.accept', 'request.decline', 'case.read', 'case.choose', 'request.read', 'case.book', 'case.complete']);
    // the outbox holds one event per change, in order, for the region and the provider concerned — without identity
    const outbox = await t.database.db.selectFrom('outbox_events').select(['type', 'region_code', 'organization_id', 'payload']).where('case_id', '=', c.id).orderBy('seq').execute();
    expect(outbox.map((e) => e.type)).toEqual(['case.opened', 'request.sent', 'request.sent', 'request.accepted', 'request.declined', 'case.chosen', 'case.booked', 'case.completed']);
    expect(outbox.every((e) => e.region_code === '01')).toBe(true);
    expect(outbox.filter((e) => e.organization_id === f.unitB.organizationId).map((e) => e.type)).toEqual(['request.sent', 'request.declined']);
    const payloads = JSON.stringify(outbox.map((e) => e.payload));
    expect(payloads).not.toContain(String(c.patient.personnummer).slice(0, 8));
    expect(payloads).not.toContain('Testa');
    // every event carries the keyed patient reference, never the identity
    const events = await auditOf(c.id);
    expect(new Set(events.map((e) => e.patient_ref))).toEqual(new Set([stored.patient_lookup]));
    const verify = await call('GET', '/audit/verify', admin);
    expect(verify.json()).toMatchObject({ ok: true });
    // the patient's log extract names who accessed the data, and is itself audited; the identity is in no URL
    const log = await call('POST', '/audit/patient-log', admin, { personnummer: c.patient.personnummer });
    expect(log.statusCode, log.body).toBe(200);
    const items = (log.json() as { items: { action: string; organizationId: string | null; regionCode: string | null }[] }).items;
    expect(items[0]).toMatchObject({ action: 'case.open', regionCode: '01' });
    expect(items).toContainEqual(expect.objectContaining({ action: 'request.read', organizationId: f.unitA.organizationId }));
    expect((await auditOf(c.id)).length).toBe(events.length); // the extract is logged under the patient, not the case
    expect((await call('POST', '/audit/patient-log', admin, { personnummer: '19121212-1213' })).statusCode).toBe(422);
    expect((await call('POST', '/audit/patient-log', coordinator, { personnummer: c.patient.personnummer })).statusCode).toBe(403);
  });

  it('lists cases for the region’s coordinator and an admin, without identities; another region sees none of them', async () => {
    const c = await newCase();
    const mine = (await call('GET', '/cases?status=open&limit=1000', coordinator)).json() as { items: (Json & { patient: { personnummer: unknown } })[] };
    const listed = mine.items.find((i) => i.id === c.id)!;
    expect(listed.patient.personnummer).toBeNull();
    expect(mine.items.every((i) => i.status === 'open')).toBe(true);
    const theirs = (await call('GET', '/cases?limit=1000', otherCoordinator)).json() as { items: Json[] };
    expect(theirs.items.some((i) => i.id === c.id)).toBe(false);
    expect((await call('GET', `/cases/${c.id}`, otherCoordinator)).statusCode).toBe(404);
    const asAdmin = await call('GET', `/cases/${c.id}`, admin);
    expect(asAdmin.statusCode).toBe(200);
    expect(asAdmin.json()).toMatchObject({ patient: { personnummer: null, name: null } });
    // pages: limit 1 gives a cursor that leads to the next case
    const first = (await call('GET', '/cases?limit=1', coordinator)).json() as { items: Json[]; nextCursor: string | null };
    expect(first.items).toHaveLength(1);
    const second = (await call('GET', `/cases?limit=1&cursor=${first.nextCursor}`, coordinator)).json() as { items: Json[] };
    expect(second.items[0]!.id).not.toBe(first.items[0]!.id);
  });

  it('refuses bad cases with the field to fix, and changes nothing', async () => {
    const countCases = async () => (await sql<{ n: number }>`SELECT count(*)::int AS n FROM cases`.execute(t.database.db)).rows[0]!.n;
    const before = await countCases();
    const bad = async (over: Record<string, unknown>, patient: Record<string, unknown>, status: number, field?: string) => {
      const r = await openCase(over, patient);
      expect(r.statusCode, r.body).toBe(status);
      expect(r.headers['content-type']).toMatch(/problem\+json/);
      if (field) expect((r.json() as { errors: { field: string }[] }).errors.map((e) => e.field)).toContain(field);
      return r;
    };
    const wrongCheck = await bad({}, { personnummer: '19121212-1213' }, 422, 'patient.personnummer');
    expect(wrongCheck.body).not.toContain('1212-1213');
    await bad({ serviceId: 'no-such-service' }, {}, 422, 'serviceId');
    await bad({}, { homeMunicipality: '1480' }, 422, 'patient.homeMunicipality'); // Göteborg: region 14
    await bad({ clockStart: '2026-11-27' }, {}, 422, 'clockStart');
    await bad({ preferences: { notes: 'x'.repeat(2001) } }, {}, 400);
    await bad({ preferences: { unavailableDates: ['2026-01-01'] } }, {}, 422, 'preferences.unavailableDates[0]');
    await bad({ waitingRecordId: 'not-there' }, {}, 422, 'waitingRecordId');
    expect(await countCases()).toBe(before);
    const pnr = freshPersonnummer();
    expect((await openCase({}, { personnummer: pnr })).statusCode).toBe(201);
    const twice = await openCase({}, { personnummer: pnr.replace('-', '') });
    expect(twice.statusCode).toBe(409);
    expect(twice.json().detail).toMatch(/already has an open case/);
    expect((await call('POST', '/cases', providerA, {})).statusCode).toBe(403);
  });

  it('refuses requests and answers out of order or out of scope, with the current state named and nothing changed', async () => {
    const c = await newCase();
    expect((await send(c.id, f.otherUnit)).statusCode).toBe(422);
    expect((await send(c.id, f.unitA.hsaId, otherCoordinator)).statusCode).toBe(404);
    expect((await send(c.id, f.unitA.hsaId, coordinator, { respondBy: '2026-11-26T09:30:00Z' })).statusCode).toBe(422);
    const r = (await send(c.id, f.unitA.hsaId)).json() as Json;
    expect((await send(c.id, f.unitA.hsaId)).statusCode).toBe(409); // one open request per unit
    // the case is requested: choosing is not possible yet, and the message says why
    const early = await call('POST', `/cases/${c.id}/choose`, coordinator, { requestId: r.id });
    expect(early.statusCode).toBe(409);
    expect(early.json().detail).toMatch(/The case is requested/);
    expect((await call('POST', `/cases/${c.id}/book`, coordinator, { date: '2026-12-01' })).statusCode).toBe(409);
    // providers: someone else's request is 404; an offer after the deadline or in the past is 422
    expect((await call('POST', `/requests/${r.id}/accept`, providerB, { offeredDate: '2026-12-01' })).statusCode).toBe(404);
    const late = await call('POST', `/requests/${r.id}/accept`, providerA, { offeredDate: '2027-01-15' });
    expect(late.statusCode).toBe(422);
    expect(late.json().errors[0]).toMatchObject({ field: 'offeredDate', message: expect.stringMatching(/deadline 2026-12-30.*cannot_meet_deadline/) });
    expect((await call('POST', `/requests/${r.id}/accept`, providerA, { offeredDate: '2026-11-01' })).statusCode).toBe(422);
    expect((await call('POST', `/requests/${r.id}/decline`, providerA, { reasonCode: 'other' })).statusCode).toBe(422); // other needs a comment
    expect((await call('POST', `/requests/${r.id}/decline`, providerA, { reasonCode: 'bored' })).statusCode).toBe(400);
    const unchanged = await t.database.db.selectFrom('requests').select(['status', 'version']).where('id', '=', r.id).executeTakeFirstOrThrow();
    expect(unchanged).toEqual({ status: 'pending', version: 1 });
    // a stale If-Match is 412
    const stale = await call('POST', `/requests/${r.id}/accept`, providerA, { offeredDate: '2026-12-01' }, { 'if-match': '"v7"' });
    expect(stale.statusCode).toBe(412);
    expect((await call('POST', `/requests/${r.id}/accept`, providerA, { offeredDate: '2026-12-01' }, { 'if-match': '"v1"' })).statusCode).toBe(200);
    const again = await call('POST', `/requests/${r.id}/accept`, providerA, { offeredDate: '2026-12-02' });
    expect(again.statusCode).toBe(409);
    expect(again.json().detail).toMatch(/The request is accepted/);
    expect((await call('POST', `/requests/${r.id}/decline`, providerA, { reasonCode: 'no_capacity' })).statusCode).toBe(409);
    // a completed date in the future; cancelling a chosen case withdraws nothing more and ends it
    await call('POST', `/cases/${c.id}/choose`, coordinator, { requestId: r.id });
    const cancel = await call('POST', `/cases/${c.id}/cancel`, coordinator, { reasonCode: 'patient_declined' });
    expect(cancel.json()).toMatchObject({ status: 'cancelled', end: { reason: 'patient_declined' }, allowedEvents: [] });
    expect((await call('POST', `/cases/${c.id}/cancel`, coordinator, { reasonCode: 'patient_declined' })).json().detail).toMatch(/nothing more can be done/);
  });

  it('withdraws a request, closes a case unresolved, and an Idempotency-Key replays the first answer', async () => {
    const c = await newCase();
    const headers = { 'idempotency-key': `send-${c.id}` };
    const first = await call('POST', `/cases/${c.id}/requests`, coordinator, { unitHsaId: f.unitA.hsaId }, headers);
    const replay = await call('POST', `/cases/${c.id}/requests`, coordinator, { unitHsaId: f.unitA.hsaId }, headers);
    expect(first.statusCode).toBe(201);
    expect(replay.statusCode).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json().id).toBe(first.json().id);
    const withdrawn = await call('POST', `/requests/${first.json().id}/withdraw`, coordinator);
    expect(withdrawn.statusCode, withdrawn.body).toBe(200);
    expect(withdrawn.json()).toMatchObject({ status: 'open', requests: [{ status: 'withdrawn' }] });
    expect((await call('POST', `/cases/${c.id}/close`, coordinator, { reasonCode: 'other' })).statusCode).toBe(422);
    const closed = await call('POST', `/cases/${c.id}/close`, coordinator, { reasonCode: 'no_capacity_found' });
    expect(closed.json()).toMatchObject({ status: 'closed_unresolved', end: { reason: 'no_capacity_found' } });
  });

  it('expires unanswered requests on time, sends the case back, and audits it as the platform', async () => {
    const c = await newCase();
    const r = (await send(c.id, f.unitA.hsaId, coordinator, { respondBy: '2026-11-26T12:00:00Z' })).json() as Json;
    const deps = { db: t.database.db };
    expect(await expireDueRequests(deps, clock)).toEqual([]);
    const later: Clock = { now: () => new Date('2026-11-26T12:00:01Z') };
    const expired = await expireDueRequests(deps, later);
    expect(expired).toContainEqual({ requestId: r.id, caseId: c.id, regionCode: '01' });
    expect(await expireDueRequests(deps, later)).toEqual([]);
    const after = (await call('GET', `/cases/${c.id}`, coordinator)).json() as Json & { requests: Json[] };
    expect(after).toMatchObject({ status: 'open', requests: [{ id: r.id, status: 'expired' }] });
    const events = await auditOf(c.id);
    expect(events.find((e) => e.action === 'request.expire')).toMatchObject({ actor_subject: 'nvf-job:request-expiry' });
  });
});
