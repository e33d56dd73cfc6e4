import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sql, type Kysely } from 'kysely';
import { runCli } from '../src/cli/program.js';
import type { DB } from '../src/db/schema.js';
import { chainInput } from '../src/domain/audit.js';
import { fixedClock } from '../src/domain/clock.js';
import { startAuditAnchorJob } from '../src/jobs/audit-anchor.job.js';
import { anchorAuditChains, auditRecordOf } from '../src/services/audit.service.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { testIo } from './helpers/cli.js';
import { targets } from './helpers/db.js';

/**
 * The audit chains' daily anchor (ADR 0017): taken once a day, published without a login, checked by verify — which
 * then shows what the hash links alone cannot: a chain rewritten consistently from a changed event onwards, head included.
 */

const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');
/** The digest as docs/audit.md tells an outside party to compute it (written out here, not the service's function). */
const digestOf = (heads: { chain: number; seq: number; hash: string }[]) => sha256(heads.map((h) => `${h.chain} ${h.seq} ${h.hash}\n`).join(''));

async function createOrgs(t: TestApp, n: number, from: number): Promise<void> {
  const headers = await t.auth({ roles: ['admin'], subject: 'admin-anchor' });
  for (let i = 0; i < n; i++) {
    // valid organisation numbers 556100-xxxx (Luhn over the ten digits)
    const digits = `556100${String(from + i).padStart(3, '0')}`;
    let sum = 0;
    for (let k = 0; k < 9; k++) {
      const d = Number(digits[k]) * (k % 2 === 0 ? 2 : 1);
      sum += d > 9 ? d - 9 : d;
    }
    const number = `${digits.slice(0, 6)}-${digits.slice(6)}${(10 - (sum % 10)) % 10}`;
    const r = await t.app.inject({ method: 'POST', url: '/api/v1/organizations', headers, payload: { name: `Ankare ${from + i} AB`, organizationNumber: number, kind: 'private' } });
    expect(r.statusCode, r.body).toBe(201);
  }
}

/**
 * Behind the service's back, as a database owner could: change one event's details and recompute every later link of
 * its chain and the chain's head, so that the links alone still hold.
 */
async function rewriteChain(db: Kysely<DB>, chain: number, fromSeq: number): Promise<string> {
  let changedId = '';
  await db.connection().execute(async (conn) => {
    await sql`ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update`.execute(conn);
    try {
      const rows = await conn.selectFrom('audit_events').selectAll().where('chain', '=', chain).where('seq', '>=', fromSeq).orderBy('seq').execute();
      let prev = rows[0]!.prev_hash;
      for (const [i, r] of rows.entries()) {
        const details = i === 0 ? { ...r.details, forged: true } : r.details;
        if (i === 0) changedId = r.id;
        const hash = sha256(chainInput(prev, auditRecordOf({ ...r, details })));
        await sql`UPDATE audit_events SET details = ${JSON.stringify(details)}::jsonb, prev_hash = ${prev}, hash = ${hash} WHERE id = ${r.id}`.execute(conn);
        prev = hash;
      }
      await sql`UPDATE audit_head SET hash = ${prev} WHERE id = ${chain}`.execute(conn);
    } finally {
      await sql`ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update`.execute(conn);
    }
  });
  return changedId;
}


