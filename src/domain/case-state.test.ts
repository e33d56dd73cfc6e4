import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AppError } from './errors.js';
import {
  allowedCaseEvents,
  allowedRequestEvents,
  assertCaseTransition,
  assertRequestTransition,
  CANCEL_REASON_LABELS,
  CANCEL_REASONS,
  CASE_EVENTS,
  CASE_STATUSES,
  caseDeadline,
  caseStatusAfterRequestChange,
  checkClockStart,
  checkPreferences,
  commitmentValidUntil,
  derivedCaseEvent,
  caseTransition,
  caseTransitionRows,
  checkBookDate,
  checkCompletedOn,
  checkOfferedDate,
  CLOSE_REASON_LABELS,
  CLOSE_REASONS,
  DECLINE_REASON_LABELS,
  DECLINE_REASONS,
  isOneOf,
  isTerminalCaseStatus,
  isTerminalRequestStatus,
  OUTCOME_LABELS,
  OUTCOMES,
  REQUEST_EVENTS,
  REQUEST_STATUSES,
  requestTransition,
  requestTransitionRows,
  TERMINAL_CASE_STATUSES,
  TERMINAL_REQUEST_STATUSES,
  type CaseEvent,
  type CaseStatus,
  type RequestEvent,
  type RequestStatus,
} from './case-state.js';

/** The legal case transitions as the specification states them, written out independently of CASE_TRANSITIONS. */
const LEGAL_CASE: readonly (readonly [CaseStatus, CaseEvent, CaseStatus])[] = [
  ['open', 'request_sent', 'requested'],
  ['requested', 'request_sent', 'requested'],
  ['offered', 'request_sent', 'offered'],
  ['requested', 'offer_received', 'offered'],
  ['offered', 'offer_received', 'offered'],
  ['requested', 'requests_exhausted', 'open'],
  ['offered', 'requests_exhausted', 'open'],
  ['offered', 'offers_withdrawn', 'requested'],
  ['offered', 'choose', 'chosen'],
  ['chosen', 'book', 'booked'],
  ['booked', 'book', 'booked'],
  ['booked', 'complete', 'completed'],
  ['open', 'cancel', 'cancelled'],
  ['requested', 'cancel', 'cancelled'],
  ['offered', 'cancel', 'cancelled'],
  ['chosen', 'cancel', 'cancelled'],
  ['booked', 'cancel', 'cancelled'],
  ['open', 'close_unresolved', 'closed_unresolved'],
  ['requested', 'close_unresolved', 'closed_unresolved'],
  ['offered', 'close_unresolved', 'closed_unresolved'],
];

const LEGAL_REQUEST: readonly (readonly [RequestStatus, RequestEvent, RequestStatus])[] = [
  ['pending', 'accept', 'accepted'],
  ['pending', 'decline', 'declined'],
  ['pending', 'expire', 'expired'],
  ['pending', 'withdraw', 'withdrawn'],
  ['accepted', 'withdraw', 'withdrawn'],
  ['accepted', 'choose', 'chosen'],
];

const allPairs = <S extends string, E extends string>(statuses: readonly S[], events: readonly E[]): [S, E][] => statuses.flatMap((s) => events.map((e): [S, E] => [s, e]));

