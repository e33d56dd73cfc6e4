import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { z } from 'zod';
import { systemClock } from '../domain/clock.js';
import { AppError } from '../domain/errors.js';
import { isPeriod, periodsBetween } from '../domain/indicators.js';
import { checkComputable, computePeriods } from '../services/statistics/compute.service.js';
import { type CliIo, withDatabase } from './io.js';

const period = z.string().refine(isPeriod, { message: 'must be a month YYYY-MM (2000–2100)' });
const options = z
  .object({ period: period.optional(), from: period.optional(), to: period.optional(), progress: z.boolean() })
  .refine((o) => (o.period !== undefined) !== (o.from !== undefined || o.to !== undefined), { message: 'give either --period YYYY-MM or --from YYYY-MM --to YYYY-MM' })
  .refine((o) => o.period !== undefined || (o.from !== undefined && o.to !== undefined), { message: '--from and --to go together' })
  .refine((o) => o.from === undefined || o.to === undefined || o.from <= o.to, { message: '--from must not be after --to' });

/** nvf stats compute --period YYYY-MM | --from YYYY-MM --to YYYY-MM: compute (or recompute) the indicators of months. */
export function registerStatsCommands(program: Command, io: CliIo): void {
  const stats = program.command('stats').description('Statistics and follow-up: compute the monthly indicators (docs/indicators.md)');
  stats
    .command('compute')
    .description('Compute the indicators of one month or a range of months; a recomputation adds revisions only where a value changed')
    .option('--period <YYYY-MM>', 'one month')
    .option('--from <YYYY-MM>', 'the first month of a range')
    .option('--to <YYYY-MM>', 'the last month of a range')
    .option('--no-progress', 'no progress bar')
    .action(async (raw: Record<string, unknown>) => {
      const parsed = options.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        const field = issue.path.length > 0 ? `--${String(issue.path[0])} ${String(raw[String(issue.path[0])])}: ` : '';
        throw new AppError('bad_request', `${field}${issue.message}.`);
      }
      const o = parsed.data;
      const periods = o.period !== undefined ? [o.period] : periodsBetween(o.from!, o.to!);
      const now = systemClock.now();
      // Refuse a month that has not ended before opening the database (the message names the first such month).
      for (const p of periods) checkComputable(p, now);
      await withDatabase(io, async (database) => {
        const bar = o.progress && process.stderr.isTTY
          ? new cliProgress.SingleBar({ format: 'computing |{bar}| {value}/{total} months', hideCursor: true, stream: process.stderr }, cliProgress.Presets.shades_classic)
          : undefined;
        bar?.start(periods.length, 0);
        try {
          const results = await computePeriods(database.db, periods, { triggeredBy: 'cli', now, onProgress: (done) => bar?.update(done) });
          bar?.stop();
          for (const r of results)
            io.out(`${r.period}: revision ${r.revision} · ${r.rowsWritten} row(s) written · ${r.rowsRevised} revised · ${(r.ms / 1000).toFixed(1)} s`);
          if (periods.length > 1) io.out(`${periods.length} months computed (${periods[0]} – ${periods.at(-1)}).`);
        } catch (err) {
          bar?.stop();
          throw err;
        }
      });
    });
}
