import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import * as repo from '../../db/brokering.repository.js';
import type { DB } from '../../db/schema.js';
import {
  assertCaseTransition, assertRequestTransition, CANCEL_REASONS, caseDeadline, checkBookDate, checkClockStart, checkCompletedOn, checkPreferences,
  CLOSE_REASONS, commitmentValidUntil, isOneOf, OUTCOMES, type CasePreferences, type CaseStatus,
} from '../../domain/case-state.js';
import { stockholmDay } from '../../domain/clock.js';
import { AppError, checkVersion, forbidden, invalid, notFound, type FieldError } from '../../domain/errors.js';
import { parsePatientIdentity } from '../../domain/patient-identity.js';
import { atomicUseCase } from '../atomic-write.js';
import { auditedTransaction } from '../audit.service.js';
import type { Executor, RequestContext } from '../context.js';
import type { PatientCrypto } from '../patient-crypto.js';
import { anonymousPatient, caseView, isCoordinatorOf, isProviderOf, patientView, type CaseView } from './views.js';

/** What the brokering use cases need besides the request context. */
export interface BrokeringDeps {
  db: Kysely<DB>;
  patients: PatientCrypto;
}

export interface OpenCaseInput {
  serviceId: string;
  clockStart: string;
  patient: { personnummer: string; name?: string | undefined; phone?: string | undefined; homeMunicipality: string };
  preferences?: CasePreferences | undefined;
  waitingRecordId?: string | undefined;
}

const nowOf = (ctx: RequestContext) => ctx.clock.now().toISOString();
const todayOf = (ctx: RequestContext) => stockholmDay(ctx.clock.now());

/** The database said a unique index was violated: which one (by name), else undefined. */
export function uniqueViolation(err: unknown): string | undefined {
  const e = err as { code?: unknown; constraint?: unknown; message?: unknown } | null;
  if (!e || e.code !== '23505') return undefined;
  return typeof e.constraint === 'string' ? e.constraint : String(e.message ?? '');
}

/**
 * Open a case for one patient: the coordinator of the patient's home region, for a service, with the clock start (or
 * from a waiting episode of the region, whose clock start, pauses and service it takes). The identity is validated,
 * encrypted and hashed for look-up; one open case per patient and service.
 */
