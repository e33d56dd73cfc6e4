import crypto from 'node:crypto';
import * as repo from '../../db/brokering.repository.js';
import { parseHsaId } from '../../domain/identifiers.js';
import {
  assertCaseTransition, assertRequestTransition, caseStatusAfterRequestChange, checkOfferedDate, DECLINE_REASONS, derivedCaseEvent, isOneOf,
  type RequestStatus,
} from '../../domain/case-state.js';
import { stockholmDay, type Clock } from '../../domain/clock.js';
import { AppError, checkVersion, forbidden, invalid, notFound } from '../../domain/errors.js';
import { haversineKm } from '../../domain/ranking.js';
import type { Principal } from '../../domain/roles.js';
import { defaultRespondBy } from '../../domain/working-days.js';
import { atomicUseCase } from '../atomic-write.js';
import { auditedTransaction, type AuditInput } from '../audit.service.js';
import type { Executor, RequestContext } from '../context.js';
import { type BrokeringDeps, uniqueViolation } from './case.service.js';
import { anonymousPatient, caseView, inboxItem, isCoordinatorOf, isProviderOf, patientView, requestView, type CaseView, type InboxItem, type RequestView } from './views.js';

/** A respond-by time must leave the unit at least this long, and may not be further away than this. */
export const MIN_RESPOND_MS = 60 * 60_000;
export const MAX_RESPOND_DAYS = 14;
/** The working days a unit has to answer when the coordinator gives no respond-by time. */
export const DEFAULT_RESPOND_WORKING_DAYS = 2;

const nowOf = (ctx: { clock: Clock }) => ctx.clock.now().toISOString();
const todayOf = (ctx: { clock: Clock }) => stockholmDay(ctx.clock.now());

/**
 * After a request changed: what the case moves to through the state machine, so the case and its requests never
 * disagree. `requests` are the case's requests as they will be (read under the case's lock, with the change applied).
 * Returns the case's new status, and the change to write when it moves.
 */
function followRequests(c: repo.StoredCase, requests: readonly { status: string }[]): { to: repo.StoredCase['status']; set: { status: repo.StoredCase['status'] } | undefined } {
  const to = caseStatusAfterRequestChange(c.status, requests.map((r) => r.status as RequestStatus));
  const event = derivedCaseEvent(c.status, to);
  return { to, set: event ? { status: assertCaseTransition(c.status, event) } : undefined };
}

/** The case's requests with one of them replaced by its changed self. */
const replaced = (requests: readonly repo.StoredRequest[], changed: repo.StoredRequest): repo.StoredRequest[] => requests.map((r) => (r.id === changed.id ? changed : r));

/**
 * Send a request for a case to one receiving unit (the coordinator of the case's region). The unit must be active and
 * offer the service or a service declared equivalent to it (service_equivalents), and — by its capacity report for the
 * service it offers — accept patients from other regions if it is outside the home region. The respond-by time is
 * two Swedish working days by default. One open request per unit and case.
 */
