import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import type { Clock } from '../domain/clock.js';
import { expireDueRequests } from '../services/brokering/request.service.js';
import { every } from './every.js';

/**
 * Every `everyMs` (default one minute): pending requests past their respond-by time expire, and their cases follow
 * (back to open or requested). Safe on any number of instances (expireDueRequests locks each case with SKIP LOCKED and
 * checks again under the lock). Telling the coordinator goes through the notification outbox (later).
 */
export function startRequestExpiryJob(db: Kysely<DB>, clock: Clock, log: (msg: string, err?: unknown) => void, everyMs = 60_000): () => void {
  return every(
    everyMs,
    async () => {
      const expired = await expireDueRequests({ db }, clock);
      if (expired.length > 0) log(`${expired.length} unanswered request(s) expired`);
    },
    log,
    'request expiry failed; retrying at the next check',
  );
}
