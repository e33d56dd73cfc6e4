import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../src/db/schema.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { targets } from './helpers/db.js';

interface V { id: string; period: string; view?: string; kind?: string; region?: string; value: number | null; num?: number | null; den?: number | null; asOf?: string | null }

async function insertValues(db: Kysely<DB>, rows: V[]): Promise<void> {
  for (const r of rows)
    await sql`INSERT INTO indicator_values (indicator_id, period, view, guarantee_kind, region_code, revision, value, numerator_count, denominator_count, computed_at, data_as_of)
              VALUES (${r.id}, ${r.period}, ${r.view ?? ''}, ${r.kind ?? ''}, ${r.region ?? ''}, 1, ${r.value}, ${r.num ?? null}, ${r.den ?? null}, '2026-11-21T03:00:00Z', ${r.asOf ?? null}::date)`.execute(db);
}
async function finishRun(db: Kysely<DB>, period: string): Promise<void> {
  await sql`INSERT INTO statistics_runs (period, started_at, finished_at, triggered_by) VALUES (${period}, '2026-11-21T03:00:00Z', '2026-11-21T03:00:00Z', 'test')`.execute(db);
  await sql`UPDATE statistics_version SET version = version + 1 WHERE id = 1`.execute(db);
}
const share = (id: string, period: string, region: string, n: number, d: number, extra: Partial<V> = {}): V => ({ id, period, region, value: d === 0 ? null : n / d, num: n, den: d, ...extra });
const VIEW = 'excluding_pvv_and_mov';

interface Result { goalId: string; value: number | null; met: boolean | null; status: string; trend: { period: string; value: number | null; met: boolean | null }[]; detail?: { guaranteeKind: string; value: number | null; met: boolean | null }[] }

