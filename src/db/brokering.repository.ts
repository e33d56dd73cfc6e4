import { sql, type Selectable, type Updateable } from 'kysely';
import type { Executor } from '../services/context.js';
import type { CaseRow, CasePreferences, RequestsTable } from './schema.js';

/** A case as stored (patient fields still encrypted). */
export type StoredCase = Selectable<CaseRow>;
/** A request as stored, with its unit's name. */
export type StoredRequest = Selectable<RequestsTable> & { unit_name: string };

export interface NewCase {
  id: string;
  regionCode: string;
  serviceId: string;
  guaranteeKind: CaseRow['guarantee_kind'];
  clockStart: string;
  deadline: string;
  origin: CaseRow['origin'];
  patientLookup: string;
  patientIdentityEnc: string;
  patientNameEnc: string | null;
  patientPhoneEnc: string | null;
  patientKind: CaseRow['patient_kind'];
  patientBirthYear: number;
  patientSex: 'F' | 'M';
  homeMunicipality: string;
  preferences: CasePreferences;
  waitingRecordId: string | null;
  openedBy: string;
  at: string;
}

export async function insertCase(db: Executor, c: NewCase): Promise<void> {
  await db.insertInto('cases').values({
    id: c.id, region_code: c.regionCode, service_id: c.serviceId, guarantee_kind: c.guaranteeKind, clock_start: c.clockStart, deadline: c.deadline,
    status: 'open', origin: c.origin, patient_lookup: c.patientLookup, patient_identity_enc: c.patientIdentityEnc, patient_name_enc: c.patientNameEnc,
    patient_phone_enc: c.patientPhoneEnc, patient_kind: c.patientKind, patient_birth_year: c.patientBirthYear, patient_sex: c.patientSex,
    home_municipality: c.homeMunicipality, preferences: JSON.stringify(c.preferences), waiting_record_id: c.waitingRecordId, opened_by: c.openedBy,
    opened_at: c.at, updated_at: c.at,
  }).execute();
}

/** The case, locked for the rest of the transaction when `lock` (every change to a case or its requests locks the case first). */
export async function findCase(db: Executor, id: string, lock = false): Promise<StoredCase | undefined> {
  let q = db.selectFrom('cases').selectAll().where('id', '=', id);
  if (lock) q = q.forUpdate();
  return q.executeTakeFirst();
}

/** The case a request belongs to, locked when `lock`. */
export async function findCaseOfRequest(db: Executor, requestId: string, lock = false): Promise<StoredCase | undefined> {
  let q = db.selectFrom('cases').selectAll().where('id', '=', (eb) => eb.selectFrom('requests').select('case_id').where('requests.id', '=', requestId));
  if (lock) q = q.forUpdate();
  return q.executeTakeFirst();
}

/** Change a case's fields and move its version on. */
export async function updateCase(db: Executor, id: string, set: Omit<Updateable<CaseRow>, 'id' | 'version' | 'preferences' | 'updated_at'>, at: string): Promise<number> {
  const r = await db.updateTable('cases').set({ ...set, updated_at: at, version: sql<number>`version + 1` }).where('id', '=', id).returning('version').executeTakeFirstOrThrow();
  return r.version;
}

export interface CaseListFilter {
  regionCode?: string | undefined;
  statuses?: readonly CaseRow['status'][] | undefined;
  after?: { deadline: string; id: string } | undefined;
  limit: number;
}

/** Cases by deadline (soonest first), then id; one more than `limit` when there is a next page. */
export async function listCases(db: Executor, f: CaseListFilter): Promise<StoredCase[]> {
  let q = db.selectFrom('cases').selectAll();
  if (f.regionCode !== undefined) q = q.where('region_code', '=', f.regionCode);
  if (f.statuses !== undefined && f.statuses.length > 0) q = q.where('status', 'in', f.statuses);
  if (f.after) q = q.where(sql<boolean>`(deadline, id) > (${f.after.deadline}::date, ${f.after.id}::uuid)`);
  return q.orderBy('deadline').orderBy('id').limit(f.limit + 1).execute();
}

const requestColumns = ['r.id', 'r.case_id', 'r.unit_hsa_id', 'r.organization_id', 'r.status', 'r.version', 'r.sent_by', 'r.sent_at', 'r.respond_by', 'r.answered_by',
  'r.answered_at', 'r.offered_date', 'r.decline_reason', 'r.decline_comment', 'r.closed_at', 'r.search_snapshot', 'u.name as unit_name'] as const;

export async function requestsOfCase(db: Executor, caseId: string): Promise<StoredRequest[]> {
  return db.selectFrom('requests as r').innerJoin('units as u', 'u.hsa_id', 'r.unit_hsa_id').select(requestColumns)
    .where('r.case_id', '=', caseId).orderBy('r.sent_at').orderBy('r.id').execute();
}

export async function findRequest(db: Executor, id: string, lock = false): Promise<StoredRequest | undefined> {
  let q = db.selectFrom('requests as r').innerJoin('units as u', 'u.hsa_id', 'r.unit_hsa_id').select(requestColumns).where('r.id', '=', id);
  if (lock) q = q.forUpdate(['r']);
  return q.executeTakeFirst();
}

export interface NewRequest {
  id: string;
  caseId: string;
  unitHsaId: string;
  organizationId: string;
  sentBy: string;
  sentAt: string;
  respondBy: string;
  searchSnapshot: Record<string, unknown>;
}