describe.each(targets)('audit anchors on %s', (target) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(target, { clock: '2026-11-24T10:00:00Z' });
  });
  afterAll(async () => t?.close());
  const verify = async () => (await t.app.inject({ method: 'GET', url: '/api/v1/audit/verify', headers: await t.auth({ roles: ['admin'] }) })).json();

  it('takes one anchor a day: the 64 heads of one moment and their digest', async () => {
    await createOrgs(t, 3, 10);
    const heads = (await t.database.db.selectFrom('audit_head').select(['id', 'seq', 'hash']).orderBy('id').execute()).map((h) => ({ chain: h.id, seq: Number(h.seq), hash: h.hash }));
    const first = await anchorAuditChains(t.database.db, t.clock);
    expect(first.taken).toBe(true);
    expect(first.anchor).toMatchObject({ day: '2026-11-24', takenAt: '2026-11-24T10:00:00.000Z', heads, events: heads.reduce((n, h) => n + h.seq, 0) });
    expect(first.anchor.events).toBeGreaterThanOrEqual(3);
    expect(first.anchor.digest).toBe(digestOf(heads));

    await createOrgs(t, 1, 20); // the chains move on; the day keeps its first anchor
    const again = await anchorAuditChains(t.database.db, fixedClock('2026-11-24T22:59:00Z')); // 23:59 in Stockholm: the same day
    expect(again).toEqual({ taken: false, anchor: first.anchor });
    const next = await anchorAuditChains(t.database.db, fixedClock('2026-11-24T23:01:00Z')); // 00:01 on the 25th in Stockholm
    expect(next.taken).toBe(true);
    expect(next.anchor.day).toBe('2026-11-25');
    expect(next.anchor.events).toBe(first.anchor.events + 1);
    expect(await verify()).toEqual({ ok: true, events: next.anchor.events, anchors: 2 });
  });

  it('publishes the anchors without a login, newest first and paged; a day’s heads give its digest', async () => {
    const one = await t.app.inject({ method: 'GET', url: '/api/v1/audit/anchors?limit=1' });
    expect(one.statusCode).toBe(200);
    expect(one.json().items.map((a: { day: string }) => a.day)).toEqual(['2026-11-25']);
    expect(one.json().items[0]).not.toHaveProperty('heads');
    const two = await t.app.inject({ method: 'GET', url: `/api/v1/audit/anchors?limit=1&cursor=${one.json().nextCursor as string}` });
    expect(two.json()).toMatchObject({ items: [{ day: '2026-11-24' }], nextCursor: null });

    const day = await t.app.inject({ method: 'GET', url: '/api/v1/audit/anchors/2026-11-24' });
    expect(day.statusCode).toBe(200);
    const anchor = day.json();
    expect(anchor.heads).toHaveLength(64);
    expect(digestOf(anchor.heads)).toBe(anchor.digest);
    expect(anchor.digest).toBe(two.json().items[0].digest);

    const missing = await t.app.inject({ method: 'GET', url: '/api/v1/audit/anchors/2026-01-01' });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(missing.json().detail).toBe('No audit anchor for 2026-01-01: anchors exist for the days from 2026-11-24 to 2026-11-25 (GET /api/v1/audit/anchors lists them).');
    const shape = await t.app.inject({ method: 'GET', url: '/api/v1/audit/anchors/yesterday' });
    expect(shape.statusCode).toBe(400);
    expect(shape.body).toContain('YYYY-MM-DD');
    const impossible = await t.app.inject({ method: 'GET', url: '/api/v1/audit/anchors/2026-02-30' });
    expect(impossible.statusCode).toBe(422);
    const forged = await t.app.inject({ method: 'GET', url: `/api/v1/audit/anchors?cursor=${Buffer.from(JSON.stringify({ a: 'x' })).toString('base64url')}` });
    expect(forged.statusCode).toBe(400);
  });

  it('refuses to change or delete an anchor in the database itself', async () => {
    await expect(sql`UPDATE audit_anchors SET digest = ${'0'.repeat(64)}`.execute(t.database.db)).rejects.toThrow(/audit_anchors is append-only: UPDATE is refused/);
    await expect(sql`DELETE FROM audit_anchors`.execute(t.database.db)).rejects.toThrow(/audit_anchors is append-only: DELETE is refused/);
    await expect(sql`DELETE FROM audit_events`.execute(t.database.db)).rejects.toThrow(/audit_events is append-only: DELETE is refused/);
  });

  it('a chain rewritten from a changed event on, head included, passes the links alone but not an anchor taken before', async () => {
    // Before this day's anchor: the rewrite of an event after the newest anchor's heads is not seen (the links hold).
    await createOrgs(t, 1, 30);
    const newest = await t.database.db.selectFrom('audit_events').select(['chain', 'seq']).orderBy('pos', 'desc').limit(1).executeTakeFirstOrThrow();
    await rewriteChain(t.database.db, newest.chain, Number(newest.seq));
    expect(await verify()).toMatchObject({ ok: true, anchors: 2 });

    // The same kind of rewrite of an event an anchor covers is seen, at the first position an anchor names from the
    // changed event on (the anchor of the 24th may name the changed event itself, else the 25th names a later one).
    const heads = async (day: string) => ((await t.app.inject({ method: 'GET', url: `/api/v1/audit/anchors/${day}` })).json() as { heads: { chain: number; seq: number }[] }).heads;
    const [on24, on25] = [await heads('2026-11-24'), await heads('2026-11-25')];
    const head = on25.reduce((a, b) => (b.seq > a.seq ? b : a));
    expect(head.seq).toBeGreaterThanOrEqual(1);
    const from = Math.max(1, head.seq - 1);
    await rewriteChain(t.database.db, head.chain, from);
    const seq24 = on24.find((h) => h.chain === head.chain)!.seq;
    const [seq, day] = seq24 >= from ? [seq24, '2026-11-24'] : [head.seq, '2026-11-25'];
    const named = await t.database.db.selectFrom('audit_events').select('id').where('chain', '=', head.chain).where('seq', '=', seq).executeTakeFirstOrThrow();
    expect(await verify()).toMatchObject({
      ok: false, anchors: 2, firstBadEvent: named.id,
      reason: `event ${seq} of chain ${head.chain} is not the one the anchor of ${day} names: the chain up to it was rewritten since`,
    });

    // The command line says the same and exits 1.
    const io = testIo(t.database);
    expect(await runCli(['audit', 'verify'], io)).toBe(1);
    expect(io.stderr.join('\n')).toContain(`the audit log does not verify: event`);
  });
});

