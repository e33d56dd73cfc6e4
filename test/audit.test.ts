import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { startTestApp, type TestApp } from './helpers/app.js';
import { targets, type TestTarget } from './helpers/db.js';

/**
 * A test app for the describe block it is called in (handed to `use` once started) and one audited write through it:
 * creating an organisation as an admin.
 */
function auditedApp(target: TestTarget, use: (t: TestApp) => void) {
  let t: TestApp | undefined;
  beforeAll(async () => {
    t = await startTestApp(target);
    use(t);
  });
  afterAll(async () => t?.close());
  return async (name: string, organizationNumber: string) =>
    t!.app.inject({ method: 'POST', url: '/api/v1/organizations', headers: await t!.auth({ roles: ['admin'], subject: 'admin-1' }), payload: { name, organizationNumber, kind: 'private' } });
}

describe.each(targets)('audit log on %s', (target) => {
  let t: TestApp;
  const createOrg = auditedApp(target, (app) => (t = app));

  it('writes an event in the same transaction as the change, and none when the change fails', async () => {
    const before = await t.database.db.selectFrom('audit_events').select(sql<number>`COALESCE(max(pos), 0)::int`.as('n')).executeTakeFirstOrThrow();
    const ok = await createOrg('Audit Test Vård AB', '556000-0167');
    expect(ok.statusCode).toBe(201);
    const bad = await createOrg('Audit Test Vård AB 2', '556000-0168'); // wrong check digit
    expect(bad.statusCode).toBe(422);
    const events = await t.database.db.selectFrom('audit_events').selectAll().where('pos', '>', before.n).orderBy('pos').execute();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ action: 'organization.create', entity_id: ok.json().id, actor_subject: 'admin-1', actor_roles: ['admin'], outcome: 'success' });
    expect(events[0]!.request_id).toBe(ok.headers['x-request-id']);
  });

  it('refuses UPDATE and DELETE of audit events in the database itself', async () => {
    await createOrg('Append Only AB', '556000-0175');
    await expect(sql`UPDATE audit_events SET action = 'x'`.execute(t.database.db)).rejects.toThrow(/append-only/);
    await expect(sql`DELETE FROM audit_events`.execute(t.database.db)).rejects.toThrow(/append-only/);
  });

  it('appends concurrent audited writes to several chains, each linked on its own, and verify checks every one', async () => {
    const admin = await t.auth({ roles: ['admin'] });
    const heads = async () => new Map((await t.database.db.selectFrom('audit_head').select(['id', 'seq']).execute()).map((h) => [h.id, Number(h.seq)]));
    const h0 = await heads();
    expect(h0.size).toBe(64);
    const numbers = ['556000-3005', '556000-3013', '556000-3021', '556000-3039', '556000-3047', '556000-3054'];
    const made = await Promise.all(numbers.map((n, i) => createOrg(`Parallel ${i} AB`, n)));
    expect(made.map((r) => r.statusCode)).toEqual(numbers.map(() => 201));
    const h1 = await heads();
    // every write moved exactly one head by one, and the heads account for every event
    expect([...h1].reduce((a, [id, n]) => a + n - h0.get(id)!, 0)).toBe(numbers.length);
    const events = await t.database.db.selectFrom('audit_events').select(['chain', 'seq', 'prev_hash']).where('action', '=', 'organization.create').where('entity_id', 'in', made.map((r) => r.json().id as string)).execute();
    expect(events).toHaveLength(numbers.length);
    for (const e of events) expect(Number(e.seq)).toBeLessThanOrEqual(h1.get(e.chain)!);
    const total = await sql<{ n: number }>`SELECT count(*)::int AS n FROM audit_events`.execute(t.database.db);
    expect([...h1.values()].reduce((a, n) => a + n, 0)).toBe(total.rows[0]!.n);
    if (t.database.kind === 'postgres') expect(new Set(events.map((e) => e.chain)).size).toBeGreaterThan(1); // PGlite has one connection: one write at a time
    const r = await t.app.inject({ method: 'GET', url: '/api/v1/audit/verify', headers: admin });
    expect(r.json()).toEqual({ ok: true, events: total.rows[0]!.n, anchors: 0 });
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

    const victim = await t.database.db.selectFrom('audit_events').select(['id', 'chain', 'seq']).orderBy('pos', 'desc').offset(1).limit(1).executeTakeFirstOrThrow();
    // the chains are walked in order: the events of the chains before the victim's, then its own up to it
    const before = await sql<{ n: number }>`SELECT count(*)::int AS n FROM audit_events WHERE chain < ${victim.chain}`.execute(t.database.db);
    await t.database.db.connection().execute(async (conn) => {
      await sql`ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update`.execute(conn);
      await sql`UPDATE audit_events SET details = '{"name":"forged"}' WHERE id = ${victim.id}`.execute(conn);
      await sql`ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update`.execute(conn);
    });
    const bad = await t.app.inject({ method: 'GET', url: '/api/v1/audit/verify', headers: admin });
    expect(bad.json()).toMatchObject({ ok: false, firstBadEvent: victim.id, events: before.rows[0]!.n + Number(victim.seq) - 1 });
  });

  it('only an admin may verify', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/api/v1/audit/verify', headers: await t.auth({ roles: ['analyst'] }) });
    expect(r.statusCode).toBe(403);
    expect(r.headers['content-type']).toMatch(/application\/problem\+json/);
    const anon = await t.app.inject({ method: 'GET', url: '/api/v1/audit/verify' });
    expect(anon.statusCode).toBe(401);
  });
});

describe.each(targets)('audit chains on %s, a deleted tail', (target) => {
  let t: TestApp;
  const createOrg = auditedApp(target, (app) => (t = app));

  it('verify sees the last event of a chain deleted behind the service’s back (the chain’s head still names it)', async () => {
    const admin = await t.auth({ roles: ['admin'] });
    const made = await createOrg('Tail Victim AB', '556000-3062');
    expect(made.statusCode).toBe(201);
    const victim = await t.database.db.selectFrom('audit_events').select(['id', 'chain', 'seq']).where('entity_id', '=', made.json().id as string).executeTakeFirstOrThrow();
    await t.database.db.connection().execute(async (conn) => {
      await sql`ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update`.execute(conn);
      await sql`DELETE FROM audit_events WHERE id = ${victim.id}`.execute(conn);
      await sql`ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update`.execute(conn);
    });
    const bad = (await t.app.inject({ method: 'GET', url: '/api/v1/audit/verify', headers: admin })).json();
    expect(bad.ok).toBe(false);
    expect(bad.reason).toBe(`the head of chain ${victim.chain} says ${victim.seq} events but ${Number(victim.seq) - 1} were found`);
  });
});