describe.each(targets)('goals, scorecard and data quality on %s', (target) => {
  let t: TestApp;
  let analyst: { authorization: string };
  const get = async (url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers });
  const put = async (id: string, payload: unknown, headers: Record<string, string>) => t.app.inject({ method: 'PUT', url: `/api/v1/follow-up/goals/${id}`, payload: payload as object, headers });
  const auditCount = async () => Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM audit_events WHERE entity_type = 'goal'`.execute(t.database.db)).rows[0]!.n);
  const version = async () => Number((await sql<{ v: number }>`SELECT version AS v FROM statistics_version WHERE id = 1`.execute(t.database.db)).rows[0]!.v);
  const result = (card: { regions: { regionCode: string; results: Result[] }[] }, region: string, goal: string) => card.regions.find((r) => r.regionCode === region)!.results.find((x) => x.goalId === goal);

  beforeAll(async () => {
    t = await startTestApp(target, { clock: '2026-11-26T10:00:00Z' });
    analyst = await t.auth({ roles: ['analyst'], subject: 'analyst-anna' });
    const db = t.database.db;
    await sql`DELETE FROM indicator_values`.execute(db);
    await sql`DELETE FROM statistics_runs`.execute(db);
    await insertValues(db, [
      share('requests_answered_in_time_share', '2026-10', '', 175, 200), share('requests_answered_in_time_share', '2026-10', '01', 95, 100),
      share('requests_answered_in_time_share', '2026-10', '03', 80, 100), share('requests_answered_in_time_share', '2026-10', '04', 0, 0),
      ...['specialist_first_visit', 'treatment'].flatMap((kind) => {
        const [n01, n03] = kind === 'treatment' ? [90, 70] : [85, 90];
        return [
          share('within_guarantee_share', '2026-10', '', n01 + n03, 200, { view: VIEW, kind }),
          share('within_guarantee_share', '2026-10', '01', n01, 100, { view: VIEW, kind }),
          share('within_guarantee_share', '2026-10', '03', n03, 100, { view: VIEW, kind }),
        ];
      }),
      { id: 'waiting_list_on_time', period: '2026-10', region: '01', value: 1, asOf: '2026-11-12' },
      { id: 'waiting_list_on_time', period: '2026-10', region: '03', value: 0 },
      { id: 'waiting_list_on_time', period: '2026-10', region: '', value: 1 / 21, num: 1, den: 21 },
      { id: 'applied_waiting_list_submissions', period: '2026-10', region: '01', value: 3 },
      { id: 'rejected_waiting_list_submissions', period: '2026-10', region: '01', value: 2 },
      { id: 'waiting_list_row_errors', period: '2026-10', region: '01', value: 7 },
      { id: 'fresh_capacity_report_share', period: '2026-10', region: '01', value: 0.75, num: 3, den: 4 },
      { id: 'connected_systems', period: '2026-10', region: '01', value: 2 },
    ]);
    await finishRun(db, '2026-10');
    await insertValues(db, [share('requests_answered_in_time_share', '2026-09', '', 170, 200), share('requests_answered_in_time_share', '2026-09', '01', 85, 100), share('requests_answered_in_time_share', '2026-09', '03', 85, 100)]);
    await finishRun(db, '2026-09');
    await t.app.pollCaches();
  });
  afterAll(async () => t?.close());

  it('lists the proposed goals', async () => {
    const res = await get('/api/v1/follow-up/goals');
    expect(res.statusCode).toBe(200);
    const items = res.json().items as { id: string }[];
    expect(items.map((g) => g.id)).toEqual(['capacity_reports_fresh', 'requests_answered_in_time_90', 'waiting_list_monthly_on_time', 'waiting_within_guarantee_80']);
    expect(items[3]).toMatchObject({ indicatorId: 'within_guarantee_share', regionCode: null, view: VIEW, guaranteeKinds: ['specialist_first_visit', 'treatment'], comparator: 'gte', target: 0.8, dueDate: '2027-12-31', proposed: true, active: true, version: 1 });
  });

  it('assesses every region against every goal: met, not met, not assessed, per kind, with a trend', async () => {
    const res = await get('/api/v1/follow-up/scorecard');
    expect(res.statusCode).toBe(200);
    const card = res.json();
    expect(card).toMatchObject({ period: '2026-10', revision: 1, synthetic: true });
    expect(card.regions).toHaveLength(21);
    expect(result(card, '01', 'requests_answered_in_time_90')).toEqual({
      goalId: 'requests_answered_in_time_90', value: 0.95, target: 0.9, met: true, status: 'met',
      trend: [
        { period: '2026-05', value: null, met: null }, { period: '2026-06', value: null, met: null }, { period: '2026-07', value: null, met: null },
        { period: '2026-08', value: null, met: null }, { period: '2026-09', value: 0.85, met: false }, { period: '2026-10', value: 0.95, met: true },
      ],
    });
    expect(result(card, '03', 'requests_answered_in_time_90')).toMatchObject({ value: 0.8, met: false, status: 'not_met' });
    // no requests due: no denominator, not assessed
    expect(result(card, '04', 'requests_answered_in_time_90')).toMatchObject({ value: null, met: null, status: 'not_assessed' });
    expect(result(card, '01', 'waiting_within_guarantee_80')).toMatchObject({
      value: 0.85, met: true, status: 'met',
      detail: [{ guaranteeKind: 'specialist_first_visit', value: 0.85, met: true }, { guaranteeKind: 'treatment', value: 0.9, met: true }],
    });
    expect(result(card, '03', 'waiting_within_guarantee_80')).toMatchObject({ value: 0.7, met: false, status: 'not_met' });
    expect(result(card, '01', 'waiting_list_monthly_on_time')).toMatchObject({ value: 1, met: true });
    expect(result(card, '03', 'waiting_list_monthly_on_time')).toMatchObject({ value: 0, met: false });
    expect(result(card, '01', 'capacity_reports_fresh')).toMatchObject({ value: 0.75, met: false });
    const nat = card.national.results as Result[];
    expect(nat.find((r) => r.goalId === 'requests_answered_in_time_90')).toMatchObject({ value: 0.875, met: false });
    expect(nat.find((r) => r.goalId === 'waiting_within_guarantee_80')).toMatchObject({ value: 0.8, met: true });
  });

  it('answers 400, 422 and 404 for malformed, future and uncomputed periods', async () => {
    expect((await get('/api/v1/follow-up/scorecard?period=2026-1')).statusCode).toBe(400);
    const future = await get('/api/v1/follow-up/scorecard?period=2026-12');
    expect(future.statusCode).toBe(422);
    expect(future.json().detail).toBe('2026-12 has not ended yet (this month is 2026-11): statistics exist only for past months.');
    const none = await get('/api/v1/follow-up/scorecard?period=2026-08');
    expect(none.statusCode).toBe(404);
    expect(none.json().detail).toBe('No statistics for 2026-08 yet: the newest is 2026-10.');
  });

  it('creates a regional goal that replaces the national one for that region, audited and versioned', async () => {
    const before = await version();
    const audits = await auditCount();
    const body = { indicatorId: 'requests_answered_in_time_share', regionCode: '03', comparator: 'gte', target: 0.8, dueDate: '2027-06-30', title: { sv: 'Minst 80 % i tid i region 03', en: 'At least 80 % in time in region 03' } };
    const res = await put('region-03-in-time', body, analyst);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.headers.etag).toBe('"v1"');
    expect(res.json()).toMatchObject({ id: 'region-03-in-time', regionCode: '03', view: null, guaranteeKinds: [], target: 0.8, proposed: false, active: true, updatedBy: 'analyst-anna', version: 1 });
    expect(await version()).toBe(before + 1);
    expect(await auditCount()).toBe(audits + 1);
    const card = (await get('/api/v1/follow-up/scorecard')).json();
    expect(result(card, '03', 'region-03-in-time')).toMatchObject({ value: 0.8, met: true });
    expect(result(card, '03', 'requests_answered_in_time_90')).toBeUndefined();
    expect(result(card, '01', 'requests_answered_in_time_90')).toBeDefined();
    expect(result(card, '01', 'region-03-in-time')).toBeUndefined();
    expect((card.national.results as Result[]).some((r) => r.goalId === 'region-03-in-time')).toBe(false);
  });

  it('changes a goal only with the current If-Match and records who changed what', async () => {
    const goal = (await get('/api/v1/follow-up/goals')).json().items.find((g: { id: string }) => g.id === 'requests_answered_in_time_90');
    const body = { indicatorId: 'requests_answered_in_time_share', comparator: 'gte', target: 0.95, dueDate: '2027-12-31', title: goal.title };
    const missing = await put(goal.id, body, analyst);
    expect(missing.statusCode).toBe(412);
    expect(missing.json().detail).toMatch(/send If-Match/);
    expect((await put(goal.id, body, { ...analyst, 'if-match': '"v7"' })).statusCode).toBe(412);
    const ok = await put(goal.id, body, { ...analyst, 'if-match': `"v${goal.version}"` });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers.etag).toBe(`"v${goal.version + 1}"`);
    expect(ok.json()).toMatchObject({ target: 0.95, proposed: false, version: goal.version + 1, updatedBy: 'analyst-anna' });
    const ev = await sql<{ action: string; actor_subject: string; details: { before: { target: number }; after: { target: number } } }>`
      SELECT action, actor_subject, details FROM audit_events WHERE entity_type = 'goal' AND entity_id = ${goal.id} ORDER BY pos DESC LIMIT 1`.execute(t.database.db);
    const d = typeof ev.rows[0]!.details === 'string' ? JSON.parse(ev.rows[0]!.details as unknown as string) : ev.rows[0]!.details;
    expect(ev.rows[0]).toMatchObject({ action: 'goal.update', actor_subject: 'analyst-anna' });
    expect([d.before.target, d.after.target]).toEqual([0.9, 0.95]);
    // the scorecard follows at once (statistics_version moved)
    const card = (await get('/api/v1/follow-up/scorecard')).json();
    expect(result(card, '01', 'requests_answered_in_time_90')).toMatchObject({ value: 0.95, target: 0.95, met: true });
  });

  it('refuses bad goals with 400/422 and changes nothing', async () => {
    const good = { indicatorId: 'within_guarantee_share', view: VIEW, guaranteeKinds: ['treatment'], comparator: 'gte', target: 0.8, dueDate: '2027-12-31', title: { sv: 'Mål', en: 'Goal' } };
    const cases: [string, Record<string, unknown>, number, RegExp][] = [
      ['unknown indicator', { ...good, indicatorId: 'happiness' }, 422, /unknown indicator happiness/],
      ['share above 1', { ...good, target: 1.5 }, 422, /target: .*0–1/],
      ['negative days', { ...good, indicatorId: 'median_waited_days', target: -3 }, 422, /≥ 0/],
      ['due date in the past', { ...good, dueDate: '2026-11-25' }, 422, /in the past \(today is 2026-11-26\)/],
      ['not a date', { ...good, dueDate: '2027-02-30' }, 422, /real calendar date/],
      ['view the indicator lacks', { ...good, indicatorId: 'requests_answered_in_time_share', guaranteeKinds: [] }, 422, /does not depend on the statistical view/],
      ['no view for a two-view indicator', { ...good, view: undefined }, 422, /give view/],
      ['kinds the indicator lacks', { ...good, indicatorId: 'waiting_list_on_time', view: undefined, target: 1 }, 422, /not computed per guarantee kind/],
      ['unknown region', { ...good, regionCode: '02' }, 422, /region 02 does not exist/],
      ['empty title', { ...good, title: { sv: ' ', en: 'Goal' } }, 422, /title.sv/],
      ['unknown kind', { ...good, guaranteeKinds: ['primary_contact'] }, 400, /guaranteeKinds/],
      ['unknown field', { ...good, owner: 'me' }, 400, /owner/],
      ['missing target', { ...good, target: undefined }, 400, /target/],
      ['bad comparator', { ...good, comparator: 'gt' }, 400, /comparator/],
    ];
    const goalsBefore = (await get('/api/v1/follow-up/goals')).json();
    const audits = await auditCount();
    const v = await version();
    for (const [name, payload, status, message] of cases) {
      const res = await put('waiting_within_guarantee_80', payload, { ...analyst, 'if-match': '"v1"' });
      expect(res.statusCode, name).toBe(status);
      expect(res.headers['content-type'], name).toMatch(/application\/problem\+json/);
      expect(JSON.stringify(res.json()), name).toMatch(message);
    }
    expect((await put('Bad Id!', good, analyst)).statusCode).toBe(400);
    expect((await get('/api/v1/follow-up/goals')).json()).toEqual(goalsBefore);
    expect(await auditCount()).toBe(audits);
    expect(await version()).toBe(v);
  });

  it('lets only analysts and admins change goals', async () => {
    const body = { indicatorId: 'connected_systems', comparator: 'gte', target: 1, dueDate: '2027-12-31', title: { sv: 'Anslutna', en: 'Connected' } };
    expect((await put('systems-1', body, {})).statusCode).toBe(401);
    for (const roles of [['coordinator'], ['provider'], ['region-reporter'], ['patient']] as const)
      expect((await put('systems-1', body, await t.auth({ roles: [...roles], regionCode: '01', organizationId: 'region-01' }))).statusCode, roles[0]).toBe(403);
    expect(await t.database.db.selectFrom('goals').select('id').where('id', '=', 'systems-1').executeTakeFirst()).toBeUndefined();
    expect((await put('systems-1', body, await t.auth({ roles: ['admin'] }))).statusCode).toBe(201);
  });

  it('gives data quality to analysts and admins, with a live list of stale units', async () => {
    expect((await get('/api/v1/follow-up/data-quality')).statusCode).toBe(401);
    expect((await get('/api/v1/follow-up/data-quality', await t.auth({ roles: ['coordinator'], regionCode: '01' }))).statusCode).toBe(403);
    const db = t.database.db;
    const unit = (await sql<{ hsa_id: string; name: string }>`
      SELECT u.hsa_id, u.name FROM units u JOIN unit_services us ON us.unit_hsa_id = u.hsa_id JOIN services s ON s.id = us.service_id AND s.active
       WHERE u.active AND u.region_code = '01' ORDER BY u.hsa_id LIMIT 1`.execute(db)).rows[0]!;
    await sql`DELETE FROM capacity_reports WHERE unit_hsa_id = ${unit.hsa_id}`.execute(db);
    const res = await get('/api/v1/follow-up/data-quality', analyst);
    expect(res.statusCode).toBe(200);
    const r01 = res.json().regions.find((r: { regionCode: string }) => r.regionCode === '01');
    expect(r01).toMatchObject({ waitingListOnTime: true, firstSubmissionOn: '2026-11-12', appliedSubmissions: 3, rejectedSubmissions: 2, rowErrors: 7, unitsExpectedToReport: 4, unitsWithFreshCapacityReport: 3, freshCapacityShare: 0.75, connectedSystems: 2 });
    expect(r01.staleUnits).toContainEqual({ unitHsaId: unit.hsa_id, unitName: unit.name, lastValidFrom: null });
    const r03 = res.json().regions.find((r: { regionCode: string }) => r.regionCode === '03');
    expect(r03).toMatchObject({ waitingListOnTime: false, firstSubmissionOn: null, appliedSubmissions: 0 });
    // a fresh report for every offered service takes the unit off the list
    await sql`INSERT INTO capacity_reports (unit_hsa_id, service_id, valid_from, expected_wait_days, weekly_capacity_for_other_regions, accepts_other_regions, reported_by, reported_at)
              SELECT us.unit_hsa_id, us.service_id, '2026-11-20', 30, 1, true, 'test', now() FROM unit_services us WHERE us.unit_hsa_id = ${unit.hsa_id}`.execute(db);
    const after = (await get('/api/v1/follow-up/data-quality?period=2026-10', await t.auth({ roles: ['admin'] }))).json();
    expect(after.regions.find((r: { regionCode: string }) => r.regionCode === '01').staleUnits.some((u: { unitHsaId: string }) => u.unitHsaId === unit.hsa_id)).toBe(false);
  });
});
