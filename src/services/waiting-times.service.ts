import type { Executor } from './context.js';

/**
 * Recompute the precomputed waiting-time figures that reads are served from (src/db/migrations/0005_*.sql),
 * for one region (after a waiting-list submission for it) or for the whole country (regionCode undefined).
 * Runs inside the caller's transaction, so a submission and its figures commit together.
 * `today` is the Swedish calendar date the figures are computed for.
 *
 * (Interface fixed by the lead engineer; the implementation is being written.)
 */
export async function refreshWaitingTimes(_trx: Executor, _opts: { regionCode?: string | undefined; today: string }): Promise<void> {
  // Filled in by the waiting-times work; until then there is nothing precomputed to refresh.
}
