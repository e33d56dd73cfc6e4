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
 * Watches a file's bytes as they are spooled and says whether the fast CSV path may read it: no quote character (0x22,
 * the same in UTF-8 and Windows-1252), no CR except directly before LF, and either no CRLF or no lone LF. Then no field
 * can hold a delimiter or a line break and every line ends the same way (RFC 4180 without quoting).
 */
export class PlainCsvScan {
  private quote = false;
  private bareCr = false;
  private crlf = 0;
  private lf = 0;
  private lastWasCr = false;

  push(bytes: Uint8Array): void {
    if (this.quote || this.bareCr) return;
    if (bytes.indexOf(0x22) >= 0) {
      this.quote = true;
      return;
    }
    if (this.lastWasCr && bytes.length > 0 && bytes[0] !== 0x0a) this.bareCr = true;
    let lf = bytes.indexOf(0x0a);
    while (lf >= 0) {
      this.lf++;
      if (lf > 0 ? bytes[lf - 1] === 0x0d : this.lastWasCr) this.crlf++;
      lf = bytes.indexOf(0x0a, lf + 1);
    }
    let cr = bytes.indexOf(0x0d);
    while (cr >= 0 && !this.bareCr) {
      if (cr + 1 < bytes.length && bytes[cr + 1] !== 0x0a) this.bareCr = true;
      cr = bytes.indexOf(0x0d, cr + 1);
    }
    if (bytes.length > 0) this.lastWasCr = bytes[bytes.length - 1] === 0x0d;
  }

  /** Whether the file seen so far (and ended) may take the fast path. */
  get plain(): boolean {
    return !this.quote && !this.bareCr && !this.lastWasCr && (this.crlf === 0 || this.crlf === this.lf);
  }
}

/** Records of a file in batches (one batch per chunk of text read, or per BATCH_RECORDS on the csv-parse path). */
export type RecordBatch = (RawRecord | BrokenRecord)[];

const BATCH_RECORDS = 2_000;

/**
 * Read a spooled file in batches of records. Throws a fatal AppError for structural problems (a bad header, broken
 * quoting, a record too long). `plain: true` says PlainCsvScan passed the file: then lines and fields are
 * split directly instead of through csv-parse — about five times faster, with the same records and line numbers.
 * Any other file (a quote, mixed line endings) goes through csv-parse.
 */
export async function* readBatches(
  path: string, format: WaitingListFormat, encoding: 'utf-8' | 'windows-1252', onBytes: (n: number) => void, opts: { plain?: boolean } = {},
): AsyncGenerator<RecordBatch> {
  const text = decoded(path, encoding, onBytes);
  if (format === 'ndjson') {
    yield* readNdjson(text);
    return;
  }
  const head = await peekHeader(text);
  if (opts.plain === true && !head.bareCr) yield* readPlainCsv(head, text);
  else yield* batched(readCsv(head, text));
}

/** Record by record, through csv-parse whatever the file holds (tests compare the fast path with it). */
export async function* readRecords(path: string, format: WaitingListFormat, encoding: 'utf-8' | 'windows-1252', onBytes: (n: number) => void): AsyncGenerator<RawRecord | BrokenRecord> {
  for await (const batch of readBatches(path, format, encoding, onBytes, { plain: false })) yield* batch;
}

