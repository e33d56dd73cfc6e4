/** The patient's own calls (contract role `patient`; the identity comes from the login, never from the form). */
import { request } from '../../api.js';

export interface Text2 {
  sv: string;
  en: string;
}
export interface PatientCase {
  id: string;
  serviceId: string;
  status: string;
  statusText: Text2;
  nextStep: Text2;
  clockStart: string;
  deadline: string;
  daysLeft: number;
  origin: 'coordinator' | 'patient';
  openedAt: string;
  updatedAt: string;
  homeRegionCode: string;
  offer: { unitName: string; offeredDate: string | null } | null;
  bookedDate: string | null;
  completedOn: string | null;
}
export interface PatientRequestIn {
  serviceId: string;
  clockStart: string;
  homeMunicipality?: string;
  phone?: string;
  preferences?: { maxDistanceKm?: number; unavailableDates?: string[]; language?: string; accessibilityNeeds?: string; notes?: string };
}

export const patientApi = {
  ask: (body: PatientRequestIn) => request<PatientCase>('POST', '/api/v1/patient/requests', body),
  cases: (signal?: AbortSignal) => request<{ items: PatientCase[] }>('GET', '/api/v1/patient/cases', undefined, signal),
};

/** A short reference the patient can read out on the phone: the first eight characters of the case id, upper case. */
export function shortRef(id: string): string {
  return id.replace(/-/g, '').slice(0, 8).toUpperCase();
}

/**
 * Where the demo patients live (the server's DEMO_PATIENT_IDENTITIES): used only to prefill the home municipality.
 * Unknown people get an empty choice, and the server then uses the registered address.
 */
export const KNOWN_HOMES: Readonly<Record<string, string>> = {
  'demo-patient-1': '2580',
  'demo-patient-2': '0180',
};

/** The "too early" answer names the first day she may ask: "... you can ask for care elsewhere from 2026-12-01 ...". */
export function tooEarlyDates(message: string): { from: string; deadline: string | null } | null {
  const from = /from (\d{4}-\d{2}-\d{2})/.exec(message);
  if (!from?.[1]) return null;
  const until = /until (\d{4}-\d{2}-\d{2})/.exec(message);
  return { from: from[1], deadline: until?.[1] ?? null };
}

/** A safe in-app return path (only "/something", never another site). */
export function safeReturnPath(p: string | null): string | null {
  if (!p || !p.startsWith('/') || p.startsWith('//') || p.startsWith('/\\')) return null;
  return p;
}

/** The case just created, so the receipt shows at once (it re-reads the list as well, and works after a reload). */
export const justCreated = new Map<string, PatientCase>();

/** Today as YYYY-MM-DD in Sweden (the server's calendar). */
export function swedishToday(): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

/** A real calendar date written YYYY-MM-DD (not 2026-02-30). */
export function isIsoDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T12:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}
