import type { Database } from '../db/connect.js';
import type { Clock } from '../domain/clock.js';
import { recoverAbandonedSubmissions } from '../services/waiting-list/submission.service.js';
import { every } from './every.js';

/**
 * At start and every `everyMs` (default 5 minutes): submissions left 'processing' by a stopped process are marked
 * failed and their staged rows deleted (recoverAbandonedSubmissions). Safe on any number of instances: a live
 * submission moves its heartbeat on every few seconds, and marking one failed is a single UPDATE.
 */
export function startSubmissionRecoveryJob(database: Database, clock: Clock, log: (msg: string, err?: unknown) => void, everyMs = 5 * 60_000): () => void {
  return every(
    everyMs,
    async () => {
      const failed = await recoverAbandonedSubmissions(database, clock);
      if (failed.length > 0) log(`${failed.length} abandoned waiting-list submission(s) marked failed: ${failed.join(', ')}`);
    },
    log,
    'recovery of abandoned submissions failed; retrying at the next check',
  );
}