export async function openCase(deps: BrokeringDeps, ctx: RequestContext, input: OpenCaseInput): Promise<CaseView> {
  const p = ctx.principal;
  if (!p.roles.includes('coordinator') || !p.regionCode) throw forbidden('Only a coordinator of the patient’s home region opens a case; your token names no region.');
  const regionCode = p.regionCode;
  const today = todayOf(ctx);
  const now = nowOf(ctx);
  const id = crypto.randomUUID();
  try {
    // one read and one atomic write (ADR 0016): the insert is the guard; it always holds (or fails whole, e.g. on the
    // one-open-case index)
    return await atomicUseCase(deps.db, ctx, { what: 'The case' }, async (db, audit, emit) => {
      const errors: FieldError[] = [];
      const identity = parsePatientIdentity(input.patient.personnummer, today);
      if (!identity.ok) errors.push({ field: 'patient.personnummer', message: identity.message });
      const { service, municipality } = await repo.openCaseLookups(db, input.serviceId, input.patient.homeMunicipality);
      if (!service) errors.push({ field: 'serviceId', message: `${input.serviceId} is not a service in the catalogue; see GET /api/v1/services` });
      else if (!service.active) errors.push({ field: 'serviceId', message: `${input.serviceId} is no longer offered (inactive in the catalogue)` });
      if (!municipality) errors.push({ field: 'patient.homeMunicipality', message: `${input.patient.homeMunicipality} is not an SCB municipality code; see GET /api/v1/municipalities` });
      else if (municipality.region_code !== regionCode)
        errors.push({ field: 'patient.homeMunicipality', message: `${municipality.name} belongs to region ${municipality.region_code}, not yours (${regionCode}): the home region’s coordinator opens the case` });
      let clockStart = input.clockStart;
      let excludedDays = 0;
      if (input.waitingRecordId !== undefined) {
        const episode = await repo.findEpisode(db, regionCode, input.waitingRecordId);
        if (!episode) errors.push({ field: 'waitingRecordId', message: `your region has no waiting episode ${input.waitingRecordId}; see GET /api/v1/waiting-list/at-risk` });
        else {
          if (episode.status !== 'waiting') errors.push({ field: 'waitingRecordId', message: `waiting episode ${input.waitingRecordId} is ${episode.status}, not waiting` });
          if (episode.service_id !== input.serviceId) errors.push({ field: 'serviceId', message: `waiting episode ${input.waitingRecordId} is for ${episode.service_id}, not ${input.serviceId}` });
          clockStart = String(episode.clock_start);
          excludedDays = episode.patient_chosen_days + episode.medical_pause_days;
        }
      }
      errors.push(...checkClockStart(clockStart, today), ...checkPreferences(input.preferences, today));
      if (errors.length > 0 || !identity.ok || !service) throw invalid(errors, 'The case cannot be opened; see errors.');

      const { guaranteeKind: kind, deadline } = caseDeadline(service.contactType, clockStart, excludedDays);
      const lookup = deps.patients.lookupHash(identity.value);
      const guard = repo.insertCaseQuery(db, {
        id, regionCode, serviceId: service.id, guaranteeKind: kind, clockStart, deadline, origin: 'coordinator', patientLookup: lookup,
        patientIdentityEnc: deps.patients.encrypt(identity.value),
        patientNameEnc: input.patient.name ? deps.patients.encrypt(input.patient.name) : null,
        patientPhoneEnc: input.patient.phone ? deps.patients.encrypt(input.patient.phone) : null,
        patientKind: identity.kind, patientBirthYear: Number(identity.birthDate.slice(0, 4)), patientSex: identity.sex,
        homeMunicipality: input.patient.homeMunicipality, preferences: input.preferences ?? {}, waitingRecordId: input.waitingRecordId ?? null, openedBy: p.subject, at: now,
      });
      audit({ action: 'case.open', entityType: 'case', entityId: id, patientRef: lookup, details: { serviceId: service.id, deadline, fromWaitingRecord: input.waitingRecordId !== undefined } });
      emit({ type: 'case.opened', caseId: id, regionCode, payload: { status: 'open', serviceId: service.id, deadline, origin: 'coordinator' } });
      return { guard, answer: (stored: repo.StoredCase) => caseView(stored, [], patientView(stored, deps.patients, true), today) };
    });
  } catch (err) {
    if (uniqueViolation(err)?.includes('cases_one_open_per_patient_idx'))
      throw new AppError('conflict', `This patient already has an open case for ${input.serviceId}; continue that case (GET /api/v1/cases) instead of opening another.`);
    throw err;
  }
}

/** Read one case: the coordinator of its region (with identity), an admin (without). Audited; others get 404. */
export async function getCase(deps: BrokeringDeps, ctx: RequestContext, id: string): Promise<CaseView> {
  const today = todayOf(ctx);
  return auditedTransaction(deps.db, ctx, async (trx, audit) => {
    const c = await repo.findCase(trx, id);
    const p = ctx.principal;
    const coordinator = c !== undefined && isCoordinatorOf(p, c.region_code);
    if (!c || (!coordinator && !p.roles.includes('admin'))) throw notFound('Case', id);
    const requests = await repo.requestsOfCase(trx, id);
    audit({ action: 'case.read', entityType: 'case', entityId: id, patientRef: c.patient_lookup, details: { identified: coordinator } });
    return caseView(c, requests, coordinator ? patientView(c, deps.patients, true) : anonymousPatient(c), today);
  });
}

export interface CaseListQuery {
  statuses?: CaseStatus[] | undefined;
  after?: { deadline: string; id: string } | undefined;
  limit: number;
}

/** The region's cases by deadline (a coordinator), or all (an admin); without identities, so lists carry none. */
export async function listCases(deps: BrokeringDeps, ctx: RequestContext, q: CaseListQuery): Promise<{ items: CaseView[]; next?: { deadline: string; id: string } }> {
  const p = ctx.principal;
  const today = todayOf(ctx);
  let regionCode: string | undefined;
  if (p.roles.includes('coordinator') && p.regionCode) regionCode = p.regionCode;
  else if (!p.roles.includes('admin')) throw forbidden('Only a coordinator (its region’s cases) or an admin lists cases.');
  const rows = await repo.listCases(deps.db, { regionCode, statuses: q.statuses, after: q.after, limit: q.limit });
  const page = rows.slice(0, q.limit);
  const items = page.map((c) => caseView(c, [], anonymousPatient(c), today));
  const last = page.at(-1);
  return rows.length > q.limit && last ? { items, next: { deadline: last.deadline, id: last.id } } : { items };
}

