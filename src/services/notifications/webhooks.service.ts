import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import * as repo from '../../db/notifications.repository.js';
import type { DB } from '../../db/schema.js';
import { AppError, forbidden, invalid, notFound, type FieldError } from '../../domain/errors.js';
import { recordAudit } from '../audit.service.js';
import type { RequestContext } from '../context.js';
import { EVENT_TYPES } from '../outbox.js';
import { createPatientCrypto, parsePatientKeys } from '../patient-crypto.js';

/** Encrypts webhook secrets at rest (they must be readable again to sign). */
export interface SecretBox {
  encrypt(plain: string): string;
  decrypt(token: string): string;
}

const WEBHOOK_KEY_INFO = 'nvf webhook secret v1';

/**
 * The box for webhook secrets: AES-256-GCM under a key derived (HKDF) from the configured PATIENT_DATA_KEY with its own
 * info string, so it is independent of the keys that protect patient identities.
 */
export function webhookSecretBox(configuredKey: string): SecretBox {
  const base = parsePatientKeys(configuredKey).encryptionKey;
  const derive = (info: string) => Buffer.from(crypto.hkdfSync('sha256', base, Buffer.alloc(0), info, 32));
  return createPatientCrypto({ encryptionKey: derive(WEBHOOK_KEY_INFO), lookupKey: derive(`${WEBHOOK_KEY_INFO} lookup`) });
}

export interface WebhookDeps {
  db: Kysely<DB>;
  secrets: SecretBox;
  /** demo, sandbox (and tests) allow http://localhost; production only https */
  mode: 'demo' | 'sandbox' | 'production';
  /** allow http:// to localhost / 127.0.0.1 even in production mode (tests) */
  allowLocalHttp?: boolean;
}

export interface SubscriptionView {
  id: string;
  regionCode: string | null;
  organizationId: string | null;
  url: string;
  eventTypes: string[];
  description: string | null;
  active: boolean;
  createdBy: string;
  createdAt: string;
  version: number;
}

export interface CreateSubscriptionInput {
  url: string;
  regionCode?: string | undefined;
  organizationId?: string | undefined;
  eventTypes?: string[] | undefined;
  description?: string | undefined;
}

const view = (r: repo.SubscriptionRow): SubscriptionView => ({
  id: r.id, regionCode: r.region_code, organizationId: r.organization_id, url: r.url, eventTypes: r.event_types, description: r.description,
  active: r.active, createdBy: r.created_by, createdAt: new Date(r.created_at).toISOString(), version: r.version,
});

const isAdmin = (ctx: RequestContext) => ctx.principal.roles.includes('admin');

/** Whether the caller may manage a subscription of this owner: an admin any, a coordinator its region's, a provider its organisation's. */
function mayManage(ctx: RequestContext, owner: { regionCode: string | null; organizationId: string | null }): boolean {
  const p = ctx.principal;
  if (isAdmin(ctx)) return true;
  if (owner.regionCode !== null && p.roles.includes('coordinator') && p.regionCode === owner.regionCode) return true;
  if (owner.organizationId !== null && p.roles.includes('provider') && p.organizationId === owner.organizationId) return true;
  return false;
}

/**
 * A host the platform must not call in production (server-side request forgery): loopback, private, link-local and
 * carrier-grade NAT address literals, and names that only resolve inside a network. A name resolving to such an address
 * is not caught here (the network's egress rules must stop it).
 */
export function isInternalHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (h === 'localhost' || h.endsWith('.localhost') || h.endsWith('.local') || h.endsWith('.internal') || h.endsWith('.lan') || !h.includes('.') && !h.includes(':')) return true;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127) || a >= 224;
  }
  if (h.includes(':')) return h === '::' || h === '::1' || /^f[cd]/.test(h) || /^fe[89ab]/.test(h) || h.startsWith('::ffff:');
  return false;
}

