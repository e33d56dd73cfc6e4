import type { Kysely } from 'kysely';
import * as repo from '../../db/notifications.repository.js';
import type { DB } from '../../db/schema.js';
import type { Clock } from '../../domain/clock.js';
import type { SecretBox } from './webhooks.service.js';
import { webhookSignature } from './verify.js';

/**
 * Webhook delivery: fan-out of outbox events into delivery rows, and sending them.
 *
 * * Each POST carries `Nvf-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`, `Nvf-Event-Id`
 *   and `Nvf-Event-Type`; the body is `{ id, type, occurredAt, caseId, seq, data }`.
 * * A 2xx answer within 10 s is delivered; anything else is retried after 30 s, 1, 2, 4 … minutes (at most an hour
 *   apart) until 24 hours after the event, then the delivery is dead (an admin can list and re-queue it).
 * * Per case and subscription, an event is not sent while an earlier one is still pending.
 * * Due deliveries are claimed with FOR UPDATE SKIP LOCKED in a short transaction and sent outside it, so two
 *   instances never send the same delivery at once; only a crash between sending and recording sends one again.
 */

export const SEND_TIMEOUT_MS = 10_000;
/** A claim lasts the timeout and a margin: if the instance dies meanwhile, the delivery is due again afterwards. */
export const CLAIM_MS = SEND_TIMEOUT_MS + 20_000;
export const RETRY_WINDOW_MS = 24 * 3600_000;

export interface DeliveryDeps {
  db: Kysely<DB>;
  clock: Clock;
  secrets: SecretBox;
  /** the HTTP client (global fetch; tests may pass another) */
  fetch?: typeof fetch;
  /** per-send timeout in ms (default 10 s) */
  timeoutMs?: number;
}

/** The wait before the next attempt after `attempts` failed ones: 30 s, 1 min, 2, 4 … minutes, capped at 1 hour. */
export function backoffMs(attempts: number): number {
  const n = Math.max(1, attempts);
  return Math.min(3600_000, 30_000 * 2 ** Math.min(n - 1, 20));
}

/** The body of a webhook POST. */
export function webhookBody(e: repo.ClaimedDelivery['event']): string {
  return JSON.stringify({ id: e.id, type: e.type, occurredAt: e.occurredAt.toISOString(), caseId: e.caseId, seq: e.seq, data: e.payload });
}

/** The headers of a webhook POST, signed at `at`. */
export function signedHeaders(secret: string, body: string, e: { id: string; type: string }, at: Date): Record<string, string> {
  const t = Math.floor(at.getTime() / 1000);
  return {
    'content-type': 'application/json',
    'user-agent': 'nvf-webhooks/1',
    'nvf-signature': `t=${t},v1=${webhookSignature(secret, t, body)}`,
    'nvf-event-id': e.id,
    'nvf-event-type': e.type,
  };
}

/** Turn new outbox events into delivery rows (repeat while there is a full batch). Safe on many instances. */
export async function fanOutEvents(db: Kysely<DB>, clock: Clock, batch = 500): Promise<{ events: number; deliveries: number }> {
  const total = { events: 0, deliveries: 0 };
  for (let i = 0; i < 100; i++) {
    const r = await repo.fanOut(db, clock.now().toISOString(), batch);
    total.events += r.events;
    total.deliveries += r.deliveries;
    if (r.events < batch) break;
  }
  return total;
}

export interface DeliveryOutcome {
  id: string;
  eventId: string;
  outcome: 'delivered' | 'retry' | 'dead';
  status: number | null;
}

async function send(deps: DeliveryDeps, d: repo.ClaimedDelivery): Promise<{ ok: boolean; status: number | null; error: string }> {
  const body = webhookBody(d.event);
  let secret: string;
  try {
    secret = deps.secrets.decrypt(d.secretEncrypted);
  } catch {
    return { ok: false, status: null, error: 'the subscription secret cannot be decrypted (was PATIENT_DATA_KEY changed?)' };
  }
  const doFetch = deps.fetch ?? fetch;
  try {
    const res = await doFetch(d.url, {
      method: 'POST', body, headers: signedHeaders(secret, body, d.event, deps.clock.now()), redirect: 'manual',
      signal: AbortSignal.timeout(deps.timeoutMs ?? SEND_TIMEOUT_MS),
    });
    // read (and drop) the answer so the connection can be reused
    await res.arrayBuffer().catch(() => undefined);
    const ok = res.status >= 200 && res.status < 300;
    return { ok, status: res.status, error: ok ? '' : `answered HTTP ${res.status}` };
  } catch (err) {
    const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
    const what = e.name === 'TimeoutError' || e.name === 'AbortError' ? `no answer within ${(deps.timeoutMs ?? SEND_TIMEOUT_MS) / 1000} s` : (e.cause?.code ?? e.cause?.message ?? e.message ?? 'failed');
    return { ok: false, status: null, error: String(what).slice(0, 500) };
  }
}

/**
 * Claim due deliveries, send them (in parallel across cases, never two of one case), record each result.
 * Returns what happened to each one claimed.
 */
export async function deliverDue(deps: DeliveryDeps, limit = 100): Promise<DeliveryOutcome[]> {
  const now = deps.clock.now();
  const claimed = await repo.claimDue(deps.db, now.toISOString(), new Date(now.getTime() + CLAIM_MS).toISOString(), limit);
  if (claimed.length === 0) return [];
  // The claim query lets only the earliest pending event of a case per subscription through, so each claimed one is
  // independent of the others: send them concurrently.
  return Promise.all(claimed.map(async (d): Promise<DeliveryOutcome> => {
    const r = await send(deps, d);
    const at = deps.clock.now();
    if (r.ok) {
      await repo.markDelivered(deps.db, d.id, d.attempts, r.status ?? 200, at.toISOString());
      return { id: d.id, eventId: d.event.id, outcome: 'delivered', status: r.status };
    }
    const dead = at.getTime() >= d.giveUpAt.getTime();
    const next = new Date(Math.min(at.getTime() + backoffMs(d.attempts), d.giveUpAt.getTime()));
    await repo.markFailed(deps.db, d.id, d.attempts, { status: r.status, error: r.error, next: next.toISOString(), dead, at: at.toISOString() });
    return { id: d.id, eventId: d.event.id, outcome: dead ? 'dead' : 'retry', status: r.status };
  }));
}

/** One round of the job: fan out, then deliver what is due (repeat while batches come back full). */
export async function runWebhookRound(deps: DeliveryDeps): Promise<{ fannedOut: number; delivered: number; failed: number }> {
  const f = await fanOutEvents(deps.db, deps.clock);
  let delivered = 0;
  let failed = 0;
  for (let i = 0; i < 20; i++) {
    const out = await deliverDue(deps);
    delivered += out.filter((o) => o.outcome === 'delivered').length;
    failed += out.filter((o) => o.outcome !== 'delivered').length;
    if (out.length < 100) break;
  }
  return { fannedOut: f.deliveries, delivered, failed };
}
