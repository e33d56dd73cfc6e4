/**
 * Decide a text file's encoding from its bytes, incrementally (the file is never held whole):
 * valid UTF-8 (with or without BOM) → 'utf-8'; invalid UTF-8 without any valid multi-byte UTF-8 sequence → 'windows-1252'
 * (as Swedish spreadsheet programs save CSV); both valid multi-byte sequences and invalid bytes → 'mixed'.
 * Also finds the first NUL byte and the line it is on (lines counted from 1 by LF).
 */
export type DetectedEncoding = 'utf-8' | 'windows-1252' | 'mixed';

export interface EncodingReport {
  encoding: DetectedEncoding;
  bom: boolean;
  /** line of the first NUL byte, if any */
  nulLine: number | undefined;
  /** line of the first byte that is not UTF-8 */
  firstInvalidLine: number | undefined;
  /** line of the first valid multi-byte UTF-8 sequence */
  firstMultibyteLine: number | undefined;
  /** number of lines (LF count + 1 if the last line has no LF) */
  lines: number;
}

export class EncodingSniffer {
  private line = 1;
  private need = 0; // continuation bytes still expected
  private seqLine = 1;
  private lower = 0x80;
  private upper = 0xbf;
  private bom = false;
  private nulLine: number | undefined;
  private invalidLine: number | undefined;
  private multibyteLine: number | undefined;
  private lastByte = -1;
  private bomProgress = 0;

  /**
   * Fast path for the common case (the caller may use it when a chunk is known valid, e.g. by a native UTF-8 check):
   * count the lines and note whether it has multi-byte characters, without a byte-by-byte state machine.
   */
  pushValid(bytes: Uint8Array, ascii: boolean): void {
    if (this.need > 0 || this.bomProgress < 3) {
      this.push(bytes);
      return;
    }
    let line = this.line;
    let i = bytes.indexOf(0x0a);
    while (i >= 0) {
      line++;
      i = bytes.indexOf(0x0a, i + 1);
    }
    if (!ascii && this.multibyteLine === undefined) {
      let at = 0;
      while (at < bytes.length && bytes[at]! < 0x80) at++;
      let l = this.line;
      let j = bytes.indexOf(0x0a);
      while (j >= 0 && j < at) {
        l++;
        j = bytes.indexOf(0x0a, j + 1);
      }
      this.multibyteLine = l;
    }
    const nul = bytes.indexOf(0);
    if (nul >= 0 && this.nulLine === undefined) {
      let l = this.line;
      let j = bytes.indexOf(0x0a);
      while (j >= 0 && j < nul) {
        l++;
        j = bytes.indexOf(0x0a, j + 1);
      }
      this.nulLine = l;
    }
    if (bytes.length > 0) this.lastByte = bytes[bytes.length - 1]!;
    this.line = line;
  }

  push(bytes: Uint8Array): void {
    let line = this.line;
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      if (this.bomProgress < 3) {
        // a UTF-8 BOM is EF BB BF at the very start (it is also a valid multi-byte sequence below)
        if (b === [0xef, 0xbb, 0xbf][this.bomProgress] && this.bomProgress >= 0) {
          this.bomProgress++;
          if (this.bomProgress === 3) this.bom = true;
        } else this.bomProgress = 3;
      }
      if (this.need > 0) {
        if (b >= this.lower && b <= this.upper) {
          this.need--;
          this.lower = 0x80;
          this.upper = 0xbf;
          if (this.need === 0 && this.multibyteLine === undefined) this.multibyteLine = this.seqLine;
          continue;
        }
        // broken sequence: the lead byte was invalid; reprocess this byte as a fresh one
        this.invalid(this.seqLine);
        this.need = 0;
        this.lower = 0x80;
        this.upper = 0xbf;
      }
      if (b < 0x80) {
        if (b === 0x0a) line++;
        else if (b === 0 && this.nulLine === undefined) this.nulLine = line;
        continue;
      }
      this.seqLine = line;
      if (b >= 0xc2 && b <= 0xdf) this.need = 1;
      else if (b >= 0xe0 && b <= 0xef) {
        this.need = 2;
        if (b === 0xe0) this.lower = 0xa0;
        if (b === 0xed) this.upper = 0x9f;
      } else if (b >= 0xf0 && b <= 0xf4) {
        this.need = 3;
        if (b === 0xf0) this.lower = 0x90;
        if (b === 0xf4) this.upper = 0x8f;
      } else this.invalid(line);
    }
    if (bytes.length > 0) this.lastByte = bytes[bytes.length - 1]!;
    this.line = line;
  }

  private invalid(line: number): void {
    if (this.invalidLine === undefined) this.invalidLine = line;
  }

  finish(): EncodingReport {
    if (this.need > 0) this.invalid(this.seqLine);
    // A BOM alone counts as UTF-8 evidence; any invalid byte with it makes the file mixed.
    const utf8Evidence = this.multibyteLine !== undefined;
    const encoding: DetectedEncoding = this.invalidLine === undefined ? 'utf-8' : utf8Evidence ? 'mixed' : 'windows-1252';
    const lines = this.lastByte === -1 ? 0 : this.lastByte === 0x0a ? this.line - 1 : this.line;
    return { encoding, bom: this.bom, nulLine: this.nulLine, firstInvalidLine: this.invalidLine, firstMultibyteLine: this.multibyteLine, lines };
  }
}
