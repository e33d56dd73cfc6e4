import { isCalendarDate } from './calendar.js';
import { parseHsaId } from './identifiers.js';
import type { FieldError } from './errors.js';

/** The columns of a waiting-list file (contract, "Waiting-list data"). Order is free; unknown columns are an error. */
export const WAITING_LIST_COLUMNS = [
  'record_id', 'region_code', 'unit_hsa_id', 'service_id', 'patient_key', 'sex', 'birth_year', 'home_municipality',
  'clock_start', 'patient_chosen_days', 'medical_pause_days', 'status', 'completed_on', 'booked_on',
] as const;
export type WaitingListColumn = (typeof WAITING_LIST_COLUMNS)[number];
export const OPTIONAL_COLUMNS: readonly WaitingListColumn[] = ['completed_on', 'booked_on'];
export const EPISODE_STATUSES = ['waiting', 'completed', 'removed'] as const;
export type EpisodeStatus = (typeof EPISODE_STATUSES)[number];

/** One valid row, typed. */
export interface WaitingListRow {
  recordId: string;
  regionCode: string;
  unitHsaId: string;
  serviceId: string;
  patientKey: string;
  sex: 'F' | 'M' | 'U';
  birthYear: number;
  homeMunicipality: string;
  clockStart: string;
  patientChosenDays: number;
  medicalPauseDays: number;
  status: EpisodeStatus;
  completedOn: string | null;
  bookedOn: string | null;
}

/** A personnummer or samordningsnummer shape: 10 or 12 digits, optionally with - or + before the last four. */
const IDENTITY_SHAPE = /^(?:\d{2})?\d{6}[-+]?\d{4}$/;
const HEX64 = /^[0-9a-f]{64}$/i;
const MAX_EXCLUDED_DAYS = 36_500;

/** Check the header: every required column present, no unknown or repeated column. */
export function checkHeader(columns: readonly string[]): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  for (const c of columns) {
    if (seen.has(c)) errors.push({ line: 1, field: c, message: `column ${c} appears twice; keep one` });
    seen.add(c);
    if (!(WAITING_LIST_COLUMNS as readonly string[]).includes(c))
      errors.push({ line: 1, field: c, message: `unknown column "${c}"; the columns are ${WAITING_LIST_COLUMNS.join(', ')}` });
  }
  for (const c of WAITING_LIST_COLUMNS)
    if (!seen.has(c) && !OPTIONAL_COLUMNS.includes(c)) errors.push({ line: 1, field: c, message: `column ${c} is missing` });
  return errors;
}

const show = (v: string): string => (v.length > 40 ? `${JSON.stringify(v.slice(0, 40))}…` : JSON.stringify(v));

/** The trimmed value of a column ('' when absent). */
function field(raw: Partial<Record<WaitingListColumn, string>>, c: WaitingListColumn): string {
  const v = raw[c];
  return v === undefined ? '' : v.trim();
}

function addError(errors: FieldError[] | undefined, line: number, field: WaitingListColumn, message: string): FieldError[] {
  const list = errors ?? [];
  list.push({ line, field, message });
  return list;
}

const HSA_CACHE_SIZE = 10_000;
const hsaCache = new Map<string, ReturnType<typeof parseHsaId>>();

/** parseHsaId, remembered: a file names a few hundred units a million times (a pure function, so the cache changes nothing). */
function hsaIdOf(v: string): ReturnType<typeof parseHsaId> {
  let r = hsaCache.get(v);
  if (r === undefined) {
    r = parseHsaId(v);
    if (hsaCache.size >= HSA_CACHE_SIZE) hsaCache.clear();
    hsaCache.set(v, r);
  }
  return r;
}

function wholeNumber(v: string, min: number, max: number): number | undefined {
  if (!/^\d{1,9}$/.test(v)) return undefined;
  const n = Number(v);
  return n >= min && n <= max ? n : undefined;
}

/**
 * Validate one row's formats and the rules that need no database (references are checked in bulk afterwards).
 * `today` is the Swedish calendar date of the submission; `regionCode` the submitter's region.
 */
