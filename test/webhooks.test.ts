import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../src/domain/clock.js';
import { backoffMs, deliverDue, fanOutEvents, signedHeaders, type DeliveryDeps } from '../src/services/notifications/delivery.js';
import { verifyWebhook, webhookSignature } from '../src/services/notifications/verify.js';
import { webhookSecretBox } from '../src/services/notifications/webhooks.service.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { brokeringFixture, freshPersonnummer, type BrokeringFixture } from './helpers/brokering.js';
import { targets } from './helpers/db.js';

type Headers = { authorization: string };
interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  raw: string;
  body: { id: string; type: string; occurredAt: string; caseId: string; seq: number; data: Record<string, unknown> };
}

/** A local webhook receiver: records every POST; paths listed in `failing` answer 503. */
async function startReceiver() {
  const received: Received[] = [];
  const failing = new Set<string>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const path = req.url ?? '/';
      if (failing.has(path)) {
        res.writeHead(503).end('down');
        return;
      }
      received.push({ path, headers: req.headers, raw, body: JSON.parse(raw) as Received['body'] });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { received, failing, base, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A clock the test moves: Thursday 26 November 2026, 10:00 in Stockholm. */
const START = Date.parse('2026-11-26T09:00:00Z');
const clock: Clock & { at: number } = { at: START, now() { return new Date(this.at); } };

describe.each(targets)('webhooks and the event stream on %s', (target) => {
  let t: TestApp;
  let f: BrokeringFixture;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let deps: DeliveryDeps;
  const auth = {
    coordinator: () => t.auth({ roles: ['coordinator'], regionCode: '01', subject: 'coordinator-01' }),
    otherCoordinator: () => t.auth({ roles: ['coordinator'], regionCode: '03', subject: 'coordinator-03' }),
    providerA: () => t.auth({ roles: ['provider'], organizationId: f.unitA.organizationId, subject: 'provider-a' }),
    providerB: () => t.auth({ roles: ['provider'], organizationId: f.unitB.organizationId, subject: 'provider-b' }),
    admin: () => t.auth({ roles: ['admin'], subject: 'admin' }),
  };
  const secrets: Record<string, string> = {};
  const personnummers: string[] = [];

  beforeAll(async () => {
    t = await startTestApp(target, { clock });
    f = await brokeringFixture(t);
    receiver = await startReceiver();
    deps = { db: t.database.db, clock, secrets: webhookSecretBox(t.config.patientDataKey) };
  });
  afterAll(async () => {
    await receiver?.close();
    await t?.close();
  });

  const call = async (method: 'GET' | 'POST' | 'DELETE', url: string, headers: Headers, payload?: unknown, extra: Record<string, string> = {}) =>
    t.app.inject({ method, url: `/api/v1${url}`, headers: { ...headers, ...extra }, ...(payload === undefined ? {} : { payload: payload as object }) });
  const subscribe = async (headers: Headers, body: Record<string, unknown>) => {
    const r = await call('POST', '/webhooks', headers, body);
    expect(r.statusCode, r.body).toBe(201);
    const s = r.json() as { id: string; secret: string };
    secrets[s.id] = s.secret;
    return s;
  };
  /** Open a case of region 01, send requests to units A and B; A accepts, B declines. */
  const driveCase = async () => {
    const coordinator = await auth.coordinator();
    const personnummer = freshPersonnummer();
    personnummers.push(personnummer);
    const opened = await call('POST', '/cases', coordinator, {
      serviceId: f.serviceId, clockStart: '2026-10-01', patient: { personnummer, name: 'Webba Krokström', homeMunicipality: '0180' },
    });
    expect(opened.statusCode, opened.body).toBe(201);
    const caseId = (opened.json() as { id: string }).id;
    const ra = (await call('POST', `/cases/${caseId}/requests`, coordinator, { unitHsaId: f.unitA.hsaId })).json() as { id: string };
    const rb = (await call('POST', `/cases/${caseId}/requests`, coordinator, { unitHsaId: f.unitB.hsaId })).json() as { id: string };
    expect((await call('POST', `/requests/${ra.id}/accept`, await auth.providerA(), { offeredDate: '2026-12-14' })).statusCode).toBe(200);
    expect((await call('POST', `/requests/${rb.id}/decline`, await auth.providerB(), { reasonCode: 'no_capacity' })).statusCode).toBe(200);
    return caseId;
  };
  /** Fan out until every committed event is past the cursor (a transaction running elsewhere may hold the horizon back a moment). */
  const fanOutAll = async () => {
    for (let i = 0; i < 600; i++) {
      await fanOutEvents(t.database.db, clock);
      const behind = await sql<{ n: number }>`
        SELECT count(*)::int AS n FROM outbox_events e, webhook_fanout_cursor c WHERE (e.xid, e.seq) > (c.last_xid, c.last_seq)`.execute(t.database.db);
      if (behind.rows[0]!.n === 0) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('the fan-out did not catch up');
  };
  /** Run the job's steps until nothing is due now. */
  const drain = async () => {
    await fanOutAll();
    for (let i = 0; i < 100; i++) if ((await deliverDue(deps)).length === 0) return;
    throw new Error('deliveries did not settle');
  };
  const of = (path: string, caseId: string) => receiver.received.filter((r) => r.path === path && r.body.caseId === caseId);
  interface Streamed {
    /** the SSE id: the stream position after the event, `<xid>.<seq>` */
    id: string;
    type: string;
    event: { id: string; caseId: string; seq: number; type: string };
  }
  /** One ?once=true read of the stream: where it began (from its first comment) and the events it sent. */
  const readStream = async (headers: Headers, query = 'after=0', extra: Record<string, string> = {}) => {
    const r = await call('GET', `/events/stream?once=true${query ? `&${query}` : ''}`, headers, undefined, extra);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/event-stream/);
    const start = /^: events after (\d+\.\d+)\n/.exec(r.body)?.[1];
    expect(start, r.body).toBeDefined();
    const events = r.body.split('\n\n').filter((b) => b.startsWith('id: ')).map((block): Streamed => {
      const lines = Object.fromEntries(block.split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));
      return { id: lines.id!, type: lines.event!, event: JSON.parse(lines.data!) as Streamed['event'] };
    });
    return { start: start!, events };
  };
  const stream = async (headers: Headers, query = 'after=0', extra: Record<string, string> = {}) => (await readStream(headers, query, extra)).events;

  it('delivers each subscription exactly its events, signed, in per-case order, with ids to de-duplicate on', async () => {
    const region = await subscribe(await auth.coordinator(), { url: `${receiver.base}/region` });
    expect(region).toMatchObject({ regionCode: '01', organizationId: null, active: true, eventTypes: [] });
    expect(region.secret).toMatch(/^whsec_/);
    const provider = await subscribe(await auth.providerA(), { url: `${receiver.base}/provider`, eventTypes: ['request.sent', 'request.accepted', 'request.declined'] });
    // the secret is shown once: never in lists, never in clear in the database
    const listed = await call('GET', '/webhooks', await auth.coordinator());
    expect(listed.statusCode).toBe(200);
    expect((listed.json() as { items: { id: string }[] }).items.map((i) => i.id)).toEqual([region.id]);
    expect(listed.body).not.toContain('whsec_');
    const stored = await t.database.db.selectFrom('webhook_subscriptions').selectAll().execute();
    expect(JSON.stringify(stored)).not.toContain(region.secret);

    const caseId = await driveCase();
    const other = await driveCase();
    await drain();

    const forRegion = of('/region', caseId);
    expect(forRegion.map((r) => r.body.type)).toEqual(['case.opened', 'request.sent', 'request.sent', 'request.accepted', 'request.declined']);
    expect(of('/region', other)).toHaveLength(5);
    // provider A: only the events about its own request
    const forProvider = of('/provider', caseId);
    expect(forProvider.map((r) => r.body.type)).toEqual(['request.sent', 'request.accepted']);
    expect(forProvider.every((r) => r.body.data.requestId !== undefined)).toBe(true);
    // in order, unique ids, exactly once, signed with the subscription's secret
    const seqs = forRegion.map((r) => r.body.seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    const all = receiver.received.filter((r) => r.path === '/region' || r.path === '/provider');
    expect(new Set(all.map((r) => `${r.path} ${r.body.id}`)).size).toBe(all.length);
    const seen = new Set<string>();
    for (const r of forRegion) {
      expect(r.headers['nvf-event-id']).toBe(r.body.id);
      expect(r.headers['nvf-event-type']).toBe(r.body.type);
      expect(r.headers['nvf-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
      expect(verifyWebhook(r.raw, r.headers, region.secret, { now: clock.now(), seen })).toMatchObject({ ok: true, eventId: r.body.id });
      expect(verifyWebhook(r.raw, r.headers, provider.secret, { now: clock.now() })).toEqual({ ok: false, reason: 'bad_signature' });
    }
    // the receiver de-duplicates: the same delivery again is a replay
    expect(verifyWebhook(forRegion[0]!.raw, forRegion[0]!.headers, region.secret, { now: clock.now(), seen })).toEqual({ ok: false, reason: 'replayed_event' });
    // no patient identity travels
    const sent = all.map((r) => r.raw).join('\n');
    expect(sent).not.toContain('personnummer');
    expect(sent).not.toContain('Webba');
    for (const p of personnummers) expect(sent).not.toContain(p.slice(2, 8));

    // running the job again sends nothing twice
    const before = receiver.received.length;
    await drain();
    expect(receiver.received.length).toBe(before);

    // a deactivated subscription gets nothing more; another owner cannot deactivate it
    expect((await call('DELETE', `/webhooks/${provider.id}`, await auth.coordinator())).statusCode).toBe(404);
    const off = await call('DELETE', `/webhooks/${provider.id}`, await auth.providerA());
    expect(off.statusCode, off.body).toBe(200);
    expect(off.json()).toMatchObject({ active: false, version: 2 });
    const third = await driveCase();
    await drain();
    expect(of('/provider', third)).toHaveLength(0);
    expect(of('/region', third)).toHaveLength(5);
  });

  it('retries a failing receiver with back-off for 24 hours, then keeps a dead letter the admin can re-queue', async () => {
    receiver.failing.add('/failing');
    const sub = await subscribe(await auth.admin(), { url: `${receiver.base}/failing`, regionCode: '01', eventTypes: ['case.opened', 'request.sent'] });
    const caseId = await driveCase();
    const opened = Date.parse((await t.database.db.selectFrom('outbox_events').select('occurred_at').where('case_id', '=', caseId).where('type', '=', 'case.opened').executeTakeFirstOrThrow()).occurred_at.toISOString());
    await fanOutAll();
    const rows = () => t.database.db.selectFrom('webhook_deliveries').selectAll().where('subscription_id', '=', sub.id).orderBy('event_seq').execute();
    expect((await rows()).map((r) => r.status)).toEqual(['pending', 'pending', 'pending']);

    // first attempt fails; the later events of the case wait behind it
    const first = await deliverDue(deps);
    expect(first.filter((o) => (o.status === 503))).toHaveLength(1);
    let [head, ...rest] = await rows();
    expect(head).toMatchObject({ status: 'pending', attempts: 1, last_status: 503, last_error: 'answered HTTP 503' });
    expect(rest.every((r) => r.attempts === 0)).toBe(true);
    expect(new Date(head!.next_attempt_at).getTime() - clock.at).toBe(30_000);

    // nothing before the back-off has passed (the region subscription's deliveries go on meanwhile); then 30 s, 1, 2, 4 … minutes, at most an hour apart
    for (let i = 0; i < 20 && (await deliverDue(deps)).length > 0; i++);
    expect((await rows())[0]!.attempts).toBe(1);
    clock.at += 29_000;
    expect(await deliverDue(deps)).toEqual([]);
    const gaps: number[] = [];
    for (let i = 0; i < 100; i++) {
      [head, ...rest] = await rows();
      if (head!.status !== 'pending') break;
      const next = new Date(head!.next_attempt_at).getTime();
      gaps.push(next - (new Date(head!.last_attempt_at!).getTime()));
      clock.at = next;
      await deliverDue(deps);
    }
    expect(gaps.slice(0, 8)).toEqual([30_000, 60_000, 120_000, 240_000, 480_000, 960_000, 1_920_000, 3_600_000]);
    expect(Math.max(...gaps)).toBe(3_600_000);
    expect(head).toMatchObject({ status: 'dead', last_status: 503 });
    expect(new Date(head!.dead_at!).getTime()).toBe(opened + 24 * 3600_000);
    expect(receiver.received.filter((r) => r.path === '/failing')).toHaveLength(0);
    // with the first one dead, the next event of the case goes (and fails) in its turn
    expect(rest[0]!.attempts).toBe(0);

    const admin = await auth.admin();
    const dead = await call('GET', '/webhooks/dead-letters?limit=1000', admin);
    expect(dead.statusCode, dead.body).toBe(200);
    const letter = (dead.json() as { items: { id: string; eventId: string; eventType: string; attempts: number; caseId: string }[] }).items.find((i) => i.id === head!.id);
    expect(letter).toMatchObject({ eventType: 'case.opened', caseId, attempts: head!.attempts });
    expect((await call('GET', '/webhooks/dead-letters', await auth.coordinator())).statusCode).toBe(403);
    expect((await call('POST', `/webhooks/dead-letters/${head!.id}/retry`, await auth.coordinator())).statusCode).toBe(403);

    receiver.failing.delete('/failing');
    const retried = await call('POST', `/webhooks/dead-letters/${head!.id}/retry`, admin);
    expect(retried.statusCode, retried.body).toBe(200);
    expect(retried.json()).toMatchObject({ status: 'pending' });
    expect((await call('POST', `/webhooks/dead-letters/${head!.id}/retry`, admin)).statusCode).toBe(409);
    await drain();
    const got = receiver.received.filter((r) => r.path === '/failing' && r.body.caseId === caseId);
    expect(got[0]!.body).toMatchObject({ id: letter!.eventId, type: 'case.opened' });
    expect(verifyWebhook(got[0]!.raw, got[0]!.headers, sub.secret, { now: clock.now() }).ok).toBe(true);
    expect((await rows())[0]).toMatchObject({ status: 'delivered' });
    expect(backoffMs(100)).toBe(3_600_000);
  });

  it('refuses forged, tampered, old and replayed deliveries at the receiver', () => {
    const secret = 'whsec_test-secret';
    const now = new Date('2026-11-26T09:00:00Z');
    const body = JSON.stringify({ id: 'e1', type: 'case.opened', occurredAt: now.toISOString(), caseId: 'c1', seq: 1, data: {} });
    const headers = signedHeaders(secret, body, { id: 'e1', type: 'case.opened' }, now);
    const seen = new Set<string>();
    expect(verifyWebhook(body, headers, secret, { now, seen })).toMatchObject({ ok: true, eventId: 'e1' });
    expect(verifyWebhook(body, headers, secret, { now, seen })).toEqual({ ok: false, reason: 'replayed_event' });
    expect(verifyWebhook(body, headers, secret, { now, seen: (id) => id === 'e1' })).toEqual({ ok: false, reason: 'replayed_event' });
    // forged: signed with another secret, or a body changed after signing
    expect(verifyWebhook(body, signedHeaders('whsec_guess', body, { id: 'e1', type: 'case.opened' }, now), secret, { now })).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyWebhook(body.replace('case.opened', 'case.closed'), headers, secret, { now })).toEqual({ ok: false, reason: 'bad_signature' });
    // an old signature (a replay after the tolerance), and one from the future
    const later = new Date(now.getTime() + 301_000);
    expect(verifyWebhook(body, headers, secret, { now: later })).toEqual({ ok: false, reason: 'timestamp_too_old' });
    expect(verifyWebhook(body, headers, secret, { now: later, toleranceSeconds: 600 }).ok).toBe(true);
    expect(verifyWebhook(body, headers, secret, { now: new Date(now.getTime() - 301_000) })).toEqual({ ok: false, reason: 'timestamp_in_future' });
    // a moved timestamp breaks the signature
    const t = Math.floor(now.getTime() / 1000);
    const moved = { ...headers, 'nvf-signature': headers['nvf-signature']!.replace(`t=${t}`, `t=${t + 1000}`) };
    expect(verifyWebhook(body, moved, secret, { now: later })).toEqual({ ok: false, reason: 'bad_signature' });
    // a fresh signature over the same body and another event-id header does not get past de-duplication
    const relabelled = { ...headers, 'nvf-event-id': 'e2' };
    expect(verifyWebhook(body, relabelled, secret, { now })).toEqual({ ok: false, reason: 'event_id_mismatch' });
    expect(verifyWebhook(body, {}, secret, { now })).toEqual({ ok: false, reason: 'missing_signature' });
    expect(verifyWebhook(body, { 'nvf-signature': 'v1=abc' }, secret, { now })).toEqual({ ok: false, reason: 'malformed_signature' });
    // the signature is HMAC-SHA256 over "<t>.<body>" (what docs/webhooks.md tells receivers)
    expect(headers['nvf-signature']).toBe(`t=${t},v1=${webhookSignature(secret, t, body)}`);
    // a Fetch API Headers object works as well
    expect(verifyWebhook(body, new Headers(headers), secret, { now }).ok).toBe(true);
  });

  it('lets a coordinator subscribe only for its region and a provider only for its organisation', async () => {
    const coordinator = await auth.coordinator();
    const url = `${receiver.base}/x`;
    expect((await call('POST', '/webhooks', coordinator, { url, regionCode: '03' })).statusCode).toBe(403);
    expect((await call('POST', '/webhooks', coordinator, { url, organizationId: f.unitA.organizationId })).statusCode).toBe(403);
    expect((await call('POST', '/webhooks', await auth.providerA(), { url, organizationId: f.unitB.organizationId })).statusCode).toBe(403);
    expect((await call('POST', '/webhooks', await auth.providerA(), { url, regionCode: '01' })).statusCode).toBe(403);
    const admin = await auth.admin();
    const bad = async (body: Record<string, unknown>, field: string) => {
      const r = await call('POST', '/webhooks', admin, body);
      expect(r.statusCode, r.body).toBe(422);
      expect((r.json() as { errors: { field: string }[] }).errors.map((e) => e.field)).toContain(field);
    };
    await bad({ url: 'http://receiver.example/hook', regionCode: '01' }, 'url');
    await bad({ url: 'ftp://127.0.0.1/hook', regionCode: '01' }, 'url');
    await bad({ url: 'https://user:pw@receiver.example/hook', regionCode: '01' }, 'url');
    await bad({ url, regionCode: '01', organizationId: f.unitA.organizationId }, 'organizationId');
    await bad({ url }, 'regionCode');
    await bad({ url, regionCode: '99' }, 'regionCode');
    await bad({ url, organizationId: 'no-such-organisation' }, 'organizationId');
    expect((await call('POST', '/webhooks', admin, { url, regionCode: '01', eventTypes: ['case.exploded'] })).statusCode).toBe(400);
    expect((await call('POST', '/webhooks', admin, { url: 'https://receiver.example/hook', organizationId: f.unitB.organizationId })).statusCode).toBe(201);
    // the other region's coordinator sees none of region 01's subscriptions
    expect((await call('GET', '/webhooks', await auth.otherCoordinator())).json()).toEqual({ items: [] });
    // production allows only https, even to localhost
    const prod = await startTestApp(target, { clock, env: { NVF_MODE: 'production' } });
    try {
      const r = await prod.app.inject({ method: 'POST', url: '/api/v1/webhooks', headers: await prod.auth({ roles: ['coordinator'], regionCode: '01' }), payload: { url: `${receiver.base}/prod` } });
      expect(r.statusCode, r.body).toBe(422);
    } finally {
      await prod.close();
    }
  });

  it('streams each caller only its own events as server-sent events, resumable by Last-Event-ID', async () => {
    const caseId = await driveCase();
    const mine = (await stream(await auth.coordinator())).filter((e) => e.event.caseId === caseId);
    expect(mine.map((e) => e.type)).toEqual(['case.opened', 'request.sent', 'request.sent', 'request.accepted', 'request.declined']);
    expect(mine.every((e) => e.id.endsWith(`.${e.event.seq}`) && e.type === e.event.type)).toBe(true);
    expect((await stream(await auth.otherCoordinator())).filter((e) => e.event.caseId === caseId)).toEqual([]);
    const b = await stream(await auth.providerB());
    expect(b.filter((e) => e.event.caseId === caseId).map((e) => e.type)).toEqual(['request.sent', 'request.declined']);
    const orgOf = new Map((await t.database.db.selectFrom('outbox_events').select(['seq', 'organization_id']).execute()).map((r) => [Number(r.seq), r.organization_id]));
    expect(b.every((e) => orgOf.get(e.event.seq) === f.unitB.organizationId)).toBe(true);
    const all = await stream(await auth.admin());
    expect(all.filter((e) => e.event.caseId === caseId)).toHaveLength(5);
    // resume after the second event
    const resumed = (await stream(await auth.coordinator(), '', { 'last-event-id': mine[1]!.id })).filter((e) => e.event.caseId === caseId);
    expect(resumed.map((e) => e.id)).toEqual(mine.slice(2).map((e) => e.id));
    // without a position the stream begins with the next event
    expect(await stream(await auth.coordinator(), '')).toEqual([]);
    expect((await call('GET', '/events/stream?once=true', await t.auth({ roles: ['analyst'] }))).statusCode).toBe(403);
  });

  it('resumes the stream from an <xid>.<seq> id or a legacy plain seq, and answers 400 to any other position', async () => {
    const coordinator = await auth.coordinator();
    const caseId = await driveCase();
    const mine = (await stream(coordinator)).filter((e) => e.event.caseId === caseId);
    expect(mine).toHaveLength(5);
    expect(mine.every((e) => /^\d+\.\d+$/.test(e.id))).toBe(true);
    const ofCase = (events: Streamed[]) => events.filter((e) => e.event.caseId === caseId).map((e) => e.id);
    const rest = mine.slice(2).map((e) => e.id);
    // the cursor, by header and by ?after=; the header wins over the query
    expect(ofCase(await stream(coordinator, '', { 'last-event-id': mine[1]!.id }))).toEqual(rest);
    expect(ofCase(await stream(coordinator, `after=${mine[1]!.id}`))).toEqual(rest);
    expect(ofCase(await stream(coordinator, `after=${mine[4]!.id}`, { 'last-event-id': mine[1]!.id }))).toEqual(rest);
    expect(ofCase(await stream(coordinator, '', { 'last-event-id': mine[4]!.id }))).toEqual([]);
    // a legacy plain seq: every later-numbered event comes (here, one transaction per event: exactly those), with new ids
    expect(ofCase(await stream(coordinator, '', { 'last-event-id': String(mine[1]!.event.seq) }))).toEqual(rest);
    expect(ofCase(await stream(coordinator, `after=${mine[1]!.event.seq}`))).toEqual(rest);
    expect(ofCase(await stream(coordinator, 'after=0'))).toEqual(mine.map((e) => e.id));
    // a seq past the last event begins where a stream without position begins
    const past = await readStream(coordinator, 'after=999999999999');
    expect(past.events).toEqual([]);
    expect(past.start).toMatch(/^\d+\.0$/);
    // anything else is 400, saying what to send
    const bad = async (query: string, extra: Record<string, string> = {}) => {
      const r = await call('GET', `/events/stream?once=true${query}`, coordinator, undefined, extra);
      expect(r.statusCode, `${query} ${JSON.stringify(extra)}: ${r.body}`).toBe(400);
      expect((r.json() as { detail: string }).detail).toContain('<xid>.<seq>');
    };
    for (const id of ['abc', '1.2.3', '12.', '.12', '-1', '1e3', '12345678901234567890.1', '1.1234567890123456789'])
      await bad('', { 'last-event-id': id });
    for (const after of ['abc', '1.2.3', '12.', '-1', '12345678901234567890.1']) await bad(`&after=${encodeURIComponent(after)}`);
  });

  it.skipIf(target !== 'postgres')('never skips an event whose transaction commits after a later-numbered one (PostgreSQL)', async () => {
    const coordinator = await auth.coordinator();
    const before = (await readStream(coordinator, '')).start;
    const a = new pg.Client({ connectionString: t.database.url });
    const b = new pg.Client({ connectionString: t.database.url });
    await a.connect();
    await b.connect();
    const insertEvent = async (client: pg.Client) => {
      const r = await client.query<{ id: string; seq: string; xid: string }>(
        `INSERT INTO outbox_events (id, type, case_id, region_code, organization_id, payload, occurred_at)
         VALUES (gen_random_uuid(), 'case.opened', gen_random_uuid(), '01', NULL, '{}'::jsonb, now())
         RETURNING id, seq::text AS seq, xid::text AS xid`);
      return r.rows[0]!;
    };
    try {
      // A takes its seq (and xid) first and stays open; B takes a later seq and commits
      await a.query('BEGIN');
      const eventA = await insertEvent(a);
      await b.query('BEGIN');
      const eventB = await insertEvent(b);
      await b.query('COMMIT');
      expect(BigInt(eventB.seq)).toBeGreaterThan(BigInt(eventA.seq));
      expect(BigInt(eventB.xid)).toBeGreaterThan(BigInt(eventA.xid));

      // B is committed and numbered after A, but A's transaction is still running: B is held back
      const first = await readStream(coordinator, '', { 'last-event-id': before });
      const ours = (events: Streamed[]) => events.filter((e) => e.event.id === eventA.id || e.event.id === eventB.id);
      expect(ours(first.events)).toEqual([]);
      await a.query('COMMIT');

      // resume where the first read stopped: A then B, A exactly once
      let resumeFrom = first.events.at(-1)?.id ?? first.start;
      const seen: Streamed[] = [];
      for (let i = 0; i < 100 && ours(seen).length < 2; i++) {
        const next = await readStream(coordinator, '', { 'last-event-id': resumeFrom });
        seen.push(...next.events);
        resumeFrom = next.events.at(-1)?.id ?? resumeFrom;
        if (ours(seen).length < 2) await new Promise((r) => setTimeout(r, 50)); // another transaction may hold the horizon a moment
      }
      expect(ours(seen).map((e) => e.event.id)).toEqual([eventA.id, eventB.id]);
      expect(ours(seen).map((e) => e.id)).toEqual([`${eventA.xid}.${eventA.seq}`, `${eventB.xid}.${eventB.seq}`]);
    } finally {
      await a.query('ROLLBACK').catch(() => undefined);
      await a.end();
      await b.end();
    }
  });

  it('keeps a live stream open, sends new events as they come, and ends it when the app closes', async () => {
    const own = await startTestApp(target, { clock });
    try {
      await own.app.listen({ port: 0, host: '127.0.0.1' });
      const port = (own.app.server.address() as AddressInfo).port;
      const headers = await own.auth({ roles: ['coordinator'], regionCode: '01', subject: 'coordinator-01' });
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/events/stream`, { headers });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      let text = '';
      const readUntil = async (re: RegExp) => {
        while (!re.test(text)) {
          const { value, done } = await reader.read();
          if (done) return false;
          text += decoder.decode(value, { stream: true });
        }
        return true;
      };
      expect(await readUntil(/: connected/)).toBe(true);
      const opened = await own.app.inject({
        method: 'POST', url: '/api/v1/cases', headers, payload: { serviceId: f.serviceId, clockStart: '2026-10-01', patient: { personnummer: freshPersonnummer(), homeMunicipality: '0180' } },
      });
      expect(opened.statusCode, opened.body).toBe(201);
      expect(await readUntil(/event: case\.opened\ndata: .*\n\n/)).toBe(true);
      expect(text).toContain((opened.json() as { id: string }).id);
      await own.app.close();
      expect(await readUntil(/never/)).toBe(false); // the stream ended
    } finally {
      await own.close().catch(() => undefined);
    }
  });
});

describe('webhook addresses', () => {
  it('recognises internal hosts a production webhook may not call', async () => {
    const { isInternalHost } = await import('../src/services/notifications/webhooks.service.js');
    for (const h of ['localhost', 'api.localhost', 'printer.local', 'db.internal', 'intranet', '127.0.0.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '[::1]', '[fd00::1]', '[fe80::1]', '[::ffff:127.0.0.1]'])
      expect(isInternalHost(h), h).toBe(true);
    for (const h of ['region.example.se', 'hooks.vgregion.se', '8.8.8.8', '172.32.0.1', '192.169.0.1', '[2001:db8::1]'])
      expect(isInternalHost(h), h).toBe(false);
  });
});