/**
 * The patient chose an accepted offer: that request becomes chosen, every other open request is withdrawn, and the
 * referral with the home region's payment commitment (valid one year) is recorded. At most one chosen request per case,
 * whatever the concurrency: the write is guarded by the case's change_seq as read (ADR 0016), and a unique index backs it.
 */
export async function chooseOffer(deps: BrokeringDeps, ctx: RequestContext, id: string, requestId: string, expectedVersion?: number): Promise<CaseView> {
  const today = todayOf(ctx);
  const now = nowOf(ctx);
  // one read and one atomic write (ADR 0016): the case's change_seq guards what was read; the unique index backs it
  return atomicUseCase(deps.db, ctx, { what: `Case ${id}`, lock: (trx) => repo.findCase(trx, id, true) }, async (db, audit, emit) => {
    const { c, requests } = await readCase(db, id, (c) => isCoordinatorOf(ctx.principal, c.region_code), expectedVersion);
    const r = requests.find((x) => x.id === requestId);
    if (!r) throw invalid([{ field: 'requestId', message: `request ${requestId} does not belong to case ${id}` }]);
    const to = assertCaseTransition(c.status, 'choose');
    assertRequestTransition(r.status, 'choose');
    const withdrawn = requests.filter((w) => w.id !== r.id && isOpenRequest(w));
    const referralId = crypto.randomUUID();
    const set = { status: to, chosen_request_id: r.id, referral_id: referralId, paying_region_code: c.region_code, commitment_valid_until: commitmentValidUntil(today) };
    audit({
      action: 'case.choose', entityType: 'case', entityId: id, patientRef: c.patient_lookup,
      details: { requestId: r.id, unitHsaId: r.unit_hsa_id, offeredDate: r.offered_date, referralId, withdrawn: withdrawn.map((w) => w.id) },
    });
    emit({ type: 'case.chosen', caseId: id, regionCode: c.region_code, organizationId: r.organization_id, payload: { status: to, requestId: r.id, unitHsaId: r.unit_hsa_id, offeredDate: r.offered_date, referralId } });
    for (const w of withdrawn)
      emit({ type: 'request.withdrawn', caseId: id, regionCode: c.region_code, organizationId: w.organization_id, payload: { requestId: w.id, unitHsaId: w.unit_hsa_id, status: 'withdrawn', because: 'another offer was chosen' } });
    return {
      guard: repo.guardCase(db, c, { set, at: now }),
      writes: [{ query: repo.settleRequestsQuery(db, id, now, r.id), rows: withdrawn.length + 1, what: `the requests of case ${id} are settled` }],
      answer: (stored: repo.StoredCase) => caseView(stored, settled(requests, now, r.id), patientView(stored, deps.patients, true), today),
    };
  });
}

const isOpenRequest = (r: { status: string }) => r.status === 'pending' || r.status === 'accepted';

/** The requests as repo.settleRequestsQuery leaves them: the open ones withdrawn (and `chosenId` chosen), closed now. */
function settled(requests: readonly repo.StoredRequest[], now: string, chosenId?: string): repo.StoredRequest[] {
  const closedAt = new Date(now);
  return requests.map((x) => (x.id === chosenId || isOpenRequest(x) ? { ...x, status: x.id === chosenId ? 'chosen' : 'withdrawn', version: x.version + 1, closed_at: closedAt } : x));
}

