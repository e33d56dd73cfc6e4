import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { chainInput, type AuditRecord } from '../domain/audit.js';
import type { Executor, RequestContext } from './context.js';

export interface AuditInput {
  action: string;
  entityType: string;
  entityId?: string | null;
  outcome?: 'success' | 'denied' | 'failure';
  details?: Record<string, unknown>;
  /** keyed hash of a patient's identity (never the identity) */
  patientRef?: string | null;
}

const sha256 = (s: string): string => crypto.createHash('sha256').update(s).digest('hex');

/**
 * Append one event to the audit chain inside the caller's transaction, so the event and the change it records
 * commit or roll back together. Appends are serialised by a row lock on the chain head.
 */
export async function recordAudit(trx: Executor, ctx: RequestContext, input: AuditInput): Promise<void> {
  const head = await trx.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1).forUpdate().executeTakeFirstOrThrow();
  const p = ctx.principal;
  const event: AuditRecord = {
    id: crypto.randomUUID(),
    seq: Number(head.seq) + 1,
    occurredAt: ctx.clock.now().toISOString(),
    actorSubject: p.subject,
    actorRoles: [...p.roles],
    actorRegionCode: p.regionCode ?? null,
    actorOrganizationId: p.organizationId ?? null,
    actorUnitHsaId: p.unitHsaId ?? null,
    action: input.action,
    entityType: input.entityType,
    entityId: input.entityId ?? null,
    outcome: input.outcome ?? 'success',
    requestId: ctx.requestId,
    patientRef: input.patientRef ?? null,
    details: JSON.parse(JSON.stringify(input.details ?? {})) as Record<string, unknown>,
  };
  const hash = sha256(chainInput(head.hash, event));
  await trx
    .insertInto('audit_events')
    .values({
      seq: event.seq,
      id: event.id,
      occurred_at: event.occurredAt,
      actor_subject: event.actorSubject,
      actor_roles: event.actorRoles,
      actor_region_code: event.actorRegionCode,
      actor_organization_id: event.actorOrganizationId,
      actor_unit_hsa_id: event.actorUnitHsaId,
      action: event.action,
      entity_type: event.entityType,
      entity_id: event.entityId,
      outcome: event.outcome,
      request_id: event.requestId,
      patient_ref: event.patientRef,
      details: JSON.stringify(event.details),
      prev_hash: head.hash,
      hash,
    })
    .execute();
  await trx.updateTable('audit_head').set({ seq: event.seq, hash }).where('id', '=', 1).execute();
}

/** Record an audit event in a transaction of its own (for denials and reads that change nothing). */
export async function recordAuditAlone(db: Kysely<DB>, ctx: RequestContext, input: AuditInput): Promise<void> {
  await db.transaction().execute((trx) => recordAudit(trx, ctx, input));
}

export interface VerifyResult {
  ok: boolean;
  events: number;
  firstBadEvent?: string;
  reason?: string;
}

/** Walk the whole chain in order and recompute every hash; the first event whose link does not hold is reported. */
export async function verifyAuditChain(db: Kysely<DB>, batchSize = 5000): Promise<VerifyResult> {
  let prevHash = 'genesis';
  let expectedSeq = 1;
  let count = 0;
  for (;;) {
    const rows = await db
      .selectFrom('audit_events')
      .selectAll()
      .where('seq', '>=', expectedSeq)
      .orderBy('seq')
      .limit(batchSize)
      .execute();
    for (const r of rows) {
      const event: AuditRecord = {
        id: r.id,
        seq: Number(r.seq),
        occurredAt: new Date(r.occurred_at).toISOString(),
        actorSubject: r.actor_subject,
        actorRoles: r.actor_roles,
        actorRegionCode: r.actor_region_code,
        actorOrganizationId: r.actor_organization_id,
        actorUnitHsaId: r.actor_unit_hsa_id,
        action: r.action,
        entityType: r.entity_type,
        entityId: r.entity_id,
        outcome: r.outcome,
        requestId: r.request_id,
        patientRef: r.patient_ref,
        details: r.details,
      };
      if (event.seq !== expectedSeq) return { ok: false, events: count, firstBadEvent: r.id, reason: `event ${expectedSeq} is missing` };
      if (r.prev_hash !== prevHash || sha256(chainInput(prevHash, event)) !== r.hash)
        return { ok: false, events: count, firstBadEvent: r.id, reason: 'the event does not match its hash' };
      prevHash = r.hash;
      expectedSeq++;
      count++;
    }
    if (rows.length < batchSize) break;
  }
  const head = await db.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirstOrThrow();
  if (Number(head.seq) !== count || head.hash !== prevHash)
    return { ok: false, events: count, reason: `the chain head says ${head.seq} events but ${count} were found` };
  return { ok: true, events: count };
}

/** Count of audit events, cheap (for metrics). */
export async function auditEventCount(db: Kysely<DB>): Promise<number> {
  const r = await sql<{ n: number }>`SELECT seq AS n FROM audit_head WHERE id = 1`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}
