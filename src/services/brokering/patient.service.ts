import crypto from 'node:crypto';
import type { Mode } from '../../config.js';
import * as repo from '../../db/brokering.repository.js';
import { findMunicipality, findService } from '../../db/directory.repository.js';
import { addDays, daysBetween } from '../../domain/calendar.js';
import { caseDeadline, checkClockStart, checkPreferences, type CasePreferences, type CaseStatus } from '../../domain/case-state.js';
import { stockholmDay } from '../../domain/clock.js';
import { AppError, forbidden, invalid, type FieldError } from '../../domain/errors.js';
import { parsePatientIdentity } from '../../domain/patient-identity.js';
import { auditedTransaction } from '../audit.service.js';
import type { RequestContext } from '../context.js';
import { DEMO_PATIENT_IDENTITIES } from '../people.service.js';
import type { PatientCrypto } from '../patient-crypto.js';
import { uniqueViolation, type BrokeringDeps } from './case.service.js';

/** A patient may ask for care elsewhere when the deadline has passed or is at most this many days away. */
export const ASK_WITHIN_DAYS = 30;

/**
 * The identity of the patient behind a token. A citizen who logged in through the citizen identity provider (e-legitimation
 * via CITIZEN_OIDC_ISSUER, src/services/oidc.service.ts) carries their verified personnummer sealed in the token; in demo
 * and sandbox mode the demo patients have synthetic identities (and a home municipality). Any other patient token is
 * refused with a message saying so.
 */
export function patientIdentityOf(ctx: RequestContext, mode: Mode, patients: PatientCrypto): { personnummer: string; homeMunicipality?: string | undefined } {
  const p = ctx.principal;
  if (!p.roles.includes('patient')) throw forbidden('Only a logged-in patient asks for care elsewhere through this form; staff open cases with POST /api/v1/cases.');
  if (p.patientIdentity) {
    try {
      return { personnummer: patients.decrypt(p.patientIdentity) };
    } catch {
      throw new AppError('unauthorized', 'Your login could not be read (it may be from before a key change); log in again.');
    }
  }
  const demo = mode === 'production' ? undefined : DEMO_PATIENT_IDENTITIES[p.subject];
  if (!demo) throw forbidden('Your login carries no verified identity; log in with e-legitimation (BankID or Freja) or contact your region’s care guarantee office.');
  return demo;
}

/** Where a logged-in patient with a verified identity lives, for prefilling forms; undefined for anyone else. */
export function patientHome(ctx: RequestContext, mode: Mode): string | undefined {
  if (!ctx.principal.roles.includes('patient') || mode === 'production') return undefined;
  return DEMO_PATIENT_IDENTITIES[ctx.principal.subject]?.homeMunicipality;
}

export interface PatientRequestInput {
  serviceId: string;
  clockStart: string;
  homeMunicipality?: string | undefined;
  phone?: string | undefined;
  preferences?: CasePreferences | undefined;
}

