import * as repo from '../../db/search.repository.js';
import { addDays, daysBetween, isCalendarDate } from '../../domain/calendar.js';
import { stockholmDay } from '../../domain/clock.js';
import { AppError, forbidden, invalid, type FieldError } from '../../domain/errors.js';
import {
  haversineKm,
  rankSearch,
  scoreOption,
  type CandidateOption,
  type ForecastSource,
  type RankedOption,
  type Reason,
  type SearchContext,
  type Tier,
  type TrackRecord,
} from '../../domain/ranking.js';
import type { Unit } from '../../domain/directory.js';
import type { Executor, RequestContext } from '../context.js';

/**
 * National capacity search (vårdförmedling): which units offering a service (or a service declared equivalent to it)
 * a coordinator should call first for a patient from a given municipality, ranked by src/domain/ranking.ts
 * (docs/methods/ranking.md). A unit offering an equivalent is a candidate on equal terms, with the capacity report and
 * waiting-time figures of the service it offers.
 *
 * The candidate data of a service come from the database once and are then kept in memory (SearchCache) until the
 * directory, the computed waiting times or the capacity reports change (their version is read on every search, one
 * round trip shared by concurrent searches) or the day changes; the units' track records of brokered requests are
 * re-read at most every 60 s. Distance, staleness, deadline and ranking are computed per search, in memory.
 */

/** The search's questions. */
export interface SearchQuery {
  serviceId: string;
  /** the patient's home municipality (kommunkod), which also gives the home region */
  municipalityCode: string;
  /** the patient's guarantee deadline, YYYY-MM-DD; not before today */
  deadline?: string | undefined;
  /** leave out units farther than this (great-circle km) */
  maxDistanceKm?: number | undefined;
  /** a capacity report (or waiting-list data) older than this many days is stale */
  staleAfterDays: number;
  /** how many ranked options (and excluded units) to return; default 10 */
  limit?: number | undefined;
}

/** The unit of an option, as the directory describes it. */
export type SearchUnit = Pick<Unit, 'hsaId' | 'name' | 'organizationId' | 'regionCode' | 'municipalityCode' | 'location'>;

/** A ranked option (src/domain/ranking.ts) with the unit's directory data and the facts behind its forecast. */
export interface SearchOption extends Omit<RankedOption, 'unit'> {
  unit: SearchUnit;
  /** the service the unit offers and would provide: the searched one, or a service declared equivalent to it */
  offeredServiceId: string;
  /** the unit lies in the patient's home region */
  homeRegion: boolean;
  weeklyCapacityForOtherRegions: number | null;
  reportedExpectedWaitDays: number | null;
  capacityReportValidFrom: string | null;
  forecastDataAsOf: string | null;
  trackRecord: TrackRecord | null;
}

export type ExclusionCode = 'not_accepting_other_regions' | 'beyond_max_distance';

export interface SearchExcluded {
  unit: SearchUnit;
  /** as in SearchOption: the service whose capacity report the exclusion rests on */
  offeredServiceId: string;
  distanceKm: number | null;
  reasonCode: ExclusionCode;
  reason: Reason;
}

export interface SearchAnswer {
  serviceId: string;
  municipalityCode: string;
  municipalityName: string;
  homeRegionCode: string;
  today: string;
  deadline: string | null;
  maxDistanceKm: number | null;
  staleAfterDays: number;
  homeForecastDays: number | null;
  /** ranked options in all (options holds the first `limit`) */
  total: number;
  limit: number;
  options: SearchOption[];
  /** excluded units in all (excluded holds the nearest `limit`) */
  excludedCount: number;
  excluded: SearchExcluded[];
}

export const DEFAULT_SEARCH_LIMIT = 10;
export const MAX_SEARCH_LIMIT = 100;
/** The track record is re-read at most this often (ms). */
export const TRACK_RECORD_MAX_AGE_MS = 60_000;
/** The track record looks back this many days. */
export const TRACK_RECORD_DAYS = 365;

// ---------------------------------------------------------------------------------------------------------------------
// The in-memory candidate data

