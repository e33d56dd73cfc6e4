import { addDays, daysBetween, isCalendarDate } from './calendar.js';
import { STALE_AFTER_DAYS } from './capacity.js';

/**
 * Ranking of care options for one patient (vårdförmedling): which units that offer the service and accept patients from
 * other regions a coordinator should look at first. Pure and deterministic: the same options and context, in any order,
 * give the same answer. The method, its weights and its limits are written in docs/methods/ranking.md.
 *
 * Order: tier first (fresh data that meets the guarantee deadline with capacity, then other fresh forecasts, then stale
 * data or no forecast), then score (wait dominant, distance, track record), then distance, then unit id.
 */

// ---------------------------------------------------------------------------------------------------------------------
// Weights and scales (docs/methods/ranking.md, "Score"). The weights add up to 1; the score is 100 × the weighted sum.

/** Weight of the forecast wait: the dominant factor (more than all others together). */
export const WEIGHT_WAIT = 0.6;
/** Weight of the distance from the patient's municipality. */
export const WEIGHT_DISTANCE = 0.25;
/** Weight of the unit's acceptance rate of brokered requests (shrunk toward the prior). */
export const WEIGHT_ACCEPTANCE = 0.1;
/** Weight of the unit's median response time to brokered requests. */
export const WEIGHT_RESPONSE = 0.05;
/** A wait of this many days scores half of a wait of zero days (the 90-day guarantee). Wait score = 1 / (1 + days / 90). */
export const WAIT_HALF_SCORE_DAYS = 90;
/** A distance of this many km scores half of zero km. Distance score = 1 / (1 + km / 200). */
export const DISTANCE_HALF_SCORE_KM = 200;
/** A median response of this many hours scores half of an instant response. Response score = 1 / (1 + hours / 48). */
export const RESPONSE_HALF_SCORE_HOURS = 48;
/** Acceptance prior: (accepted + 2) / (requests + 4), i.e. four pseudo-requests of which half were accepted. */
export const ACCEPTANCE_PRIOR_ACCEPTED = 2;
export const ACCEPTANCE_PRIOR_REQUESTS = 4;
/** Score of a factor that is unknown: acceptance and response with no track record (the prior's own value). */
export const NEUTRAL_FACTOR_SCORE = 0.5;
/** Fewer requests than this: the reason says the acceptance rate rests on few requests. */
export const SMALL_SAMPLE_REQUESTS = 10;

// Travel-time estimate (docs/methods/ranking.md, "Travel time"): a stated estimate, not a route.
/** Road distance ≈ this factor × the straight-line (great-circle) distance. */
export const ROAD_DISTANCE_FACTOR = 1.3;
/** Average speed on that road distance, km/h. */
export const AVERAGE_SPEED_KMH = 70;
/** Fixed minutes added for getting started, parking and finding the unit. */
export const TRAVEL_OVERHEAD_MINUTES = 15;
/** Mean Earth radius (IUGG), km. */
export const EARTH_RADIUS_KM = 6371.0088;

// ---------------------------------------------------------------------------------------------------------------------
// Types

/** Where a forecast came from: 'computed' from waiting-list data (the queue model), 'reported' by the unit itself. */
export type ForecastSource = 'computed' | 'reported';

/** The unit an option is at (the HSA-id as id). */
export interface RankingUnit {
  id: string;
  name: string;
  regionCode: string;
}

/** How the unit has handled brokered requests so far. */
export interface TrackRecord {
  /** requests sent to the unit */
  requests: number;
  /** of which accepted */
  accepted: number;
  /** median hours from request to answer; null when unknown */
  medianResponseHours: number | null;
}

/** One candidate option: a unit offering the service to patients from other regions. */
export interface CandidateOption {
  unit: RankingUnit;
  /** the forecast wait: computed from waiting-list data where it exists, else the unit's reported wait; null when neither */
  forecast: { days: number; source: ForecastSource } | null;
  /** the data behind the option (capacity report) are older than the stale limit */
  stale: boolean;
  /** weekly capacity for other regions > 0; null when unknown */
  capacityAvailable: boolean | null;
  /** great-circle distance from the patient's municipality, km; null when unknown */
  distanceKm: number | null;
  trackRecord: TrackRecord | null;
}

