import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { DB } from '../src/db/schema.js';
import { CASE_ENDINGS, computeBrokeringIndicators } from '../src/db/statistics/brokering.js';
import { caseStatusAfterRequestChange, type CaseStatus, type RequestStatus } from '../src/domain/case-state.js';
import { stockholmDay } from '../src/domain/clock.js';
import { parsePatientIdentity } from '../src/domain/patient-identity.js';
import { defaultRespondBy } from '../src/domain/working-days.js';
import { DEMO_PATIENT_DATA_KEY } from '../src/config.js';
import { createPatientCrypto, parsePatientKeys } from '../src/services/patient-crypto.js';
import { generateBrokeringHistory, HISTORY_ACTOR } from '../src/services/seed/brokering-history.js';
import { seedDemoBrokeringHistory } from '../src/services/seed/seed.service.js';
import { periodBounds, type IndicatorRow } from '../src/domain/indicators.js';
import { openTestDatabase, targets, type TestDatabase } from './helpers/db.js';

/**
 * An exact small world of cases and requests around October 2026, written as the brokering services write them (same
 * columns, the case.chosen outbox event at the choice), with times on both sides of Stockholm's month boundaries:
 * 2026-09-30T22:00Z is 1 October 00:00 in Stockholm (summer time), 2026-10-31T22:30Z is 31 October 23:30 (winter time)
 * and 2026-10-31T23:30Z is already 1 November.
 */

interface World { home: string; recv: string; uR1: string; uR2: string; uH: string }

type CaseSpec = {
  id: string; kind: 'specialist_first_visit' | 'treatment'; sex: 'F' | 'M'; birthYear: number; origin: 'coordinator' | 'patient'; openedAt: string;
  status: CaseStatus; completedOn?: string; outcome?: string; endReason?: string; endedAt?: string; bookedDate?: string; chosenAt?: string;
};
type RequestSpec = {
  id: string; caseId: string; unit: 'uR1' | 'uR2' | 'uH'; status: RequestStatus; sentAt: string; respondBy: string; answeredAt?: string; offeredDate?: string;
  declineReason?: string; closedAt?: string; forecast?: number | null; distance?: number | null;
};

const CASES: CaseSpec[] = [
  { id: 'c1', kind: 'specialist_first_visit', sex: 'F', birthYear: 1950, origin: 'coordinator', openedAt: '2026-09-30T23:30:00Z', status: 'completed', completedOn: '2026-10-20', outcome: 'treated', bookedDate: '2026-10-20', chosenAt: '2026-10-05T10:00:00Z' },
  { id: 'c2', kind: 'specialist_first_visit', sex: 'M', birthYear: 1990, origin: 'patient', openedAt: '2026-09-30T21:30:00Z', status: 'cancelled', endReason: 'patient_declined', endedAt: '2026-10-31T22:30:00Z', chosenAt: '2026-10-10T09:00:00Z' },
  { id: 'c3', kind: 'treatment', sex: 'F', birthYear: 2015, origin: 'coordinator', openedAt: '2026-10-15T10:00:00Z', status: 'closed_unresolved', endReason: 'no_capacity_found', endedAt: '2026-10-31T23:30:00Z' },
  { id: 'c4', kind: 'specialist_first_visit', sex: 'M', birthYear: 1940, origin: 'coordinator', openedAt: '2026-10-20T12:00:00Z', status: 'offered' },
  { id: 'c5', kind: 'specialist_first_visit', sex: 'F', birthYear: 1970, origin: 'coordinator', openedAt: '2026-08-10T10:00:00Z', status: 'completed', completedOn: '2026-10-31', outcome: 'did_not_attend', bookedDate: '2026-10-31', chosenAt: '2026-08-11T12:00:00Z' },
  { id: 'c6', kind: 'specialist_first_visit', sex: 'M', birthYear: 1975, origin: 'coordinator', openedAt: '2026-10-31T23:30:00Z', status: 'open' },
  { id: 'c7', kind: 'specialist_first_visit', sex: 'F', birthYear: 1985, origin: 'coordinator', openedAt: '2026-09-29T07:00:00Z', status: 'offered' },
  { id: 'c8', kind: 'specialist_first_visit', sex: 'M', birthYear: 1960, origin: 'patient', openedAt: '2026-10-25T10:00:00Z', status: 'chosen', chosenAt: '2026-10-31T23:30:00Z' },
  { id: 'c9', kind: 'specialist_first_visit', sex: 'F', birthYear: 2000, origin: 'coordinator', openedAt: '2026-09-15T10:00:00Z', status: 'booked', bookedDate: '2026-11-05', chosenAt: '2026-10-03T12:00:00Z' },
  { id: 'c10', kind: 'treatment', sex: 'M', birthYear: 1980, origin: 'coordinator', openedAt: '2026-09-30T20:00:00Z', status: 'chosen', chosenAt: '2026-10-02T08:00:00Z' },
];

