/**
 * The synthetic national demo directory, generated from reference data and a seed: pure and deterministic
 * (no I/O, no clock, no Math.random), so that a seed always gives the same directory and tests can check it without a database.
 * Kept here rather than in src/domain because the test template is rebuilt whenever src/services/seed changes.
 */
import { deriveSeed, mulberry32, type Random } from '../../domain/random.js';
import { luhnCheckDigit } from '../../domain/luhn.js';
import type { ContactType } from '../../domain/directory.js';
import {
  CLINIC_WEIGHTS, COMPANY_BRANDS, DISTRICTS, GENERIC_WORDS, HALSOCENTRAL_REGIONS, PRIMARY_CARE_COMPANY_WORD,
  PRIVATE_PROVIDER_REGIONS, PRIVATE_SPECIALTY_WEIGHTS, SPECIALTY_WORDS, municipalityWeight, slug,
} from './names.js';

export interface DirectoryReference {
  regions: readonly { code: string; region: string; seat: string; populationApprox: number }[];
  municipalities: readonly { code: string; name: string; regionCode: string; lat: number; lng: number }[];
  services: readonly { id: string; contactType: ContactType; specialty: string }[];
  /** the real region organisations (real names and organisation numbers) */
  regionOrganizations: readonly { id: string; name: string; organizationNumber: string; regionCode: string }[];
}
export interface GenerateOptions {
  seed: number;
  /** N gives N times the units (N layers; layer k is the same whatever N, so a larger scale only adds units) */
  scale: number;
}
export interface SyntheticOrganization {
  id: string; name: string; organizationNumber: string; kind: 'region' | 'private'; regionCode: string | null; synthetic: boolean;
}
export interface SyntheticUnit {
  hsaId: string; name: string; organizationId: string; regionCode: string; municipalityCode: string;
  lat: number; lng: number; kind: 'hospital' | 'clinic' | 'primary_care'; serviceIds: string[];
}
export interface DemoClientSpec { id: string; name: string; roles: string[]; regionCode: string | null; organizationId: string | null }
export interface DemoDirectory { organizations: SyntheticOrganization[]; units: SyntheticUnit[]; clients: DemoClientSpec[] }

/** Inhabitants per public unit at scale 1: about 650 public units for Sweden's 10.5 million. */
const INHABITANTS_PER_UNIT = 16_000;
const INHABITANTS_PER_HOSPITAL = 300_000;
const MIN_UNITS_PER_REGION = 8;
/** Every service should be offered in at least this many regions, so cross-region brokering has somewhere to go. */
const MIN_REGIONS_PER_SERVICE = 3;
const BOUNDS = { lat: [55, 69.1], lng: [10.5, 24.2] } as const;

type Municipality = DirectoryReference['municipalities'][number];
interface Catalogue { primary: string[]; specialties: string[]; bySpecialty: Map<string, { firstVisits: string[]; treatments: string[] }> }
interface Company { org: SyntheticOrganization; /** what its units are called before the town */ unitWord: string; specialties: string[]; primaryCare: boolean; regions: string[]; unitsPerLayer: number }

