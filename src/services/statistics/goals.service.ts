import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { isStale } from '../../domain/capacity.js';
import { stockholmDay, systemClock } from '../../domain/clock.js';
import { AppError, checkVersion, invalid } from '../../domain/errors.js';
import { checkGoal, combineKinds, meets, statusOf, type Comparator, type GoalInput, type GoalStatus } from '../../domain/goals.js';
import { indicatorById, isPeriod, previousPeriod } from '../../domain/indicators.js';
import { auditedTransaction } from '../audit.service.js';
import type { RequestContext } from '../context.js';
import { cellKey, isSynthetic, type Cell, periods, publishedIndicator, regionList, resolvePeriod } from './publish.service.js';

/**
 * Goals, the scorecard and data quality (docs/indicators.md, "Proposed initial goals" and group D). Goals are set by the
 * national coordination function (analyst, admin); every change is audited and bumps statistics_version.
 */

export interface Goal {
  id: string;
  indicatorId: string;
  regionCode: string | null;
  view: string | null;
  guaranteeKinds: string[];
  comparator: Comparator;
  target: number;
  dueDate: string;
  title: { sv: string; en: string };
  proposed: boolean;
  active: boolean;
  updatedAt: string;
  updatedBy: string;
  version: number;
}

type GoalRow = {
  id: string; indicator_id: string; region_code: string | null; view: string; guarantee_kinds: string[]; comparator: Comparator; target: number;
  due_date: string | Date; title_sv: string; title_en: string; proposed: boolean; active: boolean; updated_by: string; updated_at: Date | string; version: number;
};

const dateText = (d: string | Date): string => (typeof d === 'string' ? d.slice(0, 10) : `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`);

function toGoal(r: GoalRow): Goal {
  return {
    id: r.id, indicatorId: r.indicator_id, regionCode: r.region_code, view: r.view === '' ? null : r.view, guaranteeKinds: [...r.guarantee_kinds].sort(),
    comparator: r.comparator, target: Number(r.target), dueDate: dateText(r.due_date), title: { sv: r.title_sv, en: r.title_en }, proposed: r.proposed,
    active: r.active, updatedAt: new Date(r.updated_at).toISOString(), updatedBy: r.updated_by, version: Number(r.version),
  };
}

const GOAL_COLUMNS = sql`id, indicator_id, region_code::text AS region_code, view, guarantee_kinds, comparator, target, to_char(due_date, 'YYYY-MM-DD') AS due_date,
  title_sv, title_en, proposed, active, updated_by, updated_at, version`;

export async function listGoals(db: Kysely<DB>): Promise<{ items: Goal[] }> {
  const r = await sql<GoalRow>`SELECT ${GOAL_COLUMNS} FROM goals ORDER BY id`.execute(db);
  return { items: r.rows.map(toGoal) };
}

export async function getGoal(db: Kysely<DB>, id: string): Promise<Goal | undefined> {
  const r = await sql<GoalRow>`SELECT ${GOAL_COLUMNS} FROM goals WHERE id = ${id}`.execute(db);
  return r.rows[0] ? toGoal(r.rows[0]) : undefined;
}

/**
 * Create or change a goal (PUT). If-Match is required when the goal exists (412 when it is missing or stale). Checked
 * against the registry (422 with every broken rule); audited with the goal before and after; bumps statistics_version so
 * that cached scorecards are dropped. Nothing is changed on any error.
 */
export async function putGoal(db: Kysely<DB>, ctx: RequestContext, id: string, input: GoalInput, ifMatch: number | undefined): Promise<{ goal: Goal; created: boolean }> {
  const today = stockholmDay(ctx.clock.now());
  const regions = (await regionList(db)).map((r) => r.code);
  const errors = checkGoal(input, today, regions);
  if (errors.length > 0) throw invalid(errors, `Goal ${id} was not saved: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}.`);
  return auditedTransaction(db, ctx, async (trx, audit) => {
    const before = (await sql<GoalRow>`SELECT ${GOAL_COLUMNS} FROM goals WHERE id = ${id} FOR UPDATE`.execute(trx)).rows[0];
    const now = ctx.clock.now();
    const values = {
      indicator_id: input.indicatorId, region_code: input.regionCode ?? null, view: input.view ?? '', guarantee_kinds: [...(input.guaranteeKinds ?? [])].sort(),
      comparator: input.comparator, target: input.target, due_date: input.dueDate, title_sv: input.title.sv.trim(), title_en: input.title.en.trim(),
      active: input.active ?? true, proposed: false, updated_by: ctx.principal.subject, updated_at: now,
    };
    if (before) {
      if (ifMatch === undefined) throw new AppError('precondition_failed', `Goal ${id} exists: send If-Match with the ETag you read ("v${before.version}") to change it.`, { extra: { currentVersion: Number(before.version) } });
      checkVersion('Goal', id, Number(before.version), ifMatch);
      await trx.updateTable('goals').set({ ...values, version: sql`version + 1` }).where('id', '=', id).execute();
    } else {
      if (ifMatch !== undefined) throw new AppError('precondition_failed', `Goal ${id} does not exist, so If-Match cannot match; send the PUT without If-Match to create it.`);
      await trx.insertInto('goals').values({ id, ...values, created_by: ctx.principal.subject, created_at: now }).execute();
    }
    await sql`UPDATE statistics_version SET version = version + 1, updated_at = ${now.toISOString()}::timestamptz WHERE id = 1`.execute(trx);
    const after = toGoal((await sql<GoalRow>`SELECT ${GOAL_COLUMNS} FROM goals WHERE id = ${id}`.execute(trx)).rows[0]!);
    audit({ action: before ? 'goal.update' : 'goal.create', entityType: 'goal', entityId: id, details: { before: before ? toGoal(before) : null, after } });
    return { goal: after, created: !before };
  });
}

