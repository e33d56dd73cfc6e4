import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { startTestApp, type TestApp } from './helpers/app.js';
import { targets } from './helpers/db.js';

describe.each(targets)('audit log on %s', (target) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(target);
  });
  afterAll(async () => t?.close());

  const createOrg = async (name: string, organizationNumber: string) =>
    t.app.inject({ method: 'POST', url: '/api/v1/organizations', headers: await t.auth({ roles: ['admin'], subject: 'admin-1' }), payload: { name, organizationNumber, kind: 'private' } });

  it('writes an event in the same transaction as the change, and none when the change fails', async () => {
    const before = await t.database.db.selectFrom('audit_events').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
    const ok = await createOrg('Audit Test Vård AB', '556000-0167');
    expect(ok.statusCode).toBe(201);
    const bad = await createOrg('Audit Test Vård AB 2', '556000-0168'); // wrong check digit
    expect(bad.statusCode).toBe(422);
    const events = await t.database.db.selectFrom('audit_events').selectAll().where('seq', '>', before.n).orderBy('seq').execute();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ action: 'organization.create', entity_id: ok.json().id, actor_subject: 'admin-1', actor_roles: ['admin'], outcome: 'success' });
    expect(events[0]!.request_id).toBe(ok.headers['x-request-id']);
  });

  it('refuses UPDATE and DELETE of audit events in the database itself', async () => {
    await createOrg('Append Only AB', '556000-0175');
    await expect(sql`UPDATE audit_events SET action = 'x'`.execute(t.database.db)).rejects.toThrow(/append-only/);
    await expect(sql`DELETE FROM audit_events`.execute(t.database.db)).rejects.toThrow(/append-only/);
  });

  it('verify is ok on an untouched chain and names the first event edited behind the service’s back', async () => {
    const admin = await t.auth({ roles: ['admin'] });
    await createOrg('Chain One AB', '556000-0183');
    await createOrg('Chain Two AB', '556000-0191');
    const good = await t.app.inject({ method: 'GET', url: '/api/v1/audit/verify', headers: admin });
    expect(good.statusCode).toBe(200);
    expect(good.json()).toMatchObject({ ok: true });
    const total = good.json().events as number;
    expect(total).toBeGreaterThanOrEqual(2);

    const victim = await t.database.db.selectFrom('audit_events').select(['id', 'seq']).orderBy('seq', 'desc').offset(1).limit(1).executeTakeFirstOrThrow();
    await t.database.db.connection().execute(async (conn) => {
      await sql`ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update`.execute(conn);
      await sql`UPDATE audit_events SET details = '{"name":"forged"}' WHERE id = ${victim.id}`.execute(conn);
      await sql`ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update`.execute(conn);
    });
    const bad = await t.app.inject({ method: 'GET', url: '/api/v1/audit/verify', headers: admin });
    expect(bad.json()).toMatchObject({ ok: false, firstBadEvent: victim.id, events: Number(victim.seq) - 1 });
  });

  it('only an admin may verify', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/api/v1/audit/verify', headers: await t.auth({ roles: ['analyst'] }) });
    expect(r.statusCode).toBe(403);
    expect(r.headers['content-type']).toMatch(/application\/problem\+json/);
    const anon = await t.app.inject({ method: 'GET', url: '/api/v1/audit/verify' });
    expect(anon.statusCode).toBe(401);
  });
});
