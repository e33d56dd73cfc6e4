/** Typed calls for the workspace (brokering, search, capacity); writes send If-Match from the version that was read. */
import { qs, request, type Page, type Unit } from '../api.js';

export type CaseStatus = 'open' | 'requested' | 'offered' | 'chosen' | 'booked' | 'completed' | 'cancelled' | 'closed_unresolved';
export type RequestStatus = 'pending' | 'accepted' | 'declined' | 'expired' | 'withdrawn' | 'chosen';
export type CaseEvent = 'request_sent' | 'offer_received' | 'offers_withdrawn' | 'requests_exhausted' | 'choose' | 'book' | 'complete' | 'cancel' | 'close_unresolved';
export type RequestEvent = 'accept' | 'decline' | 'expire' | 'withdraw' | 'choose';

export const OPEN_CASE_STATUSES: CaseStatus[] = ['open', 'requested', 'offered', 'chosen', 'booked'];
export const DECLINE_REASONS = ['no_capacity', 'service_not_offered', 'medical_criteria', 'cannot_meet_deadline', 'other'] as const;
export const CANCEL_REASONS = ['patient_declined', 'treated_at_home_unit', 'no_longer_needed', 'patient_unreachable', 'other'] as const;
export const CLOSE_REASONS = ['no_capacity_found', 'patient_declined_all', 'other'] as const;
export const OUTCOMES = ['treated', 'assessed_no_treatment', 'referred_back', 'did_not_attend'] as const;

export interface Preferences {
  maxDistanceKm?: number;
  unavailableDates?: string[];
  language?: string;
  accessibilityNeeds?: string;
  notes?: string;
}
export interface Patient {
  personnummer: string | null;
  masked: string;
  name: string | null;
  phone: string | null;
  birthYear: number;
  sex: 'F' | 'M';
  homeMunicipality: string;
}
export interface BrokeringRequest {
  id: string;
  caseId: string;
  unitHsaId: string;
  unitName: string;
  organizationId: string;
  status: RequestStatus;
  version: number;
  sentAt: string;
  respondBy: string;
  answeredAt: string | null;
  offeredDate: string | null;
  declineReason: string | null;
  declineComment: string | null;
  closedAt: string | null;
  allowedEvents: RequestEvent[];
}
export interface Case {
  id: string;
  status: CaseStatus;
  version: number;
  regionCode: string;
  serviceId: string;
  guaranteeKind: string;
  clockStart: string;
  deadline: string;
  daysLeft: number;
  origin: 'coordinator' | 'patient';
  patient: Patient;
  preferences: Preferences;
  waitingRecordId: string | null;
  openedBy: string;
  openedAt: string;
  updatedAt: string;
  chosenRequestId: string | null;
  referral: { id: string; payingRegionCode: string; validUntil: string } | null;
  bookedDate: string | null;
  completedOn: string | null;
  outcome: string | null;
  end: { reason: string; comment: string | null; at: string } | null;
  allowedEvents: CaseEvent[];
  requests: BrokeringRequest[];
}
export interface ProviderCase {
  id: string;
  status: CaseStatus;
  serviceId: string;
  guaranteeKind: string;
  clockStart: string;
  deadline: string;
  daysLeft: number;
  homeRegionCode: string;
  homeMunicipality: string;
  patient: Patient;
  preferences: Preferences;
}
export interface InboxItem extends BrokeringRequest {
  case: ProviderCase;
}
export interface HistoryItem {
  at: string;
  action: string;
  outcome: string;
  actor: { subject: string; roles: string[]; regionCode: string | null; organizationId: string | null; unitHsaId: string | null };
  details: Record<string, unknown>;
}
export interface AtRiskItem {
  recordId: string;
  unitHsaId: string;
  serviceId: string;
  clockStart: string;
  waitedDays: number;
  deadline: string;
  forecastDate: string | null;
  daysLeft: number;
  breached: boolean;
}
export interface AtRiskPage {
  regionCode: string;
  today: string;
  withinDays: number;
  items: AtRiskItem[];
  nextCursor: string | null;
}
export interface Reason {
  sv: string;
  en: string;
}
export interface SearchOption {
  rank: number;
  tier: 1 | 2 | 3;
  unit: { hsaId: string; name: string; organizationId: string; regionCode: string; municipalityCode: string; location: { lat: number; lng: number } };
  homeRegion: boolean;
  forecastWaitDays: number | null;
  forecastSource: 'computed' | 'reported' | null;
  earliestDate: string | null;
  meetsDeadline: boolean | null;
  daysSaved: number | null;
  distanceKm: number | null;
  travelMinutesEstimate: number | null;
  capacityAvailable: boolean | null;
  weeklyCapacityForOtherRegions?: number | null;
  stale: boolean;
  score: number;
  trackRecord: { requests: number; accepted: number; medianResponseHours: number | null } | null;
  reasons: Reason[];
}
export interface SearchResult {
  serviceId: string;
  municipalityCode: string;
  municipalityName: string;
  homeRegionCode: string;
  today: string;
  deadline: string | null;
  maxDistanceKm: number | null;
  staleAfterDays: number;
  homeForecastDays: number | null;
  total: number;
  limit: number;
  options: SearchOption[];
  excludedCount: number;
  excluded: { unit: SearchOption['unit']; distanceKm: number | null; reasonCode: string; reason: Reason }[];
}
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