export async function sendRequest(deps: BrokeringDeps, ctx: RequestContext, caseId: string, input: { unitHsaId: string; respondBy?: string | undefined }, expectedVersion?: number): Promise<RequestView> {
  const now = ctx.clock.now();
  const today = todayOf(ctx);
  try {
    // one read and one atomic write (ADR 0016)
    return await atomicUseCase(deps.db, ctx, { what: `Case ${caseId}`, lock: (trx) => repo.findCase(trx, caseId, true) }, async (db, audit, emit) => {
      const hsa = parseHsaId(input.unitHsaId);
      // the case, and the unit, the service it offers (the case's or a declared equivalent), its capacity report for that
      // service and the home municipality and forecast looked up, in one round trip
      const found = await repo.caseForRequest(db, caseId, hsa.ok ? hsa.value : null, today);
      if (!found || !isCoordinatorOf(ctx.principal, found.c.region_code)) throw notFound('Case', caseId);
      const { c, unit, report } = found;
      checkVersion('Case', caseId, c.version, expectedVersion);
      const to = assertCaseTransition(c.status, 'request_sent');
      if (!hsa.ok) throw invalid([{ field: 'unitHsaId', message: hsa.message }]);
      if (!unit || !unit.active) throw invalid([{ field: 'unitHsaId', message: `${hsa.value} is not an active unit in the directory; see GET /api/v1/search` }]);
      const offeredServiceId = unit.offeredServiceId;
      if (offeredServiceId === null)
        throw invalid([{
          field: 'unitHsaId',
          message: `${unit.name} (${unit.hsaId}) does not offer ${c.service_id} or a service declared equivalent to it; search for units that do (GET /api/v1/search)`,
        }]);
      if (unit.regionCode !== c.region_code && report && !report.acceptsOtherRegions)
        throw invalid([{ field: 'unitHsaId', message: `${unit.name} reported on ${report.validFrom} that it does not accept patients from other regions for ${offeredServiceId}` }]);
      let respondBy: Date;
      if (input.respondBy === undefined) respondBy = defaultRespondBy(now, DEFAULT_RESPOND_WORKING_DAYS);
      else {
        respondBy = new Date(input.respondBy);
        if (Number.isNaN(respondBy.getTime())) throw invalid([{ field: 'respondBy', message: `${input.respondBy} is not a time (ISO 8601 with offset)` }]);
        if (respondBy.getTime() < now.getTime() + MIN_RESPOND_MS) throw invalid([{ field: 'respondBy', message: 'give the unit at least one hour to answer' }]);
        if (respondBy.getTime() > now.getTime() + MAX_RESPOND_DAYS * 86_400_000) throw invalid([{ field: 'respondBy', message: `at most ${MAX_RESPOND_DAYS} days ahead: the patient is waiting` }]);
      }
      const home = found.home;
      const id = crypto.randomUUID();
      const equivalent = offeredServiceId !== c.service_id;
      const snapshot = {
        // the declared equivalent the unit offers, when it does not offer the case's service itself (for follow-up)
        ...(equivalent ? { offeredServiceId } : {}),
        homeForecastDays: found.homeForecastDays,
        reportedExpectedWaitDays: report?.expectedWaitDays ?? null,
        distanceKm: home ? Math.round(haversineKm({ lat: home.lat, lon: home.lng }, { lat: unit.location.lat, lon: unit.location.lng }) * 10) / 10 : null,
      };
      const newRequest = {
        id, caseId, unitHsaId: unit.hsaId, unitName: unit.name, organizationId: unit.organizationId, sentBy: ctx.principal.subject, sentAt: now.toISOString(),
        respondBy: respondBy.toISOString(), searchSnapshot: snapshot,
      };
      audit({
        action: 'request.send', entityType: 'case', entityId: caseId, patientRef: c.patient_lookup,
        details: { requestId: id, unitHsaId: unit.hsaId, organizationId: unit.organizationId, respondBy: respondBy.toISOString(), ...(equivalent ? { offeredServiceId } : {}) },
      });
      emit({
        type: 'request.sent', caseId, regionCode: c.region_code, organizationId: unit.organizationId,
        payload: { requestId: id, unitHsaId: unit.hsaId, status: 'pending', caseStatus: to, serviceId: c.service_id, deadline: c.deadline, respondBy: respondBy.toISOString() },
      });
      return {
        guard: repo.guardCase(db, c, { set: { status: to }, at: now.toISOString() }),
        writes: [{ query: repo.insertRequestQuery(newRequest), rows: 1, what: `the request to ${unit.hsaId} is inserted` }],
        answer: () => requestView(repo.newStoredRequest(newRequest)),
      };
    });
  } catch (err) {
    if (uniqueViolation(err)?.includes('requests_one_open_per_unit_idx'))
      throw new AppError('conflict', `Case ${caseId} already has an open request to ${input.unitHsaId}; wait for its answer or withdraw it first.`);
    throw err;
  }
}

/** Who may read a request: its provider, or the coordinator of its case's region. */
function mayRead(p: Principal, r: repo.StoredRequest, c: repo.StoredCase): 'provider' | 'coordinator' | undefined {
  if (isProviderOf(p, r)) return 'provider';
  if (isCoordinatorOf(p, c.region_code)) return 'coordinator';
  return undefined;
}

/** What the provider may see: the identity only once the patient has chosen this request. */
function providerItem(deps: BrokeringDeps, ctx: RequestContext, audit: (input: AuditInput) => void, r: repo.StoredRequest, c: repo.StoredCase): InboxItem {
  const identified = r.status === 'chosen';
  if (identified) audit({ action: 'request.read', entityType: 'case', entityId: c.id, patientRef: c.patient_lookup, details: { requestId: r.id, identified: true } });
  const row = { ...r, service_id: c.service_id, deadline: c.deadline, clock_start: c.clock_start, guarantee_kind: c.guarantee_kind, home_municipality: c.home_municipality,
    patient_birth_year: c.patient_birth_year, patient_sex: c.patient_sex, preferences: c.preferences, region_code: c.region_code, case_status: c.status };
  return inboxItem(row, identified ? patientView(c, deps.patients, true) : anonymousPatient(c), todayOf(ctx));
}

