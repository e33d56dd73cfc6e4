import { sql, type Kysely, type Selectable } from 'kysely';
import type { DB, WebhookDeliveriesTable, WebhookSubscriptionsTable } from './schema.js';
import type { Executor } from '../services/context.js';

/** SQL of the notifications: webhook subscriptions, their deliveries, the fan-out cursor and outbox reads (migration 0013). */

export type SubscriptionRow = Selectable<WebhookSubscriptionsTable>;
export type DeliveryRow = Selectable<WebhookDeliveriesTable>;

export interface NewSubscription {
  id: string;
  regionCode: string | null;
  organizationId: string | null;
  url: string;
  secretEncrypted: string;
  eventTypes: string[];
  description: string | null;
  createdBy: string;
  at: string;
}

export async function insertSubscription(db: Executor, s: NewSubscription): Promise<SubscriptionRow> {
  return db
    .insertInto('webhook_subscriptions')
    .values({
      id: s.id, region_code: s.regionCode, organization_id: s.organizationId, url: s.url, secret_encrypted: s.secretEncrypted,
      event_types: s.eventTypes, description: s.description, created_by: s.createdBy, created_at: s.at, updated_at: s.at,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findSubscription(db: Executor, id: string, opts: { forUpdate?: boolean } = {}): Promise<SubscriptionRow | undefined> {
  let q = db.selectFrom('webhook_subscriptions').selectAll().where('id', '=', id);
  if (opts.forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

/** Subscriptions visible to an owner filter (none: all), newest first. */
export async function listSubscriptions(db: Executor, owner: { regionCode?: string; organizationId?: string }, includeInactive: boolean): Promise<SubscriptionRow[]> {
  let q = db.selectFrom('webhook_subscriptions').selectAll();
  if (owner.regionCode !== undefined) q = q.where('region_code', '=', owner.regionCode);
  if (owner.organizationId !== undefined) q = q.where('organization_id', '=', owner.organizationId);
  if (!includeInactive) q = q.where('active', '=', true);
  return q.orderBy('created_at', 'desc').orderBy('id').execute();
}

export async function deactivateSubscription(db: Executor, id: string, at: string): Promise<SubscriptionRow> {
  return db
    .updateTable('webhook_subscriptions')
    .set({ active: false, updated_at: at, version: sql`version + 1` })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function regionExists(db: Executor, code: string): Promise<boolean> {
  return (await db.selectFrom('regions').select('code').where('code', '=', code).executeTakeFirst()) !== undefined;
}

export async function organizationExists(db: Executor, id: string): Promise<boolean> {
  return (await db.selectFrom('organizations').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
}

/**
 * The oldest transaction id that may still add outbox events: every event of an older transaction is visible now or
 * never will be. It is the snapshot's xmin (the oldest running transaction of the whole server) except that running
 * transactions known to belong to another database are left out — they cannot write our outbox, and a long one (a bulk
 * load elsewhere on a shared server) would otherwise hold webhooks back. A transaction that cannot be placed (its row in
 * pg_stat_activity hidden from this role, a prepared transaction) counts as ours: the horizon only errs on the safe side.
 */
export async function outboxHorizon(db: Executor): Promise<string> {
  const r = await sql<{ horizon: string }>`
    WITH snap AS (SELECT pg_current_snapshot() AS s)
    SELECT COALESCE(
             (SELECT min(x) FROM snap, pg_snapshot_xip(snap.s) AS x
               WHERE NOT EXISTS (
                       SELECT 1 FROM pg_stat_activity a
                        WHERE a.backend_xid = xid(x) AND a.datid IS NOT NULL
                          AND a.datid <> (SELECT oid FROM pg_database WHERE datname = current_database()))),
             (SELECT pg_snapshot_xmax(s) FROM snap))::text AS horizon`.execute(db);
  return r.rows[0]!.horizon;
}

/**
 * Fan out: turn outbox events into delivery rows for every matching active subscription, in one transaction.
 * The cursor row is locked FOR UPDATE (a second instance waits, then sees the moved cursor). Only events of transactions
 * older than the oldest one still running are taken (see 0013_webhooks.sql), so none is ever skipped.
 * Returns the number of events passed and of delivery rows made.
 */
export async function fanOut(db: Kysely<DB>, at: string, batch: number): Promise<{ events: number; deliveries: number }> {
  return db.transaction().execute(async (trx) => {
    const cursor = await trx.selectFrom('webhook_fanout_cursor').select(['last_xid', 'last_seq']).where('id', '=', 1).forUpdate().executeTakeFirstOrThrow();
    const horizon = await outboxHorizon(trx);
    const events = (await sql<{ seq: number; xid: string }>`
      SELECT seq, xid::text AS xid FROM outbox_events
       WHERE (xid, seq) > (${cursor.last_xid}::xid8, ${cursor.last_seq}::bigint)
         AND xid < ${horizon}::xid8
       ORDER BY xid, seq
       LIMIT ${batch}`.execute(trx)).rows;
    if (events.length === 0) return { events: 0, deliveries: 0 };
    const seqs = events.map((e) => e.seq);
    const inserted = await sql`
      INSERT INTO webhook_deliveries (id, subscription_id, event_seq, event_id, case_id, status, attempts, next_attempt_at, give_up_at, created_at)
      SELECT gen_random_uuid(), s.id, e.seq, e.id, e.case_id, 'pending', 0, ${at}::timestamptz, e.occurred_at + interval '24 hours', ${at}::timestamptz
        FROM outbox_events e
        JOIN webhook_subscriptions s
          ON s.active
         AND s.created_at <= e.occurred_at
         AND ((s.region_code IS NOT NULL AND s.region_code = e.region_code) OR (s.organization_id IS NOT NULL AND s.organization_id = e.organization_id))
         AND (cardinality(s.event_types) = 0 OR e.type = ANY (s.event_types))
       WHERE e.seq = ANY (${seqs}::bigint[])
       ORDER BY e.seq, s.id
      ON CONFLICT (subscription_id, event_id) DO NOTHING`.execute(trx);
    const last = events[events.length - 1]!;
    await trx.updateTable('webhook_fanout_cursor').set({ last_xid: last.xid, last_seq: last.seq, updated_at: at }).where('id', '=', 1).execute();
    return { events: events.length, deliveries: Number(inserted.numAffectedRows ?? 0) };
  });
}

/** A claimed delivery with what is needed to send it. */
export interface ClaimedDelivery {
  id: string;
  attempts: number;
  subscriptionId: string;
  url: string;
  secretEncrypted: string;
  giveUpAt: Date;
  event: { seq: number; id: string; type: string; caseId: string | null; occurredAt: Date; payload: Record<string, unknown> };
}

/**
 * Claim due deliveries in one short transaction: `FOR UPDATE SKIP LOCKED` (another instance's claim is skipped, not
 * waited for), and next_attempt_at moved to `claimUntil` so that nobody takes them again while they are being sent.
 * A delivery waits while an earlier event of the same case for the same subscription is still pending (per-case order).
 */
export async function claimDue(db: Kysely<DB>, at: string, claimUntil: string, limit: number): Promise<ClaimedDelivery[]> {
  return db.transaction().execute(async (trx) => {
    const rows = (await sql<{
      id: string; attempts: number; subscription_id: string; url: string; secret_encrypted: string; give_up_at: Date;
      seq: number; event_id: string; type: string; case_id: string | null; occurred_at: Date; payload: Record<string, unknown>;
    }>`
      WITH due AS (
        SELECT d.id
          FROM webhook_deliveries d
          JOIN webhook_subscriptions s ON s.id = d.subscription_id AND s.active
         WHERE d.status = 'pending'
           AND d.next_attempt_at <= ${at}::timestamptz
           AND NOT EXISTS (
                 SELECT 1 FROM webhook_deliveries p
                  WHERE p.subscription_id = d.subscription_id AND p.case_id = d.case_id AND p.status = 'pending' AND p.event_seq < d.event_seq)
         ORDER BY d.next_attempt_at, d.event_seq
         LIMIT ${limit}
           FOR UPDATE OF d SKIP LOCKED
      ), claimed AS (
        UPDATE webhook_deliveries w SET next_attempt_at = ${claimUntil}::timestamptz, attempts = w.attempts + 1, last_attempt_at = ${at}::timestamptz
          FROM due WHERE w.id = due.id
        RETURNING w.id, w.attempts, w.subscription_id, w.event_seq, w.give_up_at
      )
      SELECT c.id, c.attempts, c.subscription_id, s.url, s.secret_encrypted, c.give_up_at,
             e.seq, e.id AS event_id, e.type, e.case_id, e.occurred_at, e.payload
        FROM claimed c
        JOIN webhook_subscriptions s ON s.id = c.subscription_id
        JOIN outbox_events e ON e.seq = c.event_seq
       ORDER BY e.seq`.execute(trx)).rows;
    return rows.map((r) => ({
      id: r.id, attempts: r.attempts, subscriptionId: r.subscription_id, url: r.url, secretEncrypted: r.secret_encrypted, giveUpAt: new Date(r.give_up_at),
      event: { seq: Number(r.seq), id: r.event_id, type: r.type, caseId: r.case_id, occurredAt: new Date(r.occurred_at), payload: r.payload },
    }));
  });
}

/** Record a successful send (only for the claim that made it: attempts must still match). */
export async function markDelivered(db: Executor, id: string, attempts: number, status: number, at: string): Promise<void> {
  await db
    .updateTable('webhook_deliveries')
    .set({ status: 'delivered', delivered_at: at, last_status: status, last_error: null })
    .where('id', '=', id).where('attempts', '=', attempts).where('status', '=', 'pending')
    .execute();
}

/** Record a failed send: try again at `next`, or give up (dead) when `dead`. */
export async function markFailed(db: Executor, id: string, attempts: number, r: { status: number | null; error: string; next: string; dead: boolean; at: string }): Promise<void> {
  await db
    .updateTable('webhook_deliveries')
    .set(r.dead
      ? { status: 'dead', dead_at: r.at, last_status: r.status, last_error: r.error }
      : { next_attempt_at: r.next, last_status: r.status, last_error: r.error })
    .where('id', '=', id).where('attempts', '=', attempts).where('status', '=', 'pending')
    .execute();
}

export interface DeadLetterRow {
  id: string;
  subscription_id: string;
  region_code: string | null;
  organization_id: string | null;
  url: string;
  event_id: string;
  event_seq: number;
  type: string;
  case_id: string | null;
  occurred_at: Date;
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  dead_at: Date;
}

/** Dead deliveries, most recent first, keyset-paged on (dead_at, id). */
export async function listDeadLetters(db: Executor, limit: number, after?: { deadAt: string; id: string }): Promise<DeadLetterRow[]> {
  let q = db
    .selectFrom('webhook_deliveries as d')
    .innerJoin('webhook_subscriptions as s', 's.id', 'd.subscription_id')
    .innerJoin('outbox_events as e', 'e.seq', 'd.event_seq')
    .select([
      'd.id', 'd.subscription_id', 's.region_code', 's.organization_id', 's.url', 'd.event_id', 'd.event_seq', 'e.type', 'd.case_id', 'e.occurred_at',
      'd.attempts', 'd.last_status', 'd.last_error', 'd.dead_at',
    ])
    .where('d.status', '=', 'dead');
  if (after) q = q.where((eb) => eb(eb.refTuple('d.dead_at', 'd.id'), '<', eb.tuple(after.deadAt as unknown as Date, after.id)));
  const rows = await q.orderBy('d.dead_at', 'desc').orderBy('d.id', 'desc').limit(limit).execute();
  return rows.map((r) => ({ ...r, dead_at: r.dead_at as Date }));
}

export async function findDelivery(db: Executor, id: string, forUpdate = false): Promise<DeliveryRow | undefined> {
  let q = db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id);
  if (forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

/** Put a dead delivery back in the queue: due now, with another 24 hours of retries. */
export async function requeueDelivery(db: Executor, id: string, at: string, giveUpAt: string): Promise<DeliveryRow> {
  return db
    .updateTable('webhook_deliveries')
    .set({ status: 'pending', next_attempt_at: at, give_up_at: giveUpAt, dead_at: null, attempts: 0 })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export interface StreamEventRow {
  seq: number;
  /** the writing transaction's id (xid8 as decimal text): with seq, the event's place in the stream */
  xid: string;
  id: string;
  type: string;
  case_id: string | null;
  region_code: string | null;
  organization_id: string | null;
  payload: Record<string, unknown>;
  occurred_at: Date;
}

/** Who sees which events: everything, or the events of some home regions and of some provider organisations. */
export type EventScope = { all: true } | { all?: false; regionCodes: string[]; organizationIds: string[] };

/**
 * Outbox events within a scope after the cursor (xid, seq) and below the horizon (an outboxHorizon read *before* this
 * call), in (xid, seq) order: the order in which events become visible for good (0013_webhooks.sql). xid and seq are
 * decimal text (xid8 does not fit a number).
 */
export async function outboxEventsAfter(
  db: Executor, after: { xid: string; seq: string }, horizon: string, scope: EventScope, limit: number,
): Promise<StreamEventRow[]> {
  let q = db
    .selectFrom('outbox_events')
    .select(['seq', sql<string>`xid::text`.as('xid'), 'id', 'type', 'case_id', 'region_code', 'organization_id', 'payload', 'occurred_at'])
    .where(sql<boolean>`(xid, seq) > (${after.xid}::xid8, ${after.seq}::bigint)`)
    .where(sql<boolean>`xid < ${horizon}::xid8`);
  if (!scope.all) {
    const { regionCodes, organizationIds } = scope;
    if (regionCodes.length === 0 && organizationIds.length === 0) return [];
    q = q.where((eb) => eb.or([
      ...(regionCodes.length > 0 ? [eb('region_code', 'in', regionCodes)] : []),
      ...(organizationIds.length > 0 ? [eb('organization_id', 'in', organizationIds)] : []),
    ]));
  }
  return (await q.orderBy(sql`xid`).orderBy('seq').limit(limit).execute()) as StreamEventRow[];
}

/** The oldest transaction id (decimal text) among the visible events with a seq above this one; undefined when there is none. */
export async function oldestOutboxXidAfterSeq(db: Executor, seq: string): Promise<string | undefined> {
  const r = await sql<{ xid: string | null }>`SELECT min(xid)::text AS xid FROM outbox_events WHERE seq > ${seq}::bigint`.execute(db);
  return r.rows[0]?.xid ?? undefined;
}