export function generateDemoDirectory(ref: DirectoryReference, opts: GenerateOptions): DemoDirectory {
  const scale = Math.max(1, Math.floor(opts.scale));
  const catalogue = catalogueOf(ref.services);
  const regions = [...ref.regions].sort((a, b) => a.code.localeCompare(b.code));
  const municipalitiesByRegion = new Map<string, Municipality[]>();
  for (const m of [...ref.municipalities].sort((a, b) => a.code.localeCompare(b.code)))
    municipalitiesByRegion.set(m.regionCode, [...(municipalitiesByRegion.get(m.regionCode) ?? []), m]);

  const regionOrgs: SyntheticOrganization[] = [...ref.regionOrganizations]
    .sort((a, b) => a.regionCode.localeCompare(b.regionCode))
    .map((o) => ({ id: o.id, name: o.name, organizationNumber: o.organizationNumber, kind: 'region', regionCode: o.regionCode, synthetic: false }));
  const companies = privateCompanies(mulberry32(deriveSeed(opts.seed, 'organizations')), catalogue, regionOrgs, new Set(municipalitiesByRegion.keys()));

  const names = new Set<string>();
  const units: SyntheticUnit[] = [];
  for (let layer = 0; layer < scale; layer++) {
    const rng = mulberry32(deriveSeed(opts.seed, `units-${layer}`));
    const layerUnits: SyntheticUnit[] = [];
    const hsa = hsaIssuer(layer);
    for (const region of regions) {
      const org = regionOrgs.find((o) => o.regionCode === region.code);
      const municipalities = municipalitiesByRegion.get(region.code) ?? [];
      if (!org || municipalities.length === 0) continue;
      layerUnits.push(...publicUnits(rng, region, org, municipalities, catalogue, names, hsa));
    }
    for (const c of companies) layerUnits.push(...companyUnits(rng, c, municipalitiesByRegion, regions, catalogue, names, hsa));
    spreadServices(rng, layerUnits, ref.services.map((s) => s.id));
    units.push(...layerUnits);
  }
  const organizations = [...regionOrgs, ...companies.map((c) => c.org)];
  return { organizations, units, clients: demoClients(regions, organizations) };
}

function catalogueOf(services: DirectoryReference['services']): Catalogue {
  const sorted = [...services].sort((a, b) => a.id.localeCompare(b.id));
  const bySpecialty = new Map<string, { firstVisits: string[]; treatments: string[] }>();
  for (const s of sorted) {
    if (s.contactType === 'primary_assessment') continue;
    const g = bySpecialty.get(s.specialty) ?? { firstVisits: [], treatments: [] };
    (s.contactType === 'first_visit' ? g.firstVisits : g.treatments).push(s.id);
    bySpecialty.set(s.specialty, g);
  }
  return {
    primary: sorted.filter((s) => s.contactType === 'primary_assessment').map((s) => s.id),
    specialties: [...bySpecialty.keys()].sort(),
    bySpecialty,
  };
}

/** Services of one specialty at a unit: its first visits always, each treatment with probability p. */
function specialtyServices(rng: Random, c: Catalogue, specialty: string, p: number): string[] {
  const g = c.bySpecialty.get(specialty);
  if (!g) return [];
  const picked = [...g.firstVisits, ...g.treatments.filter(() => rng.chance(p))];
  return picked.length > 0 ? picked : [rng.pick(g.treatments)];
}

/** Unit suffixes ('E' + a running number per organisation, and the layer beyond the first), unique within the issuer. */
function hsaIssuer(layer: number) {
  const next = new Map<string, number>();
  return (organizationNumber: string): string => {
    const n = (next.get(organizationNumber) ?? 0) + 1;
    if (n > 9999) throw new Error('more than 9999 synthetic units for one organisation in one layer');
    next.set(organizationNumber, n);
    return `SE${organizationNumber.replace('-', '')}-E${String(n).padStart(4, '0')}${layer > 0 ? `S${layer}` : ''}`;
  };
}

/** The first free name among the candidates, else the first with a number; names stay unique in the whole directory. */
function uniqueName(names: Set<string>, candidates: string[]): string {
  let name = candidates.find((c) => !names.has(c));
  for (let i = 2; !name; i++) if (!names.has(`${candidates[0]} ${i}`)) name = `${candidates[0]} ${i}`;
  names.add(name);
  return name;
}

function place(rng: Random, m: Municipality, spread: number): { lat: number; lng: number } {
  const clamp = (v: number, [lo, hi]: readonly [number, number]) => Math.min(hi, Math.max(lo, v));
  const round = (v: number) => Math.round(v * 100_000) / 100_000;
  // about ±2 km north–south and a similar distance east–west at Swedish latitudes
  return {
    lat: round(clamp(m.lat + (rng.next() * 2 - 1) * 0.02 * spread, BOUNDS.lat)),
    lng: round(clamp(m.lng + (rng.next() * 2 - 1) * 0.035 * spread, BOUNDS.lng)),
  };
}

