import fs from 'node:fs';
import { Readable } from 'node:stream';
import { parse as csvParse, type CsvError, type Options } from 'csv-parse';
import { AppError, type FieldError } from '../../domain/errors.js';
import { WAITING_LIST_COLUMNS, checkHeader, type WaitingListColumn } from '../../domain/waiting-list.js';

/** The longest record (CSV) or line (NDJSON) accepted, in characters; a real row is a few hundred. */
export const MAX_RECORD_CHARS = 64 * 1024;

export type WaitingListFormat = 'csv' | 'ndjson';

/** One data record of the file: its line number and the raw values by column. */
export interface RawRecord {
  line: number;
  raw: Partial<Record<WaitingListColumn, string>>;
}

/** A record that cannot be read as a row at all (wrong number of fields, not a JSON object …): reported, parsing goes on. */
export interface BrokenRecord {
  line: number;
  errors: FieldError[];
}

/** A problem that stops reading the file (broken quoting, a line too long, a bad header): the file is rejected with it. */
export const fatal = (errors: FieldError[], message: string): AppError => new AppError('validation', message, { errors, extra: { errorCount: errors.length } });

/** Decode a spooled file's bytes as text chunks, counting the bytes read. */
async function* decoded(path: string, encoding: 'utf-8' | 'windows-1252', onBytes: (n: number) => void): AsyncGenerator<string> {
  const decoder = new TextDecoder(encoding); // strips a UTF-8 BOM
  for await (const chunk of fs.createReadStream(path, { highWaterMark: 1 << 20 })) {
    const b = chunk as Buffer;
    onBytes(b.length);
    const s = decoder.decode(b, { stream: true });
    if (s) yield s;
  }
  const tail = decoder.decode();
  if (tail) yield tail;
}

const newlines = (fields: string[]): number => {
  let n = 0;
  for (const f of fields) if (f.includes('\n')) n += f.split('\n').length - 1;
  return n;
};

/**
 * Read a spooled file record by record. Yields the header check first (as a BrokenRecord on line 1 when the header is wrong,
 * which ends reading), then records. Throws a fatal AppError for structural problems.
 */
export async function* readRecords(path: string, format: WaitingListFormat, encoding: 'utf-8' | 'windows-1252', onBytes: (n: number) => void): AsyncGenerator<RawRecord | BrokenRecord> {
  const text = decoded(path, encoding, onBytes);
  if (format === 'ndjson') yield* readNdjson(text);
  else yield* readCsv(text);
}

