import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { stockholmDay, type Clock } from '../domain/clock.js';
import { periodBounds, previousPeriod } from '../domain/indicators.js';
import { computeInTransaction, lockPeriod, type ComputeResult } from '../services/statistics/compute.service.js';
import { warmPublications } from '../services/statistics/publish.service.js';
import { every } from './every.js';

/** How many complete months back the job looks for a month never computed. */
export const STATISTICS_LOOKBACK_MONTHS = 13;
/** How many of the newest computed months are recomputed once a day (late or corrected submissions become revisions). */
export const STATISTICS_RECOMPUTE_MONTHS = 3;
const TRIGGERED_BY = 'job';

/** The last `n` complete months before today's month, newest first. */
function completeMonths(today: string, n: number): string[] {
  const out: string[] = [];
  let p = previousPeriod(today.slice(0, 7));
  for (let i = 0; i < n; i++, p = previousPeriod(p)) out.push(p);
  return out;
}

/**
 * One round of the schedule (today = the app clock's Stockholm date):
 * - every complete month after the newest computed one (within the last 13; on a database with none, the newest complete
 *   month) is computed once today is after its reporting deadline (the 20th of the next month: revision 1 on the 21st,
 *   when on-time data is in);
 * - the 3 newest computed months are recomputed once a day (a month whose newest run started today is left alone);
 *   a recomputation adds revisions only where values changed.
 * Each month in its own transaction under the period's advisory lock, checking again under the lock, so several
 * instances running the job compute each month once. Returns what was computed, oldest first.
 */
export async function runStatisticsSchedule(db: Kysely<DB>, clock: Clock): Promise<ComputeResult[]> {
  const now = clock.now();
  const today = stockholmDay(now);
  const candidates = completeMonths(today, STATISTICS_LOOKBACK_MONTHS).filter((p) => today > periodBounds(p).reportingDeadline);
  const runs = await sql<{ period: string; last: string }>`
    SELECT period, to_char(max(started_at) AT TIME ZONE 'Europe/Stockholm', 'YYYY-MM-DD') AS last
      FROM statistics_runs WHERE finished_at IS NOT NULL GROUP BY period`.execute(db);
  const lastRun = new Map(runs.rows.map((r) => [r.period.trim(), r.last]));
  // New months only: those after the newest computed one (on a database with none, the newest complete month). Older
  // gaps are the operator's to fill (`nvf stats compute --from … --to …`), so a new installation does not compute a year
  // of empty months.
  const newest = [...lastRun.keys()].sort().at(-1);
  const fresh = candidates.filter((p) => !lastRun.has(p) && (newest === undefined ? p === candidates[0] : p > newest));
  const recompute = [...lastRun.keys()].sort().reverse().slice(0, STATISTICS_RECOMPUTE_MONTHS).filter((p) => lastRun.get(p)! < today && periodBounds(p).monthEnd < today);
  const todo = [...new Set([...fresh, ...recompute])].sort();
  const out: ComputeResult[] = [];
  for (const period of todo) {
    const r = await db.transaction().execute(async (trx) => {
      await lockPeriod(trx, period);
      // check again under the lock: another instance may have computed the month meanwhile
      const last = await sql<{ last: string | null }>`
        SELECT to_char(max(started_at) AT TIME ZONE 'Europe/Stockholm', 'YYYY-MM-DD') AS last FROM statistics_runs WHERE period = ${period} AND finished_at IS NOT NULL`.execute(trx);
      const lastDay = last.rows[0]?.last ?? null;
      if (lastDay !== null && lastDay >= today) return undefined;
      if (lastDay !== null && !recompute.includes(period)) return undefined;
      return computeInTransaction(trx, period, { triggeredBy: TRIGGERED_BY, now });
    });
    if (r !== undefined) out.push(r);
  }
  return out;
}

/** At start and every `everyMs` (default one hour) run the schedule; the daily checks make repeated rounds cheap. */
export function startStatisticsJob(db: Kysely<DB>, clock: Clock, log: (msg: string, err?: unknown) => void, everyMs = 60 * 60_000): () => void {
  return every(
    everyMs,
    async () => {
      const done = await runStatisticsSchedule(db, clock);
      for (const r of done) log(`statistics for ${r.period} computed: ${r.rowsWritten} row(s) written (${r.rowsRevised} revised), revision ${r.revision}, ${r.ms} ms`);
      // publish (disclosure control) the computed months now, so that the first public request does not wait for it
      const warmed = await warmPublications(db);
      if (done.length > 0) log(`statistics published for ${warmed.periods} month(s) in ${warmed.ms} ms`);
    },
    log,
    'statistics computation failed; retrying at the next check',
  );
}