/** 400 for a malformed period, 422 for one that has not ended (app clock), 404 (resolvePeriod) for one not computed. */
function checkPeriodParam(period: string | undefined, ctx: { clock: { now(): Date } }): void {
  if (period === undefined) return;
  if (!isPeriod(period)) throw new AppError('bad_request', `period must be a month written YYYY-MM, not "${period}".`);
  const thisMonth = stockholmDay(ctx.clock.now()).slice(0, 7);
  if (period >= thisMonth) throw new AppError('validation', `${period} has not ended yet (this month is ${thisMonth}): statistics exist only for past months.`);
}

interface Result {
  goalId: string;
  value: number | null;
  target: number;
  met: boolean | null;
  status: GoalStatus;
  trend: { period: string; value: number | null; met: boolean | null }[];
  detail?: { guaranteeKind: string; value: number | null; met: boolean | null }[];
}

/** The scorecard: every region × every active goal (a region's own goal replaces the national goal of the same indicator). */
export async function scorecard(db: Kysely<DB>, q: { period?: string | undefined }, ctx: { clock: { now(): Date } } = { clock: systemClock }) {
  checkPeriodParam(q.period, ctx);
  const run = await resolvePeriod(db, q.period);
  const goals = (await listGoals(db)).items.filter((g) => g.active);
  const computed = new Set((await periods(db)).map((p) => p.period));
  const trendPeriods: string[] = [];
  for (let p = run.period, i = 0; i < 6; i++, p = previousPeriod(p)) trendPeriods.unshift(p);

  const published = new Map<string, Promise<Map<string, Cell>>>();
  const assess = async (g: Goal, period: string, region: string): Promise<{ value: number | null; met: boolean | null; detail?: Result['detail'] }> => {
    if (!computed.has(period)) return { value: null, met: null };
    const key = `${g.indicatorId}|${period}`;
    if (!published.has(key)) published.set(key, publishedIndicator(db, g.indicatorId, period));
    const m = await published.get(key)!;
    const view = g.view ?? '';
    const at = (kind: string) => {
      const c = m.get(cellKey(view, kind, region, '', ''));
      const def = indicatorById(g.indicatorId)!;
      const value = c === undefined || c.suppressed ? null : def.kind === 'count' ? c.valueCount : c.value;
      // no denominator (e.g. no requests due): value null → not assessed
      return { value, met: meets(g.comparator, g.target, value) };
    };
    if (g.guaranteeKinds.length === 0) return at('');
    const detail = g.guaranteeKinds.map((k) => ({ guaranteeKind: k, ...at(k) }));
    const combined = combineKinds(g.comparator, detail);
    return g.guaranteeKinds.length > 1 ? { ...combined, detail } : combined;
  };
  const result = async (g: Goal, region: string): Promise<Result> => {
    const now = await assess(g, run.period, region);
    const trend = [];
    for (const p of trendPeriods) {
      const a = p === run.period ? now : await assess(g, p, region);
      trend.push({ period: p, value: a.value, met: a.met });
    }
    return { goalId: g.id, value: now.value, target: g.target, met: now.met, status: statusOf(now.met), trend, ...(now.detail ? { detail: now.detail } : {}) };
  };

  const regions = await regionList(db);
  const national = goals.filter((g) => g.regionCode === null);
  const out = [];
  for (const r of regions) {
    const own = goals.filter((g) => g.regionCode === r.code);
    const applicable = [...national.filter((g) => !own.some((o) => o.indicatorId === g.indicatorId)), ...own].sort((a, b) => (a.id < b.id ? -1 : 1));
    const results = [];
    for (const g of applicable) results.push(await result(g, r.code));
    out.push({ regionCode: r.code, regionName: r.name, results });
  }
  const nationalResults = [];
  for (const g of national) nationalResults.push(await result(g, ''));
  return { period: run.period, revision: run.revision, synthetic: await isSynthetic(db), goals, regions: out, national: { results: nationalResults } };
}

