/** The patient's own calls (contract role `patient`; the identity comes from the login, never from the form). */
import { request } from '../../api.js';
// the server's shapes (type-only: nothing of the server is bundled)
import type { PatientCaseView, PatientRequestInput } from '../../../../src/services/brokering/patient.service.js';

export type PatientCase = PatientCaseView;
export type PatientRequestIn = PatientRequestInput;

export const patientApi = {
  ask: (body: PatientRequestIn) => request<PatientCase>('POST', '/api/v1/patient/requests', body),
  cases: (signal?: AbortSignal) => request<{ items: PatientCase[] }>('GET', '/api/v1/patient/cases', undefined, signal),
};

/** A short reference the patient can read out on the phone: the first eight characters of the case id, upper case. */
export function shortRef(id: string): string {
  return id.replace(/-/g, '').slice(0, 8).toUpperCase();
}

/** The "too early" answer (422) names her deadline and the first day she may ask, as the fields `deadline` and `askFrom`. */
export function tooEarlyDates(problem: Record<string, unknown>): { from: string; deadline: string | null } | null {
  if (typeof problem.askFrom !== 'string') return null;
  return { from: problem.askFrom, deadline: typeof problem.deadline === 'string' ? problem.deadline : null };
}

/** A safe in-app return path (only "/something", never another site). */
export function safeReturnPath(p: string | null): string | null {
  if (!p || !p.startsWith('/') || p.startsWith('//') || p.startsWith('/\\')) return null;
  return p;
}

/** The case just created, so the receipt shows at once (it re-reads the list as well, and works after a reload). */
export const justCreated = new Map<string, PatientCase>();

/** Today in Sweden, and whether a string is a real calendar date (not 2026-02-30): the server's own rules. */
export { swedishToday } from '../../workspace/common.js';
export { isCalendarDate as isIsoDate } from '../../../../src/domain/calendar.js';
