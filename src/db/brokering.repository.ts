import { sql, type Selectable, type Updateable } from 'kysely';
import type { Executor } from '../services/context.js';
import { guardHolds } from './atomic.js';
import type { CaseRow, CasePreferences, RequestsTable, ServicesTable } from './schema.js';

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

/** Insert a new case; returns it as stored (the answer is built from it: no second read). */
export async function insertCase(db: Executor, c: NewCase): Promise<StoredCase> {
  return insertCaseQuery(db, c).executeTakeFirstOrThrow();
}

/** The insert of a new case, returning it as stored: also the guard of opening a case atomically (ADR 0016). */
export function insertCaseQuery(db: Executor, c: NewCase) {
  return db.insertInto('cases').values({
    id: c.id, region_code: c.regionCode, service_id: c.serviceId, guarantee_kind: c.guaranteeKind, clock_start: c.clockStart, deadline: c.deadline,
    status: 'open', origin: c.origin, patient_lookup: c.patientLookup, patient_identity_enc: c.patientIdentityEnc, patient_name_enc: c.patientNameEnc,
    patient_phone_enc: c.patientPhoneEnc, patient_kind: c.patientKind, patient_birth_year: c.patientBirthYear, patient_sex: c.patientSex,
    home_municipality: c.homeMunicipality, preferences: JSON.stringify(c.preferences), waiting_record_id: c.waitingRecordId, opened_by: c.openedBy,
    opened_at: c.at, updated_at: c.at,
  }).returningAll();
}

/** What opening a case checks in the directory, in one round trip: the service and the home municipality (null fields when unknown). */
export async function openCaseLookups(db: Executor, serviceId: string, municipalityCode: string) {
  const r = await sql<{
    service_id: string | null; service_active: boolean | null; contact_type: ServicesTable['contact_type'] | null; municipality_name: string | null; municipality_region_code: string | null;
  }>`SELECT s.id AS service_id, s.active AS service_active, s.contact_type, m.name AS municipality_name, m.region_code AS municipality_region_code
     FROM (SELECT 1) AS one LEFT JOIN services s ON s.id = ${serviceId} LEFT JOIN municipalities m ON m.code = ${municipalityCode}`.execute(db);
  const row = r.rows[0]!;
  return {
    service: row.service_id !== null ? { id: row.service_id, active: row.service_active === true, contactType: row.contact_type! } : undefined,
    municipality: row.municipality_region_code !== null ? { name: row.municipality_name!, region_code: row.municipality_region_code } : undefined,
  };
}

/**
 * Read a case for sending a request (ADR 0016: without a lock; the write's guard checks it is unchanged), and in the
 * same round trip look up what sending checks: the receiving unit and the service it would provide (`offeredServiceId`:
 * the case's service when it offers it, else the first by id of the active services declared equivalent to it that it
 * offers, else null), its current capacity report for that service (the latest valid today or before, as
 * capacity.repository's currentCapacityReports), the home municipality's position and the home region's forecast.
 */
export async function caseForRequest(db: Executor, caseId: string, unitHsaId: string | null, today: string) {
  const r = await sql<StoredCase & {
    u_hsa_id: string | null; u_name: string | null; u_organization_id: string | null; u_region_code: string | null; u_lat: number | null; u_lng: number | null;
    u_active: boolean | null; u_offered_service_id: string | null; cr_valid_from: string | null; cr_expected_wait_days: number | null; cr_accepts_other_regions: boolean | null;
    home_lat: number | null; home_lng: number | null; home_forecast_days: number | null;
  }>`SELECT c.*, u.hsa_id AS u_hsa_id, u.name AS u_name, u.organization_id AS u_organization_id, u.region_code AS u_region_code, u.lat AS u_lat, u.lng AS u_lng,
       u.active AS u_active, os.service_id AS u_offered_service_id,
       cr.valid_from AS cr_valid_from, cr.expected_wait_days AS cr_expected_wait_days, cr.accepts_other_regions AS cr_accepts_other_regions,
       m.lat AS home_lat, m.lng AS home_lng,
       (SELECT w.forecast_wait_days FROM waiting_time_stats w WHERE w.level = 'region' AND w.region_code = c.region_code AND w.service_id = c.service_id
          AND w.view = 'excluding_pvv_and_mov' LIMIT 1) AS home_forecast_days
     FROM cases c
     LEFT JOIN units u ON u.hsa_id = ${unitHsaId}
     LEFT JOIN LATERAL (SELECT us.service_id FROM unit_services us
       WHERE us.unit_hsa_id = u.hsa_id
         AND (us.service_id = c.service_id
              OR EXISTS (SELECT 1 FROM service_equivalents e JOIN services es ON es.id = e.equivalent_id AND es.active
                          WHERE e.service_id = c.service_id AND e.equivalent_id = us.service_id))
       ORDER BY us.service_id = c.service_id DESC, us.service_id COLLATE "C" LIMIT 1) os ON true
     LEFT JOIN LATERAL (SELECT x.valid_from, x.expected_wait_days, x.accepts_other_regions FROM capacity_reports x
       WHERE x.unit_hsa_id = u.hsa_id AND x.service_id = os.service_id AND x.valid_from <= ${today}::date ORDER BY x.valid_from DESC LIMIT 1) cr ON true
     LEFT JOIN municipalities m ON m.code = c.home_municipality
     WHERE c.id = ${caseId}::uuid`.execute(db);
  const row = r.rows[0];
  if (!row) return undefined;
  const { u_hsa_id, u_name, u_organization_id, u_region_code, u_lat, u_lng, u_active, u_offered_service_id, cr_valid_from, cr_expected_wait_days, cr_accepts_other_regions, home_lat, home_lng, home_forecast_days, ...c } = row;
  return {
    c: c as StoredCase,
    unit: u_hsa_id !== null
      ? { hsaId: u_hsa_id, name: u_name!, organizationId: u_organization_id!, regionCode: u_region_code!, location: { lat: u_lat!, lng: u_lng! }, active: u_active === true,
        offeredServiceId: u_offered_service_id }
      : undefined,
    report: cr_valid_from !== null ? { validFrom: cr_valid_from, expectedWaitDays: cr_expected_wait_days, acceptsOtherRegions: cr_accepts_other_regions === true } : undefined,
    home: home_lat !== null && home_lng !== null ? { lat: home_lat, lng: home_lng } : undefined,
    homeForecastDays: home_forecast_days,
  };
}