/**
 * Draws municipalities by weight raised to `concentration` (hospitals and private clinics gather in the larger towns more
 * than primary care does); `spread` draws without replacement until every municipality has had its turn.
 */
function municipalityDrawer(rng: Random, municipalities: Municipality[], seat: string, spread: boolean, concentration: number) {
  const isSeat = (m: Municipality) => m.name === seat || seat.startsWith(m.name);
  const weights = municipalities.map((m) => municipalityWeight(m.name, isSeat(m)) ** concentration);
  let pool: number[] = [];
  return {
    seat: () => municipalities.find(isSeat) ?? municipalities[weights.indexOf(Math.max(...weights))]!,
    draw: (): Municipality => {
      if (!spread) return municipalities[rng.weightedIndex(weights)]!;
      if (pool.length === 0) pool = municipalities.map((_, i) => i);
      const k = rng.weightedIndex(pool.map((i) => weights[i]!));
      const [i] = pool.splice(k, 1);
      return municipalities[i!]!;
    },
  };
}

function publicUnits(
  rng: Random, region: DirectoryReference['regions'][number], org: SyntheticOrganization, municipalities: Municipality[],
  c: Catalogue, names: Set<string>, hsa: (orgNo: string) => string,
): SyntheticUnit[] {
  const total = Math.max(MIN_UNITS_PER_REGION, Math.round(region.populationApprox / INHABITANTS_PER_UNIT));
  const hospitals = c.specialties.length > 0 ? Math.min(7, Math.max(1, Math.round(region.populationApprox / INHABITANTS_PER_HOSPITAL))) : 0;
  let primaryCare = c.primary.length > 0 ? Math.round((total - hospitals) * 0.6) : 0;
  if (c.specialties.length === 0) primaryCare = total - hospitals;
  const clinics = total - hospitals - primaryCare;
  const unit = (m: Municipality, kind: SyntheticUnit['kind'], name: string, serviceIds: string[], spread: number): SyntheticUnit => ({
    hsaId: hsa(org.organizationNumber), name, organizationId: org.id, regionCode: region.code, municipalityCode: m.code,
    ...place(rng, m, spread), kind, serviceIds: [...new Set(serviceIds)].sort(),
  });
  const out: SyntheticUnit[] = [];

  const hospitalTowns = municipalityDrawer(rng, municipalities, region.seat, true, 2);
  const seat = hospitalTowns.seat();
  for (let i = 0; i < hospitals; i++) {
    let m = i === 0 ? seat : hospitalTowns.draw();
    if (i > 0 && m === seat && municipalities.length > 1) m = hospitalTowns.draw();
    // the county hospital at the seat has every specialty; the others most of them
    const specialties = i === 0 ? c.specialties : c.specialties.filter(() => rng.chance(0.6));
    const services = (specialties.length > 0 ? specialties : [rng.pick(c.specialties)]).flatMap((s) => specialtyServices(rng, c, s, i === 0 ? 0.9 : 0.75));
    // the county hospital takes the seat's town name (Visby, Falun), which can differ from the municipality's (Gotland, Falu)
    const town = i === 0 ? region.seat : m.name;
    const name = uniqueName(names, [`${i === 0 ? 'Länssjukhuset' : rng.pick(['Sjukhuset', 'Lasarettet'])} i ${town}`, `Sjukhuset i ${town}`, `Lasarettet i ${town}`,
      ...rng.shuffle(DISTRICTS).map((d) => `Sjukhuset i ${town}, ${d}`)]);
    out.push(unit(m, 'hospital', name, services, 0.5));
  }

  const careWord = HALSOCENTRAL_REGIONS.has(region.code) ? 'hälsocentral' : 'vårdcentral';
  const careTowns = municipalityDrawer(rng, municipalities, region.seat, true, 1);
  for (let i = 0; i < primaryCare; i++) {
    const m = careTowns.draw();
    const name = uniqueName(names, [`${m.name} ${careWord}`, ...rng.shuffle(DISTRICTS).map((d) => `${careWord[0]!.toUpperCase()}${careWord.slice(1)}en ${d}, ${m.name}`)]);
    out.push(unit(m, 'primary_care', name, c.primary, 1));
  }

  const clinicTowns = municipalityDrawer(rng, municipalities, region.seat, false, 1.5);
  const clinicWeights = c.specialties.map((s) => CLINIC_WEIGHTS[s] ?? 1);
  for (let i = 0; i < clinics; i++) {
    const m = clinicTowns.draw();
    const first = c.specialties[rng.weightedIndex(clinicWeights)]!;
    const second = rng.chance(0.2) ? c.specialties[rng.weightedIndex(clinicWeights)]! : first;
    const specialties = [...new Set([first, second])];
    const word = specialties.length === 1 ? (SPECIALTY_WORDS[first] ?? GENERIC_WORDS).clinic : GENERIC_WORDS.clinic;
    const name = uniqueName(names, [`${word} ${m.name}`, ...rng.shuffle(DISTRICTS).map((d) => `${word} ${m.name} ${d}`)]);
    out.push(unit(m, 'clinic', name, specialties.flatMap((s) => specialtyServices(rng, c, s, 0.4)), 1));
  }
  return out;
}

