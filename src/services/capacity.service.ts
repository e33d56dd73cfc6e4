import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import { parse as parseCsv } from 'csv-parse/sync';
import type { DB } from '../db/schema.js';
import * as repo from '../db/capacity.repository.js';
import { findOrganization, findUnit, regionExists } from '../db/directory.repository.js';
import { checkCapacityReport, currentReport, isStale, type CapacityReport, type UnitCapacityReport } from '../domain/capacity.js';
import { stockholmDay } from '../domain/clock.js';
import { AppError, forbidden, invalid, notFound, type FieldError } from '../domain/errors.js';
import type { Principal } from '../domain/roles.js';
import { recordAudit } from './audit.service.js';
import type { RequestContext } from './context.js';

/** The largest bulk file accepted (413 above). */
export const CAPACITY_SUBMISSION_MAX_BYTES = 5 * 1024 * 1024;
/** At most this many errors are listed; `errorCount` gives the total. */
export const MAX_LISTED_ERRORS = 1000;

export interface StoredReport extends UnitCapacityReport {
  comment: string | null;
  reportedAt: string;
  stale: boolean;
}

type UnitScope = { hsaId: string; organizationId: string; regionCode: string };

/** Whether the caller may report for this unit: admin any; provider its organisation's units (or its one unit); region-reporter its region's units. */
export function mayReportFor(p: Principal, unit: UnitScope): boolean {
  if (p.roles.includes('admin')) return true;
  if (p.roles.includes('provider') && p.organizationId !== undefined && p.organizationId === unit.organizationId && (p.unitHsaId === undefined || p.unitHsaId.toUpperCase() === unit.hsaId)) return true;
  if (p.roles.includes('region-reporter') && p.regionCode !== undefined && p.regionCode === unit.regionCode) return true;
  return false;
}

const scopeMessage = (p: Principal, unit: UnitScope): string =>
  `You may not report capacity for unit ${unit.hsaId} (organisation ${unit.organizationId}, region ${unit.regionCode}); ` +
  `${p.roles.includes('provider') ? `a provider reports only for units of its organisation${p.organizationId ? ` (${p.organizationId})` : ''}` : `a region-reporter reports only for units in its region${p.regionCode ? ` (${p.regionCode})` : ''}`}.`;

const sameValues = (a: repo.CapacityRow, b: CapacityReport): boolean =>
  a.expectedWaitDays === b.expectedWaitDays && a.weeklyCapacityForOtherRegions === b.weeklyCapacityForOtherRegions &&
  a.acceptsOtherRegions === b.acceptsOtherRegions && (a.comment ?? null) === (b.comment ?? null);

/** PUT one report: validated, scope-checked, upserted by (unit, service, validFrom), audited. */
export async function putCapacityReport(
  db: Kysely<DB>, ctx: RequestContext, hsaIdInput: string, serviceId: string, body: unknown, staleAfterDays: number,
): Promise<{ created: boolean; report: StoredReport }> {
  const today = stockholmDay(ctx.clock.now());
  return db.transaction().execute(async (trx) => {
    const unit = await findUnit(trx, hsaIdInput.toUpperCase());
    if (!unit) throw notFound('Unit', hsaIdInput);
    if (!mayReportFor(ctx.principal, unit)) throw forbidden(scopeMessage(ctx.principal, unit));
    const errors: FieldError[] = [];
    if (!unit.serviceIds.includes(serviceId))
      errors.push({ field: 'serviceId', message: `Unit ${unit.hsaId} does not offer service ${serviceId}; add it to the unit's services first (PATCH /api/v1/units/${unit.hsaId}).` });
    const checked = checkCapacityReport(body, today);
    if (!checked.ok) errors.push(...checked.errors);
    if (errors.length > 0 || !checked.ok) throw invalid(errors);
    const v = checked.value;
    const existing = await repo.findCapacityVersion(trx, unit.hsaId, serviceId, v.validFrom);
    const now = ctx.clock.now();
    await repo.upsertCapacityVersion(trx, {
      unitHsaId: unit.hsaId, serviceId, validFrom: v.validFrom, expectedWaitDays: v.expectedWaitDays, weeklyCapacityForOtherRegions: v.weeklyCapacityForOtherRegions,
      acceptsOtherRegions: v.acceptsOtherRegions, comment: v.comment ?? null, reportedBy: ctx.principal.subject, reportedAt: now, submissionId: null,
    });
    await recordAudit(trx, ctx, {
      action: 'capacity.report', entityType: 'capacity_report', entityId: `${unit.hsaId}/${serviceId}/${v.validFrom}`,
      details: { unitHsaId: unit.hsaId, serviceId, validFrom: v.validFrom, replaced: existing !== undefined, expectedWaitDays: v.expectedWaitDays, acceptsOtherRegions: v.acceptsOtherRegions },
    });
    const stored = (await repo.findCapacityVersion(trx, unit.hsaId, serviceId, v.validFrom))!;
    return { created: existing === undefined, report: toStored(stored, today, staleAfterDays) };
  });
}

