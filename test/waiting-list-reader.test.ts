import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { copyLine } from '../src/db/copy.js';
import { stagingLine } from '../src/db/waiting-list.repository.js';
import { WAITING_LIST_COLUMNS, validateRow, type WaitingListRow } from '../src/domain/waiting-list.js';
import { PlainCsvScan, readBatches, type RecordBatch } from '../src/services/waiting-list/parse.js';

/**
 * A file without any quote character is read by splitting lines (the fast path); any other file through csv-parse.
 * Both must give the same records, line numbers and errors for every file the fast path may take.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nvf-reader-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;
const write = (text: string | Buffer): string => {
  const f = path.join(dir, `f${n++}.csv`);
  fs.writeFileSync(f, text);
  return f;
};
/** What the spool decides, fed in chunks of `size` bytes. */
const scanOf = (bytes: Buffer, size = 7): boolean => {
  const scan = new PlainCsvScan();
  for (let i = 0; i < bytes.length; i += size) scan.push(bytes.subarray(i, i + size));
  return scan.plain;
};

type Outcome = { records: RecordBatch; error?: { message: string; errors: unknown } };
async function read(file: string, fast: boolean, encoding: 'utf-8' | 'windows-1252' = 'utf-8'): Promise<Outcome> {
  const records: RecordBatch = [];
  try {
    for await (const batch of readBatches(file, 'csv', encoding, () => {}, { plain: fast })) records.push(...batch);
    return { records };
  } catch (err) {
    const e = err as Error & { errors?: unknown };
    return { records, error: { message: e.message, errors: e.errors } };
  }
}

const HEADER = WAITING_LIST_COLUMNS.join(',');
const VALID = `R-1,01,SE2321000016-E0001,knee-replacement,${'a'.repeat(64)},F,1970,0180,2026-01-10,0,0,waiting,,`;

describe('the fast CSV path agrees with csv-parse', () => {
  it('on every fixture without a quote character', async () => {
    const fixtures = fs.readdirSync('test/fixtures/waiting-list').filter((f) => f.endsWith('.csv'));
    let compared = 0;
    for (const name of fixtures) {
      const file = path.join('test/fixtures/waiting-list', name);
      const bytes = fs.readFileSync(file);
      if (!scanOf(bytes) || bytes.includes(0)) continue;
      const encoding = name.startsWith('windows-1252') ? 'windows-1252' : 'utf-8';
      const slow = await read(file, true, encoding);
      const fast = await read(file, false, encoding);
      expect(fast, name).toEqual(slow);
      compared++;
    }
    expect(compared).toBeGreaterThan(25);
  });

  it('on line endings, blank lines, semicolons, a missing last newline, short and long rows', async () => {
    const cases = [
      `${HEADER}\n${VALID}\n`,
      `${HEADER}\r\n${VALID}\r\n${VALID.replace('R-1', 'R-2')}`,
      `${HEADER}\n\n${VALID}\n\n\n${VALID.replace('R-1', 'R-3')}\n`,
      `${HEADER.replaceAll(',', ';')}\n${VALID.replaceAll(',', ';')}\n`,
      `${HEADER}\n${VALID},extra\nshort,row\n${VALID}`,
      `\ufeff${HEADER}\n${VALID}\n`,
      `${HEADER}\n${'x'.repeat(70_000)}\n${VALID}\n`,
      `${HEADER}\n${VALID}\n${'y'.repeat(70_000)}`,
      `  ${HEADER.replaceAll(',', ' , ')}  \n${VALID}\n`,
      `record_id,whatever\n1,2\n`,
      `\n\n`,
    ];
    for (const text of cases) {
      const file = write(text);
      expect(scanOf(Buffer.from(text)), JSON.stringify(text.slice(0, 80))).toBe(true);
      const fast = await read(file, true);
      const slow = await read(file, false);
      expect({ ...fast, text: text.slice(0, 80) }).toEqual({ ...slow, text: text.slice(0, 80) });
    }
  });

  it('the scan refuses quotes, lone CRs and mixed line ends, however the bytes are chunked', () => {
    expect(scanOf(Buffer.from('a,b\n1,2\n'))).toBe(true);
    expect(scanOf(Buffer.from('a,b\r\n1,2\r\n'), 4)).toBe(true);
    expect(scanOf(Buffer.from('a,b\r\n1,2\r\n'), 1)).toBe(true);
    expect(scanOf(Buffer.from('a,b\n1,"2"\n'))).toBe(false);
    expect(scanOf(Buffer.from('a,b\r1,2\r'))).toBe(false);
    expect(scanOf(Buffer.from('a,b\r\n1,2\n'))).toBe(false);
    expect(scanOf(Buffer.from('a,b\n1,2\r'), 1)).toBe(false);
    expect(scanOf(Buffer.from('a,b\n1\r,2\n'))).toBe(false);
  });

  it('property: random files of valid and broken rows read the same both ways whenever the scan allows the fast path', async () => {
    const cell = fc.stringMatching(/^[A-Za-z0-9 \-;.\r\n\u00e5\u00e4\u00f6"]{0,6}$/);
    const row = fc.oneof(fc.constant(VALID), fc.array(cell, { minLength: 1, maxLength: 16 }).map((c) => c.join(',')), fc.constant(''));
    await fc.assert(
      fc.asyncProperty(fc.array(row, { maxLength: 30 }), fc.constantFrom('\n', '\r\n', '\n', '\r\n', '\r'), fc.boolean(), async (rows, eol, lastEol) => {
        const text = [HEADER, ...rows].join(eol) + (lastEol ? eol : '');
        const bytes = Buffer.from(text);
        const plain = scanOf(bytes, 5);
        expect(plain).toBe(scanOf(bytes, 1 << 20)); // however the bytes arrive
        if (!plain) return; // csv-parse only; the fast path is never asked
        expect(await read(write(text), true)).toEqual(await read(write(text), false));
      }),
      { numRuns: 300 },
    );
  });
});

describe('staging lines', () => {
  it('are the COPY text of the same values, escaping what a record id may hold', () => {
    const base = validateRow(Object.fromEntries(WAITING_LIST_COLUMNS.map((c, i) => [c, VALID.split(',')[i]!])), 2, '2026-11-26', '01').row!;
    const rows: WaitingListRow[] = [
      base,
      { ...base, recordId: 'a\\b\tc', status: 'completed', completedOn: '2026-02-01', bookedOn: '2026-01-20' },
      { ...base, recordId: '=HYPERLINK("x")' },
    ];
    for (const r of rows)
      expect(stagingLine('s-1', 7, r)).toBe(copyLine(['s-1', 7, r.recordId, r.regionCode, r.unitHsaId, r.serviceId, r.patientKey, r.sex, r.birthYear, r.homeMunicipality,
        r.clockStart, r.patientChosenDays, r.medicalPauseDays, r.status, r.completedOn, r.bookedOn]));
  });
});