/**
 * Data quality per region: group-D indicators of the period and a live list of units whose capacity report is stale or
 * missing today (isStale, src/domain/capacity.ts). Analyst and admin only (the route says so).
 */
export async function dataQuality(db: Kysely<DB>, ctx: RequestContext, q: { period?: string | undefined }) {
  checkPeriodParam(q.period, ctx);
  const run = await resolvePeriod(db, q.period);
  const P = run.period;
  const today = stockholmDay(ctx.clock.now());
  const [onTime, applied, rejected, errors, fresh, systems] = await Promise.all(
    ['waiting_list_on_time', 'applied_waiting_list_submissions', 'rejected_waiting_list_submissions', 'waiting_list_row_errors', 'fresh_capacity_report_share', 'connected_systems'].map((id) => publishedIndicator(db, id, P)),
  );
  // Live: per active unit and offered active service, the current report (latest valid_from on or before today).
  const live = await sql<{ region_code: string; unit_hsa_id: string; unit_name: string; valid_from: string | null }>`
    SELECT u.region_code::text AS region_code, u.hsa_id AS unit_hsa_id, u.name AS unit_name,
           (SELECT to_char(max(c.valid_from), 'YYYY-MM-DD') FROM capacity_reports c
             WHERE c.unit_hsa_id = u.hsa_id AND c.service_id = us.service_id AND c.valid_from <= ${today}::date) AS valid_from
      FROM units u
      JOIN unit_services us ON us.unit_hsa_id = u.hsa_id
      JOIN services s ON s.id = us.service_id AND s.active
     WHERE u.active`.execute(db);
  const units = new Map<string, { region: string; name: string; stale: boolean; oldest: string | null; missing: boolean }>();
  for (const x of live.rows) {
    let u = units.get(x.unit_hsa_id);
    if (!u) units.set(x.unit_hsa_id, (u = { region: x.region_code, name: x.unit_name, stale: false, oldest: null, missing: false }));
    if (x.valid_from === null) {
      u.missing = true;
      u.stale = true;
    } else {
      if (isStale({ validFrom: x.valid_from }, today)) u.stale = true;
      if (u.oldest === null || x.valid_from < u.oldest) u.oldest = x.valid_from;
    }
  }
  const value = (m: Map<string, Cell> | undefined, region: string) => m?.get(cellKey('', '', region, '', ''));
  const regions = (await regionList(db)).map((r) => {
    const stale = [...units.entries()].filter(([, u]) => u.region === r.code && u.stale).map(([hsa, u]) => ({ unitHsaId: hsa, unitName: u.name, lastValidFrom: u.missing ? null : u.oldest })).sort((a, b) => (a.unitHsaId < b.unitHsaId ? -1 : 1));
    const f = value(fresh, r.code);
    const o = value(onTime, r.code);
    return {
      regionCode: r.code, regionName: r.name,
      waitingListOnTime: o?.value === 1,
      firstSubmissionOn: o?.value === 1 ? (o.dataAsOf ?? null) : null,
      appliedSubmissions: value(applied, r.code)?.value ?? 0,
      rejectedSubmissions: value(rejected, r.code)?.value ?? 0,
      rowErrors: value(errors, r.code)?.value ?? 0,
      unitsExpectedToReport: f?.denominator ?? 0,
      unitsWithFreshCapacityReport: f?.numerator ?? 0,
      freshCapacityShare: f?.value ?? null,
      staleUnits: stale,
      connectedSystems: value(systems, r.code)?.value ?? 0,
    };
  });
  return { period: P, regions };
}

/**
 * The provider's own units, live from requests of the month (not published: the provider sees its own counts), against
 * the national figures. A provider sees its own organisation; an admin or analyst names one.
 */