function toStored(r: repo.CapacityRow, today: string, staleAfterDays: number): StoredReport {
  return {
    unitHsaId: r.unitHsaId, serviceId: r.serviceId, validFrom: r.validFrom, expectedWaitDays: r.expectedWaitDays,
    weeklyCapacityForOtherRegions: r.weeklyCapacityForOtherRegions, acceptsOtherRegions: r.acceptsOtherRegions, comment: r.comment,
    reportedAt: r.reportedAt, stale: isStale(r, today, staleAfterDays),
  };
}

export interface ReportVersion {
  validFrom: string;
  expectedWaitDays: number;
  weeklyCapacityForOtherRegions: number;
  acceptsOtherRegions: boolean;
  comment: string | null;
  reportedAt: string;
}
export interface UnitCapacity {
  unitHsaId: string;
  today: string;
  staleAfterDays: number;
  items: { serviceId: string; current: (ReportVersion & { stale: boolean }) | null; history?: ReportVersion[] }[];
}

/** The current report per service of a unit (every offered or reported service), with `stale`; all versions when history is asked for. */
export async function unitCapacity(db: Kysely<DB>, ctx: RequestContext, hsaIdInput: string, opts: { history: boolean; staleAfterDays: number }): Promise<UnitCapacity> {
  const today = stockholmDay(ctx.clock.now());
  const unit = await findUnit(db, hsaIdInput.toUpperCase());
  if (!unit) throw notFound('Unit', hsaIdInput);
  const rows = await repo.capacityHistory(db, unit.hsaId);
  const serviceIds = [...new Set([...unit.serviceIds, ...rows.map((r) => r.serviceId)])].sort();
  const version = (r: repo.CapacityRow): ReportVersion => ({
    validFrom: r.validFrom, expectedWaitDays: r.expectedWaitDays, weeklyCapacityForOtherRegions: r.weeklyCapacityForOtherRegions,
    acceptsOtherRegions: r.acceptsOtherRegions, comment: r.comment, reportedAt: r.reportedAt,
  });
  return {
    unitHsaId: unit.hsaId,
    today,
    staleAfterDays: opts.staleAfterDays,
    items: serviceIds.map((serviceId) => {
      const history = rows.filter((r) => r.serviceId === serviceId);
      const cur = currentReport(history, today);
      return {
        serviceId,
        current: cur ? { ...version(cur), stale: isStale(cur, today, opts.staleAfterDays) } : null,
        ...(opts.history ? { history: history.map(version) } : {}),
      };
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// Bulk submission (CSV or NDJSON), atomic.

export const CSV_COLUMNS = ['unit_hsa_id', 'service_id', 'expected_wait_days', 'weekly_capacity_for_other_regions', 'accepts_other_regions', 'valid_from', 'comment'] as const;
const REQUIRED_CSV = CSV_COLUMNS.filter((c) => c !== 'comment');
const CSV_FIELD: Record<string, string> = {
  unitHsaId: 'unit_hsa_id', serviceId: 'service_id', expectedWaitDays: 'expected_wait_days', weeklyCapacityForOtherRegions: 'weekly_capacity_for_other_regions',
  acceptsOtherRegions: 'accepts_other_regions', validFrom: 'valid_from', comment: 'comment',
};

export type SubmissionFormat = 'csv' | 'ndjson';
interface ParsedRow {
  line: number;
  unitHsaId: string;
  serviceId: string;
  report: unknown;
}
export interface SubmissionResult {
  submissionId: string;
  received: number;
  inserted: number;
  updated: number;
  unchanged: number;
}

function decodeUtf8(bytes: Buffer): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new AppError('bad_request', 'The file is not valid UTF-8; save it as UTF-8 (with or without BOM) and send it again.');
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function parseCsvRows(text: string, errors: FieldError[]): ParsedRow[] {
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  const delimiter = firstLine.split(';').length > firstLine.split(',').length ? ';' : ',';
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parseCsv(text, { delimiter, info: true, skip_empty_lines: true, relax_column_count: true, trim: false }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (e) {
    const err = e as { lines?: number; message?: string };
    errors.push({ line: err.lines, message: `The CSV cannot be read: ${err.message ?? 'broken quoting'}` });
    return [];
  }
  const head = records[0];
  if (!head) {
    errors.push({ line: 1, message: `The file is empty; the first line must be the header ${CSV_COLUMNS.join(',')}.` });
    return [];
  }
  const header = head.record.map((h) => h.trim().toLowerCase());
  const headerErrors: FieldError[] = [];
  for (const c of REQUIRED_CSV) if (!header.includes(c)) headerErrors.push({ line: 1, field: c, message: `The header lacks the column ${c}.` });
  header.forEach((h, i) => {
    if (!(CSV_COLUMNS as readonly string[]).includes(h)) headerErrors.push({ line: 1, field: h || `column ${i + 1}`, message: `Unknown column ${h || '(empty)'}; the columns are ${CSV_COLUMNS.join(',')}.` });
    else if (header.indexOf(h) !== i) headerErrors.push({ line: 1, field: h, message: `The column ${h} appears twice.` });
  });
  if (headerErrors.length > 0) {
    errors.push(...headerErrors);
    return [];
  }
  const col = (name: string) => header.indexOf(name);
  const rows: ParsedRow[] = [];
  for (const { record, info } of records.slice(1)) {
    const line = info.lines;
    if (record.length !== header.length) {
      errors.push({ line, message: `The line has ${record.length} fields; the header has ${header.length}.` });
      continue;
    }
    const get = (name: string) => (col(name) >= 0 ? record[col(name)]! : '');
    const report: Record<string, unknown> = {};
    const int = (name: string, key: string) => {
      const s = get(name).trim();
      report[key] = /^-?\d{1,9}$/.test(s) ? Number(s) : s === '' ? undefined : s;
    };
    int('expected_wait_days', 'expectedWaitDays');
    int('weekly_capacity_for_other_regions', 'weeklyCapacityForOtherRegions');
    const b = get('accepts_other_regions').trim().toLowerCase();
    report.acceptsOtherRegions = ['true', 'ja', 'yes', '1'].includes(b) ? true : ['false', 'nej', 'no', '0'].includes(b) ? false : b === '' ? undefined : b;
    report.validFrom = get('valid_from').trim();
    const comment = get('comment');
    if (comment.trim() !== '') report.comment = comment;
    rows.push({ line, unitHsaId: get('unit_hsa_id').trim().toUpperCase(), serviceId: get('service_id').trim(), report });
  }
  return rows;
}

function parseNdjsonRows(text: string, errors: FieldError[]): ParsedRow[] {
  const rows: ParsedRow[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      errors.push({ line, message: 'The line is not valid JSON; each line must be one JSON object.' });
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      errors.push({ line, message: 'The line must be a JSON object.' });
      return;
    }
    const { unitHsaId, serviceId, ...report } = value as Record<string, unknown>;
    if (typeof unitHsaId !== 'string' || unitHsaId === '') errors.push({ line, field: 'unitHsaId', message: 'unitHsaId is required: the HSA-id of the unit.' });
    if (typeof serviceId !== 'string' || serviceId === '') errors.push({ line, field: 'serviceId', message: 'serviceId is required: an id from GET /api/v1/services.' });
    if (typeof unitHsaId === 'string' && unitHsaId !== '' && typeof serviceId === 'string' && serviceId !== '')
      rows.push({ line, unitHsaId: unitHsaId.trim().toUpperCase(), serviceId: serviceId.trim(), report });
  });
  return rows;
}

const sha256 = (b: Buffer): string => crypto.createHash('sha256').update(b).digest('hex');

/**
 * A bulk capacity submission: every row checked (rules, unit, service, scope); any error rejects the whole file with
 * every error's line and field (the first 1,000 and the total) and nothing is applied. Otherwise all rows are upserted in
 * one transaction. Either way the submission is recorded (kind 'capacity') and audited.
 */
export async function submitCapacity(db: Kysely<DB>, ctx: RequestContext, file: { bytes: Buffer; format: SubmissionFormat; contentType: string }): Promise<SubmissionResult> {
  const today = stockholmDay(ctx.clock.now());
  const text = decodeUtf8(file.bytes);
  const errors: FieldError[] = [];
  const rows = file.format === 'csv' ? parseCsvRows(text, errors) : parseNdjsonRows(text, errors);
  const fieldName = (f: string | undefined) => (f !== undefined && file.format === 'csv' ? (CSV_FIELD[f] ?? f) : f);
  if (rows.length === 0 && errors.length === 0) errors.push({ line: file.format === 'csv' ? 2 : 1, message: 'The file has no rows to apply.' });

  const submissionId = crypto.randomUUID();
  const now = ctx.clock.now();
  const p = ctx.principal;
  const contentSha256 = sha256(file.bytes);

  return db.transaction().execute(async (trx) => {
    const units = await repo.unitsForCapacity(trx, [...new Set(rows.map((r) => r.unitHsaId))]);
    const checked: { row: ParsedRow; report: CapacityReport }[] = [];
    const seen = new Map<string, number>();
    for (const row of rows) {
      const unit = units.get(row.unitHsaId);
      const before = errors.length;
      if (!unit) errors.push({ line: row.line, field: fieldName('unitHsaId'), message: `There is no unit ${row.unitHsaId}; see GET /api/v1/units.` });
      else if (!mayReportFor(p, { hsaId: row.unitHsaId, ...unit })) errors.push({ line: row.line, field: fieldName('unitHsaId'), message: scopeMessage(p, { hsaId: row.unitHsaId, ...unit }) });
      else if (!unit.serviceIds.has(row.serviceId)) errors.push({ line: row.line, field: fieldName('serviceId'), message: `Unit ${row.unitHsaId} does not offer service ${row.serviceId}.` });
      const c = checkCapacityReport(row.report, today);
      if (!c.ok) errors.push(...c.errors.map((e) => ({ line: row.line, field: fieldName(e.field), message: e.message })));
      else {
        const key = `${row.unitHsaId}\u0000${row.serviceId}\u0000${c.value.validFrom}`;
        const first = seen.get(key);
        if (first !== undefined) errors.push({ line: row.line, field: fieldName('validFrom'), message: `Line ${first} already reports ${row.unitHsaId} / ${row.serviceId} from ${c.value.validFrom}; send one row per unit, service and date.` });
        else seen.set(key, row.line);
        if (errors.length === before) checked.push({ row, report: c.value });
      }
    }

    const orgId = p.organizationId && (await findOrganization(trx, p.organizationId)) ? p.organizationId : null;
    const regionCode = p.regionCode && (await regionExists(trx, p.regionCode)) ? p.regionCode : null;
    const base = { id: submissionId, organizationId: orgId, regionCode, contentType: file.contentType, contentSha256, bytes: file.bytes.length, submittedBy: p.subject, submittedAt: now };

    if (errors.length > 0) {
      errors.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
      const listed = errors.slice(0, MAX_LISTED_ERRORS);
      // The record of the rejected file is kept; no report is touched.
      await repo.insertCapacitySubmission(trx, { ...base, status: 'rejected', received: rows.length, inserted: 0, updated: 0, unchanged: 0, errorCount: errors.length, errors: listed });
      await recordAudit(trx, ctx, { action: 'capacity.submission', entityType: 'submission', entityId: submissionId, outcome: 'failure', details: { received: rows.length, errorCount: errors.length } });
      return { rejected: new AppError('validation', `The file has ${errors.length} error${errors.length === 1 ? '' : 's'}; nothing was applied. Fix every line listed and send the whole file again.`, { errors: listed, extra: { submissionId, errorCount: errors.length } }) };
    }

    let inserted = 0;
    let updated = 0;
    let unchanged = 0;
    const existing = await repo.existingVersions(trx, checked.map((c) => c.row.unitHsaId));
    const writes: repo.CapacityWrite[] = [];
    for (const { row, report } of checked) {
      const old = existing.get(`${row.unitHsaId}\u0000${row.serviceId}\u0000${report.validFrom}`);
      if (old && sameValues(old, report)) {
        unchanged++;
        continue;
      }
      if (old) updated++;
      else inserted++;
      writes.push({
        unitHsaId: row.unitHsaId, serviceId: row.serviceId, validFrom: report.validFrom, expectedWaitDays: report.expectedWaitDays,
        weeklyCapacityForOtherRegions: report.weeklyCapacityForOtherRegions, acceptsOtherRegions: report.acceptsOtherRegions, comment: report.comment ?? null,
        reportedBy: p.subject, reportedAt: now, submissionId,
      });
    }
    await repo.insertCapacitySubmission(trx, { ...base, status: 'applied', received: rows.length, inserted, updated, unchanged, errorCount: 0, errors: [] });
    await repo.upsertCapacityVersions(trx, writes);
    await recordAudit(trx, ctx, {
      action: 'capacity.submission', entityType: 'submission', entityId: submissionId,
      details: { received: rows.length, inserted, updated, unchanged, units: new Set(checked.map((c) => c.row.unitHsaId)).size, contentSha256 },
    });
    return { result: { submissionId, received: rows.length, inserted, updated, unchanged } };
  }).then((out) => {
    if ('rejected' in out) throw out.rejected;
    return out.result;
  });
}
