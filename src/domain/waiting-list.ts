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
  const errors: FieldError[] = [];
  const err = (field: WaitingListColumn, message: string) => errors.push({ line, field, message });
  const get = (c: WaitingListColumn) => (raw[c] ?? '').trim();

  const recordId = get('record_id');
  if (recordId.length < 1 || recordId.length > 64) err('record_id', `must be 1–64 characters, got ${recordId.length}`);

  const rc = get('region_code');
  if (!/^\d{2}$/.test(rc)) err('region_code', `${show(rc)} is not a region code (two digits)`);
  else if (rc !== regionCode) err('region_code', `${rc} is not your region (${regionCode}); send only your own region's episodes`);

  const hsa = parseHsaId(get('unit_hsa_id'));
  if (!hsa.ok) err('unit_hsa_id', hsa.message);

  const serviceId = get('service_id');
  if (!/^[a-z0-9][a-z0-9-]{1,62}$/.test(serviceId)) err('service_id', `${show(serviceId)} is not a service id; see GET /api/v1/services`);

  const patientKey = get('patient_key');
  if (IDENTITY_SHAPE.test(patientKey.replace(/\s/g, '')))
    err('patient_key', 'looks like a personnummer or samordningsnummer: send the region’s keyed pseudonym (64 hexadecimal characters), never the identity');
  else if (!HEX64.test(patientKey)) err('patient_key', `must be 64 hexadecimal characters (the region’s keyed pseudonym), got ${patientKey.length} characters`);

  const sex = get('sex');
  if (sex !== 'F' && sex !== 'M' && sex !== 'U') err('sex', `${show(sex)} is not F, M or U`);

  const currentYear = Number(today.slice(0, 4));
  const birthYear = wholeNumber(get('birth_year'), 1900, currentYear);
  if (birthYear === undefined) err('birth_year', `${show(get('birth_year'))} is not a year between 1900 and ${currentYear}`);

  const home = get('home_municipality');
  if (!/^\d{4}$/.test(home)) err('home_municipality', `${show(home)} is not a municipality code (four digits)`);

  const clockStart = get('clock_start');
  if (!isCalendarDate(clockStart)) err('clock_start', `${show(clockStart)} is not a date (YYYY-MM-DD)`);
  else if (clockStart > today) err('clock_start', `${clockStart} is in the future (today is ${today})`);

  const pvv = wholeNumber(get('patient_chosen_days'), 0, MAX_EXCLUDED_DAYS);
  if (pvv === undefined) err('patient_chosen_days', `${show(get('patient_chosen_days'))} is not a whole number of days ≥ 0`);
  const mov = wholeNumber(get('medical_pause_days'), 0, MAX_EXCLUDED_DAYS);
  if (mov === undefined) err('medical_pause_days', `${show(get('medical_pause_days'))} is not a whole number of days ≥ 0`);

  const status = get('status');
  if (!(EPISODE_STATUSES as readonly string[]).includes(status)) err('status', `${show(status)} is not waiting, completed or removed`);

  const completedOn = get('completed_on');
  if (status === 'completed') {
    if (!completedOn) err('completed_on', 'is required when status is completed');
    else if (!isCalendarDate(completedOn)) err('completed_on', `${show(completedOn)} is not a date (YYYY-MM-DD)`);
    else if (isCalendarDate(clockStart) && completedOn < clockStart) err('completed_on', `${completedOn} is before clock_start ${clockStart}`);
    else if (completedOn > today) err('completed_on', `${completedOn} is in the future (today is ${today})`);
  } else if (completedOn) err('completed_on', `must be empty unless status is completed (status is ${show(status)})`);

  const bookedOn = get('booked_on');
  if (bookedOn && !isCalendarDate(bookedOn)) err('booked_on', `${show(bookedOn)} is not a date (YYYY-MM-DD)`);

  if (errors.length > 0) return { errors };
  return {
    errors,
    row: {
      recordId, regionCode: rc, unitHsaId: hsa.ok ? hsa.value : '', serviceId, patientKey: patientKey.toLowerCase(), sex: sex as 'F' | 'M' | 'U',
      birthYear: birthYear!, homeMunicipality: home, clockStart, patientChosenDays: pvv!, medicalPauseDays: mov!, status: status as EpisodeStatus,
      completedOn: completedOn || null, bookedOn: bookedOn || null,
    },
  };
}
