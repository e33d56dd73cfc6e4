import { describe, expect, it } from 'vitest';
import { checkHeader, validateRow, WAITING_LIST_COLUMNS } from './waiting-list.js';

const today = '2026-11-26';
const good = {
  record_id: 'ep-1', region_code: '25', unit_hsa_id: 'SE2321000230-ORT1', service_id: 'knee-replacement', patient_key: 'a'.repeat(64),
  sex: 'F', birth_year: '1958', home_municipality: '2580', clock_start: '2026-06-01', patient_chosen_days: '0', medical_pause_days: '3',
  status: 'waiting', completed_on: '', booked_on: '',
};

describe('waiting-list header', () => {
  it('accepts the contract columns in any order, optional columns may be absent', () => {
    expect(checkHeader([...WAITING_LIST_COLUMNS].reverse())).toEqual([]);
    expect(checkHeader(WAITING_LIST_COLUMNS.filter((c) => c !== 'booked_on' && c !== 'completed_on'))).toEqual([]);
  });
  it('names missing, unknown and repeated columns', () => {
    const errors = checkHeader(['record_id', 'record_id', 'colour', ...WAITING_LIST_COLUMNS.filter((c) => c !== 'sex' && c !== 'record_id')]);
    expect(errors.map((e) => e.field).sort()).toEqual(['colour', 'record_id', 'sex']);
    expect(errors.every((e) => e.line === 1)).toBe(true);
  });
});

describe('waiting-list row rules (contract)', () => {
  it('accepts a valid row and types it', () => {
    expect(validateRow(good, 2, today, '25')).toEqual({
      errors: [],
      row: expect.objectContaining({ recordId: 'ep-1', birthYear: 1958, medicalPauseDays: 3, completedOn: null, unitHsaId: 'SE2321000230-ORT1' }),
    });
  });

  it.each([
    ['record_id', { record_id: '' }, /1–64/],
    ['record_id', { record_id: 'x'.repeat(65) }, /1–64/],
    ['region_code', { region_code: '01' }, /not your region/],
    ['region_code', { region_code: '1' }, /two digits/],
    ['unit_hsa_id', { unit_hsa_id: 'SE123' }, /not an HSA-id/],
    ['service_id', { service_id: 'Knä Protes' }, /not a service id/],
    ['patient_key', { patient_key: '19121212-1212' }, /personnummer/],
    ['patient_key', { patient_key: '191212121212' }, /personnummer/],
    ['patient_key', { patient_key: '121272-1219' }, /personnummer/], // samordningsnummer shape
    ['patient_key', { patient_key: 'abc' }, /64 hexadecimal/],
    ['sex', { sex: 'K' }, /F, M or U/],
    ['birth_year', { birth_year: '1899' }, /between 1900 and 2026/],
    ['birth_year', { birth_year: '2027' }, /between 1900 and 2026/],
    ['home_municipality', { home_municipality: '258' }, /four digits/],
    ['clock_start', { clock_start: '2026-13-01' }, /not a date/],
    ['clock_start', { clock_start: '2026-11-27' }, /future/],
    ['patient_chosen_days', { patient_chosen_days: '-1' }, /whole number/],
    ['medical_pause_days', { medical_pause_days: '2.5' }, /whole number/],
    ['status', { status: 'done' }, /waiting, completed or removed/],
    ['completed_on', { status: 'completed' }, /required/],
    ['completed_on', { status: 'completed', completed_on: '2026-05-01' }, /before clock_start/],
    ['completed_on', { completed_on: '2026-07-01' }, /must be empty/],
    ['booked_on', { booked_on: 'tomorrow' }, /not a date/],
  ] as const)('%s: %j is rejected', (field, change, message) => {
    const r = validateRow({ ...good, ...change }, 17, today, '25');
    expect(r.row).toBeUndefined();
    expect(r.errors).toContainEqual({ line: 17, field, message: expect.stringMatching(message) });
  });

  it('keeps a spreadsheet formula as plain text in record_id (it is data, escaped when written out)', () => {
    const r = validateRow({ ...good, record_id: '=HYPERLINK("http://x","y")' }, 2, today, '25');
    expect(r.row?.recordId).toBe('=HYPERLINK("http://x","y")');
  });
});
