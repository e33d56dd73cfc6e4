import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { stockholmDay, type Clock } from '../domain/clock.js';
import { refreshWaitingTimes } from '../services/waiting-times.service.js';
import { every } from './every.js';

/**
 * Waited days of patients still waiting grow by one every day, so the precomputed figures are recomputed once a day
 * even when no region submits. Any number of instances may run this: the refresh takes the figures' version row lock
 * first and then checks again whether today's figures already exist, so only one instance does the work.
 */
export async function refreshIfOutdated(db: Kysely<DB>, clock: Clock): Promise<boolean> {
  const today = stockholmDay(clock.now());
  return db.transaction().execute(async (trx) => {
    await sql`SELECT version FROM waiting_time_version WHERE id = 1 FOR UPDATE`.execute(trx);
    const oldest = await sql<{ d: string | null }>`SELECT min(computed_on)::text AS d FROM waiting_time_stats`.execute(trx);
    const computedOn = oldest.rows[0]?.d ?? null;
    if (computedOn === null || computedOn >= today) return false;
    await refreshWaitingTimes(trx, { today });
    return true;
  });
}

/** Check every `everyMs` (default 15 minutes) and refresh when the figures are from an earlier day. Returns a stop function. */
export function startWaitingTimesRefreshJob(db: Kysely<DB>, clock: Clock, log: (msg: string, err?: unknown) => void, everyMs = 15 * 60_000): () => void {
  return every(
    everyMs,
    async () => {
      if (await refreshIfOutdated(db, clock)) log(`waiting-time figures recomputed for ${stockholmDay(clock.now())}`);
    },
    log,
    'waiting-time refresh failed; retrying at the next check',
  );
}