const caught = (f: () => unknown): AppError => {
  try {
    f();
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected an AppError');
};

describe('case state machine', () => {
  const legal = new Map(LEGAL_CASE.map(([from, event, to]) => [`${from}/${event}`, to]));

  it.each(allPairs(CASE_STATUSES, CASE_EVENTS))('%s --%s--> exactly as specified', (from, event) => {
    const expected = legal.get(`${from}/${event}`);
    const r = caseTransition(from, event);
    if (expected === undefined) {
      expect(r.ok).toBe(false);
      const err = caught(() => assertCaseTransition(from, event));
      expect(err.code).toBe('conflict');
      expect(err.message).toBe(r.ok ? '' : r.message);
      expect(err.extra).toEqual({ currentStatus: from, allowedEvents: allowedCaseEvents(from) });
    } else {
      expect(r).toEqual({ ok: true, to: expected });
      expect(assertCaseTransition(from, event)).toBe(expected);
    }
  });

  it('lists its table as rows, the same set as specified', () => {
    const rows = caseTransitionRows().map((r) => `${r.from} --${r.event}--> ${r.to}`);
    expect(rows.sort()).toEqual(LEGAL_CASE.map(([f, e, t]) => `${f} --${e}--> ${t}`).sort());
  });

  it.each([
    ['booked', 'choose', 'The case is booked: it can be booked again, completed or cancelled, not chosen.'],
    ['completed', 'cancel', 'The case is completed: nothing more can be done with it.'],
    ['cancelled', 'book', 'The case is cancelled: nothing more can be done with it.'],
    ['closed_unresolved', 'request_sent', 'The case is closed unresolved: nothing more can be done with it.'],
    ['open', 'book', 'The case is open: it can be sent to a care unit, cancelled or closed unresolved, not booked.'],
    ['chosen', 'close_unresolved', 'The case is chosen (the patient has chosen an offer): it can be booked or cancelled, not closed unresolved.'],
  ] as const)('%s + %s says: %s', (from, event, message) => {
    expect(caseTransition(from, event)).toEqual({ ok: false, message });
  });

  it('every refusal names the current state', () => {
    for (const [from, event] of allPairs(CASE_STATUSES, CASE_EVENTS)) {
      const r = caseTransition(from, event);
      if (!r.ok) expect(r.message).toMatch(new RegExp(`^The case is ${from.replace('_', ' ')}\\b`));
    }
  });

  it('terminal states allow nothing; every other state allows something', () => {
    expect([...TERMINAL_CASE_STATUSES].sort()).toEqual(['cancelled', 'closed_unresolved', 'completed']);
    for (const s of CASE_STATUSES) {
      expect(isTerminalCaseStatus(s)).toBe(allowedCaseEvents(s).length === 0);
      if (isTerminalCaseStatus(s)) for (const e of CASE_EVENTS) expect(caseTransition(s, e).ok).toBe(false);
    }
  });

  it('property: any sequence of events, applying only the legal ones, stays in the status set and never leaves a terminal state', () => {
    fc.assert(
      fc.property(fc.constantFrom(...CASE_STATUSES), fc.array(fc.constantFrom(...CASE_EVENTS), { maxLength: 60 }), (start, events) => {
        let s: CaseStatus = start;
        for (const e of events) {
          const r = caseTransition(s, e);
          if (isTerminalCaseStatus(s)) expect(r.ok).toBe(false);
          if (r.ok) s = r.to;
          expect(CASE_STATUSES).toContain(s);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('property: every non-terminal state can reach a terminal one, and every status is reachable from open', () => {
    const reach = (from: CaseStatus): Set<CaseStatus> => {
      const seen = new Set<CaseStatus>([from]);
      const queue = [from];
      while (queue.length > 0) {
        const s = queue.shift()!;
        for (const e of allowedCaseEvents(s)) {
          const r = caseTransition(s, e);
          if (r.ok && !seen.has(r.to)) {
            seen.add(r.to);
            queue.push(r.to);
          }
        }
      }
      return seen;
    };
    expect([...reach('open')].sort()).toEqual([...CASE_STATUSES].sort());
    for (const s of CASE_STATUSES) expect([...reach(s)].some((x) => isTerminalCaseStatus(x))).toBe(true);
  });
});

describe('request state machine', () => {
  const legal = new Map(LEGAL_REQUEST.map(([from, event, to]) => [`${from}/${event}`, to]));

  it.each(allPairs(REQUEST_STATUSES, REQUEST_EVENTS))('%s --%s--> exactly as specified', (from, event) => {
    const expected = legal.get(`${from}/${event}`);
    const r = requestTransition(from, event);
    if (expected === undefined) {
      expect(r.ok).toBe(false);
      const err = caught(() => assertRequestTransition(from, event));
      expect(err.code).toBe('conflict');
      expect(err.message).toMatch(new RegExp(`^The request is ${from}\\b`));
      expect(err.extra).toEqual({ currentStatus: from, allowedEvents: allowedRequestEvents(from) });
    } else {
      expect(r).toEqual({ ok: true, to: expected });
      expect(assertRequestTransition(from, event)).toBe(expected);
    }
  });

  it('lists its table as rows, the same set as specified', () => {
    const rows = requestTransitionRows().map((r) => `${r.from} --${r.event}--> ${r.to}`);
    expect(rows.sort()).toEqual(LEGAL_REQUEST.map(([f, e, t]) => `${f} --${e}--> ${t}`).sort());
  });

  it.each([
    ['accepted', 'decline', 'The request is accepted: it can be withdrawn or chosen, not declined.'],
    ['pending', 'choose', 'The request is pending (waiting for the care unit’s answer): it can be accepted, declined, marked expired or withdrawn, not chosen.'],
    ['expired', 'accept', 'The request is expired: nothing more can be done with it.'],
  ] as const)('%s + %s says: %s', (from, event, message) => expect(requestTransition(from, event)).toEqual({ ok: false, message }));

  it('terminal states allow nothing', () => {
    expect([...TERMINAL_REQUEST_STATUSES].sort()).toEqual(['chosen', 'declined', 'expired', 'withdrawn']);
    for (const s of REQUEST_STATUSES) expect(isTerminalRequestStatus(s)).toBe(allowedRequestEvents(s).length === 0);
  });

  it('property: random event sequences stay in the status set and never leave a terminal state', () => {
    fc.assert(
      fc.property(fc.constantFrom(...REQUEST_STATUSES), fc.array(fc.constantFrom(...REQUEST_EVENTS), { maxLength: 30 }), (start, events) => {
        let s: RequestStatus = start;
        for (const e of events) {
          const before = s;
          const r = requestTransition(s, e);
          if (r.ok) s = r.to;
          expect(REQUEST_STATUSES).toContain(s);
          if (isTerminalRequestStatus(before)) expect(s).toBe(before);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('case status from its requests', () => {
  it.each([
    ['open', [], 'open'],
    ['open', ['pending'], 'requested'],
    ['requested', ['pending', 'declined'], 'requested'],
    ['requested', ['pending', 'accepted'], 'offered'],
    ['requested', ['declined', 'expired', 'withdrawn'], 'open'],
    ['offered', ['accepted', 'expired'], 'offered'],
    ['offered', ['withdrawn', 'declined'], 'open'],
    ['offered', ['withdrawn', 'pending'], 'requested'], // the last offer withdrawn while one request is still out
    ['requested', [], 'open'],
    ['offered', ['chosen', 'withdrawn'], 'offered'], // a chosen request: the case moves on by `choose`, not here
    ['chosen', ['chosen', 'withdrawn'], 'chosen'],
    ['booked', ['pending'], 'booked'],
    ['completed', ['accepted'], 'completed'],
    ['cancelled', [], 'cancelled'],
    ['closed_unresolved', ['pending'], 'closed_unresolved'],
  ] as const)('%s with requests %j → %s', (current, statuses, expected) => expect(caseStatusAfterRequestChange(current, statuses)).toBe(expected));

  it('property: every derived move from open, requested or offered is one legal event, named by derivedCaseEvent', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<CaseStatus>('open', 'requested', 'offered'),
        fc.array(fc.constantFrom<RequestStatus>('pending', 'accepted', 'declined', 'expired', 'withdrawn')),
        (from, statuses) => {
          // one change at a time: an open case has no accepted request (an answer needs a request sent first)
          fc.pre(!(from === 'open' && statuses.includes('accepted')));
          const to = caseStatusAfterRequestChange(from, statuses);
          const event = derivedCaseEvent(from, to);
          if (to === from) expect(event).toBeUndefined();
          else expect(caseTransition(from, event!)).toEqual({ ok: true, to });
        },
      ),
    );
  });
});

describe('reasons, outcomes and labels', () => {
  it.each([
    ['decline', DECLINE_REASONS, DECLINE_REASON_LABELS],
    ['cancel', CANCEL_REASONS, CANCEL_REASON_LABELS],
    ['close', CLOSE_REASONS, CLOSE_REASON_LABELS],
    ['outcome', OUTCOMES, OUTCOME_LABELS],
  ] as const)('%s: every code has a Swedish and an English label, and nothing else has', (_name, codes, labels) => {
    expect(Object.keys(labels).sort()).toEqual([...codes].sort());
    for (const c of codes) {
      const l = (labels as Record<string, { sv: string; en: string }>)[c]!;
      expect(l.sv.length).toBeGreaterThan(0);
      expect(l.en.length).toBeGreaterThan(0);
    }
  });

  it('the code lists are as specified', () => {
    expect(DECLINE_REASONS).toEqual(['no_capacity', 'service_not_offered', 'medical_criteria', 'cannot_meet_deadline', 'other']);
    expect(CLOSE_REASONS).toEqual(['no_capacity_found', 'patient_declined_all', 'other']);
    expect(OUTCOMES).toEqual(['treated', 'assessed_no_treatment', 'referred_back', 'did_not_attend']);
    expect(CANCEL_REASONS).toEqual(expect.arrayContaining(['patient_declined', 'treated_at_home_unit', 'no_longer_needed', 'patient_unreachable', 'other']));
  });

  it.each([
    [DECLINE_REASONS, 'no_capacity', true],
    [DECLINE_REASONS, 'busy', false],
    [OUTCOMES, 42, false],
    [CLOSE_REASONS, undefined, false],
  ] as const)('isOneOf(%j, %j) is %s', (set, v, expected) => expect(isOneOf(set, v)).toBe(expected));
});

describe('date checks', () => {
  const today = '2026-11-26';
  const deadline = '2026-12-20';

  it.each([
    ['2026-11-26', deadline, []], // today is fine
    ['2026-12-20', deadline, []], // on the deadline is fine
    ['2027-01-10', undefined, []], // no deadline known
    ['2026-11-25', deadline, ['in the past']],
    ['2026-12-21', deadline, ['would not meet the guarantee deadline 2026-12-20', 'cannot_meet_deadline']],
    ['2026-02-30', deadline, ['must be a date']],
    ['26-12-01', deadline, ['must be a date']],
  ] as const)('offered date %s (deadline %s)', (date, dl, fragments) => {
    const errors = checkOfferedDate(date, today, dl);
    if (fragments.length === 0) expect(errors).toEqual([]);
    else {
      expect(errors).toHaveLength(1);
      expect(errors[0]!.field).toBe('offeredDate');
      for (const f of fragments) expect(errors[0]!.message).toContain(f);
    }
  });

  it('an offered date both past and after the deadline (a deadline already passed) reports both', () => {
    const errors = checkOfferedDate('2026-11-20', today, '2026-11-10');
    expect(errors.map((e) => e.message)).toEqual([expect.stringContaining('in the past'), expect.stringContaining('cannot_meet_deadline')]);
  });

  it.each([
    ['2026-11-26', []],
    ['2027-03-01', []],
    ['2026-11-25', ['in the past']],
    ['2026-13-01', ['must be a date']],
  ] as const)('book date %s', (date, fragments) => {
    const errors = checkBookDate(date, today);
    expect(errors).toHaveLength(fragments.length);
    fragments.forEach((f, i) => expect(errors[i]!.message).toContain(f));
  });

  it.each([
    ['2026-11-26', undefined, []],
    ['2026-11-01', '2026-09-01', []],
    ['2026-09-01', '2026-09-01', []],
    ['2026-11-27', undefined, ['in the future']],
    ['2026-08-31', '2026-09-01', ['before the case started on 2026-09-01']],
    ['2026-11-27', '2026-12-01', ['in the future', 'before the case started']],
    ['yesterday', undefined, ['must be a date']],
  ] as const)('completed on %s (case started %s)', (date, start, fragments) => {
    const errors = checkCompletedOn(date, today, start);
    expect(errors).toHaveLength(fragments.length);
    fragments.forEach((f, i) => {
      expect(errors[i]!.field).toBe('completedOn');
      expect(errors[i]!.message).toContain(f);
    });
  });
});

describe('opening a case', () => {
  it('checks the clock start: a date, not in the future, at most three years back', () => {
    expect(checkClockStart('2026-11-26', '2026-11-26')).toEqual([]);
    expect(checkClockStart('2023-11-24', '2026-11-26')).toEqual([]); // 3 × 366 days back
    expect(checkClockStart('2023-11-23', '2026-11-26')[0]!.message).toMatch(/more than three years ago/);
    expect(checkClockStart('2026-11-27', '2026-11-26')[0]!.message).toMatch(/in the future/);
    expect(checkClockStart('2026-02-30', '2026-11-26')[0]).toMatchObject({ field: 'clockStart', message: expect.stringMatching(/not a date/) });
  });

  it('checks the dates a patient cannot come, naming each by its place', () => {
    expect(checkPreferences(undefined, '2026-11-26')).toEqual([]);
    expect(checkPreferences({ unavailableDates: ['2026-12-24', '2026-11-01', '2026-13-01'] }, '2026-11-26').map((e) => e.field)).toEqual([
      'preferences.unavailableDates[1]', 'preferences.unavailableDates[2]',
    ]);
  });

  it.each([
    ['treatment', '2026-10-01', 0, 'treatment', '2026-12-30'],
    ['first_visit', '2026-10-01', 12, 'specialist_first_visit', '2027-01-11'],
    ['primary_assessment', '2026-11-20', 0, 'primary_assessment', '2026-11-23'],
    ['primary_assessment', '2018-06-01', 0, 'primary_assessment', '2018-06-08'], // 7 days before 2019
  ] as const)('a %s case from %s with %i excluded days is a %s case due %s', (contact, start, excluded, kind, deadline) =>
    expect(caseDeadline(contact, start, excluded)).toEqual({ guaranteeKind: kind, deadline }));

  it('a payment commitment runs one year, 29 February to 28 February', () => {
    expect(commitmentValidUntil('2026-11-26')).toBe('2027-11-26');
    expect(commitmentValidUntil('2028-02-29')).toBe('2029-02-28');
  });
});
