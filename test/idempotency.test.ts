import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { startTestApp, type TestApp } from './helpers/app.js';
import { targets } from './helpers/db.js';

describe.each(targets)('Idempotency-Key on %s', (target) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(target);
  });
  afterAll(async () => t?.close());

  const post = async (key: string, payload: object) =>
    t.app.inject({ method: 'POST', url: '/api/v1/services', headers: { ...(await t.auth({ roles: ['admin'], subject: 'idem-admin' })), 'idempotency-key': key }, payload });

  it('replays the first answer for the same key and request, without doing the work twice', async () => {
    const body = { id: 'idem-service-a', name: { sv: 'Idempotens A', en: 'Idempotency A' }, contactType: 'first_visit', specialty: 'testing' };
    const first = await post('key-aaaaaaaa', body);
    expect(first.statusCode).toBe(201);
    const again = await post('key-aaaaaaaa', body);
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    const events = await sql<{ n: number }>`SELECT count(*)::int AS n FROM audit_events WHERE entity_id = 'idem-service-a'`.execute(t.database.db);
    expect(events.rows[0]!.n).toBe(1);
  });

  it('refuses the same key with another request', async () => {
    const a = await post('key-bbbbbbbb', { id: 'idem-service-b', name: { sv: 'Idempotens B', en: 'Idempotency B' }, contactType: 'first_visit', specialty: 'testing' });
    expect(a.statusCode).toBe(201);
    const b = await post('key-bbbbbbbb', { id: 'idem-service-c', name: { sv: 'Idempotens C', en: 'Idempotency C' }, contactType: 'first_visit', specialty: 'testing' });
    expect(b.statusCode).toBe(422);
    expect(b.json().detail).toMatch(/another request/);
  });

  it('replays a 4xx answer too, and rejects a malformed key', async () => {
    const bad = { id: 'idem-service-d', name: { sv: 'Idempotens D', en: 'Idempotency D' }, contactType: 'first_visit', specialty: 'testing', kvaCodes: ['nope'] };
    const first = await post('key-cccccccc', bad);
    expect(first.statusCode).toBe(422);
    const again = await post('key-cccccccc', bad);
    expect(again.statusCode).toBe(422);
    expect(again.headers['idempotent-replayed']).toBe('true');
    const malformed = await post('short', bad);
    expect(malformed.statusCode).toBe(400);
  });
});
