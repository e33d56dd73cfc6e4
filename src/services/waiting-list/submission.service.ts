import { isAscii, isUtf8 } from 'node:buffer';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Database } from '../../db/connect.js';
import { openCopy } from '../../db/copy.js';
import * as repo from '../../db/waiting-list.repository.js';
import { stockholmDay, type Clock } from '../../domain/clock.js';
import { EncodingSniffer } from '../../domain/encoding.js';
import { AppError, forbidden, notFound, type FieldError } from '../../domain/errors.js';
import { validateRow } from '../../domain/waiting-list.js';
import { recordAudit } from '../audit.service.js';
import type { RequestContext } from '../context.js';
import { refreshWaitingTimes } from '../waiting-times.service.js';
import { PlainCsvScan, readBatches, type WaitingListFormat } from './parse.js';

/** A submission 'processing' with no heartbeat for this long was left by a process that stopped. */
export const ABANDONED_AFTER_MS = 10 * 60_000;
/** How often a submission being processed moves its heartbeat on (wall-clock). */
const HEARTBEAT_EVERY_MS = 5_000;

/** The first this many errors are kept and answered; the total is always counted. */
export const MAX_REPORTED_ERRORS = 1000;
/** Default upload limit (WAITING_LIST_MAX_BYTES overrides it). */
export const DEFAULT_MAX_BYTES = 300 * 1024 * 1024;

export const CONTENT_TYPES: Record<string, WaitingListFormat> = { 'text/csv': 'csv', 'application/x-ndjson': 'ndjson' };

export interface SubmitInput {
  body: AsyncIterable<Uint8Array>;
  contentType: string;
  mode: 'delta' | 'snapshot';
  dryRun: boolean;
  maxBytes?: number;
  onProgress?: (p: { phase: 'receiving' | 'reading' | 'checking' | 'applying' | 'refreshing' | 'done'; bytes: number; rows: number }) => void;
}

export interface SubmissionResult {
  submissionId: string;
  status: 'applied' | 'validated';
  dryRun: boolean;
  received: number;
  inserted: number;
  updated: number;
  removed: number;
  unchanged: number;
  /** true when a byte-identical file was applied before and this answer is that submission's result */
  replayed: boolean;
}

/** The media type without parameters, or 415. */
export function formatOf(contentType: string | undefined): WaitingListFormat {
  const media = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  const f = CONTENT_TYPES[media];
  if (!f) throw new AppError('unsupported_media_type', `Send the waiting list as text/csv or application/x-ndjson, not ${media || 'without a Content-Type'}.`);
  return f;
}

function regionOf(ctx: RequestContext): string {
  const p = ctx.principal;
  if (!p.roles.includes('region-reporter')) throw forbidden('Only a region-reporter may submit a waiting list.');
  if (!p.regionCode || !/^\d{2}$/.test(p.regionCode)) throw forbidden('Your token names no region: a region-reporter submits for the region its token names.');
  return p.regionCode;
}

class ErrorList {
  readonly kept: FieldError[] = [];
  total = 0;
  add(errors: FieldError[]): void {
    this.total += errors.length;
    for (const e of errors) if (this.kept.length < MAX_REPORTED_ERRORS) this.kept.push(e);
  }
}

const resultOf = (s: repo.SubmissionRecord, replayed: boolean): SubmissionResult => ({
  submissionId: s.id, status: s.status === 'applied' ? 'applied' : 'validated', dryRun: s.dryRun, received: s.received ?? 0, inserted: s.inserted ?? 0,
  updated: s.updated ?? 0, removed: s.removed ?? 0, unchanged: s.unchanged ?? 0, replayed,
});

/**
 * Receive, validate and (unless a dry run) apply one waiting-list file for the caller's region — atomically:
 * a file with any error changes nothing and is recorded as rejected with its error report.
 * The body is spooled to a temporary file (hashed, size-limited, encoding sniffed), read as a stream, staged by COPY
 * and applied by set-based SQL in one transaction serialised per region.
 */
