/**
 * CSV writing for open data and downloads (RFC 4180, UTF-8), safe to open in a spreadsheet: a text cell that starts with
 * = + - @ TAB or CR could be read as a formula (CSV injection), so it gets a leading apostrophe. Numbers are written as
 * they are (a negative number is a number, not a formula). Pure.
 */

export type CsvValue = string | number | boolean | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;

/** One cell: empty for null/undefined, numbers as numbers, text neutralised against formulas and quoted when needed. */
export function csvCell(v: CsvValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  const text = FORMULA_START.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A whole file: the header and the rows, CRLF line ends (RFC 4180), ending with a line end. */
export function toCsv(columns: readonly string[], rows: readonly (readonly CsvValue[])[]): string {
  return [columns.map(csvCell).join(','), ...rows.map((r) => r.map(csvCell).join(','))].join('\r\n') + '\r\n';
}
