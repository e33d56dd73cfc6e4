import { daysBetween } from '../../domain/calendar.js';
import { allowedCaseEvents, allowedRequestEvents, type CaseEvent, type CaseStatus, type RequestEvent, type RequestStatus } from '../../domain/case-state.js';
import { maskIdentity } from '../../domain/patient-identity.js';
import type { Principal } from '../../domain/roles.js';
import type { CasePreferences } from '../../db/schema.js';
import type { InboxRow, StoredCase, StoredRequest } from '../../db/brokering.repository.js';
import type { PatientCrypto } from '../patient-crypto.js';

/** What the API shows of a request. */
export interface RequestView {
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
  /** the declared equivalent the unit was asked to provide (it does not offer the case’s own service); null: the case’s service */
  offeredServiceId: string | null;
}

/** The patient as shown: identity, name and phone only to those who may see them, else null. */
export interface PatientView {
  personnummer: string | null;
  masked: string;
  name: string | null;
  phone: string | null;
  birthYear: number;
  sex: 'F' | 'M';
  homeMunicipality: string;
}

export interface CaseView {
  id: string;
  status: CaseStatus;
  version: number;
  regionCode: string;
  serviceId: string;
  guaranteeKind: string;
  clockStart: string;
  deadline: string;
  /** calendar days from today to the deadline (negative: passed) */
  daysLeft: number;
  origin: 'coordinator' | 'patient';
  patient: PatientView;
  preferences: CasePreferences;
  waitingRecordId: string | null;
  openedBy: string;
  openedAt: string;
  updatedAt: string;
  chosenRequestId: string | null;
  /** the referral and the home region's payment commitment (betalningsförbindelse), once the patient has chosen */
  referral: { id: string; payingRegionCode: string; validUntil: string } | null;
  bookedDate: string | null;
  completedOn: string | null;
  outcome: string | null;
  end: { reason: string; comment: string | null; at: string } | null;
  allowedEvents: CaseEvent[];
  requests: RequestView[];
}

/** The case as a provider sees it through a request: no identity until the patient has chosen this provider. */
export interface ProviderCaseView {
  id: string;
  status: CaseStatus;
  serviceId: string;
  guaranteeKind: string;
  clockStart: string;
  deadline: string;
  daysLeft: number;
  homeRegionCode: string;
  homeMunicipality: string;
  patient: PatientView;
  preferences: CasePreferences;
}

export interface InboxItem extends RequestView {
  case: ProviderCaseView;
}

const iso = (v: unknown): string => (v instanceof Date ? v.toISOString() : String(v));
const isoOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : iso(v));

/** The declared equivalent a request asked the unit to provide, recorded when it was sent (null: the case's own service). */
const offeredServiceOf = (snapshot: unknown): string | null => {
  const v = snapshot !== null && typeof snapshot === 'object' ? (snapshot as { offeredServiceId?: unknown }).offeredServiceId : undefined;
  return typeof v === 'string' ? v : null;
};

export function requestView(r: StoredRequest): RequestView {
  return {
    id: r.id, caseId: r.case_id, unitHsaId: r.unit_hsa_id, unitName: r.unit_name, organizationId: r.organization_id, status: r.status, version: r.version,
    sentAt: iso(r.sent_at), respondBy: iso(r.respond_by), answeredAt: isoOrNull(r.answered_at), offeredDate: r.offered_date, declineReason: r.decline_reason,
    declineComment: r.decline_comment, closedAt: isoOrNull(r.closed_at), allowedEvents: allowedRequestEvents(r.status),
    offeredServiceId: offeredServiceOf(r.search_snapshot),
  };
}

/** Decrypt the identity fields (the caller has checked that the reader may see them, and audits the read). */
export function patientView(c: Pick<StoredCase, 'patient_identity_enc' | 'patient_name_enc' | 'patient_phone_enc' | 'patient_birth_year' | 'patient_sex' | 'home_municipality'>, crypto: PatientCrypto, identified: boolean): PatientView {
  const personnummer = crypto.decrypt(c.patient_identity_enc);
  return {
    // shown as written on Swedish documents: YYYYMMDD-NNNN
    personnummer: identified ? `${personnummer.slice(0, 8)}-${personnummer.slice(8)}` : null,
    masked: maskIdentity(personnummer),
    name: identified && c.patient_name_enc ? crypto.decrypt(c.patient_name_enc) : null,
    phone: identified && c.patient_phone_enc ? crypto.decrypt(c.patient_phone_enc) : null,
    birthYear: c.patient_birth_year,
    sex: c.patient_sex,
    homeMunicipality: c.home_municipality,
  };
}

/** A patient without identity (lists, providers before the choice): birth year, sex and home municipality only. */
export function anonymousPatient(c: Pick<StoredCase, 'patient_birth_year' | 'patient_sex' | 'home_municipality'>): PatientView {
  return { personnummer: null, masked: `${c.patient_birth_year}****-****`, name: null, phone: null, birthYear: c.patient_birth_year, sex: c.patient_sex, homeMunicipality: c.home_municipality };
}

export function caseView(c: StoredCase, requests: StoredRequest[], patient: PatientView, today: string): CaseView {
  return {
    id: c.id, status: c.status, version: c.version, regionCode: c.region_code, serviceId: c.service_id, guaranteeKind: c.guarantee_kind, clockStart: c.clock_start,
    deadline: c.deadline, daysLeft: daysBetween(today, c.deadline), origin: c.origin, patient, preferences: c.preferences, waitingRecordId: c.waiting_record_id,
    openedBy: c.opened_by, openedAt: iso(c.opened_at), updatedAt: iso(c.updated_at), chosenRequestId: c.chosen_request_id,
    referral: c.referral_id && c.paying_region_code && c.commitment_valid_until ? { id: c.referral_id, payingRegionCode: c.paying_region_code, validUntil: c.commitment_valid_until } : null,
    bookedDate: c.booked_date, completedOn: c.completed_on, outcome: c.outcome,
    end: c.end_reason ? { reason: c.end_reason, comment: c.end_comment, at: iso(c.ended_at) } : null,
    allowedEvents: allowedCaseEvents(c.status), requests: requests.map(requestView),
  };
}

export function inboxItem(r: InboxRow, patient: PatientView, today: string): InboxItem {
  return {
    ...requestView(r),
    case: {
      id: r.case_id, status: r.case_status, serviceId: r.service_id, guaranteeKind: r.guarantee_kind, clockStart: r.clock_start, deadline: r.deadline,
      daysLeft: daysBetween(today, r.deadline), homeRegionCode: r.region_code, homeMunicipality: r.home_municipality, patient, preferences: r.preferences,
    },
  };
}

/** The coordinator of the case's home region. */
export const isCoordinatorOf = (p: Principal, regionCode: string): boolean => p.roles.includes('coordinator') && p.regionCode === regionCode;

/** The provider (organisation, or one of its units when the token is narrowed to a unit) a request was sent to. */
export const isProviderOf = (p: Principal, r: { organization_id: string; unit_hsa_id: string }): boolean =>
  p.roles.includes('provider') && p.organizationId === r.organization_id && (p.unitHsaId === undefined || p.unitHsaId.toUpperCase() === r.unit_hsa_id);
