/**
 * Synthetic waiting lists consistent with a directory: pure and deterministic from a seed (no I/O, no clock,
 * no Math.random), streamed row by row so that a 1,000,000-row file never sits in memory.
 *
 * The model, in short: every region, unit and service has a load factor (drawn from its own seed stream, so a region
 * looks the same whether it is generated alone or with the others); an episode's clock starts uniformly over the
 * 18 months before `today`; its wait is drawn around the median of its unit (service base × region load × unit load);
 * if clock start + wait + pauses is before today the episode is completed on that day, otherwise it is still waiting.
 * So long-loaded units have many long waiters and breaches, short-loaded ones few — the way real queues look.
 */
import { addDays } from '../../domain/calendar.js';
import { deriveSeed, mulberry32, type Random } from '../../domain/random.js';
import type { WaitingListRow } from '../../domain/waiting-list.js';

export interface WaitingListDirectory {
  regions: readonly { code: string; lat: number; lng: number }[];
  municipalities: readonly { code: string; regionCode: string }[];
  units: readonly { hsaId: string; regionCode: string; municipalityCode: string; kind: string; serviceIds: readonly string[] }[];
  services: readonly { id: string; contactType: string; specialty: string }[];
}

export interface WaitingListGenerateOptions {
  seed: number;
  /** the calendar date the list is "as of" (YYYY-MM-DD) */
  today: string;
  regionCode: string;
  rows: number;
}

/** How far back clock starts go: 18 months. */
export const HISTORY_DAYS = 548;
const REMOVED_SHARE = 0.03;
const PVV_SHARE = 0.12;
const MOV_SHARE = 0.06;
const NEIGHBOUR_SHARE = 0.08;

/** The median wait, in days, of a service of this contact type at a unit of load 1. */
const BASE_MEDIAN_DAYS: Record<string, number> = { primary_assessment: 2, first_visit: 45, treatment: 70 };
/** Relative size of a unit's flow of referrals, by kind. */
const KIND_SIZE: Record<string, number> = { hospital: 5, clinic: 2, primary_care: 1 };