const REQUESTS: RequestSpec[] = [
  { id: 'r1a', caseId: 'c1', unit: 'uR1', status: 'chosen', sentAt: '2026-10-01T08:00:00Z', respondBy: '2026-10-03T08:00:00Z', answeredAt: '2026-10-02T08:00:00Z', offeredDate: '2026-10-15', forecast: 120, distance: 250.5 },
  { id: 'r1b', caseId: 'c1', unit: 'uR2', status: 'declined', sentAt: '2026-10-01T08:00:00Z', respondBy: '2026-10-03T08:00:00Z', answeredAt: '2026-10-01T14:00:00Z', declineReason: 'no_capacity' },
  { id: 'r2a', caseId: 'c2', unit: 'uR1', status: 'chosen', sentAt: '2026-09-30T22:00:00Z', respondBy: '2026-10-02T06:00:00Z', answeredAt: '2026-10-01T10:00:00Z', offeredDate: '2026-10-25', forecast: null, distance: 300 },
  { id: 'r3a', caseId: 'c3', unit: 'uR1', status: 'expired', sentAt: '2026-10-15T11:00:00Z', respondBy: '2026-10-17T11:00:00Z', closedAt: '2026-10-17T11:01:00Z' },
  { id: 'r3b', caseId: 'c3', unit: 'uH', status: 'withdrawn', sentAt: '2026-10-15T11:00:00Z', respondBy: '2026-10-31T23:30:00Z', closedAt: '2026-10-20T09:00:00Z' },
  { id: 'r3c', caseId: 'c3', unit: 'uR2', status: 'withdrawn', sentAt: '2026-10-15T11:00:00Z', respondBy: '2026-10-20T11:00:00Z', closedAt: '2026-10-18T09:00:00Z' },
  { id: 'r4a', caseId: 'c4', unit: 'uR2', status: 'accepted', sentAt: '2026-10-20T13:00:00Z', respondBy: '2026-10-22T13:00:00Z', answeredAt: '2026-10-22T13:30:00Z', offeredDate: '2026-11-10' },
  { id: 'r4b', caseId: 'c4', unit: 'uR1', status: 'declined', sentAt: '2026-10-20T13:00:00Z', respondBy: '2026-10-22T13:00:00Z', answeredAt: '2026-10-20T20:30:00Z', declineReason: 'medical_criteria' },
  { id: 'r5a', caseId: 'c5', unit: 'uR1', status: 'chosen', sentAt: '2026-08-10T11:00:00Z', respondBy: '2026-08-12T11:00:00Z', answeredAt: '2026-08-11T09:00:00Z', offeredDate: '2026-10-31', forecast: 90, distance: 100 },
  { id: 'r7a', caseId: 'c7', unit: 'uR1', status: 'accepted', sentAt: '2026-09-29T08:00:00Z', respondBy: '2026-10-01T08:00:00Z', answeredAt: '2026-09-30T20:00:00Z', offeredDate: '2026-11-15' },
  { id: 'r7b', caseId: 'c7', unit: 'uR2', status: 'expired', sentAt: '2026-09-29T08:00:00Z', respondBy: '2026-10-01T08:00:00Z', closedAt: '2026-10-01T08:01:00Z' },
  { id: 'r8a', caseId: 'c8', unit: 'uR2', status: 'chosen', sentAt: '2026-10-25T11:00:00Z', respondBy: '2026-10-27T11:00:00Z', answeredAt: '2026-10-26T11:00:00Z', offeredDate: '2026-11-20', forecast: 200, distance: 5 },
  { id: 'r9a', caseId: 'c9', unit: 'uR1', status: 'chosen', sentAt: '2026-09-15T12:00:00Z', respondBy: '2026-09-17T12:00:00Z', answeredAt: '2026-09-16T12:00:00Z', offeredDate: '2026-11-05', forecast: 40, distance: 12.3 },
  { id: 'r10a', caseId: 'c10', unit: 'uR1', status: 'chosen', sentAt: '2026-09-30T22:30:00Z', respondBy: '2026-10-02T06:00:00Z', answeredAt: '2026-10-01T06:00:00Z', offeredDate: '2026-10-11', forecast: 30, distance: 80 },
];

const ids = new Map<string, string>();
const idOf = (name: string) => {
  if (!ids.has(name)) ids.set(name, crypto.randomUUID());
  return ids.get(name)!;
};

