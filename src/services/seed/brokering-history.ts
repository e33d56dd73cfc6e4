/**
 * A synthetic brokering history for the demo: cases opened over a date range, each with requests to units offering the
 * service (mostly in other regions), answered, declined, expired or withdrawn, the patient's choice (with its outbox
 * event case.chosen, as the choice writes it), booking, completion with an outcome, and some cases cancelled or closed
 * unresolved. Deterministic for a seed (ids, identities, times, outcomes; only the encrypted identity differs, as
 * encryption takes a fresh IV). Every case and request is moved through the domain's own state machines
 * (src/domain/case-state.ts), so nothing the application forbids is written; the history is as of the end of `to`
 * (Stockholm): what would happen later has not happened yet (requests still pending, cases still booked …).
 *
 * Synthetic labelling: every row is written by the actor 'demo-seed' (opened_by, sent_by, answered_by), as the demo
 * waiting list's submissions; the units are the synthetic directory's; identities are in the test series (birth numbers
 * 980–999) and the key is the demo key unless another is passed. Demo and sandbox only.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { addDays, daysBetween, isCalendarDate } from '../../domain/calendar.js';
import {
  assertCaseTransition, assertRequestTransition, caseDeadline, caseStatusAfterRequestChange, commitmentValidUntil, derivedCaseEvent,
  type CaseStatus, type RequestStatus,
} from '../../domain/case-state.js';
import { luhnCheckDigit } from '../../domain/luhn.js';
import { deriveSeed, mulberry32, type Random } from '../../domain/random.js';
import { haversineKm } from '../../domain/ranking.js';
import { addWorkingDays, fromStockholmWallClock, isWorkingDay } from '../../domain/working-days.js';
import { DEMO_PATIENT_DATA_KEY } from '../../config.js';
import type { Executor } from '../context.js';
import { createPatientCrypto, parsePatientKeys, type PatientCrypto } from '../patient-crypto.js';

/** The actor of every synthetic row (as the demo waiting list's submissions). */
export const HISTORY_ACTOR = 'demo-seed';
/** Cases per INSERT statement (cases, their requests and choice events in one statement). */
const CHUNK = 4_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const MINUTE = 60_000;

export interface BrokeringHistoryOptions {
  cases: number;
  /** first and last Stockholm day on which cases are opened (YYYY-MM-DD); the history is as of the end of `to` */
  from: string;
  to: string;
  seed: number;
  onProgress?: (done: number, total: number) => void;
  /** the patient identity crypto of the installation; default: the public demo key (PATIENT_DATA_KEY unset) */
  patients?: PatientCrypto;
}

/* ------------------------------------------------------------- time helpers ------------------------------------------------------------- */
// Days are day numbers (days since 1970-01-01) while planning, for speed; instants are epoch milliseconds.

const dayStrings = new Map<number, string>();
/** YYYY-MM-DD of a day number. */
function dateOf(dn: number): string {
  let s = dayStrings.get(dn);
  if (s === undefined) dayStrings.set(dn, (s = new Date(dn * DAY).toISOString().slice(0, 10)));
  return s;
}
const dayNumber = (date: string): number => Date.parse(`${date}T00:00:00Z`) / DAY;
const offsets = new Map<number, number>();
/** Stockholm's offset from UTC (ms) on a day, at noon: right for every time of day from 04:00 on. */
function offsetOf(dn: number): number {
  let o = offsets.get(dn);
  if (o === undefined) offsets.set(dn, (o = dn * DAY + 12 * HOUR - fromStockholmWallClock(dateOf(dn), 12).getTime()));
  return o;
}
/** The instant of a Stockholm day and minute of the day (from 04:00 on). */
const at = (dn: number, minute: number): number => dn * DAY + minute * MINUTE - offsetOf(dn);
/** The Stockholm day of an instant (exact: daylight saving changes happen at 02:00–03:00, never across midnight). */
const dayOf = (t: number): number => Math.floor((t + offsetOf(Math.floor(t / DAY))) / DAY);
/** The Stockholm minute of the day of an instant (may be an hour off in the night of a daylight-saving change). */
const minuteOf = (t: number): number => Math.floor((((t + offsetOf(Math.floor(t / DAY))) % DAY) + DAY) % DAY / MINUTE);