/** What the patient sees of a case: plain-language status and what happens next, in Swedish and English. */
export interface PatientCaseView {
  id: string;
  serviceId: string;
  status: CaseStatus;
  statusText: { sv: string; en: string };
  nextStep: { sv: string; en: string };
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

const TEXTS: Record<CaseStatus, { status: { sv: string; en: string }; next: { sv: string; en: string } }> = {
  open: {
    status: { sv: 'Mottagen av din region', en: 'Received by your region' },
    next: { sv: 'Vårdgarantikansliet letar efter en mottagning som kan ta emot dig. De hör av sig inom två arbetsdagar.', en: 'The care guarantee office is looking for a clinic that can see you. They will contact you within two working days.' },
  },
  requested: {
    status: { sv: 'Förfrågan skickad till mottagningar', en: 'Request sent to clinics' },
    next: { sv: 'Mottagningarna svarar inom två arbetsdagar. Du får veta när någon har erbjudit en tid.', en: 'The clinics answer within two working days. You will hear when one has offered a time.' },
  },
  offered: {
    status: { sv: 'Du har fått erbjudande', en: 'You have an offer' },
    next: { sv: 'Vårdgarantikansliet kontaktar dig så att du kan välja. Du bestämmer själv om du vill tacka ja.', en: 'The care guarantee office will contact you so that you can choose. It is your decision whether to accept.' },
  },
  chosen: {
    status: { sv: 'Du har valt mottagning', en: 'You have chosen a clinic' },
    next: { sv: 'Mottagningen bokar en tid och skickar kallelse. Din region betalar vården (betalningsförbindelse).', en: 'The clinic books a time and sends you a letter. Your region pays for the care.' },
  },
  booked: {
    status: { sv: 'Tid bokad', en: 'Appointment booked' },
    next: { sv: 'Kom till mottagningen på den bokade dagen. Resor ersätts enligt din regions regler.', en: 'Go to the clinic on the booked day. Travel is paid according to your region’s rules.' },
  },
  completed: {
    status: { sv: 'Klart', en: 'Completed' },
    next: { sv: 'Vården är genomförd. Hör av dig till din vårdcentral om du har frågor.', en: 'The care has been given. Contact your health centre if you have questions.' },
  },
  cancelled: {
    status: { sv: 'Avslutat', en: 'Cancelled' },
    next: { sv: 'Ärendet är avslutat. Du kan fråga ditt vårdgarantikansli varför, eller be om vård hos en annan vårdgivare igen.', en: 'The case is closed. You can ask your care guarantee office why, or ask for care elsewhere again.' },
  },
  closed_unresolved: {
    status: { sv: 'Avslutat utan vård hos annan vårdgivare', en: 'Closed without care elsewhere' },
    next: { sv: 'Ingen mottagning kunde ta emot dig i tid. Du kan vända dig till patientnämnden eller IVO om vårdgarantin inte hålls.', en: 'No clinic could see you in time. You can turn to the patients’ advisory committee (patientnämnden) or IVO if the guarantee is not kept.' },
  },
};

/**
 * A patient asks for care elsewhere (journey 2): a case with origin 'patient' in the home region's coordinator queue,
 * allowed when the guarantee's deadline has passed or is at most 30 days away. One open case per patient and service.
 */
export async function askForCareElsewhere(deps: BrokeringDeps & { mode: Mode }, ctx: RequestContext, input: PatientRequestInput): Promise<PatientCaseView> {
  const who = patientIdentityOf(ctx, deps.mode, deps.patients);
  const today = stockholmDay(ctx.clock.now());
  const now = ctx.clock.now().toISOString();
  const id = crypto.randomUUID();
  try {
    return await auditedTransaction(deps.db, ctx, async (trx, audit, emit) => {
      const errors: FieldError[] = [];
      const identity = parsePatientIdentity(who.personnummer, today);
      if (!identity.ok) throw new AppError('unavailable', 'Your identity could not be read; try to log in again.');
      const service = await findService(trx, input.serviceId);
      if (!service || !service.active) errors.push({ field: 'serviceId', message: `${input.serviceId} is not a service in the catalogue; pick one from the list` });
      const home = input.homeMunicipality ?? who.homeMunicipality;
      const municipality = home === undefined ? undefined : await findMunicipality(trx, home);
      if (home === undefined) errors.push({ field: 'homeMunicipality', message: 'say which municipality you live in (its four-digit code)' });
      else if (!municipality) errors.push({ field: 'homeMunicipality', message: `${home} is not a Swedish municipality code` });
      errors.push(...checkClockStart(input.clockStart, today), ...checkPreferences(input.preferences, today));
      if (errors.length > 0 || !service || !municipality) throw invalid(errors, 'The request cannot be sent; see errors.');
      const { guaranteeKind: kind, deadline } = caseDeadline(service.contactType, input.clockStart);
      if (daysBetween(today, deadline) > ASK_WITHIN_DAYS) {
        const askFrom = addDays(deadline, -ASK_WITHIN_DAYS);
        throw new AppError('validation', 'It is too early to ask for care elsewhere.', {
          errors: [{ field: 'clockStart', message: `your guarantee runs until ${deadline}; you can ask for care elsewhere from ${askFrom} if you have not been offered a time by then` }],
          extra: { deadline, askFrom },
        });
      }
      const lookup = deps.patients.lookupHash(identity.value);
      const stored = await repo.insertCase(trx, {
        id, regionCode: municipality.region_code, serviceId: service.id, guaranteeKind: kind, clockStart: input.clockStart, deadline, origin: 'patient',
        patientLookup: lookup, patientIdentityEnc: deps.patients.encrypt(identity.value), patientNameEnc: null,
        patientPhoneEnc: input.phone ? deps.patients.encrypt(input.phone) : null, patientKind: identity.kind,
        patientBirthYear: Number(identity.birthDate.slice(0, 4)), patientSex: identity.sex, homeMunicipality: municipality.code,
        preferences: input.preferences ?? {}, waitingRecordId: null, openedBy: ctx.principal.subject, at: now,
      });
      audit({ action: 'case.open', entityType: 'case', entityId: id, patientRef: lookup, details: { serviceId: service.id, deadline, origin: 'patient' } });
      emit({ type: 'case.opened', caseId: id, regionCode: municipality.region_code, payload: { status: 'open', serviceId: service.id, deadline, origin: 'patient' } });
      return patientCaseView(stored, [], today);
    });
  } catch (err) {
    if (uniqueViolation(err)?.includes('cases_one_open_per_patient_idx'))
      throw new AppError('conflict', 'You already have an open request for this care; follow it on “Mina ärenden” (My cases).');
    throw err;
  }
}

function patientCaseView(c: repo.StoredCase, requests: repo.StoredRequest[], today: string): PatientCaseView {
  const chosen = requests.find((r) => r.id === c.chosen_request_id);
  const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : String(v));
  return {
    id: c.id, serviceId: c.service_id, status: c.status, statusText: TEXTS[c.status].status, nextStep: TEXTS[c.status].next, clockStart: c.clock_start,
    deadline: c.deadline, daysLeft: daysBetween(today, c.deadline), origin: c.origin, openedAt: iso(c.opened_at), updatedAt: iso(c.updated_at),
    homeRegionCode: c.region_code, offer: chosen ? { unitName: chosen.unit_name, offeredDate: chosen.offered_date } : null, bookedDate: c.booked_date, completedOn: c.completed_on,
  };
}

/** The patient's own cases (whoever opened them), newest first, in plain language. The read is audited. */
export async function myCases(deps: BrokeringDeps & { mode: Mode }, ctx: RequestContext): Promise<PatientCaseView[]> {
  const who = patientIdentityOf(ctx, deps.mode, deps.patients);
  const today = stockholmDay(ctx.clock.now());
  const identity = parsePatientIdentity(who.personnummer, today);
  if (!identity.ok) throw new AppError('unavailable', 'Your identity could not be read; try to log in again.');
  const lookup = deps.patients.lookupHash(identity.value);
  return auditedTransaction(deps.db, ctx, async (trx, audit) => {
    const cases = await trx.selectFrom('cases').selectAll().where('patient_lookup', '=', lookup).orderBy('opened_at', 'desc').execute();
    const views: PatientCaseView[] = [];
    for (const c of cases) views.push(patientCaseView(c, await repo.requestsOfCase(trx, c.id), today));
    audit({ action: 'patient.cases_read', entityType: 'patient', patientRef: lookup, details: { cases: cases.length } });
    return views;
  });
}