/** Book (or re-book) the chosen offer's date: the coordinator, or the provider the patient chose. */
export async function bookCase(deps: BrokeringDeps, ctx: RequestContext, id: string, date: string, expectedVersion?: number): Promise<CaseView> {
  const today = todayOf(ctx);
  const now = nowOf(ctx);
  return atomicUseCase(deps.db, ctx, { what: `Case ${id}`, lock: (trx) => repo.findCase(trx, id, true) }, async (db, audit, emit) => {
    const { c, requests } = await readCase(db, id, (c, requests) => isCoordinatorOrChosenProvider(ctx, c, requests), expectedVersion);
    const to = assertCaseTransition(c.status, 'book');
    const errors = checkBookDate(date, today, 'date');
    if (errors.length > 0) throw invalid(errors);
    audit({ action: 'case.book', entityType: 'case', entityId: id, patientRef: c.patient_lookup, details: { date, rebooked: c.status === 'booked' } });
    emit({ type: 'case.booked', caseId: id, regionCode: c.region_code, organizationId: chosenOrganization(c, requests), payload: { status: to, bookedDate: date, rebooked: c.status === 'booked' } });
    return {
      guard: repo.guardCase(db, c, { set: { status: to, booked_date: date }, at: now }),
      answer: (stored: repo.StoredCase) => caseView(stored, requests, isCoordinatorOf(ctx.principal, c.region_code) ? patientView(stored, deps.patients, true) : anonymousPatient(stored), today),
    };
  });
}

/** Record the outcome: the coordinator, or the provider the patient chose. */
export async function completeCase(deps: BrokeringDeps, ctx: RequestContext, id: string, completedOn: string, outcome: string | undefined, expectedVersion?: number): Promise<CaseView> {
  const today = todayOf(ctx);
  const now = nowOf(ctx);
  return atomicUseCase(deps.db, ctx, { what: `Case ${id}`, lock: (trx) => repo.findCase(trx, id, true) }, async (db, audit, emit) => {
    const { c, requests } = await readCase(db, id, (c, requests) => isCoordinatorOrChosenProvider(ctx, c, requests), expectedVersion);
    const to = assertCaseTransition(c.status, 'complete');
    const errors = checkCompletedOn(completedOn, today, c.clock_start, 'completedOn');
    if (outcome !== undefined && !isOneOf(OUTCOMES, outcome)) errors.push({ field: 'outcome', message: `${outcome} is not an outcome; use one of ${OUTCOMES.join(', ')}` });
    if (errors.length > 0) throw invalid(errors);
    audit({ action: 'case.complete', entityType: 'case', entityId: id, patientRef: c.patient_lookup, details: { completedOn, outcome: outcome ?? 'treated' } });
    emit({ type: 'case.completed', caseId: id, regionCode: c.region_code, organizationId: chosenOrganization(c, requests), payload: { status: to, completedOn, outcome: outcome ?? 'treated' } });
    return {
      guard: repo.guardCase(db, c, { set: { status: to, completed_on: completedOn, outcome: (outcome ?? 'treated') as (typeof OUTCOMES)[number] }, at: now }),
      answer: (stored: repo.StoredCase) => caseView(stored, requests, isCoordinatorOf(ctx.principal, c.region_code) ? patientView(stored, deps.patients, true) : anonymousPatient(stored), today),
    };
  });
}