const workingDays = new Map<number, boolean>();
const isWorking = (dn: number): boolean => {
  let w = workingDays.get(dn);
  if (w === undefined) workingDays.set(dn, (w = isWorkingDay(dateOf(dn))));
  return w;
};
const workingAdds = new Map<number, number>();
/** dn + n working days (n ≤ 9). */
const addWorking = (dn: number, n: number): number => {
  const k = dn * 10 + n;
  let r = workingAdds.get(k);
  if (r === undefined) workingAdds.set(k, (r = dayNumber(addWorkingDays(dateOf(dn), n))));
  return r;
};
/** defaultRespondBy (two Swedish working days, same wall-clock time; from 08:00 the next working day when sent on a day off), for times from 04:00. */
function respondBy(sentDay: number, sentMinute: number): number {
  if (isWorking(sentDay)) return at(addWorking(sentDay, 2), sentMinute);
  return at(addWorking(addWorking(sentDay, 1), 2), 8 * 60);
}
/** The next office-hours instant at or after t (08:00–17:00 on any day). */
function officeHours(t: number, rng: Random): number {
  const m = minuteOf(t);
  if (m >= 8 * 60 && m <= 17 * 60) return t;
  return at(dayOf(t) + (m < 8 * 60 ? 0 : 1), 8 * 60 + rng.int(120));
}

/* ------------------------------------------------------------- world ------------------------------------------------------------- */

interface Unit { hsaId: string; organizationId: string; regionCode: string; lat: number; lng: number; acceptP: number; expireP: number; speed: number }
interface Municipality { code: string; regionCode: string; lat: number; lng: number }
interface Service {
  id: string;
  contactType: 'first_visit' | 'treatment';
  /** units offering it that take patients from other regions (no current report saying they do not) */
  open: Unit[];
  /** units offering it, by region */
  byRegion: Map<string, Unit[]>;
}
interface World {
  regions: { code: string; weight: number }[];
  regionWeights: number[];
  municipalitiesByRegion: Map<string, Municipality[]>;
  /** services that can be brokered: a first visit or treatment offered in at least two regions */
  firstVisits: Service[];
  treatments: Service[];
}

const push = <K, V>(m: Map<K, V[]>, k: K, v: V) => {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
};

async function loadWorld(db: Kysely<DB>, seed: number): Promise<World> {
  const [regions, municipalities, units, offers, services, reports] = await Promise.all([
    db.selectFrom('regions').select(['code', 'population_approx']).orderBy('code').execute(),
    db.selectFrom('municipalities').select(['code', 'region_code', 'lat', 'lng']).orderBy('code').execute(),
    db.selectFrom('units').select(['hsa_id', 'organization_id', 'region_code', 'lat', 'lng']).where('active', '=', true).orderBy('hsa_id').execute(),
    db.selectFrom('unit_services').select(['unit_hsa_id', 'service_id']).orderBy('service_id').orderBy('unit_hsa_id').execute(),
    db.selectFrom('services').select(['id', 'contact_type']).where('active', '=', true).where('contact_type', 'in', ['first_visit', 'treatment']).orderBy('id').execute(),
    sql<{ unit_hsa_id: string; service_id: string; accepts_other_regions: boolean }>`
      SELECT DISTINCT ON (unit_hsa_id, service_id) unit_hsa_id, service_id, accepts_other_regions FROM capacity_reports
       ORDER BY unit_hsa_id, service_id, valid_from DESC`.execute(db),
  ]);
  const unitMap = new Map<string, Unit>();
  for (const u of units) {
    const r = mulberry32(deriveSeed(seed, `history-unit-${u.hsa_id}`));
    unitMap.set(u.hsa_id, {
      hsaId: u.hsa_id, organizationId: u.organization_id, regionCode: String(u.region_code), lat: Number(u.lat), lng: Number(u.lng),
      acceptP: 0.25 + r.next() * 0.55, expireP: r.chance(0.2) ? 0.15 + r.next() * 0.2 : 0.02 + r.next() * 0.08, speed: 0.3 + r.next() * 1.2,
    });
  }
  const refuses = new Set(reports.rows.filter((r) => r.accepts_other_regions === false).map((r) => `${r.unit_hsa_id}|${r.service_id}`));
  const unitsByService = new Map<string, Unit[]>();
  for (const o of offers) {
    const u = unitMap.get(o.unit_hsa_id);
    if (u) push(unitsByService, o.service_id, u);
  }
  const municipalitiesByRegion = new Map<string, Municipality[]>();
  for (const m of municipalities)
    push(municipalitiesByRegion, String(m.region_code), { code: String(m.code), regionCode: String(m.region_code), lat: Number(m.lat), lng: Number(m.lng) });
  const brokerable: Service[] = [];
  for (const s of services) {
    const all = unitsByService.get(s.id) ?? [];
    const byRegion = new Map<string, Unit[]>();
    for (const u of all) push(byRegion, u.regionCode, u);
    if (byRegion.size < 2) continue;
    brokerable.push({ id: s.id, contactType: s.contact_type as 'first_visit' | 'treatment', open: all.filter((u) => !refuses.has(`${u.hsaId}|${s.id}`)), byRegion });
  }
  const homeRegions = regions.filter((r) => municipalitiesByRegion.has(String(r.code))).map((r) => ({ code: String(r.code), weight: Number(r.population_approx ?? 1) }));
  return {
    regions: homeRegions,
    regionWeights: homeRegions.map((r) => r.weight),
    municipalitiesByRegion,
    firstVisits: brokerable.filter((s) => s.contactType === 'first_visit'),
    treatments: brokerable.filter((s) => s.contactType === 'treatment'),
  };
}