async function* readCsv(text: AsyncGenerator<string>): AsyncGenerator<RawRecord | BrokenRecord> {
  // Peek at the header line to choose the delimiter.
  let head = '';
  let first = await text.next();
  while (!first.done) {
    head += first.value;
    if (head.includes('\n') || head.length > MAX_RECORD_CHARS) break;
    first = await text.next();
  }
  const headerLine = head.split('\n', 1)[0] ?? '';
  if (headerLine.trim() === '') throw fatal([{ line: 1, message: 'the file is empty: the first line must be the header with the column names' }], 'The file is empty.');
  const delimiter = (headerLine.match(/;/g)?.length ?? 0) > (headerLine.match(/,/g)?.length ?? 0) ? ';' : ',';
  async function* rest(): AsyncGenerator<string> {
    yield head;
    for await (const s of text) yield s;
  }
  let header: string[] | undefined;
  // the last line of the last complete record, seen synchronously as csv-parse reads (a failing record starts after it)
  let lastEnd = 0;
  let headerSeen: string[] | undefined;
  const parser = Readable.from(rest()).pipe(
    csvParse({
      delimiter, relax_column_count: true, max_record_size: MAX_RECORD_CHARS, skip_empty_lines: true, bom: true,
      // the context's line count is cheaper than info: true (no object per record)
      on_record: (record: string[], context: { lines: number }) => {
        lastEnd = context.lines;
        headerSeen ??= record.map((c) => c.trim());
        return { record, lines: context.lines };
      },
    } as unknown as Options),
  );
  try {
    for await (const item of parser as AsyncIterable<{ record: string[]; lines: number }>) {
      const { record } = item;
      const line = item.lines - newlines(record);
      if (!header) {
        header = record.map((c) => c.trim());
        const errors = checkHeader(header);
        if (errors.length > 0) throw fatal(errors, 'The header line does not name the contract’s columns; see errors.');
        continue;
      }
      if (record.length !== header.length) {
        yield { line, errors: [{ line, message: `has ${record.length} fields but the header has ${header.length}; check the delimiter and quoting` }] };
        continue;
      }
      const raw: Partial<Record<WaitingListColumn, string>> = {};
      for (let i = 0; i < header.length; i++) raw[header[i] as WaitingListColumn] = record[i];
      yield { line, raw };
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    const e = err as CsvError & { column?: number };
    if (typeof e.code === 'string' && (e.code.startsWith('CSV_') || e.code.startsWith('INVALID_'))) {
      const line = lastEnd + 1;
      const field = headerSeen && typeof e.column === 'number' ? headerSeen[e.column] : undefined;
      const what = e.code === 'CSV_MAX_RECORD_SIZE'
        ? `the record starting here is longer than ${MAX_RECORD_CHARS} characters; a waiting-list row is a few hundred (is a quote left open?)`
        : e.code === 'CSV_QUOTE_NOT_CLOSED'
          ? 'a quoted field starting here is never closed (RFC 4180: a quote inside a quoted field is written twice, "")'
          : `broken quoting: ${e.message.replace(/ at line \d+/, '')} (RFC 4180: quote a whole field, and write a quote inside it twice, "")`;
      throw fatal([{ line, ...(field ? { field } : {}), message: what }], `The file is not valid CSV at line ${line}.`);
    }
    throw err;
  }
  if (!header) throw fatal([{ line: 1, message: 'the file is empty: the first line must be the header with the column names' }], 'The file is empty.');
}

async function* readNdjson(text: AsyncGenerator<string>): AsyncGenerator<RawRecord | BrokenRecord> {
  let buf = '';
  let line = 0;
  let objects = 0;
  const handle = (s: string): RawRecord | BrokenRecord | undefined => {
    line++;
    const t = s.replace(/\r$/, '');
    if (t.trim() === '') return undefined;
    objects++;
    let v: unknown;
    try {
      v = JSON.parse(t);
    } catch (err) {
      return { line, errors: [{ line, message: `is not JSON: ${(err as Error).message}` }] };
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return { line, errors: [{ line, message: 'must be one JSON object with the contract’s field names' }] };
    const keys = Object.keys(v);
    const errors = checkHeader(keys).map((e) => ({ ...e, line }));
    const raw: Partial<Record<WaitingListColumn, string>> = {};
    for (const [k, value] of Object.entries(v as Record<string, unknown>)) {
      if (!(WAITING_LIST_COLUMNS as readonly string[]).includes(k)) continue;
      if (typeof value === 'string') raw[k as WaitingListColumn] = value;
      else if (typeof value === 'number' && Number.isFinite(value)) raw[k as WaitingListColumn] = String(value);
      else if (value === null) raw[k as WaitingListColumn] = '';
      else errors.push({ line, field: k, message: `must be a string or a number, got ${Array.isArray(value) ? 'an array' : typeof value}` });
    }
    return errors.length > 0 ? { line, errors } : { line, raw };
  };
  for await (const chunk of text) {
    buf += chunk;
    let nl: number;
    let start = 0;
    while ((nl = buf.indexOf('\n', start)) >= 0) {
      const s = buf.slice(start, nl);
      start = nl + 1;
      if (s.length > MAX_RECORD_CHARS) throw fatal([{ line: line + 1, message: `the line is longer than ${MAX_RECORD_CHARS} characters; a waiting-list object is a few hundred` }], `Line ${line + 1} is too long.`);
      const r = handle(s);
      if (r) yield r;
    }
    buf = buf.slice(start);
    if (buf.length > MAX_RECORD_CHARS) throw fatal([{ line: line + 1, message: `the line is longer than ${MAX_RECORD_CHARS} characters; a waiting-list object is a few hundred` }], `Line ${line + 1} is too long.`);
  }
  if (buf.length > 0) {
    const r = handle(buf);
    if (r) yield r;
  }
  if (objects === 0) throw fatal([{ line: 1, message: 'the file is empty: send one JSON object per line' }], 'The file is empty.');
}
