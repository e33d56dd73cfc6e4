import { addDays, isCalendarDate, sameDayNextYear } from './calendar.js';
import type { ContactType } from './directory.js';
import { guaranteeDeadline, guaranteeKindOf, ruleFor, type GuaranteeKind } from './guarantee.js';
import { AppError, type FieldError } from './errors.js';

/**
 * The life of a brokering case and of the requests sent for it, as two state machines with one declarative table each.
 * Services move a case or request only through assertCaseTransition / assertRequestTransition, so an illegal move is a
 * 409 conflict whose message says what state the thing is in and what can be done with it.
 */

/* ------------------------------------------------------------------ case ------------------------------------------------------------------ */

/**
 * Case statuses. open: opened, no request out; requested: at least one request pending, none accepted; offered: at least
 * one accepted offer not yet chosen; chosen: the patient chose an offer (referral and payment commitment recorded);
 * booked: a date is booked; completed, cancelled, closed_unresolved: terminal.
 */
export const CASE_STATUSES = ['open', 'requested', 'offered', 'chosen', 'booked', 'completed', 'cancelled', 'closed_unresolved'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

/** The statuses a case never leaves. */
export const TERMINAL_CASE_STATUSES = ['completed', 'cancelled', 'closed_unresolved'] as const satisfies readonly CaseStatus[];

/**
 * Case events. request_sent: a request went to a care unit; offer_received: a request was accepted; offers_withdrawn:
 * every accepted offer was withdrawn while requests are still pending (back to requested); requests_exhausted:
 * every request is declined, expired or withdrawn and no accepted offer remains (back to open); choose: the patient chose
 * an offer; book: a date was booked (again, when re-booked); complete, cancel, close_unresolved: the ends.
 */
export const CASE_EVENTS = ['request_sent', 'offer_received', 'offers_withdrawn', 'requests_exhausted', 'choose', 'book', 'complete', 'cancel', 'close_unresolved'] as const;
export type CaseEvent = (typeof CASE_EVENTS)[number];

/**
 * The legal case transitions: status → event → next status. Any (status, event) pair not listed is illegal.
 * Cancelling is possible until the case is completed; closing unresolved only before the patient has chosen.
 */
export const CASE_TRANSITIONS: Readonly<Record<CaseStatus, Readonly<Partial<Record<CaseEvent, CaseStatus>>>>> = {
  open: { request_sent: 'requested', cancel: 'cancelled', close_unresolved: 'closed_unresolved' },
  requested: { request_sent: 'requested', offer_received: 'offered', requests_exhausted: 'open', cancel: 'cancelled', close_unresolved: 'closed_unresolved' },
  offered: {
    request_sent: 'offered',
    offer_received: 'offered',
    offers_withdrawn: 'requested',
    requests_exhausted: 'open',
    choose: 'chosen',
    cancel: 'cancelled',
    close_unresolved: 'closed_unresolved',
  },
  chosen: { book: 'booked', cancel: 'cancelled' },
  booked: { book: 'booked', complete: 'completed', cancel: 'cancelled' },
  completed: {},
  cancelled: {},
  closed_unresolved: {},
};

/* ---------------------------------------------------------------- request ---------------------------------------------------------------- */

/** Request statuses. pending: waiting for the unit's answer; declined, expired, withdrawn, chosen: terminal. */
export const REQUEST_STATUSES = ['pending', 'accepted', 'declined', 'expired', 'withdrawn', 'chosen'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

/** The statuses a request never leaves. */
export const TERMINAL_REQUEST_STATUSES = ['declined', 'expired', 'withdrawn', 'chosen'] as const satisfies readonly RequestStatus[];

/**
 * Request events. accept: the unit offers a date; decline: the unit says no, with a reason; expire: the respond-by time
 * passed unanswered; withdraw: the coordinator (or the patient's choice of another offer, or the case ending) takes the
 * request back; choose: the patient chose this offer.
 */
export const REQUEST_EVENTS = ['accept', 'decline', 'expire', 'withdraw', 'choose'] as const;
export type RequestEvent = (typeof REQUEST_EVENTS)[number];

/** The legal request transitions: status → event → next status. Any pair not listed is illegal. */
export const REQUEST_TRANSITIONS: Readonly<Record<RequestStatus, Readonly<Partial<Record<RequestEvent, RequestStatus>>>>> = {
  pending: { accept: 'accepted', decline: 'declined', expire: 'expired', withdraw: 'withdrawn' },
  accepted: { withdraw: 'withdrawn', choose: 'chosen' },
  declined: {},
  expired: {},
  withdrawn: {},
  chosen: {},
};

/* ---------------------------------------------------------------- shared ---------------------------------------------------------------- */

/** The outcome of asking a machine for a transition: the next status, or a message saying why not. */
export type TransitionResult<S extends string> = { ok: true; to: S } | { ok: false; message: string };

/** One row of a transition table, for documents and tests. */
export interface TransitionRow<S extends string, E extends string> {
  from: S;
  event: E;
  to: S;
}

/** How each status reads in a message ("The case is …"). */
const CASE_STATUS_TEXT: Record<CaseStatus, string> = {
  open: 'open',
  requested: 'requested (waiting for answers from care units)',
  offered: 'offered (an offer awaits the patient’s choice)',
  chosen: 'chosen (the patient has chosen an offer)',
  booked: 'booked',
  completed: 'completed',
  cancelled: 'cancelled',
  closed_unresolved: 'closed unresolved',
};

/** What each event does to a case, read after "it can be …" / "not …". */
const CASE_EVENT_TEXT: Record<CaseEvent, string> = {
  request_sent: 'sent to a care unit',
  offer_received: 'given an offer',
  offers_withdrawn: 'returned to waiting for answers',
  requests_exhausted: 'returned to open',
  choose: 'chosen',
  book: 'booked',
  complete: 'completed',
  cancel: 'cancelled',
  close_unresolved: 'closed unresolved',
};

const REQUEST_STATUS_TEXT: Record<RequestStatus, string> = {
  pending: 'pending (waiting for the care unit’s answer)',
  accepted: 'accepted',
  declined: 'declined',
  expired: 'expired',
  withdrawn: 'withdrawn',
  chosen: 'chosen',
};

const REQUEST_EVENT_TEXT: Record<RequestEvent, string> = {
  accept: 'accepted',
  decline: 'declined',
  expire: 'marked expired',
  withdraw: 'withdrawn',
  choose: 'chosen',
};

/** "a", "a or b", "a, b or c". */
function orList(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]!}`;
}

function rows<S extends string, E extends string>(table: Readonly<Record<S, Readonly<Partial<Record<E, S>>>>>, statuses: readonly S[], events: readonly E[]): TransitionRow<S, E>[] {
  const out: TransitionRow<S, E>[] = [];
  for (const from of statuses) for (const event of events) {
    const to = table[from][event];
    if (to !== undefined) out.push({ from, event, to });
  }
  return out;
}

function allowed<S extends string, E extends string>(table: Readonly<Record<S, Readonly<Partial<Record<E, S>>>>>, events: readonly E[], from: S): E[] {
  return events.filter((e) => table[from][e] !== undefined);
}

function describeRefusal(thing: string, statusText: string, can: readonly string[], cannot: string): string {
  if (can.length === 0) return `The ${thing} is ${statusText}: nothing more can be done with it.`;
  return `The ${thing} is ${statusText}: it can be ${orList(can)}, not ${cannot}.`;
}

/* ------------------------------------------------------------ case functions ------------------------------------------------------------ */

/** Whether a string is a case status. */
export const isCaseStatus = (s: string): s is CaseStatus => (CASE_STATUSES as readonly string[]).includes(s);
/** Whether a string is a case event. */
export const isCaseEvent = (s: string): s is CaseEvent => (CASE_EVENTS as readonly string[]).includes(s);
/** Whether a case status is terminal (completed, cancelled, closed_unresolved): no event is legal there. */
export const isTerminalCaseStatus = (s: CaseStatus): boolean => (TERMINAL_CASE_STATUSES as readonly CaseStatus[]).includes(s);

/** Every legal case transition as a row, in status then event order (for documents and tests). */
export function caseTransitionRows(): TransitionRow<CaseStatus, CaseEvent>[] {
  return rows(CASE_TRANSITIONS, CASE_STATUSES, CASE_EVENTS);
}

/** The events legal for a case in status `from`, in CASE_EVENTS order; none for a terminal status. */
export function allowedCaseEvents(from: CaseStatus): CaseEvent[] {
  return allowed(CASE_TRANSITIONS, CASE_EVENTS, from);
}

/** The phrase for an event allowed from `from` (book from booked reads "booked again"). */
function caseEventPhrase(from: CaseStatus, event: CaseEvent): string {
  if (event === 'book' && from === 'booked') return 'booked again';
  if (event === 'request_sent' && from !== 'open') return 'sent to another care unit';
  return CASE_EVENT_TEXT[event];
}

/**
 * Where `event` takes a case in status `from`, following CASE_TRANSITIONS. When illegal, the message names the current
 * status and what can be done instead, e.g. "The case is booked: it can be booked again, completed or cancelled, not
 * chosen." or "The case is completed: nothing more can be done with it."
 */
export function caseTransition(from: CaseStatus, event: CaseEvent): TransitionResult<CaseStatus> {
  const to = CASE_TRANSITIONS[from][event];
  if (to !== undefined) return { ok: true, to };
  const can = allowedCaseEvents(from).map((e) => caseEventPhrase(from, e));
  return { ok: false, message: describeRefusal('case', CASE_STATUS_TEXT[from], can, CASE_EVENT_TEXT[event]) };
}

/**
 * The next status of a case, or an AppError 'conflict' (HTTP 409) with the message of caseTransition and
 * extra { currentStatus, allowedEvents } so a client can offer only what is possible.
 */
export function assertCaseTransition(from: CaseStatus, event: CaseEvent): CaseStatus {
  const r = caseTransition(from, event);
  if (r.ok) return r.to;
  throw new AppError('conflict', r.message, { extra: { currentStatus: from, allowedEvents: allowedCaseEvents(from) } });
}

/** The statuses where a case's status follows its requests (caseStatusAfterRequestChange). */
export const REQUEST_DRIVEN_CASE_STATUSES = ['open', 'requested', 'offered'] as const satisfies readonly CaseStatus[];

/**
 * Which of open / requested / offered a case should be in, derived from the statuses of all its requests: offered when
 * any request is accepted, else requested when any is pending, else open (none sent, or every one declined, expired or
 * withdrawn). Only meaningful while the case is open, requested or offered: in any other status, or when a request is
 * already chosen (the case has moved on by `choose`), `current` is returned unchanged.
 * Every move it can make is one event of CASE_TRANSITIONS (derivedCaseEvent names it).
 */
export function caseStatusAfterRequestChange(current: CaseStatus, requestStatuses: readonly RequestStatus[]): CaseStatus {
  if (!(REQUEST_DRIVEN_CASE_STATUSES as readonly CaseStatus[]).includes(current)) return current;
  if (requestStatuses.includes('chosen')) return current;
  if (requestStatuses.includes('accepted')) return 'offered';
  if (requestStatuses.includes('pending')) return 'requested';
  return 'open';
}

/**
 * The event that moves a case from `from` to the derived status `to` (caseStatusAfterRequestChange), or undefined when
 * the status does not change. Throws when no single event does it (a bug: the derivation and the table disagree).
 */
export function derivedCaseEvent(from: CaseStatus, to: CaseStatus): CaseEvent | undefined {
  if (from === to) return undefined;
  const event = CASE_EVENTS.find((e) => CASE_TRANSITIONS[from][e] === to && e !== 'cancel' && e !== 'close_unresolved' && e !== 'choose');
  if (!event) throw new Error(`no case event moves ${from} to ${to}`);
  return event;
}

/* ----------------------------------------------------------- request functions ----------------------------------------------------------- */

/** Whether a string is a request status. */
export const isRequestStatus = (s: string): s is RequestStatus => (REQUEST_STATUSES as readonly string[]).includes(s);
/** Whether a string is a request event. */
export const isRequestEvent = (s: string): s is RequestEvent => (REQUEST_EVENTS as readonly string[]).includes(s);
/** Whether a request status is terminal (declined, expired, withdrawn, chosen): no event is legal there. */
export const isTerminalRequestStatus = (s: RequestStatus): boolean => (TERMINAL_REQUEST_STATUSES as readonly RequestStatus[]).includes(s);

/** Every legal request transition as a row, in status then event order. */
export function requestTransitionRows(): TransitionRow<RequestStatus, RequestEvent>[] {
  return rows(REQUEST_TRANSITIONS, REQUEST_STATUSES, REQUEST_EVENTS);
}

/** The events legal for a request in status `from`, in REQUEST_EVENTS order; none for a terminal status. */
export function allowedRequestEvents(from: RequestStatus): RequestEvent[] {
  return allowed(REQUEST_TRANSITIONS, REQUEST_EVENTS, from);
}

/**
 * Where `event` takes a request in status `from`, following REQUEST_TRANSITIONS. When illegal, the message names the
 * current status and what can be done, e.g. "The request is accepted: it can be withdrawn or chosen, not declined."
 */
export function requestTransition(from: RequestStatus, event: RequestEvent): TransitionResult<RequestStatus> {
  const to = REQUEST_TRANSITIONS[from][event];
  if (to !== undefined) return { ok: true, to };
  const can = allowedRequestEvents(from).map((e) => REQUEST_EVENT_TEXT[e]);
  return { ok: false, message: describeRefusal('request', REQUEST_STATUS_TEXT[from], can, REQUEST_EVENT_TEXT[event]) };
}

/** The next status of a request, or an AppError 'conflict' with extra { currentStatus, allowedEvents }. */
export function assertRequestTransition(from: RequestStatus, event: RequestEvent): RequestStatus {
  const r = requestTransition(from, event);
  if (r.ok) return r.to;
  throw new AppError('conflict', r.message, { extra: { currentStatus: from, allowedEvents: allowedRequestEvents(from) } });
}

/* ----------------------------------------------------------- reasons and labels ----------------------------------------------------------- */

/** A label in both languages of the service. */
export interface Label {
  sv: string;
  en: string;
}

/** Why a care unit declines a request. cannot_meet_deadline: it could offer a date, but not by the guarantee deadline. */
export const DECLINE_REASONS = ['no_capacity', 'service_not_offered', 'medical_criteria', 'cannot_meet_deadline', 'other'] as const;
export type DeclineReason = (typeof DECLINE_REASONS)[number];
export const DECLINE_REASON_LABELS: Readonly<Record<DeclineReason, Label>> = {
  no_capacity: { sv: 'Saknar kapacitet', en: 'No capacity' },
  service_not_offered: { sv: 'Vi erbjuder inte denna vård', en: 'Service not offered' },
  medical_criteria: { sv: 'Uppfyller inte de medicinska kriterierna', en: 'Medical criteria not met' },
  cannot_meet_deadline: { sv: 'Kan inte erbjuda tid inom vårdgarantin', en: 'Cannot offer a date within the care guarantee' },
  other: { sv: 'Annat skäl', en: 'Other reason' },
};

/** Why a coordinator cancels a case (possible until it is completed). */
export const CANCEL_REASONS = ['patient_declined', 'treated_at_home_unit', 'no_longer_needed', 'patient_unreachable', 'other'] as const;
export type CancelReason = (typeof CANCEL_REASONS)[number];
export const CANCEL_REASON_LABELS: Readonly<Record<CancelReason, Label>> = {
  patient_declined: { sv: 'Patienten tackade nej', en: 'The patient declined' },
  treated_at_home_unit: { sv: 'Patienten fick vård vid hemenheten', en: 'Treated at the home unit' },
  no_longer_needed: { sv: 'Vården behövs inte längre', en: 'Care no longer needed' },
  patient_unreachable: { sv: 'Patienten gick inte att nå', en: 'The patient could not be reached' },
  other: { sv: 'Annat skäl', en: 'Other reason' },
};

/** Why a case is closed unresolved (possible only before the patient has chosen an offer). */
export const CLOSE_REASONS = ['no_capacity_found', 'patient_declined_all', 'other'] as const;
export type CloseReason = (typeof CLOSE_REASONS)[number];
export const CLOSE_REASON_LABELS: Readonly<Record<CloseReason, Label>> = {
  no_capacity_found: { sv: 'Ingen vårdgivare med kapacitet hittades', en: 'No care unit with capacity was found' },
  patient_declined_all: { sv: 'Patienten tackade nej till alla erbjudanden', en: 'The patient declined every offer' },
  other: { sv: 'Annat skäl', en: 'Other reason' },
};

/** How a completed case ended for the patient. */
export const OUTCOMES = ['treated', 'assessed_no_treatment', 'referred_back', 'did_not_attend'] as const;
export type Outcome = (typeof OUTCOMES)[number];
export const OUTCOME_LABELS: Readonly<Record<Outcome, Label>> = {
  treated: { sv: 'Behandlad', en: 'Treated' },
  assessed_no_treatment: { sv: 'Bedömd, ingen behandling', en: 'Assessed, no treatment' },
  referred_back: { sv: 'Remitterad tillbaka', en: 'Referred back' },
  did_not_attend: { sv: 'Uteblev', en: 'Did not attend' },
};

/** Whether `value` is one of `set` (narrows to the set's type), e.g. isOneOf(DECLINE_REASONS, body.reason). */
export function isOneOf<T extends string>(set: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (set as readonly string[]).includes(value);
}

/* ---------------------------------------------------------- opening a case ---------------------------------------------------------- */

/** The patient's wishes for a case (contract: POST /api/v1/cases, "preferences"). */
export interface CasePreferences {
  maxDistanceKm?: number;
  unavailableDates?: string[];
  language?: string;
  accessibilityNeeds?: string;
  notes?: string;
}

/** How far back a clock start may lie: a wait of more than three years is a data error, not a case. */
export const MAX_CLOCK_AGE_DAYS = 3 * 366;

/** The clock start of a case: a calendar date, not in the future, at most three years ago. Returns every problem. */
export function checkClockStart(clockStart: string, today: string, field = 'clockStart'): FieldError[] {
  if (!isCalendarDate(clockStart)) return [{ field, message: `${clockStart} is not a date (YYYY-MM-DD)` }];
  if (clockStart > today) return [{ field, message: `${clockStart} is in the future (today is ${today}); the guarantee counts from the decision or referral` }];
  if (clockStart < addDays(today, -MAX_CLOCK_AGE_DAYS)) return [{ field, message: `${clockStart} is more than three years ago; check the date` }];
  return [];
}

/** The patient's preferences: dates they cannot come must be real dates from today on. Returns every problem. */
export function checkPreferences(p: CasePreferences | undefined, today: string): FieldError[] {
  const errors: FieldError[] = [];
  for (const [i, d] of (p?.unavailableDates ?? []).entries()) {
    if (!isCalendarDate(d)) errors.push({ field: `preferences.unavailableDates[${i}]`, message: `${d} is not a date (YYYY-MM-DD)` });
    else if (d < today) errors.push({ field: `preferences.unavailableDates[${i}]`, message: `${d} has passed; list only dates from today (${today}) on` });
  }
  return errors;
}

/**
 * The guarantee of a case and its deadline: the guarantee of the service's contact type, its limit in force on the clock
 * start, plus the days already excluded from the wait (patient-chosen and medical pauses of a waiting episode).
 */
export function caseDeadline(contactType: ContactType, clockStart: string, excludedDays = 0): { guaranteeKind: GuaranteeKind; deadline: string } {
  const guaranteeKind = guaranteeKindOf(contactType);
  const deadline = guaranteeDeadline({ clockStart, patientChosenDays: excludedDays, medicalPauseDays: 0 }, ruleFor(guaranteeKind, clockStart).limitDays);
  return { guaranteeKind, deadline };
}

/** The last day of the home region's payment commitment (betalningsförbindelse): valid one year from the choice. */
export function commitmentValidUntil(chosenOn: string): string {
  return sameDayNextYear(chosenOn);
}

/* ------------------------------------------------------------- date checks ------------------------------------------------------------- */

/**
 * Check the date a care unit offers when accepting: a calendar date, not before today (Swedish date), and not after the
 * patient's guarantee deadline. An offer past the deadline would not meet the care guarantee, so the unit must decline
 * with reason cannot_meet_deadline instead. A missing deadline (none known) skips that check. Returns every problem.
 */
export function checkOfferedDate(offeredDate: string, today: string, deadline?: string | null, field = 'offeredDate'): FieldError[] {
  if (!isCalendarDate(offeredDate)) return [{ field, message: `${field} must be a date written YYYY-MM-DD, such as ${today}.` }];
  const errors: FieldError[] = [];
  if (offeredDate < today) errors.push({ field, message: `${field} ${offeredDate} is in the past: offer a date from today (${today}) on.` });
  if (deadline !== undefined && deadline !== null && offeredDate > deadline) {
    errors.push({
      field,
      message: `${field} ${offeredDate} would not meet the guarantee deadline ${deadline}: offer a date on or before ${deadline}, or decline the request with reason cannot_meet_deadline instead.`,
    });
  }
  return errors;
}

/** Check the date a case is booked for: a calendar date, not before today (Swedish date). Returns every problem. */
export function checkBookDate(date: string, today: string, field = 'bookedDate'): FieldError[] {
  if (!isCalendarDate(date)) return [{ field, message: `${field} must be a date written YYYY-MM-DD, such as ${today}.` }];
  if (date < today) return [{ field, message: `${field} ${date} is in the past: book a date from today (${today}) on.` }];
  return [];
}

/**
 * Check the date care was completed: a calendar date, not in the future (Swedish date), and not before `notBefore` when
 * given — the case's clock start, since care cannot end before the wait began. Returns every problem.
 */
export function checkCompletedOn(completedOn: string, today: string, notBefore?: string | null, field = 'completedOn'): FieldError[] {
  if (!isCalendarDate(completedOn)) return [{ field, message: `${field} must be a date written YYYY-MM-DD, such as ${today}.` }];
  const errors: FieldError[] = [];
  if (completedOn > today) errors.push({ field, message: `${field} ${completedOn} is in the future: record the completion on or after the day it happened (today is ${today}).` });
  if (notBefore !== undefined && notBefore !== null && completedOn < notBefore) {
    errors.push({ field, message: `${field} ${completedOn} is before the case started on ${notBefore}: give the date the care was completed.` });
  }
  return errors;
}