function checkUrl(raw: string, deps: WebhookDeps): FieldError[] {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return [{ field: 'url', message: `${raw.slice(0, 100)} is not an absolute URL` }];
  }
  if (u.username || u.password) return [{ field: 'url', message: 'the URL must not carry a user name or password; the signature authenticates the platform' }];
  if (u.hash) return [{ field: 'url', message: 'the URL must not have a #fragment' }];
  if (u.protocol === 'https:') {
    if (deps.mode === 'production' && !deps.allowLocalHttp && isInternalHost(u.hostname))
      return [{ field: 'url', message: `${u.hostname} is an internal address; a webhook must go to a public https address` }];
    return [];
  }
  const local = u.hostname === 'localhost' || u.hostname === '127.0.0.1' || u.hostname === '[::1]';
  if (u.protocol === 'http:' && local && (deps.mode !== 'production' || deps.allowLocalHttp)) return [];
  return [{ field: 'url', message: deps.mode === 'production' ? 'the URL must use https' : 'the URL must use https (http only to localhost or 127.0.0.1 in demo and sandbox)' }];
}

/**
 * Create a subscription. The owner is the caller's own region (coordinator) or organisation (provider) when not given;
 * an admin names one. The secret is made here and returned this once; it is stored encrypted.
 */
export async function createSubscription(deps: WebhookDeps, ctx: RequestContext, input: CreateSubscriptionInput): Promise<SubscriptionView & { secret: string }> {
  const p = ctx.principal;
  let regionCode = input.regionCode ?? null;
  let organizationId = input.organizationId ?? null;
  if (regionCode !== null && organizationId !== null)
    throw invalid([{ field: 'organizationId', message: 'a subscription belongs to a region or to an organisation, not both' }]);
  if (regionCode === null && organizationId === null) {
    if (p.roles.includes('coordinator') && p.regionCode) regionCode = p.regionCode;
    else if (p.roles.includes('provider') && p.organizationId) organizationId = p.organizationId;
    else throw invalid([{ field: 'regionCode', message: 'name the regionCode or the organizationId the subscription is for' }]);
  }
  const owner = { regionCode, organizationId };
  if (!mayManage(ctx, owner))
    throw forbidden(regionCode !== null
      ? `You may subscribe only for your own region${p.regionCode ? ` (${p.regionCode})` : ''}, not for region ${regionCode}.`
      : `You may subscribe only for your own organisation${p.organizationId ? ` (${p.organizationId})` : ''}, not for ${organizationId}.`);
  const errors = checkUrl(input.url, deps);
  const eventTypes = [...new Set(input.eventTypes ?? [])];
  for (const [i, t] of eventTypes.entries())
    if (!(EVENT_TYPES as readonly string[]).includes(t)) errors.push({ field: `eventTypes[${i}]`, message: `${t} is not an event type; use ${EVENT_TYPES.join(', ')}` });
  if (errors.length > 0) throw invalid(errors);
  const secret = `whsec_${crypto.randomBytes(32).toString('base64url')}`;
  const at = ctx.clock.now().toISOString();
  const row = await deps.db.transaction().execute(async (trx) => {
    if (regionCode !== null && !(await repo.regionExists(trx, regionCode))) throw invalid([{ field: 'regionCode', message: `there is no region ${regionCode}` }]);
    if (organizationId !== null && !(await repo.organizationExists(trx, organizationId))) throw invalid([{ field: 'organizationId', message: `there is no organisation ${organizationId}` }]);
    const created = await repo.insertSubscription(trx, {
      id: crypto.randomUUID(), regionCode, organizationId, url: input.url, secretEncrypted: deps.secrets.encrypt(secret), eventTypes,
      description: input.description ?? null, createdBy: p.subject, at,
    });
    await recordAudit(trx, ctx, {
      action: 'webhook.subscribe', entityType: 'webhook_subscription', entityId: created.id,
      details: { regionCode, organizationId, url: input.url, eventTypes },
    });
    return created;
  });
  return { ...view(row), secret };
}

/** The subscriptions the caller may see: an admin all (or filtered), a coordinator its region's, a provider its organisation's. */
export async function listSubscriptions(deps: WebhookDeps, ctx: RequestContext, opts: { includeInactive?: boolean } = {}): Promise<SubscriptionView[]> {
  const p = ctx.principal;
  const includeInactive = opts.includeInactive ?? false;
  if (isAdmin(ctx)) return (await repo.listSubscriptions(deps.db, {}, includeInactive)).map(view);
  const out: SubscriptionView[] = [];
  if (p.roles.includes('coordinator') && p.regionCode) out.push(...(await repo.listSubscriptions(deps.db, { regionCode: p.regionCode }, includeInactive)).map(view));
  if (p.roles.includes('provider') && p.organizationId) out.push(...(await repo.listSubscriptions(deps.db, { organizationId: p.organizationId }, includeInactive)).map(view));
  return out;
}