/** One candidate unit as cached: everything that does not depend on the patient or the stale limit. */
interface Candidate {
  /** the unit's index in Geo's distance arrays */
  idx: number;
  unit: SearchUnit;
  rankingUnit: { id: string; name: string; regionCode: string };
  /** the service the unit offers (the searched one, or a declared equivalent); forecast and report are this service's */
  offeredServiceId: string;
  forecast: { days: number; source: ForecastSource } | null;
  /** the date the stale check is made on for the forecast's data: the computed data's date; null for a reported one */
  forecastDataAsOf: string | null;
  reportValidFrom: string | null;
  reportedExpectedWaitDays: number | null;
  weeklyCapacityForOtherRegions: number | null;
  capacityAvailable: boolean | null;
  acceptsOtherRegions: boolean | null;
}

interface ServiceData {
  geo: Geo;
  candidates: Candidate[];
  byId: Map<string, Candidate>;
  regionForecasts: Map<string, number | null>;
}

/**
 * Distances from municipalities to units, kept as the directory stands (a directory change makes a new Geo): computed
 * once per municipality and unit, at most 290 × units numbers (17 MB at 7,250 units). A service's data keep the Geo they
 * were read with, so indices and distances always belong together.
 */
class Geo {
  private readonly index = new Map<string, number>();
  private readonly byMunicipality = new Map<string, number[]>();

  constructor(readonly directoryVersion: string) {}

  indexOf(hsaId: string): number {
    let i = this.index.get(hsaId);
    if (i === undefined) {
      i = this.index.size;
      this.index.set(hsaId, i);
    }
    return i;
  }

  /** Great-circle km from the municipality to the candidate (haversineKm), computed on first use. */
  distance(municipality: repo.MunicipalityRow, c: Candidate): number {
    let row = this.byMunicipality.get(municipality.code);
    if (row === undefined) {
      row = [];
      this.byMunicipality.set(municipality.code, row);
    }
    const known = row[c.idx];
    if (known !== undefined) return known;
    return (row[c.idx] = haversineKm(municipality, c.unit.location));
  }
}

/** A service's names in the catalogue. */
type ServiceName = repo.ServiceNameRow['name'];

interface Directory {
  version: string;
  /** every service of the catalogue (active or not) by id, with its names */
  services: Map<string, ServiceName>;
  municipalities: Map<string, repo.MunicipalityRow>;
}

interface TrackRecords {
  loadedAt: number;
  byUnit: Map<string, TrackRecord>;
}

/**
 * The per-instance cache of the search's candidate data, keyed by service, dropped when the data version
 * (repo.searchDataVersion: directory, waiting-time refreshes, capacity reports) or the day moves. Loads are shared by
 * concurrent searches. Another instance's change is seen on the next search (the version is read every time).
 */
export class SearchCache {
  private versionRead: Promise<string> | undefined;
  private directory: Promise<Directory> | undefined;
  private directoryVersion: string | undefined;
  /** per service: the data version and day read for, and the (possibly pending) data */
  private services = new Map<string, { key: string; data: Promise<ServiceData> }>();
  private track: TrackRecords | undefined;
  private geo: Geo | undefined;
  private trackLoad: Promise<TrackRecords> | undefined;

  constructor(
    private readonly db: Executor,
    private readonly opts: { trackRecordMaxAgeMs?: number; now?: () => number } = {},
  ) {}

  /** The current data version: one round trip, shared by the searches that ask while it is under way. */
  version(): Promise<string> {
    this.versionRead ??= repo.searchDataVersion(this.db).finally(() => (this.versionRead = undefined));
    return this.versionRead;
  }

  /** Services and municipalities for the look-ups, read again when the directory part of `version` moves. */
  lookups(version: string): Promise<Directory> {
    const directoryVersion = directoryPart(version);
    if (this.directory === undefined || this.directoryVersion !== directoryVersion) {
      this.directoryVersion = directoryVersion;
      const load = (async () => {
        const [services, municipalities] = await Promise.all([repo.serviceNames(this.db), repo.allMunicipalities(this.db)]);
        return { version: directoryVersion, services: new Map(services.map((x) => [x.id, x.name])), municipalities: new Map(municipalities.map((m) => [m.code, m])) };
      })();
      this.directory = load;
      load.catch(() => {
        if (this.directory === load) this.directory = undefined; // never keep a failed load
      });
    }
    return this.directory;
  }

