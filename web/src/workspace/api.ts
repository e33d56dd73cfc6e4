/** Typed calls for the workspace (brokering, search, capacity); writes send If-Match from the version that was read. */
import { qs, request, type Page, type Unit } from '../api.js';

// The shapes are the server's own (type-only imports: nothing of the server is bundled), so the two cannot drift apart.
import type { AtRiskRow } from '../../../src/db/waiting-times.repository.js';
import type {
  CancelReason, CaseEvent, CasePreferences, CaseStatus, CloseReason, DeclineReason, Outcome, RequestEvent, RequestStatus,
} from '../../../src/domain/case-state.js';
import type { Reason } from '../../../src/domain/ranking.js';
import type { HistoryItem } from '../../../src/services/brokering/case.service.js';
import type { SearchAnswer, SearchOption } from '../../../src/services/brokering/search.service.js';
import type { CaseView, InboxItem, PatientView, ProviderCaseView, RequestView } from '../../../src/services/brokering/views.js';

export type { CaseEvent, CaseStatus, HistoryItem, InboxItem, Reason, RequestEvent, RequestStatus, SearchOption };
export type Preferences = CasePreferences;
export type Patient = PatientView;
export type BrokeringRequest = RequestView;
export type Case = CaseView;
export type ProviderCase = ProviderCaseView;
export type SearchResult = SearchAnswer;
export type AtRiskItem = AtRiskRow;
export interface AtRiskPage {
  regionCode: string;
  today: string;
  withinDays: number;
  items: AtRiskItem[];
  nextCursor: string | null;
}

export const OPEN_CASE_STATUSES: CaseStatus[] = ['open', 'requested', 'offered', 'chosen', 'booked'];
// The codes, as values for the forms (the server's lists are in src/domain/case-state.ts; `satisfies` keeps these to them).
export const DECLINE_REASONS = ['no_capacity', 'service_not_offered', 'medical_criteria', 'cannot_meet_deadline', 'other'] as const satisfies readonly DeclineReason[];
export const CANCEL_REASONS = ['patient_declined', 'treated_at_home_unit', 'no_longer_needed', 'patient_unreachable', 'other'] as const satisfies readonly CancelReason[];
export const CLOSE_REASONS = ['no_capacity_found', 'patient_declined_all', 'other'] as const satisfies readonly CloseReason[];
export const OUTCOMES = ['treated', 'assessed_no_treatment', 'referred_back', 'did_not_attend'] as const satisfies readonly Outcome[];

export interface CapacityVersion {
  validFrom: string;
  expectedWaitDays: number;
  weeklyCapacityForOtherRegions: number;
  acceptsOtherRegions: boolean;
  comment: string | null;
  reportedAt: string;
}
export interface UnitCapacity {
  unitHsaId: string;
  today: string;
  staleAfterDays: number;
  items: { serviceId: string; current: (CapacityVersion & { stale: boolean }) | null; history?: CapacityVersion[] }[];
}
export interface CapacityReportIn {
  expectedWaitDays: number;
  weeklyCapacityForOtherRegions: number;
  acceptsOtherRegions: boolean;
  validFrom: string;
  comment?: string;
}
export interface OpenCaseIn {
  serviceId: string;
  clockStart: string;
  patient: { personnummer: string; name?: string; phone?: string; homeMunicipality: string };
  preferences?: Preferences;
  waitingRecordId?: string;
}

const ifMatch = (version: number | undefined): Record<string, string> => (version === undefined ? {} : { 'if-match': `"v${version}"` });
const enc = encodeURIComponent;

export const ws = {
  atRisk: (f: { region: string; service?: string; withinDays?: number; cursor?: string; limit?: number }, signal?: AbortSignal) =>
    request<AtRiskPage>('GET', `/api/v1/waiting-list/at-risk${qs(f)}`, undefined, signal),
  cases: (f: { status?: string; cursor?: string; limit?: number }, signal?: AbortSignal) => request<Page<Case>>('GET', `/api/v1/cases${qs(f)}`, undefined, signal),
  getCase: (id: string, signal?: AbortSignal) => request<Case>('GET', `/api/v1/cases/${enc(id)}`, undefined, signal),
  history: (id: string, signal?: AbortSignal) => request<{ items: HistoryItem[] }>('GET', `/api/v1/cases/${enc(id)}/history`, undefined, signal),
  openCase: (body: OpenCaseIn) => request<Case>('POST', '/api/v1/cases', body),
  sendRequest: (caseId: string, version: number, body: { unitHsaId: string; respondBy?: string }) =>
    request<BrokeringRequest>('POST', `/api/v1/cases/${enc(caseId)}/requests`, body, undefined, ifMatch(version)),
  choose: (caseId: string, version: number, requestId: string) => request<Case>('POST', `/api/v1/cases/${enc(caseId)}/choose`, { requestId }, undefined, ifMatch(version)),
  book: (caseId: string, version: number, date: string) => request<Case>('POST', `/api/v1/cases/${enc(caseId)}/book`, { date }, undefined, ifMatch(version)),
  complete: (caseId: string, version: number, completedOn: string, outcome: string) =>
    request<Case>('POST', `/api/v1/cases/${enc(caseId)}/complete`, { completedOn, outcome }, undefined, ifMatch(version)),
  end: (caseId: string, version: number, kind: 'cancel' | 'close', reasonCode: string, comment?: string) =>
    request<Case>('POST', `/api/v1/cases/${enc(caseId)}/${kind}`, { reasonCode, ...(comment ? { comment } : {}) }, undefined, ifMatch(version)),
  withdraw: (requestId: string, version: number) => request<Case>('POST', `/api/v1/requests/${enc(requestId)}/withdraw`, undefined, undefined, ifMatch(version)),
  search: (f: { service: string; municipality: string; deadline?: string; maxDistanceKm?: number; limit?: number }, signal?: AbortSignal) =>
    request<SearchResult>('GET', `/api/v1/search${qs(f)}`, undefined, signal),
  inbox: (f: { status?: string; cursor?: string; limit?: number }, signal?: AbortSignal) => request<Page<InboxItem>>('GET', `/api/v1/requests${qs(f)}`, undefined, signal),
  getRequest: (id: string, signal?: AbortSignal) => request<InboxItem>('GET', `/api/v1/requests/${enc(id)}`, undefined, signal),
  accept: (id: string, version: number, offeredDate: string) => request<InboxItem>('POST', `/api/v1/requests/${enc(id)}/accept`, { offeredDate }, undefined, ifMatch(version)),
  decline: (id: string, version: number, reasonCode: string, comment?: string) =>
    request<InboxItem>('POST', `/api/v1/requests/${enc(id)}/decline`, { reasonCode, ...(comment ? { comment } : {}) }, undefined, ifMatch(version)),
  orgUnits: (organization: string, signal?: AbortSignal) => request<Page<Unit>>('GET', `/api/v1/units${qs({ organization, limit: 1000 })}`, undefined, signal),
  regionUnits: (region: string, signal?: AbortSignal) => request<Page<Unit>>('GET', `/api/v1/units${qs({ region, limit: 1000 })}`, undefined, signal),
  capacity: (hsaId: string, signal?: AbortSignal) => request<UnitCapacity>('GET', `/api/v1/units/${enc(hsaId)}/capacity?history=true`, undefined, signal),
  putCapacity: (hsaId: string, serviceId: string, body: CapacityReportIn) =>
    request<CapacityVersion & { stale: boolean }>('PUT', `/api/v1/units/${enc(hsaId)}/capacity/${enc(serviceId)}`, body),
};
