import { isAscii, isUtf8 } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EncodingSniffer } from '../src/domain/encoding.js';
import { copyLine, copyText } from '../src/db/copy.js';

const sniff = (...chunks: Buffer[]) => {
  const s = new EncodingSniffer();
  for (const c of chunks) s.push(c);
  return s.finish();
};

describe('encoding detection', () => {
  it('plain ASCII and UTF-8 are UTF-8, with or without BOM', () => {
    expect(sniff(Buffer.from('a,b\n1,2\n')).encoding).toBe('utf-8');
    expect(sniff(Buffer.from('\ufeffå,ä\nö,2\n'))).toMatchObject({ encoding: 'utf-8', bom: true, lines: 2 });
  });
  it('Windows-1252 bytes without any UTF-8 sequence are Windows-1252, naming the first such line', () => {
    expect(sniff(Buffer.from('a\nVäxjö\n', 'latin1'))).toMatchObject({ encoding: 'windows-1252', firstInvalidLine: 2 });
  });
  it('UTF-8 and Windows-1252 in one file is mixed; a BOM counts as UTF-8', () => {
    expect(sniff(Buffer.from('å\n'), Buffer.from('ä\n', 'latin1'))).toMatchObject({ encoding: 'mixed', firstMultibyteLine: 1, firstInvalidLine: 2 });
    expect(sniff(Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('x\nä\n', 'latin1')).encoding).toBe('mixed');
  });
  it('finds NUL bytes by line, and multi-byte sequences split across chunks', () => {
    expect(sniff(Buffer.from('a\nb\0\n')).nulLine).toBe(2);
    const s = Buffer.from('xå€😀\n');
    for (let i = 1; i < s.length; i++) expect(sniff(s.subarray(0, i), s.subarray(i)).encoding).toBe('utf-8');
  });
  it('property: any string encoded as UTF-8 is UTF-8, however it is chunked', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), fc.nat(), (str, cut) => {
      const b = Buffer.from(str, 'utf8');
      const at = b.length === 0 ? 0 : cut % b.length;
      expect(sniff(b.subarray(0, at), b.subarray(at)).encoding).toBe('utf-8');
    }), { numRuns: 200 });
  });
});

describe('the native fast path agrees with the byte-by-byte sniffer', () => {
  it('property: same report for random bytes in random chunks', () => {
    const piece = fc.oneof(fc.string({ unit: 'grapheme' }).map((x) => Buffer.from(x, 'utf8')), fc.string().map((x) => Buffer.from(x, 'latin1')), fc.constant(Buffer.from([0])), fc.constant(Buffer.from('\n')));
    fc.assert(fc.property(fc.array(piece, { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 4 }), (pieces, cuts) => {
      const all = Buffer.concat(pieces);
      const at = [...new Set(cuts.map((c) => (all.length ? c % all.length : 0)))].sort((a, b) => a - b);
      const chunks: Buffer[] = [];
      let prev = 0;
      for (const c of [...at, all.length]) {
        chunks.push(all.subarray(prev, c));
        prev = c;
      }
      const slow = new EncodingSniffer();
      const fast = new EncodingSniffer();
      for (const c of chunks) {
        slow.push(c);
        if (isUtf8(c)) fast.pushValid(c, isAscii(c));
        else fast.push(c);
      }
      expect(fast.finish()).toEqual(slow.finish());
    }), { numRuns: 300 });
  });
});

describe('COPY text format', () => {
  it('escapes backslash, tab, newline and carriage return, and writes NULL as \\N', () => {
    expect(copyText('a\\b\tc\nd\re')).toBe('a\\\\b\\tc\\nd\\re');
    expect(copyText(null)).toBe('\\N');
    expect(copyText('\\N')).toBe('\\\\N');
    expect(copyLine(['x', 1, null])).toBe('x\t1\t\\N\n');
  });
});