  /** The candidates of one service as of `version` and `today`: read once per key, shared by concurrent searches. */
  serviceData(serviceId: string, version: string, today: string): Promise<ServiceData> {
    const key = `${version}|${today}`;
    const cached = this.services.get(serviceId);
    if (cached !== undefined && cached.key === key) return cached.data;
    const data = (async (): Promise<ServiceData> => {
      const [rows, regions] = await Promise.all([repo.searchCandidates(this.db, serviceId, today), repo.regionForecasts(this.db, serviceId)]);
      const directoryVersion = directoryPart(version);
      if (this.geo?.directoryVersion !== directoryVersion) this.geo = new Geo(directoryVersion);
      const geo = this.geo;
      const candidates = rows.map((r) => toCandidate(r, geo.indexOf(r.hsaId)));
      return { geo, candidates, byId: new Map(candidates.map((c) => [c.unit.hsaId, c])), regionForecasts: new Map(regions.map((r) => [r.regionCode, r.forecastDays])) };
    })();
    const entry = { key, data };
    this.services.set(serviceId, entry);
    data.catch(() => {
      if (this.services.get(serviceId) === entry) this.services.delete(serviceId); // never keep a failed load
    });
    return data;
  }

  /**
   * Every unit's track record over the last 365 days before `at`. Read at first use, then at most every 60 s: an older
   * record is answered at once while a fresh one is read in the background.
   */
  async trackRecords(at: Date): Promise<Map<string, TrackRecord>> {
    const now = (this.opts.now ?? Date.now)();
    const maxAge = this.opts.trackRecordMaxAgeMs ?? TRACK_RECORD_MAX_AGE_MS;
    const current = this.track;
    if (current !== undefined && now - current.loadedAt < maxAge) return current.byUnit;
    this.trackLoad ??= (async () => {
      try {
        const since = new Date(at.getTime() - TRACK_RECORD_DAYS * 86_400_000);
        const rows = await repo.trackRecords(this.db, since);
        const t: TrackRecords = {
          loadedAt: now,
          byUnit: new Map(rows.map((r) => [r.unitHsaId, { requests: r.requests, accepted: r.accepted, medianResponseHours: r.medianResponseHours }])),
        };
        this.track = t;
        return t;
      } finally {
        this.trackLoad = undefined;
      }
    })();
    if (current !== undefined) {
      this.trackLoad.catch(() => undefined); // the old record keeps serving; the next search tries again
      return current.byUnit;
    }
    return (await this.trackLoad).byUnit;
  }

  /** Forget everything (after a change through this instance that the version does not show, and in tests). */
  clear(): void {
    this.directory = undefined;
    this.services.clear();
    this.track = undefined;
    this.geo = undefined;
  }
}

/** The directory's own version inside the search data version (repo.searchDataVersion: `directory|waiting|capacity`). */
const directoryPart = (version: string): string => version.slice(0, version.indexOf('|'));

