import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { startTestApp, type TestApp } from './helpers/app.js';
import { targets } from './helpers/db.js';

describe.each(targets)('cached directory answers on %s', (target) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(target);
  });
  afterAll(async () => t?.close());

  const names = async () => ((await t.app.inject({ method: 'GET', url: '/api/v1/organizations?kind=private&limit=1000' })).json().items as { name: string }[]).map((o) => o.name);

  it('shows a change made through the API at once', async () => {
    expect(await names()).not.toContain('Cache Ett AB');
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/organizations', headers: await t.auth({ roles: ['admin'] }), payload: { name: 'Cache Ett AB', organizationNumber: '556000-0209', kind: 'private' } });
    expect(created.statusCode).toBe(201);
    expect(await names()).toContain('Cache Ett AB');
  });

  it('shows a change made by another instance (directly in the database) after its next read of the change counter', async () => {
    expect(await names()).not.toContain('Cache Två AB');
    await sql`INSERT INTO organizations (id, name, organization_number, kind) VALUES ('cache-tva', 'Cache Två AB', '556000-0217', 'private')`.execute(t.database.db);
    // The instance reads the change counter every second; allow for a slow machine, but it must come.
    const until = Date.now() + 10_000;
    while (!(await names()).includes('Cache Två AB') && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
    expect(await names()).toContain('Cache Två AB');
  });

  it('answers If-None-Match with 304 while the data is unchanged', async () => {
    const first = await t.app.inject({ method: 'GET', url: '/api/v1/services' });
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"d/);
    const again = await t.app.inject({ method: 'GET', url: '/api/v1/services', headers: { 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect(JSON.parse(first.body).items.length).toBeGreaterThanOrEqual(30);
  });
});