/** Cancel (any time before completion) or close unresolved (before the patient has chosen), with a reason; open requests are withdrawn. */
export async function endCase(
  deps: BrokeringDeps, ctx: RequestContext, id: string, how: 'cancel' | 'close_unresolved', reasonCode: string, comment: string | undefined, expectedVersion?: number,
): Promise<CaseView> {
  const today = todayOf(ctx);
  const now = nowOf(ctx);
  const reasons = how === 'cancel' ? CANCEL_REASONS : CLOSE_REASONS;
  return atomicUseCase(deps.db, ctx, { what: `Case ${id}`, lock: (trx) => repo.findCase(trx, id, true) }, async (db, audit, emit) => {
    const { c, requests } = await readCase(db, id, (c) => isCoordinatorOf(ctx.principal, c.region_code), expectedVersion);
    const to = assertCaseTransition(c.status, how);
    if (!isOneOf(reasons, reasonCode)) throw invalid([{ field: 'reasonCode', message: `${reasonCode} is not a reason here; use one of ${reasons.join(', ')}` }]);
    if (reasonCode === 'other' && !comment?.trim()) throw invalid([{ field: 'comment', message: 'say in a few words why, when the reason is other' }]);
    const withdrawn = requests.filter(isOpenRequest);
    audit({
      action: how === 'cancel' ? 'case.cancel' : 'case.close', entityType: 'case', entityId: id, patientRef: c.patient_lookup,
      details: { reasonCode, withdrawn: withdrawn.map((w) => w.id) },
    });
    emit({ type: how === 'cancel' ? 'case.cancelled' : 'case.closed', caseId: id, regionCode: c.region_code, organizationId: chosenOrganization(c, requests), payload: { status: to, reasonCode } });
    for (const w of withdrawn)
      emit({ type: 'request.withdrawn', caseId: id, regionCode: c.region_code, organizationId: w.organization_id, payload: { requestId: w.id, unitHsaId: w.unit_hsa_id, status: 'withdrawn', because: how === 'cancel' ? 'the case was cancelled' : 'the case was closed' } });
    return {
      guard: repo.guardCase(db, c, { set: { status: to, end_reason: reasonCode, end_comment: comment?.trim() || null, ended_at: now }, at: now }),
      writes: [{ query: repo.settleRequestsQuery(db, id, now, undefined), rows: withdrawn.length, what: `the open requests of case ${id} are withdrawn` }],
      answer: (stored: repo.StoredCase) => caseView(stored, settled(requests, now), patientView(stored, deps.patients, true), today),
    };
  });
}

/** The organisation of the case's chosen request (told about booking, completion and cancellation), if any. */
function chosenOrganization(c: repo.StoredCase, requests: repo.StoredRequest[]): string | null {
  if (!c.chosen_request_id) return null;
  return requests.find((r) => r.id === c.chosen_request_id)?.organization_id ?? null;
}

/** May the caller act on the case: the coordinator of its region, or the provider of its chosen request. */
function isCoordinatorOrChosenProvider(ctx: RequestContext, c: repo.StoredCase, requests: readonly repo.StoredRequest[]): boolean {
  if (isCoordinatorOf(ctx.principal, c.region_code)) return true;
  const chosen = c.chosen_request_id ? requests.find((r) => r.id === c.chosen_request_id) : undefined;
  return chosen !== undefined && isProviderOf(ctx.principal, chosen);
}

/**
 * The case and its requests in one statement, for an atomic write (ADR 0016), if `may` lets the caller act on it (404
 * otherwise), at the version the caller names (If-Match).
 */
async function readCase(
  db: Executor, id: string, may: (c: repo.StoredCase, requests: readonly repo.StoredRequest[]) => boolean, expectedVersion: number | undefined,
): Promise<{ c: repo.StoredCase; requests: repo.StoredRequest[] }> {
  const found = await repo.caseWithRequests(db, { caseId: id });
  if (!found || !may(found.c, found.requests)) throw notFound('Case', id);
  checkVersion('Case', id, found.c.version, expectedVersion);
  return found;
}

export interface HistoryItem {
  at: string;
  action: string;
  outcome: string;
  actor: { subject: string; roles: string[]; regionCode: string | null; organizationId: string | null; unitHsaId: string | null };
  details: Record<string, unknown>;
}

/** The audited timeline of a case (the coordinator of its region, or an admin). Reading it is audited too. */
export async function caseHistory(deps: BrokeringDeps, ctx: RequestContext, id: string): Promise<HistoryItem[]> {
  return auditedTransaction(deps.db, ctx, async (trx, audit) => {
    const c = await repo.findCase(trx, id);
    const p = ctx.principal;
    if (!c || (!isCoordinatorOf(p, c.region_code) && !p.roles.includes('admin'))) throw notFound('Case', id);
    const events = await repo.caseAuditEvents(trx, id);
    audit({ action: 'case.history', entityType: 'case', entityId: id, patientRef: c.patient_lookup });
    return events.map((e) => ({
      at: e.occurred_at instanceof Date ? e.occurred_at.toISOString() : String(e.occurred_at),
      action: e.action,
      outcome: e.outcome,
      actor: { subject: e.actor_subject, roles: e.actor_roles, regionCode: e.actor_region_code, organizationId: e.actor_organization_id, unitHsaId: e.actor_unit_hsa_id },
      details: e.details,
    }));
  });
}