export async function providerStats(db: Kysely<DB>, ctx: RequestContext, q: { period?: string | undefined; organizationId?: string | undefined }) {
  const p = ctx.principal;
  const privileged = p.roles.includes('admin') || p.roles.includes('analyst');
  let org: string;
  if (privileged) {
    if (q.organizationId === undefined) {
      if (!p.organizationId) throw new AppError('bad_request', 'Name the organisation: ?organization=<id>.');
      org = p.organizationId;
    } else org = q.organizationId;
  } else {
    if (!p.organizationId) throw new AppError('forbidden', 'Your token names no provider organisation.');
    if (q.organizationId !== undefined && q.organizationId !== p.organizationId) throw new AppError('forbidden', `You act for ${p.organizationId} and may see only its figures.`);
    org = p.organizationId;
  }
  const exists = await db.selectFrom('organizations').select('id').where('id', '=', org).executeTakeFirst();
  if (!exists) throw new AppError('not_found', `Organisation ${org} does not exist.`);
  const thisMonth = stockholmDay(ctx.clock.now()).slice(0, 7);
  const period = q.period ?? thisMonth;
  if (!isPeriod(period)) throw new AppError('bad_request', `period must be a month written YYYY-MM, not "${period}".`);
  if (period > thisMonth) throw new AppError('validation', `${period} is in the future (this month is ${thisMonth}).`);
  const start = `${period}-01`;
  const [y, m] = period.split('-').map(Number) as [number, number];
  const next = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
  const unitScope = !privileged && p.unitHsaId ? p.unitHsaId.toUpperCase() : null;
  // Per unit: requests received in the month (sent_at), due in the month and answered in time, decided and accepted,
  // and the nearest-rank median response hours of requests answered in the month (docs/indicators.md group B).
  const local = (col: string) => sql.raw(`(${col} AT TIME ZONE 'Europe/Stockholm')::date`);
  const figures = sql`
    count(*) FILTER (WHERE ${local('r.sent_at')} >= ${start}::date AND ${local('r.sent_at')} < ${next}::date)::int AS received,
    count(*) FILTER (WHERE ${local('r.respond_by')} >= ${start}::date AND ${local('r.respond_by')} < ${next}::date AND NOT (r.status = 'withdrawn' AND r.answered_at IS NULL))::int AS due,
    count(*) FILTER (WHERE ${local('r.respond_by')} >= ${start}::date AND ${local('r.respond_by')} < ${next}::date AND r.answered_at IS NOT NULL AND r.answered_at <= r.respond_by)::int AS in_time,
    count(*) FILTER (WHERE ((r.answered_at IS NOT NULL AND ${local('r.answered_at')} >= ${start}::date AND ${local('r.answered_at')} < ${next}::date)
                        OR (r.status = 'expired' AND ${local('r.respond_by')} >= ${start}::date AND ${local('r.respond_by')} < ${next}::date)))::int AS decided,
    count(*) FILTER (WHERE ((r.answered_at IS NOT NULL AND ${local('r.answered_at')} >= ${start}::date AND ${local('r.answered_at')} < ${next}::date)
                        OR (r.status = 'expired' AND ${local('r.respond_by')} >= ${start}::date AND ${local('r.respond_by')} < ${next}::date)) AND r.offered_date IS NOT NULL)::int AS accepted,
    percentile_disc(0.5) WITHIN GROUP (ORDER BY round((extract(epoch FROM r.answered_at - r.sent_at) / 3600.0)::numeric, 1))
      FILTER (WHERE r.answered_at IS NOT NULL AND ${local('r.answered_at')} >= ${start}::date AND ${local('r.answered_at')} < ${next}::date) AS median_hours`;
  type F = { received: number; due: number; in_time: number; decided: number; accepted: number; median_hours: number | string | null };
  const perUnit = await sql<F & { unit_hsa_id: string; unit_name: string }>`
    SELECT u.hsa_id AS unit_hsa_id, u.name AS unit_name, ${figures}
      FROM units u LEFT JOIN requests r ON r.unit_hsa_id = u.hsa_id
     WHERE u.organization_id = ${org} ${unitScope ? sql`AND u.hsa_id = ${unitScope}` : sql``}
     GROUP BY u.hsa_id, u.name ORDER BY u.hsa_id`.execute(db);
  const orgRow = await sql<F>`
    SELECT ${figures} FROM units u LEFT JOIN requests r ON r.unit_hsa_id = u.hsa_id
     WHERE u.organization_id = ${org} ${unitScope ? sql`AND u.hsa_id = ${unitScope}` : sql``}`.execute(db);
  const nat = await sql<F>`SELECT ${figures} FROM requests r`.execute(db);
  const shape = (f: F) => ({
    requestsReceivedCount: f.received,
    answeredInTimeCount: f.in_time,
    answeredInTimeShare: f.due === 0 ? null : f.in_time / f.due,
    acceptedCount: f.accepted,
    acceptanceRate: f.decided === 0 ? null : f.accepted / f.decided,
    medianResponseHours: f.median_hours === null ? null : Number(f.median_hours),
  });
  const n = shape(nat.rows[0]!);
  return {
    organizationId: org,
    period,
    units: perUnit.rows.map((u) => ({ unitHsaId: u.unit_hsa_id, unitName: u.unit_name, ...shape(u) })),
    organization: shape(orgRow.rows[0]!),
    national: { answeredInTimeShare: n.answeredInTimeShare, acceptanceRate: n.acceptanceRate, medianResponseHours: n.medianResponseHours },
    synthetic: await isSynthetic(db),
  };
}