/** Every change to a case or one of its requests moves the case's change_seq on (ADR 0016: the atomic writes' guard). */
const moved = sql<number>`change_seq + 1`;

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

const requestValues = (r: NewRequest) => ({
  id: r.id, case_id: r.caseId, unit_hsa_id: r.unitHsaId, organization_id: r.organizationId, status: 'pending' as const, sent_by: r.sentBy, sent_at: r.sentAt,
  respond_by: r.respondBy, search_snapshot: JSON.stringify(r.searchSnapshot),
});

/** A request as stored right after its insert (insertRequestQuery): version 1, the column's default. */
export function newStoredRequest(r: NewRequest & { unitName: string }): StoredRequest {
  return {
    id: r.id, case_id: r.caseId, unit_hsa_id: r.unitHsaId, organization_id: r.organizationId, status: 'pending', version: 1, sent_by: r.sentBy,
    sent_at: new Date(r.sentAt), respond_by: new Date(r.respondBy), answered_by: null, answered_at: null, offered_date: null, decline_reason: null,
    decline_comment: null, closed_at: null, search_snapshot: r.searchSnapshot, unit_name: r.unitName,
  };
}

type RequestSet = Omit<Updateable<RequestsTable>, 'id' | 'version' | 'search_snapshot'>;
type CaseSet = Omit<Updateable<CaseRow>, 'id' | 'version' | 'preferences' | 'updated_at'>;

/**
 * Change a request read under its case's lock (its version must still be `version`: a conflict is an error, never a lost
 * update) and, when `caseSet` is given, its case too, in one statement (the request's version moves on by one). Returns
 * the case as stored afterwards (undefined when the case was not changed).
 */
