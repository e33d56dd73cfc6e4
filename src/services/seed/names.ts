/**
 * Vocabulary for the synthetic demo directory: invented names built from real place names.
 * Nothing here names a real care unit or company; the words only make the demo read like Swedish health care.
 */

/** What a clinic of a specialty is called ("Ögonmottagningen Kiruna") and the word a private company uses for it. */
export const SPECIALTY_WORDS: Record<string, { clinic: string; company: string }> = {
  orthopaedics: { clinic: 'Ortopedmottagningen', company: 'Ortopedi' },
  'hand-surgery': { clinic: 'Handkirurgiska mottagningen', company: 'Handkirurgi' },
  ophthalmology: { clinic: 'Ögonmottagningen', company: 'Ögonklinik' },
  'general-surgery': { clinic: 'Kirurgmottagningen', company: 'Kirurgi' },
  'vascular-surgery': { clinic: 'Kärlkirurgiska mottagningen', company: 'Kärlklinik' },
  urology: { clinic: 'Urologmottagningen', company: 'Urologi' },
  gynaecology: { clinic: 'Gynekologiska mottagningen', company: 'Gynekologi' },
  ent: { clinic: 'Öron-näsa-halsmottagningen', company: 'Öronklinik' },
  cardiology: { clinic: 'Hjärtmottagningen', company: 'Hjärtklinik' },
  dermatology: { clinic: 'Hudmottagningen', company: 'Hudklinik' },
  neurology: { clinic: 'Neurologmottagningen', company: 'Neurologi' },
  psychiatry: { clinic: 'Psykiatriska mottagningen', company: 'Psykiatri' },
  'child-adolescent-psychiatry': { clinic: 'BUP-mottagningen', company: 'Barnpsykiatri' },
  'plastic-surgery': { clinic: 'Plastikkirurgiska mottagningen', company: 'Plastikkirurgi' },
  gastroenterology: { clinic: 'Mag- och tarmmottagningen', company: 'Magtarmklinik' },
};
export const GENERIC_WORDS = { clinic: 'Specialistmottagningen', company: 'Specialistvård' };
export const PRIMARY_CARE_COMPANY_WORD = 'Vårdcentraler';

/**
 * How often a region runs a stand-alone clinic of a specialty (relative weights): psychiatry, child psychiatry,
 * eyes and skin are mostly outside the hospitals; the rest mainly inside them.
 */
export const CLINIC_WEIGHTS: Record<string, number> = {
  psychiatry: 5, 'child-adolescent-psychiatry': 4, ophthalmology: 3, dermatology: 2.5, orthopaedics: 2, gynaecology: 2,
  ent: 1.5, 'hand-surgery': 1, urology: 1, cardiology: 1, 'general-surgery': 1, gastroenterology: 1, neurology: 0.8,
  'plastic-surgery': 0.5, 'vascular-surgery': 0.5,
};

/** Elective specialties private providers typically run (relative weights). */
export const PRIVATE_SPECIALTY_WEIGHTS: Record<string, number> = {
  orthopaedics: 5, ophthalmology: 4, 'general-surgery': 2, 'hand-surgery': 2, gynaecology: 2, ent: 2, dermatology: 2,
  'plastic-surgery': 1.5, urology: 1.5, psychiatry: 1.5, 'vascular-surgery': 1, gastroenterology: 1, cardiology: 0.5,
};

/** Invented brand words for private companies ("Norrsken Ortopedi AB"). */
export const COMPANY_BRANDS = [
  'Norrsken', 'Fjällsippa', 'Havsörn', 'Lingonris', 'Granskog', 'Solvik', 'Ekhaga', 'Björkdal', 'Strandäng', 'Kustljus',
  'Älvdal', 'Tallmo', 'Vintergatan', 'Sjöbris', 'Ljunghed', 'Stenbro', 'Blåklint', 'Midsommar', 'Rönnbär', 'Vitsippa',
];

/** Larger regions where private providers are placed (SCB codes; Stockholm, Västra Götaland, Skåne, Uppsala, Östergötland). */
export const PRIVATE_PROVIDER_REGIONS: Record<string, number> = { '01': 5, '14': 4, '12': 4, '03': 2, '05': 2 };

/** Regions whose primary-care centres are called hälsocentral rather than vårdcentral. */
export const HALSOCENTRAL_REGIONS = new Set(['22', '23', '24', '25']);

/** Part-of-town words that tell several units in one municipality apart. */
export const DISTRICTS = [
  'Centrum', 'Norr', 'Söder', 'Öster', 'Väster', 'Hamnen', 'Torget', 'Parken', 'Stationen', 'Backen', 'Ängen',
  'Strand', 'Berget', 'Dalen', 'Skogen', 'Bruket', 'Kyrkbyn', 'Udden', 'Holmen', 'Åsen',
];

/**
 * Relative weight of a municipality when units are placed, so that larger towns get more units.
 * The reference data has no municipal populations, so the best-known larger municipalities are weighted by hand;
 * the weights are rough and only steer synthetic placement.
 */
const LARGEST: Record<string, number> = { Stockholm: 14, Göteborg: 10, Malmö: 7 };
const LARGE = new Set(['Uppsala', 'Linköping', 'Örebro', 'Västerås', 'Helsingborg', 'Norrköping', 'Jönköping', 'Umeå', 'Lund']);
const MEDIUM = new Set([
  'Borås', 'Huddinge', 'Eskilstuna', 'Nacka', 'Gävle', 'Halmstad', 'Södertälje', 'Sundsvall', 'Karlstad', 'Växjö', 'Botkyrka',
  'Kristianstad', 'Luleå', 'Skellefteå', 'Kungsbacka', 'Haninge', 'Järfälla', 'Solna', 'Täby', 'Mölndal', 'Sollentuna',
  'Östersund', 'Falu', 'Trollhättan', 'Kalmar', 'Varberg', 'Norrtälje', 'Skövde', 'Borlänge', 'Uddevalla', 'Karlskrona',
  'Lidingö', 'Örnsköldsvik', 'Hässleholm', 'Nyköping', 'Gotland', 'Landskrona', 'Trelleborg', 'Motala', 'Enköping', 'Piteå',
]);
export function municipalityWeight(name: string, isSeat: boolean): number {
  const w = LARGEST[name] ?? (LARGE.has(name) ? 4 : MEDIUM.has(name) ? 2.5 : 1);
  return isSeat ? Math.max(w, 3) : w;
}

/** ASCII slug for organisation ids ("Fjällsippa Ögonklinik AB" → "fjallsippa-ogonklinik"). */
export function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[åä]/g, 'a')
    .replace(/ö/g, 'o')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}