async function prepareWorld(db: Kysely<DB>): Promise<World> {
  // a clean slate: the test template holds no cases, but be sure
  await sql`DELETE FROM outbox_events`.execute(db);
  await sql`WITH gone AS (DELETE FROM requests RETURNING id) DELETE FROM cases`.execute(db);
  const units = (await sql<{ hsa_id: string; organization_id: string; region_code: string }>`
    SELECT hsa_id, organization_id, region_code FROM units WHERE active AND region_code IN ('01', '25') ORDER BY region_code, hsa_id`.execute(db)).rows;
  const home = '01';
  const recv = '25';
  const inHome = units.filter((u) => u.region_code === home);
  const inRecv = units.filter((u) => u.region_code === recv);
  const world: World = { home, recv, uH: inHome[0]!.hsa_id, uR1: inRecv[0]!.hsa_id, uR2: inRecv[1]!.hsa_id };
  const orgOf = new Map(units.map((u) => [u.hsa_id, u.organization_id]));
  const services = (await sql<{ id: string; contact_type: string }>`
    SELECT DISTINCT ON (contact_type) id, contact_type FROM services WHERE contact_type IN ('first_visit', 'treatment') ORDER BY contact_type, id`.execute(db)).rows;
  const serviceOf = { specialist_first_visit: services.find((s) => s.contact_type === 'first_visit')!.id, treatment: services.find((s) => s.contact_type === 'treatment')!.id };
  const municipality = (await sql<{ code: string }>`SELECT code FROM municipalities WHERE region_code = ${home} ORDER BY code LIMIT 1`.execute(db)).rows[0]!.code;

  for (const c of CASES) {
    await db.insertInto('cases').values({
      id: idOf(c.id), region_code: home, service_id: serviceOf[c.kind], guarantee_kind: c.kind, clock_start: '2026-06-01', deadline: '2026-12-31',
      // as the services do: the case exists before its requests; the chosen statuses come with the choice (below)
      status: c.chosenAt && c.status !== 'cancelled' ? ('offered' as const) : c.status, origin: c.origin, patient_lookup: crypto.randomBytes(32).toString('hex'), patient_identity_enc: 'v1.test', patient_kind: 'personnummer',
      patient_birth_year: c.birthYear, patient_sex: c.sex, home_municipality: municipality, preferences: '{}', opened_by: 'test', opened_at: c.openedAt, updated_at: c.openedAt,
      booked_date: c.bookedDate ?? null, completed_on: c.completedOn ?? null, outcome: (c.outcome ?? null) as never, end_reason: c.endReason ?? null, ended_at: c.endedAt ?? null,
      ...(c.chosenAt ? { paying_region_code: home, referral_id: crypto.randomUUID(), commitment_valid_until: '2027-10-05' } : {}),
    }).execute();
  }
  const unitOf = { uR1: world.uR1, uR2: world.uR2, uH: world.uH };
  for (const r of REQUESTS) {
    const unit = unitOf[r.unit];
    const snapshot = r.forecast === undefined && r.distance === undefined ? { homeForecastDays: 60, reportedExpectedWaitDays: null, distanceKm: 42 } : { homeForecastDays: r.forecast ?? null, reportedExpectedWaitDays: null, distanceKm: r.distance ?? null };
    await db.insertInto('requests').values({
      id: idOf(r.id), case_id: idOf(r.caseId), unit_hsa_id: unit, organization_id: orgOf.get(unit)!, status: r.status, sent_by: 'test', sent_at: r.sentAt,
      respond_by: r.respondBy, answered_by: r.answeredAt ? 'test-provider' : null, answered_at: r.answeredAt ?? null, offered_date: r.offeredDate ?? null,
      decline_reason: (r.declineReason ?? null) as never, closed_at: r.closedAt ?? (r.status === 'declined' ? r.answeredAt! : null), search_snapshot: JSON.stringify(snapshot),
    }).execute();
  }
  for (const c of CASES.filter((x) => x.chosenAt)) {
    const chosen = REQUESTS.find((r) => r.caseId === c.id && r.status === 'chosen')!;
    await db.updateTable('cases').set({ chosen_request_id: idOf(chosen.id), status: c.status }).where('id', '=', idOf(c.id)).execute();
    await db.insertInto('outbox_events').values({
      id: crypto.randomUUID(), type: 'case.chosen', case_id: idOf(c.id), region_code: home, organization_id: orgOf.get(unitOf[chosen.unit])!,
      payload: JSON.stringify({ caseId: idOf(c.id), status: 'chosen', requestId: idOf(chosen.id) }), occurred_at: c.chosenAt!,
    }).execute();
  }
  // other events of the same cases are not choices
  await db.insertInto('outbox_events').values({
    id: crypto.randomUUID(), type: 'case.booked', case_id: idOf('c4'), region_code: home, organization_id: null, payload: '{}', occurred_at: '2026-10-21T10:00:00Z',
  }).execute();
  return world;
}