/** About a dozen invented private provider companies, each active in one to three of the larger regions. */
function privateCompanies(rng: Random, c: Catalogue, regionOrgs: SyntheticOrganization[], regionsWithPlaces: Set<string>): Company[] {
  const regionCodes = Object.keys(PRIVATE_PROVIDER_REGIONS).filter((r) => regionsWithPlaces.has(r) && regionOrgs.some((o) => o.regionCode === r));
  if (regionCodes.length === 0 || (c.specialties.length === 0 && c.primary.length === 0)) return [];
  const takenNumbers = new Set(regionOrgs.map((o) => o.organizationNumber));
  const count = rng.between(11, 14);
  const specialtyWeights = c.specialties.map((s) => PRIVATE_SPECIALTY_WEIGHTS[s] ?? 0.3);
  return rng.shuffle(COMPANY_BRANDS).slice(0, count).map((brand) => {
    const roll = rng.next();
    const primaryCare = c.primary.length > 0 && (c.specialties.length === 0 || roll < 0.12);
    const specialties: string[] = [];
    if (!primaryCare) {
      specialties.push(c.specialties[rng.weightedIndex(specialtyWeights)]!);
      if (roll > 0.65) specialties.push(c.specialties[rng.weightedIndex(specialtyWeights)]!);
    }
    const distinct = [...new Set(specialties)];
    const word = primaryCare ? PRIMARY_CARE_COMPANY_WORD : distinct.length === 1 ? (SPECIALTY_WORDS[distinct[0]!] ?? GENERIC_WORDS).company : GENERIC_WORDS.company;
    const regionCount = Math.min(regionCodes.length, 1 + rng.weightedIndex([0.5, 0.35, 0.15]));
    const pool = [...regionCodes];
    const regions: string[] = [];
    while (regions.length < regionCount) regions.push(...pool.splice(rng.weightedIndex(pool.map((r) => PRIVATE_PROVIDER_REGIONS[r]!)), 1));
    let organizationNumber: string;
    do {
      const digits = `559${String(rng.int(1_000_000)).padStart(6, '0')}`;
      organizationNumber = `${digits.slice(0, 6)}-${digits.slice(6)}${luhnCheckDigit(digits)}`;
    } while (takenNumbers.has(organizationNumber));
    takenNumbers.add(organizationNumber);
    const org: SyntheticOrganization = { id: slug(`${brand} ${word}`), name: `${brand} ${word} AB`, organizationNumber, kind: 'private', regionCode: null, synthetic: true };
    const unitsPerLayer = Math.max(regions.length, primaryCare ? rng.between(4, 8) : rng.between(2, 6));
    return { org, unitWord: primaryCare ? `${brand} vårdcentral` : `${brand} ${word}`, specialties: distinct, primaryCare, regions: regions.sort(), unitsPerLayer };
  });
}