/** One request as its provider (with the case as far as it may see it) or the case's coordinator sees it. */
export async function getRequest(deps: BrokeringDeps, ctx: RequestContext, id: string): Promise<InboxItem> {
  return auditedTransaction(deps.db, ctx, async (trx, audit) => {
    const r = await repo.findRequest(trx, id);
    const c = r ? await repo.findCase(trx, r.case_id) : undefined;
    const who = r && c ? mayRead(ctx.principal, r, c) : undefined;
    if (!r || !c || !who) throw notFound('Request', id);
    if (who === 'provider') return providerItem(deps, ctx, audit, r, c);
    audit({ action: 'request.read', entityType: 'case', entityId: c.id, patientRef: c.patient_lookup, details: { requestId: r.id, identified: false } });
    return inboxItem({ ...r, service_id: c.service_id, deadline: c.deadline, clock_start: c.clock_start, guarantee_kind: c.guarantee_kind, home_municipality: c.home_municipality,
      patient_birth_year: c.patient_birth_year, patient_sex: c.patient_sex, preferences: c.preferences, region_code: c.region_code, case_status: c.status }, anonymousPatient(c), todayOf(ctx));
  });
}

export interface InboxQuery {
  statuses?: RequestStatus[] | undefined;
  after?: { respondBy: string; id: string } | undefined;
  limit: number;
}

/**
 * A provider's inbox: the requests to its organisation (or its one unit), soonest respond-by first, with the case as
 * far as it may see it — no identity (and so no audit of one) until the patient has chosen the provider. An admin sees all.
 */
export async function listInbox(deps: BrokeringDeps, ctx: RequestContext, q: InboxQuery): Promise<{ items: InboxItem[]; next?: { respondBy: string; id: string } }> {
  const p = ctx.principal;
  const today = todayOf(ctx);
  let filter: { organizationId?: string; unitHsaId?: string } = {};
  if (p.roles.includes('provider') && p.organizationId) filter = { organizationId: p.organizationId, ...(p.unitHsaId ? { unitHsaId: p.unitHsaId.toUpperCase() } : {}) };
  else if (!p.roles.includes('admin')) throw forbidden('Only a provider (its own requests) or an admin reads the request inbox.');
  const rows = await repo.inbox(deps.db, { ...filter, statuses: q.statuses, after: q.after, limit: q.limit });
  const page = rows.slice(0, q.limit);
  // Identities are not listed; a provider opens a chosen request (GET /requests/{id}) to see the patient, and that is audited.
  const items = page.map((r) => inboxItem(r, anonymousPatient(r), today));
  const last = page.at(-1);
  return rows.length > q.limit && last ? { items, next: { respondBy: last.respond_by instanceof Date ? last.respond_by.toISOString() : String(last.respond_by), id: last.id } } : { items };
}

type RequestSet = Omit<Partial<repo.StoredRequest>, 'id' | 'version' | 'unit_name' | 'search_snapshot' | 'case_id'>;

/**
 * A request as read changed by `set`, as it will be once written (its version moved on), with the case's requests and
 * what the case moves to through the state machine; `toDb` is `set` as the database takes it.
 */
function requestChange(c: repo.StoredCase, requests: repo.StoredRequest[], r: repo.StoredRequest, set: RequestSet) {
  const request = { ...r, ...set, version: r.version + 1 } as repo.StoredRequest;
  const after = replaced(requests, request);
  const toDb = Object.fromEntries(Object.entries(set).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v]));
  return { request, requests: after, follow: followRequests(c, after), toDb };
}

/**
 * Write a request's change (and its case's, when the case moves) in one statement, under the case's lock (the expiry
 * job); returns the request and the case as they are afterwards.
 */
async function changeRequest(trx: Executor, c: repo.StoredCase, requests: repo.StoredRequest[], r: repo.StoredRequest, set: RequestSet, now: string) {
  const change = requestChange(c, requests, r, set);
  const written = await repo.updateRequestAndCase(trx, r, change.toDb, change.follow.set ? { id: c.id, set: change.follow.set, at: now } : undefined);
  return { request: change.request, case: written.case ?? c, requests: change.requests };
}

/**
 * A request's change as the writes of an atomic plan (ADR 0016): the request as read changed by `set` (only if its
 * version is still the one read), and the case moved on through the state machine when the change moves it (else only
 * its change_seq). Returns the request, the case's requests and the case's status as they will be once written.
 */