describe.each(targets)('audit anchors on %s, a removed tail and a changed anchor', (target) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(target, { clock: '2026-11-26T10:00:00Z' });
  });
  afterAll(async () => t?.close());
  const verify = async () => (await t.app.inject({ method: 'GET', url: '/api/v1/audit/verify', headers: await t.auth({ roles: ['admin'] }) })).json();

  it('the command line takes the day’s anchor once and verifies against it', async () => {
    await createOrgs(t, 2, 40);
    const io = testIo(t.database);
    expect(await runCli(['audit', 'anchor'], io)).toBe(0);
    const stored = await t.database.db.selectFrom('audit_anchors').select(['day', 'digest']).executeTakeFirstOrThrow();
    expect(io.stdout[0]).toBe(`Took the audit anchor of ${stored.day}: sha256 ${stored.digest} over 64 chain heads (${await eventCount(t)} events).`);
    const again = testIo(t.database);
    expect(await runCli(['audit', 'anchor'], again)).toBe(0);
    expect(again.stdout[0]).toMatch(/^Today already has the audit anchor of/);
    const ok = testIo(t.database);
    expect(await runCli(['audit', 'verify'], ok)).toBe(0);
    expect(ok.stdout).toEqual([`The audit log verifies: ${await eventCount(t)} events in 64 chains, 1 daily anchor(s) agree.`]);
  });

  it('an anchored last event removed with its chain’s head moved back is seen', async () => {
    const last = await t.database.db.selectFrom('audit_events').selectAll().orderBy('pos', 'desc').limit(1).executeTakeFirstOrThrow();
    await t.database.db.connection().execute(async (conn) => {
      await sql`ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update`.execute(conn);
      await sql`DELETE FROM audit_events WHERE id = ${last.id}`.execute(conn);
      await sql`ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update`.execute(conn);
      await sql`UPDATE audit_head SET seq = seq - 1, hash = ${last.prev_hash} WHERE id = ${last.chain}`.execute(conn);
    });
    const day = (await t.database.db.selectFrom('audit_anchors').select('day').executeTakeFirstOrThrow()).day;
    expect(await verify()).toMatchObject({ ok: false, reason: `chain ${last.chain} has ${Number(last.seq) - 1} events but its anchor of ${day} names ${last.seq}: events were removed` });
  });

  it('an anchor changed in the database no longer gives its digest', async () => {
    const day = (await t.database.db.selectFrom('audit_anchors').select('day').executeTakeFirstOrThrow()).day;
    await t.database.db.connection().execute(async (conn) => {
      await sql`ALTER TABLE audit_anchors DISABLE TRIGGER audit_anchors_no_update`.execute(conn);
      await sql`UPDATE audit_anchors SET heads = jsonb_set(heads, '{0,seq}', '999') WHERE day = ${day}`.execute(conn);
      await sql`ALTER TABLE audit_anchors ENABLE TRIGGER audit_anchors_no_update`.execute(conn);
    });
    expect(await verify()).toEqual({ ok: false, events: 0, anchors: 1, reason: `the audit anchor of ${day} does not match its digest: it was changed in the database` });
  });
});

describe.each(targets)('the audit anchor job on %s', (target) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(target);
    await createOrgs(t, 1, 50);
  });
  afterAll(async () => t?.close());

  it('the job, run by two instances at once, takes a day’s anchor once and logs its digest', async () => {
    const logs: string[] = [];
    const clock = fixedClock('2026-11-26T07:00:00Z');
    const stops = [startAuditAnchorJob(t.database.db, clock, (m) => logs.push(m), 3_600_000), startAuditAnchorJob(t.database.db, clock, (m) => logs.push(m), 3_600_000)];
    try {
      await vi.waitFor(async () => expect(await t.database.db.selectFrom('audit_anchors').select('digest').where('day', '=', '2026-11-26').executeTakeFirst()).toBeDefined());
      await new Promise((r) => setTimeout(r, 200)); // the other instance's tick has ended too
    } finally {
      stops.forEach((stop) => stop());
    }
    const stored = await t.database.db.selectFrom('audit_anchors').selectAll().where('day', '=', '2026-11-26').executeTakeFirstOrThrow();
    expect(logs).toEqual([`audit anchor 2026-11-26: sha256 ${stored.digest} over 64 chain heads (${await eventCount(t)} events)`]);
  });
});

async function eventCount(t: TestApp): Promise<number> {
  return (await sql<{ n: number }>`SELECT count(*)::int AS n FROM audit_events`.execute(t.database.db)).rows[0]!.n;
}