async function* batched(records: AsyncGenerator<RawRecord | BrokenRecord>): AsyncGenerator<RecordBatch> {
  let batch: RecordBatch = [];
  for await (const r of records) {
    batch.push(r);
    if (batch.length >= BATCH_RECORDS) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

interface Head {
  /** the text read so far (at least the whole header line, unless the file is shorter) */
  text: string;
  delimiter: ',' | ';';
  /** the header line uses a bare CR as line break (old Mac files): left to csv-parse */
  bareCr: boolean;
  /** the header line ends in CRLF: as csv-parse does, every line break is then CRLF */
  crlf: boolean;
}

/** Read up to the end of the header line and choose the delimiter from it (more ';' than ',' → ';'). */
async function peekHeader(text: AsyncGenerator<string>): Promise<Head> {
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
  return { text: head, delimiter, bareCr: headerLine.replace(/\r$/, '').includes('\r'), crlf: headerLine.endsWith('\r') };
}

const tooLong = (line: number, field?: string): AppError =>
  fatal([{ line, ...(field ? { field } : {}), message: `the record starting here is longer than ${MAX_RECORD_CHARS} characters; a waiting-list row is a few hundred (is a quote left open?)` }], `The file is not valid CSV at line ${line}.`);

const fieldCountError = (line: number, got: number, want: number): BrokenRecord => ({
  line, errors: [{ line, message: `has ${got} fields but the header has ${want}; check the delimiter and quoting` }],
});

/**
 * The fast path of readBatches: a file PlainCsvScan passed, split into lines and fields. Lines end as the header line
 * ends (CRLF or LF), as csv-parse decides.
 */
async function* readPlainCsv(head: Head, text: AsyncGenerator<string>): AsyncGenerator<RecordBatch> {
  let header: WaitingListColumn[] | undefined;
  let lineNo = 0;
  let batch: RecordBatch = [];
  const eol = head.crlf ? '\r\n' : '\n';
  const take = (line: string): void => {
    lineNo++;
    if (line.length > MAX_RECORD_CHARS) throw tooLong(lineNo, fieldAt(line));
    if (line.length === 0) return; // empty lines are skipped, as csv-parse's skip_empty_lines does
    const fields = line.split(head.delimiter);
    if (!header) {
      const names = fields.map((c) => c.trim());
      const errors = checkHeader(names);
      if (errors.length > 0) throw fatal(errors, 'The header line does not name the contract’s columns; see errors.');
      header = names as WaitingListColumn[];
      return;
    }
    if (fields.length !== header.length) {
      batch.push(fieldCountError(lineNo, fields.length, header.length));
      return;
    }
    const raw: Partial<Record<WaitingListColumn, string>> = {};
    for (let i = 0; i < fields.length; i++) raw[header[i]!] = fields[i];
    batch.push({ line: lineNo, raw });
  };
  // the column in which a too long record passes the limit, as csv-parse names it
  const fieldAt = (line: string): string | undefined => header?.[line.slice(0, MAX_RECORD_CHARS).split(head.delimiter).length - 1];
  let pending = head.text;
  for (;;) {
    let start = 0;
    let nl: number;
    while ((nl = pending.indexOf(eol, start)) >= 0) {
      take(pending.slice(start, nl));
      start = nl + eol.length;
    }
    pending = start === 0 ? pending : pending.slice(start);
    if (pending.length > MAX_RECORD_CHARS + eol.length) throw tooLong(lineNo + 1, fieldAt(pending));
    if (batch.length > 0) {
      yield batch;
      batch = [];
    }
    const next = await text.next();
    if (next.done) break;
    pending += next.value;
  }
  if (pending.length > 0) take(pending);
  if (batch.length > 0) yield batch;
  if (!header) throw fatal([{ line: 1, message: 'the file is empty: the first line must be the header with the column names' }], 'The file is empty.');
}

async function* readCsv(head: Head, text: AsyncGenerator<string>): AsyncGenerator<RawRecord | BrokenRecord> {
  const delimiter = head.delimiter;
  async function* rest(): AsyncGenerator<string> {
    yield head.text;
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
        yield fieldCountError(line, record.length, header.length);
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

async function* readNdjson(text: AsyncGenerator<string>): AsyncGenerator<RecordBatch> {
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
    const batch: RecordBatch = [];
    while ((nl = buf.indexOf('\n', start)) >= 0) {
      const s = buf.slice(start, nl);
      start = nl + 1;
      if (s.length > MAX_RECORD_CHARS) throw fatal([{ line: line + 1, message: `the line is longer than ${MAX_RECORD_CHARS} characters; a waiting-list object is a few hundred` }], `Line ${line + 1} is too long.`);
      const r = handle(s);
      if (r) batch.push(r);
    }
    if (batch.length > 0) yield batch;
    buf = buf.slice(start);
    if (buf.length > MAX_RECORD_CHARS) throw fatal([{ line: line + 1, message: `the line is longer than ${MAX_RECORD_CHARS} characters; a waiting-list object is a few hundred` }], `Line ${line + 1} is too long.`);
  }
  if (buf.length > 0) {
    const r = handle(buf);
    if (r) yield [r];
  }
  if (objects === 0) throw fatal([{ line: 1, message: 'the file is empty: send one JSON object per line' }], 'The file is empty.');
}