function plannedRequestChange(db: Executor, c: repo.StoredCase, requests: repo.StoredRequest[], r: repo.StoredRequest, set: RequestSet, now: string) {
  const change = requestChange(c, requests, r, set);
  return {
    request: change.request, requests: change.requests, caseStatus: change.follow.to,
    guard: repo.guardCase(db, c, change.follow.set ? { set: change.follow.set, at: now } : undefined),
    writes: [{ query: repo.changeRequestQuery(db, r, change.toDb), rows: 1, what: `request ${r.id} changes from ${r.status} to ${String(set.status)}` }],
  };
}

/** The case of a request and its requests in one statement, for an atomic write (ADR 0016); 404 unless `may` says the caller may act on it. */
async function readRequest(db: Executor, id: string, may: (r: repo.StoredRequest, c: repo.StoredCase) => boolean, expectedVersion: number | undefined) {
  const found = await repo.caseWithRequests(db, { requestId: id });
  const r = found?.requests.find((x) => x.id === id);
  if (!found || !r || !may(r, found.c)) throw notFound('Request', id);
  checkVersion('Request', id, r.version, expectedVersion);
  return { r, c: found.c, requests: found.requests };
}

/**
 * The unit accepts with the date it offers. At most once, whatever the concurrency: the write is guarded by the case's
 * change_seq as read (ADR 0016), so of simultaneous accepts one is written and the others run again and find the request
 * accepted (409); the offered date must not be after the patient's deadline.
 */
export async function acceptRequest(deps: BrokeringDeps, ctx: RequestContext, id: string, offeredDate: string, expectedVersion?: number): Promise<InboxItem> {
  const now = nowOf(ctx);
  const today = todayOf(ctx);
  // one read and one atomic write (ADR 0016): the case's change_seq guards what was read
  return atomicUseCase(deps.db, ctx, { what: `Request ${id}`, lock: (trx) => repo.findCaseOfRequest(trx, id, true) }, async (db, audit, emit) => {
    const { r, c, requests } = await readRequest(db, id, (x) => isProviderOf(ctx.principal, x), expectedVersion);
    const to = assertRequestTransition(r.status, 'accept');
    const errors = checkOfferedDate(offeredDate, today, c.deadline, 'offeredDate');
    if (errors.length > 0) throw invalid(errors, 'The offer cannot be made; see errors.');
    const change = plannedRequestChange(db, c, requests, r, { status: to, offered_date: offeredDate, answered_at: new Date(now), answered_by: ctx.principal.subject }, now);
    audit({ action: 'request.accept', entityType: 'case', entityId: c.id, patientRef: c.patient_lookup, details: { requestId: id, unitHsaId: r.unit_hsa_id, offeredDate } });
    emit({ type: 'request.accepted', caseId: c.id, regionCode: c.region_code, organizationId: r.organization_id, payload: { requestId: id, unitHsaId: r.unit_hsa_id, status: to, caseStatus: change.caseStatus, offeredDate } });
    return { ...change, answer: (stored: repo.StoredCase) => providerItem(deps, ctx, noIdentityShown, change.request, stored) };
  });
}

/** The unit declines with a structured reason (and a comment, required for other). */
export async function declineRequest(deps: BrokeringDeps, ctx: RequestContext, id: string, reasonCode: string, comment: string | undefined, expectedVersion?: number): Promise<InboxItem> {
  const now = nowOf(ctx);
  return atomicUseCase(deps.db, ctx, { what: `Request ${id}`, lock: (trx) => repo.findCaseOfRequest(trx, id, true) }, async (db, audit, emit) => {
    const { r, c, requests } = await readRequest(db, id, (x) => isProviderOf(ctx.principal, x), expectedVersion);
    const to = assertRequestTransition(r.status, 'decline');
    if (!isOneOf(DECLINE_REASONS, reasonCode)) throw invalid([{ field: 'reasonCode', message: `${reasonCode} is not a reason; use one of ${DECLINE_REASONS.join(', ')}` }]);
    if (reasonCode === 'other' && !comment?.trim()) throw invalid([{ field: 'comment', message: 'say in a few words why, when the reason is other' }]);
    const at = new Date(now);
    const change = plannedRequestChange(db, c, requests, r, {
      status: to, decline_reason: reasonCode, decline_comment: comment?.trim() || null, answered_at: at, answered_by: ctx.principal.subject, closed_at: at,
    }, now);
    audit({ action: 'request.decline', entityType: 'case', entityId: c.id, patientRef: c.patient_lookup, details: { requestId: id, unitHsaId: r.unit_hsa_id, reasonCode } });
    emit({ type: 'request.declined', caseId: c.id, regionCode: c.region_code, organizationId: r.organization_id, payload: { requestId: id, unitHsaId: r.unit_hsa_id, status: to, caseStatus: change.caseStatus, reasonCode } });
    return { ...change, answer: (stored: repo.StoredCase) => providerItem(deps, ctx, noIdentityShown, change.request, stored) };
  });
}