/** A standard normal draw (Box–Muller). */
function normal(rng: Random): number {
  const u = Math.max(rng.next(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/** A region's load: most near 1, some clearly short (≈0.5) or long (≈2.5) queues. */
export function regionLoad(seed: number, regionCode: string): number {
  return clamp(Math.exp(0.5 * normal(mulberry32(deriveSeed(seed, `wl-region-${regionCode}`)))), 0.45, 2.6);
}
/** A unit's load relative to its region's. */
export function unitLoad(seed: number, hsaId: string): number {
  return clamp(Math.exp(0.3 * normal(mulberry32(deriveSeed(seed, `wl-unit-${hsaId}`)))), 0.55, 1.8);
}
function unitSize(seed: number, unit: WaitingListDirectory['units'][number]): number {
  return (KIND_SIZE[unit.kind] ?? 1) * (0.5 + mulberry32(deriveSeed(seed, `wl-size-${unit.hsaId}`)).next());
}

/** The median wait in days of a unit and service (what the capacity seed reports as its expected wait, roughly). */
export function medianWaitDays(seed: number, unit: { hsaId: string; regionCode: string }, contactType: string): number {
  return (BASE_MEDIAN_DAYS[contactType] ?? 45) * regionLoad(seed, unit.regionCode) * unitLoad(seed, unit.hsaId);
}

/** Typical ages of the patients of a service: [min, max]. */
function ageRange(serviceId: string, specialty: string): [number, number] {
  if (specialty === 'child-adolescent-psychiatry' || serviceId.includes('children')) return [4, 17];
  if (serviceId === 'tonsillectomy') return [4, 40];
  if (['cataract-surgery', 'intravitreal-injection', 'prostate-resection'].includes(serviceId)) return [55, 92];
  if (['hip-replacement', 'knee-replacement', 'spinal-stenosis-surgery'].includes(serviceId)) return [45, 90];
  if (specialty === 'psychiatry') return [18, 70];
  if (serviceId === 'gastric-bypass') return [20, 62];
  if (specialty === 'primary-care') return [0, 95];
  return [18, 88];
}

function sexFor(rng: Random, specialty: string, serviceId: string): 'F' | 'M' | 'U' {
  if (specialty === 'gynaecology' || serviceId === 'breast-reduction') return 'F';
  if (serviceId === 'prostate-resection') return 'M';
  const r = rng.next();
  const female = specialty === 'urology' ? 0.2 : 0.55;
  return r < 0.008 ? 'U' : r < female ? 'F' : 'M';
}

function patientKey(rng: Random): string {
  let s = '';
  for (let i = 0; i < 8; i++) s += Math.floor(rng.next() * 4294967296).toString(16).padStart(8, '0');
  return s;
}

/** The two regions nearest to a region, by centroid: where a few of its patients come from. */
function neighbours(dir: WaitingListDirectory, regionCode: string): string[] {
  const home = dir.regions.find((r) => r.code === regionCode);
  if (!home) return [];
  return dir.regions
    .filter((r) => r.code !== regionCode)
    .map((r) => ({ code: r.code, d: (r.lat - home.lat) ** 2 + ((r.lng - home.lng) * Math.cos((home.lat * Math.PI) / 180)) ** 2 }))
    .sort((a, b) => a.d - b.d)
    .slice(0, 2)
    .map((r) => r.code);
}

/** How many of `total` rows each region gets: proportional to the referral flow of its units. */
export function allocateRows(dir: WaitingListDirectory, seed: number, total: number): Map<string, number> {
  const weight = new Map<string, number>();
  for (const u of dir.units) weight.set(u.regionCode, (weight.get(u.regionCode) ?? 0) + unitSize(seed, u) * u.serviceIds.length);
  const sum = [...weight.values()].reduce((a, b) => a + b, 0);
  const codes = [...weight.keys()].sort();
  const out = new Map<string, number>();
  let given = 0;
  codes.forEach((code, i) => {
    const n = i === codes.length - 1 ? total - given : Math.round((total * weight.get(code)!) / sum);
    out.set(code, Math.max(0, n));
    given += n;
  });
  return out;
}

interface Pair { hsaId: string; municipalityCode: string; service: WaitingListDirectory['services'][number]; medianDays: number }

/**
 * The rows of one region's waiting list, one at a time. Every row passes validateRow for that region and `today`.
 * record_id is `<region>-<sequence>`, unique within the region.
 */
export function* generateWaitingList(dir: WaitingListDirectory, opts: WaitingListGenerateOptions): Generator<WaitingListRow> {
  const services = new Map(dir.services.map((s) => [s.id, s]));
  const units = dir.units.filter((u) => u.regionCode === opts.regionCode).slice().sort((a, b) => a.hsaId.localeCompare(b.hsaId));
  const pairs: Pair[] = [];
  const cumulative: number[] = [];
  let total = 0;
  for (const u of units) {
    const size = unitSize(opts.seed, u);
    for (const id of [...u.serviceIds].sort()) {
      const service = services.get(id);
      if (!service) continue;
      pairs.push({ hsaId: u.hsaId, municipalityCode: u.municipalityCode, service, medianDays: medianWaitDays(opts.seed, u, service.contactType) });
      // primary care sees many more patients per unit than a specialist service
      total += size * (service.contactType === 'primary_assessment' ? 3 : 1);
      cumulative.push(total);
    }
  }
  if (pairs.length === 0) throw new Error(`region ${opts.regionCode} has no units offering services in the directory`);
  const homeMunicipalities = dir.municipalities.filter((m) => m.regionCode === opts.regionCode).map((m) => m.code).sort();
  const neighbourMunicipalities = neighbours(dir, opts.regionCode).flatMap((code) => dir.municipalities.filter((m) => m.regionCode === code).map((m) => m.code)).sort();
  const year = Number(opts.today.slice(0, 4));
  const rng = mulberry32(deriveSeed(opts.seed, `wl-rows-${opts.regionCode}`));
  // date strings by offset from today (−HISTORY_DAYS … +100): addDays per row would cost more than the rest of the row
  const dates = Array.from({ length: HISTORY_DAYS + 101 }, (_, i) => addDays(opts.today, i - HISTORY_DAYS));
  const day = (offset: number) => dates[offset + HISTORY_DAYS]!;

  for (let i = 0; i < opts.rows; i++) {
    // the pair, by binary search over the cumulative weights
    const r = rng.next() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! > r) hi = mid;
      else lo = mid + 1;
    }
    const pair = pairs[lo]!;
    const { service } = pair;

    const elapsed = rng.int(HISTORY_DAYS + 1);
    const clockStart = day(-elapsed);
    const waitDays = Math.max(0, Math.round(pair.medianDays * Math.exp(0.65 * normal(rng))));
    let pvv = rng.chance(PVV_SHARE) ? rng.between(7, 60) : 0;
    let mov = rng.chance(MOV_SHARE) ? rng.between(7, 90) : 0;
    const endOffset = waitDays + pvv + mov;
    let status: WaitingListRow['status'] = endOffset <= elapsed ? 'completed' : 'waiting';
    if (rng.chance(REMOVED_SHARE)) status = 'removed';
    if (status !== 'completed' && pvv + mov > elapsed) {
      // pauses so far cannot be longer than the time since the clock started
      const f = elapsed / (pvv + mov);
      pvv = Math.floor(pvv * f);
      mov = Math.floor(mov * f);
    }
    const completedOn = status === 'completed' ? day(endOffset - elapsed) : null;
    let bookedOn: string | null = null;
    if (status === 'waiting' && rng.chance(0.3)) bookedOn = day(rng.between(1, 75));
    else if (status === 'completed' && rng.chance(0.5)) bookedOn = completedOn;

    const [minAge, maxAge] = ageRange(service.id, service.specialty);
    const sex = sexFor(rng, service.specialty, service.id);
    const birthYear = Math.max(1900, Math.min(year, year - rng.between(minAge, maxAge)));
    const homeMunicipality =
      neighbourMunicipalities.length > 0 && rng.chance(NEIGHBOUR_SHARE) ? rng.pick(neighbourMunicipalities)
      : rng.chance(0.45) ? pair.municipalityCode
      : homeMunicipalities.length > 0 ? rng.pick(homeMunicipalities)
      : pair.municipalityCode;

    yield {
      recordId: `${opts.regionCode}-${String(i + 1).padStart(8, '0')}`,
      regionCode: opts.regionCode,
      unitHsaId: pair.hsaId,
      serviceId: service.id,
      patientKey: patientKey(rng),
      sex,
      birthYear,
      homeMunicipality,
      clockStart,
      patientChosenDays: pvv,
      medicalPauseDays: mov,
      status,
      completedOn,
      bookedOn,
    };
  }
}

/** A row as the file's fields (the CSV / NDJSON column names), empty strings for absent optional dates. */
export function rowToRecord(row: WaitingListRow): Record<string, string> {
  return {
    record_id: row.recordId, region_code: row.regionCode, unit_hsa_id: row.unitHsaId, service_id: row.serviceId, patient_key: row.patientKey,
    sex: row.sex, birth_year: String(row.birthYear), home_municipality: row.homeMunicipality, clock_start: row.clockStart,
    patient_chosen_days: String(row.patientChosenDays), medical_pause_days: String(row.medicalPauseDays), status: row.status,
    completed_on: row.completedOn ?? '', booked_on: row.bookedOn ?? '',
  };
}