/** Deactivate a subscription (kept for the record; its pending deliveries are not sent). Another owner's is 404. */
export async function deactivateSubscription(deps: WebhookDeps, ctx: RequestContext, id: string): Promise<SubscriptionView> {
  return deps.db.transaction().execute(async (trx) => {
    const row = await repo.findSubscription(trx, id, { forUpdate: true });
    if (!row || !mayManage(ctx, { regionCode: row.region_code, organizationId: row.organization_id })) throw notFound('Webhook subscription', id);
    if (!row.active) return view(row);
    const updated = await repo.deactivateSubscription(trx, id, ctx.clock.now().toISOString());
    await recordAudit(trx, ctx, { action: 'webhook.unsubscribe', entityType: 'webhook_subscription', entityId: id, details: { url: row.url } });
    return view(updated);
  });
}

export interface DeadLetterView {
  id: string;
  subscriptionId: string;
  regionCode: string | null;
  organizationId: string | null;
  url: string;
  eventId: string;
  eventSeq: number;
  eventType: string;
  caseId: string | null;
  occurredAt: string;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  deadAt: string;
}

/** Dead deliveries (admin), most recent first. */
export async function listDeadLetters(deps: WebhookDeps, ctx: RequestContext, opts: { limit: number; after?: { deadAt: string; id: string } | undefined }): Promise<{ items: DeadLetterView[]; next?: { deadAt: string; id: string } }> {
  if (!isAdmin(ctx)) throw forbidden('Only an admin sees the dead letters.');
  const rows = await repo.listDeadLetters(deps.db, opts.limit + 1, opts.after);
  const items = rows.slice(0, opts.limit).map((r): DeadLetterView => ({
    id: r.id, subscriptionId: r.subscription_id, regionCode: r.region_code, organizationId: r.organization_id, url: r.url, eventId: r.event_id,
    eventSeq: Number(r.event_seq), eventType: r.type, caseId: r.case_id, occurredAt: new Date(r.occurred_at).toISOString(), attempts: r.attempts,
    lastStatus: r.last_status, lastError: r.last_error, deadAt: new Date(r.dead_at).toISOString(),
  }));
  const last = items[items.length - 1];
  return rows.length > opts.limit && last ? { items, next: { deadAt: last.deadAt, id: last.id } } : { items };
}

/** Put a dead delivery back in the queue (admin): it is tried now and for another 24 hours. */
export async function retryDeadLetter(deps: WebhookDeps, ctx: RequestContext, id: string): Promise<{ id: string; status: 'pending'; nextAttemptAt: string; giveUpAt: string }> {
  if (!isAdmin(ctx)) throw forbidden('Only an admin re-queues dead letters.');
  const now = ctx.clock.now();
  return deps.db.transaction().execute(async (trx) => {
    const row = await repo.findDelivery(trx, id, true);
    if (!row) throw notFound('Webhook delivery', id);
    if (row.status !== 'dead') throw new AppError('conflict', `Delivery ${id} is ${row.status}, not dead; only dead letters are re-queued.`);
    const giveUpAt = new Date(now.getTime() + 24 * 3600_000).toISOString();
    await repo.requeueDelivery(trx, id, now.toISOString(), giveUpAt);
    await recordAudit(trx, ctx, { action: 'webhook.requeue', entityType: 'webhook_delivery', entityId: id, details: { subscriptionId: row.subscription_id, eventId: row.event_id } });
    return { id, status: 'pending' as const, nextAttemptAt: now.toISOString(), giveUpAt };
  });
}

/**
 * A place in the event stream: after the event (xid, seq). Events are streamed in (xid, seq) order and only once their
 * transaction is older than the outbox horizon, so everything before a cursor is final (0013_webhooks.sql). Decimal text:
 * an xid8 does not fit a number. Written `<xid>.<seq>` as the SSE id (formatStreamCursor).
 */
export interface StreamCursor {
  xid: string;
  seq: string;
}