/** The coordinator takes a pending or accepted request back. */
export async function withdrawRequest(deps: BrokeringDeps, ctx: RequestContext, id: string, expectedVersion?: number): Promise<CaseView> {
  const now = nowOf(ctx);
  return atomicUseCase(deps.db, ctx, { what: `Request ${id}`, lock: (trx) => repo.findCaseOfRequest(trx, id, true) }, async (db, audit, emit) => {
    const { r, c, requests } = await readRequest(db, id, (_, x) => isCoordinatorOf(ctx.principal, x.region_code), expectedVersion);
    const to = assertRequestTransition(r.status, 'withdraw');
    const change = plannedRequestChange(db, c, requests, r, { status: to, closed_at: new Date(now) }, now);
    audit({ action: 'request.withdraw', entityType: 'case', entityId: c.id, patientRef: c.patient_lookup, details: { requestId: id, unitHsaId: r.unit_hsa_id } });
    emit({ type: 'request.withdrawn', caseId: c.id, regionCode: c.region_code, organizationId: r.organization_id, payload: { requestId: id, unitHsaId: r.unit_hsa_id, status: to, caseStatus: change.caseStatus, because: 'the coordinator withdrew it' } });
    return { ...change, answer: (stored: repo.StoredCase) => caseView(stored, change.requests, patientView(stored, deps.patients, true), todayOf(ctx)) };
  });
}

/** A request that is accepted, declined or withdrawn is not chosen: its provider is shown no identity, so there is no read to audit. */
const noIdentityShown = (): void => {
  throw new Error('a request that is not chosen shows no identity');
};

/** The platform's own actor for jobs, in the audit log. */
export const EXPIRY_JOB_PRINCIPAL: Principal = { subject: 'nvf-job:request-expiry', roles: [] };

/**
 * Expire pending requests whose respond-by time has passed, at most `limit` per call; returns the expired ones with
 * their case and region (for telling the coordinator). Safe on any number of instances: each case is locked with
 * SKIP LOCKED (a case busy elsewhere waits for the next round) and the request's state is checked again under the lock.
 */
export async function expireDueRequests(deps: Pick<BrokeringDeps, 'db'>, clock: Clock, limit = 200): Promise<{ requestId: string; caseId: string; regionCode: string }[]> {
  const now = clock.now().toISOString();
  const due = await repo.dueRequests(deps.db, now, limit);
  const expired: { requestId: string; caseId: string; regionCode: string }[] = [];
  for (const d of due) {
    const ctx: RequestContext = { principal: EXPIRY_JOB_PRINCIPAL, requestId: `job-${crypto.randomUUID()}`, clock };
    await auditedTransaction(deps.db, ctx, async (trx, audit, emit) => {
      if (!(await repo.tryLockCase(trx, d.case_id))) return;
      const c = (await repo.findCase(trx, d.case_id))!;
      const requests = await repo.requestsOfCase(trx, c.id);
      const r = requests.find((x) => x.id === d.id);
      if (!r || r.status !== 'pending' || new Date(r.respond_by).toISOString() > now) return;
      const done = await changeRequest(trx, c, requests, r, { status: assertRequestTransition(r.status, 'expire'), closed_at: new Date(now) }, now);
      const caseStatus = done.case.status;
      audit({ action: 'request.expire', entityType: 'case', entityId: c.id, patientRef: c.patient_lookup, details: { requestId: r.id, unitHsaId: r.unit_hsa_id } });
      // the coordinator is told (and the provider, whose chance to answer has passed)
      emit({ type: 'request.expired', caseId: c.id, regionCode: c.region_code, organizationId: r.organization_id, payload: { requestId: r.id, unitHsaId: r.unit_hsa_id, status: 'expired', caseStatus, respondBy: new Date(r.respond_by).toISOString() } });
      expired.push({ requestId: r.id, caseId: c.id, regionCode: c.region_code });
    });
  }
  return expired;
}