/* ------------------------------------------------------------- the plan of one case ------------------------------------------------------------- */

interface Req {
  id: string; unit: Unit; sentT: number; respondByT: number; snapshot: string;
  status: RequestStatus; version: number; answeredT: number | null; offered: number | null; declineReason: string | null; closedT: number | null;
}
type Ev =
  | { t: number; type: 'send'; req: Req }
  | { t: number; type: 'accept'; req: Req; offered: number }
  | { t: number; type: 'decline'; req: Req; reason: string }
  | { t: number; type: 'expire'; req: Req }
  | { t: number; type: 'withdraw'; req: Req }
  | { t: number; type: 'choose'; req: Req }
  | { t: number; type: 'book'; day: number }
  | { t: number; type: 'complete'; outcome: string }
  | { t: number; type: 'cancel' | 'close'; reason: string };

const DECLINE_WEIGHTS: readonly [string, number][] = [['no_capacity', 45], ['cannot_meet_deadline', 20], ['medical_criteria', 15], ['service_not_offered', 8], ['other', 12]];
const OUTCOME_WEIGHTS: readonly [string, number][] = [['treated', 82], ['assessed_no_treatment', 9], ['referred_back', 4], ['did_not_attend', 5]];
const AGE_WEIGHTS: readonly [number, number, number][] = [[0, 17, 7], [18, 44, 26], [45, 64, 31], [65, 79, 26], [80, 95, 10]];
const weightsOf = new WeakMap<readonly [string, number][], number[]>();
const weighted = (rng: Random, items: readonly [string, number][]): string => {
  let w = weightsOf.get(items);
  if (!w) weightsOf.set(items, (w = items.map(([, x]) => x)));
  return items[rng.weightedIndex(w)]![0];
};
const CANCEL_EARLY: readonly [string, number][] = [['no_longer_needed', 50], ['treated_at_home_unit', 40], ['other', 10]];
const CANCEL_CHOSEN: readonly [string, number][] = [['patient_declined', 40], ['no_longer_needed', 30], ['patient_unreachable', 30]];
const CANCEL_BOOKED: readonly [string, number][] = [['treated_at_home_unit', 30], ['no_longer_needed', 30], ['patient_declined', 20], ['patient_unreachable', 20]];
const NO_OFFER_END: readonly [string, number][] = [['close:no_capacity_found', 75], ['close:other', 5], ['cancel:treated_at_home_unit', 10], ['cancel:no_longer_needed', 5], ['cancel:patient_unreachable', 5]];
const AGE_BAND_WEIGHTS = AGE_WEIGHTS.map(([, , w]) => w);
const REQUESTS_PER_ROUND = [35, 35, 20, 10];

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
/** A version-4-shaped UUID from the random stream (the same seed, the same ids). */
function seededUuid(rng: Random): string {
  let h = '';
  for (let i = 0; i < 4; i++) {
    const x = Math.floor(rng.next() * 0x1_0000_0000);
    h += HEX[x >>> 24]! + HEX[(x >>> 16) & 255]! + HEX[(x >>> 8) & 255]! + HEX[x & 255]!;
  }
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[rng.int(4)]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A personnummer in the test series (birth numbers 980–999), unique among those already used. */
function identity(rng: Random, openedDay: number, used: Set<string>): { value: string; birthYear: number; sex: 'F' | 'M' } {
  const [lo, hi] = AGE_WEIGHTS[rng.weightedIndex(AGE_BAND_WEIGHTS)]!;
  const openedYear = Number(dateOf(openedDay).slice(0, 4));
  for (;;) {
    const age = rng.between(lo, hi);
    let birthDay = dayNumber(`${openedYear - age}-01-01`) + rng.int(365);
    if (birthDay >= openedDay) birthDay = openedDay - 1 - rng.int(200);
    const birth = dateOf(birthDay);
    const nnn = String(980 + rng.int(20));
    const nine = birth.slice(2, 4) + birth.slice(5, 7) + birth.slice(8, 10) + nnn;
    const value = `${birth.slice(0, 4)}${birth.slice(5, 7)}${birth.slice(8, 10)}${nnn}${luhnCheckDigit(nine)}`;
    if (used.has(value)) continue;
    used.add(value);
    return { value, birthYear: Number(birth.slice(0, 4)), sex: Number(nnn[2]) % 2 === 1 ? 'M' : 'F' };
  }
}

interface CaseRow {
  id: string; regionCode: string; serviceId: string; guaranteeKind: string; clockStart: string; deadline: string; status: CaseStatus; version: number;
  origin: 'coordinator' | 'patient'; identity: string; birthYear: number; sex: 'F' | 'M'; homeMunicipality: string; openedT: number; updatedT: number;
  chosenRequestId: string | null; referralId: string | null; commitmentValidUntil: string | null; bookedDay: number | null; completedDay: number | null;
  outcome: string | null; endReason: string | null; endComment: string | null; endedT: number | null;
  chosenEvent: { id: string; t: number; req: Req } | null; requests: Req[];
}

interface Ctx { seed: number; rng: Random; world: World; nowT: number; usedIdentities: Set<string>; forecastBase: Map<string, number | null> }

/** Home forecast of a region for a service: stable per pair (some pairs have too little data: null), drifting a little over time. */
function homeForecast(ctx: Ctx, regionCode: string, serviceId: string, t: number): number | null {
  const k = `${regionCode}|${serviceId}`;
  let base = ctx.forecastBase.get(k);
  if (base === undefined) {
    const r = mulberry32(deriveSeed(ctx.seed, `forecast-${k}`));
    base = r.chance(0.1) ? null : 45 + r.int(170);
    ctx.forecastBase.set(k, base);
  }
  if (base === null) return null;
  return Math.max(1, Math.round(base * (0.9 + 0.2 * Math.sin(t / (90 * DAY) + base))));
}

/** A unit not yet asked for this case: from another region (mostly) or the home region; undefined when none is left. */
function pickUnit(rng: Random, service: Service, home: string, used: Set<string>): Unit | undefined {
  const own = service.byRegion.get(home) ?? [];
  const preferOthers = rng.chance(0.85);
  for (const pool of preferOthers ? [service.open, own] : [own, service.open]) {
    for (let tries = 0; tries < 40 && pool.length > 0; tries++) {
      const u = pool[rng.int(pool.length)]!;
      if (used.has(u.hsaId) || (pool === service.open && u.regionCode === home)) continue;
      return u;
    }
  }
  return undefined;
}

function planCase(ctx: Ctx, openedDay: number, index: number): CaseRow {
  const { rng, world } = ctx;
  const region = world.regions[rng.weightedIndex(world.regionWeights)]!;
  const municipalities = world.municipalitiesByRegion.get(region.code)!;
  const home = municipalities[rng.int(municipalities.length)]!;
  // a service that can be brokered: first visits a little more often than treatments
  const pool = (rng.chance(0.6) && world.firstVisits.length > 0) || world.treatments.length === 0 ? world.firstVisits : world.treatments;
  const service = pool[rng.int(pool.length)]!;
  const origin = rng.chance(0.12) ? 'patient' : 'coordinator';
  const openedT = at(openedDay, 8 * 60 + rng.int(9 * 60));
  const openedDate = dateOf(openedDay);
  // opened when the deadline is near (patients ask at most 30 days before it); now and then after it has passed
  const daysLeft = rng.chance(0.05) ? -rng.between(1, 20) : origin === 'patient' ? rng.between(0, 30) : rng.between(10, 75);
  // the guarantee's limit in days (for a clock start around the opening day)
  const limit = daysBetween(openedDate, caseDeadline(service.contactType, openedDate).deadline);
  const clockStart = addDays(openedDate, -(limit - daysLeft));
  const { guaranteeKind, deadline } = caseDeadline(service.contactType, clockStart);
  const deadlineDay = dayNumber(deadline);
  const who = identity(rng, openedDay, ctx.usedIdentities);
  const c: CaseRow = {
    id: seededUuid(rng), regionCode: region.code, serviceId: service.id, guaranteeKind, clockStart, deadline, status: 'open', version: 1, origin,
    identity: who.value, birthYear: who.birthYear, sex: who.sex, homeMunicipality: home.code, openedT, updatedT: openedT, chosenRequestId: null, referralId: null,
    commitmentValidUntil: null, bookedDay: null, completedDay: null, outcome: null, endReason: null, endComment: null, endedT: null, chosenEvent: null, requests: [],
  };
  const events: Ev[] = [];
  const usedUnits = new Set<string>();
  const accepts = new Map<Req, { t: number; offered: number }>();
  const withdrawals = new Map<Req, number>();
  const closes = new Map<Req, number>();

  /** Send one round of requests at about `t`; returns the planned requests. */
  const round = (t: number): Req[] => {
    const n = 1 + rng.weightedIndex(REQUESTS_PER_ROUND);
    const out: Req[] = [];
    for (let i = 0; i < n; i++) {
      const unit = pickUnit(rng, service, region.code, usedUnits);
      if (!unit) break;
      usedUnits.add(unit.hsaId);
      const sentT0 = officeHours(t + i * rng.between(1, 20) * MINUTE, rng);
      const sentDay = dayOf(sentT0);
      const sentMinute = Math.max(4 * 60, minuteOf(sentT0));
      const sentT = at(sentDay, sentMinute);
      const rb = respondBy(sentDay, sentMinute);
      const distanceKm = Math.round(haversineKm({ lat: home.lat, lon: home.lng }, { lat: unit.lat, lon: unit.lng }) * 10) / 10;
      const snapshot = JSON.stringify({ homeForecastDays: homeForecast(ctx, region.code, service.id, sentT), reportedExpectedWaitDays: rng.chance(0.3) ? null : rng.between(5, 80), distanceKm });
      const req: Req = { id: seededUuid(rng), unit, sentT, respondByT: rb, snapshot, status: 'pending', version: 1, answeredT: null, offered: null, declineReason: null, closedT: null };
      out.push(req);
      events.push({ t: sentT, type: 'send', req });
      // the unit's answer: expiry, acceptance with a date by the deadline, or a decline with a reason
      if (rng.chance(unit.expireP)) {
        events.push({ t: rb + MINUTE, type: 'expire', req });
        closes.set(req, rb + MINUTE);
        continue;
      }
      const frac = Math.min(0.97, Math.max(0.003, rng.next() ** (1.2 + unit.speed)));
      const answerT = Math.min(rb - MINUTE, officeHours(sentT + Math.max(5 * MINUTE, frac * (rb - sentT)), rng));
      const answerDay = dayOf(answerT);
      const room = deadlineDay - answerDay;
      if (rng.chance(unit.acceptP) && room >= 0) {
        const offered = answerDay + Math.min(room, rng.between(2, 60));
        events.push({ t: answerT, type: 'accept', req, offered });
        accepts.set(req, { t: answerT, offered });
      } else {
        events.push({ t: answerT, type: 'decline', req, reason: room < 0 ? 'cannot_meet_deadline' : weighted(rng, DECLINE_WEIGHTS) });
      }
      closes.set(req, answerT);
      // now and then the coordinator takes a request back before it is answered
      if (rng.chance(0.03)) {
        const tw = sentT + rng.between(1, 20) * HOUR;
        events.push({ t: tw, type: 'withdraw', req });
        withdrawals.set(req, tw);
        closes.set(req, Math.min(tw, closes.get(req)!));
      }
    }
    return out;
  };

  let t = officeHours(openedT + (rng.chance(0.6) ? rng.between(10, 240) * MINUTE : rng.between(1, 2) * DAY), rng);
  if (rng.chance(0.03)) events.push({ t: openedT + rng.between(1, 240) * HOUR, type: 'cancel', reason: weighted(rng, CANCEL_EARLY) });
  for (let r = 1; r <= 2; r++) {
    const sent = round(t);
    if (sent.length === 0) break;
    const offers = sent.filter((q) => accepts.has(q) && accepts.get(q)!.t < (withdrawals.get(q) ?? Infinity));
    if (offers.length > 0) {
      const first = Math.min(...offers.map((q) => accepts.get(q)!.t));
      const u = rng.next();
      if (u < 0.84) {
        const tChoice = officeHours(first + rng.between(1, 72) * HOUR, rng);
        const open = offers.filter((q) => accepts.get(q)!.t < tChoice && (withdrawals.get(q) ?? Infinity) > tChoice);
        if (open.length === 0) {
          events.push({ t: tChoice, type: 'close', reason: 'patient_declined_all' });
          break;
        }
        const pick = rng.chance(0.7) ? open.reduce((a, b) => (accepts.get(b)!.offered < accepts.get(a)!.offered ? b : a)) : open[rng.int(open.length)]!;
        events.push({ t: tChoice, type: 'choose', req: pick });
        if (rng.chance(0.05)) {
          events.push({ t: tChoice + rng.between(1, 10) * DAY, type: 'cancel', reason: weighted(rng, CANCEL_CHOSEN) });
          break;
        }
        const tBook = officeHours(tChoice + rng.between(10, 48 * 60) * MINUTE, rng);
        const bookDay = dayOf(tBook);
        const offered = accepts.get(pick)!.offered;
        let booked = offered > bookDay ? offered : bookDay + rng.between(1, 7);
        events.push({ t: tBook, type: 'book', day: booked });
        if (rng.chance(0.08)) {
          const tRebook = officeHours(tBook + rng.between(1, 5) * DAY, rng);
          if (dayOf(tRebook) < booked) {
            booked += rng.between(3, 14);
            events.push({ t: tRebook, type: 'book', day: booked });
          }
        }
        if (rng.chance(0.03)) {
          events.push({ t: Math.min(at(booked, 7 * 60), tBook + rng.between(1, 72) * HOUR), type: 'cancel', reason: weighted(rng, CANCEL_BOOKED) });
          break;
        }
        events.push({ t: at(booked + rng.int(3), 16 * 60 + rng.int(120)), type: 'complete', outcome: weighted(rng, OUTCOME_WEIGHTS) });
      } else if (u < 0.93) {
        events.push({ t: officeHours(first + rng.between(1, 7) * DAY, rng), type: 'close', reason: 'patient_declined_all' });
      } else {
        events.push({ t: officeHours(first + rng.between(1, 7) * DAY, rng), type: 'cancel', reason: 'patient_declined' });
      }
      break;
    }
    // no offer: when the last request of the round has closed, a second round (or the end)
    const last = Math.max(...sent.map((q) => closes.get(q)!));
    if (r === 1 && rng.chance(0.6)) {
      t = officeHours(last + rng.between(2, 48) * HOUR, rng);
      continue;
    }
    const end = weighted(rng, NO_OFFER_END);
    const [how, reason] = end.split(':') as ['close' | 'cancel', string];
    events.push({ t: officeHours(last + rng.between(4, 120) * HOUR, rng), type: how, reason });
    break;
  }
  apply(ctx, c, events, index);
  return c;
}

/** Play the planned events in time order through the state machines, up to now; events the machines refuse are not applied. */
function apply(ctx: Ctx, c: CaseRow, events: Ev[], index: number): void {
  const order = events.map((e, i) => ({ e, i })).sort((a, b) => a.e.t - b.e.t || a.i - b.i);
  const touch = (t: number) => {
    c.updatedT = Math.max(c.updatedT, t);
  };
  const follow = (t: number) => {
    const to = caseStatusAfterRequestChange(c.status, c.requests.map((r) => r.status));
    const ev = derivedCaseEvent(c.status, to);
    if (ev) {
      c.status = assertCaseTransition(c.status, ev);
      c.version++;
    }
    touch(t);
  };
  const withdrawOpen = (t: number, keep?: Req) => {
    for (const r of c.requests)
      if (r !== keep && (r.status === 'pending' || r.status === 'accepted')) {
        r.status = assertRequestTransition(r.status, 'withdraw');
        r.closedT = t;
        r.version++;
      }
  };
  const terminal = () => c.status === 'completed' || c.status === 'cancelled' || c.status === 'closed_unresolved';
  for (const { e } of order) {
    if (e.t > ctx.nowT || terminal()) break;
    switch (e.type) {
      case 'send':
        if (c.status !== 'open' && c.status !== 'requested' && c.status !== 'offered') break;
        c.status = assertCaseTransition(c.status, 'request_sent');
        c.version++;
        c.requests.push(e.req);
        touch(e.t);
        break;
      case 'accept':
        if (e.req.status !== 'pending') break;
        e.req.status = assertRequestTransition(e.req.status, 'accept');
        e.req.answeredT = e.t;
        e.req.offered = e.offered;
        e.req.version++;
        follow(e.t);
        break;
      case 'decline':
        if (e.req.status !== 'pending') break;
        e.req.status = assertRequestTransition(e.req.status, 'decline');
        e.req.answeredT = e.t;
        e.req.closedT = e.t;
        e.req.declineReason = e.reason;
        e.req.version++;
        follow(e.t);
        break;
      case 'expire':
        if (e.req.status !== 'pending') break;
        e.req.status = assertRequestTransition(e.req.status, 'expire');
        e.req.closedT = e.t;
        e.req.version++;
        follow(e.t);
        break;
      case 'withdraw':
        if (e.req.status !== 'pending' && e.req.status !== 'accepted') break;
        e.req.status = assertRequestTransition(e.req.status, 'withdraw');
        e.req.closedT = e.t;
        e.req.version++;
        follow(e.t);
        break;
      case 'choose': {
        if (c.status !== 'offered' || e.req.status !== 'accepted') break;
        c.status = assertCaseTransition(c.status, 'choose');
        e.req.status = assertRequestTransition(e.req.status, 'choose');
        e.req.closedT = e.t;
        e.req.version++;
        withdrawOpen(e.t, e.req);
        c.chosenRequestId = e.req.id;
        const ids = mulberry32(deriveSeed(ctx.seed, `choice-${index}`));
        c.referralId = seededUuid(ids);
        c.commitmentValidUntil = commitmentValidUntil(dateOf(dayOf(e.t)));
        c.chosenEvent = { id: seededUuid(ids), t: e.t, req: e.req };
        c.version++;
        touch(e.t);
        break;
      }
      case 'book':
        if (c.status !== 'chosen' && c.status !== 'booked') break;
        c.status = assertCaseTransition(c.status, 'book');
        c.bookedDay = e.day;
        c.version++;
        touch(e.t);
        break;
      case 'complete':
        if (c.status !== 'booked') break;
        c.status = assertCaseTransition(c.status, 'complete');
        c.completedDay = c.bookedDay;
        c.outcome = e.outcome;
        c.version++;
        touch(e.t);
        break;
      case 'cancel':
      case 'close': {
        const how = e.type === 'cancel' ? 'cancel' : 'close_unresolved';
        if (!(c.status === 'open' || c.status === 'requested' || c.status === 'offered' || (how === 'cancel' && (c.status === 'chosen' || c.status === 'booked')))) break;
        withdrawOpen(e.t);
        c.status = assertCaseTransition(c.status, how);
        c.endReason = e.reason;
        c.endComment = e.reason === 'other' ? 'Syntetiskt demoärende / synthetic demo case' : null;
        c.endedT = e.t;
        c.version++;
        touch(e.t);
        break;
      }
    }
  }
}

/* ------------------------------------------------------------- writing ------------------------------------------------------------- */

const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());
const day = (dn: number | null): string | null => (dn === null ? null : dateOf(dn));

