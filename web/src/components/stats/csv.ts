/**
 * A small, spreadsheet-safe CSV writer for the tables the statistics page shows (RFC 4180, UTF-8 with a byte-order
 * mark so spreadsheet programs read å, ä and ö). Text that a spreadsheet would run as a formula (a cell starting with
 * = + - @ TAB or CR) gets a leading apostrophe, as the open data does. Numbers are written as they are (a negative
 * number is a number, not a formula); a hidden figure is an empty cell.
 */
export type CsvCell = string | number | boolean | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(v: CsvCell): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  const safe = FORMULA_START.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function toCsv(header: string[], rows: CsvCell[][]): string {
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/** A data: URL of the CSV, for a download link (the page's CSP allows no blob: objects to be needed). */
export function csvHref(csv: string): string {
  return `data:text/csv;charset=utf-8,${encodeURIComponent(`\uFEFF${csv}`)}`;
}