describe.each(targets)('brokering indicators (docs/indicators.md group B) on %s', (target) => {
  let database: TestDatabase;
  let world: World;
  let rows: IndicatorRow[];
  const find = (indicatorId: string, q: { kind?: string; region?: string; breakdown?: string; value?: string } = {}) => {
    const matches = rows.filter((r) => r.indicatorId === indicatorId && r.guaranteeKind === (q.kind ?? '') && r.regionCode === (q.region ?? '') && r.breakdown === (q.breakdown ?? '') && r.breakdownValue === (q.value ?? ''));
    expect(matches, `${indicatorId} ${JSON.stringify(q)}`).toHaveLength(1);
    return matches[0]!;
  };
  const countOf = (indicatorId: string, q: Parameters<typeof find>[1] = {}) => {
    const r = find(indicatorId, q);
    expect(r.numeratorCount).toBe(r.value);
    expect(r.denominatorCount).toBeNull();
    return r.value;
  };

  beforeAll(async () => {
    database = await openTestDatabase(target);
    world = await prepareWorld(database.db);
    rows = await computeBrokeringIndicators(database.db, periodBounds('2026-10'));
  });
  afterAll(async () => {
    await database?.close();
  });

  it('counts cases opened on Stockholm days of the month, by origin, kind, sex, age band and home region', () => {
    // c1 opened 23:30 UTC on 30 September = 1 October in Stockholm; c2 at 21:30 UTC is still 30 September; c6 is 1 November
    expect(countOf('cases_opened_count')).toBe(4);
    expect(countOf('cases_opened_count', { breakdown: 'origin', value: 'coordinator' })).toBe(3);
    expect(countOf('cases_opened_count', { breakdown: 'origin', value: 'patient' })).toBe(1);
    expect(countOf('cases_opened_count', { kind: 'specialist_first_visit' })).toBe(3);
    expect(countOf('cases_opened_count', { kind: 'treatment' })).toBe(1);
    expect(countOf('cases_opened_count', { kind: 'primary_assessment' })).toBe(0);
    expect(countOf('cases_opened_count', { breakdown: 'sex', value: 'F' })).toBe(2);
    expect(countOf('cases_opened_count', { breakdown: 'sex', value: 'M' })).toBe(2);
    expect(countOf('cases_opened_count', { breakdown: 'age_band', value: '0-17' })).toBe(1);
    expect(countOf('cases_opened_count', { breakdown: 'age_band', value: '65-79' })).toBe(2);
    expect(countOf('cases_opened_count', { breakdown: 'age_band', value: '80+' })).toBe(1);
    expect(countOf('cases_opened_count', { breakdown: 'age_band', value: '18-44' })).toBe(0);
    expect(countOf('cases_opened_count', { region: world.home })).toBe(4);
    expect(countOf('cases_opened_count', { region: world.recv })).toBe(0);
    expect(countOf('cases_opened_count', { breakdown: 'home_region', value: world.home })).toBe(4);
    expect(countOf('cases_opened_count', { region: world.home, kind: 'specialist_first_visit', breakdown: 'sex', value: 'M' })).toBe(2);
    expect(countOf('cases_opened_count', { region: world.home, kind: 'treatment', breakdown: 'age_band', value: '0-17' })).toBe(1);
  });

  it('counts requests sent by receiving region, with the home-region split nationally', () => {
    expect(countOf('requests_sent_count')).toBe(10);
    expect(countOf('requests_sent_count', { region: world.recv })).toBe(9);
    expect(countOf('requests_sent_count', { region: world.home })).toBe(1);
    expect(countOf('requests_sent_count', { kind: 'specialist_first_visit' })).toBe(6);
    expect(countOf('requests_sent_count', { kind: 'treatment' })).toBe(4);
    expect(countOf('requests_sent_count', { breakdown: 'home_region', value: world.home })).toBe(10);
    expect(countOf('requests_sent_count', { breakdown: 'home_region', value: world.recv })).toBe(0);
    expect(rows.some((r) => r.indicatorId === 'requests_sent_count' && r.regionCode !== '' && r.breakdown === 'home_region')).toBe(false);
  });

  it('shares requests answered in time among those due in the month, leaving out the withdrawn unanswered', () => {
    // due: r1a r1b r2a r3a r4a r4b r7a r7b r8a r10a (r3b is due 1 November in Stockholm, r3c was withdrawn unanswered);
    // not in time: r3a and r7b expired, r4a answered 30 minutes late
    expect(find('requests_answered_in_time_share')).toMatchObject({ numeratorCount: 7, denominatorCount: 10, value: 0.7 });
    expect(find('requests_answered_in_time_share', { region: world.recv })).toMatchObject({ numeratorCount: 7, denominatorCount: 10, value: 0.7 });
    expect(find('requests_answered_in_time_share', { region: world.home })).toMatchObject({ numeratorCount: 0, denominatorCount: 0, value: null });
    expect(find('requests_answered_in_time_share', { kind: 'treatment' })).toMatchObject({ numeratorCount: 1, denominatorCount: 2, value: 0.5 });
    expect(find('requests_answered_in_time_share', { breakdown: 'home_region', value: world.home })).toMatchObject({ numeratorCount: 7, denominatorCount: 10 });
  });

  it('rates acceptance among requests decided in the month, with the equity of the case', () => {
    // decided: answered in October (r1a r1b r2a r4a r4b r8a r10a) or expired with respond-by in October (r3a r7b); r7a was answered 30 September
    expect(find('acceptance_rate')).toMatchObject({ numeratorCount: 5, denominatorCount: 9 });
    expect(find('acceptance_rate').value).toBeCloseTo(5 / 9, 12);
    expect(find('acceptance_rate', { region: world.recv })).toMatchObject({ numeratorCount: 5, denominatorCount: 9 });
    expect(find('acceptance_rate', { breakdown: 'sex', value: 'F' })).toMatchObject({ numeratorCount: 1, denominatorCount: 4, value: 0.25 });
    expect(find('acceptance_rate', { breakdown: 'sex', value: 'M' })).toMatchObject({ numeratorCount: 4, denominatorCount: 5, value: 0.8 });
    expect(find('acceptance_rate', { breakdown: 'age_band', value: '65-79' })).toMatchObject({ numeratorCount: 2, denominatorCount: 3 });
    expect(find('acceptance_rate', { breakdown: 'age_band', value: '18-44' })).toMatchObject({ numeratorCount: 1, denominatorCount: 2, value: 0.5 });
    expect(find('acceptance_rate', { breakdown: 'age_band', value: '0-17' })).toMatchObject({ numeratorCount: 0, denominatorCount: 1, value: 0 });
    expect(find('acceptance_rate', { region: world.recv, kind: 'specialist_first_visit', breakdown: 'age_band', value: '80+' })).toMatchObject({ numeratorCount: 1, denominatorCount: 2 });
    expect(find('acceptance_rate', { breakdown: 'home_region', value: world.home })).toMatchObject({ numeratorCount: 5, denominatorCount: 9 });
  });

  it('counts declines by reason', () => {
    expect(countOf('requests_declined_count')).toBe(2);
    expect(countOf('requests_declined_count', { region: world.recv })).toBe(2);
    expect(countOf('requests_declined_count', { breakdown: 'decline_reason', value: 'no_capacity' })).toBe(1);
    expect(countOf('requests_declined_count', { breakdown: 'decline_reason', value: 'medical_criteria' })).toBe(1);
    expect(countOf('requests_declined_count', { breakdown: 'decline_reason', value: 'other' })).toBe(0);
    expect(rows.some((r) => r.indicatorId === 'requests_declined_count' && r.guaranteeKind !== '')).toBe(false);
  });

  it('takes the nearest-rank median of response hours answered in the month', () => {
    // 6, 7.5, 7.5, 12, 24, 24, 48.5 → the 4th
    expect(find('median_response_hours')).toMatchObject({ value: 12, numeratorCount: null, denominatorCount: 7 });
    // 6, 7.5, 12, 24, 24, 48.5 → the 3rd (an interpolated median would say 18)
    expect(find('median_response_hours', { kind: 'specialist_first_visit' })).toMatchObject({ value: 12, denominatorCount: 6 });
    expect(find('median_response_hours', { kind: 'treatment' })).toMatchObject({ value: 7.5, denominatorCount: 1 });
    expect(find('median_response_hours', { region: world.home })).toMatchObject({ value: null, denominatorCount: 0 });
  });

  it('counts choices by the outbox case.chosen event in the month', () => {
    // c1, c2, c9, c10 chosen in October; c5 in August; c8 at 23:30 UTC on 31 October = 1 November in Stockholm
    expect(countOf('cases_chosen_count')).toBe(4);
    expect(countOf('cases_chosen_count', { kind: 'treatment' })).toBe(1);
    expect(countOf('cases_chosen_count', { breakdown: 'sex', value: 'F' })).toBe(2);
    expect(countOf('cases_chosen_count', { breakdown: 'age_band', value: '18-44' })).toBe(2);
    expect(countOf('cases_chosen_count', { breakdown: 'age_band', value: '45-64' })).toBe(1);
  });

  it('counts completions by outcome and endings by kind of ending', () => {
    expect(countOf('cases_completed_count')).toBe(2);
    expect(countOf('cases_completed_count', { breakdown: 'outcome', value: 'treated' })).toBe(1);
    expect(countOf('cases_completed_count', { breakdown: 'outcome', value: 'did_not_attend' })).toBe(1);
    expect(countOf('cases_completed_count', { breakdown: 'age_band', value: '45-64' })).toBe(1);
    // c2 cancelled 22:30 UTC on 31 October = 23:30 in Stockholm; c3 closed 23:30 UTC = 1 November
    expect(countOf('cases_ended_count')).toBe(3);
    expect(countOf('cases_ended_count', { breakdown: 'ending', value: 'completed:treated' })).toBe(1);
    expect(countOf('cases_ended_count', { breakdown: 'ending', value: 'completed:did_not_attend' })).toBe(1);
    expect(countOf('cases_ended_count', { breakdown: 'ending', value: 'cancelled:patient_declined' })).toBe(1);
    expect(countOf('cases_ended_count', { breakdown: 'ending', value: 'closed_unresolved:no_capacity_found' })).toBe(0);
    const endings = rows.filter((r) => r.indicatorId === 'cases_ended_count' && r.regionCode === '' && r.breakdown === 'ending');
    expect(endings.map((r) => r.breakdownValue)).toEqual(CASE_ENDINGS);
    expect(endings.reduce((a, r) => a + (r.value ?? 0), 0)).toBe(3);
  });

  it('takes the median days saved and distance of the chosen requests, from the Stockholm day the request was sent', () => {
    // c1: 120 − 14 = 106; c9: 40 − 51 = −11; c10: 30 − (11 Oct − 1 Oct, sent 00:30 Stockholm) = 20; c2 has no home forecast
    expect(find('median_days_saved')).toMatchObject({ value: 20, denominatorCount: 3 });
    expect(find('median_days_saved', { kind: 'specialist_first_visit' })).toMatchObject({ value: -11, denominatorCount: 2 });
    expect(find('median_days_saved', { breakdown: 'sex', value: 'M' })).toMatchObject({ value: 20, denominatorCount: 1 });
    expect(find('median_days_saved', { breakdown: 'home_region', value: world.home })).toMatchObject({ value: 20, denominatorCount: 3 });
    // 12.3, 80, 250.5, 300 → the 2nd
    expect(find('median_travel_distance_km')).toMatchObject({ value: 80, denominatorCount: 4 });
    expect(find('median_travel_distance_km', { kind: 'specialist_first_visit' })).toMatchObject({ value: 250.5, denominatorCount: 3 });
    expect(find('median_travel_distance_km', { region: world.recv })).toMatchObject({ value: null, denominatorCount: 0 });
  });

  it('gives a complete grid: every region, kind and category, no view, one row per key', async () => {
    const regions = (await database.db.selectFrom('regions').select('code').execute()).length;
    const keys = rows.map((r) => [r.indicatorId, r.guaranteeKind, r.regionCode, r.breakdown, r.breakdownValue].join('|'));
    expect(new Set(keys).size).toBe(keys.length);
    expect(rows.every((r) => r.view === '' && r.period === '2026-10')).toBe(true);
    expect(rows.filter((r) => r.indicatorId === 'cases_chosen_count' && r.guaranteeKind === '' && r.breakdown === '')).toHaveLength(regions + 1);
    // the relation a reader can use holds: national = Σ regions
    for (const id of ['requests_sent_count', 'cases_opened_count', 'cases_ended_count']) {
      const regional = rows.filter((r) => r.indicatorId === id && r.guaranteeKind === '' && r.breakdown === '' && r.regionCode !== '');
      expect(regional.reduce((a, r) => a + (r.value ?? 0), 0)).toBe(find(id).value);
    }
    // a month with nothing in it: zeros and nulls, not missing rows
    const empty = await computeBrokeringIndicators(database.db, periodBounds('2025-01'));
    expect(empty).toHaveLength(rows.length);
    expect(empty.filter((r) => r.value !== null && r.value !== 0)).toEqual([]);
  });
});