/** One statement per chunk: the cases, their requests and their case.chosen events, each passed as one JSON array. */
async function insertChunk(db: Executor, cases: CaseRow[], patients: PatientCrypto): Promise<number> {
  const caseJson = JSON.stringify(cases.map((c) => ({
    id: c.id, rc: c.regionCode, sv: c.serviceId, gk: c.guaranteeKind, cs: c.clockStart, dl: c.deadline, st: c.status, v: c.version, og: c.origin,
    lk: patients.lookupHash(c.identity), en: patients.encrypt(c.identity), by: c.birthYear, sx: c.sex, hm: c.homeMunicipality, oa: iso(c.openedT), ua: iso(c.updatedT),
    cr: c.chosenRequestId, rf: c.referralId, cv: c.commitmentValidUntil, bd: day(c.bookedDay), co: day(c.completedDay), oc: c.outcome, er: c.endReason, ec: c.endComment, ea: iso(c.endedT),
  })));
  const requests = cases.flatMap((c) => c.requests.map((r) => ({
    id: r.id, ci: c.id, u: r.unit.hsaId, o: r.unit.organizationId, st: r.status, v: r.version, sa: iso(r.sentT), rb: iso(r.respondByT), aa: iso(r.answeredT),
    od: day(r.offered), dr: r.declineReason, ca: iso(r.closedT), sn: r.snapshot,
  })));
  const events = cases.filter((c) => c.chosenEvent !== null).map((c) => {
    const e = c.chosenEvent!;
    return {
      id: e.id, ci: c.id, rc: c.regionCode, o: e.req.unit.organizationId, at: iso(e.t),
      p: JSON.stringify({ caseId: c.id, status: 'chosen', requestId: e.req.id, unitHsaId: e.req.unit.hsaId, offeredDate: day(e.req.offered), referralId: c.referralId }),
    };
  });
  await sql`
    WITH new_cases AS (
      INSERT INTO cases (id, region_code, service_id, guarantee_kind, clock_start, deadline, status, version, origin, patient_lookup, patient_identity_enc,
        patient_kind, patient_birth_year, patient_sex, home_municipality, opened_by, opened_at, updated_at, chosen_request_id, referral_id,
        paying_region_code, commitment_valid_until, booked_date, completed_on, outcome, end_reason, end_comment, ended_at)
      SELECT t.id, t.rc, t.sv, t.gk, t.cs, t.dl, t.st, t.v, t.og, t.lk, t.en, 'personnummer', t.by, t.sx, t.hm, ${HISTORY_ACTOR}, t.oa, t.ua, t.cr, t.rf,
        CASE WHEN t.cr IS NULL THEN NULL ELSE t.rc END, t.cv, t.bd, t.co, t.oc, t.er, t.ec, t.ea
        FROM json_to_recordset(${caseJson}::json) AS t(id uuid, rc text, sv text, gk text, cs date, dl date, st text, v int, og text, lk text, en text, by int,
          sx text, hm text, oa timestamptz, ua timestamptz, cr uuid, rf uuid, cv date, bd date, co date, oc text, er text, ec text, ea timestamptz)
      RETURNING id
    ), new_requests AS (
      INSERT INTO requests (id, case_id, unit_hsa_id, organization_id, status, version, sent_by, sent_at, respond_by, answered_by, answered_at, offered_date,
        decline_reason, decline_comment, closed_at, search_snapshot)
      SELECT t.id, t.ci, t.u, t.o, t.st, t.v, ${HISTORY_ACTOR}, t.sa, t.rb, CASE WHEN t.aa IS NULL THEN NULL ELSE ${HISTORY_ACTOR} END, t.aa, t.od,
        t.dr, CASE WHEN t.dr = 'other' THEN 'Syntetiskt demosvar / synthetic demo answer' END, t.ca, t.sn::jsonb
        FROM json_to_recordset(${JSON.stringify(requests)}::json) AS t(id uuid, ci uuid, u text, o text, st text, v int, sa timestamptz, rb timestamptz,
          aa timestamptz, od date, dr text, ca timestamptz, sn text)
      RETURNING id
    )
    INSERT INTO outbox_events (id, type, case_id, region_code, organization_id, payload, occurred_at)
    SELECT t.id, 'case.chosen', t.ci, t.rc, t.o, t.p::jsonb, t.at
      FROM json_to_recordset(${JSON.stringify(events)}::json) AS t(id uuid, ci uuid, rc text, o text, at timestamptz, p text)
     ORDER BY t.at`.execute(db);
  return requests.length;
}