/** What the search is for. */
export interface SearchContext {
  /** the calendar day of the search, YYYY-MM-DD */
  today: string;
  /** the patient's guarantee deadline (vårdgarantins sista dag), YYYY-MM-DD */
  deadline?: string | null | undefined;
  /** the forecast wait at the patient's home unit or region, days */
  homeForecastDays?: number | null | undefined;
  /** options farther than this are excluded */
  maxDistanceKm?: number | null | undefined;
  /** the stale limit the `stale` flags were set with (for the reason text); default STALE_AFTER_DAYS (42) */
  staleAfterDays?: number | undefined;
}

/** One explanation, in Swedish and English. */
export interface Reason {
  sv: string;
  en: string;
}

/** 1: fresh forecast, meets the deadline (or none given), capacity available; 2: other fresh forecasts; 3: stale or no forecast. */
export type Tier = 1 | 2 | 3;

export interface RankedOption {
  /** 1-based position in the answer */
  rank: number;
  tier: Tier;
  unit: RankingUnit;
  forecastWaitDays: number | null;
  forecastSource: ForecastSource | null;
  /** today + the forecast wait; null without a forecast */
  earliestDate: string | null;
  /** earliestDate ≤ deadline; null without a deadline or without a forecast */
  meetsDeadline: boolean | null;
  /** homeForecastDays − forecastWaitDays (negative: a longer wait than at home); null when either is unknown */
  daysSaved: number | null;
  /** as given, rounded to one decimal */
  distanceKm: number | null;
  /** estimatedTravelMinutes(distanceKm): an estimate, not a route */
  travelMinutesEstimate: number | null;
  capacityAvailable: boolean | null;
  stale: boolean;
  /** 0–100, one decimal */
  score: number;
  reasons: Reason[];
}

export interface ExcludedOption {
  unit: RankingUnit;
  distanceKm: number;
  reason: Reason;
}

export interface RankingResult {
  /** ranked, best first */
  options: RankedOption[];
  /** beyond maxDistanceKm, nearest first */
  excluded: ExcludedOption[];
}

// ---------------------------------------------------------------------------------------------------------------------
// Geography and dates

/** A point in WGS 84 degrees; the directory writes longitude as `lng`, so both spellings are accepted. */
export type GeoPoint = { lat: number; lon: number } | { lat: number; lng: number };

const longitude = (p: GeoPoint): number => ('lon' in p ? p.lon : p.lng);

/**
 * Great-circle ("as the crow flies", fågelvägen) distance in km by the haversine formula on a sphere of the mean Earth
 * radius. Within Sweden the error against the ellipsoid is below 0.5 %. Throws a RangeError for coordinates out of range.
 */