describe.each(targets)('synthetic brokering history on %s', (target) => {
  const FROM = '2026-01-01';
  const TO = '2026-06-30';
  const END = Date.parse('2026-06-30T22:00:00Z'); // midnight after TO in Stockholm (summer time)
  let database: TestDatabase;
  let summary: { cases: number; requests: number };
  const patients = createPatientCrypto(parsePatientKeys(DEMO_PATIENT_DATA_KEY));

  /** Every row the generator wrote, without the encrypted identity (a fresh IV each time). */
  async function snapshot(db: Kysely<DB>) {
    const cases = await db.selectFrom('cases').selectAll().orderBy('id').execute();
    const requests = await db.selectFrom('requests').selectAll().orderBy('id').execute();
    const events = await db.selectFrom('outbox_events').select(['id', 'type', 'case_id', 'region_code', 'organization_id', 'payload', 'occurred_at']).orderBy('id').execute();
    return { cases: cases.map(({ patient_identity_enc: _enc, ...rest }) => rest), requests, events };
  }
  async function clear(db: Kysely<DB>) {
    await sql`DELETE FROM outbox_events`.execute(db);
    // one statement: cases and requests refer to each other (chosen_request_id), checked at its end
    await sql`WITH gone AS (DELETE FROM requests RETURNING id) DELETE FROM cases`.execute(db);
  }

  beforeAll(async () => {
    database = await openTestDatabase(target);
    await clear(database.db);
    summary = await generateBrokeringHistory(database.db, { cases: 400, from: FROM, to: TO, seed: 7 });
  });
  afterAll(async () => {
    await database?.close();
  });

  it('writes the cases asked for, with their requests, labelled as the demo seed’s', async () => {
    const { cases, requests } = await snapshot(database.db);
    expect(summary.cases).toBe(400);
    expect(cases).toHaveLength(400);
    expect(requests).toHaveLength(summary.requests);
    expect(summary.requests).toBeGreaterThan(400);
    expect(cases.every((c) => c.opened_by === HISTORY_ACTOR)).toBe(true);
    expect(requests.every((r) => r.sent_by === HISTORY_ACTOR && (r.answered_at === null) === (r.answered_by === null))).toBe(true);
    // a realistic mix: every ending and request status occurs
    const statuses = new Set(cases.map((c) => c.status));
    for (const s of ['completed', 'cancelled', 'closed_unresolved']) expect(statuses).toContain(s);
    const requestStatuses = new Set(requests.map((r) => r.status));
    for (const s of ['chosen', 'declined', 'expired', 'withdrawn']) expect(requestStatuses).toContain(s);
  });

  it('keeps the invariants of the state machines, the choice and the dates', async () => {
    const { cases, requests, events } = await snapshot(database.db);
    const byCase = new Map<string, typeof requests>();
    for (const r of requests) byCase.set(r.case_id, [...(byCase.get(r.case_id) ?? []), r]);
    const chosenEvents = new Map<string, (typeof events)[number][]>();
    for (const e of events) {
      expect(e.type).toBe('case.chosen');
      chosenEvents.set(e.case_id!, [...(chosenEvents.get(e.case_id!) ?? []), e]);
    }
    const ms = (v: unknown) => new Date(v as string).getTime();
    for (const c of cases) {
      const rs = byCase.get(c.id) ?? [];
      const chosen = rs.filter((r) => r.status === 'chosen');
      expect(chosen.length).toBeLessThanOrEqual(1);
      if (['chosen', 'booked', 'completed'].includes(c.status)) expect(chosen).toHaveLength(1);
      if (chosen.length === 1) {
        const r = chosen[0]!;
        expect(c.chosen_request_id).toBe(r.id);
        // accepted before it was chosen, with a date by the deadline, and the choice's one outbox event at the choice
        expect(r.answered_at).not.toBeNull();
        expect(r.offered_date! <= c.deadline).toBe(true);
        const ev = chosenEvents.get(c.id) ?? [];
        expect(ev).toHaveLength(1);
        expect(ms(ev[0]!.occurred_at)).toBeGreaterThan(ms(r.answered_at));
        expect(ms(ev[0]!.occurred_at)).toBe(ms(r.closed_at));
        expect(ev[0]!.organization_id).toBe(r.organization_id);
        expect(c.paying_region_code).toBe(c.region_code);
        expect(c.commitment_valid_until).not.toBeNull();
        // every other offer still open at the choice was withdrawn then
        for (const o of rs.filter((x) => x !== r)) expect(['declined', 'expired', 'withdrawn']).toContain(o.status);
      } else {
        expect(c.chosen_request_id).toBeNull();
        expect(chosenEvents.has(c.id)).toBe(false);
      }
      // the case's status follows its requests until the choice; after an end nothing is open
      if (['open', 'requested', 'offered'].includes(c.status)) expect(caseStatusAfterRequestChange(c.status as CaseStatus, rs.map((r) => r.status))).toBe(c.status);
      else for (const r of rs) expect(['pending', 'accepted']).not.toContain(r.status);
      if (c.status === 'completed') {
        expect(c.completed_on).toBe(c.booked_date);
        expect(c.completed_on! >= c.clock_start).toBe(true);
        expect(c.outcome).not.toBeNull();
      }
      if (c.status === 'cancelled' || c.status === 'closed_unresolved') {
        expect(c.ended_at).not.toBeNull();
        expect(c.end_reason).not.toBeNull();
        expect((c.end_reason === 'other') === (c.end_comment !== null)).toBe(true);
      } else expect(c.ended_at).toBeNull();
      expect(c.deadline >= c.clock_start).toBe(true);
      expect(ms(c.opened_at)).toBeGreaterThanOrEqual(Date.parse(`${FROM}T00:00:00+01:00`));
      expect(ms(c.opened_at)).toBeLessThan(END);
      expect(ms(c.updated_at)).toBeGreaterThanOrEqual(ms(c.opened_at));
      expect(ms(c.updated_at)).toBeLessThanOrEqual(END);
      for (const r of rs) {
        expect(ms(r.sent_at)).toBeGreaterThan(ms(c.opened_at));
        expect(ms(r.respond_by)).toBe(defaultRespondBy(new Date(ms(r.sent_at))).getTime());
        if (r.answered_at !== null) {
          expect(ms(r.answered_at)).toBeGreaterThan(ms(r.sent_at));
          expect(ms(r.answered_at)).toBeLessThan(ms(r.respond_by));
        }
        if (r.closed_at !== null) expect(ms(r.closed_at)).toBeGreaterThanOrEqual(ms(r.sent_at));
        if (r.status === 'expired') expect(ms(r.closed_at)).toBeGreaterThan(ms(r.respond_by));
        if (r.status === 'pending') expect(ms(r.respond_by)).toBeGreaterThan(END - 60_000);
        expect((r.offered_date !== null) === (r.status === 'accepted' || r.status === 'chosen' || (r.status === 'withdrawn' && r.answered_at !== null && r.decline_reason === null))).toBe(true);
        if (r.offered_date !== null) expect(r.offered_date >= stockholmDay(new Date(ms(r.answered_at)))).toBe(true);
        expect(r.search_snapshot).toHaveProperty('homeForecastDays');
        expect(r.search_snapshot).toHaveProperty('distanceKm');
      }
    }
  });

  it('gives valid test-series identities consistent with the case, one open case per patient and service', async () => {
    const cases = await database.db.selectFrom('cases').select(['patient_identity_enc', 'patient_lookup', 'patient_birth_year', 'patient_sex', 'patient_kind', 'opened_at', 'home_municipality', 'region_code']).execute();
    const municipalities = new Map((await database.db.selectFrom('municipalities').select(['code', 'region_code']).execute()).map((m) => [m.code, m.region_code]));
    for (const c of cases) {
      const value = patients.decrypt(c.patient_identity_enc);
      const parsed = parsePatientIdentity(value, stockholmDay(new Date(c.opened_at as unknown as string)));
      expect(parsed).toMatchObject({ ok: true, value, kind: 'personnummer', sex: c.patient_sex });
      expect(Number(value.slice(0, 4))).toBe(c.patient_birth_year);
      expect(Number(value.slice(8, 11))).toBeGreaterThanOrEqual(980);
      expect(patients.lookupHash(value)).toBe(c.patient_lookup);
      expect(municipalities.get(c.home_municipality)).toBe(c.region_code);
    }
    expect(new Set(cases.map((c) => c.patient_lookup)).size).toBe(cases.length);
  });

  it('is what the indicators count: opened and decided per month agree with a count of the rows', async () => {
    const { cases, requests } = await snapshot(database.db);
    const caseOf = new Map(cases.map((c) => [c.id, c]));
    const sthlm = (v: unknown) => stockholmDay(new Date(v as string)).slice(0, 7);
    for (const period of ['2026-02', '2026-05']) {
      const rows = await computeBrokeringIndicators(database.db, periodBounds(period));
      const get = (id: string, region = '') => rows.find((r) => r.indicatorId === id && r.regionCode === region && r.guaranteeKind === '' && r.breakdown === '')!;
      expect(get('cases_opened_count').value).toBe(cases.filter((c) => sthlm(c.opened_at) === period).length);
      expect(get('cases_opened_count').value).toBeGreaterThan(20);
      const decided = requests.filter((r) => (r.answered_at !== null && sthlm(r.answered_at) === period) || (r.status === 'expired' && sthlm(r.respond_by) === period));
      expect(get('acceptance_rate')).toMatchObject({ denominatorCount: decided.length, numeratorCount: decided.filter((r) => r.offered_date !== null).length });
      const completed = cases.filter((c) => c.status === 'completed' && String(c.completed_on).slice(0, 7) === period);
      expect(get('cases_completed_count').value).toBe(completed.length);
      const chosenThen = cases.filter((c) => c.chosen_request_id !== null && sthlm(requests.find((r) => r.id === c.chosen_request_id)!.closed_at) === period);
      expect(get('cases_chosen_count').value).toBe(chosenThen.length);
      const regional = rows.filter((r) => r.indicatorId === 'requests_sent_count' && r.guaranteeKind === '' && r.breakdown === '' && r.regionCode !== '');
      expect(regional.reduce((a, r) => a + (r.value ?? 0), 0)).toBe(get('requests_sent_count').value);
      expect(get('median_days_saved').denominatorCount).toBeGreaterThan(0);
      expect(caseOf.size).toBe(400);
    }
  });

  it('is the same for the same seed and different for another', async () => {
    const first = await snapshot(database.db);
    await clear(database.db);
    const again = await generateBrokeringHistory(database.db, { cases: 400, from: FROM, to: TO, seed: 7 });
    expect(again).toEqual(summary);
    expect(await snapshot(database.db)).toEqual(first);
    await clear(database.db);
    await generateBrokeringHistory(database.db, { cases: 400, from: FROM, to: TO, seed: 8 });
    const other = await snapshot(database.db);
    expect(other.cases.map((c) => c.id)).not.toEqual(first.cases.map((c) => c.id));
  });

  it('is seeded once by the demo seed: 2,000 × scale cases over the year before today, nothing in the future', async () => {
    await clear(database.db);
    const seeded = await seedDemoBrokeringHistory(database.db, { seed: 1, today: '2026-11-26', scale: 0.05 });
    expect(seeded?.cases).toBe(100);
    const span = await database.db.selectFrom('cases').select((eb) => [eb.fn.min('opened_at').as('first'), eb.fn.max('updated_at').as('last'), eb.fn.countAll<number>().as('n')]).executeTakeFirstOrThrow();
    expect(Number(span.n)).toBe(100);
    expect(new Date(span.first as unknown as string).getTime()).toBeGreaterThanOrEqual(Date.parse('2025-11-26T00:00:00+01:00'));
    expect(new Date(span.last as unknown as string).getTime()).toBeLessThan(Date.parse('2026-11-26T00:00:00+01:00'));
    expect(await seedDemoBrokeringHistory(database.db, { seed: 1, today: '2026-11-26', scale: 0.05 })).toBeNull();
    expect(Number((await database.db.selectFrom('cases').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)).toBe(100);
  });
});