function toCandidate(r: repo.SearchCandidateRow, idx: number): Candidate {
  const forecast =
    r.computedForecastDays !== null
      ? { days: r.computedForecastDays, source: 'computed' as const }
      : r.reportedExpectedWaitDays !== null
        ? { days: r.reportedExpectedWaitDays, source: 'reported' as const }
        : null;
  return {
    idx,
    unit: { hsaId: r.hsaId, name: r.name, organizationId: r.organizationId, regionCode: r.regionCode, municipalityCode: r.municipalityCode, location: { lat: r.lat, lng: r.lng } },
    rankingUnit: { id: r.hsaId, name: r.name, regionCode: r.regionCode },
    offeredServiceId: r.offeredServiceId,
    forecast,
    forecastDataAsOf: forecast?.source === 'computed' ? r.computedDataAsOf : null,
    reportValidFrom: r.reportValidFrom,
    reportedExpectedWaitDays: r.reportedExpectedWaitDays,
    weeklyCapacityForOtherRegions: r.weeklyCapacityForOtherRegions,
    capacityAvailable: r.weeklyCapacityForOtherRegions === null ? null : r.weeklyCapacityForOtherRegions > 0,
    acceptsOtherRegions: r.acceptsOtherRegions,
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// The use case

/**
 * Search the units offering a service, or a service declared equivalent to it, for a patient from a municipality,
 * ranked (docs/methods/ranking.md); an equivalent option says so in its reasons.
 * For a coordinator (of any region: the patient's region is the municipality's) or an admin. 404 for an unknown service
 * or municipality, 422 for a deadline before today. Units outside the home region whose current report says they take
 * no patients from other regions, and units beyond maxDistanceKm, are listed in `excluded` with the reason.
 * No patient data is read or returned.
 */
export async function searchCapacity(db: Executor, ctx: RequestContext, q: SearchQuery, cache: SearchCache = new SearchCache(db)): Promise<SearchAnswer> {
  const p = ctx.principal;
  if (!p.roles.includes('coordinator') && !p.roles.includes('admin'))
    throw forbidden(`Only a coordinator or an admin may search for capacity; your roles are ${p.roles.join(', ')}.`);
  const now = ctx.clock.now();
  const today = stockholmDay(now);
  const limit = q.limit ?? DEFAULT_SEARCH_LIMIT;
  const errors: FieldError[] = [];
  if (q.deadline !== undefined && !isCalendarDate(q.deadline)) errors.push({ field: 'deadline', message: `deadline must be a date YYYY-MM-DD; got ${q.deadline}.` });
  else if (q.deadline !== undefined && q.deadline < today)
    errors.push({ field: 'deadline', message: `deadline ${q.deadline} is before today (${today}); give the patient's guarantee deadline, today or later, or leave it out.` });
  if (q.maxDistanceKm !== undefined && !(Number.isFinite(q.maxDistanceKm) && q.maxDistanceKm > 0))
    errors.push({ field: 'maxDistanceKm', message: 'maxDistanceKm must be a number of km above 0.' });
  if (!(Number.isInteger(q.staleAfterDays) && q.staleAfterDays >= 0)) errors.push({ field: 'staleAfterDays', message: 'staleAfterDays must be a whole number ≥ 0.' });
  if (!(Number.isInteger(limit) && limit >= 1 && limit <= MAX_SEARCH_LIMIT)) errors.push({ field: 'limit', message: `limit must be a whole number from 1 to ${MAX_SEARCH_LIMIT}.` });
  if (errors.length > 0) throw invalid(errors);

  const version = await cache.version();
  const lookups = await cache.lookups(version);
  if (!lookups.services.has(q.serviceId))
    throw new AppError('not_found', `Service ${q.serviceId} does not exist; the service ids are listed at GET /api/v1/services.`);
  const municipality = lookups.municipalities.get(q.municipalityCode);
  if (!municipality)
    throw new AppError('not_found', `Municipality ${q.municipalityCode} does not exist; give the patient's four-digit municipality code (kommunkod) from GET /api/v1/municipalities.`);
  const [data, track] = await Promise.all([cache.serviceData(q.serviceId, version, today), cache.trackRecords(now)]);

  const homeRegionCode = municipality.regionCode;
  const homeForecastDays = data.regionForecasts.get(homeRegionCode) ?? null;
  const deadline = q.deadline ?? null;
  const maxDistanceKm = q.maxDistanceKm ?? null;
  const staleBefore = addDays(today, -q.staleAfterDays);
  const context: SearchContext = { today, deadline, homeForecastDays, maxDistanceKm, staleAfterDays: q.staleAfterDays };

  // Per search: distance and staleness of every candidate and the cheap sort key of the ranking (tier, score, distance,
  // id — the same total order as rankSearch) to keep the first `limit` (TopK); only those are ranked with reasons.
  // One scratch option serves the scoring of the rest, so a search allocates little beyond what it returns.
  const byId = data.byId;
  const geo = data.geo;
  // earliestDate ≤ deadline ⟺ ⌈forecast days⌉ ≤ days from today to the deadline (no date arithmetic per candidate)
  const daysToDeadline = deadline === null ? null : daysBetween(today, deadline);
  const kept = new TopK<Scored>(limit, compareRanking);
  const far = new TopK<Scored>(limit, compareNearest);
  const refused = new TopK<Scored>(limit, compareNearest);
  const scratch: CandidateOption = { unit: { id: '', name: '', regionCode: '' }, forecast: null, stale: false, capacityAvailable: null, distanceKm: 0, trackRecord: null };
  for (const c of data.candidates) {
    const distanceKm = geo.distance(municipality, c);
    if (c.acceptsOtherRegions === false && c.unit.regionCode !== homeRegionCode) {
      refused.offer(c, false, distanceKm, 3, 0);
      continue;
    }
    const stale =
      (c.reportValidFrom !== null && c.reportValidFrom < staleBefore) || (c.forecastDataAsOf !== null && c.forecastDataAsOf < staleBefore);
    if (maxDistanceKm !== null && distanceKm > maxDistanceKm) {
      far.offer(c, stale, distanceKm, 3, 0);
      continue;
    }
    scratch.unit = c.rankingUnit;
    scratch.forecast = c.forecast;
    scratch.stale = stale;
    scratch.capacityAvailable = c.capacityAvailable;
    scratch.distanceKm = distanceKm;
    const tier = tierOf(scratch, daysToDeadline);
    // with `limit` options of a better tier already kept, neither the score nor the track record can bring it in
    if (kept.full() && tier > kept.last().tier) {
      kept.count++;
      continue;
    }
    scratch.trackRecord = track.get(c.unit.hsaId) ?? null;
    kept.offer(c, stale, distanceKm, tier, scoreOption(scratch));
  }
  const optionOf = (p: Scored): CandidateOption => ({
    unit: p.c.rankingUnit,
    forecast: p.c.forecast,
    stale: p.stale,
    capacityAvailable: p.c.capacityAvailable,
    distanceKm: p.distanceKm,
    trackRecord: track.get(p.c.unit.hsaId) ?? null,
  });

  const ranked = rankSearch([...kept.items.map(optionOf), ...far.items.map(optionOf)], context);
  const searched = lookups.services.get(q.serviceId)!;
  const options: SearchOption[] = ranked.options.map((r) => {
    const c = byId.get(r.unit.id)!;
    return {
      rank: r.rank,
      tier: r.tier,
      unit: c.unit,
      offeredServiceId: c.offeredServiceId,
      homeRegion: c.unit.regionCode === homeRegionCode,
      forecastWaitDays: r.forecastWaitDays,
      forecastSource: r.forecastSource,
      earliestDate: r.earliestDate,
      meetsDeadline: r.meetsDeadline,
      daysSaved: r.daysSaved,
      distanceKm: r.distanceKm,
      travelMinutesEstimate: r.travelMinutesEstimate,
      capacityAvailable: r.capacityAvailable,
      weeklyCapacityForOtherRegions: c.weeklyCapacityForOtherRegions,
      reportedExpectedWaitDays: c.reportedExpectedWaitDays,
      capacityReportValidFrom: c.reportValidFrom,
      forecastDataAsOf: c.forecastDataAsOf,
      stale: r.stale,
      score: r.score,
      trackRecord: track.get(c.unit.hsaId) ?? null,
      reasons: c.offeredServiceId === q.serviceId ? r.reasons : withEquivalence(r.reasons, searched, lookups.services.get(c.offeredServiceId), c.offeredServiceId),
    };
  });

  const round1 = (x: number) => Math.round(x * 10) / 10;
  const excluded: SearchExcluded[] = [
    ...refused.items.map(({ c, distanceKm }) => ({
      unit: c.unit,
      offeredServiceId: c.offeredServiceId,
      distanceKm: round1(distanceKm),
      reasonCode: 'not_accepting_other_regions' as const,
      reason: {
        sv: `Tar enligt sin kapacitetsrapport (från ${c.reportValidFrom}) inte emot patienter från andra regioner`,
        en: `Takes no patients from other regions, according to its capacity report (from ${c.reportValidFrom})`,
      },
    })),
    ...ranked.excluded.map((e) => {
      const c = byId.get(e.unit.id)!;
      return { unit: c.unit, offeredServiceId: c.offeredServiceId, distanceKm: e.distanceKm, reasonCode: 'beyond_max_distance' as const, reason: e.reason };
    }),
  ]
    .sort((a, b) => (a.distanceKm ?? 0) - (b.distanceKm ?? 0) || compareIds(a.unit.hsaId, b.unit.hsaId))
    .slice(0, limit);

  return {
    serviceId: q.serviceId,
    municipalityCode: municipality.code,
    municipalityName: municipality.name,
    homeRegionCode,
    today,
    deadline,
    maxDistanceKm,
    staleAfterDays: q.staleAfterDays,
    homeForecastDays,
    total: kept.count,
    limit,
    options,
    excludedCount: refused.count + far.count,
    excluded,
  };
}

/**
 * The ranking's reasons of an option at a unit offering a declared equivalent, with the equivalence said second (right
 * after the forecast, which is the equivalent's), in the catalogue's names.
 */
function withEquivalence(reasons: Reason[], searched: ServiceName, offered: ServiceName | undefined, offeredServiceId: string): Reason[] {
  const name = offered ?? { sv: offeredServiceId, en: offeredServiceId };
  const equivalence: Reason = {
    sv: `Erbjuder ${name.sv} — deklarerad som likvärdig med ${searched.sv}`,
    en: `Offers ${name.en} — declared equivalent to ${searched.en}`,
  };
  return [...reasons.slice(0, 1), equivalence, ...reasons.slice(1)];
}

/** The tier of src/domain/ranking.ts (docs/methods/ranking.md, "Tiers"), for picking the first `limit` before ranking them. */
function tierOf(o: CandidateOption, daysToDeadline: number | null): Tier {
  if (o.stale || o.forecast === null) return 3;
  const meets = daysToDeadline === null ? null : Math.ceil(o.forecast.days) <= daysToDeadline;
  return o.capacityAvailable === true && meets !== false ? 1 : 2;
}

/** A candidate as considered by one search. */
interface Scored {
  c: Candidate;
  stale: boolean;
  distanceKm: number;
  tier: Tier;
  score: number;
}

/** The ranking's order: tier, score (highest first), distance (nearest first), HSA-id (code-unit order). */
const compareRanking = (a: Scored, b: Scored): number =>
  a.tier - b.tier || b.score - a.score || a.distanceKm - b.distanceKm || compareIds(a.c.unit.hsaId, b.c.unit.hsaId);
/** Nearest first, then HSA-id. */
const compareNearest = (a: Scored, b: Scored): number => a.distanceKm - b.distanceKm || compareIds(a.c.unit.hsaId, b.c.unit.hsaId);

/** The first k of a stream in a total order (kept sorted; a candidate after the current k-th costs one comparison), and the count. */
class TopK<T extends Scored> {
  readonly items: T[] = [];
  count = 0;
  private readonly probe: Scored = { c: undefined as unknown as Candidate, stale: false, distanceKm: 0, tier: 3, score: 0 };

  constructor(
    private readonly k: number,
    private readonly compare: (a: Scored, b: Scored) => number,
  ) {}

  full(): boolean {
    return this.items.length === this.k;
  }

  /** The k-th so far (call only when full). */
  last(): T {
    return this.items[this.k - 1]!;
  }

  offer(c: Candidate, stale: boolean, distanceKm: number, tier: Tier, score: number): void {
    this.count++;
    const items = this.items;
    const probe = this.probe;
    probe.c = c;
    probe.stale = stale;
    probe.distanceKm = distanceKm;
    probe.tier = tier;
    probe.score = score;
    if (items.length === this.k && this.compare(probe, items[this.k - 1]!) >= 0) return;
    let lo = 0;
    let hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.compare(items[mid]!, probe) <= 0) lo = mid + 1;
      else hi = mid;
    }
    items.splice(lo, 0, { c, stale, distanceKm, tier, score } as T);
    if (items.length > this.k) items.pop();
  }
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
