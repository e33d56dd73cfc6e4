/**
 * The CSV of the tables the statistics page shows, written by the platform's own spreadsheet-safe writer
 * (src/domain/csv.ts, the one the open data uses: RFC 4180, formulas neutralised, a hidden figure an empty cell), with a
 * byte-order mark so spreadsheet programs read å, ä and ö.
 */
export { csvCell, toCsv, type CsvValue as CsvCell } from '../../../../src/domain/csv.js';

/** A data: URL of the CSV, for a download link (the page's CSP allows no blob: objects to be needed). */
export function csvHref(csv: string): string {
  return `data:text/csv;charset=utf-8,${encodeURIComponent(`\uFEFF${csv}`)}`;
}