export async function insertRequest(db: Executor, r: NewRequest): Promise<void> {
  await db.insertInto('requests').values({
    id: r.id, case_id: r.caseId, unit_hsa_id: r.unitHsaId, organization_id: r.organizationId, status: 'pending', sent_by: r.sentBy, sent_at: r.sentAt,
    respond_by: r.respondBy, search_snapshot: JSON.stringify(r.searchSnapshot),
  }).execute();
}

export async function updateRequest(db: Executor, id: string, set: Omit<Updateable<RequestsTable>, 'id' | 'version' | 'search_snapshot'>): Promise<number> {
  const r = await db.updateTable('requests').set({ ...set, version: sql<number>`version + 1` }).where('id', '=', id).returning('version').executeTakeFirstOrThrow();
  return r.version;
}

/** Withdraw every open (pending or accepted) request of a case except `keep`; returns the withdrawn ones. */
export async function withdrawOpenRequests(db: Executor, caseId: string, at: string, keep?: string): Promise<{ id: string; unit_hsa_id: string; organization_id: string }[]> {
  let q = db.updateTable('requests').set({ status: 'withdrawn', closed_at: at, version: sql<number>`version + 1` })
    .where('case_id', '=', caseId).where('status', 'in', ['pending', 'accepted']);
  if (keep !== undefined) q = q.where('id', '<>', keep);
  return q.returning(['id', 'unit_hsa_id', 'organization_id']).execute();
}

export interface InboxFilter {
  organizationId?: string | undefined;
  unitHsaId?: string | undefined;
  statuses?: readonly RequestsTable['status'][] | undefined;
  after?: { respondBy: string; id: string } | undefined;
  limit: number;
}

export type InboxRow = StoredRequest & Pick<StoredCase, 'service_id' | 'deadline' | 'clock_start' | 'guarantee_kind' | 'home_municipality' | 'patient_birth_year' | 'patient_sex' | 'preferences' | 'region_code'> & { case_status: StoredCase['status'] };

/** A provider's requests by respond-by time (soonest first), with what the provider may see of the case. */
export async function inbox(db: Executor, f: InboxFilter): Promise<InboxRow[]> {
  let q = db.selectFrom('requests as r').innerJoin('units as u', 'u.hsa_id', 'r.unit_hsa_id').innerJoin('cases as c', 'c.id', 'r.case_id')
    .select([...requestColumns, 'c.service_id', 'c.deadline', 'c.clock_start', 'c.guarantee_kind', 'c.home_municipality', 'c.patient_birth_year', 'c.patient_sex',
      'c.preferences', 'c.region_code', 'c.status as case_status']);
  if (f.organizationId !== undefined) q = q.where('r.organization_id', '=', f.organizationId);
  if (f.unitHsaId !== undefined) q = q.where('r.unit_hsa_id', '=', f.unitHsaId);
  if (f.statuses !== undefined && f.statuses.length > 0) q = q.where('r.status', 'in', f.statuses);
  if (f.after) q = q.where(sql<boolean>`(r.respond_by, r.id) > (${f.after.respondBy}::timestamptz, ${f.after.id}::uuid)`);
  return q.orderBy('r.respond_by').orderBy('r.id').limit(f.limit + 1).execute() as Promise<InboxRow[]>;
}

/** Pending requests whose respond-by time has passed: candidates for expiry (checked again under the case's lock). */
export async function dueRequests(db: Executor, now: string, limit: number): Promise<{ id: string; case_id: string }[]> {
  return db.selectFrom('requests').select(['id', 'case_id']).where('status', '=', 'pending').where('respond_by', '<=', new Date(now))
    .orderBy('respond_by').limit(limit).execute();
}

/** Lock a case unless another transaction holds it (a job then leaves it for its next round). */
export async function tryLockCase(db: Executor, id: string): Promise<boolean> {
  const r = await sql<{ id: string }>`SELECT id FROM cases WHERE id = ${id}::uuid FOR UPDATE SKIP LOCKED`.execute(db);
  return r.rows.length > 0;
}

/** The forecast a newly referred patient has in the home region (region level), for the days saved. */
export async function regionForecast(db: Executor, regionCode: string, serviceId: string): Promise<number | null> {
  const r = await db.selectFrom('waiting_time_stats').select('forecast_wait_days')
    .where('level', '=', 'region').where('region_code', '=', regionCode).where('service_id', '=', serviceId).where('view', '=', 'excluding_pvv_and_mov')
    .executeTakeFirst();
  return r?.forecast_wait_days ?? null;
}

/** A waiting episode of the region (for opening a case from the at-risk list). */
export async function findEpisode(db: Executor, regionCode: string, recordId: string) {
  return db.selectFrom('waiting_episodes').select(['record_id', 'service_id', 'status', 'clock_start', 'patient_chosen_days', 'medical_pause_days', 'home_municipality'])
    .where('region_code', '=', regionCode).where('record_id', '=', recordId).executeTakeFirst();
}

/** The audit events of a case, oldest first: its timeline. */
export async function caseAuditEvents(db: Executor, caseId: string) {
  return db.selectFrom('audit_events').select(['seq', 'id', 'occurred_at', 'actor_subject', 'actor_roles', 'actor_region_code', 'actor_organization_id', 'actor_unit_hsa_id', 'action', 'outcome', 'details'])
    .where('entity_type', '=', 'case').where('entity_id', '=', caseId).orderBy('seq').execute();
}