/**
 * Generate and insert `cases` synthetic brokering cases opened from `from` to `to` (Stockholm days; weekdays far more than
 * weekends, slowly growing over the range), with their requests and case.chosen outbox events, in one transaction
 * (nothing half-written). Returns how many cases and requests were written.
 */
export async function generateBrokeringHistory(db: Kysely<DB>, opts: BrokeringHistoryOptions): Promise<{ cases: number; requests: number }> {
  if (!isCalendarDate(opts.from) || !isCalendarDate(opts.to) || opts.from > opts.to) throw new RangeError(`generateBrokeringHistory: from ${opts.from} to ${opts.to} is not a range of dates`);
  const total = Math.max(0, Math.floor(opts.cases));
  const patients = opts.patients ?? createPatientCrypto(parsePatientKeys(DEMO_PATIENT_DATA_KEY));
  const world = await loadWorld(db, opts.seed);
  if (world.firstVisits.length + world.treatments.length === 0 || total === 0) return { cases: 0, requests: 0 };
  const rng = mulberry32(deriveSeed(opts.seed, `brokering-history-${opts.from}-${opts.to}`));
  const fromDay = dayNumber(opts.from);
  const toDay = dayNumber(opts.to);
  const ctx: Ctx = { seed: opts.seed, rng, world, nowT: at(toDay + 1, 0), usedIdentities: new Set(), forecastBase: new Map() };
  // the opening days: weekdays, a few at weekends, the platform used a little more each month
  const cumulative: number[] = [];
  let sum = 0;
  for (let d = fromDay; d <= toDay; d++) {
    sum += (isWorking(d) ? 1 : 0.12) * (0.75 + (0.5 * (d - fromDay)) / Math.max(1, toDay - fromDay));
    cumulative.push(sum);
  }
  const openingDay = (): number => {
    const x = rng.next() * sum;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return fromDay + lo;
  };
  const openingDays = Array.from({ length: total }, openingDay).sort((a, b) => a - b);
  let requests = 0;
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < total; i += CHUNK) {
      const chunk: CaseRow[] = [];
      for (let j = i; j < Math.min(total, i + CHUNK); j++) chunk.push(planCase(ctx, openingDays[j]!, j));
      requests += await insertChunk(trx, chunk, patients);
      opts.onProgress?.(Math.min(total, i + CHUNK), total);
    }
  });
  return { cases: total, requests };
}