export function haversineKm(a: GeoPoint, b: GeoPoint): number {
  const lonA = longitude(a);
  const lonB = longitude(b);
  for (const [lat, lon] of [
    [a.lat, lonA],
    [b.lat, lonB],
  ] as const) {
    if (!Number.isFinite(lat) || !Number.isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180)
      throw new RangeError('haversineKm needs latitudes in [-90, 90] and longitudes in [-180, 180]');
  }
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (lonB - lonA) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * Estimated travel time by car in whole minutes for a straight-line distance: road distance ≈ 1.3 × straight line,
 * driven at an average 70 km/h, plus 15 minutes. A stated estimate, not a route: ferries, winter roads and public
 * transport are not considered. Throws a RangeError for a negative or non-finite distance.
 */
export function estimatedTravelMinutes(distanceKm: number): number {
  if (!Number.isFinite(distanceKm) || distanceKm < 0) throw new RangeError('estimatedTravelMinutes needs a distance ≥ 0 km');
  return Math.round(((distanceKm * ROAD_DISTANCE_FACTOR) / AVERAGE_SPEED_KMH) * 60 + TRAVEL_OVERHEAD_MINUTES);
}

/**
 * The earliest date a patient referred today can expect care: today + the forecast wait in calendar days (a fraction of
 * a day counts as a whole day). Throws a RangeError for a date that is not YYYY-MM-DD or a negative forecast.
 */
export function earliestDate(today: string, forecastDays: number): string {
  if (!isCalendarDate(today)) throw new RangeError('earliestDate needs today as a calendar date (YYYY-MM-DD)');
  if (!Number.isFinite(forecastDays) || forecastDays < 0) throw new RangeError('earliestDate needs a forecast of 0 days or more');
  return addDays(today, Math.ceil(forecastDays));
}

// ---------------------------------------------------------------------------------------------------------------------
// Score

/**
 * The acceptance rate with small-sample shrinkage toward one half: (accepted + 2) / (requests + 4) (the mean of a
 * Beta(2, 2) prior updated with the unit's requests). No requests gives 0.5; 1 of 1 gives 0.6, not 1.0; 90 of 100 gives
 * 0.88. Null (no track record) gives the prior, 0.5.
 */
export function shrunkAcceptanceRate(trackRecord: TrackRecord | null): number {
  if (trackRecord === null) return ACCEPTANCE_PRIOR_ACCEPTED / ACCEPTANCE_PRIOR_REQUESTS;
  return (trackRecord.accepted + ACCEPTANCE_PRIOR_ACCEPTED) / (trackRecord.requests + ACCEPTANCE_PRIOR_REQUESTS);
}

/** The four factors of the score, each 0–1 (1 best). No forecast scores 0 on wait; an unknown distance scores 0. */
export interface ScoreFactors {
  wait: number;
  distance: number;
  acceptance: number;
  response: number;
}

/**
 * The score factors of one option: wait 1 / (1 + days / 90) (0 without a forecast), distance 1 / (1 + km / 200)
 * (0 when unknown), acceptance shrunkAcceptanceRate, response 1 / (1 + hours / 48) (0.5 when unknown).
 */
export function scoreFactors(option: CandidateOption): ScoreFactors {
  const days = option.forecast?.days ?? null;
  const hours = option.trackRecord?.medianResponseHours ?? null;
  return {
    wait: days === null ? 0 : 1 / (1 + days / WAIT_HALF_SCORE_DAYS),
    distance: option.distanceKm === null ? 0 : 1 / (1 + option.distanceKm / DISTANCE_HALF_SCORE_KM),
    acceptance: shrunkAcceptanceRate(option.trackRecord),
    response: hours === null ? NEUTRAL_FACTOR_SCORE : 1 / (1 + hours / RESPONSE_HALF_SCORE_HOURS),
  };
}

/** Score 0–100 rounded to one decimal: 100 × (0.6 wait + 0.25 distance + 0.1 acceptance + 0.05 response). */
export function scoreOption(option: CandidateOption): number {
  const f = scoreFactors(option);
  const sum = WEIGHT_WAIT * f.wait + WEIGHT_DISTANCE * f.distance + WEIGHT_ACCEPTANCE * f.acceptance + WEIGHT_RESPONSE * f.response;
  return Math.min(100, Math.max(0, Math.round(sum * 1000) / 10));
}

// ---------------------------------------------------------------------------------------------------------------------
// Ranking

/**
 * Rank the options for a search, and set apart those beyond maxDistanceKm (with the reason, nearest first).
 *
 * * An option with a known distance greater than maxDistanceKm is excluded. An unknown distance is not excluded (it
 *   cannot be judged) but scores 0 on distance and says so.
 * * Tier 1: fresh, with a forecast that meets the deadline (or no deadline was given) and capacity available. Tier 2:
 *   fresh with a forecast, but missing the deadline or with capacity unknown or none. Tier 3: stale or without a
 *   forecast — never above an option with fresh data and a forecast.
 * * Within a tier: score (descending), then distance (nearest first, unknown last), then unit id.
 * * Every option has reasons in Swedish and English, the first always naming the forecast's source or its absence.
 *
 * Throws a RangeError for invalid input (dates, negative numbers, accepted > requests, the same unit twice).
 */
export function rankSearch(options: readonly CandidateOption[], context: SearchContext): RankingResult {
  checkContext(context);
  const seen = new Set<string>();
  for (const o of options) {
    checkOption(o);
    if (seen.has(o.unit.id)) throw new RangeError(`rankOptions: unit ${o.unit.id} appears twice`);
    seen.add(o.unit.id);
  }
  const max = context.maxDistanceKm ?? null;
  const excluded: ExcludedOption[] = [];
  const kept: CandidateOption[] = [];
  for (const o of options) {
    if (max !== null && o.distanceKm !== null && o.distanceKm > max) {
      excluded.push({
        unit: o.unit,
        distanceKm: round1(o.distanceKm),
        reason: {
          sv: `Längre bort än den största tillåtna sträckan ${km(max, 'sv')} (${km(o.distanceKm, 'sv')} fågelvägen)`,
          en: `Farther than the maximum distance of ${km(max, 'en')} (${km(o.distanceKm, 'en')} as the crow flies)`,
        },
      });
    } else kept.push(o);
  }
  excluded.sort((a, b) => a.distanceKm - b.distanceKm || compareIds(a.unit.id, b.unit.id));

  const evaluated = kept.map((o) => evaluate(o, context));
  evaluated.sort(
    (a, b) =>
      a.tier - b.tier ||
      b.score - a.score ||
      compareDistance(a.option.distanceKm, b.option.distanceKm) ||
      compareIds(a.option.unit.id, b.option.unit.id),
  );
  return { options: evaluated.map((e, i) => ({ rank: i + 1, ...e.ranked })), excluded };
}

/**
 * The ranked options of rankSearch, best first (options beyond maxDistanceKm left out; rankSearch lists them with the
 * reason). See rankSearch for the rules.
 */
export function rankOptions(options: readonly CandidateOption[], context: SearchContext): RankedOption[] {
  return rankSearch(options, context).options;
}

interface Evaluated {
  option: CandidateOption;
  tier: Tier;
  score: number;
  ranked: Omit<RankedOption, 'rank'>;
}

function evaluate(o: CandidateOption, ctx: SearchContext): Evaluated {
  const deadline = ctx.deadline ?? null;
  const home = ctx.homeForecastDays ?? null;
  const days = o.forecast?.days ?? null;
  const earliest = days === null ? null : earliestDate(ctx.today, days);
  const meetsDeadline = deadline === null || earliest === null ? null : earliest <= deadline;
  const daysSaved = home === null || days === null ? null : home - days;
  const tier: Tier = o.stale || o.forecast === null ? 3 : o.capacityAvailable === true && meetsDeadline !== false ? 1 : 2;
  const score = scoreOption(o);
  const reasons = explain(o, ctx, { tier, earliest, meetsDeadline, daysSaved });
  return {
    option: o,
    tier,
    score,
    ranked: {
      tier,
      unit: o.unit,
      forecastWaitDays: days,
      forecastSource: o.forecast?.source ?? null,
      earliestDate: earliest,
      meetsDeadline,
      daysSaved,
      distanceKm: o.distanceKm === null ? null : round1(o.distanceKm),
      travelMinutesEstimate: o.distanceKm === null ? null : estimatedTravelMinutes(o.distanceKm),
      capacityAvailable: o.capacityAvailable,
      stale: o.stale,
      score,
      reasons,
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// Reasons

function explain(
  o: CandidateOption,
  ctx: SearchContext,
  r: { tier: Tier; earliest: string | null; meetsDeadline: boolean | null; daysSaved: number | null },
): Reason[] {
  const reasons: Reason[] = [];
  const deadline = ctx.deadline ?? null;
  const staleAfter = ctx.staleAfterDays ?? STALE_AFTER_DAYS;

  // 1. The forecast and its source — always first.
  if (o.forecast === null) {
    reasons.push({
      sv: 'Ingen väntetidsprognos: varken väntelistedata eller en egen uppgift från enheten finns',
      en: "No wait forecast: neither waiting-list data nor the unit's own report is available",
    });
  } else {
    const computed = o.forecast.source === 'computed';
    reasons.push({
      sv: `Beräknad väntetid ${daysText(o.forecast.days, 'sv')} (${computed ? 'från väntelistan' : 'enhetens egen uppgift'}), tidigast ${r.earliest}`,
      en: `Forecast wait ${daysText(o.forecast.days, 'en')} (${computed ? 'from the waiting list' : "the unit's own report"}), earliest ${r.earliest}`,
    });
  }

  // 2. The guarantee deadline.
  if (deadline !== null) {
    if (r.meetsDeadline === null) {
      reasons.push({ sv: `Okänt om vårdgarantins sista dag ${deadline} klaras`, en: `Unknown whether the guarantee deadline ${deadline} is met` });
    } else {
      const margin = daysBetween(r.earliest!, deadline);
      reasons.push(
        r.meetsDeadline
          ? { sv: `Klarar vårdgarantins sista dag ${deadline} (${daysText(margin, 'sv')} till godo)`, en: `Meets the guarantee deadline ${deadline} (${daysText(margin, 'en')} to spare)` }
          : { sv: `Klarar inte vårdgarantins sista dag ${deadline} (${daysText(-margin, 'sv')} för sent)`, en: `Misses the guarantee deadline ${deadline} by ${daysText(-margin, 'en')}` },
      );
    }
  }

  // 3. Compared with home.
  if (r.daysSaved !== null) {
    const home = ctx.homeForecastDays!;
    const d = r.daysSaved;
    reasons.push(
      d > 0
        ? { sv: `${daysText(d, 'sv')} kortare väntan än hemma (${daysText(home, 'sv')})`, en: `${daysText(d, 'en')} shorter wait than at home (${daysText(home, 'en')})` }
        : d < 0
          ? { sv: `${daysText(-d, 'sv')} längre väntan än hemma (${daysText(home, 'sv')})`, en: `${daysText(-d, 'en')} longer wait than at home (${daysText(home, 'en')})` }
          : { sv: `Samma väntetid som hemma (${daysText(home, 'sv')})`, en: `The same wait as at home (${daysText(home, 'en')})` },
    );
  }

  // 4. Capacity.
  reasons.push(
    o.capacityAvailable === true
      ? { sv: 'Har ledig kapacitet för patienter från andra regioner', en: 'Has capacity for patients from other regions' }
      : o.capacityAvailable === false
        ? { sv: 'Ingen ledig kapacitet för patienter från andra regioner rapporterad', en: 'No capacity for patients from other regions reported' }
        : { sv: 'Okänt om det finns ledig kapacitet för patienter från andra regioner', en: 'Unknown whether there is capacity for patients from other regions' },
  );

  // 5. Age of the data.
  if (o.stale) {
    reasons.push({
      sv: `Uppgifterna är inaktuella (rapporterade för mer än ${staleAfter} dagar sedan)`,
      en: `The data are out of date (reported more than ${staleAfter} days ago)`,
    });
  }

  // 6. Distance and travel time.
  if (o.distanceKm === null) {
    const max = ctx.maxDistanceKm ?? null;
    reasons.push(
      max === null
        ? { sv: 'Avståndet är okänt', en: 'Distance unknown' }
        : { sv: `Avståndet är okänt; visas trots gränsen ${km(max, 'sv')}`, en: `Distance unknown; shown despite the ${km(max, 'en')} limit` },
    );
  } else {
    const minutes = estimatedTravelMinutes(o.distanceKm);
    reasons.push({
      sv: `${km(o.distanceKm, 'sv')} fågelvägen, uppskattad restid med bil ${durationText(minutes, 'sv')} (en uppskattning, inte en ruttberäkning)`,
      en: `${km(o.distanceKm, 'en')} as the crow flies, estimated travel time by car ${durationText(minutes, 'en')} (an estimate, not a route)`,
    });
  }

  // 7. Track record.
  const t = o.trackRecord;
  if (t === null || t.requests === 0) {
    reasons.push({ sv: 'Ingen historik av förmedlade förfrågningar ännu', en: 'No track record of brokered requests yet' });
  } else {
    const few = t.requests < SMALL_SAMPLE_REQUESTS;
    const response =
      t.medianResponseHours === null
        ? { sv: '', en: '' }
        : { sv: `; svarar på ${hoursText(t.medianResponseHours, 'sv')} (median)`, en: `; median response ${hoursText(t.medianResponseHours, 'en')}` };
    reasons.push({
      sv: `Har accepterat ${t.accepted} av ${t.requests} förfrågningar${few ? ' (få förfrågningar; vägs mot ett neutralt antagande)' : ''}${response.sv}`,
      en: `Accepted ${t.accepted} of ${t.requests} requests${few ? ' (few requests; weighed toward a neutral assumption)' : ''}${response.en}`,
    });
  }

  // 8. Why the option stands below others.
  if (r.tier === 3) {
    reasons.push({
      sv: 'Rangordnas efter alla alternativ med aktuell prognos',
      en: 'Ranked below all options with a current forecast',
    });
  } else if (r.tier === 2) {
    reasons.push(
      deadline === null
        ? { sv: 'Rangordnas efter aktuella alternativ med ledig kapacitet', en: 'Ranked below current options with capacity available' }
        : {
            sv: 'Rangordnas efter aktuella alternativ som klarar sista dagen och har ledig kapacitet',
            en: 'Ranked below current options that meet the deadline with capacity available',
          },
    );
  }
  return reasons;
}

function daysText(n: number, lang: 'sv' | 'en'): string {
  const v = Number.isInteger(n) ? String(n) : decimal(n, lang);
  if (lang === 'sv') return `${v} ${n === 1 ? 'dag' : 'dagar'}`;
  return `${v} ${n === 1 ? 'day' : 'days'}`;
}

function hoursText(h: number, lang: 'sv' | 'en'): string {
  if (h < 1) return lang === 'sv' ? 'mindre än en timme' : 'less than an hour';
  const n = Math.round(h);
  if (lang === 'sv') return `${n} ${n === 1 ? 'timme' : 'timmar'}`;
  return `${n} ${n === 1 ? 'hour' : 'hours'}`;
}

function durationText(minutes: number, lang: 'sv' | 'en'): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h === 0) return `${m} min`;
  return `${h} ${lang === 'sv' ? 'tim' : 'h'} ${m} min`;
}

/** Kilometres for text: one decimal below 10 km (decimal comma in Swedish), whole km above. */
function km(value: number, lang: 'sv' | 'en'): string {
  return `${value < 10 ? decimal(value, lang) : String(Math.round(value))} km`;
}

function decimal(value: number, lang: 'sv' | 'en'): string {
  const s = String(round1(value));
  return lang === 'sv' ? s.replace('.', ',') : s;
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

function compareDistance(a: number | null, b: number | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a - b;
}

/** Code-unit order, independent of locale. */
function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------------------------------
// Input checks

const isNonNegative = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x >= 0;

function checkContext(ctx: SearchContext): void {
  if (!isCalendarDate(ctx.today)) throw new RangeError('rankOptions: today must be a calendar date (YYYY-MM-DD)');
  const { deadline, homeForecastDays, maxDistanceKm, staleAfterDays } = ctx;
  if (deadline !== null && deadline !== undefined && !isCalendarDate(deadline)) throw new RangeError('rankOptions: deadline must be a calendar date (YYYY-MM-DD)');
  if (homeForecastDays !== null && homeForecastDays !== undefined && !isNonNegative(homeForecastDays))
    throw new RangeError('rankOptions: homeForecastDays must be a number ≥ 0');
  if (maxDistanceKm !== null && maxDistanceKm !== undefined && !isNonNegative(maxDistanceKm)) throw new RangeError('rankOptions: maxDistanceKm must be a number ≥ 0');
  if (staleAfterDays !== undefined && !(Number.isInteger(staleAfterDays) && staleAfterDays >= 0))
    throw new RangeError('rankOptions: staleAfterDays must be a whole number ≥ 0');
}

function checkOption(o: CandidateOption): void {
  const id = o.unit.id;
  if (o.forecast !== null) {
    if (!isNonNegative(o.forecast.days)) throw new RangeError(`rankOptions: unit ${id}: forecast days must be a number ≥ 0`);
    if (o.forecast.source !== 'computed' && o.forecast.source !== 'reported') throw new RangeError(`rankOptions: unit ${id}: unknown forecast source`);
  }
  if (o.distanceKm !== null && !isNonNegative(o.distanceKm)) throw new RangeError(`rankOptions: unit ${id}: distanceKm must be a number ≥ 0`);
  const t = o.trackRecord;
  if (t !== null) {
    if (!Number.isInteger(t.requests) || t.requests < 0 || !Number.isInteger(t.accepted) || t.accepted < 0 || t.accepted > t.requests)
      throw new RangeError(`rankOptions: unit ${id}: track record needs whole numbers 0 ≤ accepted ≤ requests`);
    if (t.medianResponseHours !== null && !isNonNegative(t.medianResponseHours))
      throw new RangeError(`rankOptions: unit ${id}: medianResponseHours must be a number ≥ 0`);
  }
}