/** Where a stream resumes, as the client said it: a cursor this stream gave out, or a plain seq (the id before cursors). */
export type StreamPosition = { cursor: StreamCursor } | { legacySeq: string };

export interface StreamEvent {
  seq: number;
  /** where the stream stands after this event: its SSE id */
  cursor: StreamCursor;
  id: string;
  type: string;
  occurredAt: string;
  caseId: string | null;
  data: Record<string, unknown>;
}

/** The SSE id of a cursor: `<xid>.<seq>`. */
export function formatStreamCursor(c: StreamCursor): string {
  return `${c.xid}.${c.seq}`;
}

/** Read a Last-Event-ID or ?after= value already checked by the route's schema: `<xid>.<seq>` or a legacy `<seq>`. */
export function parseStreamPosition(raw: string): StreamPosition {
  const dot = raw.indexOf('.');
  return dot < 0 ? { legacySeq: raw } : { cursor: { xid: raw.slice(0, dot), seq: raw.slice(dot + 1) } };
}

const laterCursor = (a: StreamCursor, b: StreamCursor): StreamCursor => {
  const byXid = BigInt(a.xid) - BigInt(b.xid);
  return byXid > 0n || (byXid === 0n && BigInt(a.seq) >= BigInt(b.seq)) ? a : b;
};

/** What the caller's events are: an admin all, a coordinator its home region's, a provider its organisation's. */
export function eventScopeOf(ctx: RequestContext): repo.EventScope {
  const p = ctx.principal;
  if (isAdmin(ctx)) return { all: true };
  return {
    regionCodes: p.roles.includes('coordinator') && p.regionCode ? [p.regionCode] : [],
    organizationIds: p.roles.includes('provider') && p.organizationId ? [p.organizationId] : [],
  };
}

/**
 * The caller's events after a cursor whose transactions are older than the outbox horizon, in (xid, seq) order (the
 * server-sent event stream reads through this), and the cursor to read on from. When the batch is not full every event
 * below the horizon has been seen, so the cursor moves up to (horizon, 0) — a quiet scope does not re-scan other scopes'
 * events on every poll.
 */
export async function eventsAfter(
  db: Kysely<DB>, scope: repo.EventScope, after: StreamCursor, limit = 500,
): Promise<{ events: StreamEvent[]; next: StreamCursor; more: boolean }> {
  // The horizon first: every event below it is visible to the read that follows (its snapshot is later).
  const horizon = await repo.outboxHorizon(db);
  const rows = await repo.outboxEventsAfter(db, after, horizon, scope, limit);
  const events = rows.map((r) => ({
    seq: Number(r.seq), cursor: { xid: r.xid, seq: String(r.seq) }, id: r.id, type: r.type, occurredAt: new Date(r.occurred_at).toISOString(),
    caseId: r.case_id, data: r.payload,
  }));
  const more = rows.length >= limit;
  const next = more ? events[events.length - 1]!.cursor : laterCursor(after, { xid: horizon, seq: '0' });
  return { events, next, more };
}

/**
 * Where a stream begins. Without a position: at (horizon, 0) — every event of an older transaction has happened, every
 * later one will be sent. A cursor: as it is. A legacy plain seq S (ids before cursors): at (X, 0), X the oldest xid among
 * the events with a seq above S (or the horizon, if lower or there are none). Every event with seq > S — visible now, or
 * committing later (its xid is at least the horizon) — is then sent, so the client misses nothing the old seq resume
 * would have sent; some events it already had may come again (receivers de-duplicate on the event id). S's own xid
 * would not do: an event with a lower xid and a higher seq, committed after S was sent, would be skipped.
 */
export async function streamStart(db: Kysely<DB>, from?: StreamPosition): Promise<StreamCursor> {
  if (from && 'cursor' in from) return from.cursor;
  // The horizon before the look-up, for the same reason as in eventsAfter.
  const horizon = await repo.outboxHorizon(db);
  const start = { xid: horizon, seq: '0' };
  if (!from) return start;
  const oldest = await repo.oldestOutboxXidAfterSeq(db, from.legacySeq);
  return oldest !== undefined && BigInt(oldest) < BigInt(horizon) ? { xid: oldest, seq: '0' } : start;
}
