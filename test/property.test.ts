import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { startTestApp, type TestApp } from './helpers/app.js';
import { targets } from './helpers/db.js';

/** Runs per route and kind of body: enough to find the crashes that matter, small enough to keep the file well under a minute. */
const RUNS = 40;

/** Strings that have broken parsers, databases and templates elsewhere (in the spirit of the Big List of Naughty Strings). */
const HOSTILE = [
  '', ' ', '\u0000', 'null', 'undefined', 'NaN', 'Infinity', '-0', '1e309', '0x1F', '-1', '9'.repeat(400),
  "' OR '1'='1", '"; DROP TABLE units; --', "Robert'); DROP TABLE organizations;--", '\\', '\\"', '%00', '%s%s%s%n',
  '<script>alert(1)</script>', '${7*7}', '{{7*7}}', '#{7*7}', '../../../../etc/passwd', 'C:\\Windows\\System32',
  '\uFEFF', '\u202Eevil', '\uD800', '\uDFFF', 'ﷺ', 'Ω≈ç√∫', '田中さんにあげて下さい', '🏥🩺👩‍⚕️', 'Ｔｈｅ', 'ÅÄÖåäö', '\r\n\r\nX-Injected: 1',
  'SE2321000016-15BS', 'se2321000016-15bs', '232100-0016', '2321000016', '00', '99', '0180', 'region-01', '__proto__', 'constructor',
];
const huge = fc.constantFrom('x'.repeat(70_000), 'Å'.repeat(40_000), '['.repeat(5_000), '{"a":'.repeat(3_000));
const hostile = fc.oneof(fc.constantFrom(...HOSTILE), huge, fc.string({ unit: 'binary', maxLength: 200 }));
const value = fc.oneof(fc.anything({ maxDepth: 3 }), hostile, fc.array(hostile, { maxLength: 5 }), fc.dictionary(hostile, hostile, { maxKeys: 4 }));

interface WriteOp {
  method: string;
  path: string;
  operationId: string;
  keys: string[];
}

describe.each(targets)('random bodies to every write route on %s', (target) => {
  let t: TestApp;
  let admin: { authorization: string };
  let ops: WriteOp[] = [];
  const params: Record<string, string> = {};

  const auditCount = async () => (await sql<{ n: number }>`SELECT count(*)::int AS n FROM audit_events`.execute(t.database.db)).rows[0]!.n;

  beforeAll(async () => {
    t = await startTestApp(target);
    admin = await t.auth({ roles: ['admin'], subject: 'property-admin' });
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as {
      paths: Record<string, Record<string, { operationId: string; requestBody?: { content: Record<string, { schema?: { properties?: Record<string, unknown> } }> } }>>;
    };
    for (const [path, item] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(item))
        if (['post', 'put', 'patch'].includes(method)) {
          const schema = op.requestBody?.content['application/json']?.schema;
          ops.push({ method: method.toUpperCase(), path, operationId: op.operationId, keys: Object.keys(schema?.properties ?? {}) });
        }
    const units = (await t.app.inject({ method: 'GET', url: '/api/v1/units?limit=1' })).json() as { items: { hsaId: string }[] };
    const services = (await t.app.inject({ method: 'GET', url: '/api/v1/services' })).json() as { items: { id: string }[] };
    params.id = 'region-01';
    params.hsaId = units.items[0]!.hsaId;
    params.serviceId = services.items[0]!.id;
    ops = ops.sort((a, b) => a.operationId.localeCompare(b.operationId));
  });
  afterAll(async () => t?.close());

  const url = (op: WriteOp) =>
    op.path
      .replace('{id}', op.path.startsWith('/api/v1/services') ? params.serviceId! : params.id!)
      .replace('{hsaId}', params.hsaId!)
      .replace('{serviceId}', params.serviceId!);

  it('finds the write routes in the document', () => {
    expect(ops.map((o) => o.operationId)).toEqual(expect.arrayContaining(['createOrganization', 'updateOrganization', 'createService', 'updateService', 'createUnit', 'updateUnit', 'createToken']));
    for (const op of ops) expect(url(op), op.operationId).not.toMatch(/[{}]/);
  });

  /** Send one body; no 5xx ever, and an error answer leaves the audit log as it was. */
  const send = async (op: WriteOp, payload: string, contentType = 'application/json') => {
    const before = await auditCount();
    // The token endpoint reads Authorization as client credentials, so a bearer token would stop every body at 401.
    const auth = op.operationId === 'createToken' ? {} : admin;
    const res = await t.app.inject({ method: op.method as 'POST', url: url(op), headers: { ...auth, 'content-type': contentType }, payload });
    if (res.statusCode >= 500) throw new Error(`${op.operationId} answered ${res.statusCode} to ${payload.slice(0, 300)}: ${res.body.slice(0, 300)}`);
    if (res.statusCode >= 400) {
      expect(res.headers['content-type'], `${op.operationId} ${res.statusCode}`).toMatch(/^application\/problem\+json/);
      expect(await auditCount(), `${op.operationId} ${res.statusCode} wrote an audit event`).toBe(before);
    }
    return res.statusCode;
  };

  it('never answers 5xx to random bodies, and a refused request leaves no audit event', async () => {
    const statuses = new Map<number, number>();
    const note = (s: number): void => {
      statuses.set(s, (statuses.get(s) ?? 0) + 1);
    };
    for (const op of ops) {
      const serialise = (v: unknown) => JSON.stringify(v) ?? 'null';
      await fc.assert(fc.asyncProperty(fc.anything({ maxDepth: 4 }), async (v) => note(await send(op, serialise(v)))), { numRuns: RUNS });
      await fc.assert(fc.asyncProperty(fc.json({ maxDepth: 4 }), async (text) => note(await send(op, text))), { numRuns: RUNS });
      await fc.assert(fc.asyncProperty(fc.string({ maxLength: 300 }), async (text) => note(await send(op, text))), { numRuns: RUNS / 2 });
      if (op.keys.length > 0) {
        const shaped = fc.record(Object.fromEntries(op.keys.map((k) => [k, value])), { requiredKeys: [] });
        await fc.assert(fc.asyncProperty(shaped, async (body) => note(await send(op, serialise(body)))), { numRuns: RUNS });
        if (op.operationId === 'createToken') {
          const form = fc.dictionary(fc.constantFrom(...op.keys, 'x'), hostile, { maxKeys: 6 });
          await fc.assert(fc.asyncProperty(form, async (f) => note(await send(op, new URLSearchParams(f).toString(), 'application/x-www-form-urlencoded'))), { numRuns: RUNS });
        }
      }
    }
    // The bodies must actually reach validation: mostly 400/422, not only 401/403/415.
    const validationAnswers = (statuses.get(400) ?? 0) + (statuses.get(422) ?? 0);
    expect(validationAnswers).toBeGreaterThan(ops.length * RUNS);
  });

  it('the app is healthy afterwards and the audit chain still verifies', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    const verify = await t.app.inject({ method: 'GET', url: '/api/v1/audit/verify', headers: admin });
    expect(verify.json()).toMatchObject({ ok: true });
  });
});