export function validateRow(raw: Partial<Record<WaitingListColumn, string>>, line: number, today: string, regionCode: string): { row?: WaitingListRow; errors: FieldError[] } {
  // Runs for every row of a national file (a million): no closures (each would be allocated per row), and no
  // allocation on the valid path beyond the row.
  let errors: FieldError[] | undefined;
  const recordId = field(raw, 'record_id');
  if (recordId.length < 1 || recordId.length > 64) errors = addError(errors, line, 'record_id', `must be 1–64 characters, got ${recordId.length}`);

  const rc = field(raw, 'region_code');
  if (!/^\d{2}$/.test(rc)) errors = addError(errors, line, 'region_code', `${show(rc)} is not a region code (two digits)`);
  else if (rc !== regionCode) errors = addError(errors, line, 'region_code', `${rc} is not your region (${regionCode}); send only your own region's episodes`);

  const hsa = hsaIdOf(field(raw, 'unit_hsa_id'));
  if (!hsa.ok) errors = addError(errors, line, 'unit_hsa_id', hsa.message);

  const serviceId = field(raw, 'service_id');
  if (!/^[a-z0-9][a-z0-9-]{1,62}$/.test(serviceId)) errors = addError(errors, line, 'service_id', `${show(serviceId)} is not a service id; see GET /api/v1/services`);

  const patientKey = field(raw, 'patient_key');
  // 64 hexadecimal characters can never have a personnummer's shape, so the identity check runs only on bad keys
  if (!HEX64.test(patientKey)) {
    if (IDENTITY_SHAPE.test(patientKey.replace(/\s/g, '')))
      errors = addError(errors, line, 'patient_key', 'looks like a personnummer or samordningsnummer: send the region’s keyed pseudonym (64 hexadecimal characters), never the identity');
    else errors = addError(errors, line, 'patient_key', `must be 64 hexadecimal characters (the region’s keyed pseudonym), got ${patientKey.length} characters`);
  }

  const sex = field(raw, 'sex');
  if (sex !== 'F' && sex !== 'M' && sex !== 'U') errors = addError(errors, line, 'sex', `${show(sex)} is not F, M or U`);

  const currentYear = Number(today.slice(0, 4));
  const birthYear = wholeNumber(field(raw, 'birth_year'), 1900, currentYear);
  if (birthYear === undefined) errors = addError(errors, line, 'birth_year', `${show(field(raw, 'birth_year'))} is not a year between 1900 and ${currentYear}`);

  const home = field(raw, 'home_municipality');
  if (!/^\d{4}$/.test(home)) errors = addError(errors, line, 'home_municipality', `${show(home)} is not a municipality code (four digits)`);

  const clockStart = field(raw, 'clock_start');
  if (!isCalendarDate(clockStart)) errors = addError(errors, line, 'clock_start', `${show(clockStart)} is not a date (YYYY-MM-DD)`);
  else if (clockStart > today) errors = addError(errors, line, 'clock_start', `${clockStart} is in the future (today is ${today})`);

  const pvv = wholeNumber(field(raw, 'patient_chosen_days'), 0, MAX_EXCLUDED_DAYS);
  if (pvv === undefined) errors = addError(errors, line, 'patient_chosen_days', `${show(field(raw, 'patient_chosen_days'))} is not a whole number of days ≥ 0`);
  const mov = wholeNumber(field(raw, 'medical_pause_days'), 0, MAX_EXCLUDED_DAYS);
  if (mov === undefined) errors = addError(errors, line, 'medical_pause_days', `${show(field(raw, 'medical_pause_days'))} is not a whole number of days ≥ 0`);

  const status = field(raw, 'status');
  if (status !== 'waiting' && status !== 'completed' && status !== 'removed') errors = addError(errors, line, 'status', `${show(status)} is not waiting, completed or removed`);

  const completedOn = field(raw, 'completed_on');
  if (status === 'completed') {
    if (!completedOn) errors = addError(errors, line, 'completed_on', 'is required when status is completed');
    else if (!isCalendarDate(completedOn)) errors = addError(errors, line, 'completed_on', `${show(completedOn)} is not a date (YYYY-MM-DD)`);
    else if (isCalendarDate(clockStart) && completedOn < clockStart) errors = addError(errors, line, 'completed_on', `${completedOn} is before clock_start ${clockStart}`);
    else if (completedOn > today) errors = addError(errors, line, 'completed_on', `${completedOn} is in the future (today is ${today})`);
  } else if (completedOn) errors = addError(errors, line, 'completed_on', `must be empty unless status is completed (status is ${show(status)})`);

  const bookedOn = field(raw, 'booked_on');
  if (bookedOn && !isCalendarDate(bookedOn)) errors = addError(errors, line, 'booked_on', `${show(bookedOn)} is not a date (YYYY-MM-DD)`);

  if (errors) return { errors };
  return {
    errors: [],
    row: {
      recordId, regionCode: rc, unitHsaId: hsa.ok ? hsa.value : '', serviceId, patientKey: patientKey.toLowerCase(), sex: sex as 'F' | 'M' | 'U',
      birthYear: birthYear!, homeMunicipality: home, clockStart, patientChosenDays: pvv!, medicalPauseDays: mov!, status: status as EpisodeStatus,
      completedOn: completedOn || null, bookedOn: bookedOn || null,
    },
  };
}