function companyUnits(
  rng: Random, company: Company, municipalitiesByRegion: Map<string, Municipality[]>, regions: DirectoryReference['regions'],
  c: Catalogue, names: Set<string>, hsa: (orgNo: string) => string,
): SyntheticUnit[] {
  const out: SyntheticUnit[] = [];
  for (let i = 0; i < company.unitsPerLayer; i++) {
    // one unit in each of its regions first, then where it pleases
    const regionCode = i < company.regions.length ? company.regions[i]! : rng.pick(company.regions);
    const municipalities = municipalitiesByRegion.get(regionCode)!;
    const seat = regions.find((r) => r.code === regionCode)?.seat ?? '';
    const m = municipalityDrawer(rng, municipalities, seat, false, 2).draw();
    const services = company.primaryCare ? c.primary : company.specialties.flatMap((s) => specialtyServices(rng, c, s, 0.7));
    const name = uniqueName(names, [`${company.unitWord} ${m.name}`, ...rng.shuffle(DISTRICTS).map((d) => `${company.unitWord} ${m.name} ${d}`)]);
    out.push({
      hsaId: hsa(company.org.organizationNumber), name, organizationId: company.org.id, regionCode, municipalityCode: m.code,
      ...place(rng, m, 1), kind: company.primaryCare ? 'primary_care' : 'clinic', serviceIds: [...new Set(services)].sort(),
    });
  }
  return out;
}

/** Make every service available in several regions: add it to hospitals of further regions where too few offer it. */
function spreadServices(rng: Random, units: SyntheticUnit[], serviceIds: string[]): void {
  const hospitals = units.filter((u) => u.kind === 'hospital');
  const regionCodes = [...new Set(hospitals.map((u) => u.regionCode))].sort();
  for (const id of [...serviceIds].sort()) {
    const offeredIn = new Set(units.filter((u) => u.serviceIds.includes(id)).map((u) => u.regionCode));
    for (const r of rng.shuffle(regionCodes)) {
      if (offeredIn.size >= Math.min(MIN_REGIONS_PER_SERVICE, regionCodes.length)) break;
      if (offeredIn.has(r)) continue;
      const h = rng.pick(hospitals.filter((u) => u.regionCode === r));
      h.serviceIds = [...h.serviceIds, id].sort();
      offeredIn.add(r);
    }
  }
}

/** The demo clients of the contract (secret "demo" is added by the seed): admin, analyst, per region and per provider organisation. */
function demoClients(regions: DirectoryReference['regions'], organizations: SyntheticOrganization[]): DemoClientSpec[] {
  return [
    { id: 'demo-admin', name: 'Demo admin (synthetic)', roles: ['admin'], regionCode: null, organizationId: null },
    { id: 'demo-analyst', name: 'Demo analyst (synthetic)', roles: ['analyst'], regionCode: null, organizationId: null },
    ...regions.flatMap((r) => [
      { id: `demo-coordinator-${r.code}`, name: `Demo coordinator, ${r.region} (synthetic)`, roles: ['coordinator'], regionCode: r.code, organizationId: null },
      { id: `demo-reporter-${r.code}`, name: `Demo reporter, ${r.region} (synthetic)`, roles: ['region-reporter'], regionCode: r.code, organizationId: null },
    ]),
    ...organizations.map((o) => ({ id: `demo-provider-${o.id}`, name: `Demo provider, ${o.name} (synthetic)`, roles: ['provider'], regionCode: null, organizationId: o.id })),
  ];
}
