import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import type { Clock } from '../domain/clock.js';
import { runWebhookRound } from '../services/notifications/delivery.js';
import type { SecretBox } from '../services/notifications/webhooks.service.js';
import { every } from './every.js';

/**
 * Every `everyMs` (default 2 s): turn new outbox events into webhook deliveries and send those that are due
 * (src/services/notifications/delivery.ts). Safe on any number of instances: the fan-out locks its cursor row and the
 * deliveries are claimed with FOR UPDATE SKIP LOCKED.
 */
export function startWebhookDeliveryJob(db: Kysely<DB>, clock: Clock, secrets: SecretBox, log: (msg: string, err?: unknown) => void, everyMs = 2_000): () => void {
  return every(
    everyMs,
    async () => {
      const r = await runWebhookRound({ db, clock, secrets });
      if (r.failed > 0) log(`webhooks: ${r.delivered} delivered, ${r.failed} failed (retried with back-off)`);
    },
    log,
    'webhook delivery failed; retrying at the next round',
  );
}