export async function updateRequestAndCase(
  db: Executor, request: { id: string; version: number }, set: RequestSet, caseChange?: { id: string; set: CaseSet; at: string },
): Promise<{ case: StoredCase | undefined }> {
  const changeRequest = (d: Pick<Executor, 'updateTable'>) => d.updateTable('requests').set({ ...set, version: sql<number>`version + 1` }).where('id', '=', request.id).where('version', '=', request.version);
  if (!caseChange) {
    // the case itself is not changed, but its change_seq moves on (ADR 0016)
    const r = await db.with('changed', (d) => changeRequest(d).returning(['version', 'case_id']))
      .updateTable('cases').set({ change_seq: moved }).where('id', '=', (eb) => eb.selectFrom('changed').select('case_id'))
      .returning(sql<number>`(SELECT version FROM changed)`.as('request_version')).executeTakeFirst();
    if (!r) throw new Error(`request ${request.id} changed under its case's lock`);
    return { case: undefined };
  }
  const row = await db.with('changed', (d) => changeRequest(d).returning('version'))
    .updateTable('cases').set({ ...caseChange.set, updated_at: caseChange.at, version: sql<number>`version + 1`, change_seq: moved }).where('id', '=', caseChange.id)
    .returningAll().returning(sql<number | null>`(SELECT version FROM changed)`.as('request_version')).executeTakeFirstOrThrow();
  const { request_version, ...c } = row;
  if (request_version === null) throw new Error(`request ${request.id} changed under its case's lock`);
  return { case: c as StoredCase };
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

/** A waiting episode of the region (for opening a case from the at-risk list). */
export async function findEpisode(db: Executor, regionCode: string, recordId: string) {
  return db.selectFrom('waiting_episodes').select(['record_id', 'service_id', 'status', 'clock_start', 'patient_chosen_days', 'medical_pause_days', 'home_municipality'])
    .where('region_code', '=', regionCode).where('record_id', '=', recordId).executeTakeFirst();
}

/** The audit events of a case, oldest first: its timeline. */
export async function caseAuditEvents(db: Executor, caseId: string) {
  return db.selectFrom('audit_events').select(['pos', 'id', 'occurred_at', 'actor_subject', 'actor_roles', 'actor_region_code', 'actor_organization_id', 'actor_unit_hsa_id', 'action', 'outcome', 'details'])
    .where('entity_type', '=', 'case').where('entity_id', '=', caseId).orderBy('pos').execute();
}

/* ---- ADR 0016: one read and one atomic write per use case (src/services/atomic-write.ts) ---- */

/**
 * A case and its requests (with their units' names, in the order requestsOfCase gives), in one statement and without
 * a lock: by the case's id, or by the id of one of its requests. Undefined when there is no such case.
 */
export async function caseWithRequests(db: Executor, by: { caseId: string } | { requestId: string }): Promise<{ c: StoredCase; requests: StoredRequest[] } | undefined> {
  const which = 'caseId' in by ? sql`${by.caseId}::uuid` : sql`(SELECT case_id FROM requests WHERE id = ${by.requestId}::uuid)`;
  const r = await sql<Record<string, unknown>>`
    SELECT c.*, r.id AS req__id, r.case_id AS req__case_id, r.unit_hsa_id AS req__unit_hsa_id, r.organization_id AS req__organization_id,
      r.status AS req__status, r.version AS req__version, r.sent_by AS req__sent_by, r.sent_at AS req__sent_at, r.respond_by AS req__respond_by,
      r.answered_by AS req__answered_by, r.answered_at AS req__answered_at, r.offered_date AS req__offered_date, r.decline_reason AS req__decline_reason,
      r.decline_comment AS req__decline_comment, r.closed_at AS req__closed_at, r.search_snapshot AS req__search_snapshot, u.name AS req__unit_name
    FROM cases c LEFT JOIN requests r ON r.case_id = c.id LEFT JOIN units u ON u.hsa_id = r.unit_hsa_id
    WHERE c.id = ${which}
    ORDER BY r.sent_at, r.id`.execute(db);
  if (r.rows.length === 0) return undefined;
  let c: StoredCase | undefined;
  const requests: StoredRequest[] = [];
  for (const row of r.rows) {
    const caseFields: Record<string, unknown> = {};
    const requestFields: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(row)) {
      if (k.startsWith('req__')) requestFields[k.slice(5)] = v;
      else caseFields[k] = v;
    }
    c ??= caseFields as StoredCase;
    if (requestFields.id !== null) requests.push(requestFields as StoredRequest);
  }
  return { c: c!, requests };
}

/**
 * The guard of an atomic write on a case as read: changes the case (its version moves on) — or, without `change`,
 * only moves change_seq on — if change_seq is still as read, and returns the case as written; else no row.
 */
export function guardCase(db: Executor, c: Pick<StoredCase, 'id' | 'change_seq'>, change?: { set: CaseSet; at: string }) {
  return db.updateTable('cases')
    .set(change ? { ...change.set, updated_at: change.at, version: sql<number>`version + 1`, change_seq: moved } : { change_seq: moved })
    .where('id', '=', c.id).where('change_seq', '=', c.change_seq).returningAll();
}

/** Insert a request, written only when the guard holds; returns its id. */
export function insertRequestQuery(r: NewRequest) {
  return sql`INSERT INTO requests (id, case_id, unit_hsa_id, organization_id, status, sent_by, sent_at, respond_by, search_snapshot)
    SELECT x.id, x.case_id, x.unit_hsa_id, x.organization_id, x.status, x.sent_by, x.sent_at, x.respond_by, x.search_snapshot
    FROM jsonb_populate_record(NULL::requests, ${JSON.stringify({ ...requestValues(r), search_snapshot: r.searchSnapshot })}::jsonb) AS x
    WHERE ${guardHolds} RETURNING id`;
}

/** Change a request as read (its version must still be `version`), written only when the guard holds; returns its id. */
export function changeRequestQuery(db: Executor, request: { id: string; version: number }, set: RequestSet) {
  return db.updateTable('requests').set({ ...set, version: sql<number>`version + 1` })
    .where('id', '=', request.id).where('version', '=', request.version).where(guardHolds).returning('id');
}

/**
 * Every open (pending or accepted) request of a case withdrawn but `chosenId`, which becomes chosen; written only
 * when the guard holds; returns the ids of the requests changed.
 */
export function settleRequestsQuery(db: Executor, caseId: string, at: string, chosenId: string | undefined) {
  return db.updateTable('requests')
    .set({ status: chosenId === undefined ? 'withdrawn' : sql`CASE WHEN id = ${chosenId}::uuid THEN 'chosen' ELSE 'withdrawn' END`, closed_at: at, version: sql<number>`version + 1` })
    .where('case_id', '=', caseId)
    .where((eb) => (chosenId === undefined ? eb('status', 'in', ['pending', 'accepted']) : eb.or([eb('id', '=', chosenId), eb('status', 'in', ['pending', 'accepted'])])))
    .where(guardHolds).returning('id');
}
