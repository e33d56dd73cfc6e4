import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { connect, type Database } from '../src/db/connect.js';
import type { Clock } from '../src/domain/clock.js';
import { buildApp } from '../src/http/app.js';
import { deliverDue, fanOutEvents, type DeliveryDeps } from '../src/services/notifications/delivery.js';
import { verifyWebhook } from '../src/services/notifications/verify.js';
import { webhookSecretBox } from '../src/services/notifications/webhooks.service.js';
import { startTestApp, TEST_PATIENT_DATA_KEY, type TestApp } from './helpers/app.js';
import { brokeringFixture, freshPersonnummer, type BrokeringFixture } from './helpers/brokering.js';

const START = Date.parse('2026-11-26T09:00:00Z');
const clock: Clock & { at: number } = { at: START, now() { return new Date(this.at); } };

/**
 * Two service instances (two apps over two connection pools) on one PostgreSQL: both fan out and deliver at the same
 * time as cases change through both; every webhook arrives exactly once, in per-case order.
 */
describe.skipIf(!process.env.TEST_DATABASE_URL)('webhooks with two instances on one PostgreSQL', () => {
  let t: TestApp;
  let second: { database: Database; app: FastifyInstance };
  let f: BrokeringFixture;
  const received: { path: string; id: string; caseId: string; seq: number; raw: string; headers: http.IncomingHttpHeaders }[] = [];
  let server: http.Server;
  let base: string;

  beforeAll(async () => {
    t = await startTestApp('postgres', { clock });
    const database = await connect(t.database.url!);
    const app = await buildApp({ database, config: loadConfig({ LOG_LEVEL: 'silent', PORT: '3000', PATIENT_DATA_KEY: TEST_PATIENT_DATA_KEY }), clock });
    await app.ready();
    second = { database, app };
    f = await brokeringFixture(t);
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const body = JSON.parse(raw) as { id: string; caseId: string; seq: number };
        // answer a little later, so that the instances' claims overlap in time
        setTimeout(() => {
          received.push({ path: req.url ?? '/', id: body.id, caseId: body.caseId, seq: body.seq, raw, headers: req.headers });
          res.writeHead(200).end('ok');
        }, 5 + Math.floor(Math.random() * 20));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await second?.app.close();
    await second?.database.close();
    await t?.close();
  });

  it('delivers every event exactly once while both instances run the fan-out and the delivery concurrently', async () => {
    const apps = [t.app, second.app];
    const coordinator = await t.auth({ roles: ['coordinator'], regionCode: '01', subject: 'coordinator-01' });
    const providerA = await t.auth({ roles: ['provider'], organizationId: f.unitA.organizationId, subject: 'provider-a' });
    const providerB = await t.auth({ roles: ['provider'], organizationId: f.unitB.organizationId, subject: 'provider-b' });
    const subscribe = async (app: FastifyInstance, headers: { authorization: string }, path: string) => {
      const r = await app.inject({ method: 'POST', url: '/api/v1/webhooks', headers, payload: { url: `${base}${path}` } });
      expect(r.statusCode, r.body).toBe(201);
      return r.json() as { id: string; secret: string };
    };
    const region = await subscribe(t.app, coordinator, '/region');
    const provider = await subscribe(second.app, providerA, '/provider');

    // drive cases through both instances, several at once
    const driveCase = async (i: number) => {
      const app = apps[i % 2]!;
      const other = apps[(i + 1) % 2]!;
      const post = async (a: FastifyInstance, url: string, headers: { authorization: string }, payload: object) => {
        const r = await a.inject({ method: 'POST', url: `/api/v1${url}`, headers, payload });
        expect(r.statusCode, r.body).toBeLessThan(300);
        return r.json() as { id: string };
      };
      const c = await post(app, '/cases', coordinator, { serviceId: f.serviceId, clockStart: '2026-10-01', patient: { personnummer: freshPersonnummer(), homeMunicipality: '0180' } });
      const ra = await post(other, `/cases/${c.id}/requests`, coordinator, { unitHsaId: f.unitA.hsaId });
      const rb = await post(app, `/cases/${c.id}/requests`, coordinator, { unitHsaId: f.unitB.hsaId });
      await post(other, `/requests/${ra.id}/accept`, providerA, { offeredDate: '2026-12-14' });
      await post(app, `/requests/${rb.id}/decline`, providerB, { reasonCode: 'no_capacity' });
      return c.id;
    };

    const secrets = webhookSecretBox(TEST_PATIENT_DATA_KEY);
    const workers: DeliveryDeps[] = [
      { db: t.database.db, clock, secrets },
      { db: second.database.db, clock, secrets },
    ];
    let driving = true;
    const rounds = [0, 0];
    const work = async (w: number) => {
      let idle = 0;
      while (driving || idle < 3) {
        const fanned = await fanOutEvents(workers[w]!.db, clock, 3);
        const sent = await deliverDue(workers[w]!, 4);
        rounds[w]!++;
        idle = fanned.events === 0 && sent.length === 0 ? idle + 1 : 0;
        if (sent.length === 0) await new Promise((r) => setTimeout(r, 5));
      }
    };
    const running = [work(0), work(1), work(0), work(1)];
    const caseIds: string[] = [];
    for (let batch = 0; batch < 4; batch++) caseIds.push(...(await Promise.all([0, 1, 2, 3, 4].map((i) => driveCase(batch * 5 + i)))));
    driving = false;
    await Promise.all(running);
    // whatever a horizon held back at the very end (e.g. an event committed during the last idle rounds): settle it
    for (let i = 0; i < 50; i++) {
      await fanOutEvents(t.database.db, clock);
      if ((await deliverDue(workers[i % 2]!)).length === 0 && (await fanOutEvents(second.database.db, clock)).events === 0) break;
    }

    const events = await t.database.db.selectFrom('outbox_events').select(['id', 'seq', 'case_id', 'organization_id']).where('case_id', 'in', caseIds).orderBy('seq').execute();
    expect(events).toHaveLength(caseIds.length * 5);
    const expected = {
      '/region': events.map((e) => e.id),
      '/provider': events.filter((e) => e.organization_id === f.unitA.organizationId).map((e) => e.id),
    };
    expect(expected['/provider']).toHaveLength(caseIds.length * 2);
    for (const [path, ids] of Object.entries(expected)) {
      const got = received.filter((r) => r.path === path).map((r) => r.id);
      // exactly once: nothing missing, nothing twice
      expect([...got].sort(), path).toEqual([...ids].sort());
      expect(new Set(got).size, path).toBe(got.length);
      // per case, in the order of the events
      for (const caseId of caseIds) {
        const seqs = received.filter((r) => r.path === path && r.caseId === caseId).map((r) => r.seq);
        expect(seqs, `${path} ${caseId}`).toEqual([...seqs].sort((a, b) => a - b));
      }
    }
    for (const r of received) expect(verifyWebhook(r.raw, r.headers, r.path === '/region' ? region.secret : provider.secret, { now: clock.now() }).ok).toBe(true);
    // both instances did work, and every delivery row is delivered once
    expect(rounds.every((n) => n > 0)).toBe(true);
    const rows = await t.database.db.selectFrom('webhook_deliveries').select(['status', 'attempts']).where('subscription_id', 'in', [region.id, provider.id]).execute();
    expect(rows).toHaveLength(expected['/region'].length + expected['/provider'].length);
    expect(rows.every((r) => r.status === 'delivered' && r.attempts === 1)).toBe(true);
  }, 120_000);
});
