import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import type { Clock } from '../domain/clock.js';
import { anchorAuditChains } from '../services/audit.service.js';
import { every } from './every.js';

/**
 * Every `everyMs` (default ten minutes): take today's audit anchor if the day has none (ADR 0017), so each day has one
 * from shortly after midnight, Stockholm time. Safe on any number of instances (one insert per day wins). The taken
 * anchor is also written to the log — one more copy outside the database.
 */
export function startAuditAnchorJob(db: Kysely<DB>, clock: Clock, log: (msg: string, err?: unknown) => void, everyMs = 600_000): () => void {
  return every(
    everyMs,
    async () => {
      const { anchor, taken } = await anchorAuditChains(db, clock);
      if (taken) log(`audit anchor ${anchor.day}: sha256 ${anchor.digest} over 64 chain heads (${anchor.events} events)`);
    },
    log,
    'taking the audit anchor failed; retrying at the next check',
  );
}