export async function submitWaitingList(database: Database, ctx: RequestContext, input: SubmitInput): Promise<SubmissionResult> {
  const regionCode = regionOf(ctx);
  const format = formatOf(input.contentType);
  const maxBytes = input.maxBytes ?? DEFAULT_MAX_BYTES;
  const db = database.db;
  const progress = input.onProgress ?? (() => {});
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nvf-waiting-list-'));
  const file = path.join(tmpDir, 'upload');
  try {
    // 1. Spool: size limit, SHA-256 and encoding, in one pass.
    const hash = crypto.createHash('sha256');
    const sniffer = new EncodingSniffer();
    let bytes = 0;
    // a file without quotes and with one kind of line end is read by splitting lines (readBatches)
    const scan = new PlainCsvScan();
    await pipeline(
      input.body,
      async function* (source: AsyncIterable<Uint8Array>) {
        for await (const chunk of source) {
          bytes += chunk.length;
          if (bytes > maxBytes)
            throw new AppError('payload_too_large', `The file is larger than ${maxBytes} bytes; split it (delta mode) or ask the operator to raise WAITING_LIST_MAX_BYTES. Nothing was applied.`);
          hash.update(chunk);
          scan.push(chunk);
          // Native checks first: a chunk that is whole UTF-8 (the usual case) skips the byte-by-byte sniffer.
          if (isUtf8(chunk)) sniffer.pushValid(chunk, isAscii(chunk));
          else sniffer.push(chunk);
          progress({ phase: 'receiving', bytes, rows: 0 });
          yield chunk;
        }
      },
      fs.createWriteStream(file),
    );
    const sha256 = hash.digest('hex');
    const enc = sniffer.finish();

    // 2. A byte-identical file applied before for this region and mode: answer its result.
    if (!input.dryRun) {
      const earlier = await repo.findAppliedIdentical(db, regionCode, input.mode, sha256);
      if (earlier) return resultOf((await repo.findSubmission(db, earlier))!, true);
    }

    const submissionId = crypto.randomUUID();
    const now = () => ctx.clock.now().toISOString();
    const today = stockholmDay(ctx.clock.now());
    await repo.insertSubmission(db, {
      id: submissionId, regionCode, mode: input.mode, dryRun: input.dryRun, contentType: `${Object.keys(CONTENT_TYPES).find((k) => CONTENT_TYPES[k] === format)}`,
      sha256, bytes, submittedBy: ctx.principal.subject, submittedAt: now(),
    });
    let lastBeat = Date.now();
    const heartbeat = async (force = false) => {
      if (!force && Date.now() - lastBeat < HEARTBEAT_EVERY_MS) return;
      lastBeat = Date.now();
      await repo.touchSubmission(db, submissionId, now());
    };
    const reject = async (errors: FieldError[], total: number, message: string): Promise<never> => {
      await repo.deleteStaging(db, submissionId);
      await repo.finishSubmission(db, submissionId, { status: 'rejected', finishedAt: now(), errorCount: total, errors });
      throw new AppError('validation', message, { errors, extra: { errorCount: total, submissionId } });
    };

    try {
      // 3. Encoding problems stop everything before parsing.
      if (bytes === 0) return await reject([{ line: 1, message: 'the file is empty: the first line must be the header with the column names' }], 1, 'The file is empty.');
      if (enc.nulLine !== undefined)
        return await reject([{ line: enc.nulLine, message: 'contains a NUL byte (0x00): this is not a text file, or it is UTF-16; save it as UTF-8' }], 1, `The file contains a NUL byte on line ${enc.nulLine}.`);
      if (enc.encoding === 'mixed')
        return await reject(
          [{ line: enc.firstInvalidLine!, message: `the file mixes encodings: line ${enc.firstMultibyteLine ?? 1} is UTF-8 but this line is not; save the whole file as UTF-8` }],
          1, 'The file mixes encodings (UTF-8 and something else); save it as UTF-8.');

      // 4. Read, validate each row, COPY the valid ones into staging.
      const errors = new ErrorList();
      let received = 0;
      let readBytes = 0;
      let lastTick = 0;
      progress({ phase: 'reading', bytes: 0, rows: 0 });
      const copy = await openCopy(database, repo.STAGING_TABLE, repo.STAGING_COLUMNS);
      try {
        for await (const batch of readBatches(file, format, enc.encoding, (n) => (readBytes += n), { plain: scan.plain })) {
          const lines: string[] = [];
          for (const rec of batch) {
            received++;
            if ('errors' in rec) {
              errors.add(rec.errors);
              continue;
            }
            const { row, errors: rowErrors } = validateRow(rec.raw, rec.line, today, regionCode);
            if (!row) {
              errors.add(rowErrors);
              continue;
            }
            lines.push(repo.stagingLine(submissionId, rec.line, row));
          }
          if (lines.length > 0) await copy.write(lines.join(''), lines.length);
          if (received - lastTick >= 10_000) {
            lastTick = received;
            progress({ phase: 'reading', bytes: readBytes, rows: received });
            await heartbeat();
          }
        }
        await copy.end();
      } catch (err) {
        await copy.abort();
        if (err instanceof AppError && err.code === 'validation') {
          const list = err.errors ?? [];
          return await reject(list, Number(err.extra?.errorCount ?? list.length), err.message);
        }
        throw err;
      }
      progress({ phase: 'reading', bytes: readBytes, rows: received });
      if (received === 0) return await reject([{ line: 2, message: 'the file has a header but no rows; send at least one episode' }], 1, 'The file has no rows.');

      // 5. Set-based checks: duplicates within the file, references to the directory.
      progress({ phase: 'checking', bytes: readBytes, rows: received });
      await heartbeat(true);
      await repo.analyzeStaging(db);
      const staged = await repo.checkStaged(db, submissionId, MAX_REPORTED_ERRORS);
      if (errors.total + staged.total > 0) {
        const all = [...errors.kept, ...staged.errors].sort((a, b) => (a.line ?? 0) - (b.line ?? 0)).slice(0, MAX_REPORTED_ERRORS);
        const total = errors.total + staged.total;
        return await reject(all, total, `The file has ${total} error${total === 1 ? '' : 's'}; nothing was applied. Each error names its line and field.`);
      }

      if (input.dryRun) {
        const p = await repo.previewStaged(db, submissionId, regionCode, input.mode === 'snapshot');
        await repo.deleteStaging(db, submissionId);
        await repo.finishSubmission(db, submissionId, { status: 'validated', finishedAt: now(), received, ...p });
        return { submissionId, status: 'validated', dryRun: true, received, ...p, replayed: false };
      }

      // 6. Apply in one transaction, one region at a time.
      progress({ phase: 'applying', bytes: readBytes, rows: received });
      await heartbeat(true);
      const outcome = await db.transaction().execute(async (trx) => {
        await repo.lockRegion(trx, regionCode);
        const earlier = await repo.findAppliedIdentical(trx, regionCode, input.mode, sha256);
        if (earlier) return { replayOf: earlier };
        const counts = await repo.applyStaged(trx, submissionId, regionCode, input.mode === 'snapshot', now());
        const unchanged = received - counts.inserted - counts.updated;
        await repo.finishSubmission(trx, submissionId, { status: 'applied', finishedAt: now(), received, ...counts, unchanged });
        await repo.deleteStaging(trx, submissionId);
        progress({ phase: 'refreshing', bytes: readBytes, rows: received });
        await refreshWaitingTimes(trx, { regionCode, today });
        await recordAudit(trx, ctx, {
          action: 'waiting_list.submit', entityType: 'submission', entityId: submissionId,
          details: { regionCode, mode: input.mode, bytes, received, ...counts, unchanged },
        });
        return { counts: { ...counts, unchanged } };
      });
      if ('replayOf' in outcome) {
        await repo.deleteStaging(db, submissionId);
        await repo.finishSubmission(db, submissionId, { status: 'validated', finishedAt: now(), received });
        return resultOf((await repo.findSubmission(db, outcome.replayOf!))!, true);
      }
      progress({ phase: 'done', bytes: readBytes, rows: received });
      return { submissionId, status: 'applied', dryRun: false, received, ...outcome.counts, replayed: false };
    } catch (err) {
      if (!(err instanceof AppError)) {
        await repo.deleteStaging(db, submissionId).catch(() => {});
        await repo.finishSubmission(db, submissionId, { status: 'failed', finishedAt: now(), errors: [{ message: 'an internal error stopped the submission; nothing was applied' }] }).catch(() => {});
      }
      throw err;
    }
  } finally {
    fs.rmSync(tmpDir, { recursive: true, force: true });
  }
}

/**
 * Submissions left 'processing' by a process that stopped (no heartbeat for `abandonedAfterMs`) are marked failed with a
 * message saying so, and staged rows of no live submission are deleted. Nothing of them was applied (the apply is one
 * transaction), so the region can send the file again. Returns the ids marked failed.
 */
export async function recoverAbandonedSubmissions(database: Database, clock: Clock, abandonedAfterMs = ABANDONED_AFTER_MS): Promise<string[]> {
  const now = clock.now();
  return repo.failAbandonedSubmissions(
    database.db,
    new Date(now.getTime() - abandonedAfterMs).toISOString(),
    now.toISOString(),
    'the submission stopped before it was finished (the service was restarted or failed); nothing was applied: send the file again',
  );
}

/** One submission with its counts and error report: a region-reporter of that region, an admin or an analyst. */
export async function getSubmission(database: Database, ctx: RequestContext, id: string): Promise<repo.SubmissionRecord> {
  const s = await repo.findSubmission(database.db, id);
  const p = ctx.principal;
  const broad = p.roles.includes('admin') || p.roles.includes('analyst');
  if (!s || (!broad && !(p.roles.includes('region-reporter') && p.regionCode === s.regionCode))) throw notFound('Submission', id);
  return s;
}
