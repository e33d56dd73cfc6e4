import crypto from 'node:crypto';
import type { Executor, RequestContext } from './context.js';

/** The brokering events the platform tells about (webhooks, server-sent events). Payloads never carry a patient's identity. */
export const EVENT_TYPES = [
  'case.opened', 'request.sent', 'request.accepted', 'request.declined', 'request.expired', 'request.withdrawn',
  'case.chosen', 'case.booked', 'case.completed', 'case.cancelled', 'case.closed',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface OutboxEvent {
  type: EventType;
  caseId: string;
  /** the home region: its coordinators are told */
  regionCode: string;
  /** the provider organisation the event concerns (a request's receiver), told as well */
  organizationId?: string | null | undefined;
  /** what happened, without identity: ids, statuses, dates, reason codes */
  payload: Record<string, unknown>;
}

/** An outbox row as inserted (src/db/migrations/0012_outbox.sql). */
export interface OutboxRow {
  id: string;
  type: EventType;
  case_id: string;
  region_code: string;
  organization_id: string | null;
  payload: string;
  occurred_at: string;
}

/** The row for an event, with a new event id (receivers de-duplicate on it) and the time it happened. */
export function outboxRow(ctx: Pick<RequestContext, 'clock'>, e: OutboxEvent): OutboxRow {
  return {
    id: crypto.randomUUID(), type: e.type, case_id: e.caseId, region_code: e.regionCode, organization_id: e.organizationId ?? null,
    payload: JSON.stringify({ caseId: e.caseId, ...e.payload }), occurred_at: ctx.clock.now().toISOString(),
  };
}

/**
 * Write an event into the outbox inside the caller's transaction (src/db/migrations/0012_outbox.sql): it exists exactly
 * when the change it describes committed. Returns the event id (receivers de-duplicate on it). The brokering use cases
 * do not call this: they emit their events through auditedTransaction, which writes them with the audit events.
 */
export async function enqueueEvent(trx: Executor, ctx: Pick<RequestContext, 'clock'>, e: OutboxEvent): Promise<string> {
  const row = outboxRow(ctx, e);
  await trx.insertInto('outbox_events').values(row).execute();
  return row.id;
}
